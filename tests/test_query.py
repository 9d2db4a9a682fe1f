"""The query parser (no index needed) and search() on a real index of Persian text."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch import Analyzer
from persearch.analysis.chars import ZWNJ
from persearch.query import min_should_match, parse
from persearch.querytree import And, AndNot, Fuzzy, MatchAll, MatchNone, Or, Phrase, Prefix, Term

A = Analyzer()


def node(query: str) -> object:
    return parse(query, A).node


# --- parser ----------------------------------------------------------------------


def test_word_is_analyzed_like_documents() -> None:
    assert node("كتاب‌هايشان") == Term("کتاب")
    assert node("۲۰۱۹") == Term("2019") == node("٢٠١٩")


def test_short_queries_need_every_word() -> None:
    assert node("کتاب تاریخ") == And((Term("کتاب"), Term("تاریخ")))


def test_long_queries_need_most_words() -> None:
    got = node("تاریخ ادبیات فارسی قرن نوزدهم ایران")
    assert isinstance(got, Or) and len(got.children) == 6
    assert got.min_match == min_should_match(6) < 6


def test_question_words_and_stopwords_are_dropped() -> None:
    got = node("چرا آمریکا لهستان را انتخاب کرد؟")
    terms = {c.text for c in got.children}  # type: ignore[attr-defined]
    assert terms == {"امریکا", "لهستان", "انتخاب", "کرد"}


def test_persian_question_mark_is_text_not_a_wildcard() -> None:
    # ؟ neither glues to the last word nor acts as a wildcard; it marks a
    # question, which is ranked as an OR of the same terms.
    question, keywords = node("پایتخت ایران؟"), node("پایتخت ایران")
    assert isinstance(question, Or) and question.min_match == 1
    assert isinstance(keywords, And)
    assert question.children == keywords.children
    assert node("کتاب، دفتر؛") == node("کتاب دفتر")


def test_phrase_straight_and_persian_quotes() -> None:
    expected = Phrase(("رییس", "جمهور"))
    assert node('"رئیس جمهور"') == expected
    assert node("«رئیس جمهور»") == expected
    assert node("«رئیس‌جمهور»") == expected  # ZWNJ form: its parts
    assert node('"رئیس جمهور"~2') == Phrase(("رییس", "جمهور"), slop=2)


def test_phrase_keeps_stopwords_and_spelling_variants() -> None:
    assert node('"مسئله از این"') == Phrase((("مسیله", "مساله"), "از", "این"))


def test_compound_word_matches_joined_or_parts() -> None:
    joined = Or((Term("رییسجمهوری"), Phrase(("رییس", "جمهوری"))))
    assert node(f"رئیس{ZWNJ}جمهوری") == joined
    assert node("رئیسجمهوری") == joined
    assert node("رئیس جمهوری") == And((Term("رییس"), Term("جمهوری")))


def test_spaced_affixes_are_glued_like_in_documents() -> None:
    assert node("می خواهد") == Term("میخواهد") == node(f"می{ZWNJ}خواهد") == node("میخواهد")


def test_or_not_minus_parentheses() -> None:
    assert node("کتاب OR دفتر") == Or((Term("کتاب"), Term("دفتر")))
    assert node("کتاب -دفتر") == AndNot(Term("کتاب"), Term("دفتر"))
    assert node("کتاب NOT دفتر") == AndNot(Term("کتاب"), Term("دفتر"))
    assert node("(کتاب OR دفتر) قلم") == And((Or((Term("کتاب"), Term("دفتر"))), Term("قلم")))
    assert node("کتاب AND دفتر") == And((Term("کتاب"), Term("دفتر")))
    assert node("-دفتر") == AndNot(MatchAll(), Term("دفتر"))


def test_negated_words_are_not_highlighted() -> None:
    assert parse("کتاب -دفتر", A).terms == {"کتاب"}


def test_field_prefix_and_fuzzy() -> None:
    assert node("title:ایران") == Term("ایران", "title")
    assert node('title:"رئیس جمهور"') == Phrase(("رییس", "جمهور"), "title")
    assert node("title:(ایران OR ترکیه)") == Or((Term("ایران", "title"), Term("ترکیه", "title")))
    assert node("کتابخ*") == Prefix("کتابخ")
    assert node("كتابخ*") == Prefix("کتابخ")
    assert node("کتاب~") == Fuzzy("کتاب", 1) == node("کتاب~1")
    assert node("کتابخانه~2") == Fuzzy("کتابخانه", 2)
    assert node("http://x.ir") != MatchNone  # an unknown "field" is text


@pytest.mark.parametrize(("query", "expected", "note"), [
    # An unmatched quote or bracket is text: the query means what it meant without it.
    ('"کتاب خوب', And((Term("کتاب"), Term("خوب"))), 'unmatched "'),
    ("«کتاب خوب", And((Term("کتاب"), Term("خوب"))), "unmatched «"),
    ("(کتاب OR دفتر", Or((Term("کتاب"), Term("دفتر"))), "unmatched ("),
    ("کتاب) دفتر", And((Term("کتاب"), Term("دفتر"))), "unmatched )"),
    ("کتاب دفتر قلم ) مداد", node("کتاب دفتر قلم مداد"), "unmatched )"),
    ("چرا کتاب (دفتر قلم مداد؟", node("چرا کتاب دفتر قلم مداد؟"), "unmatched ("),
    ("OR کتاب", Term("کتاب"), "OR"),
    ("کتاب OR", Term("کتاب"), "OR"),
    ("کتاب NOT", Term("کتاب"), "NOT"),
])
def test_malformed_queries_are_repaired(query: str, expected: object, note: str) -> None:
    parsed = parse(query, A)
    assert parsed.node == expected
    assert parsed.message is not None and note in parsed.message


@pytest.mark.parametrize("query", ["", "   ", "NOT", "OR", "()", "؟،؛", '""', "«»", "*", "~"])
def test_unusable_queries_match_nothing_with_a_message(query: str) -> None:
    parsed = parse(query, A)
    assert isinstance(parsed.node, MatchNone)
    assert parsed.message


def test_repeated_or_and_bare_field_names() -> None:
    parsed = parse("ایران OR OR ترکیه", A)
    assert parsed.node == node("ایران OR ترکیه") and parsed.message == "dropped a repeated OR"
    assert node("title: ایران") == node("title:ایران")  # a space after the colon is allowed
    bare = parse("ایران title:", A)
    assert bare.node == Term("ایران") and bare.message == "dropped title: with nothing after it"
    assert node("http: ایران") == node("http ایران")  # not a field name: text
    capped = parse("کتاب~5", A)
    assert capped.node == node("کتاب~2") and capped.message == "کتاب~5 searched as کتاب~2 (1 or 2 edits)"



def test_stray_punctuation_leaves_a_question_as_it_was() -> None:
    question = "خاندان هابسبورگ و حکمرانان محلی چه کردند؟"
    for stray in (")", "(", "«", "»", '"', "...", "…"):
        words = question.split()
        for at in range(len(words) + 1):
            for pasted in (words[:at] + [stray] + words[at:],
                           words[:at] + [stray + w for w in words[at:at + 1]] + words[at + 1:],
                           words[:max(at - 1, 0)] + [w + stray for w in words[max(at - 1, 0):at]] + words[at:]):
                assert node(" ".join(pasted)) == node(question), " ".join(pasted)
            for word, cut in (("هابسبورگ", 4), ("کردند", 2)):  # one stray inside a word
                inside = question.replace(word, word[:cut] + stray + word[cut:])
                assert node(inside) == node(question), inside


def test_boosts_multiply_the_leaves() -> None:
    assert node("بانک^3") == Term("بانک", boost=3.0)
    assert node("بانک^3 مرکزی") == And((Term("بانک", boost=3.0), Term("مرکزی")))
    assert node('"بانک مرکزی"^2') == Phrase(("بانک", "مرکزی"), boost=2.0)
    assert node("(بانک OR صندوق)^2") == Or((Term("بانک", boost=2.0), Term("صندوق", boost=2.0)))
    assert node("کتاب~^2") == Fuzzy("کتاب", 1, boost=2.0)
    assert node("کتابخ*^0.5") == Prefix("کتابخ", boost=0.5)
    joined = node(f"رئیس{ZWNJ}جمهوری^2")
    assert joined == Or((Term("رییسجمهوری", boost=2.0), Phrase(("رییس", "جمهوری"), boost=2.0)))


def test_lower_case_operators_are_words_with_a_hint() -> None:
    parsed = parse("استقلال not پرسپولیس", A)
    assert parsed.node == And((Term("استقلال"), Term("not"), Term("پرسپولیس")))  # what was typed
    assert parsed.message == 'searched "not" as a word; the operator is NOT, in capitals'
    assert parsed.operators == "استقلال NOT پرسپولیس"
    assert "not" not in [surface for surface, _ in parsed.words]  # never "corrected" to npt
    assert parse("ایران or ترکیه", A).operators == "ایران OR ترکیه"
    assert parse("not ایران", A).operators == "NOT ایران"
    for query in ("ایران OR ترکیه", "rock and", "and ایران", "ایران and"):
        assert parse(query, A).operators is None, query


def test_only_stopwords_are_searched_as_a_phrase() -> None:
    assert node("از این") == Phrase(("از", "این"))
    assert node("از") == Term("از")


def test_ten_kilobyte_query_is_cut_not_raised() -> None:
    parsed = parse("کتاب " * 2000, A)
    assert parsed.node == Term("کتاب")
    long = parse(" ".join(f"واژه{i}" for i in range(3000)), A)
    assert isinstance(long.node, Or) and len(long.node.children) <= 64
    assert "cut" in (long.message or "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list('ab کتاب"«»()-*~:؟،') + ["title:", " OR ", " NOT ", " AND ", ZWNJ]), max_size=40).map("".join))
def test_parser_never_raises(query: str) -> None:
    parse(query, A)


# --- search on a real index ------------------------------------------------------

DOCS = {
    "a": ("کتابخانه ملی", f"کتاب{ZWNJ}هایشان را به کتابخانه بردند. رئیس{ZWNJ}جمهوری ایران در سال ۲۰۱۹ سخنرانی کرد."),
    "b": ("خبر ورزشی", "تیم ملی فوتبال ایران مقابل ترکیه بازی کرد و رئیس جمهوری تبریک گفت."),
    "c": ("سیاست", "رئیسجمهوری ترکیه با همتای روس خود تلفنی گفت‌وگو کرد. این مسئله مهم است."),
    "d": ("شعر", "بنی آدم اعضای یک پیکرند که در آفرینش ز یک گوهرند"),
    "e": ("سلام", "سلام بر شما، دوستان عزیز. سلام دوباره."),
    "f": ("آمار", "در سال 2019 جمعیت ایران افزایش یافت و مساله مسکن مطرح شد."),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, backend: str):  # type: ignore[no-untyped-def]
    from persearch import Index

    idx = Index.create(tmp_path_factory.mktemp("idx") / "index", backend=backend)
    for doc_id, (title, text) in DOCS.items():
        idx.add_document(doc_id, text, title=title)
    for i in range(30):
        idx.add_document(f"n{i:02d}", f"خبر شماره {i} درباره ایران و اقتصاد و بازار است.", title=f"خبر {i}")
    commit = getattr(idx, "commit", None)
    if commit is not None:
        commit()
    yield idx
    close = getattr(idx, "close", None)
    if close is not None:
        close()


def ids(results) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.id for h in results.hits}


def test_compound_spellings_find_each_other(index) -> None:  # type: ignore[no-untyped-def]
    for query in (f"رئیس{ZWNJ}جمهوری", "رئیسجمهوری", "رئیس جمهوری", '"رئیس جمهوری"'):
        assert {"a", "b", "c"} <= ids(index.search(query)), query


def test_letters_digits_and_variants_fold(index) -> None:  # type: ignore[no-untyped-def]
    assert ids(index.search("كتاب")) >= {"a"}
    assert {"a", "f"} <= ids(index.search("۲۰۱۹"))
    assert {"a", "f"} <= ids(index.search("2019"))
    assert {"c", "f"} <= ids(index.search("مسأله"))


def test_operators_on_the_index(index) -> None:  # type: ignore[no-untyped-def]
    assert ids(index.search("ترکیه -فوتبال")) == {"c"}
    assert ids(index.search("فوتبال OR روس")) == {"b", "c"}
    assert ids(index.search("title:شعر")) == {"d"}
    assert "d" in ids(index.search("آفرین*"))
    assert "d" in ids(index.search("گوهرن~"))
    assert ids(index.search('"اعضای یک پیکرند"')) == {"d"}
    assert ids(index.search('"یک اعضای"')) == set()


def test_hit_fields_and_highlights(index) -> None:  # type: ignore[no-untyped-def]
    results = index.search("کتاب")
    hit = next(h for h in results.hits if h.id == "a")
    text = index.stored_text("a")
    assert [text[s:e] for s, e in hit.matches][0] == f"کتاب{ZWNJ}هایشان"
    assert [hit.snippet[s:e] for s, e in hit.highlights][0] == f"کتاب{ZWNJ}هایشان"
    assert hit.rank == 1 and hit.score > 0 and hit.title
    assert f"<mark>کتاب{ZWNJ}هایشان</mark>" in hit.to_html()
    assert results.elapsed > 0 and results.total >= 1


def test_pagination_is_consistent(index) -> None:  # type: ignore[no-untyped-def]
    everything = index.search("ایران", limit=100)
    assert everything.total >= 30
    paged = []
    for page in range(1, 5):
        r = index.search("ایران", limit=7, page=page)
        assert r.total == everything.total and r.page == page
        paged.extend(h.id for h in r.hits)
    assert paged == [h.id for h in everything.hits][:28]
    assert [h.rank for h in index.search("ایران", limit=7, page=2).hits] == list(range(8, 15))


def test_malformed_queries_on_the_index(index) -> None:  # type: ignore[no-untyped-def]
    r = index.search('"رئیس جمهوری')
    assert r.total >= 2 and 'unmatched "' in (r.message or "")
    r = index.search("NOT")
    assert r.total == 0 and r.hits == [] and r.message
    r = index.search("ایران " * 2500)
    assert r.total > 0


def test_question_falls_back_to_partial_matches(index) -> None:  # type: ignore[no-untyped-def]
    r = index.search("چرا رئیس جمهوری ترکیه با روس و چین و هند تلفنی گفت‌وگو کرد؟")
    assert r.hits and r.hits[0].id == "c"


def test_keyboard_layout_suggestion(index) -> None:  # type: ignore[no-untyped-def]
    r = index.search("sghl")
    assert r.suggestion == "سلام"
    assert ids(r) == {"e"}


def test_spelling_suggestion(index) -> None:  # type: ignore[no-untyped-def]
    r = index.search("تررکیه")
    assert r.suggestion == "ترکیه"
    assert ids(r) == {"b", "c"}  # nothing found as typed, so the correction is searched
    # No document holds both words as typed: the any-word matches of ایران would
    # answer, so the typo is corrected and the correction searched instead.
    r = index.search("ایران تررکیه", limit=50)
    assert r.suggestion == "ایران ترکیه" and ids(r) == {"b"} and r.message is None
    assert ids(index.search("ایران تررکیه", limit=1, page=2)) <= {"b"}  # every page makes the same choice


def test_only_a_one_edit_correction_replaces_any_word_hits(index) -> None:  # type: ignore[no-untyped-def]
    # اقتتصادد is two edits from اقتصاد: maybe a real word this index lacks, so the
    # any-word hits (every ایران document) stay and the correction is only offered.
    two = index.search("ایران اقتتصادد", limit=100)
    assert two.suggestion == "ایران اقتصاد" and "b" in ids(two)
    one = index.search("ایران اقتصان", limit=100)  # one edit: searched instead
    assert one.suggestion == "ایران اقتصاد" and ids(one) == {f"n{i:02d}" for i in range(30)}
    # Two words corrected by one edit each: maybe two right words the index lacks; only offered.
    both = index.search("ایران اقتصان بازاز", limit=100)
    assert both.suggestion == "ایران اقتصاد بازار" and "b" in ids(both)


def test_two_edit_corrections_are_searched_when_nothing_answered(index) -> None:  # type: ignore[no-untyped-def]
    # Every word mistyped: not even any-word matches, so the two-edit correction is searched.
    typo = index.search("اقتتصادد بازاارر")
    assert typo.suggestion == "اقتصاد بازار" and typo.total == 30


def test_any_word_answers_say_so(index) -> None:  # type: ignore[no-untyped-def]
    either = index.search("پیکرند اقتصاد")
    assert either.suggestion is None and "no document has every word" in either.message
    assert index.search("ایران اقتصاد").message is None


def test_total_counts_every_match_even_after_the_index_closes(tmp_path: Path, backend: str) -> None:
    from persearch import Index

    with Index.create(tmp_path / "index", backend=backend) as idx:
        for i in range(25):
            idx.add_document(f"d{i}", f"گزارش شماره {i} درباره اقتصاد", title=f"گزارش {i}")
        first, later = idx.search("اقتصاد", limit=3), idx.search("اقتصاد", limit=3, page=5)
    # The total was left uncounted (the top 3 were enough to rank); it is
    # counted before the searcher closes, so reading it afterwards still works.
    assert first.total == later.total == 25
    assert len(first.hits) == 3 and [h.rank for h in later.hits] == [13, 14, 15]


def test_stopwords_alone_do_not_make_a_question() -> None:
    # «و» between keywords still means both; a question word makes it a question.
    assert isinstance(node("دل و جان"), And)
    question = node("چه کسی دل و جان داد")
    assert isinstance(question, Or) and question.min_match == 1


def test_keywords_fall_back_to_any_word_only_when_nothing_has_all(index) -> None:  # type: ignore[no-untyped-def]
    # No document holds both words: the documents with either one come back.
    either = index.search("پیکرند اقتصاد")
    assert ids(index.search("پیکرند")) <= ids(either) and either.total == 1 + 30
    # A document holds both: only such documents, nothing with one word appended.
    both = index.search("ایران اقتصاد")
    assert both.total == len(ids(index.search("ایران اقتصاد", mode="and", limit=100)))



def test_an_or_holding_a_min_match_group_ranks_past_a_full_page(tmp_path: Path, backend: str) -> None:
    # Once the top hits are full, Whoosh asks each child of an Or for its best
    # possible score; a min-match group used to raise NoQualityAvailable.
    # (The any-word fallback of a corrected question builds such a tree.)
    from persearch import Index

    with Index.create(tmp_path / "index", backend=backend) as idx:
        idx.add_documents([{"id": f"n{i:02d}", "title": f"خبر {i}",
                            "text": f"خبر شماره {i} درباره ایران و اقتصاد و بازار است." + " بازار" * (i % 5)}
                           for i in range(60)])
        group = Or((Term("خبر"), Term("ایران"), Term("اقتصاد"), Term("ناموجود")), min_match=3)
        found = idx.backend.search(Or((group, Term("بازار"))), limit=3)
        assert len(found.hits) == 3 and found.total == 60
