"""Analyzer throughput: persearch vs hazm, parsivar and Whoosh's StandardAnalyzer, in one run.

    python benchmarks/bench_analyzer.py ../shared/data/news.jsonl.gz [--runs 3] [--limit-mb 2]

Two corpora: the repository's seeds repeated to at least 5 MB, and a JSONL(.gz)
corpus of {"title", "text"} documents given as argument. Each pipeline analyzes
the documents one by one and counts tokens; figures are medians of ``--runs``.
hazm and parsivar are slow, so they see only the first ``--limit-mb`` MB of each
corpus (the table says how much each measured); a baseline whose package is not
installed is skipped with a note. Ratios are against the hazm pipeline and
against Whoosh's StandardAnalyzer asked for positions and offsets (what an
index asks of it), both from the same run.
"persearch" collects :meth:`Analyzer.tokens` (what a query or the highlighter
runs) from a fresh analyzer each run; "persearch.analyze, warm" is
:func:`persearch.analyze` once its per-group cache has seen the corpus (a
long-running process); "persearch columns" is :meth:`Analyzer.columns`, what
indexing runs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Pipeline = Callable[[str], int]  # document -> number of tokens


def seeds_corpus(min_mb: float = 5.0) -> list[str]:
    docs = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    out: list[str] = []
    size = 0
    while size < min_mb * 1e6:
        for doc in docs:
            out.append(doc)
            size += len(doc.encode("utf-8"))
    return out


def jsonl_corpus(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [f"{d.get('title', '')}\n{d.get('text', '')}" for d in map(json.loads, lines)]


def head(docs: list[str], limit_mb: float | None) -> list[str]:
    if limit_mb is None:
        return docs
    out, size = [], 0
    for doc in docs:
        if size >= limit_mb * 1e6:
            break
        out.append(doc)
        size += len(doc.encode("utf-8"))
    return out


# --- pipelines -------------------------------------------------------------------
def persearch_pipeline() -> Pipeline:
    from persearch import Analyzer

    analyzer = Analyzer()

    def run(doc: str) -> int:
        return sum(1 for _ in analyzer.tokens(doc))

    return run


def persearch_warm_pipeline() -> Pipeline:
    """persearch.analyze (a list of Tokens, stopwords dropped), its cache warmed by an untimed pass."""
    import persearch

    return lambda doc: len(persearch.analyze(doc))


def persearch_columns_pipeline() -> Pipeline:
    """What indexing runs: every token, stopwords kept, as columns (Analyzer.columns)."""
    from persearch import Analyzer

    analyzer = Analyzer()

    def run(doc: str) -> int:
        return len(analyzer.columns(doc)[0])

    return run


def hazm_pipeline() -> Pipeline:
    import hazm

    normalizer, stemmer = hazm.Normalizer(), hazm.Stemmer()

    def run(doc: str) -> int:
        return len([stemmer.stem(w) for w in hazm.word_tokenize(normalizer.normalize(doc))])

    return run


def parsivar_pipeline() -> Pipeline:
    import parsivar

    normalizer, tokenizer, stems = parsivar.Normalizer(), parsivar.Tokenizer(), parsivar.FindStems()

    def run(doc: str) -> int:
        return len([stems.convert_to_stem(w) for w in tokenizer.tokenize_words(normalizer.normalize(doc))])

    return run


def whoosh_pipeline() -> Pipeline:
    from whoosh.analysis import StandardAnalyzer

    analyzer = StandardAnalyzer()

    def run(doc: str) -> int:
        return sum(1 for _ in analyzer(doc, positions=True, chars=True))

    return run


PIPELINES: dict[str, tuple[Callable[[], Pipeline], bool]] = {
    # name: (factory, slow -> measured on --limit-mb only)
    "persearch": (persearch_pipeline, False),
    "persearch.analyze, warm": (persearch_warm_pipeline, False),
    "persearch columns": (persearch_columns_pipeline, False),
    "hazm": (hazm_pipeline, True),
    "parsivar": (parsivar_pipeline, True),
    "whoosh-standard": (whoosh_pipeline, False),
}


def measure(factory: Callable[[], Pipeline], docs: Iterable[str], runs: int) -> tuple[float, int]:
    """Median seconds over ``runs`` fresh pipelines, and the token count."""
    docs = list(docs)
    times, tokens = [], 0
    for _ in range(runs):
        pipeline = factory()  # fresh instance: its per-word cache starts empty each run
        if factory is persearch_warm_pipeline:
            for doc in docs:
                pipeline(doc)
        start = time.perf_counter()
        tokens = sum(pipeline(doc) for doc in docs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), tokens


def bench(name: str, docs: list[str], runs: int, limit_mb: float) -> None:
    rows = []
    for pipeline, (factory, slow) in PIPELINES.items():
        try:
            factory()
        except ImportError as exc:
            print(f"  skipping {pipeline}: {exc.name or exc} is not installed", flush=True)
            continue
        sample = head(docs, limit_mb) if slow else docs
        mb = sum(len(d.encode("utf-8")) for d in sample) / 1e6
        seconds, tokens = measure(factory, sample, runs)
        rows.append((pipeline, mb, mb / seconds, tokens / seconds))
        print(f"  measured {pipeline}: {mb:.2f} MB in {seconds:.2f} s (median of {runs})", flush=True)
    base = next((r[2] for r in rows if r[0] == "hazm"), None)
    whoosh = next((r[2] for r in rows if r[0] == "whoosh-standard"), None)
    print(f"\n{name}\n")
    print("| pipeline | MB measured | MB/s | tokens/s | × hazm | × Whoosh |")
    print("|---|---:|---:|---:|---:|---:|")
    for pipeline, mb, mbps, tps in rows:
        ratio = f"{mbps / base:.1f}×" if base else "n/a"
        versus_whoosh = f"{mbps / whoosh:.2f}×" if whoosh else "n/a"
        print(f"| {pipeline} | {mb:.2f} | {mbps:.2f} | {tps:,.0f} | {ratio} | {versus_whoosh} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="?", help="JSONL(.gz) corpus, e.g. ../shared/data/news.jsonl.gz")
    parser.add_argument("--runs", type=int, default=3, help="runs per pipeline; the median is reported")
    parser.add_argument("--limit-mb", type=float, default=2.0, help="MB of each corpus the slow baselines see")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, runs={args.runs}, slow baselines limited to {args.limit_mb} MB")
    bench("seeds repeated to 5 MB", seeds_corpus(), args.runs, args.limit_mb)
    if args.corpus:
        bench(f"{args.corpus.name}", jsonl_corpus(args.corpus), args.runs, args.limit_mb)


if __name__ == "__main__":
    main()
