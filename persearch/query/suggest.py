""""Did you mean": the wrong keyboard layout, and misspelled words.

Keyboard layout: a Persian word typed with the US layout active comes out as
Latin letters on the same keys (سلام → ``sghl`` on the standard Persian layout,
ISIRI 9147), and an English word typed with the Persian layout active comes out
as Persian letters (``hello`` → اثممخ). :func:`to_persian_layout` and
:func:`to_latin_layout` map keys back; the query layer searches the other
reading when the typed one finds little and the other finds more.

Spelling: a query term that is not in the index gets the closest frequent
index term (edit distance 1, or 2 for longer words), found through a deletion
neighbourhood over the term dictionary: every frequent term is filed under
itself with one letter deleted, so candidates are a few dict lookups away.
An index stores the table for each committed generation (persearch/spelling.py),
read in place; without one it is built here, once per generation, on the first
query that needs it.

Whether a candidate finds more is asked through a callback (``count``) that
:func:`persearch.query.run.search` passes in: this module never runs a query.
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping

from ..edit_distance import distance_to, edit_distance
from ..spelling import MAX_CANDIDATES, MIN_DOC_FREQ, SpellingFile, correctable, deletes1, open_for
from .searchable import Searchable

if TYPE_CHECKING:
    from ..backends.base import Backend
    from .parse import Parsed

#: How many documents a candidate query finds, and its parse (given by the caller).
Count = Callable[[str], "tuple[int, Parsed]"]

# --- ISIRI 9147 ------------------------------------------------------------------
#: US-layout key → the character the standard Persian layout (ISIRI 9147) puts
#: on it, first level (no Shift).
_FIRST_LEVEL = {
    "q": "ض", "w": "ص", "e": "ث", "r": "ق", "t": "ف", "y": "غ", "u": "ع", "i": "ه", "o": "خ", "p": "ح",
    "[": "ج", "]": "چ",
    "a": "ش", "s": "س", "d": "ی", "f": "ب", "g": "ل", "h": "ا", "j": "ت", "k": "ن", "l": "م", ";": "ک",
    "'": "گ",
    "z": "ظ", "x": "ط", "c": "ز", "v": "ر", "b": "ذ", "n": "د", "m": "پ", ",": "و",
    "1": "۱", "2": "۲", "3": "۳", "4": "۴", "5": "۵", "6": "۶", "7": "۷", "8": "۸", "9": "۹", "0": "۰",
}
#: Second level (Shift) where it is a letter: ژ آ ء ئ ؤ أ إ ة ي ك and ZWNJ on Shift+B.
_SHIFT_LEVEL = {
    "C": "ژ", "H": "آ", "M": "ء", "S": "ئ", "A": "ؤ", "G": "أ", "F": "إ", "J": "ة", "D": "ي", "Z": "ك",
    "B": "\u200c", "?": "؟",
}


def _latin_to_persian() -> dict[int, str]:
    table = {ord(k): v for k, v in _FIRST_LEVEL.items()}
    for k, v in _FIRST_LEVEL.items():
        if k.isalpha():  # Caps Lock: an upper-case key without a Shift letter means the same key
            table[ord(k.upper())] = v
    table.update({ord(k): v for k, v in _SHIFT_LEVEL.items()})
    return table


def _persian_to_latin() -> dict[int, str]:
    table = {ord(v): k for k, v in _FIRST_LEVEL.items() if k.isalpha() or k in "[];',"}
    table.update({ord(v): k for k, v in _SHIFT_LEVEL.items() if k.isalpha()})
    table[ord("ي")] = "d"  # Arabic yeh, as Farsi yeh (the same key on older layouts)
    table[ord("ك")] = ";"
    table[ord("\u200c")] = "B"
    return table


LATIN_TO_PERSIAN = _latin_to_persian()
PERSIAN_TO_LATIN = _persian_to_latin()
#: The US keys by row, left to right; each row sits a quarter to half a key right of the one
#: above, so a key touches the one to its left and right, two above it and two below it.
_KEY_ROWS = ("qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,")


def _neighbour_keys() -> dict[str, frozenset[str]]:
    """Persian letter → the Persian letters on the keys around it (ISIRI 9147, first level)."""
    near: dict[str, set[str]] = {}
    for r, row in enumerate(_KEY_ROWS):
        for c, key in enumerate(row):
            around = [row[c - 1] if c > 0 else "", row[c + 1] if c + 1 < len(row) else ""]
            if r > 0:
                above = _KEY_ROWS[r - 1]
                around += [above[i] for i in (c, c + 1) if i < len(above)]
            if r + 1 < len(_KEY_ROWS):
                below = _KEY_ROWS[r + 1]
                around += [below[i] for i in (c - 1, c) if 0 <= i < len(below)]
            near[_FIRST_LEVEL[key]] = {_FIRST_LEVEL[k] for k in around if k}
    return {letter: frozenset(others) for letter, others in near.items()}


#: A slip of the finger: these letters sit on neighbouring keys (ع and ه, ب and ل …).
KEY_NEIGHBOURS = _neighbour_keys()
_OPERATORS = re.compile(r"\b(?:OR|AND|NOT)\b|[A-Za-z]+:(?=\S)")
_LATIN_LETTERS = re.compile(r"[A-Za-z]")
_PERSIAN_LETTERS = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622]")


def _translate_outside_operators(text: str, table: dict[int, str]) -> str:
    out, at = [], 0
    for m in _OPERATORS.finditer(text):
        out.append(text[at:m.start()].translate(table))
        out.append(m.group())
        at = m.end()
    out.append(text[at:].translate(table))
    return "".join(out)


def to_persian_layout(text: str) -> str:
    """Read Latin keystrokes as the Persian layout: ``to_persian_layout("sghl") == "سلام"``.

    Operators (``OR``, ``NOT``, ``title:``), quotes and spaces are kept.
    """
    return _translate_outside_operators(text, LATIN_TO_PERSIAN)


def to_latin_layout(text: str) -> str:
    """Read Persian keystrokes as the US layout: ``to_latin_layout("اثممخ") == "hello"``."""
    return text.translate(PERSIAN_TO_LATIN)


def layout_alternative(text: str) -> str | None:
    """The other keyboard reading of ``text`` if it is in one script only, else None.

    ``layout_alternative("sghl") == "سلام"``; keys are mapped one for one, and the
    index decides whether the other reading means anything.
    """
    bare = _OPERATORS.sub(" ", text)
    latin = len(_LATIN_LETTERS.findall(bare))
    persian = len(_PERSIAN_LETTERS.findall(bare))
    if latin >= 2 and persian == 0:
        return to_persian_layout(text)
    if persian >= 2 and latin == 0:
        converted = to_latin_layout(text)
        # Only a plausible English reading: mostly letters came out.
        if len(_LATIN_LETTERS.findall(converted)) >= 0.8 * persian:
            return converted
    return None


# --- spelling ----------------------------------------------------------------------
#: Longer terms are not corrected: no word is that long, and the two-edit
#: neighbourhood grows with the square of the length (a 12,000-letter "word"
#: took 30 s).
MAX_WORD_LENGTH = 30


class SpellIndex:
    """Closest frequent term for a misspelled one.

    >>> s = SpellIndex([("کتاب", 10), ("کباب", 3)])
    >>> s.correct("کتب")
    'کتاب'
    """

    def __init__(self, terms: Iterable[tuple[str, int]]) -> None:
        freq: dict[str, int] = {}
        for term, df in terms:
            freq[term] = freq.get(term, 0) + df
        self.freq: Mapping[str, int] = freq
        deletes: dict[str, list[str]] = {}
        for term in correctable(freq):
            for key in deletes1(term):
                deletes.setdefault(key, []).append(term)
        self._deletes = deletes

    def _filed_under(self, key: str) -> Iterable[str]:
        """The frequent terms that are ``key`` with one letter more."""
        return self._deletes.get(key, ())

    def __contains__(self, term: str) -> bool:
        return term in self.freq

    def correct(self, term: str) -> str | None:
        """The closest frequent term (fewest edits, then most documents), or None."""
        if len(term) < 3 or len(term) > MAX_WORD_LENGTH or term.isdigit():
            return None
        limit = 1 if len(term) <= 4 else 2
        keys = {term} | set(deletes1(term))
        if limit == 2:
            keys |= {d2 for d1 in deletes1(term) for d2 in deletes1(d1)}
        freq = self.freq
        candidates: set[str] = set()
        for key in keys:
            candidates.update(self._filed_under(key))
            if key != term and freq.get(key, 0) >= MIN_DOC_FREQ:
                candidates.add(key)
        within = distance_to(term, limit)
        scored = [(d, cand) for cand in candidates if (d := within(cand)) <= limit]
        if not scored:
            return None
        fewest = min(d for d, _ in scored)
        nearest = [cand for d, cand in scored if d == fewest]
        if len(nearest) == 1:
            return nearest[0]
        # Among corrections as many edits away, a slip to a neighbouring key
        # (ترکیع → ترکیه: ع and ه touch) wins over a frequency difference (ترکیب).
        return min(nearest, key=lambda cand: (slips(term, cand), -freq.get(cand, 0), cand))


def slips(typed: str, meant: str) -> float:
    """The edit distance with a letter typed on a neighbouring key counting half:
    ``slips("ترکیع", "ترکیه") == 0.5`` (ع and ه touch), ``slips("ترکیع", "ترکیب") == 1``."""
    previous = [float(j) for j in range(len(meant) + 1)]
    for i, a in enumerate(typed, 1):
        near = KEY_NEIGHBOURS.get(a, frozenset())
        current = [float(i)]
        left = float(i)  # current[j - 1]
        for j, b in enumerate(meant, 1):
            # min() of the three, written out: this runs once per cell.
            cost = previous[j - 1] + (0.0 if a == b else 0.5 if b in near else 1.0)
            if previous[j] + 1 < cost:
                cost = previous[j] + 1
            if left + 1 < cost:
                cost = left + 1
            current.append(cost)
            left = cost
        previous = current
    return previous[-1]


class StoredSpellIndex(SpellIndex):
    """A :class:`SpellIndex` read in place from the table an index stores (persearch/spelling.py)."""

    def __init__(self, stored: SpellingFile) -> None:
        self.stored = stored
        self.freq = stored.freq
        self._filed_under = stored.filed_under  # type: ignore[method-assign]


_SPELL_CACHE: "weakref.WeakKeyDictionary[Backend, tuple[int, SpellIndex]]" = weakref.WeakKeyDictionary()
_SPELL_LOCK = threading.Lock()


def spell_index(index: Searchable) -> SpellIndex:
    """The index's spelling table: the one stored with the index for its
    generation (read in place), else built from ``backend.terms()``, once per generation."""
    backend = index.backend
    generation = backend.generation()
    with _SPELL_LOCK:
        cached = _SPELL_CACHE.get(backend)
        if cached is not None and cached[0] == generation:
            return cached[1]
    stored = open_for(backend)
    table: SpellIndex
    if stored is not None:
        table = StoredSpellIndex(stored)
    else:
        def all_terms() -> Iterator[tuple[str, int]]:
            for name in ("body", "title"):
                try:
                    yield from backend.terms(name)
                except Exception:  # a backend without that field: fine
                    continue

        table = SpellIndex(all_terms())
    with _SPELL_LOCK:
        _SPELL_CACHE[backend] = (generation, table)
    return table


def spelling_alternative(index: Searchable, query: str, parsed: "Parsed") -> str | None:
    """``query`` with each unknown word replaced by its correction, or None."""
    found = _spelling(index, query, parsed)
    return found[0] if found else None


def _spelling(index: Searchable, query: str, parsed: "Parsed",
              table: SpellIndex | None = None) -> tuple[str, int, int] | None:
    """:func:`spelling_alternative`, the most edits any of its words needed, and how many words changed
    (``table``: the index's spelling table, when the caller has it)."""
    analyzer = index.analyzer
    if not parsed.words:
        return None
    if table is None:
        table = spell_index(index)
    corrected = query
    edits = changed = 0
    for surface, terms in parsed.words:
        content = [t for t in terms if not analyzer.is_stopword(t)]
        if not content or any(t in table for t in content):
            continue
        fix = table.correct(content[0])
        if fix is not None:
            corrected = corrected.replace(surface, fix, 1)
            edits = max(edits, edit_distance(content[0], fix, 2))
            changed += 1
    return (corrected, edits, changed) if edits else None


# --- the decision ------------------------------------------------------------------


def _all_known(index: Searchable, text: str, table: SpellIndex) -> bool:
    """Whether ``text`` has content words and the index knows every one of them."""
    analyzer = index.analyzer
    terms = [t.text for t in analyzer.tokens(text, keep_stopwords=False)]
    return bool(terms) and all(t in table for t in terms)


@dataclass
class Suggestion:
    """A corrected query; ``parsed`` is set when its results replace the typed query's."""

    query: str
    parsed: "Parsed | None" = None
    total: int = 0


def suggest_for(index: Searchable, query: str, parsed: "Parsed", total: int, count: Count,
                search_edits: int = 2, search_words: int | None = None) -> Suggestion | None:
    """What to suggest for a query that found ``total`` (few) documents.

    A keyboard-layout reading that finds more documents (``count(candidate)``)
    is searched instead; otherwise a spelling correction is offered, and
    searched when nothing was found, no word of it is more than
    ``search_edits`` edits from the typed one and (if given) at most
    ``search_words`` words were corrected.
    """
    if parsed.operators is not None:  # "استقلال not پرسپولیس": NOT was meant; offered, never searched
        return Suggestion(parsed.operators)
    table = spell_index(index)
    other = layout_alternative(query)
    readings = []
    # The other keyboard reading is tried only when the typed words are unknown
    # to the index and the other reading's are all known: a real word typed
    # right is never "corrected", and most candidates cost a dict lookup.
    if other is not None and other != query and not _all_known(index, query, table) \
            and _all_known(index, other, table):
        readings.append(other)
    # Finglish (Persian in Latin letters, persearch/query/finglish.py): its words are
    # read only into terms the index holds, and known Latin words stay. A query
    # without Latin letters has nothing to read and does not load the module.
    persian = None
    if _LATIN_LETTERS.search(query):
        from .finglish import transliterate_query

        persian = transliterate_query(query, table, index.analyzer)
    if persian is not None and persian not in readings:
        readings.append(persian)
    best: Suggestion | None = None
    for reading in readings:  # the reading that finds most (the layout's on a tie)
        n, p = count(reading)
        if n > 0 and n > 2 * total and (best is None or n > best.total):
            best = Suggestion(reading, p, n)
    if best is not None:
        return best
    spelled = _spelling(index, query, parsed, table)
    if spelled is not None and spelled[0] != query:
        fixed, edits, changed = spelled
        if total == 0 and edits <= search_edits and (search_words is None or changed <= search_words):
            n, p = count(fixed)
            if n > 0:
                return Suggestion(fixed, p, n)
        return Suggestion(fixed)
    return None


__all__ = ["to_persian_layout", "to_latin_layout", "layout_alternative", "SpellIndex", "StoredSpellIndex",
           "spell_index", "slips", "KEY_NEIGHBOURS", "MIN_DOC_FREQ", "MAX_CANDIDATES",
           "spelling_alternative", "suggest_for", "Suggestion", "LATIN_TO_PERSIAN", "PERSIAN_TO_LATIN"]
