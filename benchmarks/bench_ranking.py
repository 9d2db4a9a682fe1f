"""What ranking questions costs: persearch search with and without query/ranking.py, same run, both backends.

    python benchmarks/bench_ranking.py ../shared/data/news.jsonl.gz --eval ../shared/data/eval

Questions are the only queries persearch/query/ranking.py changes (keywords
return from it at once), so this times questions: for each corpus, questions
made from a document's own words with a question word (``چرا … ؟``,
``… چیست؟``, ``چه … ؟``), one in three with two letters of a word swapped (a
typo: the correction path); with ``--eval``, the development questions over
the eval passages too. Each question runs with ranking on and off, in turn
(each first half the time: the second finds the engine's caches warm) and
``--runs`` times; the table gives p50/p95 of the per-question medians
(ms) and the median per-question ratio on/off, for search alone and with
snippets. The spelling table a typo needs is built before timing (once per
index generation: docs/query.md, *Suggestions*).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_query import _WORD, build_persearch, percentile, read_docs  # noqa: E402

from persearch.query import run as query_run  # noqa: E402
from persearch.query import search  # noqa: E402
from persearch.query.suggest import spell_index  # noqa: E402

TEMPLATES = ("چرا {} {} {} ؟", "{} {} چیست؟", "چه {} {} {} {}؟", "{} {} {} {} {} کجاست؟", "کدام {} {} {}؟")


def make_questions(docs: list[dict[str, Any]], n: int, seed: int = 11) -> list[str]:
    """Questions from the documents' own words; one in three has a typo (two letters swapped)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        words = _WORD.findall(rng.choice(docs)["text"])
        if len(words) < 8:
            continue
        template = TEMPLATES[len(out) % len(TEMPLATES)]
        start = rng.randrange(len(words) - 6)
        picked = words[start:start + template.count("{}")]
        if len(out) % 3 == 2:
            k = max(range(len(picked)), key=lambda j: len(picked[j]))
            w = picked[k]
            picked[k] = w[0] + w[2] + w[1] + w[3:]
        out.append(template.format(*picked))
    return out


def unranked(index: Any, parsed: Any) -> Any:
    return parsed.node


def time_pair(questions: list[str], fn: Callable[[str], Any], runs: int) -> tuple[list[float], list[float]]:
    """Per-question medians (ms) with ranking on and off, run in turn (each first half the time)."""
    on: list[list[float]] = [[] for _ in questions]
    off: list[list[float]] = [[] for _ in questions]
    ranked = query_run.ranked
    for run in range(runs):
        for i, q in enumerate(questions):
            # Each order in turn: the second search of a question finds the engine's caches warm.
            order = ((True, on), (False, off)) if (run + i) % 2 else ((False, off), (True, on))
            for flag, bucket in order:
                query_run.ranked = ranked if flag else unranked  # type: ignore[assignment]
                started = time.perf_counter()
                fn(q)
                bucket[i].append((time.perf_counter() - started) * 1000)
    query_run.ranked = ranked  # type: ignore[assignment]
    return [statistics.median(v) for v in on], [statistics.median(v) for v in off]


def report(label: str, index: Any, questions: list[str], runs: int) -> None:
    spell_index(index)
    for q in questions[:20]:  # warm caches (analyzer, searcher)
        search(index, q, limit=10)
    for what, snippets in (("search", False), ("+snippets", True)):
        on, off = time_pair(questions, lambda q: search(index, q, limit=10, snippets=snippets), runs)
        ratio = statistics.median(a / b for a, b in zip(on, off))
        print(f"{label:34} {what:10} {percentile(off, 50):7.2f} {percentile(off, 95):7.2f}"
              f" {percentile(on, 50):7.2f} {percentile(on, 95):7.2f} {ratio:7.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, help="JSON-lines corpora (.jsonl or .jsonl.gz)")
    parser.add_argument("--eval", type=Path, help="the eval folder (corpus.jsonl, dev-queries.jsonl)")
    parser.add_argument("--limit", type=int, default=0, help="index at most N documents per corpus (0 = all)")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy backend")
    args = parser.parse_args(argv)
    backends = ("whoosh",) if args.no_tantivy else ("whoosh", "tantivy")
    sets: list[tuple[str, list[dict[str, Any]], list[str]]] = []
    for path in args.corpora:
        docs = read_docs(path, args.limit)
        sets.append((path.name.split(".")[0], docs, make_questions(docs, args.questions)))
    if args.eval:
        docs = read_docs(args.eval / "corpus.jsonl", 0)
        with open(args.eval / "dev-queries.jsonl", encoding="utf-8") as f:
            dev = [json.loads(line)["query"] for line in f if line.strip()]
        sets.append(("eval dev questions", docs, dev[:: max(1, len(dev) // args.questions)]))
    print(f"ms per question, median of {args.runs} runs each; ratio = median over questions of on/off")
    print(f"{'questions, backend':34} {'':10} {'off p50':>7} {'p95':>7} {'on p50':>7} {'p95':>7} {'ratio':>7}")
    with tempfile.TemporaryDirectory(prefix="persearch-bench-ranking-") as tmp:
        for name, docs, questions in sets:
            for backend in backends:
                index = build_persearch(docs, Path(tmp) / f"{name}-{backend}", backend=backend)
                report(f"{name} ({len(questions)}), {backend}", index, questions, args.runs)


if __name__ == "__main__":
    main()
