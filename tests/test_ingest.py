"""Files → documents: formats, encodings, bad files and the folder walk."""
from __future__ import annotations

import codecs
import io
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch.ingest import (IngestError, IngestOptions, decode, first_line_title, html_text, looks_binary,
                              open_records, read_file, scan, walk)

ZWNJ = "\u200c"
ARABIC_YEH = "\u064a"
# Windows-1256 has no Farsi yeh (U+06CC) or keheh (U+06A9); old Persian files use the Arabic letters.
OLD_STYLE = f"رئيس{ZWNJ}جمهوري امروز به كتابخانه رفت.\nمسئله حل شد؛ آيا درست است؟\n"
MODERN = f"رئیس{ZWNJ}جمهوری امروز به کتابخانه رفت.\nمسئله حل شد.\n"


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return str(path.resolve())


# -- encodings -----------------------------------------------------------------

@pytest.mark.parametrize("encoding, data, name", [
    ("utf-8", MODERN.encode("utf-8"), "utf-8"),
    ("utf-8-sig", codecs.BOM_UTF8 + MODERN.encode("utf-8"), "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE + MODERN.encode("utf-16-le"), "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE + MODERN.encode("utf-16-be"), "utf-16"),
])
def test_unicode_encodings_decode_to_the_same_text(encoding: str, data: bytes, name: str) -> None:
    assert decode(data) == (MODERN, name)


def test_windows_1256_persian_is_accepted() -> None:
    assert decode(OLD_STYLE.encode("cp1256")) == (OLD_STYLE, "windows-1256")


def test_latin1_french_is_not_read_as_windows_1256_mojibake() -> None:
    with pytest.raises(IngestError, match="undecodable"):
        decode("Le café était très animé, déjà à l'aube.".encode("latin-1"))


def test_broken_utf8_persian_is_not_read_as_windows_1256_mojibake() -> None:
    data = MODERN.encode("utf-8")
    broken = data[:7] + data[8:]  # one continuation byte lost
    with pytest.raises(IngestError, match="undecodable"):
        decode(broken)


def test_binary_content_is_detected() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not looks_binary(MODERN.encode("utf-8"))
    with pytest.raises(IngestError, match="binary"):
        decode(b"\x00\x01\x02" * 100)


_CP1256_LETTERS = [ch for ch in bytes(range(0xC1, 0xFF)).decode("cp1256") if "\u0621" <= ch <= "\u064a"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=_CP1256_LETTERS, min_size=1, max_size=8), min_size=1, max_size=20))
def test_any_persian_text_round_trips_through_windows_1256(words: list[str]) -> None:
    text = " ".join(words) + "\n"
    assert decode(text.encode("cp1256")) == (text, "windows-1256")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
               max_size=80))
def test_any_utf8_text_round_trips(text: str) -> None:
    assert decode(text.encode("utf-8"))[0] == text


# -- plain text, markdown, html --------------------------------------------------

def test_txt_stored_text_is_the_file_content_and_title_its_first_line(tmp_path: Path) -> None:
    content = "\n\n   خبر فوری   \n" + MODERN
    path = write(tmp_path / "خبر.txt", content)
    result = read_file(path)
    assert result.error is None
    [doc] = result.documents
    assert doc.text == content
    assert doc.title == "خبر فوری"
    assert (doc.id, doc.path, doc.format, doc.encoding) == (path, path, "txt", "utf-8")
    assert doc.size == len(content.encode("utf-8")) and len(doc.hash) == 32


def test_cp1256_and_utf16_files_store_decoded_text(tmp_path: Path) -> None:
    old = read_file(write(tmp_path / "old.txt", OLD_STYLE, "cp1256"))
    wide = read_file(write(tmp_path / "wide.txt", codecs.BOM_UTF16_LE + MODERN.encode("utf-16-le")))
    assert (old.documents[0].text, old.documents[0].encoding) == (OLD_STYLE, "windows-1256")
    assert (wide.documents[0].text, wide.documents[0].encoding) == (MODERN, "utf-16")
    assert old.documents[0].title == f"رئيس{ZWNJ}جمهوري امروز به كتابخانه رفت."


def test_markdown_title_drops_the_heading_marks(tmp_path: Path) -> None:
    [doc] = read_file(write(tmp_path / "note.md", "# یادداشت‌های سفر\n\nمتن سفر به شیراز")).documents
    assert (doc.title, doc.format) == ("یادداشت‌های سفر", "md")


def test_html_keeps_visible_text_only() -> None:
    page = ("<html><head><title> اخبار  ورزشی </title><style>p{color:red}</style></head>"
            "<body><script>var x = 'پنهان';</script><h1>سرخط</h1><p>تیم ملی &amp; مربی</p>"
            "<noscript>پنهان</noscript><p>برد</p></body></html>")
    title, text = html_text(page)
    assert title == "اخبار ورزشی"
    assert "پنهان" not in text and "color" not in text
    assert text.split() == ["سرخط", "تیم", "ملی", "&", "مربی", "برد"]


def test_html_title_falls_back_to_the_first_heading(tmp_path: Path) -> None:
    path = write(tmp_path / "page.htm", "<body><h2>کتاب تازه</h2><p>معرفی کتاب</p><h1>دیگر</h1></body>")
    [doc] = read_file(path).documents
    assert (doc.title, doc.format) == ("کتاب تازه", "html")
    assert "معرفی کتاب" in doc.text


# -- records -----------------------------------------------------------------------

def test_jsonl_records_get_path_hash_id_or_line_number(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "x1", "title": "عنوان", "text": "كتاب علي", "tags": ["ادب", "کتاب"], "year": 1402},
                        ensure_ascii=False),
             "",
             json.dumps({"title": "بدون شناسه", "text": "متن دوم"}, ensure_ascii=False),
             "{not json",
             json.dumps({"other": 1})]
    path = write(tmp_path / "r.jsonl", "\n".join(lines) + "\n")
    result = read_file(path)
    assert [d.id for d in result.documents] == [f"{path}#x1", f"{path}#3"]
    first = result.documents[0]
    assert (first.title, first.text, first.metadata) == ("عنوان", "كتاب علي", {"tags": ["ادب", "کتاب"], "year": 1402})
    assert [where for where, _ in result.problems] == [f"{path}:4", f"{path}:5"]
    assert result.doc_count == 2


def test_json_object_and_array(tmp_path: Path) -> None:
    one = read_file(write(tmp_path / "one.json", json.dumps({"text": "سلام دنیا"}, ensure_ascii=False)))
    many = read_file(write(tmp_path / "many.json",
                           json.dumps([{"id": 7, "text": "اول"}, {"text": "دوم"}], ensure_ascii=False)))
    assert [d.id.split("#")[1] for d in one.documents] == ["1"]
    assert [(d.id.split("#")[1], d.text) for d in many.documents] == [("7", "اول"), ("2", "دوم")]


def test_invalid_json_file_is_a_failure(tmp_path: Path) -> None:
    result = read_file(write(tmp_path / "bad.json", "[{\"text\": \"متن\"},"))
    assert result.documents == [] and result.error is not None and "invalid JSON" in result.error


def test_csv_and_tsv_with_configured_columns(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "t.csv", "کد,سرخط,متن,دسته\n۱,خبر اول,\"متن, با ویرگول\",سیاسی\n۲,خبر دوم,متن دوم,ورزشی\n")
    options = IngestOptions(text_field="متن", title_field="سرخط", id_field="کد")
    docs = read_file(csv_path, options).documents
    assert [(d.id.split("#")[1], d.title, d.text, d.metadata) for d in docs] == [
        ("۱", "خبر اول", "متن, با ویرگول", {"دسته": "سیاسی"}),
        ("۲", "خبر دوم", "متن دوم", {"دسته": "ورزشی"}),
    ]
    tsv_docs = read_file(write(tmp_path / "t.tsv", "title\ttext\nیک\tمتن یک\nدو\tمتن دو\n")).documents
    assert [(d.id.split("#")[1], d.title, d.format) for d in tsv_docs] == [("1", "یک", "tsv"), ("2", "دو", "tsv")]


@pytest.mark.parametrize("sep, name", [(",", "t.csv"), ("\t", "t.tsv")])
def test_csv_with_a_quote_left_open_keeps_the_rows_before_it(tmp_path: Path, sep: str, name: str) -> None:
    path = write(tmp_path / name, "id,title,text\n1,یک,متن\n2,\"بی‌پایان,متن\n3,سه,شیر\n4,چهار,ببر\n".replace(",", sep))
    result = read_file(path)
    assert [d.title for d in result.documents] == ["یک"]
    assert result.problems == [(f"{path}:2", "record 2: a quote is never closed (the rest of the file would be one cell)")]
    # Quotes that open a cell's text, or pair up, are not that: every row is read.
    fine = ("id,title,text\n1,\"کلیله\" و دمنه,موش\n0,نمایشگر 27\" سامسونگ,x\n2,\"نقل \"\"قول\"\"\",متن\n"
            "3,\"چند\nخطی\",شیر\n").replace(",", sep)  # an inch mark elsewhere changes nothing
    docs = read_file(write(tmp_path / ("fine" + name), fine)).documents
    assert [d.title for d in docs] == ["کلیله و دمنه", 'نمایشگر 27" سامسونگ', 'نقل "قول"', "چند\nخطی"]
    after = "id,title,text\n1,\"x\" y,\"open\n2,b\n".replace(",", sep)  # a quoted word first in the row
    assert read_file(write(tmp_path / ("after" + name), after)).problems[0][1].startswith("record 1: a quote")
    for valid in ("id,title,text\n1,کتاب,ساده\n2,دوم,\"خط یک\nخط دو\" \n",  # a space after the closing quote
                  "id,title,text\n2,دوم,ساده\n1,\"کتاب\" تازه,\"خط یک\nخط دو\"\n"):
        assert read_file(write(tmp_path / ("valid" + name), valid.replace(",", sep))).problems == []
    own = "id,size,text\n1,27\" screen,\"line one\nline two\"\n".replace(",", sep)  # an inch mark in the row itself
    assert read_file(write(tmp_path / ("own" + name), own)).problems == []
    inch = "id,title,text\n1,نمایشگر 27\" سامسونگ,x\n2,\"باز\n3,ج\n".replace(",", sep)
    assert read_file(write(tmp_path / ("inch" + name), inch)).problems[0][1].startswith("record 2: a quote")


def test_record_ids_and_titles_that_are_not_text(tmp_path: Path) -> None:
    path = write(tmp_path / "o.jsonl", '{"id": {"a": 1}, "text": "یک"}\n{"id": 2, "title": ["الف", "ب"], "text": "دو"}\n')
    result = read_file(path)
    assert [(d.id.split("#")[1], d.title) for d in result.documents] == [("2", '["الف", "ب"]')]
    assert result.problems == [(f"{path}:1", "record 1: 'id' must be text or a number, not dict")]


def test_duplicate_record_ids_do_not_replace_each_other(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", '{"id": "a", "text": "یک"}\n{"id": "a", "text": "دو"}\n')
    assert [d.id.split("#")[1] for d in read_file(path).documents] == ["a", "a~2"]


# -- bad files ---------------------------------------------------------------------

def test_too_large_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "کتاب " * 100)
    result = read_file(path, IngestOptions(max_size=100))
    assert result.documents == [] and result.error.startswith("too large")


def test_a_file_that_grows_after_its_stat_is_read_whole_up_to_the_limit(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The read is sized by the stat; a file written to in between is still
    # read whole, and still refused past the limit.
    real_stat = os.stat

    class StaleStat:  # st_size: 10 bytes, as before the file grew
        st_size = 10

        def __init__(self, st: os.stat_result) -> None:
            self._st = st

        def __getattr__(self, name: str) -> object:
            return getattr(self._st, name)

    def stale_stat(path: object, *args: object, **kwargs: object) -> StaleStat:
        return StaleStat(real_stat(path, *args, **kwargs))

    text = "خبر تازه\n" + "کتاب خوب " * 30 + "\n"
    path = write(tmp_path / "growing.txt", text)
    monkeypatch.setattr("persearch.ingest.os.stat", stale_stat)
    grown = read_file(path)
    assert grown.error is None and grown.documents[0].text.strip().endswith("کتاب خوب")
    assert grown.size == len(text.encode("utf-8"))
    too_big = read_file(path, IngestOptions(max_size=100))
    assert too_big.documents == [] and too_big.error.startswith("too large") and too_big.size > 100


def test_binary_file_with_text_extension_is_skipped(tmp_path: Path) -> None:
    result = read_file(write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10))
    assert (result.documents, result.error) == ([], "binary content")


def test_known_hash_skips_parsing(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", MODERN)
    first = read_file(path)
    again = read_file(path, known_hash=first.hash)
    assert again.unchanged and again.documents == [] and again.hash == first.hash


def test_first_line_title() -> None:
    assert first_line_title("\n  \n  سلام دنیا  \nخط دوم") == "سلام دنیا"
    assert first_line_title("") == ""


# -- walking -------------------------------------------------------------------------

def test_walk_skips_hidden_unknown_and_follows_no_loop(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    write(root / "a.txt", MODERN)
    write(root / "sub" / "b.md", MODERN)
    write(root / ".hidden" / "c.txt", MODERN)
    write(root / ".secret.txt", MODERN)
    write(root / "photo.jpg", b"\xff\xd8\xff")
    os.symlink(root, root / "sub" / "loop")  # a folder that contains itself
    found = [f for f in walk([root])]
    assert sorted(Path(f.path).relative_to(root.resolve()).as_posix() for f in found) == ["a.txt", "sub/b.md"]
    assert {f.format for f in found} == {"txt", "md"}


def test_walk_reports_broken_links_to_indexable_names(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    write(root / "a.txt", MODERN)
    os.symlink(tmp_path / "gone.txt", root / "b.txt")
    os.symlink(tmp_path / "gone.bin", root / "c.bin")  # not a name persearch reads: silent
    items = list(walk([root]))
    assert [Path(i.path).name for i in items if not isinstance(i, tuple)] == ["a.txt"]
    assert [i for i in items if isinstance(i, tuple)] == [(str(root / "b.txt"), "broken link")]


def test_read_file_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    assert read_file(str(fifo)).error == "not a regular file"
    assert read_file("/dev/zero").error == "not a regular file"
    assert read_file(str(tmp_path / "gone.txt")).error.startswith("not found")


def test_walk_reports_missing_paths_and_reads_named_files_of_any_extension(tmp_path: Path) -> None:
    log = write(tmp_path / "notes.log", MODERN)
    items = list(walk([tmp_path / "missing", log]))
    assert items[0] == (str((tmp_path / "missing").absolute()), "not found")
    assert (items[1].path, items[1].format) == (log, "txt")


# -- record files, one record at a time --------------------------------------------

def _records_file(path: Path, rows: list[dict[str, object]], end: str = "\n") -> str:
    return write(path, "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + end)


NEWS_LIKE = [{"id": f"n{i}", "title": f"خبر شماره {i}", "text": f"رئیس{ZWNJ}جمهوری در سفر {i} گفت که کتاب‌ها " * 20}
             for i in range(300)]


@pytest.mark.parametrize("name, encoding", [("r.jsonl", "utf-8"), ("r.jsonl", "utf-8-sig"),
                                            ("r.jsonl", "utf-16"), ("r.csv", "utf-8"), ("r.tsv", "utf-8")])
def test_a_record_file_read_one_record_at_a_time_gives_what_a_whole_read_gives(
        tmp_path: Path, name: str, encoding: str) -> None:
    if name.endswith("jsonl"):
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in NEWS_LIKE) + "\n"
    else:
        sep = "," if name.endswith("csv") else "\t"
        text = sep.join(("id", "title", "text")) + "\n" + "".join(
            sep.join((r["id"], r["title"], r["text"].strip())) + "\n" for r in NEWS_LIKE)  # type: ignore[arg-type]
    path = write(tmp_path / name, text, encoding)
    opened = open_records(path)
    assert opened.result.error is None and opened.encoding == encoding
    streamed = list(opened)
    assert opened.records_read == 300 and opened.bytes_read == os.path.getsize(path)
    whole = read_file(path).documents
    assert [(d.id, d.title, d.text, d.hash) for d in streamed] == [(d.id, d.title, d.text, d.hash) for d in whole]
    assert len({d.hash for d in streamed}) == 300  # a hash of each record, not of the file
    assert opened.result.hash == read_file(path).hash and opened.result.doc_count == 300


def test_record_hashes_change_with_the_record_and_the_field_options_only(tmp_path: Path) -> None:
    rows = NEWS_LIKE[:3]
    first = {d.id.split("#")[1]: d.hash for d in read_file(_records_file(tmp_path / "a.jsonl", rows, end="")).documents}
    changed = [rows[0], {**rows[1], "text": "متن تازه"}, rows[2], {"id": "n9", "text": "افزوده"}]
    second = {d.id.split("#")[1]: d.hash for d in read_file(_records_file(tmp_path / "a.jsonl", changed)).documents}
    # The last line gained a newline: the same record. The changed one differs, the new one is new.
    assert second["n0"] == first["n0"] and second["n2"] == first["n2"]
    assert second["n1"] != first["n1"] and "n9" not in first
    other_fields = read_file(str(tmp_path / "a.jsonl"), IngestOptions(title_field="text"))
    assert {d.id.split("#")[1]: d.hash for d in other_fields.documents}["n0"] != first["n0"]


def test_a_record_file_is_never_held_whole(tmp_path: Path) -> None:
    rows = [{"id": i, "text": "کتاب‌های تازه در کتابخانه شیراز " * 40} for i in range(2500)]
    path = _records_file(tmp_path / "big.jsonl", rows)
    assert os.path.getsize(path) > 4_000_000
    tracemalloc.start()
    try:
        opened = open_records(path)
        count = 0
        for _ in opened:
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 2500
    assert peak < 0.5 * os.path.getsize(path)  # blocks and one record, not the file


def test_records_without_the_text_field_are_one_line_naming_the_field_and_option(tmp_path: Path) -> None:
    rows = [{"headline": f"تیتر {i}", "body": "متن خبر", "tags": ["ورزش"], "year": 1402} for i in range(500)]
    result = read_file(_records_file(tmp_path / "news.jsonl", rows))
    assert result.documents == [] and result.problems == []
    assert result.error is not None
    for word in ("'text'", "'title'", "headline", "body", "tags", "year", "--text-field"):
        assert word in result.error
    assert "\n" not in result.error and "[" not in result.error
    # With the right option the same file is read.
    assert len(read_file(result.path, IngestOptions(text_field="body", title_field="headline")).documents) == 500
    # Some records lacking them: the others are indexed, and one line says which were skipped.
    mixed = read_file(_records_file(tmp_path / "mixed.jsonl", [{"text": "کتاب"}] + rows[:40] + [{"text": "درخت"}]))
    assert [d.text for d in mixed.documents] == ["کتاب", "درخت"]
    [(where, reason)] = mixed.problems
    assert where == mixed.path and reason.startswith("40 records have no 'text' or 'title' field (lines 2, 3, 4")
    assert "headline" in reason and "--text-field" in reason


def test_many_bad_lines_of_one_kind_are_one_line(tmp_path: Path) -> None:
    lines = ["{broken"] * 1000 + [json.dumps({"text": "کتاب"}, ensure_ascii=False)] + ["[1, 2]"] * 3
    result = read_file(write(tmp_path / "bad.jsonl", "\n".join(lines) + "\n"))
    assert [d.text for d in result.documents] == ["کتاب"]
    assert result.problems == [
        (result.path, "line 1: invalid JSON (Expecting property name enclosed in double quotes); "
                      "and 999 more lines like it"),
        (result.path, "record 1002 is not an object; and 2 more lines like it"),
    ]


def test_a_csv_error_half_way_keeps_the_rows_before_it(tmp_path: Path) -> None:
    # Python's csv refuses a cell over its field size limit (128 KiB): an error in the middle of the file.
    huge = "کتاب " * 40_000
    path = write(tmp_path / "t.csv", f"id,text\n1,درخت\n2,سیب\n3,{huge}\n4,گل\n")
    result = read_file(path)
    assert result.error is None and [d.text for d in result.documents] == ["درخت", "سیب"]
    [(where, reason)] = result.problems
    assert where == f"{path}:3" and reason.startswith("invalid CSV after row 2") and "the rest of the file" in reason
    assert read_file(write(tmp_path / "h.csv", f"{huge}\n1,2\n")).error.startswith("invalid CSV")


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000),
                 st.text(max_size=800).map(lambda t: t.encode("utf-8")),
                 st.text(alphabet="ابپتثجچحخدسشصطعفقکگلمنوهی \n۱۲" + ZWNJ, max_size=800).map(
                     lambda t: t.encode("cp1256", errors="ignore"))))
def test_scanning_a_file_a_block_at_a_time_chooses_what_decode_chooses(data: bytes) -> None:
    try:
        expected: tuple[str, str] | str = decode(data)[1]
    except IngestError as exc:
        expected = str(exc)
    try:
        found: tuple[str, str] | str = scan(io.BytesIO(data), 1 << 30)[2]
    except IngestError as exc:
        found = str(exc)
    if isinstance(expected, str) and expected.startswith("undecodable") and isinstance(found, str):
        assert found.startswith("undecodable")
    else:
        assert found == expected


def test_scanning_across_blocks_keeps_utf8_characters_whole(tmp_path: Path) -> None:
    # A two-byte Persian letter cut by a block boundary is still UTF-8.
    text = "a" + "کتاب " * 300_000
    path = write(tmp_path / "long.jsonl", json.dumps({"text": text}, ensure_ascii=False) + "\n")
    opened = open_records(path)
    assert opened.encoding == "utf-8" and [d.text for d in opened] == [text]
