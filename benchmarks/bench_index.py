"""Indexing speed: persearch (Whoosh, tantivy, sphinx backends) vs raw Whoosh and raw tantivy, same files, same run.

    python benchmarks/bench_index.py ../shared/data/news.jsonl.gz ../shared/data/poetry.jsonl.gz --limit 8000
    python benchmarks/bench_index.py ../shared/data/news.jsonl.gz --records     # one JSONL file, CLI peak RSS

Each corpus (JSONL, gzipped or not, ``{"id", "title", "text"}``) is written
out as one ``.txt`` file per document (title line, blank line, text) in a
temporary folder, so every system reads the same files. Each measurement runs
in a fresh child process (so peak RSS is its own); the table shows the median
of ``--repeat`` runs:

- raw Whoosh: read each file, title = first line, StandardAnalyzer, text stored;
- raw tantivy: the same, with tantivy's default tokenizer (one indexing thread);
- persearch full build with 1 and 2 worker processes (``add_paths(workers=N)``),
  on the Whoosh backend and on the tantivy backend (``--no-tantivy`` skips these);
- persearch full build on the sphinx backend, 1 and 2 worker processes, into
  one local searchd node and into two (``benchmarks/sphinx_nodes.py``; left
  out without searchd or the sphinx extra, or with ``--no-sphinx``);
- the floor: the documents analyzed beforehand (not timed), then only the
  writing, by Whoosh's own writer fed pre-made tokens and by persearch's
  column writer (``persearch/backends/whoosh_writer.py``) fed the columns;
- no-change ``update()`` and an update after 1 % of the files changed;
- ``--records``: the corpus as one JSONL file, as a user indexes it with the
  command line: the build with the default commit intervals against one
  commit at the end (the cost of committing at intervals), an update after
  one record was appended against the full build, and the peak RSS of whole
  ``persearch index`` processes for the file and for a file ``--scale`` times
  larger (the same records with new ids), on each backend.

Beside the wall-clock seconds each row gives the CPU seconds of its
processes (start-up and, for the floor rows, the untimed analysis included):
on a busy machine they say more about one-process runs than the clock does.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def materialize(corpus: str, limit: int | None, dest: Path) -> tuple[int, int]:
    """Write the corpus as .txt files; return (documents, bytes)."""
    opener = gzip.open if corpus.endswith(".gz") else open
    count = size = 0
    with opener(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and count >= limit:
                break
            rec = json.loads(line)
            folder = dest / f"{count // 500:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            data = f"{rec.get('title') or ''}\n\n{rec.get('text') or ''}\n".encode("utf-8")
            (folder / f"{count:06d}.txt").write_bytes(data)
            count += 1
            size += len(data)
    return count, size


def child(task: dict) -> dict:
    """One measurement, in its own process."""
    corpus, index_dir = Path(task["corpus"]), Path(task["index"])
    kind = task["kind"]
    if kind == "whoosh":
        from whoosh import fields, index
        from whoosh.analysis import StandardAnalyzer

        ana = StandardAnalyzer()
        schema = fields.Schema(id=fields.ID(stored=True, unique=True), title=fields.TEXT(analyzer=ana, stored=True),
                               body=fields.TEXT(analyzer=ana), text=fields.STORED)
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        start = time.perf_counter()
        ix = index.create_in(str(index_dir), schema)
        writer = ix.writer(limitmb=96)
        for path in sorted(corpus.rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            writer.add_document(id=str(path), title=title, body=text, text=text)
        writer.commit()
        seconds = time.perf_counter() - start
    elif kind in ("floor-whoosh", "floor-columns"):
        # The writers alone: every document analyzed by persearch beforehand (not timed), then
        # Whoosh's own writer replaying Token objects (what a custom Whoosh analyzer feeds it), or
        # persearch's column writer taking the columns.
        from persearch.analysis import Analyzer
        from persearch.backends.base import Document
        from persearch.backends.whoosh_backend import WhooshBackend, document_fields
        from persearch.backends.whoosh_writer import ColumnSegmentWriter
        from whoosh.writing import SegmentWriter

        analyzer = Analyzer()
        docs = []
        for path in sorted(corpus.rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            docs.append(document_fields(Document(id=str(path), text=text, title=title, path=str(path)), analyzer, {}))
        shutil.rmtree(index_dir, ignore_errors=True)
        backend = WhooshBackend.create(index_dir, analyzer)
        gc.freeze()  # the pre-made tokens are millions of live objects: keep the collector off them
        start = time.perf_counter()
        if kind == "floor-whoosh":
            writer = SegmentWriter(backend._ix, limitmb=96, compound=False)
            replay = writer.schema["body"].analyzer
            for fields, texts in docs:
                replay._remembered = {id(fields[name]): (fields[name], texts[name]) for name in texts}
                writer.add_document(**fields)
        else:
            writer = ColumnSegmentWriter(backend._ix, limitmb=96, compound=False)
            for fields, texts in docs:
                writer.add_analyzed(fields, texts)
        writer.commit()
        seconds = time.perf_counter() - start
    elif kind == "tantivy":
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True)
        sb.add_text_field("body", stored=False)
        sb.add_text_field("text", stored=True, index_option="basic")  # tantivy cannot store without indexing text
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        start = time.perf_counter()
        ix = tantivy.Index(sb.build(), str(index_dir))
        writer = ix.writer(128_000_000, 1)
        for path in sorted(corpus.rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            writer.add_document(tantivy.Document(id=str(path), title=title, body=text, text=text))
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - start
    elif kind == "cli":  # a whole command, as a user runs it; its own process, so its own peak RSS
        from persearch.cli import main

        shutil.rmtree(index_dir, ignore_errors=True)
        start = time.perf_counter()
        try:
            main(["index", str(corpus), "--index", str(index_dir), "--backend", task["backend"], "--json"])
        except SystemExit as done:
            assert not done.code, done.code
        seconds = time.perf_counter() - start
    elif kind in ("records", "append"):
        from persearch import Index

        if kind == "records":
            shutil.rmtree(index_dir, ignore_errors=True)
            start = time.perf_counter()
            with Index.create(index_dir, backend=task["backend"]) as ix:
                if task.get("one_commit"):  # no interval: one commit at the end, as before intervals
                    ix.chunk_bytes = ix.chunk_files = ix.chunk_documents = 1 << 60
                    ix.chunk_seconds = float("inf")
                report = ix.add_paths([corpus])
        else:
            with open(corpus, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"id": f"appended-{time.time_ns()}", "title": "خبر افزوده",
                                     "text": "متن تازه‌ای درباره کتابخانه‌های شیراز"}, ensure_ascii=False) + "\n")
            start = time.perf_counter()
            with Index.open(index_dir) as ix:
                report = ix.update()
            assert report.documents_added == 1 and not report.documents_updated, report
        seconds = time.perf_counter() - start
        assert not report.failed, report.failed[:3]
    else:
        from persearch import Index

        if kind == "full":
            shutil.rmtree(index_dir, ignore_errors=True)
            start = time.perf_counter()
            engine = {"nodes": task["nodes"]} if task.get("nodes") else {}
            with Index.create(index_dir, backend=task.get("backend", "whoosh"), **engine) as ix:
                if task.get("one_commit"):  # no interval: one commit at the end, as before intervals
                    ix.chunk_bytes = ix.chunk_files = ix.chunk_documents = 1 << 60
                    ix.chunk_seconds = float("inf")
                report = ix.add_paths([corpus], workers=task["workers"])
        else:
            if kind == "change":  # touch 1 % of the files, a different slice each repeat
                files = sorted(corpus.rglob("*.txt"))
                step = 100
                for path in files[task["repeat"] % step::step]:
                    with open(path, "a", encoding="utf-8") as fh:
                        fh.write(f"ویرایش {time.time_ns()}\n")
            start = time.perf_counter()
            with Index.open(index_dir) as ix:
                report = ix.update(workers=task["workers"])
        seconds = time.perf_counter() - start
        assert not report.failed, report.failed[:3]
    return {"seconds": seconds, "rss": _maxrss_mb(resource.RUSAGE_SELF),
            "rss_children": _maxrss_mb(resource.RUSAGE_CHILDREN)}


def _cpu_seconds() -> float:
    """User + system time of the finished child processes (a measurement and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(task: dict) -> dict:
    if task.get("nodes"):  # runs must not pile documents on each other's nodes
        from sphinx_nodes import empty

        empty(task["nodes"])
    before = _cpu_seconds()
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(task)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"child {task['kind']} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["cpu"] = _cpu_seconds() - before  # the whole child: start-up and preparation included
    return result


def bench(corpus: str, limit: int | None, repeat: int, with_tantivy: bool = True, with_sphinx: bool = True) -> None:
    from sphinx_nodes import local_clusters

    tmp = Path(tempfile.mkdtemp(prefix="persearch-bench-"))
    try:
        with local_clusters(tmp) if with_sphinx else contextlib.nullcontext({}) as clusters:
            _bench(corpus, limit, repeat, tmp, with_tantivy, clusters)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _bench(corpus: str, limit: int | None, repeat: int, tmp: Path, with_tantivy: bool,
           clusters: dict[int, str]) -> None:
    files = tmp / "files"
    docs, size = materialize(corpus, limit, files)
    mb = size / 1e6
    print(f"\n## {Path(corpus).name}: {docs:,} documents, {mb:.1f} MB as .txt files"
          + (f" (first {limit:,} of the corpus)" if limit else "") + f", median of {repeat} runs\n")
    rows: list[tuple[str, float, float, float, float]] = []

    def measure(label: str, tasks: list[dict]) -> float:
        results = [run_child(t) for t in tasks]
        secs = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        rss = max(r["rss"] for r in results)
        rss_kids = max(r["rss_children"] for r in results)
        rows.append((label, secs, cpu, rss, rss_kids))
        return secs

    base = measure("raw Whoosh, StandardAnalyzer", [
        {"kind": "whoosh", "corpus": str(files), "index": str(tmp / "wix")} for _ in range(repeat)])
    one = measure("persearch full build, 1 process", [
        {"kind": "full", "corpus": str(files), "index": str(tmp / "p1"), "workers": 1} for _ in range(repeat)])
    once = measure("persearch full build, 1 process, one commit (no intervals)", [
        {"kind": "full", "corpus": str(files), "index": str(tmp / "p0"), "workers": 1, "one_commit": True}
        for _ in range(repeat)])
    two = measure("persearch full build, 2 processes", [
        {"kind": "full", "corpus": str(files), "index": str(tmp / "p2"), "workers": 2} for _ in range(repeat)])
    floor = measure("floor: Whoosh's writer fed pre-made tokens, no analysis", [
        {"kind": "floor-whoosh", "corpus": str(files), "index": str(tmp / "f1")} for _ in range(repeat)])
    measure("floor: persearch's column writer fed pre-made columns", [
        {"kind": "floor-columns", "corpus": str(files), "index": str(tmp / "f2")} for _ in range(repeat)])
    if with_tantivy:
        measure("raw tantivy, default tokenizer", [
            {"kind": "tantivy", "corpus": str(files), "index": str(tmp / "tix")} for _ in range(repeat)])
        t_one = measure("persearch on tantivy, 1 process", [
            {"kind": "full", "corpus": str(files), "index": str(tmp / "t1"), "workers": 1, "backend": "tantivy"}
            for _ in range(repeat)])
        t_once = measure("persearch on tantivy, 1 process, one commit (no intervals)", [
            {"kind": "full", "corpus": str(files), "index": str(tmp / "t0"), "workers": 1, "backend": "tantivy",
             "one_commit": True} for _ in range(repeat)])
        t_two = measure("persearch on tantivy, 2 processes", [
            {"kind": "full", "corpus": str(files), "index": str(tmp / "t2"), "workers": 2, "backend": "tantivy"}
            for _ in range(repeat)])
    sphinx_best = {}
    for count, nodes in clusters.items():
        for workers in (1, 2):
            sphinx_best[(count, workers)] = measure(
                f"persearch on sphinx, {count} node{'s' if count > 1 else ''}, "
                f"{workers} process{'es' if workers > 1 else ''}",
                [{"kind": "full", "corpus": str(files), "index": str(tmp / f"s{count}{workers}"),
                  "workers": workers, "backend": "sphinx", "nodes": nodes} for _ in range(repeat)])
    same = measure("persearch update, nothing changed", [
        {"kind": "same", "corpus": str(files), "index": str(tmp / "p1"), "workers": None} for _ in range(repeat)])
    change = measure("persearch update, 1 % of files changed", [
        {"kind": "change", "corpus": str(files), "index": str(tmp / "p1"), "workers": None, "repeat": i}
        for i in range(repeat)])

    print("| run | seconds | docs/s | MB/s | vs raw Whoosh | vs 1-process build | CPU s (all processes) "
          "| peak RSS MB (main / workers) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, secs, cpu, rss, kids in rows:
        print(f"| {label} | {secs:.2f} | {docs / secs:,.0f} | {mb / secs:.2f} | {base / secs:.2f}× "
              f"| {secs / one * 100:.1f} % | {cpu:.2f} | {rss:.0f} / {kids:.0f} |")
    print(f"\ntargets: 1 process ≥ 0.8× raw Whoosh → {base / one:.2f}×; 2 processes ≥ 1.5× → {base / two:.2f}×; "
          f"no-change update ≤ 5 % of the build → {same / one * 100:.1f} %; 1 % change → {change / one * 100:.1f} %")
    print(f"floor (Whoosh's writer alone, pre-made tokens): {floor:.2f} s = {floor / one * 100:.0f} % of the "
          f"1-process build")
    print(f"commits at intervals cost ≤ 5 % of the build: Whoosh backend {(one / once - 1) * 100:+.1f} %"
          + (f", tantivy backend {(t_one / t_once - 1) * 100:+.1f} %" if with_tantivy else ""))
    if with_tantivy:
        # The target as re-decided for issue 18 (docs/backends.md, *Build*): against raw Whoosh, which
        # does not move when the Whoosh backend gets faster; the ratio to the Whoosh backend beside it.
        print(f"tantivy backend: build ≥ 2.5× raw Whoosh with one process (the target) → {base / t_one:.2f}×; "
              f"÷ the Whoosh backend: {one / t_one:.2f}× with one process each, {two / t_two:.2f}× with two")
    if sphinx_best:
        best = {count: min(sphinx_best[(count, 1)], sphinx_best[(count, 2)]) for count in sorted(clusters)}
        print("sphinx backend, best of 1/2 processes: " + "; ".join(
            f"{count} node{'s' if count > 1 else ''}: {docs / secs:,.0f} docs/s "
            f"({min(one, two) / secs:.2f}× the Whoosh backend)" for count, secs in best.items()))


def bench_records(corpus: str, limit: int | None, repeat: int, scale: int, with_tantivy: bool) -> None:
    """The corpus as one JSONL file: commit intervals, a one-record append, peak RSS against a bigger file."""
    tmp = Path(tempfile.mkdtemp(prefix="persearch-bench-records-"))
    try:
        opener = gzip.open if corpus.endswith(".gz") else open
        one, big = tmp / "records.jsonl", tmp / f"records-x{scale}.jsonl"
        count = 0
        with opener(corpus, "rt", encoding="utf-8") as fh, open(one, "w", encoding="utf-8") as out:
            for line in fh:
                if limit is not None and count >= limit:
                    break
                out.write(line)
                count += 1
        with open(big, "w", encoding="utf-8") as out:
            for copy in range(scale):
                for line in open(one, encoding="utf-8"):
                    record = json.loads(line)
                    record["id"] = f"{record.get('id', count)}-{copy}"
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        mb = one.stat().st_size / 1e6
        print(f"\n## {Path(corpus).name} as one JSONL file: {count:,} records, {mb:.1f} MB; "
              f"x{scale}: {big.stat().st_size / 1e6:.1f} MB; median of {repeat} runs\n")
        print("| backend | build, commits at intervals | build, one commit | cost of the intervals "
              "| append one record, update | update / build | CLI peak RSS MB | x" + str(scale) + " | ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for backend in ("whoosh", "tantivy") if with_tantivy else ("whoosh",):
            index = tmp / f"ix-{backend}"
            tasks = []
            for i in range(repeat):  # interleaved: the machine's noise hits both alike
                tasks += [{"kind": "records", "corpus": str(one), "index": str(index), "backend": backend},
                          {"kind": "records", "corpus": str(one), "index": str(tmp / "once"), "backend": backend,
                           "one_commit": True}]
            results = [run_child(t) for t in tasks]
            intervals = statistics.median(r["seconds"] for r in results[0::2])
            once = statistics.median(r["seconds"] for r in results[1::2])
            append = statistics.median(run_child({"kind": "append", "corpus": str(one), "index": str(index),
                                                  "backend": backend})["seconds"] for _ in range(repeat))
            rss = [max(run_child({"kind": "cli", "corpus": str(path), "index": str(tmp / "cli"),
                                  "backend": backend})["rss"] for _ in range(repeat)) for path in (one, big)]
            print(f"| {backend} | {intervals:.2f} s | {once:.2f} s | {(intervals / once - 1) * 100:+.1f} % "
                  f"| {append:.2f} s | {append / intervals * 100:.1f} % | {rss[0]:.0f} | {rss[1]:.0f} "
                  f"| {rss[1] / rss[0]:.2f}× |")
        print(f"\ntargets: intervals cost ≤ 5 % of the build; x{scale} file peak RSS ≤ 1.3× the file's")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(json.loads(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", help="JSONL(.gz) corpora with id/title/text")
    parser.add_argument("--limit", type=int, default=None, help="index only the first N documents of each corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy rows")
    parser.add_argument("--no-sphinx", action="store_true", help="skip the sphinx rows")
    parser.add_argument("--records", action="store_true",
                        help="only the one-JSONL-file measurements (commit intervals, append, peak RSS)")
    parser.add_argument("--scale", type=int, default=5, help="with --records: the bigger file is this many times larger")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for corpus in args.corpora:
        if args.records:
            bench_records(corpus, args.limit, args.repeat, args.scale, not args.no_tantivy)
        else:
            bench(corpus, args.limit, args.repeat, not args.no_tantivy, not args.no_sphinx)


if __name__ == "__main__":
    main()
