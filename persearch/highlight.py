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
from typing import TYPE_CHECKING, Iterable

from .analysis.chars import (ALEF, ARABIC_MARKS, ARABIC_THOUSANDS_SEPARATOR, FARSI_YEH, FOLD_TABLE,
                             FORMAT_CHARS, LATIN_MARKS, NBSP, TATWEEL, WAW, YEH_HAMZA, ZWNJ)
from .analysis.normalize import LATIN_ACCENTED, NEEDS_NFKC
from .analysis.tokenize import WORD_GROUP, group_start
from .edit_distance import edit_distance
from .expand import TIER_WEIGHTS
from .snippet import Snippet, Text, make_snippet
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
_WORD_END = re.compile(r"[^\s.,;:!?()«»\"'،؛؟]*")  # the rest of a word from inside it


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
        # A letter may be stretched for emphasis (خوووب): the analyzer folds such runs.
        alternatives = "|".join("".join(f"(?:{_GAP}{_letter_pattern(c)})+" for c in rest)
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


#: A phrase to highlight: per position, its alternative terms; and its slop.
PhraseTerms = tuple[tuple[tuple[str, ...], ...], int]


class Matcher:
    """Finds the words of a text that match a query's terms, prefixes, fuzzy terms or phrases.

    ``Matcher(Analyzer(), terms={"کتاب"}).spans("کِتابـها")`` → ``[(0, 8)]``.
    A phrase is marked only where its words stand in a row (a slop allowing
    that many extra positions between them): an exact phrase as one span
    from its first word to its last, a sloppy one word by word; its words
    elsewhere are not marked. Built once per query and reused for every hit.

    >>> Matcher(Analyzer(), phrases=[((("رییس",), ("جمهوری",)), 0)]).spans("رئیس دولت و رئیس جمهوری")
    [(12, 23)]
    """

    def __init__(self, analyzer: "Analyzer", terms: Iterable[str] = (), prefixes: Iterable[str] = (),
                 fuzzy: Iterable[tuple[str, int, int]] = (), phrases: Iterable[PhraseTerms] = ()) -> None:
        self.analyzer = analyzer
        self.terms = frozenset(t for t in terms if t)
        self.prefixes = tuple(sorted(set(p for p in prefixes if p)))  # an empty prefix finds nothing
        self.fuzzy = tuple(sorted(set(fuzzy)))
        self.phrases = tuple(sorted(set(p for p in phrases if len(p[0]) > 1)))
        self._phrase_sets = [(tuple(frozenset(alternatives) for alternatives in items), slop,
                              "«" + " ".join(alternatives[0] for alternatives in items) + "»")
                             for items, slop in self.phrases]
        self._phrase_terms = frozenset(t for items, _ in self.phrases for alternatives in items for t in alternatives)
        self._weights: dict[str, float] = {}
        # Only the builtin stemmer is known to strip endings only.
        self._filter = analyzer.stemmer in ("builtin", None) and not analyzer.lemmatize
        # Built on first use: hits with stored tokens never need it (~0.1 ms a query).
        self._candidates: re.Pattern[str] | None | bool = False
        self._needles: dict[bool, list[bytes]] = {}  # by the code of the stored terms
        self._phrase_needles: dict[bool, list[bytes]] = {}
        self._fuzzy_pattern: re.Pattern[str] | None = None
        self._accepted: dict[str, bool] = {}
        self._by_surface: dict[str, list[tuple[int, int, str]]] = {}
        self.empty = not (self.terms or self.prefixes or self.fuzzy or self.phrases)

    def weight(self, label: str) -> float:
        """How much a match labelled ``label`` counts in choosing a snippet: 1 for a term, a
        prefix's word or a phrase; for a fuzzy word, its tier's weight (persearch.expand), so the
        snippet shows the word itself rather than a cluster of distant spellings."""
        weight = self._weights.get(label)
        if weight is None:
            weight = 1.0
            if self.fuzzy and label not in self.terms and not label.startswith("«") \
                    and not any(label.startswith(p) for p in self.prefixes):
                edits = min((edit_distance(label, text, distance) for text, distance, _ in self.fuzzy), default=0)
                weight = TIER_WEIGHTS[min(edits, len(TIER_WEIGHTS) - 1)]
            self._weights[label] = weight
        return weight

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

    def find(self, text: Text, max_matches: int = 500, stored: StoredTokens | None = None) -> list[tuple[int, int, str]]:
        """Every matching word (or exact phrase) as ``(start, end, label)``, in text order, overlaps merged.

        ``label`` is the query term the word matched, or the phrase (for
        counting distinct terms). ``stored``, the text's index-time tokens,
        spares analyzing anything, and reading the text (it may then be a
        sliced view: persearch.snippet.SlicedText).
        """
        if self.empty or not text:
            return []
        if stored is not None:
            # Runs twice per hit (title and body): the needles are made once per query.
            needles = self._needles.get(stored.compact)
            found = stored.spans(self._stored_terms(stored.compact) if needles is None else needles)
            if self.fuzzy:
                found += stored.candidates(self._fuzzy_candidates(), self._accepts)
            if self.phrases:
                found += self._stored_phrases(stored, text)
            if len(found) > 1:
                found = _merge(found)
            return found if len(found) <= max_matches else found[:max_matches]
        text = str(text)  # analyzed: read whole
        phrases = self._phrase_spans(self._positioned(text)) if self.phrases else []
        if not (self.terms or self.prefixes or self.fuzzy):
            return _merge(phrases)[:max_matches]
        candidates = self._candidate_regex()
        if candidates is None or _unfiltered().search(text):
            return _merge(self._group(text, 0) + phrases)[:max_matches]
        found: list[tuple[int, int, str]] = []
        done = 0  # text before this offset has been analyzed
        search = candidates.search
        match = search(text, 0)
        while match is not None and len(found) < max_matches:
            more, done = self._verify(text, match.start(), match.end(), done)
            found.extend(more)
            match = search(text, max(done, match.end()))
        return _merge(found + phrases)[:max_matches]

    # -- phrases ------------------------------------------------------------------
    def _stored_phrases(self, stored: StoredTokens, text: Text) -> list[tuple[int, int, str]]:
        """The phrases' occurrences, from the stored tokens and their positions."""
        needles = self._phrase_needles.get(stored.compact)
        if needles is None:
            wanted = [needle(t, compact_code=stored.compact) for t in self._phrase_terms]
            needles = self._phrase_needles[stored.compact] = [n for n in wanted if n is not None]
        positions = stored.positions()
        if positions is None:  # stored before positions were: where its words stand close, the text is analyzed
            return self._phrase_spans(self._windows(str(text), stored.spans(needles)))
        tokens = stored.spans(needles, numbered=True)
        return self._phrase_spans([(s, e, term, positions[i]) for s, e, term, i in tokens])  # type: ignore[misc]

    def _windows(self, text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str, int]]:
        """The phrases' words with positions, by analyzing only the stretches of ``text`` where
        several of them (``found``: where they are) stand close; each stretch starts at a word
        group, so it is analyzed as in the whole text, and gets positions of its own."""
        reach = 40 + 12 * max(slop for _, slop, _ in self._phrase_sets)
        out: list[tuple[int, int, str, int]] = []
        run: list[tuple[int, int, str]] = []
        base = 0
        for word in [*found, None]:
            if word is not None and run and word[0] - run[-1][1] <= reach:
                run.append(word)
                continue
            if len(run) > 1:
                low = group_start(text, run[0][0])
                low = _clause_start(text, run[0][0]) if low is None else low
                high = _WORD_END.match(text, max(end for _, end, _ in run)).end()
                out += [(low + t.start, low + t.end, t.text, base + t.position)
                        for t in self.analyzer.tokens(text[low:high], keep_stopwords=True)
                        if t.text in self._phrase_terms]
                base += len(text)  # no stretch's positions meet another's
            run = [word] if word is not None else []
        return out

    def _positioned(self, text: str) -> list[tuple[int, int, str, int]]:
        """The phrases' words in ``text`` with their positions, by analysis."""
        wanted = self._phrase_terms
        return [(t.start, t.end, t.text, t.position) for t in self.analyzer.tokens(text, keep_stopwords=True)
                if t.text in wanted]

    def _phrase_spans(self, tokens: list[tuple[int, int, str, int]]) -> list[tuple[int, int, str]]:
        """Where each phrase's words stand in a row, among ``tokens`` ``(start, end, term, position)``."""
        at_position: dict[int, list[tuple[int, int, str]]] = {}
        for start, end, term, position in tokens:
            at_position.setdefault(position, []).append((start, end, term))
        found: list[tuple[int, int, str]] = []
        for items, slop, label in self._phrase_sets:
            for start, end, term, position in tokens:
                if term not in items[0]:
                    continue
                chain, at = [(start, end)], position
                for alternatives in items[1:]:
                    step = next(((p, word) for p in range(at + 1, at + 2 + slop)
                                 for word in at_position.get(p, ()) if word[2] in alternatives), None)
                    if step is None:
                        break
                    at = step[0]
                    chain.append(step[1][:2])
                else:
                    if slop == 0:
                        found.append((chain[0][0], max(e for _, e in chain), label))
                    else:
                        found.extend((s, e, label) for s, e in chain)
        return found

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
    if len(found) < 2:
        return found
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, term in found:
        if merged and start < merged[-1][1]:
            s, e, t = merged[-1]
            merged[-1] = (s, max(e, end), t)
        else:
            merged.append((start, end, term))
    return merged


def analyzed_spans(analyzer: "Analyzer", text: str, terms: Iterable[str]) -> list[Span]:
    """Spans of ``text`` whose analyzed term is in ``terms`` (short texts such as titles)."""
    wanted = set(terms)
    spans = [(t.start, t.end, t.text) for t in analyzer.tokens(text, keep_stopwords=True) if t.text in wanted]
    return [(s, e) for s, e, _ in _merge(spans)]


__all__ = ["Matcher", "Snippet", "make_snippet", "analyzed_spans"]  # the snippets live in snippet.py
