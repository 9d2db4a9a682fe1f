"""Pasted questions under stray punctuation: does one stray character change the answer?

    python benchmarks/eval_stray_punctuation.py ../shared/data/eval
    python benchmarks/eval_stray_punctuation.py --queries 300 --no-tantivy

Questions pasted from real text often carry a bracket, a quote or dots that
belong to the text around them. For every dev question of
``dev-queries.jsonl`` (over ``corpus.jsonl``, indexed as
benchmarks/eval_retrieval.py does) one stray ``)``, ``(``, ``«``, ``»``,
``"`` or ``...`` is inserted at a random word boundary (seeded: the same
places every run), standing alone, glued before a word or glued after one,
and the query is searched as a user's would be (default mode, suggestions
on, top 10). ``--anywhere`` inserts at any character position instead,
inside a word too. The table gives, per stray and in all, how often the top hit
is unchanged and how often the whole top 10 is (same documents, same order).
The target (issue 15) is ≥ 98 % unchanged top hits.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval_retrieval import build_persearch, load  # noqa: E402

STRAYS = (")", "(", "«", "»", '"', "...")
PLACES = ("alone", "before a word", "after a word")


def insert_stray(query: str, stray: str, rng: random.Random) -> str:
    """``query`` with ``stray`` at a random word boundary: alone, or glued to a word."""
    words = query.split()
    gap = rng.randint(0, len(words))
    place = rng.choice(PLACES)
    if place == "before a word" and gap < len(words):
        words[gap] = stray + words[gap]
    elif place == "after a word" and gap > 0:
        words[gap - 1] += stray
    else:
        words.insert(gap, stray)
    return " ".join(words)


def insert_anywhere(query: str, stray: str, rng: random.Random) -> str:
    """``query`` with ``stray`` at a random character position (inside a word too)."""
    at = rng.randint(0, len(query))
    return query[:at] + stray + query[at:]


def measure(run: Callable[[str], list[str]], queries: list[str], seed: int,
            insert: Callable[[str, str, random.Random], str] = insert_stray) -> dict[str, tuple[int, int, int]]:
    """Per stray: (top hit unchanged, top 10 unchanged, queries)."""
    baseline = [run(q) for q in queries]
    rng = random.Random(seed)
    out: dict[str, tuple[int, int, int]] = {}
    for stray in STRAYS:
        top1 = top10 = 0
        for query, before in zip(queries, baseline):
            after = run(insert(query, stray, rng))
            top1 += after[:1] == before[:1]
            top10 += after == before
        out[stray] = (top1, top10, len(queries))
    return out


def runner(index: object) -> Callable[[str], list[str]]:
    from persearch.query import search

    def run(query: str) -> list[str]:
        return [hit.id for hit in search(index, query, limit=10, snippets=False).hits]  # type: ignore[arg-type]

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?",
                        default=Path(__file__).resolve().parents[2] / "shared" / "data" / "eval")
    parser.add_argument("--queries", type=int, default=0, help="use only the first N questions (0 = all)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--no-tantivy", action="store_true", help="the Whoosh backend only")
    parser.add_argument("--anywhere", action="store_true",
                        help="insert at any character position, inside words too (default: word boundaries)")
    args = parser.parse_args(argv)
    corpus, dev = load(args.folder)
    queries = [q["query"] for q in dev][: args.queries or None]
    backends = ["whoosh"] if args.no_tantivy else ["whoosh", "tantivy"]
    where = "any character position" if args.anywhere else "a word boundary"
    print(f"{len(corpus)} passages, {len(queries)} questions, one stray at {where} each, seed {args.seed}")
    header = f"{'backend':8} {'stray':6} {'top hit kept':>13} {'top 10 kept':>12} {'s':>6}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="persearch-stray-") as tmp:
        for name in backends:
            index = build_persearch(corpus, Path(tmp) / name, backend=name)
            started = time.perf_counter()
            result = measure(runner(index), queries, args.seed, insert_anywhere if args.anywhere else insert_stray)
            took = time.perf_counter() - started
            total1 = sum(r[0] for r in result.values())
            total10 = sum(r[1] for r in result.values())
            n = sum(r[2] for r in result.values())
            for stray, (top1, top10, count) in result.items():
                print(f"{name:8} {stray:6} {100 * top1 / count:12.1f}% {100 * top10 / count:11.1f}%")
            print(f"{name:8} {'all':6} {100 * total1 / n:12.1f}% {100 * total10 / n:11.1f}% {took:6.0f}")


if __name__ == "__main__":
    main()
