"""Ranking a question: what a ranked bag of its words misses, added to the bag.

A question (docs/query.md, *Plain words*) is searched as a plain OR of its
content words, ranked by BM25 over title and body. :func:`rank` keeps that
bag and every document it matches, and adds what a reading of the question
knows and BM25 does not:

- **answer type**: the word right after a question determiner (چه سالی،
  کدام کشور، چند روز) names the kind of answer, not its subject: it weighs
  :data:`ANSWER_TYPE_WEIGHT`;
- **colloquial question words** (کدوم، چیه، چطوری) are dropped like the
  written ones, which the analyzer already drops as stopwords: the index
  never holds them, and a correction would make other words of them
  (کدوم → دوم);
- **words written apart**: two neighbouring words whose glued form is a term
  of the index (سرما خوردگی → سرماخوردگی، سر درد → سردرد) add that term, at
  :data:`JOINED_WEIGHT`;
- **typos**: a word the index does not hold adds its spelling correction
  (کهشکان → کهکشان, from the index's own
  :class:`~persearch.query.suggest.SpellIndex`), at :data:`CORRECTION_WEIGHT`,
  when it keeps the word's first letter (a typo seldom hits it; a
  "correction" that changes it is mostly another word: جوریه → سوریه);
- **proximity** (off: :data:`PROXIMITY_WEIGHT` is 0): each pair of
  neighbouring keywords can add a phrase of the two in the body with
  :data:`PROXIMITY_SLOP` word allowed between them. It gained 0 to 0.002
  nDCG@10 on each source, within the noise, and made questions 1.13×
  (tantivy) to 1.25× (Whoosh, whose top-10 collector then cannot skip
  blocks) slower;
- **title**: a question's words weigh :data:`QUESTION_TITLE_WEIGHT` of the
  usual title weight in the title. Titles are short and few, so a title
  word's BM25 weight (its IDF over titles, its frequency over a two-word
  length) is already that of the rarest body word; a question names its
  subject and several other words, and summing full title weights for them
  put short titles holding the subject above the passage with the answer.

Keywords (every word, most words) are left as they are: their users asked
for those words. The weights were chosen on the development questions of
``benchmarks/eval_retrieval.py`` (both sources, both backends); docs/query.md
(*Ranking*) has the study, with what was tried and lost.

The transform is pure (:func:`rank`): the index is asked through a
:class:`Vocabulary`, which :func:`index_vocabulary` makes of an index.

    >>> rank(parse("سرما خوردگی با چه علائمی شروع می شود؟", analyzer), analyzer, vocabulary)  # doctest: +SKIP
    Or(children=(Term('سرما'), Term('خوردگی'), Term('علایم', boost=0.5), ..., Term('سرماخوردگی', boost=0.5), ...))
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, Sequence

from ..analysis.normalize import normalize_word
from ..backends.base import TITLE_BOOST
from ..querytree import And, Fuzzy, Node, Or, Phrase, Prefix, Term
from .searchable import Searchable

if TYPE_CHECKING:
    from ..analysis import Analyzer
    from .parse import Parsed

#: Weight of the word after a question determiner (چه سالی: سال).
ANSWER_TYPE_WEIGHT = 0.5
#: Weight of the glued form of two words written apart, when the index holds it.
JOINED_WEIGHT = 0.5
#: Weight of the spelling correction of a word the index does not hold.
CORRECTION_WEIGHT = 0.5
#: At most this many words of one question are looked up for a correction (each
#: lookup costs 0.1-0.2 ms; a third gained nothing on the dev questions).
MAX_CORRECTIONS = 2
#: Weight of a pair of neighbouring keywords found as a phrase in the body (0: no
#: proximity clauses; 0.1 was the best weight, and not worth its cost: see above).
PROXIMITY_WEIGHT = 0.0
#: Words allowed between the two words of a proximity pair.
PROXIMITY_SLOP = 1
#: Questions with more keyword pairs than this get no proximity clauses (each
#: is a phrase query; long pasted questions would pay for many).
MAX_PROXIMITY_PAIRS = 4
#: Weight of a question's words in the title, relative to the backends' TITLE_BOOST.
QUESTION_TITLE_WEIGHT = 0.8
#: Words asking "which / what kind / how many" of the word after them, written and colloquial.
QUESTION_DETERMINERS = frozenset(normalize_word(w) for w in (
    "چه کدام کدامین کدامیک کدوم کدومین کدومیک چند چندم چندمین"
).split())
#: Colloquial question words (the written ones are the analyzer's stopwords).
COLLOQUIAL_QUESTION_WORDS = frozenset(normalize_word(w) for w in (
    "چیه چیا چیو چیکار چکار کدوم کدومه کدوما کدومش کدومین کدومیک کیه کیا کجاس کجان کجاهاست "
    "چطوری چجوری چجور چطوریه چقد چقده چندتا چندتاست"
).split())
# A determiner starts with one of these letters: the rest of the words are not normalized.
_DETERMINER_INITIALS = frozenset(w[0] for w in QUESTION_DETERMINERS) | {"ك"}


class Vocabulary(Protocol):
    """What :func:`rank` asks of an index."""

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        """Documents holding each term (0: the index does not know it)."""

    def correct(self, term: str) -> str | None:
        """The closest frequent term of the index, or None."""


def rank(parsed: "Parsed", analyzer: "Analyzer", vocabulary: Vocabulary) -> Node:
    """The tree of ``parsed`` with the ranking clauses added; anything but a question's bag of words is unchanged.

    The documents matched are those of the bag, plus those holding a glued
    form or a correction; proximity clauses match only documents the bag
    matches already.

    >>> rank(parse("پهنای کهشکان چقدر است؟", analyzer), analyzer, vocabulary)  # doctest: +SKIP
    Or((Or((Term('پهنا', 'title', 0.8), Term('پهنا', 'body'))), Or((Term('کهشکان', 'title', 0.8), ...)),
        Or((Term('کهکشان', 'title', 0.4), Term('کهکشان', 'body', 0.5)))))
    """
    node = parsed.node
    if not (parsed.natural and isinstance(node, Or) and node.min_match == 1 and len(node.children) > 1):
        return node
    keywords = [k for k in node.children if not set(_terms(k)) & COLLOQUIAL_QUESTION_WORDS] or list(node.children)
    field = _field(keywords)
    asked = {t for k in keywords for t in _terms(k)}
    typed, glued = _read_words(parsed.words, asked)
    probe = sorted(asked | set(glued))
    known = dict(zip(probe, (df > 0 for df in vocabulary.doc_frequencies(probe))))
    if typed:
        keywords = [_weighted(k, ANSWER_TYPE_WEIGHT) if _terms(k) and set(_terms(k)) <= typed else k
                    for k in keywords]
    extra: list[Node] = [Term(t, field, boost=JOINED_WEIGHT) for t in glued
                         if known[t] and not analyzer.is_stopword(t)]
    extra.extend(_corrections(keywords, analyzer, vocabulary, known, asked, field))
    if PROXIMITY_WEIGHT:
        extra.extend(_proximity(keywords, known, field))
    bag = Or(tuple(keywords) + tuple(extra)) if len(keywords) + len(extra) > 1 else keywords[0]
    return _title_weighted(bag, QUESTION_TITLE_WEIGHT) if QUESTION_TITLE_WEIGHT != 1.0 else bag


def _terms(node: Node) -> tuple[str, ...]:
    """A keyword's terms: its own and its alternatives (an Or of terms); () for anything else."""
    if isinstance(node, Term):
        return (node.text,)
    if isinstance(node, Or) and node.min_match == 1 and all(isinstance(c, Term) for c in node.children):
        return tuple(c.text for c in node.children)  # type: ignore[union-attr]
    return ()


def _field(keywords: Sequence[Node]) -> str | None:
    """The field the keywords search (None: title and body)."""
    fields = {c.field for k in keywords for c in ((k,) if isinstance(k, Term) else getattr(k, "children", ()))
              if isinstance(c, Term)}
    return fields.pop() if len(fields) == 1 else None


def _weighted(node: Node, weight: float) -> Node:
    if isinstance(node, Term):
        return replace(node, boost=node.boost * weight)
    assert isinstance(node, Or)
    return Or(tuple(_weighted(c, weight) for c in node.children), node.min_match)


def _title_weighted(node: Node, weight: float) -> Node:
    """``node`` with each default-field leaf searched in title (at ``weight`` × TITLE_BOOST) OR body."""
    if isinstance(node, Term):  # the common case, without dataclasses.replace (3x dearer)
        if node.field is not None:
            return node
        return Or((Term(node.text, "title", node.boost * TITLE_BOOST * weight), Term(node.text, "body", node.boost)))
    if isinstance(node, (Phrase, Prefix, Fuzzy)):
        if node.field is not None:
            return node
        return Or((replace(node, field="title", boost=node.boost * TITLE_BOOST * weight), replace(node, field="body")))
    if isinstance(node, Or):
        return Or(tuple(_title_weighted(c, weight) for c in node.children), node.min_match)
    if isinstance(node, And):
        return And(tuple(_title_weighted(c, weight) for c in node.children))
    return node


def _read_words(words: Sequence[tuple[str, tuple[str, ...]]], asked: set[str]) -> tuple[set[str], list[str]]:
    """Answer-type terms (only ever asked right after a determiner), and glued forms of neighbouring words."""
    after, elsewhere = set(), set()
    glued: list[str] = []
    previous, previous_terms = "", ()
    for surface, terms in words:
        determined = previous[:1] in _DETERMINER_INITIALS and normalize_word(previous) in QUESTION_DETERMINERS
        (after if determined else elsewhere).update(terms)
        if terms and previous_terms and previous[-1:].isalpha() and surface[:1].isalpha():
            term = previous_terms[0] + terms[0]
            if term not in asked and term not in glued:
                glued.append(term)
        previous, previous_terms = surface, terms
    return after - elsewhere, glued


def _corrections(keywords: Sequence[Node], analyzer: "Analyzer", vocabulary: Vocabulary, known: dict[str, bool],
                 asked: set[str], field: str | None) -> list[Node]:
    """The spelling correction of each keyword none of whose terms the index holds (the first few)."""
    unknown = [terms[0] for terms in map(_terms, keywords) if terms and not any(known[t] for t in terms)]
    fixes: list[str] = []
    for term in unknown[:MAX_CORRECTIONS]:
        fix = vocabulary.correct(term)
        if fix is not None and fix[:1] == term[:1] and fix not in asked and fix not in fixes \
                and not analyzer.is_stopword(fix):
            fixes.append(fix)
    return [Term(fix, field, boost=CORRECTION_WEIGHT) for fix in fixes]


def _proximity(keywords: Sequence[Node], known: dict[str, bool], field: str | None) -> list[Node]:
    """A sloppy body phrase of each pair of neighbouring keywords the index holds."""
    pairs: list[Node] = []
    for first, second in zip(keywords, keywords[1:]):
        a, b = _terms(first), _terms(second)
        # The words' own terms: alternatives would make a (dearer) regex phrase.
        if a and b and known[a[0]] and known[b[0]]:
            pairs.append(Phrase((a[0], b[0]), field or "body", slop=PROXIMITY_SLOP, boost=PROXIMITY_WEIGHT))
    return pairs if len(pairs) <= MAX_PROXIMITY_PAIRS else []


class _IndexVocabulary:
    """An index's vocabulary: document frequencies from its backend, corrections from its spelling table."""

    def __init__(self, index: Searchable) -> None:
        self._index = index

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        return self._index.backend.doc_frequencies(terms)

    def correct(self, term: str) -> str | None:
        # The table is built once per index generation, by the first question with an unknown word.
        from .suggest import spell_index

        return spell_index(self._index).correct(term)


def index_vocabulary(index: Searchable) -> Vocabulary:
    """``index`` as a :class:`Vocabulary`."""
    return _IndexVocabulary(index)


def ranked(index: Searchable, parsed: "Parsed") -> Node:
    """:func:`rank` for a query on ``index``: the tree its backend runs.

    >>> index.backend.search(ranked(index, parse("سرما خوردگی چیست؟", index.analyzer)), 10)  # doctest: +SKIP
    """
    return rank(parsed, index.analyzer, index_vocabulary(index))


__all__ = ["rank", "ranked", "index_vocabulary", "Vocabulary", "ANSWER_TYPE_WEIGHT", "JOINED_WEIGHT",
           "CORRECTION_WEIGHT", "MAX_CORRECTIONS", "QUESTION_TITLE_WEIGHT", "PROXIMITY_WEIGHT", "PROXIMITY_SLOP",
           "MAX_PROXIMITY_PAIRS", "QUESTION_DETERMINERS", "COLLOQUIAL_QUESTION_WORDS"]
