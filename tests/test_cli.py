"""The command line: every command and error path through typer's CliRunner,
plus real subprocesses for exit codes, pipes, signals and JSON round trips.

Persian texts are the seeds and small files written here; every check looks
at what a user or a script would see (stdout, stderr, exit code).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from persearch.cli import output
from persearch.cli.app import app

ZWNJ = "\u200c"
ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "cli.md"
EXE = Path(sys.executable).with_name("persearch")
ANSI = re.compile(r"\x1b\[")
COMMANDS = ("index", "update", "search", "analyze", "stats", "remove")

TEXTS = {
    "a.txt": f"خبر نخست\nرئیس{ZWNJ}جمهوری امروز به کتابخانه رفت و کتاب{ZWNJ}ها را دید.\n",
    "b.txt": "خبر دوم\nرئیسجمهوری گفت که او میخواهد مساله را حل کند.\n",
    "c.md": "# درختان\n\nدر سال ۱۴۰۳ درختان بسیاری در تهران کاشته شد.\n",
}


def cli(*args: str, env: dict[str, str] | None = None):
    """Run a command in-process, stdout and stderr kept apart."""
    return CliRunner().invoke(app, list(args), env=env)


def proc(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script, as a user would (piped: no terminal)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("PERSEARCH_INDEX", "NO_COLOR", "PERSEARCH_BIDI")}
    full_env.update(env or {})
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, encoding="utf-8",
                          env=full_env, cwd=cwd, timeout=300)


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    record = {"id": "x1", "title": "عنوان", "text": "كتاب علي در کتابخانه"}
    (folder / "r.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def built(corpus: Path, tmp_path: Path, backend: str) -> Path:
    """An index of the small corpus, built through the command line (with each backend)."""
    location = tmp_path / "index"
    result = cli("index", str(corpus), "--index", str(location), "--json", "--backend", backend)
    assert result.exit_code == 0, result.stderr
    return location


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    location = tmp_path_factory.mktemp("seeds") / "index"
    done = proc("index", str(ROOT / "seeds"), "--index", str(location), "--backend", backend)
    assert done.returncode == 0, done.stderr
    return location


# -- version, help, usage errors -------------------------------------------
def test_version_in_process_and_fast_path() -> None:
    assert cli("--version").stdout.strip() == "persearch 0.1.0"
    done = proc("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, "persearch 0.1.0\n", "")


def test_no_arguments_shows_help_and_exits_2() -> None:
    result = cli()
    assert result.exit_code == 2
    assert "Commands:" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args, fragment", [
    (("search", "کتاب", "--bogus"), "No such option: --bogus"),
    (("search",), "Missing argument 'QUERY...'"),
    (("search", "کتاب", "--limit", "0"), "--limit"),
    (("search", "کتاب", "--page", "x"), "--page"),
    (("frobnicate",), "No such command 'frobnicate'"),
    (("index", "/no/such/folder"), "does not exist"),
    (("analyze", "کتاب", "--stemmer", "porter"), "unknown stemmer porter: use builtin, hazm, parsivar or none"),
    (("search", "کتاب", "--limit", "abc"), "--limit takes a whole number from 1 to 10000, not abc"),
    (("search", "کتاب", "--field", "author"), "unknown field author: use title or body"),
])
def test_usage_errors_are_one_line_and_exit_2(args: tuple[str, ...], fragment: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert line.startswith("persearch")
    assert fragment.lower() in line.lower()
    assert result.stdout == ""


def test_usage_error_in_a_real_process() -> None:
    done = proc("search", "کتاب", "--bogus")
    assert done.returncode == 2
    assert one_error_line(done.stderr) == (
        "persearch search: error: No such option: --bogus; see: persearch search --help")


def test_every_command_has_help_text() -> None:
    for command in COMMANDS:
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert f"Usage: persearch {command}" in result.stdout
        summary = [line for line in result.stdout.splitlines()[1:] if line.strip()][0]
        assert len(summary.strip()) > 10, command


def test_docs_describe_every_command_and_option() -> None:
    import typer.main

    docs = DOCS.read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert f"persearch {name}" in docs, name
        assert command.help, name
        for param in command.params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in docs, f"{name} {opt} missing from docs/cli.md"
    for code in ("`0`", "`1`", "`2`", "`130`"):
        assert code in docs
    for word in ("NO_COLOR", "TERM=dumb", "PERSEARCH_INDEX", "python-bidi", "[[", '"highlights"', '"matches"'):
        assert word in docs, word


# -- analyze (needs no index) ---------------------------------------------
def test_analyze_json_has_terms_offsets_and_positions() -> None:
    text = f"کِتاب{ZWNJ}هایشان را می خواهد"
    result = cli("analyze", text, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {"text": text, "tokens": [
        {"text": "کتاب", "start": 0, "end": 12, "position": 0},
        {"text": "میخواهد", "start": 16, "end": 24, "position": 2},
    ]}
    assert [text[t["start"]:t["end"]] for t in data["tokens"]] == [f"کِتاب{ZWNJ}هایشان", "می خواهد"]


def test_analyze_table_shows_the_surface_of_each_term() -> None:
    result = cli("analyze", f"رئیس{ZWNJ}جمهوری و مسئله")
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["position", "term", "start", "end", "surface"]
    assert rows[1:] == [
        ["0", "رییسجمهوری", "0", "11", f"رئیس{ZWNJ}جمهوری"],
        ["0", "رییس", "0", "4", "رئیس"],
        ["1", "جمهوری", "5", "11", "جمهوری"],
        ["3", "مسیله", "14", "19", "مسئله"],
        ["3", "مساله", "14", "19", "مسئله"],
    ]


def test_analyze_options_change_the_pipeline() -> None:
    text = "درختان را"
    stemmed = json.loads(cli("analyze", text, "--json").stdout)["tokens"]
    unstemmed = json.loads(cli("analyze", text, "--json", "--no-stem").stdout)["tokens"]
    named_none = json.loads(cli("analyze", text, "--json", "--stemmer", "none").stdout)["tokens"]
    kept = json.loads(cli("analyze", text, "--json", "--keep-stopwords").stdout)["tokens"]
    assert [t["text"] for t in stemmed] == ["درخت"]
    assert [t["text"] for t in unstemmed] == ["درختان"] == [t["text"] for t in named_none]
    assert [t["text"] for t in kept] == ["درخت", "را"]


def test_analyze_json_round_trip_in_a_real_process() -> None:
    text = "كتابهاي علي ۱۴۰۳"
    done = proc("analyze", text, "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert "\\u" not in done.stdout  # UTF-8, not ASCII-escaped
    data = json.loads(done.stdout)
    assert data["text"] == text
    assert [t["text"] for t in data["tokens"]] == ["کتاب", "علی", "1403"]


def test_broken_pipe_exits_quietly() -> None:
    text = " ".join(["کتاب‌های خوب"] * 3_000)
    child = subprocess.Popen([str(EXE), "analyze", text], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read(100)
    child.stdout.close()  # like `| head -c 100`
    stderr = child.stderr.read().decode("utf-8")
    assert child.wait(timeout=60) == 0
    assert stderr == ""


# -- index, update, stats, remove -----------------------------------------
def test_index_json_counts_then_update_finds_nothing_new(corpus: Path, tmp_path: Path, backend: str) -> None:
    location = tmp_path / "index"
    first = cli("index", str(corpus), "--index", str(location), "--json", "--backend", backend)
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout) == {"added": 4, "updated": 0, "removed": 0, "unchanged": 0, "failed": [],
                                        "documents": {"added": 4, "updated": 0, "removed": 0, "total": 4},
                                        "kept_as_text": []}
    (corpus / "a.txt").write_text("خبر نخست\nمتن تازه درباره باران.\n", encoding="utf-8")
    (corpus / "c.md").unlink()
    again = cli("update", "--index", str(location), "--json")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout) == {"added": 0, "updated": 1, "removed": 1, "unchanged": 2, "failed": [],
                                        "documents": {"added": 0, "updated": 1, "removed": 1, "total": 3},
                                        "kept_as_text": []}


def test_index_summary_and_failures_as_lines(corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
    result = cli("index", str(corpus), "--index", str(tmp_path / "index"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("files: added 4 · updated 0 · removed 0 · unchanged 0 · failed 1; "
                             "documents: added 4 · updated 0 · removed 0 · total 4\n")
    line = one_error_line(result.stderr)
    assert line.startswith("persearch: skipped ") and "broken.txt" in line


def test_field_options_stay_with_the_path_they_were_given_for(tmp_path: Path) -> None:
    poems, news = tmp_path / "poems", tmp_path / "news"
    for folder, record in ((poems, {"id": "p1", "body": "دیوان حافظ"}), (news, {"id": "n1", "text": "خبر تازه"})):
        folder.mkdir()
        (folder / "r.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    location = str(tmp_path / "index")
    assert cli("index", str(poems), "--index", location, "--text-field", "body").exit_code == 0
    assert cli("index", str(news), "--index", location).exit_code == 0  # no flags: news/ gets the defaults
    (poems / "r.jsonl").write_text(json.dumps({"id": "p1", "body": "دیوان سعدی"}, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    os.utime(poems / "r.jsonl", ns=(0, (poems / "r.jsonl").stat().st_mtime_ns + 2_000_000_000))
    updated = json.loads(cli("update", "--index", location, "--json").stdout)
    assert (updated["updated"], updated["failed"]) == (1, [])
    assert json.loads(cli("search", "سعدی", "--index", location, "--json").stdout)["total"] == 1


def test_update_with_a_root_gone_keeps_its_documents_and_exits_1(built: Path, corpus: Path) -> None:
    corpus.rename(corpus.with_name("away"))
    result = cli("update", "--index", str(built))
    assert result.exit_code == 1
    assert "removed 0" in result.stdout and "its 4 indexed file(s) are kept" in one_error_line(result.stderr)
    assert json.loads(cli("search", "علی", "--index", str(built), "--json").stdout)["total"] == 1
    corpus.with_name("away").rename(corpus)
    assert cli("update", "--index", str(built)).exit_code == 0


def test_a_named_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    result = proc("index", str(tmp_path / "pipe.txt"), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    assert one_error_line(result.stderr).endswith("pipe.txt: not a regular file")


def test_index_refuses_an_unreadable_path(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, where chmod 000 still reads: make the check see a denial.
    target = corpus / "a.txt"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target else real_access(p, mode))
    result = cli("index", str(target), "--index", str(tmp_path / "index"))
    assert result.exit_code == 1
    assert "permission denied" in one_error_line(result.stderr) and "a.txt" in result.stderr


def test_an_index_of_an_older_schema_is_rebuilt_with_rebuild(built: Path, corpus: Path, backend: str) -> None:
    meta_path = built / "persearch.json"
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), "schema_version": 1}))
    refused = cli("search", "علی", "--index", str(built))
    assert refused.exit_code == 1
    assert one_error_line(refused.stderr).endswith(f"rebuild it: persearch index PATH --index {built} --rebuild")
    other = corpus.parent / "other"
    other.mkdir()
    (other / "e.txt").write_text("باران بهاری در شیراز", encoding="utf-8")
    rebuilt = cli("index", str(other), "--index", str(built), "--rebuild", "--json")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    # The recorded root (corpus) is indexed again beside the one named now.
    found = json.loads(cli("search", "علی", "--index", str(built), "--json").stdout)
    assert found["total"] == 1
    assert json.loads(cli("search", "باران", "--index", str(built), "--json").stdout)["total"] == 1
    from persearch import Index

    with Index.open(built) as ix:
        assert ix.backend_name == backend  # the old index's backend, not the default


def test_index_backend_is_recorded_and_only_chosen_at_creation(built: Path, corpus: Path, backend: str) -> None:
    from persearch import Index

    with Index.open(built) as ix:
        assert ix.backend_name == backend
    other = "whoosh" if backend == "tantivy" else "tantivy"
    pytest.importorskip("tantivy")
    refused = cli("index", str(corpus), "--index", str(built), "--backend", other)
    assert refused.exit_code == 2
    assert one_error_line(refused.stderr).endswith(f"uses the {backend} backend; --backend chooses the engine of "
                                                   f"a new index (add --rebuild to move it to {other})")
    moved = cli("index", str(corpus), "--index", str(built), "--backend", other, "--rebuild", "--json")
    assert moved.exit_code == 0, moved.stderr
    assert json.loads(moved.stdout)["added"] == 4
    with Index.open(built) as ix:
        assert ix.backend_name == other and len(ix) == 4
    assert json.loads(cli("search", "علی", "--index", str(built), "--json").stdout)["total"] == 1
    bad = cli("index", str(corpus), "--index", str(built), "--backend", "lucene")
    assert bad.exit_code == 2 and "unknown backend lucene: use whoosh or tantivy" in one_error_line(bad.stderr)


def test_stats_json_and_table(built: Path, backend: str) -> None:
    result = cli("stats", "--index", str(built), "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    extra = {"nodes"} if backend == "sphinx" else set()  # a sphinx index also shows its nodes
    assert set(stats) == {"documents", "terms", "size_bytes", "roots", "updated_at", "analyzer", *extra}
    if extra:
        assert sum(node["documents"] for node in stats["nodes"]) == 4
        assert all(node["answering"] for node in stats["nodes"]) and len(stats["nodes"]) == 2
    assert stats["documents"] == 4 and stats["terms"] > 10 and stats["size_bytes"] > 0
    table = cli("stats", "--index", str(built)).stdout
    assert re.search(r"^documents\t4$", table, re.M)


def test_remove_by_id_and_by_path(built: Path, corpus: Path) -> None:
    result = cli("remove", str(corpus / "a.txt"), "--index", str(built))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "removed 1\n"
    hits = json.loads(cli("search", "امروز", "--index", str(built), "--json").stdout)["hits"]
    assert hits == []
    by_id = cli("remove", f"{corpus / 'r.jsonl'}#x1", "--index", str(built), "--json")
    assert json.loads(by_id.stdout) == {"added": 0, "updated": 0, "removed": 1, "unchanged": 0, "failed": [],
                                        "documents": {"added": 0, "updated": 0, "removed": 1, "total": 2},
                                        "kept_as_text": []}
    assert json.loads(cli("stats", "--index", str(built), "--json").stdout)["documents"] == 2
    unknown = cli("remove", "/no/such/file.txt", "--index", str(built))
    assert unknown.exit_code == 1 and unknown.stdout == "removed 0\n"
    assert one_error_line(unknown.stderr) == "persearch: not removed /no/such/file.txt: not in the index"


def test_missing_index_is_one_line_with_the_command_to_run(tmp_path: Path) -> None:
    for args in (("search", "کتاب"), ("stats",), ("update",), ("remove", "x")):
        result = cli(*args, "--index", str(tmp_path / "nothing"))
        assert result.exit_code == 1
        line = one_error_line(result.stderr)
        assert line == f"persearch: error: no index at {tmp_path / 'nothing'}; run: persearch index PATH --index {tmp_path / 'nothing'}"
        assert not (tmp_path / "nothing").exists()


def test_index_location_from_environment_then_current_folder(corpus: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("index", str(corpus)).exit_code == 0
    assert (tmp_path / ".persearch").is_dir()
    found = cli("search", "کتاب", "--json")
    assert found.exit_code == 0 and json.loads(found.stdout)["total"] >= 2
    elsewhere = tmp_path / "env-index"
    env_result = cli("index", str(corpus / "b.txt"), "--json", env={"PERSEARCH_INDEX": str(elsewhere)})
    assert env_result.exit_code == 0 and elsewhere.is_dir()
    only_b = json.loads(cli("search", "مسئله", "--json", env={"PERSEARCH_INDEX": str(elsewhere)}).stdout)
    assert [Path(h["path"]).name for h in only_b["hits"]] == ["b.txt"]
    # --index wins over the environment
    flag = json.loads(cli("stats", "--json", "--index", str(tmp_path / ".persearch"),
                          env={"PERSEARCH_INDEX": str(elsewhere)}).stdout)
    assert flag["documents"] == 4


# -- search ---------------------------------------------------------------
def test_search_json_shape_and_offsets(built: Path) -> None:
    result = cli("search", "رئیس جمهوری", "--index", str(built), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "page", "suggestion", "corrected", "message", "hits"}
    assert data["suggestion"] is None and data["corrected"] is False and data["message"] is None
    assert data["query"] == "رئیس جمهوری" and data["page"] == 1 and data["total"] == 2
    assert {Path(h["path"]).name for h in data["hits"]} == {"a.txt", "b.txt"}
    for rank, hit in enumerate(data["hits"], 1):
        assert set(hit) == {"rank", "id", "path", "title", "score", "snippet", "highlights", "matches",
                            "title_highlights", "fields"}
        assert hit["rank"] == rank and hit["score"] > 0
        marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
        assert marked and all("رئیس" in w or "جمهوری" in w for w in marked), marked
        stored = (built.parent / "docs" / Path(hit["path"]).name).read_text(encoding="utf-8")
        assert [stored[s:e] for s, e in hit["matches"]][: len(marked)] == marked


def test_search_record_id_and_arabic_letters(built: Path) -> None:
    data = json.loads(cli("search", "علی", "--index", str(built), "--json").stdout)
    assert [h["id"].rsplit("#", 1)[1] for h in data["hits"]] == ["x1"]
    assert data["hits"][0]["path"].endswith("r.jsonl")
    assert [data["hits"][0]["snippet"][s:e] for s, e in data["hits"][0]["highlights"]] == ["علي"]


def test_search_plain_output_marks_highlights(built: Path) -> None:
    result = cli("search", "کتاب", "--index", str(built))
    assert result.exit_code == 0
    assert not ANSI.search(result.stdout)
    assert f"[[کتاب{ZWNJ}ها]]" in result.stdout
    assert result.stdout.startswith("1. ")
    assert re.search(r"^\d+ hits? · page 1 · \d+ ms$", result.stderr, re.M)


def test_search_zero_hits_is_success(built: Path) -> None:
    result = cli("search", "زرافه", "--index", str(built), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["total"], data["hits"]) == (0, [])


@pytest.mark.parametrize("query", ['"رئیس جمهوری', "(کتاب OR", "OR", "از و به", "NOT", "کتاب" * 3000])
def test_malformed_queries_never_fail(built: Path, query: str) -> None:
    result = cli("search", query, "--index", str(built), "--json")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert isinstance(json.loads(result.stdout)["hits"], list)


def test_search_message_goes_to_stderr(built: Path) -> None:
    result = cli("search", "OR", "--index", str(built))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "dropped a lone OR; the query has no searchable words"
    assert re.fullmatch(r"0 hits · page 1 · \d+ ms", result.stderr.splitlines()[1])
    repaired = cli("search", '"رئیس جمهوری', "--index", str(built))
    assert repaired.stderr.splitlines()[0] == 'ignored an unmatched "'
    assert "[[رئیسجمهوری]]" in repaired.stdout


def test_search_words_and_a_leading_minus(built: Path) -> None:
    joined = json.loads(cli("search", "رئیس", "جمهوری", "--index", str(built), "--json").stdout)
    assert joined["query"] == "رئیس جمهوری" and joined["total"] == 2
    negated = cli("search", "کتاب", "-امروز", "--index", str(built), "--json")
    assert negated.exit_code == 0, negated.stderr
    assert [Path(h["path"]).name for h in json.loads(negated.stdout)["hits"]] == ["r.jsonl"]
    leading = cli("search", "-امروز", "کتاب", "--index", str(built), "--json")
    assert json.loads(leading.stdout)["hits"] == json.loads(negated.stdout)["hits"]


def test_search_field_limit_and_pages(built: Path) -> None:
    first_run = cli("search", "کتاب OR مسئله OR درخت", "--index", str(built), "-n", "2", "--json")
    assert first_run.exit_code == 0, first_run.stderr
    first = json.loads(first_run.stdout)
    second = json.loads(cli("search", "کتاب OR مسئله OR درخت", "--index", str(built), "-n", "2", "--page", "2",
                            "--json").stdout)
    assert len(first["hits"]) == 2 and second["page"] == 2
    assert {h["id"] for h in first["hits"]}.isdisjoint(h["id"] for h in second["hits"])
    titled = json.loads(cli("search", "درختان", "--field", "title", "--index", str(built), "--json").stdout)
    assert [Path(h["path"]).name for h in titled["hits"]] == ["c.md"]
    bad = cli("search", "کتاب", "--field", "author", "--index", str(built))
    assert bad.exit_code == 2 and "author" in one_error_line(bad.stderr)


def test_search_json_round_trip_in_a_real_process(seeds_index: Path) -> None:
    done = proc("search", "رئیس‌جمهوری روحانی", "--index", str(seeds_index), "--json")
    assert done.returncode == 0, done.stderr
    assert "\\u06" not in done.stdout and not ANSI.search(done.stdout)
    data = json.loads(done.stdout)
    assert data["total"] == 2 and len(data["hits"]) == 2
    for hit in data["hits"]:
        stored = Path(hit["path"]).read_text(encoding="utf-8")
        assert all(stored[s:e] for s, e in hit["matches"])
        words = [hit["snippet"][s:e] for s, e in hit["highlights"]]
        assert any("روحانی" in w for w in words), words


def test_piped_search_has_markers_and_no_colour_even_when_forced(seeds_index: Path) -> None:
    for env in ({}, {"TERM": "xterm-256color", "FORCE_COLOR": "1"}):
        done = proc("search", "داعش", "--index", str(seeds_index), env=env)
        assert done.returncode == 0, done.stderr
        assert not ANSI.search(done.stdout)
        assert "[[داعش]]" in done.stdout
        assert re.search(r"^2 hits · page 1 · \d+ ms$", done.stderr, re.M)


def test_bidi_reorders_lines_for_display(seeds_index: Path) -> None:
    logical = proc("search", "داعش", "--index", str(seeds_index)).stdout
    visual = proc("search", "داعش", "--index", str(seeds_index), "--bidi").stdout
    assert "[[داعش]]" in logical and "[[شعاد]]" in visual  # reversed, markers still around the word
    auto = proc("search", "داعش", "--index", str(seeds_index), env={"PERSEARCH_BIDI": "1"}).stdout
    assert auto == visual


def test_search_json_never_loads_rich(seeds_index: Path) -> None:
    code = ("import sys\nfrom persearch.cli import main\n"
            f"try:\n    main(['search', 'داعش', '--index', {str(seeds_index)!r}, '--json'])\n"
            "except SystemExit:\n    pass\n"
            "print('rich' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    assert done.stderr.strip().splitlines()[-1] == "False"
    assert json.loads(done.stdout)["total"] == 2


def test_importing_the_cli_loads_nothing_heavy() -> None:
    code = ("import sys, persearch.cli\n"
            "print(sorted(m for m in ('typer', 'rich', 'whoosh', 'bidi') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_during_indexing_keeps_the_committed_index(tmp_path: Path, workers: str, news_corpus: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    with gzip.open(news_corpus, "rt", encoding="utf-8") as lines:
        for number, line in zip(range(1500), lines):
            record = json.loads(line)
            (folder / f"{number:05d}.txt").write_text(f"{record['title']}\n{record['text']}", encoding="utf-8")
    location = tmp_path / "index"
    # Small chunks (a public class setting) so that several commits happen within a second or two.
    code = ("import sys\nfrom persearch.index import Index\n"
            "Index.chunk_bytes = 256 * 1024\nIndex.parallel_min_bytes = 0\n"
            "from persearch.cli import main\nmain(sys.argv[1:])")
    env = {k: v for k, v in os.environ.items() if k != "PERSEARCH_INDEX"}
    child = subprocess.Popen([sys.executable, "-c", code, "index", str(folder), "--index", str(location),
                              "--workers", workers], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        stats = proc("stats", "--index", str(location), "--json")
        if stats.returncode == 0 and json.loads(stats.stdout)["documents"] > 0:
            break  # a chunk is committed: interrupt now, like Ctrl-C in a terminal (the whole group)
        time.sleep(0.1)
    if child.poll() is not None:
        pytest.fail(f"indexing ended (exit {child.returncode}) before it could be interrupted")
    os.killpg(child.pid, signal.SIGINT)
    stdout, stderr = (s.decode("utf-8") for s in child.communicate(timeout=120))
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "interrupted" in one_error_line(stderr)
    assert stdout == ""
    after = proc("stats", "--index", str(location), "--json")
    assert after.returncode == 0, after.stderr
    assert 0 < json.loads(after.stdout)["documents"] < 1500
    found = proc("search", "ایران", "--index", str(location), "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] > 0
    finish = proc("update", "--index", str(location), "--json")
    assert finish.returncode == 0, finish.stderr
    assert json.loads(proc("stats", "--index", str(location), "--json").stdout)["documents"] == 1500


# -- output module --------------------------------------------------------
class _Tty:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert output.color_enabled(_Tty(True)) is True
    assert output.color_enabled(_Tty(False)) is False
    assert output.color_enabled(_Tty(True), no_color=True) is False
    assert output.color_enabled(_Tty(True), as_json=True) is False
    monkeypatch.setenv("TERM", "dumb")
    assert output.color_enabled(_Tty(True)) is False
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "1")
    assert output.color_enabled(_Tty(True)) is False


def test_colour_output_styles_the_highlighted_word() -> None:
    import io

    stream = io.StringIO()
    con = output.console(stream, color=True)
    (line, spans), = output.marked_lines(f"او کتاب{ZWNJ}ها را خواند", [(3, 10)])
    con.print(output.rich_line(line, spans))
    shown = stream.getvalue()
    assert ANSI.search(shown) and "[[" not in shown
    assert re.sub(r"\x1b\[[0-9;]*m", "", shown) == f"او کتاب{ZWNJ}ها را خواند\n"
    before_word = shown.split(f"کتاب{ZWNJ}ها")[0]
    assert before_word.endswith("m")  # a style starts right before the word


def test_plain_markers_and_line_breaks() -> None:
    (line, spans), = output.marked_lines("رئیس\nجمهوری گفت", [(0, 4), (5, 11)])
    assert output.plain(line, spans) == "[[رئیس]] [[جمهوری]] گفت"


def test_bidi_keeps_marks_on_their_letters_and_mirrors_brackets() -> None:
    (line, spans), = output.marked_lines("او کِتاب (نو) خرید", [(3, 8)], bidi=True)
    assert line == "دیرخ (ون) باتکِ وا"
    assert line[spans[0][0]:spans[0][1]] == "باتکِ"


def test_bidi_highlight_cut_by_a_line_end_continues() -> None:
    lines = output.marked_lines("الف ب رئیس جمهوری اسلامی", [(6, 17)], columns=10)
    assert [output.plain(*pair) for pair in lines] == ["الف ب [[رئیس]]", "[[جمهوری]]", "اسلامی"]


words = st.text(alphabet="ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهیًٌٍَُِّ" + ZWNJ, min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=30), st.integers(min_value=10, max_value=60))
def test_wrapping_never_breaks_a_word(word_list: list[str], columns: int) -> None:
    text = " ".join(word_list)
    lines = output.wrap(text, columns)
    assert " ".join(lines) == text
    assert [w for line in lines for w in line.split(" ")] == word_list
    for line in lines:
        assert output.width(line) <= columns or " " not in line


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=20), st.data())
def test_marked_lines_keep_every_character_and_highlight(word_list: list[str], data: st.DataObject) -> None:
    text = " ".join(word_list)
    starts = [0] + [m.end() for m in re.finditer(" ", text)]
    chosen = data.draw(st.sets(st.sampled_from(range(len(word_list)))))
    spans = [(starts[i], starts[i] + len(word_list[i])) for i in sorted(chosen)]
    lines = output.marked_lines(text, spans, columns=data.draw(st.integers(10, 40)))
    assert " ".join(line for line, _ in lines) == text
    marked = [line[s:e] for line, line_spans in lines for s, e in line_spans]
    assert marked == [word_list[i] for i in sorted(chosen)]


# -- sizes -----------------------------------------------------------------
def test_max_size_takes_units_and_the_refusal_names_it(tmp_path: Path) -> None:
    big = tmp_path / "بزرگ.txt"
    big.write_text("خبر بلند\n" + "کتاب‌های تازه در کتابخانه " * 3000, encoding="utf-8")  # about 130 KB
    location = str(tmp_path / "index")
    refused = cli("index", str(big), "--index", location, "--max-size", "100K")
    assert refused.exit_code == 1
    line = one_error_line(refused.stderr)
    assert "over the 100K limit" in line and "--max-size 1" in line
    suggested = line.rsplit("--max-size ", 1)[1]
    allowed = cli("index", str(big), "--index", location, "--max-size", suggested, "--json")
    assert allowed.exit_code == 0, allowed.stderr
    assert json.loads(allowed.stdout)["added"] == 1
    # Recorded for the path: an update reads it with the same limit.
    assert json.loads(cli("update", "--index", location, "--json").stdout)["unchanged"] == 1
    for bad in ("10Q", "-5", "M"):
        wrong = cli("index", str(big), "--index", location, "--max-size", bad)
        assert wrong.exit_code == 2 and "--max-size" in one_error_line(wrong.stderr), bad


# -- what a named path gives, interrupts, progress ----------------------------
def test_records_without_the_text_field_are_one_line_and_exit_1(tmp_path: Path) -> None:
    folder = tmp_path / "خبرها"
    folder.mkdir()
    rows = [{"headline": f"تیتر {i}", "body": "متن خبر", "tags": ["ورزش"], "year": 1402} for i in range(100)]
    (folder / "news.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                       encoding="utf-8")
    location = str(tmp_path / "index")
    named = cli("index", str(folder / "news.jsonl"), "--index", location)
    assert named.exit_code == 1 and named.stdout.startswith("files: added 0 ")
    line = one_error_line(named.stderr)
    assert line.startswith(f"persearch: skipped {folder / 'news.jsonl'}: its records have no 'text' or 'title'")
    assert "headline" in line and "--text-field" in line
    in_folder = cli("index", str(folder), "--index", location)
    assert in_folder.exit_code == 1
    lines = [ln for ln in in_folder.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2 and lines[1] == f"persearch: skipped {folder}: nothing indexed: no document could be " \
                                           f"read from its files"
    fixed = cli("index", str(folder), "--index", location, "--text-field", "body", "--title-field", "headline",
                "--json")
    assert fixed.exit_code == 0 and json.loads(fixed.stdout)["documents"]["added"] == 100


def test_a_folder_with_nothing_to_index_says_so(tmp_path: Path) -> None:
    empty, pictures = tmp_path / "empty", tmp_path / "pictures"
    empty.mkdir()
    pictures.mkdir()
    (pictures / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    for folder in (empty, pictures):
        result = cli("index", str(folder), "--index", str(tmp_path / "index"))
        assert result.exit_code == 1
        assert one_error_line(result.stderr).startswith(f"persearch: skipped {folder}: nothing to index: no files "
                                                        f"persearch reads in it (.csv, .htm, .html, .json")


def test_a_named_file_that_cannot_be_indexed_does_not_poison_update(tmp_path: Path, corpus: Path) -> None:
    location = str(tmp_path / "index")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00" * 40)
    for bad in (str(binary), "/dev/null"):
        result = cli("index", str(corpus), bad, "--index", location)
        assert result.exit_code == 1 and bad in one_error_line(result.stderr)
        again = cli("update", "--index", location)
        assert again.exit_code == 0 and again.stderr == ""
        removed = cli("remove", bad, "--index", location)
        assert removed.exit_code == 1
        assert one_error_line(removed.stderr) == f"persearch: not removed {bad}: not in the index"


def test_failure_lines_show_paths_as_typed(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
    monkeypatch.chdir(corpus.parent)
    result = cli("index", "docs", "--index", "index")
    assert result.exit_code == 0
    assert one_error_line(result.stderr) == "persearch: skipped docs/broken.txt: binary content"


def test_sigterm_stops_indexing_like_ctrl_c_and_says_how_far_it_got(tmp_path: Path) -> None:
    rows = [{"id": f"n{i}", "title": f"خبر {i}", "text": f"گزارش شماره {i} درباره کتابخانه‌های شیراز. " * 30}
            for i in range(3000)]
    data = tmp_path / "news.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    location = tmp_path / "index"
    code = ("import sys\nfrom persearch.index import Index\nIndex.chunk_documents = 500\n"
            "from persearch.cli import main\nmain(sys.argv[1:])")
    child = subprocess.Popen([sys.executable, "-c", code, "index", str(data), "--index", str(location)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        stats = proc("stats", "--index", str(location), "--json")
        if stats.returncode == 0 and json.loads(stats.stdout)["documents"] > 0:
            break  # the first interval is committed
        time.sleep(0.05)
    if child.poll() is not None:
        pytest.fail(f"indexing ended (exit {child.returncode}) before it could be stopped")
    child.send_signal(signal.SIGTERM)
    stdout, stderr = (s.decode("utf-8") for s in child.communicate(timeout=120))
    assert child.returncode == 130 and stdout == "", stderr
    line = one_error_line(stderr)
    kept = json.loads(proc("stats", "--index", str(location), "--json").stdout)["documents"]
    assert 500 <= kept < 3000
    assert re.fullmatch(rf"persearch: interrupted after 0 of 1 files to read; the index keeps every document "
                        rf"committed before it \({kept} documents now\); run the same command again to finish", line)
    finish = proc("index", str(data), "--index", str(location), "--json")
    assert finish.returncode == 0, finish.stderr
    assert json.loads(finish.stdout)["documents"] == {"added": 3000 - kept, "updated": 0, "removed": 0,
                                                      "total": 3000}


def test_the_progress_bar_counts_bytes_documents_and_time_left() -> None:
    import io

    from persearch.index.commit import ProgressState

    bar = output.ProgressBar(io.StringIO())
    with bar:
        bar.update(0, 1, "/x/news.jsonl", state=ProgressState(files_done=0, files_total=1, bytes_done=6_600_000,
                                                              bytes_total=13_200_000, documents=2000,
                                                              path="/x/news.jsonl", records=2000))
        task = bar._progress.tasks[0]
        assert (task.completed, task.total) == (6_600_000, 13_200_000)
        line = task.fields["line"]
        assert line.startswith(" 50% 6.6/13.2 MB · 2000 docs, ") and "0/1 files · ETA 0:00:" in line
        assert line.endswith("news.jsonl")
