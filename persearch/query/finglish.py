"""Finglish: Persian written in Latin letters (``tehran``, ``daneshgah``, ``xabar``) read as Persian.

A Latin word is cut into chunks by one compiled regex (``kh``, ``sh``, ``aa``,
``ou``, a doubled consonant, a single letter …); each chunk has a few Persian
spellings in :data:`CHUNKS` (with word-start and word-end overrides), each
with a cost: how unusual that reading is, in decades of document frequency
(a reading of cost 1 must name a word ten times as frequent to win).

The spellings are expanded left to right as a beam: a hypothesis survives only
while its (normalized) letters begin some term of the index, or are a known
term followed by at most :data:`MAX_TAIL` more letters (a suffix: ``ketabha``
→ کتابها, whose term is کتاب). At most :data:`BEAM` hypotheses live at once and
words longer than :data:`MAX_WORD_CHARS` are not read, so the work is bounded
whatever the input. Complete spellings go through the index's own analyzer
and are kept only when every term they give is in the index; they are ranked
by cost minus log10 of the documents holding the word.

    >>> from persearch import Analyzer
    >>> vocabulary = Vocabulary({"تهران": 50, "طهران": 2, "تهرانی": 4})
    >>> [c.text for c in candidates("tehran", vocabulary, Analyzer())]
    ['تهران', 'طهران']

:func:`transliterate_query` rewrites the Latin words of a whole query, keeping
operators, field names, Persian words and Latin words that are terms of the
index (an English name in the text) as they are. The query layer offers its
result as the suggestion and searches it when it finds more (docs/query.md).
"""
from __future__ import annotations

import heapq
import math
import re
import threading
import weakref
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Mapping

from ..analysis import normalize_word

if TYPE_CHECKING:
    from ..analysis import Analyzer

#: (Persian spelling, cost) pairs; cost 0 is the usual reading.
Readings = tuple[tuple[str, float], ...]

# --- the transliteration table ------------------------------------------------------
# Keys are Latin chunks, lower case. Costs are in decades of frequency: a reading
# of cost 0.6 wins over a cost-0 one only for a word about four times as frequent.
# Short vowels (a, e, o) are not written in Persian, so "nothing" ("") is a
# reading of each; a, o, u and i are also written (ا, و, ی).
CHUNKS: dict[str, Readings] = {
    # consonants with one Persian letter
    "b": (("ب", 0),),
    "p": (("پ", 0),),
    "j": (("ج", 0), ("ژ", 0.8)),              # French-style names: bijan = بیژن, manije = منیژه
    "d": (("د", 0),),
    "r": (("ر", 0),),
    "f": (("ف", 0),),
    "l": (("ل", 0),),
    "m": (("م", 0),),
    "n": (("ن", 0),),
    "v": (("و", 0),),
    "w": (("و", 0),),                         # English habit: dowlat/dawlat, now
    "y": (("ی", 0),),
    "g": (("گ", 0),),
    "ch": (("چ", 0),),
    "kh": (("خ", 0),),                        # (and خو before ا or ی: see AFTER_KH)
    "x": (("خ", 0), ("کس", 0.6)),             # xabar (chat style); taxi = تاکسی
    # consonants that several Arabic letters sound alike: the Persian letter first
    "t": (("ت", 0), ("ط", 0.5)),              # طب، طلا
    "s": (("س", 0), ("ص", 0.4), ("ث", 0.8)),  # اصفهان، صنعت؛ ثبت
    "z": (("ز", 0), ("ذ", 0.5), ("ض", 0.5), ("ظ", 0.5)),  # ذوب، رضا، ظریف
    "h": (("ه", 0), ("ح", 0.2)),              # ح is nearly as common: حسن، محمد
    "gh": (("ق", 0), ("غ", 0.2)),             # قم، غذا: one sound in Persian
    "q": (("ق", 0), ("غ", 0.2)),              # qom, qaza
    "k": (("ک", 0), ("ق", 1.5)),              # irak for عراق (rare: ق is gh or q)
    "c": (("ک", 0), ("س", 0.4), ("چ", 0.6)),  # English habit: tractor, cinema; c for ch
    "ck": (("ک", 0),),
    # digraphs that can also be two letters: sh in eshagh (اسحاق), zh in mazhab
    # (مذهب); sh also for شه, when the second h is dropped (mashad = مشهد)
    "sh": (("ش", 0), ("شه", 0.7), ("سه", 1.0), ("سح", 1.0)),
    "zh": (("ژ", 0), ("زه", 0.7), ("ذه", 0.7), ("ظه", 0.7)),
    # vowels
    "a": (("", 0), ("ا", 0), ("ع", 0.7)),     # short a unwritten; long a; ع in baes (باعث)
    "aa": (("ا", 0), ("اع", 0.4), ("آ", 0.5)),  # saat = ساعت; qoraan = قرآن
    "e": (("", 0), ("ه", 0.6), ("ع", 0.6), ("ئ", 1.0)),  # kasra unwritten; خانه‌دار; baes; real = رئال
    "i": (("ی", 0), ("", 1.0)),               # i is long; rarely kasra (fatima = فاطمه)
    "ee": (("ی", 0),),
    "o": (("", 0), ("و", 0.2), ("ع", 0.8)),   # damma unwritten; khosh = خوش; moalem = معلم
    "u": (("و", 0), ("", 1.2)),               # u is long; rarely damma (muhammad): kuh is کوه, not که
    "oo": (("و", 0),),
    "ou": (("و", 0),),
    "ow": (("و", 0),),                        # dowlat, rowshan: the diphthong is written و
    "ei": (("ی", 0), ("یی", 0.4)),            # meidan; reis = رئیس (ئ is normalized to ی)
    "ey": (("ی", 0), ("یی", 0.4)),
    "ai": (("ی", 0.2), ("ای", 0), ("ئی", 0.4)),  # mail = میل; chai = چای; rais = رئیس
    "ay": (("ی", 0.2), ("ای", 0)),
    "iy": (("ی", 0), ("یی", 0.4)),            # before a vowel: torkiye, siyasat
    # hamza and ʿayn as typed in chat: an apostrophe, or the digits shaped like the
    # letters. The hamza's seat letter is added by the vowels around it (HAMZA_SEATS).
    "'": (("ع", 0), ("", 0.2)),               # sa'at = ساعت; so'al = سوال (hamza left out)
    "2": (),                                  # mas2ale: 2 looks like ء
    "3": (("ع", 0),),                         # 3ali: 3 looks like ع
    "5": (("خ", 0),),                         # Arabic chat alphabet
    "7": (("ح", 0),),                         # 7asan: 7 looks like ح
}

#: Readings at the start of a word: a vowel there is written with an alef (or ع).
AT_START: dict[str, Readings] = {
    "a": (("ا", 0), ("ع", 0.5)),              # ahvaz, abadan (آ folds to ا); ali = علی
    "aa": (("آ", 0), ("عا", 0.5)),            # aab = آب; aali = عالی
    "e": (("ا", 0), ("ع", 0.4)),              # esfahan; eraq, elm = عراق، علم
    "i": (("ای", 0), ("ا", 0.4), ("عی", 0.6)),  # iran; isfahan, imam; id = عید
    "ee": (("ای", 0), ("عی", 0.5)),
    "o": (("ا", 0), ("او", 0.4), ("ع", 0.4)),  # omid, orupa; ozv, omr = عضو، عمر
    "u": (("او", 0), ("ا", 0.4), ("ع", 0.6)),  # ustad = استاد; ulum = علوم
    "oo": (("او", 0), ("ع", 0.6)),
    "ou": (("او", 0), ("ع", 0.6)),
    "ow": (("او", 0),),                       # owj = اوج
    "ei": (("ای", 0), ("عی", 0.4)),           # eyvan = ایوان; eid, eynak = عید، عینک
    "ey": (("ای", 0), ("عی", 0.4)),
    "ai": (("آی", 0), ("عی", 0.6)),
    "ay": (("آی", 0), ("عی", 0.6)),
    "'": (("ع", 0), ("", 0.2)),
}

#: Readings at the end of a word.
AT_END: dict[str, Readings] = {
    "a": (("ا", 0), ("ه", 0.6), ("ی", 0.6), ("ع", 0.7)),  # donya; fatema; mostafa = مصطفی; mowqa
    "e": (("ه", 0), ("", 0.6), ("ع", 0.6)),   # khane = خانه (the silent h); ketabe (ezafe); jame = جامع
    "ye": (("ی", 0), ("یه", 0)),               # ezafe after a vowel: shoraye = شورای; saye = سایه
    "i": (("ی", 0),),
    "o": (("و", 0),),                          # do = دو, radio
    "u": (("و", 0),),                          # a final u is long: daru = دارو, never در
    "oo": (("و", 0),),
    "ou": (("و", 0),),
    "ei": (("ی", 0), ("ه‌ای", 0.4), ("یی", 0.4)),  # khamenei = خامنه‌ای
    "ey": (("ی", 0), ("ه‌ای", 0.4)),
    "ai": (("ای", 0), ("ی", 0.3), ("ئی", 0.4)),  # chai = چای; dubai = دبی
    "ay": (("ای", 0), ("ی", 0.3)),
    # Tehran speech says ān as ūn, and chat writes it so: tehroon, khiaboon, baroon
    "oon": (("ون", 0), ("ان", 0.3)),
    "oun": (("ون", 0), ("ان", 0.3)),
    "un": (("ون", 0), ("ان", 0.3)),
}

#: After kh, a long a or i may carry the unspoken و of خواب، خواهر، خویش (khab,
#: khahar, khish): read with the vowel, so that khab never gives خوب.
AFTER_KH: dict[str, Readings] = {"a": (("وا", 0.6),), "aa": (("وا", 0.4),), "i": (("وی", 0.6),)}

#: The letter that carries a hamza typed as ' or 2, by the vowels next to it
#: (Persian spelling: i/e win over o/u, which win over a): rows of (vowels, on
#: which side of the hamza, seat). ra'is = رئیس, so'al = سؤال, ta'sir = تأثیر;
#: after a consonant, ئ before a vowel (mas'ale = مسئله, jor'at = جرئت) and ء at the end (joz' = جزء).
HAMZA_SEATS = (("ie", "either", "ئ"), ("ou", "either", "ؤ"), ("a", "before", "أ"), ("aeiou", "after", "ئ"),
               ("", "", "ء"))
#: Cost of the seat the vowels call for, per hamza chunk; other seats cost 0.8.
HAMZA_CHUNKS = {"'": 0.2, "2": 0.0}
OTHER_SEAT_COST = 0.8

#: A doubled consonant (mohammad, abbas) is one letter with a shadda, rarely two letters.
DOUBLE_WRITTEN_COST = 0.5
#: Letters that double as one chunk.
_DOUBLING = "bcdfgjklmnpqrstvxyz"
#: The two Latin ways to write ezafe after a hyphen (daneshgah-e tehran): dropped.
EZAFE = frozenset({"e", "ye", "i"})
#: Persian syllables start with a consonant, so two Latin vowels in a row
#: (moalem, soal, daesh, raees) have one between them: the first vowel's
#: letter ends in a glide or glottal stop (سوال, خیابان), or the second's
#: letter is a glottal stop (معلم, داعش); ی after a bare vowel takes ئ (رئیس, پائیز).
GLIDE_OR_GLOTTAL = frozenset("یوعئءأؤ")
GLOTTAL = frozenset("عئءأؤ")
HIATUS_HAMZA = ("ئ", 0.3)
#: Per letter the analyzer strips from a reading (a suffix, or what it takes
#: for one: گلان → گل): a reading that is a word as it stands comes first.
STRIP_COST = 0.8
#: Stopwords (که، در، از) are in nearly every document: their frequency says
#: little about what a Latin word meant (kuh is کوه, not که).
STOPWORD_COST = 1.0

# --- limits --------------------------------------------------------------------------
#: Longer Latin words are not read (no Persian word needs more; bounds the work).
MAX_WORD_CHARS = 24
#: At most this many Latin words of one query are read.
MAX_WORDS = 8
#: Live hypotheses kept after each chunk.
BEAM = 40
#: Letters a hypothesis may run past a known term (a suffix: ها، های، ترین).
MAX_TAIL = 4
#: Complete spellings checked with the analyzer, best first.
MAX_CHECKED = 12
#: A Latin word in at least this many documents is an index term and left alone.
KNOWN_LATIN_MIN_DF = 2


def _chunk_pattern() -> re.Pattern[str]:
    keys = set(CHUNKS) | set(AT_START) | set(AT_END)
    # Context rules the plain longest-first choice gets wrong:
    special = [
        r"(?:oo|ou|u)n$",        # the colloquial ending only at the end (khoon at the end; boonak is b-oo-n-…)
        r"(?<=[aeiou])ye$",      # ezafe or یه after a vowel (shoraye, saye); torkiye is t-o-r-k-iy-e
        r"([%s])\1" % _DOUBLING,  # doubled consonant: khayyam, mohammad
        r"[ae][iy](?![aeiouy])",  # diphthong unless the y starts a syllable: bayad = b-a-y-a-d, heyat
        r"iy(?=[aeiou])",        # i + glide before a vowel: torkiye, siyasat
    ]
    plain = sorted((k for k in keys if k not in {"oon", "oun", "un", "ye", "ai", "ay", "ei", "ey", "iy"}),
                   key=lambda k: (-len(k), k))
    return re.compile("|".join(special + [re.escape(k) for k in plain]))


_CHUNK = _chunk_pattern()
#: A Latin word of a query: letters (and the chat digits, apostrophes) between
#: spaces, brackets, quotes or a field colon; hyphens join parts (daneshgah-e).
_LATIN_WORD = re.compile(
    "(?<![^\\s(\"«\u201c\u201e:+-])[A-Za-z2357'’`]+(?:-[A-Za-z'’`]+)*(?![^\\s)\"»\u201d?؟])"
)
_LETTERS = re.compile(r"[a-z]")
_APOSTROPHES = str.maketrans({"’": "'", "`": "'", "‘": "'"})
#: Accented vowels some writers use for the long vowels.
_ACCENTED = str.maketrans({"â": "aa", "ā": "aa", "á": "aa", "î": "i", "ī": "i", "û": "u", "ū": "u", "ô": "o"})
_OPERATORS = frozenset({"OR", "AND", "NOT"})
_PERSIAN_START = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class _Reading:
    display: str  # what the suggestion shows
    key: str      # the same, normalized like the index terms (آ → ا, ئ → ی)
    cost: float


def _compile(readings: Readings) -> tuple[_Reading, ...]:
    return tuple(_Reading(text, normalize_word(text), float(cost)) for text, cost in readings)


def _doubled(letter: str) -> tuple[_Reading, ...]:
    single = CHUNKS[letter]
    return _compile(single) + _compile(tuple((text * 2, cost + DOUBLE_WRITTEN_COST) for text, cost in single if text))


# The readings compiled, by where the chunk stands in the word. The chunks found
# only at the end (-oon, -ye: "$" in the regex) have no entry in the middle.
_MIDDLE = {k: _compile(v) for k, v in CHUNKS.items()}
_MIDDLE.update({c * 2: _doubled(c) for c in _DOUBLING})
_START = {k: _compile(v) for k, v in AT_START.items()}
_END = {k: _compile(v) for k, v in AT_END.items()}
_AFTER_KH = {k: _compile(v) for k, v in AFTER_KH.items()}
_VOWELS = frozenset("aeiou")
#: An apostrophe read as nothing (so'al = سوال) leaves the vowels around it meeting.
_VOWEL_OR_APOSTROPHE = _VOWELS | {"'"}


def chunks(word: str) -> list[str]:
    """The Latin chunks of a lower-case word: ``chunks("khiaboon") == ["kh", "i", "a", "b", "oon"]``."""
    return [m.group() for m in _CHUNK.finditer(word)]


def _readings(parts: list[str]) -> list[tuple[tuple[_Reading, ...], tuple[_Reading, ...] | None]] | None:
    """Per chunk: its readings, and (where it follows another vowel) those allowed after a bare vowel."""
    last = len(parts) - 1
    out: list[tuple[tuple[_Reading, ...], tuple[_Reading, ...] | None]] = []
    for i, part in enumerate(parts):
        table = _END if i == last and part in _END else _START if i == 0 and part in _START else _MIDDLE
        readings = table.get(part)
        if readings is None:
            return None
        if i and parts[i - 1] == "kh" and part in _AFTER_KH:
            readings = readings + _AFTER_KH[part]
        if part in HAMZA_CHUNKS:
            readings = readings + _hamza(parts[i - 1][-1:] if i else "", parts[i + 1][:1] if i < last else "",
                                         HAMZA_CHUNKS[part])
        after_vowel = None
        if i and _VOWELS.issuperset(part) and _VOWEL_OR_APOSTROPHE.issuperset(parts[i - 1]):
            hamza, cost = HIATUS_HAMZA
            after_vowel = tuple(r for r in readings if r.display[:1] in GLOTTAL) + tuple(
                _Reading(hamza + r.display, normalize_word(hamza + r.display), r.cost + cost)
                for r in readings if r.display.startswith("ی"))
        out.append((readings, after_vowel))
    return out


def _hamza(before: str, after: str, cost: float) -> tuple[_Reading, ...]:
    """The seats of a hamza between the letters ``before`` and ``after``: the right one at ``cost``."""
    sides = {"either": before + after, "before": before, "after": after}
    seat = next(letter for vowels, side, letter in HAMZA_SEATS if not vowels or set(vowels) & set(sides[side]))
    return _compile(tuple((letter, cost if letter == seat else OTHER_SEAT_COST) for _, _, letter in HAMZA_SEATS))


# --- the vocabulary ------------------------------------------------------------------


class Vocabulary:
    """The index terms a Persian reading must meet, sorted for prefix look-ups.

    ``freq`` maps each term to its document frequency (the spelling table's
    ``SpellIndex.freq``). Only terms starting with an Arabic-script letter are
    kept for prefixes.

    >>> v = Vocabulary({"کتاب": 10, "کتابخانه": 3})
    >>> v.prefix_mass("کتا"), v.prefix_mass("کو")
    (13, 0)
    """

    def __init__(self, freq: Mapping[str, int]) -> None:
        self.freq = freq
        self.terms = sorted(t for t in freq if _PERSIAN_START.match(t))
        self._mass = [0, *accumulate(freq[t] for t in self.terms)]

    def prefix_mass(self, prefix: str) -> int:
        """Documents summed over the terms starting with ``prefix`` (0: no such term)."""
        terms = self.terms
        i = bisect_left(terms, prefix)
        if i == len(terms) or not terms[i].startswith(prefix):
            return 0
        j = bisect_left(terms, prefix + "\uffff", i)
        return self._mass[j] - self._mass[i]

    def __contains__(self, term: str) -> bool:
        return term in self.freq


_VOCABULARIES: "weakref.WeakKeyDictionary[Any, Vocabulary]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def vocabulary_of(table: Any) -> Vocabulary:
    """The :class:`Vocabulary` of an object with a ``freq`` mapping, built once per object.

    The query layer's spelling table is rebuilt for each index generation, so
    the sorted terms follow it.
    """
    with _LOCK:
        found = _VOCABULARIES.get(table)
    if found is None:
        found = Vocabulary(table.freq)
        with _LOCK:
            _VOCABULARIES[table] = found
    return found


# --- reading one word ----------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A Persian reading of a Latin word that the index holds.

    ``text`` is the spelling to search, ``term`` the index term it analyzes
    to, ``freq`` the documents holding that term, ``cost`` how unusual the
    conventions used are; lower :attr:`score` is better.
    """

    text: str
    term: str
    freq: int
    cost: float

    @property
    def score(self) -> float:
        return self.cost - math.log10(self.freq)


def candidates(word: str, vocabulary: Vocabulary, analyzer: "Analyzer", limit: int = 3) -> list[Candidate]:
    """Persian readings of one Latin ``word`` that the index holds, best first.

    ``candidates("daneshgah", v, analyzer)[0].text == "دانشگاه"`` when the
    index has دانشگاه. Never more than :data:`BEAM` hypotheses per chunk.
    """
    word = word.lower().translate(_ACCENTED).translate(_APOSTROPHES)
    if len(word) > MAX_WORD_CHARS or len(_LETTERS.findall(word)) < 2:
        return []
    parts = chunks(word)
    if "".join(parts) != word:  # a character no chunk reads (a hyphen, a digit)
        return []
    table = _readings(parts)
    if table is None:
        return []
    freq = vocabulary.freq
    # Letters still to come at least (chunks that always write one): a hypothesis
    # past a known term that cannot end within MAX_TAIL letters is dropped now.
    always = [all(r.key for r in readings) for readings, _ in table]
    to_come = list(accumulate(reversed(always), initial=0))[::-1][1:]
    masses: dict[str, int] = {}

    def mass(key: str) -> int:
        m = masses.get(key)
        if m is None:
            m = masses[key] = vocabulary.prefix_mass(key)
        return m

    # key → (cost, display, length of the longest known term the key starts
    # with, estimate of the best score still reachable, ends in a glide or glottal)
    beam: dict[str, tuple[float, str, int, float, bool]] = {"": (0.0, "", 0, 0.0, False)}
    for (readings, after_vowel), later in zip(table, to_come):
        grown: dict[str, tuple[float, str, int, float, bool]] = {}
        for key, (cost, display, base, _, glide) in beam.items():
            for r in readings if after_vowel is None or glide else after_vowel:
                k = key + r.key
                c = cost + r.cost
                old = grown.get(k)
                if old is not None and old[0] <= c:
                    continue
                m = mass(k)
                if m:
                    b = len(k) if k in freq else base
                    estimate = c - math.log10(m)
                elif base and len(k) - base + later <= MAX_TAIL:
                    b = base
                    estimate = c + STRIP_COST * (len(k) - base) - math.log10(freq[k[:base]])
                else:
                    continue
                # A letter read as nothing leaves the last letter's glide (so'al: و, then ', then a).
                grown[k] = (c, display + r.display, b, estimate,
                            r.display[-1:] in GLIDE_OR_GLOTTAL if r.display else glide)
        if not grown:
            return []
        beam = grown if len(grown) <= BEAM else dict(heapq.nsmallest(BEAM, grown.items(), key=lambda kv: kv[1][3]))
    complete = sorted(((k, h) for k, h in beam.items() if h[2]), key=lambda kh: kh[1][3])[:MAX_CHECKED]
    best: dict[str, Candidate] = {}
    for key, (cost, display, _, _, _) in complete:
        term = _known_term(display, vocabulary, analyzer)
        if term is None:
            continue
        cost += STRIP_COST * max(0, len(key) - len(term)) + STOPWORD_COST * analyzer.is_stopword(term)
        cand = Candidate(display, term, freq[term], cost)
        old = best.get(term)
        if old is None or cand.score < old.score:
            best[term] = cand
    return sorted(best.values(), key=lambda c: (c.score, c.text))[:limit]


def _known_term(text: str, vocabulary: Vocabulary, analyzer: "Analyzer") -> str | None:
    """The index term ``text`` stands for when the index holds all its terms, else None.

    A compound gives its joined term first (the widest token at the first position).
    """
    tokens = list(analyzer.tokens(text, keep_stopwords=True))
    if not tokens or any(t.text not in vocabulary for t in tokens):
        return None
    first = tokens[0].position
    return max((t for t in tokens if t.position == first), key=lambda t: t.length).text


# --- a whole query -------------------------------------------------------------------


def _is_index_term(word: str, freq: Mapping[str, int], analyzer: "Analyzer") -> bool:
    terms = [t.text for t in analyzer.tokens(word, keep_stopwords=True)]
    return bool(terms) and all(freq.get(t, 0) >= KNOWN_LATIN_MIN_DF for t in terms)


def transliterate_query(query: str, table: Any, analyzer: "Analyzer") -> str | None:
    """``query`` with its Finglish words read as Persian, or None when no word was.

    ``table`` has a ``freq`` mapping of index terms to document frequencies
    (the query layer's spelling table). Operators, field names, Persian words,
    and Latin words that are terms of the index stay as typed; a hyphenated
    ezafe (``daneshgah-e``) is dropped.

    >>> transliterate_query("daneshgah-e tehran", spelling_table, analyzer)  # doctest: +SKIP
    'دانشگاه تهران'
    """
    read: dict[str, str | None] = {}  # each distinct word is read once
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        text = match.group()
        if text in _OPERATORS:
            return text
        out = []
        before = changed
        changed = False
        for i, part in enumerate(text.split("-")):
            low = part.lower()
            if i and low in EZAFE:
                continue
            if low not in read:
                if len(read) >= MAX_WORDS or len(_LETTERS.findall(low)) < 2 \
                        or _is_index_term(low, table.freq, analyzer):
                    out.append(part)
                    continue
                # The sorted terms are built on the first Latin word read, not for Persian queries.
                found = candidates(low, vocabulary_of(table), analyzer, limit=1)
                read[low] = found[0].text if found else None
            persian = read[low]
            out.append(part if persian is None else persian)
            changed = changed or persian is not None
        if not changed:  # coca-cola stays as typed
            changed = before
            return text
        return " ".join(out)

    rewritten = _LATIN_WORD.sub(replace, query)
    return rewritten if changed and rewritten != query else None


__all__ = ["CHUNKS", "AT_START", "AT_END", "Vocabulary", "Candidate", "candidates", "chunks",
           "transliterate_query", "vocabulary_of"]
