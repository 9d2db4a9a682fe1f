"""The command line as people use it: honest messages, the options they reach
for, where the index is found, help text, completion.

Every check goes through the command (typer's CliRunner in-process, or the
installed console script) and looks at what a user or a script sees.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import EXE, ROOT, cli, one_error_line, proc

ZWNJ = "\u200c"
TEXTS = {
    "football.txt": "تیم ملی فوتبال ایران مقابل ترکیه بازی کرد و رئیس جمهوری تبریک گفت.",
    "phone.txt": "رئیسجمهوری ترکیه با همتای روس خود تلفنی گفت‌وگو کرد.",
    "derby.txt": "باشگاه استقلال در لیگ برتر مقابل پرسپولیس به میدان رفت و بازی مساوی شد.",
    "fans.txt": "هواداران استقلال پس از پیروزی در ورزشگاه جشن گرفتند.",
    "bank.txt": "بانک مرکزی نرخ ارز را اعلام کرد. بانک بانک بانک.",
    "center.txt": "بانک مرکزی در مرکز شهر است. مرکزی مرکزی مرکزی.",
}


def indexed(root: Path, texts: dict[str, str], backend: str) -> Path:
    """An index of ``texts`` (file name → text) in ``root``, built through the command line."""
    folder = root / "docs"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    location = root / "index"
    done = cli("index", str(folder), "--index", str(location), "--backend", backend)
    assert done.exit_code == 0, done.stderr
    return location


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    """An index of the small news corpus above."""
    return indexed(tmp_path_factory.mktemp("news"), TEXTS, backend)


def search_json(index: Path, *words: str) -> dict:
    result = cli("search", "--index", str(index), "--json", *words)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def names(data: dict) -> list[str]:
    return [Path(hit["path"]).name for hit in data["hits"]]


# -- messages that tell the truth -----------------------------------------
def test_json_says_whether_the_hits_are_the_corrected_querys(news: Path) -> None:
    plain = search_json(news, "استقلال")
    assert (plain["message"], plain["suggestion"], plain["corrected"]) == (None, None, False)
    typo = search_json(news, "پرسپولیسس")  # nothing as typed: the correction is searched
    assert (typo["suggestion"], typo["corrected"]) == ("پرسپولیس", True) and names(typo) == ["derby.txt"]
    # Two edits, and the typed query's other word found documents: only offered.
    offered = search_json(news, "استقلال", "پرسسپولیسس")
    assert offered["suggestion"] == "استقلال پرسپولیس" and offered["corrected"] is False
    assert set(names(offered)) == {"derby.txt", "fans.txt"}
    assert offered["message"] == "no document has every word: these have some of them"
    repaired = search_json(news, "استقلال (پیروزی")
    assert repaired["message"] == "ignored an unmatched (" and names(repaired) == ["fans.txt"]


def test_terminal_wording_tells_a_correction_from_an_offer(news: Path) -> None:
    corrected = cli("search", "پرسپولیسس", "--index", str(news))
    assert corrected.stderr.splitlines()[0] == "showing results for: پرسپولیس (instead of: پرسپولیسس)"
    offered = cli("search", "استقلال پرسسپولیسس", "--index", str(news))
    assert offered.stderr.splitlines()[0] == "did you mean: استقلال پرسپولیس"


def test_lower_case_operators_get_a_hint_not_a_spelling_fix(news: Path) -> None:
    data = search_json(news, "استقلال", "not", "پرسپولیس")
    assert data["message"].startswith('searched "not" as a word; the operator is NOT, in capitals')
    assert data["suggestion"] == "استقلال NOT پرسپولیس" and data["corrected"] is False
    meant = search_json(news, "استقلال NOT پرسپولیس")
    assert names(meant) == ["fans.txt"] and meant["message"] is None
    either = search_json(news, "پیروزی or مساوی")
    assert either["suggestion"] == "پیروزی OR مساوی" and '"or"' in either["message"]


def test_boosts_change_the_ranking_not_the_matches(news: Path) -> None:
    plain = search_json(news, "بانک مرکزی")
    bank = search_json(news, "بانک^4 مرکزی")
    center = search_json(news, "بانک مرکزی^4")
    assert set(names(plain)) == set(names(bank)) == set(names(center)) == {"bank.txt", "center.txt"}
    assert names(bank)[0] == "bank.txt" and names(center)[0] == "center.txt"
    alone, tripled = search_json(news, "بانک"), search_json(news, "بانک^3")
    assert names(alone) == names(tripled)
    assert [round(h["score"] * 3, 3) for h in alone["hits"]] == [round(h["score"], 3) for h in tripled["hits"]]


def test_stray_punctuation_leaves_the_answer_as_it_was(news: Path) -> None:
    plain = search_json(news, "چرا هواداران استقلال جشن گرفتند؟")
    for pasted in ("چرا هواداران ) استقلال جشن گرفتند؟", "چرا «هواداران استقلال جشن گرفتند؟",
                   'چرا هواداران استقلال" جشن گرفتند؟', "... چرا هواداران استقلال جشن گرفتند؟ ...",
                   "چرا هوادا(ران استقلال جشن گرفتند؟"):
        data = search_json(news, pasted)
        assert [h["id"] for h in data["hits"]] == [h["id"] for h in plain["hits"]], pasted
        assert (data["message"] or "").startswith("ignored an unmatched") or "..." in pasted


def test_a_leading_star_and_a_zero_boost_get_a_message(news: Path) -> None:
    star = search_json(news, "*استقلال")
    assert "leading *" in star["message"] and names(star) == names(search_json(news, "استقلال"))
    zero = search_json(news, "بانک^0")
    assert zero["message"] == "ignored ^0 after بانک: a boost is a number above 0" and zero["total"] == 2


def test_bidi_from_the_environment_without_python_bidi_warns_once(news: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bidi", None)  # as if python-bidi were not installed
    monkeypatch.setitem(sys.modules, "bidi.algorithm", None)
    monkeypatch.setattr("persearch.cli.output._warned", set())
    result = cli("search", "استقلال", "--index", str(news), env={"PERSEARCH_BIDI": "1"})
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("persearch: warning:")]
    assert len(warnings) == 1 and "python-bidi" in warnings[0] and "PERSEARCH_BIDI" in warnings[0]
    assert "[[استقلال]]" in result.stdout  # searched and shown, in logical order
    asked = cli("search", "استقلال", "--index", str(news), "--bidi")  # asked for by name: an error
    assert asked.exit_code == 1 and "python-bidi" in one_error_line(asked.stderr)


def test_a_read_only_index_names_the_folder_not_the_lock_file(news: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from persearch.index import lock

    real_open = os.open

    def refuse(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith("write.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(lock.os, "open", refuse)
    result = cli("update", "--index", str(news))
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "write.lock" not in line and str(news) in line and "read-only" in line
    assert cli("search", "استقلال", "--index", str(news), "--json").exit_code == 0  # reading still works


@pytest.mark.parametrize("args", [
    ("search", "کتاب", "--field", "author"),
    ("analyze", "کتاب", "--stemmer", "porter"),
    ("index", "seeds", "--backend", "lucene"),
    ("search", "کتاب", "--limit", "abc"),
    ("search", "کتاب", "--page", "0"),
])
def test_errors_print_no_python_reprs(args: tuple[str, ...], tmp_path: Path) -> None:
    result = cli(*args, "--index", str(tmp_path / "index"))
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert not re.search(r"\['|'\]|\(None\)|int range|<int", line), line


def test_stats_for_people(tmp_path: Path) -> None:
    docs = tmp_path / "docs dir"
    docs.mkdir()
    (docs / "a.txt").write_text("کتاب تازه", encoding="utf-8")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "b.txt").write_text("دفتر تازه", encoding="utf-8")
    odd = f"{docs}/../idx docs"
    assert cli("index", str(docs), str(tmp_path / "more" / ".." / "more"), "--index", odd).exit_code == 0
    lines = cli("stats", "--index", odd).stdout.splitlines()
    rows = [line.split("\t") for line in lines]
    assert all(len(row) == 2 for row in rows), lines
    shown = dict(rows)
    assert shown["index"] == str(tmp_path / "idx docs")  # absolute and normalized
    assert re.fullmatch(r"\d+\.\d (KiB|MiB)", shown["size"])
    assert [value for key, value in rows if key == "root"] == sorted([str(docs), str(tmp_path / "more")])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", shown["updated"])
    assert "[" not in shown["analyzer"] and "{" not in shown["analyzer"] and "stemmer builtin" in shown["analyzer"]
    assert shown["documents"] == "2"


# -- the options people reach for -----------------------------------------
def test_double_dash_ends_the_options(news: Path) -> None:
    refused = cli("search", "--نسخه", "--index", str(news))
    assert refused.exit_code == 2 and "No such option: --نسخه" in refused.stderr
    data = search_json(news, "--", "--استقلال")  # after --: a query word (--x is read as x)
    assert data["query"] == "--استقلال" and set(names(data)) == {"derby.txt", "fans.txt"}
    after = search_json(news, "استقلال", "--", "-n", "-l")  # -n and -l are words here: NOT n, NOT l
    assert after["query"] == "استقلال -n -l" and len(after["hits"]) == 2


def test_a_dash_reads_the_query_from_stdin(news: Path) -> None:
    piped = subprocess.run([str(EXE), "search", "-", "--index", str(news), "--json"], input="رئیس جمهوری\n",
                           capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert piped.returncode == 0, piped.stderr
    data = json.loads(piped.stdout)
    assert data["query"] == "رئیس جمهوری" and set(names(data)) == {"football.txt", "phone.txt"}
    both = subprocess.run([str(EXE), "search", "استقلال", "-", "--index", str(news), "--json"], input="پیروزی",
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert json.loads(both.stdout)["query"] == "استقلال پیروزی"
    analyzed = subprocess.run([str(EXE), "analyze", "-", "--json"], input="کتاب‌ها\nرا",
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert json.loads(analyzed.stdout)["text"] == "کتاب‌ها را"


def test_analyze_joins_its_words_like_search() -> None:
    joined = json.loads(cli("analyze", "رئیس", "جمهوری", "--json").stdout)
    single = json.loads(cli("analyze", "رئیس جمهوری", "--json").stdout)
    assert joined == single and [t["text"] for t in joined["tokens"]] == ["رییس", "جمهوری"]
    dashed = cli("analyze", "--json", "--", "-کتاب")
    assert dashed.exit_code == 0 and json.loads(dashed.stdout)["text"] == "-کتاب"


def test_a_ripgrep_habit_is_a_usage_error_not_a_silent_not(news: Path) -> None:
    for habit in ("-l", "-w", "-C2"):
        result = cli("search", habit, "استقلال", "--index", str(news))
        assert result.exit_code == 2, habit
        assert f"No such option: {habit}" in one_error_line(result.stderr)
    assert search_json(news, "استقلال", "-پیروزی")["hits"]  # a Persian -word still excludes it


def test_help_shows_plain_metavars() -> None:
    for command in ("index", "update", "search", "analyze", "stats", "remove"):
        text = cli(command, "--help").stdout
        assert not re.search(r"\{|<int|int range|INTEGER", text), (command, text)
    assert "Usage: persearch search [OPTIONS] [QUERY...]" in cli("search", "--help").stdout  # optional with --filter
    assert "Usage: persearch index [OPTIONS] [PATH...]" in cli("index", "--help").stdout
    assert "-n, --limit N" in cli("search", "--help").stdout


def test_counts_accept_persian_digits(news: Path) -> None:
    assert len(search_json(news, "استقلال OR بانک", "-n", "۲")["hits"]) == 2


def test_rebuild_needs_no_path_but_index_does(news: Path, backend: str) -> None:
    missing = cli("index", "--index", str(news))
    assert missing.exit_code == 2 and "--rebuild" in one_error_line(missing.stderr)
    before = search_json(news, "استقلال")
    rebuilt = cli("index", "--rebuild", "--index", str(news), "--json")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["added"] == len(TEXTS)
    assert search_json(news, "استقلال")["hits"] == before["hits"]


def test_the_index_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    deep = project / "notes" / "2024"
    deep.mkdir(parents=True)
    (project / "notes" / "a.txt").write_text("یادداشت درباره کتابخانه", encoding="utf-8")
    monkeypatch.delenv("PERSEARCH_INDEX", raising=False)
    monkeypatch.chdir(project)
    assert cli("index", "notes").exit_code == 0
    monkeypatch.chdir(deep)
    found = cli("search", "کتابخانه", "--json")
    assert found.exit_code == 0, found.stderr
    assert names(json.loads(found.stdout)) == ["a.txt"]
    stats = dict(line.split("\t") for line in cli("stats").stdout.splitlines())
    assert stats["index"] == str(project / ".persearch")
    # Without an index anywhere above: one line saying where it looked.
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    monkeypatch.chdir(lonely)
    result = cli("search", "کتاب")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert f"looked for .persearch in {lonely} or any folder above it" in line and "persearch index PATH" in line


def test_shell_completion_is_offered() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PERSEARCH_INDEX"}
    shown = subprocess.run([str(EXE), "--show-completion", "bash"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and "_persearch_completion" in shown.stdout
    asked = subprocess.run([str(EXE)], capture_output=True, text=True,
                           env={**env, "_PERSEARCH_COMPLETE": "complete_bash", "COMP_WORDS": "persearch sea",
                                "COMP_CWORD": "1"})
    assert asked.returncode == 0 and asked.stdout.split() == ["search"]
    options = subprocess.run([str(EXE)], capture_output=True, text=True,
                             env={**env, "_PERSEARCH_COMPLETE": "complete_bash",
                                  "COMP_WORDS": "persearch search --fi", "COMP_CWORD": "2"})
    assert options.stdout.split() == ["--field", "--filter"]
    values = subprocess.run([str(EXE)], capture_output=True, text=True,
                            env={**env, "_PERSEARCH_COMPLETE": "complete_bash",
                                 "COMP_WORDS": "persearch search کتاب --field t", "COMP_CWORD": "4"})
    assert values.stdout.split() == ["title"]


def test_readme_library_example_runs_twice(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", readme, re.S).group(1)  # type: ignore[union-attr]
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
                              encoding="utf-8", timeout=120)
        assert done.returncode == 0, done.stderr
        assert "رییس" in done.stdout or "رئیس" in done.stdout


def test_an_index_named_by_the_environment_still_wins_over_discovery(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("گزارش سالانه", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli("index", "a.txt").exit_code == 0  # ./.persearch
    elsewhere = tmp_path / "other"
    result = proc("stats", cwd=tmp_path, env={"PERSEARCH_INDEX": str(elsewhere)})
    assert result.returncode == 1 and str(elsewhere) in one_error_line(result.stderr)


# -- highlights that show the match ---------------------------------------
PHRASES = {
    "long.txt": ("گزارش هفته\n" + "رئیس دولت امروز سخن گفت و جمهوری خواهان پاسخ دادند. " * 8
                 + f"در پایان رئیس{ZWNJ}جمهوری با خبرنگاران دیدار کرد."),
    "spaced.txt": "رئیس جمهوری ایران و رئیس مجلس دیدار کردند؛ جمهوری اسلامی بیانیه داد.",
    "title.txt": "رئیس جمهوری در سفر\nمتن این خبر درباره رئیس و درباره جمهوری است.",
}


@pytest.fixture(scope="module")
def phrases(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    return indexed(tmp_path_factory.mktemp("phrases"), PHRASES, backend)


def test_a_phrase_highlights_only_its_occurrences(phrases: Path) -> None:
    from persearch import Analyzer

    analyzer = Analyzer()
    for query in ('"رئیس جمهوری"', "«رئیس جمهوری»", f"رئیس{ZWNJ}جمهوری"):
        data = search_json(phrases, query)
        assert set(names(data)) == set(PHRASES), query
        for hit in data["hits"]:
            marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
            marked += [hit["title"][s:e] for s, e in hit["title_highlights"]]
            assert marked, (query, hit["path"])
            for text in marked:  # each mark is the whole phrase, never a lone word of it
                assert [t.text for t in analyzer.tokens(text) if t.length == 1] == ["رییس", "جمهوری"], (query, text)
            stored = Path(hit["path"]).read_text(encoding="utf-8")
            assert all(len(analyzer.terms(stored[s:e])) >= 2 for s, e in hit["matches"])


def test_the_snippet_prefers_the_phrase(phrases: Path) -> None:
    hit = next(h for h in search_json(phrases, '"رئیس جمهوری"')["hits"] if h["path"].endswith("long.txt"))
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == [f"رئیس{ZWNJ}جمهوری"]
    words = next(h for h in search_json(phrases, "رئیس جمهوری")["hits"] if h["path"].endswith("spaced.txt"))
    assert len(words["highlights"]) == 4  # as plain words, each one counts wherever it is


def test_a_sloppy_phrase_and_the_terminal_marks(phrases: Path) -> None:
    sloppy = search_json(phrases, '"رئیس ایران"~1')
    assert names(sloppy) == ["spaced.txt"]
    hit = sloppy["hits"][0]
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["رئیس", "ایران"]
    shown = cli("search", '"رئیس جمهوری"', "--index", str(phrases), "--no-color").stdout
    assert "[[رئیس جمهوری]] ایران" in shown and "[[رئیس]]" not in shown


# -- suggestions that are right -------------------------------------------
def test_a_neighbouring_key_wins_over_a_more_frequent_word(tmp_path: Path, backend: str) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(6):  # ترکیب (line-ups) in many documents, ترکیه (Turkey) in two
        (folder / f"lineup{i}.txt").write_text(f"ترکیب تیم ملی ایران برای بازی {i} اعلام شد", encoding="utf-8")
    for i in range(2):
        (folder / f"turkey{i}.txt").write_text(f"سفر وزیر ایران به ترکیه و دیدار {i}", encoding="utf-8")
    index = tmp_path / "index"
    assert cli("index", str(folder), "--index", str(index), "--backend", backend).exit_code == 0
    data = search_json(index, "ایران ترکیع")  # ع and ه are neighbours on the Persian keyboard
    assert data["suggestion"] == "ایران ترکیه"
    assert data["corrected"] is True and sorted(names(data)) == ["turkey0.txt", "turkey1.txt"]


@pytest.mark.parametrize("command", [("search", "کتاب"), ("stats",), ("doctor",), ("index", "DOCS")])
def test_an_index_option_inside_an_index_names_the_index_instead(tmp_path: Path, backend: str,
                                                                  command: tuple[str, ...]) -> None:
    """--index pointing into an index (its data folder, where the engine's files are) is the index
    meant: say so, and never create a second index among the first one's engine files."""
    docs = tmp_path / "اسناد"
    docs.mkdir()
    (docs / "یادداشت.txt").write_text("کتاب تازه‌ای درباره تاریخ ایران", encoding="utf-8")
    location = tmp_path / "نمایه"
    assert cli("index", str(docs), "--index", str(location), "--backend", backend).exit_code == 0
    data = location / json.loads((location / "persearch.json").read_text(encoding="utf-8"))["data"]
    before = sorted(p.name for p in data.iterdir())
    args = [str(docs) if word == "DOCS" else word for word in command]
    result = cli(*args, "--index", str(data))
    assert result.exit_code == 2, result.stdout
    assert one_error_line(result.stderr) == (f"persearch: error: {data} is inside the index at {location}: "
                                             f"give --index {location}")
    assert sorted(p.name for p in data.iterdir()) == before  # nothing created there
