"""Find matched words in a stored text and cut snippets around them.

A hit's stored text is the original document: highlights must land on its
surface words (diacritics, tatweel, ZWNJ suffixes and invisible characters
included), so the text is never normalized as a whole. Re-analyzing a whole
news article for every hit costs more than the search. Indexes store each
document's index-time tokens (:mod:`persearch.stored_tokens`): when given
them, :meth:`Matcher.find` looks the query terms, prefixes and fuzzy terms
up there and analyzes nothing. Otherwise (texts without stored tokens) it
works in two steps:

1. a compiled regex finds *candidate* places cheaply: each query term's first
   letters, where every letter also accepts each spelling that folds to it
   (ي for ی, ك for ک, ۲ for 2, أ/آ/ئ for ا ...) and marks, tatweel, ZWNJ,
   format characters and spaces may sit between letters. Stems only ever strip
   endings, so a word whose term is a query term contains those letters: the
   filter can only over-select, never miss;
2. only the word group holding a candidate (found by
   :func:`~persearch.analysis.tokenize.group_start`: a spaced verb prefix or
   suffix and number separators count) is analyzed with the real analyzer, and
   its tokens are compared with the query terms.

    >>> m = Matcher(Analyzer(), terms={"کتاب"})
    >>> m.spans("این كتاب‌هایشان است")
    [(4, 15)]

Offsets are Python ``str`` indices, half-open: ``text[start:end]`` is the word.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from .analysis.chars import (ALEF, ARABIC_MARKS, ARABIC_THOUSANDS_SEPARATOR, FARSI_YEH, FOLD_TABLE,
                             FORMAT_CHARS, LATIN_MARKS, NBSP, TATWEEL, WAW, YEH_HAMZA, ZWNJ)
from .analysis.normalize import LATIN_ACCENTED, NEEDS_NFKC
from .analysis.tokenize import WORD_GROUP, group_start
from .edit_distance import edit_distance
from .stored_tokens import StoredTokens, needle

if TYPE_CHECKING:
    from .analysis import Analyzer

Span = tuple[int, int]

#: Characters that may sit inside a surface word between two letters of its term.
IGNORABLE = ARABIC_MARKS + LATIN_MARKS + FORMAT_CHARS + TATWEEL + ZWNJ + NBSP + " ," + ARABIC_THOUSANDS_SEPARATOR
#: What the candidate filter lets sit between letters: a superset of IGNORABLE
#: (every non-word character, and tatweel) that compiles in microseconds, where
#: a class listing IGNORABLE's ranges costs ~0.2 ms per occurrence to compile.
_GAP = f"[\\W{TATWEEL}]*"
#: Characters no word group contains: the analyzer's groups never cross them.
#: (. and , may sit between digits, so they only count when no digit follows.)
_CLAUSE_END = re.compile(
    f"[^\\w{re.escape(ARABIC_MARKS + LATIN_MARKS + FORMAT_CHARS + ZWNJ + NBSP)} .,\u066b\u066c]"
    "|[.,\u066b\u066c](?!\\d)"
)
_MAX_BACK = 300  # how far a clause may reach back before a candidate


def _inverse_fold() -> dict[str, str]:
    """Folded letter -> every character that folds to it (itself included)."""
    inverse: dict[str, set[str]] = {}
    for code, target in FOLD_TABLE.items():
        if target and len(target) == 1:
            inverse.setdefault(target, {target}).add(chr(code))
    # ئ (and ٸ, which folds to it) becomes ی (or و before و), and ا in the hamza spelling variant.
    for letter in (ALEF, FARSI_YEH, WAW):
        inverse.setdefault(letter, {letter}).update(inverse.get(YEH_HAMZA, {YEH_HAMZA}))
    return {k: "".join(sorted(v)) for k, v in inverse.items()}


_INVERSE = _inverse_fold()


def _letter_chars(ch: str) -> str:
    """Every character a text may show for the folded letter ``ch``."""
    chars = _INVERSE.get(ch, ch)
    upper = ch.upper()
    if len(upper) == 1 and upper != ch:
        chars += upper
    return chars


def _letter_pattern(ch: str) -> str:
    """``ch`` in any spelling: ``[كک]`` for ک.

    A class of more than two ranges outside Latin-1 costs ~0.2 ms to compile
    (the regex compiler builds a 64K table) and an alternation of single
    characters is merged into such a class, unless one alternative is an
    atomic group: ``(?:ي|ی|(?>ى))`` compiles 4× faster and matches as fast.
    """
    runs: list[str] = []  # consecutive code points
    for c in sorted(_letter_chars(ch)):
        if runs and ord(c) == ord(runs[-1][-1]) + 1:
            runs[-1] += c
        else:
            runs.append(c)
    ranges = [re.escape(run) if len(run) == 1 else f"{re.escape(run[0])}-{re.escape(run[-1])}" for run in runs]
    if len(runs) == 1 and len(runs[0]) == 1:
        return ranges[0]
    if len(runs) <= 2:
        return "[" + "".join(ranges) + "]"
    alternatives = [r if len(run) == 1 else f"[{r}]" for run, r in zip(runs, ranges)]
    return "(?:" + "|".join(alternatives[:-1]) + f"|(?>{alternatives[-1]}))"


def _candidate_pattern(keys: Iterable[str]) -> str:
    """One regex finding every key, its letters in any spelling, ignorables between them.

    It starts with one character class, every spelling of every key's first
    letter, so that the regex engine skips in C to the next place a key may
    start (an alternation is tried at every position: ~3× slower); there a
    lookbehind picks the keys starting with that letter.
    """
    by_first: dict[str, set[str]] = {}
    for key in keys:
        by_first.setdefault(key[0], set()).add(key[1:])
    firsts = "".join(sorted({c for first in by_first for c in _letter_chars(first)}))
    branches = []
    for first, rests in sorted(by_first.items()):
        # Longest first: a candidate reaches as far as its key does.
        alternatives = "|".join("".join(_GAP + _letter_pattern(c) for c in rest)
                                for rest in sorted(rests, key=len, reverse=True))
        branches.append(f"(?<={_letter_pattern(first)})(?:{alternatives})")
    return f"[{re.escape(firsts)}](?:{'|'.join(branches)})"


def _key(term: str, *, exact_stem: bool) -> str:
    """The letters every surface word of ``term`` contains, in order, at its start."""
    # The stemmer may restore a final ه (ستارگان → ستاره): that letter is not on the page.
    if exact_stem and term.endswith("ه") and len(term) > 1:
        term = term[:-1]
    return term[:6]


@functools.lru_cache(maxsize=None)
def _unfiltered() -> re.Pattern[str]:
    """Texts the letter classes of the candidate filter do not cover, analyzed whole:
    presentation forms and ligatures (normalized by NFKC), precomposed accented
    Latin letters (decomposed: À is found by a), and letters that lowercase to a
    letter which does not uppercase back to them (the Kelvin sign K, the ohm sign Ω).
    Built on first use (~15 ms): only the analysis path needs it."""
    irregular = "".join(c for c in map(chr, range(0x80, 0x1F000))
                        if (low := c.lower()) != c and (len(low) != 1 or low.upper() != c))
    return re.compile(f"{NEEDS_NFKC.pattern}|{LATIN_ACCENTED.pattern}|[{re.escape(irregular)}]")


class Matcher:
    """Finds the words of a text that match a query's terms, prefixes or fuzzy terms.

    ``Matcher(Analyzer(), terms={"کتاب"}).spans("کِتابـها")`` → ``[(0, 8)]``.
    Built once per query and reused for every hit.
    """

    def __init__(self, analyzer: "Analyzer", terms: Iterable[str] = (), prefixes: Iterable[str] = (),
                 fuzzy: Iterable[tuple[str, int, int]] = ()) -> None:
        self.analyzer = analyzer
        self.terms = frozenset(t for t in terms if t)
        self.prefixes = tuple(sorted(set(p for p in prefixes if p)))  # an empty prefix finds nothing
        self.fuzzy = tuple(sorted(set(fuzzy)))
        # Only the builtin stemmer is known to strip endings only.
        self._filter = analyzer.stemmer in ("builtin", None) and not analyzer.lemmatize
        # Built on first use: hits with stored tokens never need it (~0.1 ms a query).
        self._candidates: re.Pattern[str] | None | bool = False
        self._needles: dict[bool, list[bytes]] = {}  # by the code of the stored terms
        self._fuzzy_pattern: re.Pattern[str] | None = None
        self._accepted: dict[str, bool] = {}
        self._by_surface: dict[str, list[tuple[int, int, str]]] = {}
        self.empty = not (self.terms or self.prefixes or self.fuzzy)

    def _matches(self, term: str) -> bool:
        if term in self.terms:
            return True
        for prefix in self.prefixes:
            if term.startswith(prefix):
                return True
        for text, distance, prefix_len in self.fuzzy:
            if term[:prefix_len] == text[:prefix_len] and edit_distance(term, text, distance) <= distance:
                return True
        return False

    def find(self, text: str, max_matches: int = 500, stored: StoredTokens | None = None) -> list[tuple[int, int, str]]:
        """Every matching word as ``(start, end, term)``, in text order, overlaps merged.

        ``term`` is the query term the word matched (for counting distinct terms).
        ``stored``, the text's index-time tokens, spares analyzing anything.
        """
        if self.empty or not text:
            return []
        if stored is not None:
            found = stored.spans(self._stored_terms(stored.compact))
            if self.fuzzy:
                found += stored.candidates(self._fuzzy_candidates(), self._accepts)
            return _merge(found)[:max_matches]
        candidates = self._candidate_regex()
        if candidates is None or _unfiltered().search(text):
            return _merge(self._group(text, 0))[:max_matches]
        found: list[tuple[int, int, str]] = []
        done = 0  # text before this offset has been analyzed
        search = candidates.search
        match = search(text, 0)
        while match is not None and len(found) < max_matches:
            more, done = self._verify(text, match.start(), match.end(), done)
            found.extend(more)
            match = search(text, max(done, match.end()))
        return _merge(found)[:max_matches]

    def _candidate_regex(self) -> re.Pattern[str] | None:
        """The regex finding where a match may be (None: analyze whole texts)."""
        if self._candidates is False:
            keys: set[str] = set()
            # A fuzzy term whose first letter may differ (prefix length 0) has no key.
            if self._filter and all(prefix_len > 0 for _, _, prefix_len in self.fuzzy):
                keys.update(_key(t, exact_stem=True) for t in self.terms)
                # a broken plural holds its singular stacked, not its letters (اخبار: خبر)
                keys.update(_key(form, exact_stem=False)
                            for t in self.terms for form in self.analyzer.conflated_forms(t))
                keys.update(_key(form, exact_stem=False)
                            for p in self.prefixes for form in self.analyzer.conflated_forms(p, prefix=True))
                keys.update(_key(p, exact_stem=True) for p in self.prefixes)
                keys.update(t[:max(prefix_len, 1)] for t, _, prefix_len in self.fuzzy)
                keys.discard("")
            self._candidates = re.compile(_candidate_pattern(keys)) if keys else None
        return self._candidates  # type: ignore[return-value]

    def _fuzzy_candidates(self) -> re.Pattern[str]:
        """Stored terms that may be within reach of a fuzzy term: same first letters, length in range."""
        if self._fuzzy_pattern is None:
            alternatives = []
            for text, distance, prefix_len in self.fuzzy:
                head = text[:prefix_len]
                shortest, longest = max(1, len(text) - distance) - len(head), len(text) + distance - len(head)
                alternatives.append(f"{re.escape(head)}[^\\0]{{{max(0, shortest)},{longest}}}")
            self._fuzzy_pattern = re.compile("\\0(?:" + "|".join(alternatives) + ")(?=\\0)")
        return self._fuzzy_pattern

    def _accepts(self, term: str) -> bool:
        # The same words recur across a query's hits: an edit distance is worked out once per word.
        accepted = self._accepted.get(term)
        if accepted is None:
            accepted = self._accepted[term] = self._matches(term)
        return accepted

    def _stored_terms(self, compact_code: bool) -> list[bytes]:
        """The query's terms and prefixes as needles for :meth:`StoredTokens.spans`."""
        needles = self._needles.get(compact_code)
        if needles is None:
            wanted = [needle(t, compact_code=compact_code) for t in self.terms]
            wanted += [needle(p, prefix=True, compact_code=compact_code) for p in self.prefixes]
            needles = self._needles[compact_code] = [n for n in wanted if n is not None]
        return needles

    def _verify(self, text: str, start: int, end: int, done: int) -> tuple[list[tuple[int, int, str]], int]:
        """The matches in the word groups holding ``text[start:end]`` (usually one group),
        and where the analyzed text ends; text before ``done`` is not analyzed again.
        A clause around the candidate is analyzed when its word is too long to
        find where its group starts.
        """
        low = group_start(text, start)
        if low is None:
            low = _clause_start(text, start)
        found: list[tuple[int, int, str]] = []
        for group in WORD_GROUP.finditer(text, max(done, low)):
            if group.start() >= end:
                break
            found.extend(self._group(group.group(), group.start()))
            done = group.end()
        return found, done

    def _group(self, surface: str, offset: int) -> list[tuple[int, int, str]]:
        # The same words recur across a query's hits: remember each group's matches.
        found = self._by_surface.get(surface)
        if found is None:
            found = [(token.start, token.end, token.text)
                     for token in self.analyzer.tokens(surface, keep_stopwords=True) if self._matches(token.text)]
            if len(surface) <= 64 and len(self._by_surface) < 10_000:
                self._by_surface[surface] = found
        return [(offset + start, offset + end, term) for start, end, term in found] if found else []

    def spans(self, text: str, stored: StoredTokens | None = None) -> list[Span]:
        """Just the offsets of :meth:`find`: ``text[start:end]`` is each matched word."""
        return [(s, e) for s, e, _ in self.find(text, stored=stored)]


def _clause_start(text: str, at: int) -> int:
    low = max(0, at - _MAX_BACK)
    last = None
    for last in _CLAUSE_END.finditer(text, low, at):
        pass
    if last is not None:
        return last.end()
    if low == 0:
        return 0
    # No punctuation nearby: start at a space far enough back that the word
    # groups re-synchronize before the candidate (groups span at most a few words).
    space = text.find(" ", low, at)
    return space + 1 if space != -1 else low


def _merge(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sort and merge overlapping spans (a compound's joined term and its parts)."""
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, term in found:
        if merged and start < merged[-1][1]:
            s, e, t = merged[-1]
            merged[-1] = (s, max(e, end), t)
        else:
            merged.append((start, end, term))
    return merged


# --- snippets ---------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A plain-text snippet and its highlighted spans (offsets into ``text``)."""

    text: str
    highlights: list[Span]


_SPACE = re.compile(r"\s")
_LAST_SPACE = re.compile(r"(?s).*\s")  # greedy: backs off from the end to the last space
_LINE_BREAK = re.compile("[\n\r\t\v\f\x1c-\x1f\x85\u2028\u2029]")  # shown as spaces, one for one
_ONLY_SPACE = re.compile(r"\s*\Z")
_SNAP_REACH = 40  # how far a fragment edge moves to reach a word boundary


def _snap_start(text: str, start: int, limit: int) -> int:
    """Move ``start`` forward to a word start, never past ``limit``."""
    if start <= 0:
        return 0
    if text[start - 1].isspace():
        return start
    space = _SPACE.search(text, start, min(limit, start + _SNAP_REACH))
    return space.end() if space is not None else start


def _snap_end(text: str, end: int, limit: int) -> int:
    """Move ``end`` back to a word end, never before ``limit``."""
    if end >= len(text):
        return len(text)
    if text[end].isspace():
        return end
    space = _LAST_SPACE.match(text, max(limit, end - _SNAP_REACH), end)
    return space.end() - 1 if space is not None else end


def make_snippet(text: str, matches: list[tuple[int, int, str]], length: int = 160, fragments: int = 2,
                 ellipsis: str = "…") -> Snippet:
    """The best fragments of ``text`` around ``matches`` (from :meth:`Matcher.find`).

    Fragments with the most distinct query terms win, then the densest; each is
    at most ``length`` characters, cut at word boundaries, joined in text order
    with ``ellipsis`` where text was left out. Line breaks become spaces (one
    character for one, so offsets stay exact).

    >>> s = make_snippet("کتاب خوب", [(0, 4, "کتاب")])
    >>> s.text[s.highlights[0][0]:s.highlights[0][1]]
    'کتاب'
    """
    matches = sorted(matches)
    return _assemble(text, _choose(text, matches, length, fragments), matches, ellipsis)


def _best_window(items: list[tuple[int, int, str]], length: int) -> tuple[int, int]:
    """Indices ``(i, j)`` of the run of sorted ``items`` within ``length`` characters
    holding the most distinct labels, then the most items (the first such run)."""
    n = len(items)
    if n == 1:
        return (0, 0)
    ends = [item[1] for item in items]
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
    counts = {labels[0]: 1}  # the labels of the window
    best_score = (-1, -1)
    for i in range(n):
        if j < i:
            j = i
            counts[labels[i]] = counts.get(labels[i], 0) + 1
        limit = items[i][0] + length
        while j + 1 < n and ends[j + 1] <= limit:
            j += 1
            counts[labels[j]] = counts.get(labels[j], 0) + 1
        score = (len(counts), j - i)
        if score > best_score:
            best_score, best = score, (i, j)
        label = labels[i]
        if counts[label] == 1:
            del counts[label]
        else:
            counts[label] -= 1
    return best


def _choose(text: str, items: list[tuple[int, int, str]], length: int, fragments: int) -> list[Span]:
    """Up to ``fragments`` non-overlapping stretches of ``text`` around the best runs of
    sorted ``items``, snapped to word boundaries, in text order, touching ones merged."""
    length = max(20, length)
    size = len(text)
    remaining = items
    chosen: list[Span] = []
    while remaining and len(chosen) < max(1, fragments):
        i, j = _best_window(remaining, length)
        first = remaining[i][0]
        last = remaining[i][1] if i == j else max([item[1] for item in remaining[i:j + 1]])
        start = max(0, first - max(0, length - (last - first)) // 3)
        end = min(size, max(last, start + length))
        start = _snap_start(text, start, first)
        end = _snap_end(text, end, last)
        chosen.append((start, end))
        # Further fragments must not overlap those already chosen.
        remaining = [m for m in remaining if m[1] <= start or m[0] >= end]
    if not chosen:
        end = _snap_end(text, min(size, length), 0)
        return [(0, end if end > 0 else min(size, length))]
    if len(chosen) == 1:
        return chosen
    chosen.sort()
    merged: list[Span] = [chosen[0]]
    for s, e in chosen[1:]:
        if s <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _assemble(text: str, fragments: list[Span], matches: list[tuple[int, int, str]], ellipsis: str) -> Snippet:
    """The snippet text of ``fragments`` joined by ``ellipsis``, with the sorted
    ``matches`` inside them as highlights."""
    parts: list[str] = []
    highlights: list[Span] = []
    offset = 0
    for s, e in fragments:
        # Trim whitespace at the edges of the fragment (offsets shift accordingly).
        if s < e and text[s].isspace():
            s = e - len(text[s:e].lstrip())
        if e > s and text[e - 1].isspace():
            e = s + len(text[s:e].rstrip())
        if parts:
            prefix = " " + ellipsis + " "  # merged fragments never touch: text was left out
        else:
            prefix = ellipsis + " " if s > 0 else ""
        parts.append(prefix)
        shift = offset + len(prefix) - s
        highlights.extend((ms + shift, me + shift) for ms, me, _ in matches if ms >= s and me <= e)
        parts.append(_LINE_BREAK.sub(" ", text[s:e]))
        offset = shift + e
    if fragments and _ONLY_SPACE.match(text, fragments[-1][1]) is None:  # text follows
        parts.append(" " + ellipsis)
    return Snippet("".join(parts), highlights)


def analyzed_spans(analyzer: "Analyzer", text: str, terms: Iterable[str]) -> list[Span]:
    """Spans of ``text`` whose analyzed term is in ``terms`` (short texts such as titles)."""
    wanted = set(terms)
    spans = [(t.start, t.end, t.text) for t in analyzer.tokens(text, keep_stopwords=True) if t.text in wanted]
    return [(s, e) for s, e, _ in _merge(spans)]


__all__ = ["Matcher", "Snippet", "make_snippet", "analyzed_spans"]
