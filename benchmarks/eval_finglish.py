"""Finglish suggestions: accuracy on a word list, and their cost per query, on both backends.

    python benchmarks/eval_finglish.py ../shared/data/news.jsonl.gz [--words LIST.tsv ...] [--misses]

Builds a persearch index of the corpus (JSON lines, optionally gzipped,
``{"id", "title", "text"}``) in a temporary folder on each backend (or opens
``--index DIR``), then for each word list (default: benchmarks/finglish_words.tsv,
the list the costs were tuned on, and finglish_heldout.tsv, written before
that) and each Finglish entry whose Persian target the index holds:

* the suggestion ``index.search(finglish)`` returns, right when it analyzes to
  the target's terms (top-1), and whether its hits replaced the typed query's;
* the ranked readings of :func:`persearch.query.finglish.candidates` for one-word
  entries (top-3: the target among the first three);
* coverage: entries given any suggestion at all.

Entries whose target the index lacks are counted apart (nothing can be found).
Cost: the median time of ``search(finglish)`` (which transliterates and
searches the Persian) against ``search(target)`` typed in Persian, in the
same run, each query timed ``--runs`` times interleaved (medians; a shared
machine makes absolute figures noisy, compare the ratio).
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persearch import Index  # noqa: E402
from persearch.backends.base import Document  # noqa: E402
from persearch.query.finglish import candidates, vocabulary_of  # noqa: E402
from persearch.suggest import spell_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORD_LISTS = [ROOT / "benchmarks" / "finglish_words.tsv", ROOT / "benchmarks" / "finglish_heldout.tsv"]


def read_words(path: Path) -> list[tuple[str, str, str]]:
    """``(finglish, persian, kind)`` rows of the word list (``#`` lines are comments)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            finglish, persian, kind = line.split("\t")
            rows.append((finglish, persian, kind))
    return rows


def read_docs(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        return [json.loads(line) for line in f if line.strip()]


def build(docs: list[dict[str, Any]], path: Path, backend: str) -> Index:
    index = Index.create(path, backend=backend)
    index.add_documents(Document(id=str(d["id"]), text=d.get("text") or "", title=d.get("title") or "")
                        for d in docs)
    index.optimize()
    return index


def terms(index: Index, text: str | None) -> list[str]:
    return [t.text for t in index.analyzer.tokens(text or "", keep_stopwords=True)]


def same_words(index: Index, got: str | None, want: str) -> bool:
    """Whether ``got`` names the words of ``want``: word by word, their index terms meet
    (مساله for مسئله, whose terms are مسیله and مساله)."""
    got_words, want_words = (got or "").split(), want.split()
    return len(got_words) == len(want_words) and all(
        set(terms(index, g)) & set(terms(index, w)) for g, w in zip(got_words, want_words))


def evaluate(index: Index, rows: list[tuple[str, str, str]], runs: int) -> dict[str, Any]:
    table = spell_index(index)
    vocabulary = vocabulary_of(table)
    held = [r for r in rows if all(t in table for t in terms(index, r[1]))]
    top1 = top3 = words = covered = searched = 0
    misses: list[str] = []
    for finglish, persian, _ in held:
        results = index.search(finglish, limit=10)
        covered += results.suggestion is not None
        if same_words(index, results.suggestion, persian):
            top1 += 1
            direct = index.search(results.suggestion, limit=10, suggest=False)  # type: ignore[arg-type]
            searched += bool(results.hits) and [h.id for h in results.hits] == [h.id for h in direct.hits]
        else:
            misses.append(f"{finglish} → {results.suggestion} (want {persian})")
        if " " not in finglish and "-" not in finglish:
            words += 1
            ranked = candidates(finglish, vocabulary, index.analyzer, limit=3)
            want = terms(index, persian)
            top3 += any(c.term in want for c in ranked)
    # cost: the Finglish query against its Persian target typed as such, interleaved
    finglish_ms: list[float] = []
    persian_ms: list[float] = []
    for finglish, persian, _ in held:
        a, b = [], []
        for _ in range(runs):
            t = time.perf_counter()
            index.search(finglish, limit=10)
            a.append(time.perf_counter() - t)
            t = time.perf_counter()
            index.search(persian, limit=10)
            b.append(time.perf_counter() - t)
        finglish_ms.append(statistics.median(a) * 1000)
        persian_ms.append(statistics.median(b) * 1000)
    return {
        "entries": len(rows), "held": len(held), "top1": top1, "top3": top3, "words": words,
        "covered": covered, "searched": searched, "misses": misses,
        "finglish_ms": statistics.median(finglish_ms), "persian_ms": statistics.median(persian_ms),
        "finglish_p95": sorted(finglish_ms)[int(0.95 * (len(finglish_ms) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, nargs="?", help="JSON lines corpus (news.jsonl.gz)")
    parser.add_argument("--index", type=Path, help="an existing index instead of building one")
    parser.add_argument("--words", type=Path, action="append", help="a word list (repeatable)")
    parser.add_argument("--backend", choices=("whoosh", "tantivy", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="list the entries the suggestion got wrong")
    args = parser.parse_args()
    if args.corpus is None and args.index is None:
        parser.error("give a corpus or --index")
    lists = args.words or WORD_LISTS
    backends = ("whoosh", "tantivy") if args.backend == "both" else (args.backend,)
    docs = read_docs(args.corpus) if args.index is None else []
    print("| backend | word list | target in index | top-1 (suggestion) | top-3 (one-word readings) | coverage "
          "| hits replaced | search p50 Finglish / Persian, ms | ratio | Finglish p95, ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    all_misses: dict[tuple[str, str], list[str]] = {}
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            index = Index.open(args.index) if args.index else build(docs, Path(tmp) / "ix", backend)
            if args.index and index.backend_name != backend:
                index.close()
                continue
            for path in lists:
                r = evaluate(index, read_words(path), args.runs)
                held = r["held"] or 1
                print(f"| {backend} | {path.name} | {r['held']} / {r['entries']} | {r['top1'] / held:.3f} ({r['top1']}) "
                      f"| {r['top3'] / max(r['words'], 1):.3f} ({r['top3']} / {r['words']}) "
                      f"| {r['covered'] / held:.3f} | {r['searched']} "
                      f"| {r['finglish_ms']:.2f} / {r['persian_ms']:.2f} "
                      f"| {r['finglish_ms'] / r['persian_ms']:.2f} | {r['finglish_p95']:.2f} |")
                all_misses[backend, path.name] = r["misses"]
            index.close()
    if args.misses:
        for (backend, name), misses in all_misses.items():
            print(f"\n{backend}, {name}: {len(misses)} wrong or missing")
            for m in misses:
                print("  " + m)


if __name__ == "__main__":
    main()
