"""Which index terms a prefix (``کتابخ*``) or a fuzzy term (``کتاب~2``) reaches, and how each scores.

Both backends expand by these rules, from their own term dictionary, so a
query finds the same documents on either engine and the highlighter (which
applies the same rules to a hit's words) marks why each one matched:

- a fuzzy term reaches the terms within ``distance`` Levenshtein edits
  (insertion, deletion, substitution; no transpositions) that begin with its
  first ``prefix_length`` letters (1 by default: a slip in the first letter
  is rare, and without it every query walks the whole dictionary);
- a prefix reaches every term that begins with it.

Each reached term is scored by BM25 on its own, in a *tier*: the word itself
(tier 0), one edit away or a longer word for a prefix (1), two edits away (2).
A tier weighs a 25th of the one before it (counted from the best tier
present), and every term's IDF is brought to that of the most frequent term
of the best tier present (as Lucene blends the statistics of a fuzzy
query's terms): a rare misspelling does not outrank the word itself for
being rare. A document scores its best term in any field (a disjunction
max: many distant spellings, or one in both title and body, add nothing).
BM25's share for how often a word occurs, and in how long a text, spans
less than the 25 between two tiers (but in extremely long documents), so
exact matches rank above edits, and fewer edits above more. The :data:`MAX_TERMS` best terms are scored; the
rest still match, adding next to nothing (:data:`REST_WEIGHT`).

    >>> reached = fuzzy_terms([("کتاب", 90), ("کباب", 4), ("کتب", 30), ("کشتار", 9)], "کتاب", 1)
    >>> [(term, tier) for term, tier, _ in reached]
    [('کتاب', 0), ('کتب', 1), ('کباب', 1)]
"""
from __future__ import annotations

from typing import Callable, Iterable

from .edit_distance import distance_to
from .querytree import Fuzzy, Prefix

#: At most this many reached terms are scored (tier first, then document frequency).
MAX_TERMS = 128
#: Weight of each tier: the word itself, one edit (or a longer word), two edits.
TIER_WEIGHTS = (1.0, 0.04, 0.0016)
#: How much a document's other reached terms add to its best one (a disjunction max's tie
#: breaker): nothing, or a document with many different distant spellings would outrank the word.
TIE_BREAKER = 0.0
#: The weight of the terms past MAX_TERMS: they match, and add next to nothing.
REST_WEIGHT = 1e-6

Reached = tuple[str, int, int]  # term, tier, document frequency


def fuzzy_terms(candidates: Iterable[tuple[str, int]], text: str, distance: int,
                prefix_length: int = 1) -> list[Reached]:
    """``(term, tier, df)`` of the ``candidates`` (``(term, df)``) within ``distance`` edits
    of ``text`` that share its first ``prefix_length`` letters; best first."""
    head = text[:prefix_length]
    letters = set(text)
    edits_to = distance_to(text, distance)
    reached = []
    for term, df in candidates:
        if abs(len(term) - len(text)) > distance or not term.startswith(head):
            continue
        if term == text:
            reached.append((term, 0, df))
            continue
        # Cheap necessary conditions (set operations in C) before the edit distance:
        # each letter of one word missing from the other costs an edit.
        own = set(term)
        if len(own - letters) > distance or len(letters - own) > distance:
            continue
        edits = edits_to(term)
        if edits <= distance:
            reached.append((term, edits, df))
    return _best_first(reached)


def prefix_terms(candidates: Iterable[tuple[str, int]], text: str) -> list[Reached]:
    """``(term, tier, df)`` of the ``candidates`` beginning with ``text``; the word itself is tier 0."""
    return _best_first([(term, 0 if term == text else 1, df) for term, df in candidates if term.startswith(text)])


def reach(node: Prefix | Fuzzy, field: str, terms: Callable[[str, str], Iterable[tuple[str, int]]],
          cache: dict[tuple[object, ...], list[Reached]]) -> list[Reached]:
    """What ``node`` reaches in ``field``, from ``terms(field, prefix)`` (an engine's term
    dictionary), remembered in ``cache`` (which the engine empties when its index changes)."""
    fuzzy = isinstance(node, Fuzzy)
    key = (field, node.text, node.distance, node.prefix_length) if fuzzy else (field, node.text)
    found = cache.get(key)
    if found is None:
        if isinstance(node, Fuzzy):
            head = node.text[:node.prefix_length]
            found = fuzzy_terms(terms(field, head), node.text, node.distance, node.prefix_length)
        else:
            found = prefix_terms(terms(field, node.text), node.text)
        if len(cache) >= 512:
            cache.clear()
        cache[key] = found
    return found


def _best_first(reached: list[Reached]) -> list[Reached]:
    reached.sort(key=lambda item: (item[1], -item[2], item[0]))
    return reached


def weighted(reached: list[Reached], idf: Callable[[int], float]) -> tuple[list[tuple[str, float]], list[str]]:
    """Boosts for the scored terms (``(term, boost)``) and the terms that match at score 0.

    ``idf(df)`` is the engine's own IDF for a term in ``df`` documents;
    a term's boost is its tier's weight times the reference IDF over its own.
    """
    if not reached:
        return [], []
    scored, rest = reached[:MAX_TERMS], [term for term, _, _ in reached[MAX_TERMS:]]
    best_tier = scored[0][1]
    reference = idf(max(df for _, tier, df in scored if tier == best_tier))
    boosts = []
    for term, tier, df in scored:
        own = idf(df)
        # Tiers count from the best one present: without the word itself, one edit weighs 1.
        weight = TIER_WEIGHTS[min(tier - best_tier, len(TIER_WEIGHTS) - 1)]
        boosts.append((term, weight * (reference / own if own > 0 else 1.0)))
    return boosts, rest


__all__ = ["fuzzy_terms", "prefix_terms", "reach", "weighted", "MAX_TERMS", "TIER_WEIGHTS", "TIE_BREAKER", "REST_WEIGHT"]
