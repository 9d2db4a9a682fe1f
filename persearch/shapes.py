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
    """One search hit in the documented shape."""
    return {
        "rank": int(hit.rank), "id": str(hit.id), "path": str(hit.path), "title": str(hit.title or ""),
        "score": float(hit.score), "snippet": str(hit.snippet or ""),
        "highlights": spans(hit.highlights), "matches": spans(hit.matches),
    }


def results_json(query: str, results: Any) -> dict[str, Any]:
    """A page of search results in the documented shape."""
    return {
        "query": query, "total": int(results.total), "page": int(results.page),
        "suggestion": results.suggestion or None, "hits": [hit_json(h) for h in results.hits],
    }


def tokens_json(text: str, tokens: Iterable[Any]) -> dict[str, Any]:
    """``analyze --json``: the text and each token's term, offsets and position."""
    return {"text": text, "tokens": [
        {"text": t.text, "start": t.start, "end": t.end, "position": t.position} for t in tokens
    ]}


def report_json(report: Any) -> dict[str, Any]:
    """``index --json`` / ``update --json``: counts and failures."""
    data = report.to_dict() if hasattr(report, "to_dict") else dict(vars(report))
    failed = data.get("failed", [])
    return {
        "added": int(data.get("added", 0)), "updated": int(data.get("updated", 0)),
        "removed": int(data.get("removed", 0)), "unchanged": int(data.get("unchanged", 0)),
        "failed": [f if isinstance(f, dict) else {"path": str(f[0]), "error": str(f[1])} for f in failed],
    }


def stats_json(stats: dict[str, Any]) -> dict[str, Any]:
    """``stats --json``: the documented keys, JSON-safe (dates as ISO text)."""
    keys = ("documents", "terms", "size_bytes", "roots", "updated_at", "analyzer")
    return json.loads(json.dumps({k: stats.get(k) for k in keys}, default=str))


__all__ = ["spans", "hit_json", "results_json", "tokens_json", "report_json", "stats_json"]
