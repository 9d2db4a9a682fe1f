"""The spelling table stored with an index (persearch/spelling.py): same answers as one built in memory."""
from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from persearch import Index
from persearch.query.suggest import SpellIndex, StoredSpellIndex, spell_index
from persearch.spelling import FILE_NAME, SpellingFile, correctable, deletes1, write_table

LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
words = st.text(alphabet=LETTERS, min_size=1, max_size=9)
vocabularies = st.lists(st.tuples(words, st.integers(min_value=1, max_value=40)), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(terms=vocabularies, typed=st.lists(words, min_size=1, max_size=8))
def test_stored_table_corrects_like_the_one_built_in_memory(tmp_path_factory, terms, typed) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("spell") / FILE_NAME
    write_table(path, 3, terms)
    stored = StoredSpellIndex(SpellingFile(path))
    built = SpellIndex(terms)
    assert dict(stored.freq.items()) == dict(built.freq)
    for word in typed + [t for t, _ in terms[:5]]:
        assert stored.correct(word) == built.correct(word)
        assert (word in stored) == (word in built)
        assert stored.freq.get(word, 0) == built.freq.get(word, 0)


@settings(max_examples=60, deadline=None)
@given(terms=vocabularies, cap=st.sampled_from([1, 2, 5, 1_000]))
def test_each_offered_term_is_filed_once_under_each_of_its_deletions(tmp_path_factory, terms, cap) -> None:  # type: ignore[no-untyped-def]
    """The table's hash tables (sorted in parts, counted into buckets) hold exactly the in-memory
    index's deletion neighbourhood: the frequent terms (the most frequent ``cap``, ties by
    text) under each of their one-letter deletions, each once."""
    path = tmp_path_factory.mktemp("spell") / FILE_NAME
    with mock.patch("persearch.spelling.MAX_CANDIDATES", cap):
        write_table(path, 3, terms)
        freq: dict[str, int] = {}
        for term, df in terms:
            freq[term] = freq.get(term, 0) + df
        offered = correctable(freq)
    assert len(offered) <= cap
    expected: dict[str, set[str]] = {}
    for term in offered:
        for key in deletes1(term):
            expected.setdefault(key, set()).add(term)
    table = SpellingFile(path)
    assert table.verify(documents=sum(freq.values())) is None
    for key, filed in expected.items():
        found = table.filed_under(key)
        assert sorted(found) == sorted(filed)  # no term twice (a doubled letter gives one key twice)
    assert len(table._by_key) == sum(len(filed) for filed in expected.values())  # nothing else filed
    for term in freq:
        assert table.df(term) == freq[term]


def test_a_table_file_reads_back_its_terms(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    write_table(path, 12, [("کتاب", 3), ("کباب", 2), ("کتاب", 4), ("ایران", 9)])
    table = SpellingFile(path)
    assert table.generation == 12
    assert table.terms() == ["ایران", "کباب", "کتاب"]
    assert table.freq["کتاب"] == 7 and table.df("کتب") == 0 and "کتب" not in table.freq
    assert sorted(table.filed_under("کتب")) == ["کتاب"]  # کتاب minus ا
    assert table.filed_under("ایرن") == ["ایران"]
    assert len(table.freq) == 3


def test_an_empty_table(tmp_path: Path) -> None:
    write_table(tmp_path / FILE_NAME, 1, [])
    stored = StoredSpellIndex(SpellingFile(tmp_path / FILE_NAME))
    assert stored.correct("کتاب") is None and "کتاب" not in stored and list(stored.freq) == []


def test_the_index_stores_its_table_per_generation(tmp_path: Path, seeds_dir: Path, backend: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for p in sorted(seeds_dir.glob("*.txt")):
        (docs / p.name).write_bytes(p.read_bytes())
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([docs])
        stored_path = ix.data_dir / FILE_NAME
        assert SpellingFile(stored_path).generation == ix.backend.generation()
        table = spell_index(ix)
        assert isinstance(table, StoredSpellIndex)
        built = SpellIndex([*ix.backend.terms("body"), *ix.backend.terms("title")])
        assert dict(table.freq.items()) == dict(built.freq)
        for word in ("ایرن", "تهرن", "دانشگاهه", "مجلسس", "خبرگزاریی"):
            assert table.correct(word) == built.correct(word)
        # A no-change update leaves the table alone; a change writes the next generation's.
        stamp = os.stat(stored_path).st_mtime_ns
        ix.update()
        assert os.stat(stored_path).st_mtime_ns == stamp
        (docs / "تازه.txt").write_text("واژه‌ای تازه: زیرساخت‌ها و زیرساخت‌ها\n", encoding="utf-8")
        ix.update()
        fresh = SpellingFile(stored_path)
        assert fresh.generation == ix.backend.generation() and fresh.df("زیرساخت") >= 1
    # A fresh process (a new Index) reads the stored table, and its suggestion.
    with Index.open(tmp_path / "ix") as again:
        assert isinstance(spell_index(again), StoredSpellIndex)
        assert again.search("زیرساخط").suggestion is not None


def test_a_table_of_another_generation_is_not_used(tmp_path: Path, seeds_dir: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([seeds_dir])
        write_table(ix.data_dir / FILE_NAME, ix.backend.generation() + 5, [("ساختگی", 9)])
    with Index.open(tmp_path / "ix") as ix:
        table = spell_index(ix)
        assert not isinstance(table, StoredSpellIndex) and "ساختگی" not in table


@settings(max_examples=80, deadline=None)
@given(terms=vocabularies, at=st.floats(min_value=0.0, max_value=1.0), garbage=st.binary(min_size=1, max_size=64),
       typed=st.lists(words, min_size=1, max_size=5))
def test_a_table_overwritten_in_place_never_raises(tmp_path_factory, terms, at, garbage, typed) -> None:  # type: ignore[no-untyped-def]
    """Bytes overwritten anywhere after the header (size unchanged): look-ups answer, verify() may object."""
    path = tmp_path_factory.mktemp("spell") / FILE_NAME
    write_table(path, 3, terms)
    data = bytearray(path.read_bytes())
    start = 64 + int(at * max(0, len(data) - 64 - len(garbage)))
    data[start:start + len(garbage)] = garbage[:len(data) - start]
    path.write_bytes(bytes(data[:len(path.read_bytes())]))
    table = SpellingFile(path)
    stored = StoredSpellIndex(table)
    for word in typed + [t for t, _ in terms[:5]]:
        stored.correct(word)
        assert isinstance(stored.freq.get(word, 0), int) and isinstance(word in stored, bool)
        table.filed_under(word)
    table.terms()
    problem = table.verify(documents=40)
    assert problem is None or isinstance(problem, str)


def _news_like(tmp_path: Path, seeds_dir: Path, backend: str) -> Path:
    location = tmp_path / "ix"
    with Index.create(location, backend=backend) as ix:
        ix.add_paths([seeds_dir])
    return location


def test_a_damaged_stored_table_fails_no_search_and_doctor_names_it(tmp_path: Path, seeds_dir: Path,
                                                                     backend: str) -> None:
    from typer.testing import CliRunner

    from persearch.cli.app import app

    location = _news_like(tmp_path, seeds_dir, backend)
    with Index.open(location) as ix:
        path, documents = ix.data_dir / FILE_NAME, len(ix)
        assert SpellingFile(path).verify(documents) is None
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # a third of it overwritten, as a disk or a careless tool might
        fh.seek(size // 3)
        fh.write(bytes(range(256)) * max(1, size // 3 // 256))
    assert path.stat().st_size == size
    with Index.open(location) as ix:  # not in the checksums: the index opens, a typo's search answers
        results = ix.search("ریس جمهورر")
        assert results.total >= 0
    doctor = CliRunner().invoke(app, ["doctor", "--index", str(location)])
    assert doctor.exit_code == 1
    assert f"damaged: the spelling table {FILE_NAME} is damaged: " in doctor.stdout
    rebuilt = CliRunner().invoke(app, ["index", "--rebuild", "--index", str(location)])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    again = CliRunner().invoke(app, ["doctor", "--index", str(location)])
    assert again.exit_code == 0 and "ok: the spelling table reads back" in again.stdout


def test_a_table_cut_short_is_not_used_and_the_next_write_stores_it_again(tmp_path: Path, seeds_dir: Path) -> None:
    location = _news_like(tmp_path, seeds_dir, "whoosh")
    with Index.open(location) as ix:
        path, generation = ix.data_dir / FILE_NAME, ix.backend.generation()
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with Index.open(location) as ix:
        assert not isinstance(spell_index(ix), StoredSpellIndex)
        assert any("is not used" in note for note in ix.check().notes)
        ix.update()  # nothing changed on disk: the generation stays, the table is written again
        assert ix.backend.generation() == generation
    table = SpellingFile(path)
    assert table.generation == generation and table.verify(documents=100) is None
