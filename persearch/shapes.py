"""The JSON shapes documented in docs/cli.md, as plain dicts.

``persearch search --json``, ``persearch serve``'s ``/api/search`` and any
other program that hands results on as JSON build them here, so the shapes
live in one place. Only plain values come out (str, int, float, None, lists,
dicts): ``json.dumps(results_json(query, results), ensure_ascii=False)`` is
the documented output.

    >>> tokens_json("کتاب‌ها", __import__("persearch").analyze("کتاب‌ها"))["tokens"][0]
    {'text': 'کتاب', 'start': 0, 'end': 7, 'position': 0}
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Sequence


def spans(pairs: Iterable[Sequence[int]]) -> list[list[int]]:
    """Offsets as JSON arrays: ``[(0, 4)] → [[0, 4]]``."""
    return [[int(s), int(e)] for s, e in pairs]


def hit_json(hit: Any) -> dict[str, Any]:
    """One search hit in the documented shape (``fields``: its record fields, dates in both calendars)."""
    return {
        "rank": int(hit.rank), "id": str(hit.id), "path": str(hit.path), "title": str(hit.title or ""),
        "score": float(hit.score), "snippet": str(hit.snippet or ""),
        "highlights": spans(hit.highlights), "matches": spans(hit.matches),
        "title_highlights": spans(getattr(hit, "title_highlights", ())),
        "fields": dict(getattr(hit, "values", None) or {}),
    }


def results_json(query: str, results: Any) -> dict[str, Any]:
    """A page of search results in the documented shape (``facets`` when asked for, ``partial``
    when part of the index did not answer: a Sphinx node down)."""
    data = {
        "query": query, "total": int(results.total), "page": int(results.page),
        "suggestion": results.suggestion or None, "corrected": bool(getattr(results, "corrected", False)),
        "message": getattr(results, "message", None) or None, "hits": [hit_json(h) for h in results.hits],
    }
    if getattr(results, "facet_specs", None):
        data["facets"] = facets_json(results.facets)
    return _with_partial(data, results)


def _with_partial(data: dict[str, Any], results: Any) -> dict[str, Any]:
    """``data`` with ``partial`` (which nodes did not answer, their share of the index) when set."""
    partial = getattr(results, "partial", None)
    if partial:
        data["partial"] = json.loads(json.dumps(partial, default=str))
        data["message"] = getattr(results, "message", None) or partial.get("message")
    return data


def count_json(query: str, results: Any) -> dict[str, Any]:
    """``search --count --json``: the query and how many documents match (and facets when asked for)."""
    data: dict[str, Any] = {"query": query, "total": int(results.total)}
    if getattr(results, "facet_specs", None):
        data["facets"] = facets_json(results.facets)
    return _with_partial(data, results)


def facets_json(facets: dict[str, dict[Any, int]]) -> dict[str, dict[str, int]]:
    """Facet counts with JSON object keys (numbers as text: ``{"year": {"1402": 3}}``)."""
    return {name: {str(value): int(n) for value, n in counts.items()} for name, counts in facets.items()}


def document_json(document: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``get --json``: a stored document's fields and text."""
    return {"id": str(document.get("id", "")), "path": str(document.get("path") or ""),
            "title": str(document.get("title") or ""), "format": str(document.get("format") or ""),
            "encoding": str(document.get("encoding") or ""), "fields": values,
            "text": str(document.get("text") or "")}


def tokens_json(text: str, tokens: Iterable[Any]) -> dict[str, Any]:
    """``analyze --json``: the text and each token's term, offsets and position."""
    return {"text": text, "tokens": [
        {"text": t.text, "start": t.start, "end": t.end, "position": t.position} for t in tokens
    ]}


def report_json(report: Any) -> dict[str, Any]:
    """``index --json`` / ``update --json`` / ``remove --json``: file counts, failures, document
    counts, and values kept as text."""
    if hasattr(report, "to_dict"):
        data = report.to_dict()
    else:
        data = dict(report if isinstance(report, dict) else vars(report))
    failed = data.get("failed", [])
    kept = data.get("kept_as_text", [])
    documents = data.get("documents") or {}
    return {
        "added": int(data.get("added", 0)), "updated": int(data.get("updated", 0)),
        "removed": int(data.get("removed", 0)), "unchanged": int(data.get("unchanged", 0)),
        "failed": [f if isinstance(f, dict) else {"path": str(f[0]), "error": str(f[1])} for f in failed],
        "documents": {key: int(documents.get(key) or 0) for key in ("added", "updated", "removed", "total")},
        "kept_as_text": [k if isinstance(k, dict) else {"where": str(k[0]), "reason": str(k[1])} for k in kept],
    }


def stats_json(stats: dict[str, Any]) -> dict[str, Any]:
    """``stats --json``: the documented keys, JSON-safe (dates as ISO text); ``nodes`` for an
    index spread over nodes (each one's address, documents, and whether it answers)."""
    keys = ("documents", "terms", "size_bytes", "roots", "updated_at", "analyzer")
    shown = {k: stats.get(k) for k in keys}
    if "nodes" in stats:
        shown["nodes"] = stats["nodes"]
    return json.loads(json.dumps(shown, default=str))


__all__ = ["spans", "hit_json", "results_json", "count_json", "facets_json", "document_json", "tokens_json",
           "report_json", "stats_json"]
