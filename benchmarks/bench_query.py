"""Query latency: persearch (Whoosh, tantivy, sphinx backends) vs raw Whoosh and raw tantivy, same run.

    python benchmarks/bench_query.py ../shared/data/news.jsonl.gz ../shared/data/poetry.jsonl.gz --limit 10000

For each corpus (JSON lines, optionally gzipped, ``{"id", "title", "text"}``):
builds, in a temporary folder, a persearch index on each backend, a raw
Whoosh index (StandardAnalyzer, title and body, body stored for Whoosh's
default highlighter) and a raw tantivy index (its default tokenizer, title and
body stored, its query parser and SnippetGenerator); generates mixed queries
from the corpus text (1-4 words, phrases, prefixes, fuzzy, OR) and prints
p50/p95/p99 latency of search alone and of search plus snippets of the top 10
hits, for every system, with ratios. Each query runs ``--runs`` times; its
median is what the percentiles are taken over. ``--no-tantivy`` skips both
tantivy columns. The sphinx backend is measured on one local searchd node and
on two (``benchmarks/sphinx_nodes.py``), with the top-10 overlap (Jaccard)
against the Whoosh backend and of 2 nodes against 1 (what per-node IDF
does); ``--no-sphinx`` (or no searchd, or no sphinx extra) skips it.

Structured search: every record also gets a ``source`` (its id's prefix) and
a ``date`` (a seeded random moment between 1395 and 1402, written in
Jalali, Gregorian or ISO form with a time, so the field is typed from mixed
calendars). On each backend, in one interleaved run (every variant of a
query timed one after the other), the table compares the plain query with
its total read (what ``persearch search`` shows) and without it, a date
range filter (one Jalali year, ~1/8 of the records) plus a ``source``
facet, the same with an open range (``date>=1397``, ~3/4), a sort by
``-date``, and ``--count`` with the range. Target: range + facet ≤ 1.5× the
plain query on each backend. The facet counts of both backends are checked
against each other on every query.

Then a second workload, closer to what people type: 1–3 words drawn in order
from real questions (``--questions``, the eval set's dev questions by
default), one query in eight with a typo; many end in the any-word fallback
and in suggestions (``--question-seed`` draws another sample). It prints
search + snippets of the top 10 for both backends and raw Whoosh with an OR
parser. ``--python-spans`` measures highlighting with the Python loop even
where persearch/_spans.c was built.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from persearch import Index  # noqa: E402
from whoosh.qparser import MultifieldParser, OrGroup  # noqa: E402
from persearch.backends.base import Document  # noqa: E402
from persearch.query import search  # noqa: E402

_WORD = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]{3,}")
_QUESTION_WORD = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u200c]{2,}")
CLASSES = ("1 word", "2 words", "3 words", "4 words", "phrase", "prefix", "fuzzy", "OR")
QUESTION_CLASSES = ("1 word", "2 words", "3 words", "typo")
QUESTIONS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "eval" / "dev-queries.jsonl"
#: One question-words query in this many gets a typo (one letter dropped, doubled or swapped).
TYPO_EVERY = 8


def read_docs(path: Path, limit: int) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    docs = []
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        for line in f:
            if line.strip():
                d = json.loads(line)
                docs.append({"id": str(d["id"]), "title": d.get("title") or "", "text": d.get("text") or ""})
                if limit and len(docs) >= limit:
                    break
    return add_fields(docs)


def add_fields(docs: list[dict[str, Any]], seed: int = 11) -> list[dict[str, Any]]:
    """A ``source`` (the id's prefix) and a ``date`` for every record, in mixed calendars and forms."""
    from persearch.values.dates import format_gregorian, format_jalali, parse_date

    rng = random.Random(seed)
    start, end = parse_date("1395/01/01").start, parse_date("1402/12/29").start
    for i, d in enumerate(docs):
        moment = rng.randrange(start, end) // 60 * 60
        form = i % 3
        d["metadata"] = {"source": d["id"].rsplit("-", 1)[0] if "-" in d["id"] else "other",
                         "date": (format_jalali(moment, time=True) if form == 0 else
                                  format_gregorian(moment, 210, time=True) if form == 1 else
                                  format_jalali(moment // 86400 * 86400, style="long"))}
    return docs


def make_queries(docs: list[dict[str, Any]], n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``(class, query)`` pairs drawn from the documents' own words."""
    rng = random.Random(seed)
    queries: list[tuple[str, str]] = []
    while len(queries) < n:
        doc = rng.choice(docs)
        words = _WORD.findall(doc["text"])
        if len(words) < 8:
            continue
        kind = CLASSES[len(queries) % len(CLASSES)]
        i = rng.randrange(len(words) - 4)
        if kind.endswith("word") or kind.endswith("words"):
            k = int(kind[0])
            q = " ".join(rng.sample(words, k))
        elif kind == "phrase":
            q = '"' + " ".join(words[i:i + rng.choice((2, 3))]) + '"'
        elif kind == "prefix":
            w = max(words[i:i + 4], key=len)
            q = w[:max(3, len(w) - 2)] + "*"
        elif kind == "fuzzy":
            q = max(words[i:i + 4], key=len) + "~"
        else:
            q = f"{words[i]} OR {rng.choice(words)}"
        queries.append((kind, q))
    return queries


def question_queries(path: Path, n: int, seed: int = 11) -> list[tuple[str, str]]:
    """``(class, query)``: 1–3 words drawn, in order, from real questions (the eval set's
    dev questions), as people type them into a search box; one query in ``TYPO_EVERY``
    has a typo in one word. Words of one question rarely all meet in one document of
    another corpus, so many of these end in the any-word fallback and in suggestions."""
    rng = random.Random(seed)
    questions = [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries: list[tuple[str, str]] = []
    while len(queries) < n:
        words = _QUESTION_WORD.findall(rng.choice(questions))
        if not words:
            continue
        k = min(len(words), rng.choice((1, 2, 3)))
        at = rng.randrange(len(words) - k + 1)
        picked = words[at:at + k]
        kind = QUESTION_CLASSES[k - 1]
        if len(queries) % TYPO_EVERY == TYPO_EVERY - 1:
            i = max(range(k), key=lambda j: len(picked[j]))
            word = picked[i]
            if len(word) >= 4:
                cut = rng.randrange(1, len(word) - 1)
                edit = rng.choice(("drop", "double", "swap"))
                if edit == "drop":
                    word = word[:cut] + word[cut + 1:]
                elif edit == "double":
                    word = word[:cut] + word[cut] + word[cut:]
                else:
                    word = word[:cut - 1] + word[cut] + word[cut - 1] + word[cut + 1:]
                picked[i] = word
                kind = "typo"
        queries.append((kind, " ".join(picked)))
    return queries


def build_persearch(docs: list[dict[str, Any]], path: Path, backend: str = "whoosh", nodes: str | None = None) -> Any:
    # One commit, one segment, like the raw Whoosh index below: each segment
    # costs every query a matcher of its own (Index.optimize() merges them).
    index = Index.create(path, backend=backend, **({"nodes": nodes} if nodes else {}))
    index.add_documents(Document(id=d["id"], text=d["text"], title=d["title"], metadata=d.get("metadata") or {})
                        for d in docs)
    return index


def build_whoosh(docs: list[dict[str, Any]], path: Path) -> tuple[Any, Any]:
    from whoosh import fields, index, scoring
    from whoosh.analysis import StandardAnalyzer
    from whoosh.qparser import FuzzyTermPlugin, MultifieldParser

    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
                           body=fields.TEXT(analyzer=StandardAnalyzer(), stored=True))
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), schema)
    writer = ix.writer(limitmb=256)
    for d in docs:
        writer.add_document(id=d["id"], title=d["title"], body=d["text"])
    writer.commit()
    parser = MultifieldParser(["title", "body"], schema)
    parser.add_plugin(FuzzyTermPlugin())
    return ix.searcher(weighting=scoring.BM25F()), parser


def build_tantivy(docs: list[dict[str, Any]], path: Path) -> tuple[Any, Any]:
    """Raw tantivy: its default tokenizer on title and body (both stored, for its SnippetGenerator)."""
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True)
    sb.add_text_field("body", stored=True)
    schema = sb.build()
    path.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(schema, str(path))
    writer = ix.writer(256_000_000, 1)
    for d in docs:
        writer.add_document(tantivy.Document(id=d["id"], title=d["title"], body=d["text"]))
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    return ix, schema


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def time_each(queries: list[tuple[str, str]], fn: Callable[[str], Any], runs: int) -> list[float]:
    per_query: list[list[float]] = [[] for _ in queries]
    for _ in range(runs):
        for i, (_, q) in enumerate(queries):
            started = time.perf_counter()
            fn(q)
            per_query[i].append((time.perf_counter() - started) * 1000)
    return [statistics.median(v) for v in per_query]


STRUCTURED = {  # variant -> search() keyword arguments; every variant reads the total, as the CLI does
    "plain": {},
    "range+facet": {"filters": ["date=1399"], "facets": ["source"]},
    "open range+facet": {"filters": ["date>=1397"], "facets": ["source"]},
    "sort -date": {"sort": "-date"},
    "count, range": {"filters": ["date=1399"], "limit": 0},
}


def time_interleaved(queries: list[tuple[str, str]], fns: dict[str, Callable[[str], Any]],
                     runs: int) -> dict[str, list[float]]:
    """Per variant, per query, the median CPU ms (this process's: on a shared machine wall time is
    mostly other jobs). A query's variants run one after the other, starting with a different one
    for each query, so no variant always pays the first run's warm-up."""
    names = list(fns)
    per: dict[str, list[list[float]]] = {name: [[] for _ in queries] for name in fns}
    for _ in range(runs):
        for i, (_, q) in enumerate(queries):
            for name in names[i % len(names):] + names[:i % len(names)]:
                started = time.process_time()
                fns[name](q)
                per[name][i].append((time.process_time() - started) * 1000)
    return {name: [statistics.median(v) for v in values] for name, values in per.items()}


def structured(indexes: dict[str, Any], queries: list[tuple[str, str]], runs: int) -> None:
    """The structured-search table: each backend's variants against its plain query, same run."""
    def variant(index: Any, options: dict[str, Any]) -> Callable[[str], Any]:
        def run(q: str) -> Any:
            results = search(index, q, snippets=False, **{"limit": 10, **options})
            return results.total, results.facets
        return run

    def untotalled(index: Any) -> Callable[[str], Any]:
        return lambda q: search(index, q, limit=10, snippets=False)

    print(f"\nstructured search, CPU ms (every variant but the first reads the total; interleaved, "
          f"median of {runs} runs)")
    print(f"{'':26} {'p50':>7} {'p95':>7} {'mean':>7} {'÷ plain':>8} {'÷ no total':>10}")
    for name, index in indexes.items():
        fns = {"plain, no total": untotalled(index), **{k: variant(index, v) for k, v in STRUCTURED.items()}}
        for _, q in queries[:50]:
            for fn in fns.values():
                fn(q)
        series = time_interleaved(queries, fns, runs)
        plain, bare = statistics.mean(series["plain"]), statistics.mean(series["plain, no total"])
        for label, values in series.items():
            mean = statistics.mean(values)
            print(f"{name + ' ' + label:26} {percentile(values, 50):7.2f} {percentile(values, 95):7.2f} "
                  f"{mean:7.2f} {mean / plain:7.2f}x {mean / bare:9.2f}x")
        ratio = statistics.mean(series["range+facet"]) / plain
        print(f"target {name}: range + facet ≤ 1.5× the plain query → {ratio:.2f}× "
              f"({statistics.mean(series['range+facet']) / bare:.2f}× a plain query that never counts)")
    (first_name, first), *others = indexes.items()
    for name, second in others:
        differ = [q for _, q in queries if search(first, q, limit=0, **STRUCTURED["range+facet"]).facets
                  != search(second, q, limit=0, **STRUCTURED["range+facet"]).facets]
        # A query whose matches differ before any filter has other facets too (docs/backends.md).
        unfiltered = sum(search(first, q, limit=0, suggest=False).total
                         != search(second, q, limit=0, suggest=False).total for q in differ)
        print(f"same range + facet counts on {first_name} and {name}: {len(queries) - len(differ)}/{len(queries)} "
              f"queries; of the {len(differ)} others, {unfiltered} already match other documents without the "
              f"filter ({', '.join(differ[:4])}{' …' if len(differ) > 4 else ''})")


def _jaccard(a: list[str], b: list[str]) -> float:
    return len(set(a) & set(b)) / len(set(a) | set(b)) if a or b else 1.0


def sphinx_overlaps(queries: list[tuple[str, str]], reference: Callable[[str], Any],
                    on_sphinx: dict[int, Callable[[str], Any]]) -> str:
    """Top-10 overlap (Jaccard) of the sphinx backend with the Whoosh backend, and of 2 nodes with 1."""
    lines = ""
    for count, sp_search in on_sphinx.items():
        overlaps = [_jaccard([h.id for h in reference(q).hits], [h.id for h in sp_search(q).hits])
                    for _, q in queries]
        lines += (f"\nsphinx backend, {count} node{'s' if count > 1 else ''}: queries with hits "
                  f"{sum(len(sp_search(q).hits) > 0 for _, q in queries)}; top-10 overlap with the Whoosh backend "
                  f"(Jaccard) mean {statistics.mean(overlaps):.2f}, ≥ 0.7 for "
                  f"{sum(o >= 0.7 for o in overlaps)}/{len(queries)} queries")
        by_class: dict[str, list[float]] = defaultdict(list)
        for (kind, _), overlap in zip(queries, overlaps):
            by_class[kind].append(overlap)
        lines += " (" + ", ".join(f"{k} {statistics.mean(v):.2f}" for k, v in by_class.items()) + ")"
    if len(on_sphinx) == 2:  # what per-node IDF does: the same index on 2 nodes against 1 node
        one, two = (on_sphinx[c] for c in sorted(on_sphinx))
        spread = [_jaccard([h.id for h in one(q).hits], [h.id for h in two(q).hits]) for _, q in queries]
        lines += (f"\nsphinx backend, 2 nodes against 1 node: top-10 overlap mean {statistics.mean(spread):.2f}, "
                  f"identical top-10 sets for {sum(o == 1.0 for o in spread)}/{len(queries)} queries")
    return lines


def bench(path: Path, limit: int, n_queries: int, runs: int, with_tantivy: bool = True,
          questions: Path | None = None, with_sphinx: bool = True, question_seed: int = 11) -> None:
    from sphinx_nodes import local_clusters

    docs = read_docs(path, limit)
    queries = make_queries(docs, n_queries)
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="persearch-bench-"))
        clusters = stack.enter_context(local_clusters(Path(tmp)) if with_sphinx else contextlib.nullcontext({}))
        t0 = time.perf_counter()
        index = build_persearch(docs, Path(tmp) / "persearch")
        t1 = time.perf_counter()
        searcher, parser = build_whoosh(docs, Path(tmp) / "whoosh")
        t2 = time.perf_counter()
        print(f"\n## {path.name}: {len(docs)} documents, {len(queries)} queries, median of {runs} runs")
        from persearch import stored_tokens

        print("highlighting's term search: " + ("compiled (persearch/_spans.c)" if stored_tokens._compiled_spans
                                                else "the Python loop (--python-spans, or _spans.c not built)"))
        built = f"indexing: persearch {t1 - t0:.1f} s, whoosh {t2 - t1:.1f} s"
        if with_tantivy:
            fast = build_persearch(docs, Path(tmp) / "persearch-tantivy", backend="tantivy")
            t3 = time.perf_counter()
            tix, tschema = build_tantivy(docs, Path(tmp) / "tantivy")
            t4 = time.perf_counter()
            built += f", persearch on tantivy {t3 - t2:.1f} s, raw tantivy {t4 - t3:.1f} s"
        on_sphinx = {}
        asked_overlap = ""
        for count, nodes in clusters.items():
            t5 = time.perf_counter()
            on_sphinx[count] = build_persearch(docs, Path(tmp) / f"persearch-sphinx-{count}", "sphinx", nodes)
            built += f", persearch on sphinx ({count} node{'s' if count > 1 else ''}) {time.perf_counter() - t5:.1f} s"
        print(built + " (one commit each)")
        sphinx_fns = {count: ((lambda q, ix=ix: search(ix, q, limit=10, snippets=False)),
                              (lambda q, ix=ix: search(ix, q, limit=10)))
                      for count, ix in on_sphinx.items()}

        def ps_search(q: str) -> Any:
            return search(index, q, limit=10, snippets=False)

        def ps_snippets(q: str) -> Any:
            return search(index, q, limit=10)

        def pt_search(q: str) -> Any:
            return search(fast, q, limit=10, snippets=False)

        def pt_snippets(q: str) -> Any:
            return search(fast, q, limit=10)

        def tv_query(q: str) -> Any:
            import tantivy

            return tix.parse_query_lenient(q, ["title", "body"])[0] if q else tantivy.Query.empty_query()

        def tv_search(q: str) -> Any:
            tsearcher = tix.searcher()
            return [tsearcher.doc(a)["id"][0] for _, a in tsearcher.search(tv_query(q), 10, count=False).hits]

        def tv_snippets(q: str) -> Any:
            import tantivy

            tsearcher = tix.searcher()
            query = tv_query(q)
            gen = tantivy.SnippetGenerator.create(tsearcher, query, tschema, "body")
            return [(doc["id"][0], gen.snippet_from_doc(doc).fragment())
                    for doc in (tsearcher.doc(a) for _, a in tsearcher.search(query, 10, count=False).hits)]

        def wh_search(q: str) -> Any:
            return [hit["id"] for hit in searcher.search(parser.parse(q), limit=10)]

        def wh_snippets(q: str) -> Any:
            results = searcher.search(parser.parse(q), limit=10)
            return [(hit["id"], hit.highlights("body")) for hit in results]

        warm = (ps_snippets, wh_snippets, pt_snippets, tv_snippets) if with_tantivy else (ps_snippets, wh_snippets)
        warm += tuple(fn for pair in sphinx_fns.values() for fn in pair)
        for fn in warm:  # warm caches (analyzer, spelling table, searcher)
            for _, q in queries[:50]:
                fn(q)
        series = {
            "persearch search": time_each(queries, ps_search, runs),
            "persearch search+snippets": time_each(queries, ps_snippets, runs),
            "whoosh search": time_each(queries, wh_search, runs),
            "whoosh search+highlights": time_each(queries, wh_snippets, runs),
        }
        if with_tantivy:
            series.update({
                "ps-tantivy search": time_each(queries, pt_search, runs),
                "ps-tantivy search+snippets": time_each(queries, pt_snippets, runs),
                "tantivy search": time_each(queries, tv_search, runs),
                "tantivy search+snippets": time_each(queries, tv_snippets, runs),
            })
        for count, (sp_search, sp_snippets) in sphinx_fns.items():
            series[f"ps-sphinx{count} search"] = time_each(queries, sp_search, runs)
            series[f"ps-sphinx{count} search+snippets"] = time_each(queries, sp_snippets, runs)
        structured({"whoosh": index, **({"tantivy": fast} if with_tantivy else {}),
                    **{f"sphinx{count}": ix for count, ix in on_sphinx.items()}}, queries, runs)
        if questions is not None:
            or_parser = MultifieldParser(["title", "body"], searcher.schema, group=OrGroup)

            def wh_or_snippets(q: str) -> Any:
                results = searcher.search(or_parser.parse(q), limit=10)
                return [(hit["id"], hit.highlights("body")) for hit in results]

            asked = question_queries(questions, n_queries, question_seed)
            for fn in (ps_snippets, wh_or_snippets, *((pt_snippets,) if with_tantivy else ())):
                for _, q in asked[:50]:
                    fn(q)
            question_series = {
                "persearch (Whoosh backend)": time_each(asked, ps_snippets, runs),
                "raw Whoosh, OR": time_each(asked, wh_or_snippets, runs),
            }
            if with_tantivy:
                question_series["persearch (tantivy backend)"] = time_each(asked, pt_snippets, runs)
            suggested = sum(ps_snippets(q).suggestion is not None for _, q in asked)
            fallback = sum("some of them" in (ps_snippets(q).message or "") for _, q in asked)
            if sphinx_fns:  # whole questions, ranked by persearch/query/ranking.py on every backend
                whole = [("question", json.loads(line)["query"])
                         for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()][:n_queries]
                asked_overlap = "\nwhole dev questions (ranked):" + sphinx_overlaps(
                    whole, ps_search, {count: fns[0] for count, fns in sphinx_fns.items()})
        hits = [len(ps_search(q).hits) for _, q in queries]
        whits = [len(wh_search(q)) for _, q in queries]
        counts = f"queries with hits: persearch {sum(h > 0 for h in hits)}, whoosh {sum(h > 0 for h in whits)}"
        if with_tantivy:
            same = sum([h.id for h in ps_search(q).hits] == [h.id for h in pt_search(q).hits] for _, q in queries)
            overlap = statistics.mean(
                len({h.id for h in ps_search(q).hits} & {h.id for h in pt_search(q).hits})
                / max(1, len(ps_search(q).hits)) for _, q in queries)
            counts += (f", persearch on tantivy {sum(len(pt_search(q).hits) > 0 for _, q in queries)} "
                       f"(same top-10 order as on Whoosh: {same}/{len(queries)}; mean top-10 overlap {overlap:.2f})")
            fast.close()
        counts += sphinx_overlaps(queries, ps_search, {count: fns[0] for count, fns in sphinx_fns.items()})
        counts += asked_overlap
        for ix in on_sphinx.values():
            ix.close()
        index.close()
    print(counts)
    print(f"{'ms':28} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, values in series.items():
        print(f"{name:28} {percentile(values, 50):7.2f} {percentile(values, 95):7.2f} "
              f"{percentile(values, 99):7.2f} {max(values):7.2f}")
    pairs = [("persearch search", "whoosh search"), ("persearch search+snippets", "whoosh search+highlights")]
    if with_tantivy:
        pairs += [("persearch search", "ps-tantivy search"),
                  ("persearch search+snippets", "ps-tantivy search+snippets"),
                  ("ps-tantivy search", "tantivy search"), ("ps-tantivy search+snippets", "tantivy search+snippets")]
    for count in sphinx_fns:
        pairs += [("persearch search", f"ps-sphinx{count} search"),
                  ("persearch search+snippets", f"ps-sphinx{count} search+snippets")]
        pairs += [(f"ps-sphinx{count} search", "ps-tantivy search")] if with_tantivy else []
    for a, b in pairs:
        ratio = "  ".join(f"p{p} {percentile(series[a], p) / percentile(series[b], p):.2f}x" for p in (50, 95, 99))
        print(f"ratio {a} / {b}: {ratio}")
    if with_tantivy:
        speed = percentile(series["persearch search"], 50) / percentile(series["ps-tantivy search"], 50)
        snips = (percentile(series["persearch search+snippets"], 50)
                 / percentile(series["ps-tantivy search+snippets"], 50))
        raw = percentile(series["ps-tantivy search"], 50) / percentile(series["tantivy search"], 50)
        print(f"targets: search p50 ≥ 10× faster than the Whoosh backend → {speed:.1f}×; within 2× of raw tantivy "
              f"→ {raw:.2f}×; search+snippets ≥ 5× faster → {snips:.1f}×")
    names = list(series)
    print(f"\n{'class (p50 / p99 ms)':14} " + " ".join(f"{n.replace('search', 's'):>16}" for n in names))
    by_class: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for i, (kind, _) in enumerate(queries):
        for name, values in series.items():
            by_class[kind][name].append(values[i])
    for kind in CLASSES:
        row = "".join(f"{percentile(v, 50):8.2f}/{percentile(v, 99):7.2f}" for v in by_class[kind].values())
        print(f"{kind:14} {row}")
    slowest = max(CLASSES, key=lambda k: percentile(by_class[k]["persearch search+snippets"], 50))
    worst = max(range(len(queries)), key=lambda i: series["persearch search+snippets"][i])
    print(f"slowest class (persearch search+snippets p50): {slowest}; "
          f"slowest query: {queries[worst][1]!r} {series['persearch search+snippets'][worst]:.1f} ms")
    if questions is not None:
        print(f"\n### 1–3 words drawn from real questions ({questions.name}; one in {TYPO_EVERY} with a typo): "
              f"search + snippets of the top 10, ms ({suggested} with a suggestion, {fallback} answered by "
              f"documents with some of the words)")
        print(f"{'ms':28} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7}")
        for name, values in question_series.items():
            print(f"{name:28} {percentile(values, 50):7.2f} {percentile(values, 95):7.2f} "
                  f"{percentile(values, 99):7.2f} {statistics.mean(values):7.2f}")
        whoosh_p50 = percentile(question_series["persearch (Whoosh backend)"], 50)
        line = (f"targets: Whoosh backend ≤ 1.2× raw Whoosh (OR) → "
                f"{whoosh_p50 / percentile(question_series['raw Whoosh, OR'], 50):.2f}×")
        if with_tantivy:
            line += (f"; tantivy backend ≥ 5× faster than the Whoosh backend → "
                     f"{whoosh_p50 / percentile(question_series['persearch (tantivy backend)'], 50):.1f}×")
        print(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path, help="JSON-lines corpora (.jsonl or .jsonl.gz)")
    parser.add_argument("--limit", type=int, default=0, help="index at most N documents per corpus (0 = all)")
    parser.add_argument("--queries", type=int, default=320)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy columns")
    parser.add_argument("--no-sphinx", action="store_true", help="skip the sphinx columns")
    parser.add_argument("--questions", type=Path, default=QUESTIONS if QUESTIONS.exists() else None,
                        help="JSON lines with a 'query' field: the question-words workload (default: the eval "
                             "set's dev questions; 'none' to skip)")
    parser.add_argument("--question-seed", type=int, default=11,
                        help="seed of the question-words sample (another seed: other words, other typos)")
    parser.add_argument("--python-spans", action="store_true",
                        help="highlight with the Python loop even where persearch/_spans.c was built "
                             "(what an install without a C compiler runs)")
    args = parser.parse_args(argv)
    if args.python_spans:
        from persearch import stored_tokens

        stored_tokens._compiled_spans = None
    questions = None if args.questions is None or str(args.questions) == "none" else args.questions
    for path in args.corpora:
        bench(path, args.limit, args.queries, args.runs, not args.no_tantivy, questions, not args.no_sphinx,
              args.question_seed)


if __name__ == "__main__":
    main()
