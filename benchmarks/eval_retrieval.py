"""Retrieval quality on real Persian questions: persearch vs plain Whoosh, same run.

    python benchmarks/eval_retrieval.py ../shared/data/eval
    python benchmarks/eval_retrieval.py ../shared/data/eval --ablations

Indexes ``corpus.jsonl`` (title + text), runs every question of
``dev-queries.jsonl`` and prints nDCG@10, MRR@10, Recall@10 and Recall@100 per
source (query id prefix: parsinlu-, persianqa-) for persearch's default
configuration, for the same as it ranked before the ranking study ("before":
the parsed tree run as it is, without persearch/query/ranking.py; on Whoosh,
Whoosh's own IDF) and for Whoosh's StandardAnalyzer with an OR query parser
(BM25F, the same documents) and for SQLite FTS5 with its default tokenizer
(bm25(), the question's words OR-ed); then the 95 % bootstrap interval of the nDCG@10
gain over "before" per source (questions resampled). ``--ablations`` adds rows with one option changed: each knob of
the ranking, the query mode, BM25 parameters (Whoosh only: tantivy's are
fixed in the engine), stemming, compounds, stopwords. Rows for the tantivy
backend (same analyzer and query layer) are added unless ``--no-tantivy``;
its nDCG@10 difference to the Whoosh backend is printed last.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persearch import Analyzer  # noqa: E402
from persearch.backends.base import Document  # noqa: E402

K = 10
ANCHORS = {  # from ../shared/data/README.md, same dev queries
    "Lucene 8 PersianAnalyzer": {"parsinlu": (0.759, 0.719), "persianqa": (0.948, 0.937)},
}


def load(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f if line.strip()]
    with open(folder / "dev-queries.jsonl", encoding="utf-8") as f:
        queries = [json.loads(line) for line in f if line.strip()]
    return corpus, queries


def metrics(ranked: list[str], relevant: set[str]) -> tuple[float, float, float, float]:
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:K]) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:K]) if d in relevant), 0.0)
    r10 = len(set(ranked[:K]) & relevant) / len(relevant)
    r100 = len(set(ranked[:100]) & relevant) / len(relevant)
    return dcg / ideal if ideal else 0.0, rr, r10, r100


def evaluate(run: Callable[[str], list[str]], queries: list[dict[str, Any]],
             per_query: dict[str, float] | None = None) -> dict[str, tuple[float, ...]]:
    """Mean metrics per source (and "all"); ``per_query`` gets each question's nDCG@10."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])
    for q in queries:
        source = q["id"].split("-")[0]
        ranked = run(q["query"])
        found = metrics(ranked, set(q["relevant"]))
        if per_query is not None:
            per_query[q["id"]] = found[0]
        for key in (source, "all"):
            acc = sums[key]
            for i, v in enumerate(found):
                acc[i] += v
            acc[4] += 1
    return {k: tuple(v[i] / v[4] for i in range(4)) for k, v in sums.items()}


def bootstrap_gain(new: dict[str, float], old: dict[str, float], source: str, rounds: int = 2000,
                   seed: int = 1) -> tuple[float, float, float]:
    """Mean nDCG@10 gain over a source's questions and its 95 % bootstrap interval (questions resampled)."""
    gains = [new[k] - old[k] for k in new if k.startswith(source + "-")]
    rng = random.Random(seed)
    means = sorted(sum(rng.choice(gains) for _ in gains) / len(gains) for _ in range(rounds))
    return sum(gains) / len(gains), means[int(0.025 * rounds)], means[int(0.975 * rounds)]


# --- persearch ---------------------------------------------------------------------


class _EvalIndex:
    """The smallest index object persearch.query.search needs (analyzer, backend, stored_text)."""

    def __init__(self, path: Path, analyzer: Analyzer, backend: str = "whoosh") -> None:
        from persearch.backends import backend_class

        self.analyzer = analyzer
        self.backend = backend_class(backend).create(path, analyzer)

    def stored_text(self, doc_id: str) -> str:
        stored = self.backend.stored(doc_id)
        return stored["text"] if stored else ""


def build_persearch(corpus: list[dict[str, Any]], path: Path, backend: str = "whoosh", **options: Any) -> _EvalIndex:
    index = _EvalIndex(path, Analyzer(**options), backend)
    index.backend.append(Document(id=d["id"], text=d["text"], title=d.get("title") or "") for d in corpus)
    index.backend.commit()
    return index


def persearch_runner(index: _EvalIndex, mode: str = "auto", bm25: tuple[float, float] | None = None,
                     ranking: dict[str, Any] | None = None, before: bool = False) -> Callable[[str], list[str]]:
    """Top 100 ids of a query; ``ranking`` overrides constants of persearch/query/ranking.py for the run.

    ``before=True`` is persearch before the ranking study: the parsed tree run
    as it is (no persearch/query/ranking.py) and, on Whoosh, Whoosh's own IDF.
    """
    from whoosh import scoring

    from persearch.query import ranking as ranking_module
    from persearch.query import run as query_run
    from persearch.query import search

    weighting = getattr(index.backend, "_weighting", None)  # Whoosh only
    if bm25 is not None:
        other = type(weighting)(B=bm25[0], K1=bm25[1])
    elif before and weighting is not None:
        other = scoring.BM25F()
    else:
        other = None

    def run(query: str) -> list[str]:
        saved = {name: getattr(ranking_module, name) for name in ranking or {}}
        saved_ranked = query_run.ranked
        for name, value in (ranking or {}).items():
            setattr(ranking_module, name, value)
        if before:
            query_run.ranked = lambda index, parsed: parsed.node  # type: ignore[assignment]
        if other is not None:
            index.backend._weighting = other
            index.backend._searcher = None
        try:
            results = search(index, query, limit=100, mode=mode, snippets=False, suggest=False)
        finally:
            for name, value in saved.items():
                setattr(ranking_module, name, value)
            query_run.ranked = saved_ranked  # type: ignore[assignment]
            if other is not None:
                index.backend._weighting = weighting
                index.backend._searcher = None
        return [h.id for h in results.hits]

    return run


# --- plain Whoosh -------------------------------------------------------------------


def whoosh_runner(corpus: list[dict[str, Any]], path: Path) -> Callable[[str], list[str]]:
    from whoosh import fields, index, scoring
    from whoosh.analysis import StandardAnalyzer
    from whoosh.qparser import MultifieldParser, OrGroup

    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(analyzer=StandardAnalyzer()),
                           body=fields.TEXT(analyzer=StandardAnalyzer()))
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), schema)
    writer = ix.writer(limitmb=128)
    for d in corpus:
        writer.add_document(id=d["id"], title=d.get("title") or "", body=d["text"])
    writer.commit()
    searcher = ix.searcher(weighting=scoring.BM25F())
    parser = MultifieldParser(["title", "body"], schema, group=OrGroup)

    def run(query: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(parser.parse(query), limit=100)]

    return run


# --- SQLite FTS5 ---------------------------------------------------------------------


def fts5_runner(corpus: list[dict[str, Any]]) -> Callable[[str], list[str]]:
    """SQLite FTS5 as a Python user sets it up in five lines: the default unicode61
    tokenizer (diacritics removed), bm25() with title and body weighted
    alike (persearch's TITLE_BOOST is 1), the question's words OR-ed."""
    import re
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body)")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                   ((d["id"], d.get("title") or "", d["text"]) for d in corpus))
    word = re.compile(r"\w+")

    def run(query: str) -> list[str]:
        terms = " OR ".join(f'"{w}"' for w in word.findall(query))
        if not terms:
            return []
        rows = db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 1.0, 1.0) LIMIT 100",
                          (terms,))
        return [row[0] for row in rows]

    return run


# --- report ------------------------------------------------------------------------


def print_table(rows: Iterable[tuple[str, dict[str, tuple[float, ...]], float]]) -> None:
    header = f"{'system':44} {'source':10} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>7} {'R@100':>7} {'ms/q':>6}"
    print(header)
    print("-" * len(header))
    for name, result, ms in rows:
        for source in ("parsinlu", "persianqa"):
            if source in result:
                n, m, r10, r100 = result[source]
                print(f"{name:44} {source:10} {n:8.3f} {m:8.3f} {r10:7.3f} {r100:7.3f} {ms:6.1f}")
    for name, anchor in ANCHORS.items():
        for source, (n, m) in anchor.items():
            print(f"{name + ' (anchor)':44} {source:10} {n:8.3f} {m:8.3f} {'':>7} {'':>7}")


DEFAULT = "persearch default (mode=auto)"
BEFORE = "persearch before (main's ranking)"
TANTIVY = "persearch default, tantivy backend"
TANTIVY_BEFORE = "  same, before"
#: One knob of persearch/query/ranking.py changed at a time (the default is the first row).
RANKING_ABLATIONS: list[tuple[str, dict[str, Any]]] = [
    ("answer type weighed 1 (not 0.5)", {"ANSWER_TYPE_WEIGHT": 1.0}),
    ("answer type weighed 0.25", {"ANSWER_TYPE_WEIGHT": 0.25}),
    ("colloquial question words kept", {"COLLOQUIAL_QUESTION_WORDS": frozenset()}),
    ("no glued forms (JOINED_WEIGHT 0)", {"JOINED_WEIGHT": 0.0}),
    ("glued forms weighed 1", {"JOINED_WEIGHT": 1.0}),
    ("no corrections (MAX_CORRECTIONS 0)", {"MAX_CORRECTIONS": 0}),
    ("corrections weighed 1", {"CORRECTION_WEIGHT": 1.0}),
    ("question title weight 1.0 (not 0.8)", {"QUESTION_TITLE_WEIGHT": 1.0}),
    ("question title weight 0.6", {"QUESTION_TITLE_WEIGHT": 0.6}),
    ("question title weight 1.5", {"QUESTION_TITLE_WEIGHT": 1.5}),
    ("proximity pairs, weight 0.1, slop 1", {"PROXIMITY_WEIGHT": 0.1}),
    ("proximity pairs, weight 0.1, slop 0", {"PROXIMITY_WEIGHT": 0.1, "PROXIMITY_SLOP": 0}),
    ("proximity pairs, weight 0.3, slop 3", {"PROXIMITY_WEIGHT": 0.3, "PROXIMITY_SLOP": 3}),
    ("proximity pairs, weight 1, slop 0", {"PROXIMITY_WEIGHT": 1.0, "PROXIMITY_SLOP": 0}),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?",
                        default=Path(__file__).resolve().parents[2] / "shared" / "data" / "eval")
    parser.add_argument("--ablations", action="store_true", help="also run one-option-changed variants")
    parser.add_argument("--queries", type=int, default=0, help="use only the first N queries (0 = all)")
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy-backend row")
    args = parser.parse_args(argv)
    corpus, queries = load(args.folder)
    if args.queries:
        queries = queries[: args.queries]
    rows: list[tuple[str, dict[str, tuple[float, ...]], float]] = []
    per_query: dict[str, dict[str, float]] = {}

    def timed(name: str, run: Callable[[str], list[str]]) -> None:
        started = time.perf_counter()
        per_query[name] = {}
        result = evaluate(run, queries, per_query[name])
        ms = (time.perf_counter() - started) / len(queries) * 1000
        rows.append((name, result, ms))
        print(f"  done: {name}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="persearch-eval-") as tmp:
        tmpdir = Path(tmp)
        default = build_persearch(corpus, tmpdir / "default")
        timed(DEFAULT, persearch_runner(default))
        timed(BEFORE, persearch_runner(default, before=True))
        if not args.no_tantivy:
            fast = build_persearch(corpus, tmpdir / "tantivy", backend="tantivy")
            timed(TANTIVY, persearch_runner(fast))
            timed(TANTIVY_BEFORE, persearch_runner(fast, before=True))
        timed("Whoosh StandardAnalyzer, OR parser", whoosh_runner(corpus, tmpdir / "whoosh"))
        timed("SQLite FTS5 (unicode61), OR of the words", fts5_runner(corpus))
        if args.ablations:
            for label, knobs in RANKING_ABLATIONS:
                timed(f"persearch {label}", persearch_runner(default, ranking=knobs))
                if not args.no_tantivy:
                    timed(f"  same, tantivy backend", persearch_runner(fast, ranking=knobs))
            timed("persearch mode=or", persearch_runner(default, mode="or"))
            timed("persearch mode=minmatch (no fill)", persearch_runner(default, mode="minmatch"))
            timed("persearch mode=and", persearch_runner(default, mode="and"))
            timed("persearch BM25 b=0.5 k1=1.2 (Whoosh only)", persearch_runner(default, bm25=(0.5, 1.2)))
            timed("persearch BM25 b=0.9 k1=1.2 (Whoosh only)", persearch_runner(default, bm25=(0.9, 1.2)))
            timed("persearch BM25 b=0.75 k1=0.9 (Whoosh only)", persearch_runner(default, bm25=(0.75, 0.9)))
            for label, options in (("stemmer off", {"stemmer": None}), ("compounds off", {"compounds": False}),
                                   ("stopwords kept", {"stopwords": False})):
                variant = build_persearch(corpus, tmpdir / label.replace(" ", "-"), **options)
                timed(f"persearch {label}", persearch_runner(variant))
                timed(f"persearch {label}, mode=or", persearch_runner(variant, mode="or"))
    print()
    print(f"{len(corpus)} passages, {len(queries)} queries")
    print_table(rows)
    print("\nnDCG@10 gain over before, 95 % bootstrap interval (questions resampled):")
    for new, old in ((DEFAULT, BEFORE), (TANTIVY, TANTIVY_BEFORE)):
        if new in per_query:
            gains = "  ".join("{} {:+.3f} [{:+.3f}, {:+.3f}]".format(source, *bootstrap_gain(
                per_query[new], per_query[old], source)) for source in ("parsinlu", "persianqa")
                if any(k.startswith(source + "-") for k in per_query[new]))
            print(f"  {new}: {gains}")
    by_name = {name: result for name, result, _ in rows}
    if TANTIVY in by_name:
        whoosh, fast = by_name[DEFAULT], by_name[TANTIVY]
        diffs = "  ".join(f"{source} {fast[source][0] - whoosh[source][0]:+.3f}"
                          for source in ("parsinlu", "persianqa") if source in whoosh)
        print(f"\nnDCG@10 tantivy backend − Whoosh backend (target within ±0.01): {diffs}")


if __name__ == "__main__":
    main()
