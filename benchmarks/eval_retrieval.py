"""Retrieval quality on real Persian questions: persearch vs plain Whoosh, same run.

    python benchmarks/eval_retrieval.py ../shared/data/eval
    python benchmarks/eval_retrieval.py ../shared/data/eval --ablations

Indexes ``corpus.jsonl`` (title + text), runs every question of
``dev-queries.jsonl`` and prints nDCG@10, MRR@10, Recall@10 and Recall@100 per
source (query id prefix: parsinlu-, persianqa-) for persearch's default
configuration and for Whoosh's StandardAnalyzer with an OR query parser
(BM25F, the same documents). ``--ablations`` adds rows with one option changed
(stemming, compounds, stopwords, query mode, title boost, BM25 parameters).
A row for the tantivy backend (same analyzer and query layer) is added unless
``--no-tantivy``; its nDCG@10 difference to the Whoosh backend is printed last.
"""
from __future__ import annotations

import argparse
import json
import math
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


def evaluate(run: Callable[[str], list[str]], queries: list[dict[str, Any]]) -> dict[str, tuple[float, ...]]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])
    for q in queries:
        source = q["id"].split("-")[0]
        ranked = run(q["query"])
        for key in (source, "all"):
            acc = sums[key]
            for i, v in enumerate(metrics(ranked, set(q["relevant"]))):
                acc[i] += v
            acc[4] += 1
    return {k: tuple(v[i] / v[4] for i in range(4)) for k, v in sums.items()}


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


def persearch_runner(index: _EvalIndex, mode: str = "auto", title_boost: float | None = None,
                     bm25: tuple[float, float] | None = None) -> Callable[[str], list[str]]:
    from whoosh import scoring

    from persearch.backends import whoosh_backend
    from persearch.query import search

    def run(query: str) -> list[str]:
        saved = whoosh_backend.TITLE_BOOST
        if title_boost is not None:
            whoosh_backend.TITLE_BOOST = title_boost
        try:
            if bm25 is not None:
                index.backend._weighting = scoring.BM25F(B=bm25[0], K1=bm25[1])
                index.backend._searcher = None
            results = search(index, query, limit=100, mode=mode, snippets=False, suggest=False)
        finally:
            whoosh_backend.TITLE_BOOST = saved
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

    def timed(name: str, run: Callable[[str], list[str]]) -> None:
        started = time.perf_counter()
        result = evaluate(run, queries)
        ms = (time.perf_counter() - started) / len(queries) * 1000
        rows.append((name, result, ms))
        print(f"  done: {name}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="persearch-eval-") as tmp:
        tmpdir = Path(tmp)
        default = build_persearch(corpus, tmpdir / "default")
        timed("persearch default (mode=auto)", persearch_runner(default))
        if not args.no_tantivy:
            fast = build_persearch(corpus, tmpdir / "tantivy", backend="tantivy")
            timed("persearch default, tantivy backend", persearch_runner(fast))
        timed("Whoosh StandardAnalyzer, OR parser", whoosh_runner(corpus, tmpdir / "whoosh"))
        if args.ablations:
            timed("persearch mode=or", persearch_runner(default, mode="or"))
            timed("persearch mode=minmatch (no fill)", persearch_runner(default, mode="minmatch"))
            timed("persearch mode=and", persearch_runner(default, mode="and"))
            timed("persearch title boost 0.5", persearch_runner(default, title_boost=0.5))
            timed("persearch title boost 2.0", persearch_runner(default, title_boost=2.0))
            timed("persearch BM25 b=0.75 k1=1.2", persearch_runner(default, bm25=(0.75, 1.2)))
            timed("persearch BM25 b=0.5 k1=0.9", persearch_runner(default, bm25=(0.5, 0.9)))
            for label, options in (("stemmer off", {"stemmer": None}), ("compounds off", {"compounds": False}),
                                   ("stopwords kept", {"stopwords": False})):
                variant = build_persearch(corpus, tmpdir / label.replace(" ", "-"), **options)
                timed(f"persearch {label}", persearch_runner(variant))
                timed(f"persearch {label}, mode=or", persearch_runner(variant, mode="or"))
    print()
    print(f"{len(corpus)} passages, {len(queries)} queries")
    print_table(rows)
    by_name = {name: result for name, result, _ in rows}
    if "persearch default, tantivy backend" in by_name:
        whoosh, fast = by_name["persearch default (mode=auto)"], by_name["persearch default, tantivy backend"]
        diffs = "  ".join(f"{source} {fast[source][0] - whoosh[source][0]:+.3f}"
                          for source in ("parsinlu", "persianqa") if source in whoosh)
        print(f"\nnDCG@10 tantivy backend − Whoosh backend (target within ±0.01): {diffs}")


if __name__ == "__main__":
    main()
