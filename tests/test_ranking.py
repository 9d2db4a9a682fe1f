"""Ranking a question (persearch/query/ranking.py): the clauses added to its bag of words, on both backends."""
from __future__ import annotations

from typing import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataclasses import replace

from persearch import Analyzer
from persearch.backends.base import TITLE_BOOST
from persearch.query import parse, ranking
from persearch.query.run import _restrict
from persearch.querytree import And, Node, Or, Phrase, Term

A = Analyzer()


class Vocabulary:
    """A vocabulary of known terms (document frequency 3 each) and fixed corrections."""

    def __init__(self, known: Sequence[str] = (), corrections: dict[str, str] | None = None) -> None:
        self.known = set(known)
        self.corrections = corrections or {}
        self.corrected: list[str] = []

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        return [3 if t in self.known else 0 for t in terms]

    def correct(self, term: str) -> str | None:
        self.corrected.append(term)
        return self.corrections.get(term)


def unsplit(node: Node) -> Node:
    """A ranked tree with each (title OR body) pair of a default-field leaf read back as that leaf."""
    if not isinstance(node, Or):
        return node
    title, body = (node.children + (None, None))[:2]
    if len(node.children) == 2 and getattr(title, "field", "") == "title" and getattr(body, "field", "") == "body" \
            and replace(body, field="title", boost=body.boost * TITLE_BOOST * ranking.QUESTION_TITLE_WEIGHT) == title:
        return replace(body, field=None)
    return Or(tuple(unsplit(c) for c in node.children), node.min_match)


def ranked(query: str, vocabulary: Vocabulary, fields: Sequence[str] | None = None) -> Node:
    """The ranked tree of ``query``, title weighting read back (tested on its own below)."""
    parsed = parse(query, A)
    parsed.node = _restrict(parsed.node, fields)
    return unsplit(ranking.rank(parsed, A, vocabulary))


def terms_of(query: str) -> list[str]:
    node = parse(query, A).node
    children = node.children if isinstance(node, (Or, And)) else (node,)
    return [c.text for c in children if isinstance(c, Term)]


def everything_known(query: str, *extra: str) -> Vocabulary:
    return Vocabulary([*terms_of(query), *extra])


def added(node: Node, kind: type) -> list[Node]:
    assert isinstance(node, Or)
    return [c for c in node.children if isinstance(c, kind) and getattr(c, "boost", 1.0) < 1.0]


# --- what is left alone ------------------------------------------------------------


@pytest.mark.parametrize("query", ["کتاب تاریخ", "تاریخ ادبیات فارسی قرن نوزدهم ایران", "«رئیس جمهور» ترکیه",
                                   "ایران OR ترکیه", "کتاب -تاریخ", "چرا؟"])
def test_keywords_and_operators_are_left_alone(query: str) -> None:
    vocabulary = Vocabulary(["کتابتاریخ"], {"کتاب": "کباب"})
    assert ranking.rank(parse(query, A), A, vocabulary) == parse(query, A).node


def test_a_question_keeps_every_word_at_its_weight() -> None:
    query = "چرا آمریکا لهستان را برای استقرار سپر موشکی انتخاب کرد؟"
    node = ranked(query, everything_known(query))
    words = [c for c in node.children if isinstance(c, Term) and c.boost == 1.0]
    assert [w.text for w in words] == terms_of(query)


# --- answer type ---------------------------------------------------------------------


@pytest.mark.parametrize(("query", "typed"), [
    ("جنگ جهانی دوم در چه سالی تمام شد؟", "سال"),
    ("کدام کشور بیشترین جمعیت را دارد؟", "کشور"),
    ("بیماری سرخک چند روز طول می‌کشد؟", "روز"),
    ("كدام رود از تهران می‌گذرد؟", "رود"),  # Arabic kaf
    ("پایتخت فرانسه کدوم شهر است؟", "شهر"),
])
def test_the_word_after_a_determiner_weighs_less(query: str, typed: str) -> None:
    node = ranked(query, everything_known(query))
    weights = {c.text: c.boost for c in node.children if isinstance(c, Term)}
    assert weights.pop(typed) == ranking.ANSWER_TYPE_WEIGHT
    assert set(weights.values()) <= {1.0, ranking.JOINED_WEIGHT}


def test_a_word_also_asked_elsewhere_keeps_its_weight() -> None:
    query = "سال نو در چه سالی آغاز شد؟"  # سال is the subject too
    node = ranked(query, everything_known(query))
    assert {c.text: c.boost for c in node.children if isinstance(c, Term)}["سال"] == 1.0


# --- colloquial question words ----------------------------------------------------------


@pytest.mark.parametrize("query", ["پایتخت کشور فرانسه کدومه؟", "اسم رسمی کشور ترکیه چیه؟",
                                   "چطوری میشه مربا درست کرد؟"])
def test_colloquial_question_words_are_dropped_and_never_corrected(query: str) -> None:
    vocabulary = Vocabulary([t for t in terms_of(query) if t not in ranking.COLLOQUIAL_QUESTION_WORDS],
                            {"کدومه": "دوره", "چیه": "چین", "چطوری": "طوری"})
    node = ranked(query, vocabulary)
    texts = {c.text for c in node.children if isinstance(c, Term)} if isinstance(node, Or) else {node.text}
    assert not texts & (ranking.COLLOQUIAL_QUESTION_WORDS | {"دوره", "چین", "طوری"})
    assert not set(vocabulary.corrected) & ranking.COLLOQUIAL_QUESTION_WORDS


# --- words written apart -----------------------------------------------------------------


def test_words_written_apart_add_their_glued_term_when_the_index_holds_it() -> None:
    query = "نشانه‌های سرما خوردگی چند روز می‌ماند؟"
    with_glued = ranked(query, everything_known(query, "سرماخوردگی"))
    assert Term("سرماخوردگی", boost=ranking.JOINED_WEIGHT) in with_glued.children  # type: ignore[union-attr]
    without = ranked(query, everything_known(query))
    assert all(c.text != "سرماخوردگی" for c in without.children if isinstance(c, Term))  # type: ignore[union-attr]


def test_words_apart_across_a_stopword_or_punctuation_are_not_glued() -> None:
    query = "ایران، عراق و سوریه کجا هستند؟"
    node = ranked(query, everything_known(query, "ایرانعراق", "عراقسوریه"))
    assert all(c.text not in ("ایرانعراق", "عراقسوریه") for c in node.children if isinstance(c, Term))  # type: ignore


# --- typos ------------------------------------------------------------------------------


def test_an_unknown_word_adds_its_correction() -> None:
    query = "پهنای کهشکان راه شیری چقدر است؟"
    known = [t for t in terms_of(query) if t != "کهشکان"] + ["کهکشان"]
    node = ranked(query, Vocabulary(known, {"کهشکان": "کهکشان"}))
    assert Term("کهکشان", boost=ranking.CORRECTION_WEIGHT) in node.children  # type: ignore[union-attr]
    assert Term("کهشکان") in node.children  # type: ignore[union-attr]  # the word as typed stays


def test_known_words_are_never_corrected_and_stopwords_never_added() -> None:
    query = "تایرشون از بدنه خودرو جداست؟"
    vocabulary = Vocabulary(["بدنه", "خودرو"], {"تایرشون": "تایر", "جداست": "است"})
    node = ranked(query, vocabulary)
    assert isinstance(node, Or)
    fixes = [c.text for c in node.children if isinstance(c, Term) and c.boost == ranking.CORRECTION_WEIGHT]
    assert fixes == ["تایر"]
    assert set(vocabulary.corrected) == {"تایرشون", "جداست"}


def test_a_correction_keeps_the_first_letter() -> None:
    query = "جمعیت جوریه چقدر است؟"  # a colloquial word, not a typo of سوریه
    node = ranked(query, Vocabulary(["جمعیت", "سوریه"], {"جوریه": "سوریه"}))
    assert all(c.text != "سوریه" for c in node.children if isinstance(c, Term))  # type: ignore[union-attr]


def test_at_most_a_few_words_are_corrected() -> None:
    query = "آلفا بتا گاما دلتا اپسیلون زتا اتا چیست؟"
    vocabulary = Vocabulary([], {t: t + "ی" for t in terms_of(query)})
    ranked(query, vocabulary)
    assert len(vocabulary.corrected) == ranking.MAX_CORRECTIONS


# --- proximity -----------------------------------------------------------------------------


@pytest.fixture
def proximity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proximity clauses on (they are off by default: docs/query.md, *Ranking*)."""
    monkeypatch.setattr(ranking, "PROXIMITY_WEIGHT", 0.1)


def test_no_proximity_clauses_by_default() -> None:
    query = "پایتخت کشور اسپانیا کجاست؟"
    assert added(ranked(query, everything_known(query)), Phrase) == []


@pytest.mark.usefixtures("proximity")
def test_neighbouring_keywords_add_sloppy_body_phrases() -> None:
    query = "پایتخت کشور اسپانیا کجاست؟"
    node = ranked(query, everything_known(query))
    assert added(node, Phrase) == [
        Phrase(("پایتخت", "کشور"), "body", slop=ranking.PROXIMITY_SLOP, boost=ranking.PROXIMITY_WEIGHT),
        Phrase(("کشور", "اسپانیا"), "body", slop=ranking.PROXIMITY_SLOP, boost=ranking.PROXIMITY_WEIGHT)]


@pytest.mark.usefixtures("proximity")
def test_no_phrase_with_an_unknown_word_nor_for_a_long_question() -> None:
    query = "پایتخت کشور اسپانیا کجاست؟"
    node = ranked(query, Vocabulary(["پایتخت", "کشور"]))
    assert [p.terms for p in added(node, Phrase)] == [("پایتخت", "کشور")]  # type: ignore[attr-defined]
    long = "چرا " + " ".join(["ایران", "عراق", "سوریه", "ترکیه", "مصر", "لبنان", "اردن", "یمن", "عمان"]) + "؟"
    assert added(ranked(long, everything_known(long)), Phrase) == []


def test_a_question_restricted_to_a_field_stays_there() -> None:
    query = "سرما خوردگی چه علائمی دارد؟"
    node = ranked(query, everything_known(query, "سرماخوردگی"), fields=["title"])
    assert isinstance(node, Or)
    assert {getattr(c, "field", "title") for c in node.children} == {"title"}


# --- title ---------------------------------------------------------------------------------


def test_a_question_weighs_its_words_less_in_the_title() -> None:
    query = "جمعیت کشور ترکیه چقدر است؟"
    node = ranking.rank(parse(query, A), A, everything_known(query))
    assert isinstance(node, Or)
    title_weight = TITLE_BOOST * ranking.QUESTION_TITLE_WEIGHT
    assert node.children[:3] == tuple(Or((Term(t, "title", boost=title_weight), Term(t, "body")))
                                      for t in ("جمعیت", "کشور", "ترکیه"))
    assert len(node.children) == 3


# --- properties -------------------------------------------------------------------------------

WORDS = ["کتاب", "تاریخ", "سرما", "خوردگی", "چه", "کدام", "کدوم", "چیه", "سالی", "در", "و", "ایران", "کهشکان",
         "می‌شود", "رئیس", "جمهور", "،", "title:ایران", "«", "»", "-تاریخ", "OR"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.booleans(), st.sets(st.sampled_from(
    ["کتاب", "تاریخ", "سرما", "خوردگی", "سال", "ایران", "سرماخوردگی", "رییس", "جمهور", "کهکشان"])))
def test_rank_never_raises_and_only_adds(words: list[str], question: bool, known: set[str]) -> None:
    query = " ".join(words) + ("؟" if question else "")
    parsed = parse(query, A)
    node = ranking.rank(parsed, A, Vocabulary(known, {"کهشکان": "کهکشان"}))
    before = parsed.node
    if node == before:
        return
    node = unsplit(node)
    assert isinstance(before, Or) and parsed.natural
    originals = [c for c in before.children
                 if not set(ranking._terms(c)) & ranking.COLLOQUIAL_QUESTION_WORDS] or list(before.children)
    kept = node.children if isinstance(node, Or) and node not in originals else (node,)
    # Every word of the bag is still searched, at its weight or the answer type's.
    for original in originals:
        assert original in kept or ranking._terms(original) and \
            ranking._weighted(original, ranking.ANSWER_TYPE_WEIGHT) in kept
    for extra in kept[len(originals):]:
        assert isinstance(extra, (Term, Phrase)) and extra.boost < 1.0


# --- on an index, both backends -----------------------------------------------------------------

DOCS = {
    "cold": "سرماخوردگی شایع‌ترین بیماری عفونی است و با آبریزش بینی و عطسه شروع می‌شود و چند روز می‌ماند.",
    "cold2": "ویروس سرماخوردگی از راه هوا منتقل می‌شود و درمان آن استراحت و نوشیدن مایعات است.",
    "winter": "در زمستان سرما شدید است و آب لوله‌ها یخ می‌زند؛ خوردگی لوله‌های فلزی هم رایج است.",
    "galaxy": "کهکشان راه شیری پهنای صد هزار سال نوری دارد و خورشید یکی از ستارگان آن است.",
    "galaxy2": "کهکشان آندرومدا نزدیک‌ترین کهکشان بزرگ به کهکشان راه شیری است.",
    "road": "راه آهن شمال از کوه‌های البرز می‌گذرد و راه آن پر از تونل است.",
    "capital": "مادرید پایتخت کشور اسپانیا و بزرگترین شهر آن است و در مرکز کشور قرار دارد.",
    "apart": "اسپانیا کشوری در اروپا است. شهر بارسلون در شمال شرق آن است و پایتخت فرهنگی کاتالونیا است.",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, backend: str):  # type: ignore[no-untyped-def]
    from persearch import Index

    idx = Index.create(tmp_path_factory.mktemp(f"ranking-{backend}") / "index", backend=backend)
    filler = [{"id": f"n{i:02d}", "text": f"خبر شماره {i} درباره ایران و اقتصاد و بازار و راه و کشور است."}
              for i in range(12)]
    titled = {"galaxy": "کهکشان راه شیری"}
    idx.add_documents([{"id": k, "text": text, "title": titled.get(k, "")} for k, text in DOCS.items()] + filler)
    yield idx
    idx.close()


def test_doc_frequencies(index) -> None:  # type: ignore[no-untyped-def]
    # Title and body counted apart: galaxy holds کهکشان in both.
    assert index.backend.doc_frequencies(["کهکشان", "سرماخوردگی", "اسپانیا", "ناموجود"]) == [3, 2, 2, 0]


def test_words_written_apart_find_the_glued_word(index) -> None:  # type: ignore[no-untyped-def]
    query = "سرما خوردگی چگونه منتقل می‌شود؟"
    hits = [h.id for h in index.search(query).hits]
    assert {"cold", "cold2", "winter"} <= set(hits)
    bag = {h.id for h in index.backend.search(parse(query, index.analyzer).node, limit=100).hits}
    assert "cold" not in bag


def test_a_typo_in_a_question_finds_the_word(index) -> None:  # type: ignore[no-untyped-def]
    assert [h.id for h in index.search("پهنای کهشکان راه شیری چقدر است؟").hits][0] == "galaxy"


def test_words_standing_together_gain_the_proximity_weight(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def scores() -> dict[str, float]:
        return {h.id: h.score for h in index.search("پایتخت اسپانیا کجاست؟").hits}

    off = scores()
    monkeypatch.setattr(ranking, "PROXIMITY_WEIGHT", 0.1)
    on = scores()
    assert on["capital"] > off["capital"]  # «پایتخت کشور اسپانیا»: one word between
    assert on["apart"] == pytest.approx(off["apart"])  # both words, far apart


def test_a_question_finds_every_document_its_bag_finds(index) -> None:  # type: ignore[no-untyped-def]
    for query in ("سرما خوردگی با چه نشانه‌هایی شروع می‌شود؟", "پهنای کهشکان راه شیری چقدر است؟",
                  "پایتخت اسپانیا کجاست؟", "راه آهن شمال از کجا می‌گذرد؟"):
        parsed = parse(query, index.analyzer)
        bag = {h.id for h in index.backend.search(parsed.node, limit=100).hits}
        assert bag <= {h.id for h in index.search(query, limit=100).hits}, query
