"""How persearch grows: build, index size, first query, warm latency and memory at growing corpus sizes.

    python benchmarks/bench_scale.py ../shared/data/news.jsonl.gz ../shared/data/poetry.jsonl.gz
    python benchmarks/bench_scale.py NEWS POETRY --sizes 4108,10000,all --repeat 1

The corpora (JSON lines, gzipped or not, ``{"id", "title", "text"}``) are
joined in order (news first, then poetry) and cut at each size; ``all`` is
both whole (42,752 documents), ``x4`` both repeated four times with new ids
(171,008 documents, 262 MB of text). Each size is written as one JSONL record
file (several of at most 60 MB from ×4 on: persearch reads files up to 64 MiB
by default) and measured for persearch on the Whoosh backend, persearch on the
tantivy backend, and SQLite FTS5 (Python's own sqlite3, ``unicode61
remove_diacritics 2``, title and text, bm25) as the reference, in the same
run. Every measurement is a fresh process:

- build: ``persearch index FILE --index DIR --backend B`` (the command line as a
  user runs it; FTS5: one script inserting every record), seconds and peak RSS;
- index size on disk;
- fresh process, open + first query: inside a new process, from opening the
  index to the first page of 10 hits with snippets (median over the queries),
  and that process's peak RSS — the memory a search process needs;
- warm: in one process, p50 and p95 of search + snippets of the top 10 over
  ``--queries`` queries (1–3 words drawn from the corpus), and its peak RSS.

Then growth factors of each figure against the smallest size. ``--repeat``
runs every measurement that many times and reports medians.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SYSTEMS = ("whoosh", "tantivy", "fts5")
_WORD = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]{3,}")


def _records(paths: list[str]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    out.append({"id": str(rec["id"]), "title": rec.get("title") or "", "text": rec.get("text") or ""})
    return out


def _cut(records: list[dict[str, Any]], size: str) -> list[dict[str, Any]]:
    if size == "all":
        return records
    if size.startswith("x"):
        times = int(size[1:])
        return [dict(r, id=f"{r['id']}~{k}") if k else r for k in range(times) for r in records]
    return records[:int(size)]


#: Record files are cut at this size: persearch reads files up to 64 MiB unless told otherwise.
PART_BYTES = 60_000_000


def _write_records(work: Path, size: str, chosen: list[dict[str, Any]]) -> Path:
    """The records as one JSONL file, or as a folder of files of at most PART_BYTES each."""
    lines = [(json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8") for rec in chosen]
    if sum(map(len, lines)) <= PART_BYTES:
        path = work / f"records-{size}.jsonl"
        path.write_bytes(b"".join(lines))
        return path
    folder = work / f"records-{size}"
    folder.mkdir()
    part: list[bytes] = []
    written = 0
    for line in lines + [b""]:
        if (not line or written + len(line) > PART_BYTES) and part:
            (folder / f"part-{len(list(folder.iterdir())):03d}.jsonl").write_bytes(b"".join(part))
            part, written = [], 0
        part.append(line)
        written += len(line)
    return folder


def _queries(records: list[dict[str, Any]], n: int, seed: int = 5) -> list[str]:
    """1–3 words drawn from the records' own texts (every query finds something)."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < n:
        words = _WORD.findall(rng.choice(records)["text"])
        if len(words) >= 3:
            at = rng.randrange(len(words) - 2)
            queries.append(" ".join(words[at:at + rng.choice((1, 2, 3))]))
    return queries


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _peak_of(command: list[str]) -> tuple[float, float, str]:
    """Run a process to its end: (seconds, its own peak RSS in MiB, its stdout).

    It is started by a small helper process: a child forked from this one
    (which holds the corpus) would inherit this process's memory high-water mark.
    """
    with tempfile.TemporaryFile(mode="w+") as errors:
        done = subprocess.run([sys.executable, __file__, "--child", "peak", json.dumps(command)],
                              stdout=subprocess.PIPE, stderr=errors, text=True)
        if done.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command[:4])} failed: {errors.read().strip()[-400:]}")
    result = json.loads(done.stdout)
    return result["seconds"], result["rss"], result["out"]


def child_peak(command_json: str) -> None:
    """Run ``command`` and print its wall seconds, peak RSS (wait4) and output as JSON."""
    command = json.loads(command_json)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(code)
    print(json.dumps({"seconds": seconds, "rss": usage.ru_maxrss / 1024, "out": out}))


# --- the child processes ---------------------------------------------------------------

def child_fts5_build(records_path: str, db: str) -> None:
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, "
                "tokenize='unicode61 remove_diacritics 2')")
    path = Path(records_path)
    for part in sorted(path.iterdir()) if path.is_dir() else [path]:
        with open(part, encoding="utf-8") as fh:
            con.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                            ((r["id"], r["title"], r["text"]) for r in map(json.loads, fh)))
    con.commit()
    con.close()


def _fts5_query(q: str) -> str:
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in q.split())


_FTS5_SQL = ("SELECT id, title, snippet(docs, 2, '[[', ']]', '…', 24) FROM docs WHERE docs MATCH ? "
             "ORDER BY bm25(docs, 3.0, 1.0) LIMIT 10")


def child_first(system: str, index: str, query: str) -> None:
    """Open + first query in this fresh process (persearch imported before the clock starts;
    the engine's modules, loaded by opening the index, after); prints the milliseconds."""
    if system == "fts5":
        start = time.perf_counter()
        con = sqlite3.connect(index)
        rows = con.execute(_FTS5_SQL, (_fts5_query(query),)).fetchall()
        found = len(rows)
    else:
        from persearch.index import Index

        start = time.perf_counter()
        ix = Index.open(index)
        found = len(ix.search(query, limit=10).hits)
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "hits": found}))


def child_warm(system: str, index: str, queries_path: str) -> None:
    """Search + snippets of every query, warm; prints the per-query milliseconds."""
    queries = json.loads(Path(queries_path).read_text(encoding="utf-8"))
    if system == "fts5":
        con = sqlite3.connect(index)

        def one(q: str) -> Any:
            return con.execute(_FTS5_SQL, (_fts5_query(q),)).fetchall()
    else:
        from persearch import Index

        ix = Index.open(index)

        def one(q: str) -> Any:
            return ix.search(q, limit=10).hits
    for q in queries[:30]:
        one(q)
    times = []
    for q in queries:
        start = time.perf_counter()
        one(q)
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps(times))


# --- the parent ----------------------------------------------------------------------

def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(system: str, records_path: Path, work: Path, queries: list[str], first_queries: int,
            repeat: int) -> dict[str, float]:
    me = [sys.executable, __file__]
    index = work / f"index-{system}"
    builds, peaks = [], []
    for _ in range(repeat):
        shutil.rmtree(index, ignore_errors=True)
        if index.exists():
            index.unlink()
        if system == "fts5":
            seconds, peak, _ = _peak_of([*me, "--child", "fts5-build", str(records_path), str(index)])
        else:
            seconds, peak, _ = _peak_of([sys.executable, "-m", "persearch.cli", "index", str(records_path),
                                         "--index", str(index), "--backend", system])
        builds.append(seconds)
        peaks.append(peak)
    size = _du(index) if index.is_dir() else index.stat().st_size
    firsts, first_peaks = [], []
    for q in queries[:first_queries] * repeat:
        _, peak, out = _peak_of([*me, "--child", "first", system, str(index), q])
        firsts.append(json.loads(out)["ms"])
        first_peaks.append(peak)
    qfile = work / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    p50s, p95s, warm_peaks = [], [], []
    for _ in range(repeat):
        _, peak, out = _peak_of([*me, "--child", "warm", system, str(index), str(qfile)])
        times = json.loads(out)
        p50s.append(_percentile(times, 50))
        p95s.append(_percentile(times, 95))
        warm_peaks.append(peak)
    return {"build s": statistics.median(builds), "build RSS MiB": max(peaks), "index MiB": size / 2**20,
            "first ms": statistics.median(firsts), "search RSS MiB": statistics.median(first_peaks),
            "warm p50 ms": statistics.median(p50s), "warm p95 ms": statistics.median(p95s),
            "warm RSS MiB": statistics.median(warm_peaks)}


FIGURES = ("build s", "build RSS MiB", "index MiB", "first ms", "search RSS MiB", "warm p50 ms", "warm p95 ms",
           "warm RSS MiB")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, args = sys.argv[2], sys.argv[3:]
        {"fts5-build": child_fts5_build, "first": child_first, "warm": child_warm, "peak": child_peak}[kind](*args)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", help="JSON-lines corpora, joined in order")
    parser.add_argument("--sizes", default="5000,10000,20000,all,x4",
                        help="documents per size: numbers, 'all', 'xN' (all, N times with new ids)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="whoosh, tantivy, fts5")
    parser.add_argument("--queries", type=int, default=200, help="queries of the warm measurement")
    parser.add_argument("--first", type=int, default=5, help="fresh processes (one query each) per measurement")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every measurement (medians reported)")
    args = parser.parse_args()
    records = _records(args.corpora)
    systems = [s for s in args.systems.split(",") if s]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, sqlite {sqlite3.sqlite_version}; "
          f"{len(records):,} records in {', '.join(Path(c).name for c in args.corpora)}")
    table: dict[tuple[str, str], dict[str, float]] = {}
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    docs_at: dict[str, int] = {}
    mb_at: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="persearch-scale-") as tmp:
        work = Path(tmp)
        for size in sizes:
            chosen = _cut(records, size)
            docs_at[size] = len(chosen)
            records_path = _write_records(work, size, chosen)
            mb_at[size] = sum(len(r["text"].encode("utf-8")) + len(r["title"].encode("utf-8")) for r in chosen) / 1e6
            queries = _queries(chosen, args.queries)
            for system in systems:
                table[size, system] = measure(system, records_path, work, queries, args.first, args.repeat)
                shutil.rmtree(work / f"index-{system}", ignore_errors=True)
                if (work / f"index-{system}").exists():
                    (work / f"index-{system}").unlink()
                print(f"  measured {size} ({len(chosen):,} docs) on {system}", file=sys.stderr, flush=True)
            shutil.rmtree(records_path) if records_path.is_dir() else records_path.unlink()
    for system in systems:
        print(f"\n## {system}\n")
        print("| documents | text MB | " + " | ".join(FIGURES) + " |")
        print("|---:|---:|" + "---:|" * len(FIGURES))
        for size in sizes:
            row = table[size, system]
            print(f"| {docs_at[size]:,} | {mb_at[size]:.0f} | " + " | ".join(f"{row[f]:.1f}" for f in FIGURES) + " |")
        smallest = sizes[0]
        print(f"\ngrowth against {docs_at[smallest]:,} documents:\n")
        print("| documents | × documents | " + " | ".join(FIGURES) + " |")
        print("|---:|---:|" + "---:|" * len(FIGURES))
        for size in sizes[1:]:
            row, base = table[size, system], table[smallest, system]
            print(f"| {docs_at[size]:,} | {docs_at[size] / docs_at[smallest]:.1f}× | "
                  + " | ".join(f"{row[f] / base[f]:.2f}×" if base[f] else "–" for f in FIGURES) + " |")
    if "whoosh" in systems and "tantivy" in systems:
        print("\nWhoosh backend against tantivy backend (the issue-25 bars: search RSS ≤ 1.5×, first query ≤ 2×):\n")
        print("| documents | search RSS | first query | warm p50 | build |")
        print("|---:|---:|---:|---:|---:|")
        for size in sizes:
            w, t = table[size, "whoosh"], table[size, "tantivy"]
            print(f"| {docs_at[size]:,} | {w['search RSS MiB'] / t['search RSS MiB']:.2f}× | "
                  f"{w['first ms'] / t['first ms']:.2f}× | {w['warm p50 ms'] / t['warm p50 ms']:.2f}× | "
                  f"{w['build s'] / t['build s']:.2f}× |")


if __name__ == "__main__":
    main()
