"""Snippets: the best fragments of a text around its matched words.

:meth:`persearch.highlight.Matcher.find` says where a hit's text matches a
query (``(start, end, label)``: the label names what matched, a term or a
phrase); :func:`make_snippet` picks the fragments with the most distinct
labels, then the densest, cuts them at word boundaries and moves the
highlights into the snippet.

    >>> s = make_snippet("کتاب خوب", [(0, 4, "کتاب")])
    >>> s.text[s.highlights[0][0]:s.highlights[0][1]]
    'کتاب'
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable, Protocol, Union

Span = tuple[int, int]


class SlicedText(Protocol):
    """A text read only in slices (``text[a:b]``, ``len(text)``): a long stored document whose
    characters are decoded only where a snippet reads them (:class:`persearch.compact.CompactText`)."""

    def __len__(self) -> int: ...

    def __getitem__(self, key: slice) -> str: ...


#: What a snippet is cut from. It is read in a slice per fragment (and a glance past the
#: last one), so a stored text need not be decoded whole for a few hundred characters.
Text = Union[str, SlicedText]

@dataclass(frozen=True)
class Snippet:
    """A plain-text snippet and its highlighted spans (offsets into ``text``)."""

    text: str
    highlights: list[Span]


_SPACE = re.compile(r"\s")
_LAST_SPACE = re.compile(r"(?s).*\s")  # greedy: backs off from the end to the last space
_LINE_BREAK = re.compile("[\n\r\t\v\f\x1c-\x1f\x85\u2028\u2029]")  # shown as spaces, one for one
_SNAP_REACH = 40  # how far a fragment edge moves to reach a word boundary


def _snap_start(text: str, start: int, limit: int) -> int:
    """Move ``start`` forward to a word start, never past ``limit``."""
    if start <= 0:
        return 0
    if text[start - 1].isspace():
        return start
    reach = start + _SNAP_REACH
    space = _SPACE.search(text, start, limit if limit < reach else reach)
    return space.end() if space is not None else start


def _snap_end(text: str, end: int, limit: int) -> int:
    """Move ``end`` back to a word end, never before ``limit``."""
    size = len(text)
    if end >= size:
        return size
    if text[end].isspace():
        return end
    reach = end - _SNAP_REACH
    space = _LAST_SPACE.match(text, limit if limit > reach else reach, end)
    return space.end() - 1 if space is not None else end


def _text_follows(text: Text, at: int) -> bool:
    """Whether anything but whitespace follows ``at``, read a chunk at a time."""
    size = len(text)
    while at < size:
        if not text[at:at + 256].isspace():
            return True
        at += 256
    return False


def _one_line(fragment: str) -> str:
    """``fragment`` with every line break shown as a space (one character for one)."""
    # Cheaper than the regex (~11K instructions for 160 characters): \n, the usual line
    # break, replaced in one C pass; then splitlines() (C, a fifth of the regex's cost)
    # finds every other _LINE_BREAK character but a tab and \x1f. Most fragments need
    # nothing more.
    shown = fragment.replace("\n", " ")
    lines = shown.splitlines()
    if len(lines) == 1 and len(lines[0]) == len(shown) and "\t" not in shown and "\x1f" not in shown:
        return shown
    return _LINE_BREAK.sub(" ", shown)


def make_snippet(text: Text, matches: list[tuple[int, int, str]], length: int = 160, fragments: int = 2,
                 ellipsis: str = "…", weight: Callable[[str], float] | None = None) -> Snippet:
    """The best fragments of ``text`` around ``matches`` (from :meth:`Matcher.find`).

    Fragments with the most distinct query terms win (each label counting
    ``weight(label)``, 1 by default: :meth:`Matcher.weight`), then the densest; each is
    at most ``length`` characters, cut at word boundaries, joined in text order
    with ``ellipsis`` where text was left out. Line breaks become spaces (one
    character for one, so offsets stay exact). ``text`` is read only in a
    slice around each fragment (a :class:`SlicedText` decodes no more).

    >>> s = make_snippet("کتاب خوب", [(0, 4, "کتاب")])
    >>> s.text[s.highlights[0][0]:s.highlights[0][1]]
    'کتاب'
    """
    matches = sorted(matches)
    return _assemble(text, _choose(text, matches, length, fragments, weight or _one), matches, ellipsis)


def _one(label: str) -> float:
    return 1.0


def _best_window(items: list[tuple[int, int, str]], length: int,
                 weight: Callable[[str], float] = _one) -> tuple[int, int]:
    """Indices ``(i, j)`` of the run of sorted ``items`` within ``length`` characters
    holding the most distinct labels (weighted), then the most items (the first such run)."""
    n = len(items)
    if n == 1:
        return (0, 0)
    ends = [item[1] for item in items]
    if max(ends) <= items[0][0] + length:  # the first window holds every item: no run beats it
        return (0, n - 1)
    labels = [item[2] for item in items]
    best = (0, 0)
    j = 0  # items[i..j] is the window
    if len(set(labels)) == 1:  # one query term: the run with the most items
        most = -1
        for i in range(n):
            if j < i:
                j = i
            limit = items[i][0] + length
            while j + 1 < n and ends[j + 1] <= limit:
                j += 1
            if j - i > most:
                most, best = j - i, (i, j)
        return best
    # Each distinct label counts its weight, in millionths: whole numbers add up exactly.
    weights = {label: round(weight(label) * 1_000_000) for label in set(labels)}
    counts = {labels[0]: 1}  # the labels of the window
    present = weights[labels[0]]  # their weights added up
    best_score = (-1, -1)
    for i in range(n):
        if j < i:
            j = i
            counts[labels[i]] = counts.get(labels[i], 0) + 1
            if counts[labels[i]] == 1:
                present += weights[labels[i]]
        limit = items[i][0] + length
        while j + 1 < n and ends[j + 1] <= limit:
            j += 1
            label = labels[j]
            counts[label] = counts.get(label, 0) + 1
            if counts[label] == 1:
                present += weights[label]
        score = (present, j - i)
        if score > best_score:
            best_score, best = score, (i, j)
        label = labels[i]
        if counts[label] == 1:
            del counts[label]
            present -= weights[label]
        else:
            counts[label] -= 1
    return best


def _choose(text: Text, items: list[tuple[int, int, str]], length: int, fragments: int,
            weight: Callable[[str], float] = _one) -> list[tuple[int, int, str]]:
    """Up to ``fragments`` non-overlapping stretches of ``text`` around the best runs of
    sorted ``items``, snapped to word boundaries, in text order, touching ones merged:
    ``(start, end, text[start:end])`` each."""
    # Runs once per hit: arithmetic with conditionals rather than min()/max() calls.
    length = length if length > 20 else 20
    size = len(text)
    remaining = items
    chosen: list[tuple[int, int, str]] = []
    wanted = fragments if fragments > 1 else 1
    while remaining:
        i, j = _best_window(remaining, length, weight)
        first = remaining[i][0]
        last = remaining[i][1] if i == j else max([item[1] for item in remaining[i:j + 1]])
        spare = length - (last - first)
        start = first - spare // 3 if spare > 0 else first
        if start < 0:
            start = 0
        end = start + length if start + length > last else last
        if end > size:
            end = size
        # One slice holds all that snapping reads: the character before the start, and the one at the end.
        low = start - 1 if start > 0 else 0
        piece = text[low:end + 1]
        start = low + _snap_start(piece, start - low, first - low)
        end = low + _snap_end(piece, end - low, last - low)
        chosen.append((start, end, piece[start - low:end - low]))
        if len(chosen) == wanted:
            break
        # Further fragments must not overlap those already chosen.
        remaining = [m for m in remaining if m[1] <= start or m[0] >= end]
    if not chosen:
        piece = text[0:length + 1]
        end = _snap_end(piece, min(size, length), 0)
        end = end if end > 0 else min(size, length)
        return [(0, end, piece[:end])]
    if len(chosen) == 1:
        return chosen
    chosen.sort()
    merged = [chosen[0]]
    for s, e, shown in chosen[1:]:
        if s <= merged[-1][1] + 1:
            low, high, _ = merged[-1]
            high = e if e > high else high
            merged[-1] = (low, high, text[low:high])
        else:
            merged.append((s, e, shown))
    return merged


def _assemble(text: Text, fragments: list[tuple[int, int, str]], matches: list[tuple[int, int, str]],
              ellipsis: str) -> Snippet:
    """The snippet text of ``fragments`` (from :func:`_choose`) joined by ``ellipsis``, with the sorted
    ``matches`` inside them as highlights."""
    parts: list[str] = []
    highlights: list[Span] = []
    offset = 0
    count = len(matches)
    for s, e, shown in fragments:
        # Trim whitespace at the edges of the fragment (offsets shift accordingly).
        if shown and shown[0].isspace():
            shown = shown.lstrip()
            s = e - len(shown)
        if shown and shown[-1].isspace():
            shown = shown.rstrip()
            e = s + len(shown)
        if parts:
            prefix = " " + ellipsis + " "  # merged fragments never touch: text was left out
        else:
            prefix = ellipsis + " " if s > 0 else ""
        parts.append(prefix)
        shift = offset + len(prefix) - s
        k = bisect_left(matches, (s,))  # the matches starting in the fragment
        while k < count:
            ms, me, _ = matches[k]
            if ms > e:
                break
            if me <= e:
                highlights.append((ms + shift, me + shift))
            k += 1
        parts.append(_one_line(shown))
        offset = shift + e
    if fragments and _text_follows(text, fragments[-1][1]):
        parts.append(" " + ellipsis)
    return Snippet("".join(parts), highlights)


__all__ = ["Snippet", "make_snippet"]
