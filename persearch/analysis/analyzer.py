"""The Persian analyzer: the one place where the pipeline is wired.

For each word group the tokenizer finds in the *original* text:

1. split the group into pieces at ZWNJ and spaces (and where a digit touches
   a letter), normalize each piece (normalize.py; or hazm/parsivar's
   normalizer) and shorten letters stretched for emphasis (spelling.py);
2. glue affixes back (units.py): the prefix می/نمی to the next piece,
   suffixes such as ها/تر/ی/ام to the previous one (می‌خواهد, میخواهد,
   می خواهد → میخواهد); a clitic written apart only to a host the lexicon knows;
3. stem each unit (stem.py, or hazm/parsivar's, or none), optionally
   lemmatize verbs (hazm);
4. a segment of several units is a compound: emit the joined term (spanning all
   units, ``length`` = number of units) at the first unit's position, then
   each unit at consecutive positions. A single unit that is a known or
   guessable glued compound (compounds.py) gets the same treatment;
5. *stacked* terms at a unit's position, after its own term: the singular of
   a plural the suffix rules miss (plurals.py: اخبار → خبر), the verb without
   its prefix (verbs.py: میخورد → خورد), the numbers of a time (22:00 → 22, 00),
   and the ا spelling of a word with ئ between consonants (مسئله → مسیله + مساله, so مسئله = مسأله = مساله);
6. stopwords are dropped (or kept, ``stopwords=False``) without renumbering positions.

Results are cached per surface group, so repeated words cost a dict lookup.
"""
from __future__ import annotations

import functools
import operator
import re
from itertools import accumulate, compress
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from ..errors import InvalidOption
from . import optional
from .affixes import ALWAYS_GLUED, COPULA
from .compounds import split_compound
from .lexicon import base_words
from .lexicon import stopwords as load_stopwords
from .normalize import hamza_variant, normalize_word
from .plurals import plurals as plural_forms
from .plurals import table as plural_table
from .spelling import collapse_repeats
from .stem import known
from .stem import stem as builtin_stem
from .tokenize import WORD_GROUP, WORD_GROUP_SPLIT
from .units import SEPARATOR_OR_DIGIT, Segment, needs_segmenting, segments
from .verbs import PREFIXES as VERB_PREFIXES
from .verbs import bare_verb

_CACHE_LIMIT = 300_000
#: What may stand between the two words of a compound written apart.
_ANY_TRIPLE = re.compile(r"(.)\1\1")
#: What a query weighs a conflated form with, against 1 for the word's own term
#: (see Analyzer.weights): a document with the very form the query has ranks
#: first, and adding the conflated form does not count the word twice (with
#: full weight, questions with a common verb such as می‌کند lost 0.005 nDCG@10
#: on the dev set; at 0.1, 0.2 and 0.3 every figure is at or above its earlier
#: value, 0.1 best).
CONFLATED_WEIGHT = 0.1
#: Bumped whenever a change makes the same text give other terms: an index
#: records it and refuses to be searched by an analyzer of another version.
#: 2: the ا variant of a word with ئ is stemmed as the word was. 3: clitics
#: and compounds written with a space, stacked plurals and verbs, segments.
ANALYZER_VERSION = 3
#: The stemmers an Analyzer takes (or None: no stemming).
STEMMERS = ("builtin", "hazm", "parsivar")


class Token(NamedTuple):
    """One index term and where it came from.

    ``text`` is the term; ``original[start:end]`` the surface it came from;
    ``position`` its term position; ``length`` how many positions it spans
    (a joined compound spans its parts, like Lucene's position length).
    """

    text: str
    start: int
    end: int
    position: int
    length: int = 1


# (term, start, end, position offset, length, is_stopword) relative to a group.
_Entry = tuple[str, int, int, int, int, bool]
# A group analyzed: its entries and its width in positions.
_Group = tuple[tuple[_Entry, ...], int]
# A group's terms, starts, ends and position offsets, and its width in positions.
_GroupColumns = tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...], int]
#: Among plain groups' terms (Analyzer._plain_kept), a stopword group that
#: tokens are asked to leave out.
_DROPPED = object()
#: Tokens as columns: terms, starts, ends, positions (see Analyzer.columns).
Columns = tuple[list[str], list[int], list[int], list[int]]


class Analyzer:
    """A configurable Persian analysis pipeline.

    >>> [t.text for t in Analyzer()("کتاب‌هایشان را می خواهد")]
    ['کتاب', 'میخواهد']
    """

    def __init__(
        self,
        *,
        stemmer: str | None = "builtin",
        stopwords: bool = True,
        lemmatize: bool = False,
        normalizer: str = "builtin",
        compounds: bool = True,
        version: int = ANALYZER_VERSION,
    ) -> None:
        if version != ANALYZER_VERSION:
            raise InvalidOption(f"analyzer version {version} is not this persearch's ({ANALYZER_VERSION}): "
                                f"its terms cannot be reproduced; rebuild the index")
        if stemmer is False:  # allow stemmer=False as "off"
            stemmer = None
        if stemmer not in (None, *STEMMERS):
            raise InvalidOption(f"unknown stemmer {stemmer!r}: use {', '.join(STEMMERS)} or none (None)")
        if normalizer not in ("builtin", "hazm", "parsivar"):
            raise InvalidOption(f"unknown normalizer {normalizer!r}: use 'builtin', 'hazm' or 'parsivar'")
        self.stemmer = stemmer
        self.stopwords = bool(stopwords)
        self.lemmatize = bool(lemmatize)
        self.normalizer = normalizer
        self.compounds = bool(compounds)
        self._setup()

    def _setup(self) -> None:
        # Load optional stages now, so a missing extra fails at construction.
        self._pre_normalize: Callable[[str], str] | None = (
            None if self.normalizer == "builtin" else optional.normalizer(self.normalizer)
        )
        self._stem: Callable[[str], str] | None = (
            builtin_stem if self.stemmer == "builtin"
            else None if self.stemmer is None
            else optional.stemmer(self.stemmer)
        )
        self._lemmatize = optional.lemmatizer() if self.lemmatize else None
        self._stopword_set = load_stopwords()
        # Analyzed word groups (the same groups recur all the time). Plain
        # groups, giving one token that spans the group, by their term (in
        # _plain_kept, a stopword's is _DROPPED); other groups by their
        # entries (for tokens) and by their columns (for columns).
        self._plain_groups: dict[str, str] = {}
        self._plain_kept: dict[str, Any] = {}
        self._cache: dict[str, _Group] = {}
        self._other_groups: dict[str, _GroupColumns] = {}

        self._morphology = self.stemmer == "builtin" and not self.lemmatize
        # The stemmer alone, when nothing else runs before it (the common case, one call).
        self._plain_stem = self._stem if self._lemmatize is None else None
        self._plurals: dict[str, str] = plural_table() if self._morphology else {}

    # -- configuration ----------------------------------------------------
    def config(self) -> dict[str, Any]:
        """The options and the analyzer version as a plain dict (stored in an index to refuse mixing)."""
        return {
            "stemmer": self.stemmer, "stopwords": self.stopwords, "lemmatize": self.lemmatize,
            "normalizer": self.normalizer, "compounds": self.compounds, "version": ANALYZER_VERSION,
        }

    def with_options(self, **changes: Any) -> "Analyzer":
        """A copy with some options changed: ``Analyzer().with_options(stopwords=False)``."""
        return Analyzer(**{**self.config(), **changes})

    def __getstate__(self) -> dict[str, Any]:
        return self.config()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Analyzer) and other.config() == self.config()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.config().items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"Analyzer({args})"

    # -- analysis ---------------------------------------------------------
    def __call__(self, text: str) -> list[Token]:
        """Analyze ``text``: ``Analyzer()("كتابها")[0] == Token("کتاب", 0, 6, 0)``."""
        return self._token_list(text, self.stopwords)

    def tokens(self, text: str, *, keep_stopwords: bool | None = None) -> Iterator[Token]:
        """The tokens of ``text`` in order; ``keep_stopwords`` overrides the ``stopwords`` option."""
        return iter(self._token_list(text, self.stopwords if keep_stopwords is None else not keep_stopwords))

    def _token_list(self, text: str, drop_stops: bool) -> list[Token]:
        # The hot loop: one pass per word group, a list append rather than a
        # generator's yield. A plain group (one token spanning the group, one
        # position wide: 95 % of a news article's) is one dict lookup for its
        # term, or _DROPPED for a stopword left out; other groups go through
        # their cached entries.
        tokens: list[Token] = []
        append = tokens.append
        new = tuple.__new__  # Token(...) goes through a Python-level __new__
        plain = (self._plain_kept if drop_stops else self._plain_groups).get
        cache = self._cache
        position = 0
        for match in WORD_GROUP.finditer(text):
            surface = match.group()
            term = plain(surface)
            if term is not None:
                if term is not _DROPPED:
                    append(new(Token, (term, match.start(), match.end(), position, 1)))
                position += 1
                continue
            entries, width = cache.get(surface) or self._entries(surface)
            start = match.start()
            for term, rel_start, rel_end, offset, length, is_stop in entries:
                if not (is_stop and drop_stops):
                    append(new(Token, (term, start + rel_start, start + rel_end, position + offset, length)))
            position += width
        return tokens

    def columns(self, text: str) -> Columns:
        """Every token of ``text``, stopwords kept, as four lists: terms, starts, ends, positions.

        What an index needs, built with no Python step per token: about
        twice as fast as collecting :meth:`tokens`.
        ``Analyzer().columns("کتاب خوب") == (["کتاب", "خوب"], [0, 5], [4, 8], [0, 1])``
        """
        # Nearly every word group is *plain*: one token spanning the whole
        # group, one position wide (98 % of a news article's). Those are laid
        # out by C loops over all groups at once: the groups and the text
        # between them from one regex split, offsets from the running sum of
        # their lengths, terms from the plain-group cache. Groups seen for the
        # first time are analyzed first; Python then steps only through the
        # groups that are not plain (None among the terms), splicing their tokens in.
        parts = WORD_GROUP_SPLIT.split(text)
        bounds = list(accumulate(map(len, parts), initial=0))
        surfaces, group_starts, group_ends = parts[1::2], bounds[1:-1:2], bounds[2::2]
        plain_terms = list(map(self._plain_groups.get, surfaces))
        if None not in plain_terms:
            return plain_terms, group_starts, group_ends, list(range(len(plain_terms)))
        new = set(compress(surfaces, map(operator.not_, plain_terms))).difference(self._other_groups)
        if new:  # groups seen for the first time: analyze them, then look again
            for surface in new:
                self._group_columns(surface)
            plain_terms = list(map(self._plain_groups.get, surfaces))
        terms: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        positions: list[int] = []
        done = shift = 0  # groups laid out so far; positions gained over group numbers
        next_other = plain_terms.index
        try:
            while True:
                i = next_other(None, done)
                if i > done:
                    terms += plain_terms[done:i]
                    starts += group_starts[done:i]
                    ends += group_ends[done:i]
                    positions += range(done + shift, i + shift)
                group_terms, rel_starts, rel_ends, offsets, width = self._group_columns(surfaces[i])
                start, position = group_starts[i], i + shift
                terms += group_terms
                starts += map(start.__add__, rel_starts)
                ends += map(start.__add__, rel_ends)
                positions += map(position.__add__, offsets)
                shift += width - 1
                done = i + 1
        except ValueError:  # no further group that is not plain
            pass
        if done < len(plain_terms):
            terms += plain_terms[done:]
            starts += group_starts[done:]
            ends += group_ends[done:]
            positions += range(done + shift, len(plain_terms) + shift)
        return terms, starts, ends, positions

    def _group_columns(self, surface: str) -> _GroupColumns:
        """A group's tokens as columns; a plain group is also remembered for :meth:`columns`."""
        hit = self._other_groups.get(surface)
        if hit is not None:
            return hit
        if len(self._other_groups) + len(self._plain_groups) > _CACHE_LIMIT:
            self._other_groups.clear()
            self._plain_groups.clear()
            self._plain_kept.clear()

        rows, width = self._cache.get(surface) or self._analyze_group(surface)
        terms, starts, ends, offsets, _, _ = zip(*rows) if rows else ((),) * 6
        hit = (terms, starts, ends, offsets, width)
        if not self._remember_plain(surface, rows, width):
            self._other_groups[surface] = hit
        return hit

    def _entries(self, surface: str) -> _Group:
        """Analyze one word group and remember it (the same groups recur all the time):
        a plain group among the plain ones, any other in the entries cache."""
        if len(self._cache) + len(self._plain_kept) > _CACHE_LIMIT:
            self._cache.clear()
            self._plain_groups.clear()
            self._plain_kept.clear()
        group = self._analyze_group(surface)
        if not self._remember_plain(surface, *group):
            self._cache[surface] = group
        return group

    def _remember_plain(self, surface: str, rows: Sequence[_Entry], width: int) -> bool:
        """Remember a plain group (one token spanning the group, one position
        wide) by its term; whether the group was plain."""
        if width != 1 or len(rows) != 1:
            return False
        term, start, end, offset, length, is_stop = rows[0]
        if (start, end, offset, length) != (0, len(surface), 0, 1):
            return False
        self._plain_groups[surface] = term
        self._plain_kept[surface] = _DROPPED if is_stop else term
        return True

    def terms(self, text: str) -> list[str]:
        """Just the terms: ``Analyzer().terms("مسأله") == ["مساله"]``."""
        return [token.text for token in self.tokens(text)]

    def is_stopword(self, term: str) -> bool:
        """Whether a normalized term is a stopword: ``Analyzer().is_stopword("از")``."""
        return term in self._stopword_set

    def weights(self, alternatives: Sequence[str]) -> tuple[float, ...]:
        """How a query weighs the terms stacked at one position (the first is the word's own).

        1 for the word's own term and its spelling variants (مسیله / مساله);
        CONFLATED_WEIGHT for a form the word was conflated with: a verb's bare
        form (میخورد: خورد), a plural's singular (اخبار: خبر).
        ``Analyzer().weights(["اخبار", "خبر"]) == (1.0, 0.1)``
        """
        first = alternatives[0] if alternatives else ""
        conflated = {bare_verb(first), self._plurals.get(first)} if self._morphology else set()
        return tuple(CONFLATED_WEIGHT if i and alt in conflated else 1.0 for i, alt in enumerate(alternatives))

    def conflated_forms(self, term: str, prefix: bool = False) -> tuple[str, ...]:
        """Terms whose words also get ``term`` stacked without holding its letters in
        order: a singular's broken plurals (``conflated_forms("خبر") == ("اخبار",)``);
        with ``prefix``, those of every singular starting with ``term``.
        A highlighter that looks for a term's letters looks for these too."""
        if not self._morphology:
            return ()
        if not prefix:
            return plural_forms(term)
        return tuple(plural for plural, single in self._plurals.items() if single.startswith(term))

    def normalize(self, word: str) -> str:
        """Normalize one word without stemming (the query-time normalizer): ``normalize("سلاممم") == "سلام"``."""
        return self._normalize_piece(word).replace(" ", "")

    def _normalize_piece(self, word: str) -> str:
        """One piece of a group normalized; a phrase ligature keeps the spaces between its words."""
        if self._pre_normalize is not None:
            word = self._pre_normalize(word)
        word = normalize_word(word)
        if _ANY_TRIPLE.search(word) is None:  # a cheaper test than STRETCHED's, for the common case
            return word
        return " ".join(map(collapse_repeats, word.split())) if " " in word else collapse_repeats(word)

    def _glue_spaced(self, host: str, suffix: str) -> bool:
        """Whether a suffix written apart belongs to ``host`` (the lexicon decides for clitics):
        خانه ای is خانه‌ای, but در شان (in dignity) is two words."""
        if suffix in ALWAYS_GLUED:
            return True
        return host not in self._stopword_set and (known(host) or known(builtin_stem(host)))

    def _term(self, word: str, key: str) -> str:
        """The term of a unit: ``word`` glued, ``key`` its host when a suffix was written apart."""
        if key == word or self._stem is None or word in self._stopword_set:
            return self.stem(word)
        if self._lemmatize is not None:
            lemma = self._lemmatize(word)  # رفته‌ام is a verb before it is رفته + ام
            if lemma != word:
                return lemma
        return self.stem(key)

    def stem(self, term: str) -> str:
        """Stem (and lemmatize) one normalized term with this analyzer's stages."""
        if term in self._stopword_set:
            return term  # stopwords are matched as written (آنها must not become ان)
        if self._lemmatize is not None:
            lemma = self._lemmatize(term)
            if lemma != term:
                return lemma
        return self._stem(term) if self._stem is not None else term

    def _analyze_group(self, surface: str) -> _Group:
        if SEPARATOR_OR_DIGIT.search(surface) is None or not needs_segmenting(surface):  # nearly every group
            word = self._normalize_piece(surface)
            if word and " " not in word and not word.endswith(COPULA):
                entries: list[_Entry] = []
                width = self._unit_entries(surface, word, 0, len(surface), word, 0, entries)
                return tuple(entries), width
            if not word:
                return (), 0
        entries = []
        width = 0
        for units in segments(surface, self._normalize_piece, self._glue_spaced):
            width += self._segment_entries(surface, units, width, entries)
        return tuple(entries), width

    def _segment_entries(self, surface: str, units: Segment, offset: int, entries: list[_Entry]) -> int:
        """Add one segment's entries at ``offset``; return how many positions it spans."""
        if len(units) == 1:
            word, start, end, key = units[0]
            return self._unit_entries(surface, word, start, end, key, offset, entries)
        stops = self._stopword_set
        last_word, _, _, last_key = units[-1]
        head = "".join(word for word, _, _, _ in units[:-1])
        joined = self._term(head + last_word, head + last_key)
        entries.append((joined, units[0][1], units[-1][2], offset, len(units), False))
        for i, (word, start, end, key) in enumerate(units):
            term = self._term(word, key)
            is_stop = word in stops
            entries.append((term, start, end, offset + i, 1, is_stop))
            if not is_stop and (self._morphology and (term in self._plurals or word.startswith(VERB_PREFIXES))
                                or ":" in term):
                self._add_stacked(entries, word, key, term, offset + i, start, end)
            self._add_variant(entries, surface[start:end], word, key, term, offset + i, start, end)
        return len(units)

    def _unit_entries(self, surface: str, word: str, start: int, end: int, key: str, offset: int,
                      entries: list[_Entry]) -> int:
        """Add the entries of a segment of one unit (maybe a glued compound); return its width."""
        stops = self._stopword_set
        if word in stops:  # stopwords are matched as written (آنها must not become ان)
            entries.append((word, start, end, offset, 1, True))
            return 1
        term = self._plain_stem(word) if key == word and self._plain_stem is not None else self._term(word, key)
        if self.compounds and term not in stops:
            parts = split_compound(term)
            if len(parts) > 1:
                entries.append((term, start, end, offset, len(parts), False))
                entries.extend((part, start, end, offset + i, 1, part in stops) for i, part in enumerate(parts))
                return len(parts)
        entries.append((term, start, end, offset, 1, False))
        if self._morphology and (term in self._plurals or word.startswith(VERB_PREFIXES)) or ":" in term:
            self._add_stacked(entries, word, key, term, offset, start, end)
        self._add_variant(entries, surface[start:end], word, key, term, offset, start, end)
        return 1

    def _add_stacked(self, entries: list[_Entry], word: str, key: str, term: str, offset: int,
                     start: int, end: int) -> None:
        """Terms stacked at a (non-stopword) unit's position, after its own: what else it must be found by.

        - a verb with the prefix می / نمی also gives its bare form (میخورد: خورد);
        - a plural in the plural table also gives its singular (اخبار: خبر);
        - a time or score gives its numbers (22:00: 22, 00).
        """
        if ":" in term:
            for number in dict.fromkeys(term.split(":")):
                if number and number != term:
                    entries.append((number, start, end, offset, 1, False))
            return
        if not self._morphology:
            return
        if term == word and word.startswith(VERB_PREFIXES) and word not in base_words():
            bare = bare_verb(word)
            if bare is not None and bare not in self._stopword_set:
                entries.append((bare, start, end, offset, 1, False))
        single = self._plurals.get(term)
        if single is not None:
            entries.append((single, start, end, offset, 1, False))

    def _add_variant(self, entries: list[_Entry], raw: str, word: str, key: str, term: str, offset: int,
                     start: int, end: int) -> None:
        """Add the ا spelling of a unit with ئ (مسئله → مساله), stemmed as the unit was.

        The variant is the unit's own term with ا where ئ stood: stemming the
        variant word apart could cut it otherwise (مساله‌ای read as مسال + های,
        هیاتی kept whole while هیئتی loses its ی), and then مسئله‌ای would
        not meet مساله. Runs once per distinct word group (cached).
        """
        variant = hamza_variant(raw)
        if not variant:
            return
        variant = variant.replace(" ", "")
        moved = [i for i, (a, b) in enumerate(zip(word, variant)) if a != b] if len(variant) == len(word) else []
        if moved and term[:moved[-1] + 1] == word[:moved[-1] + 1]:
            letters = list(term)
            for i in moved:
                letters[i] = variant[i]
            variant = "".join(letters)
        else:  # the stemmer changed the word before its ئ (a lemmatizer may): stem the variant alone
            variant = self.stem(variant)
        if variant != term:
            entries.append((variant, start, end, offset, 1, False))


@functools.lru_cache(maxsize=16)
def _shared_analyzer(options: tuple[tuple[str, Any], ...]) -> Analyzer:
    return Analyzer(**dict(options))


def analyze(text: str, **options: Any) -> list[Token]:
    """Analyze Persian text with the default pipeline (or ``Analyzer(**options)``).

    >>> [(t.text, t.start, t.end) for t in analyze("رئیس‌جمهوری")]
    [('رییسجمهوری', 0, 11), ('رییس', 0, 4), ('جمهوری', 5, 11)]
    """
    return _shared_analyzer(tuple(sorted(options.items())))(text)
