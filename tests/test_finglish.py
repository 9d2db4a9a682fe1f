"""Finglish (Persian in Latin letters) read as Persian: the table, one word, a query, and search.

Vocabularies are real Persian words; the search tests index the seed news pages
on each backend, and the word-list test keeps the entries of
benchmarks/finglish_*.tsv whose target the seeds hold.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch import Analyzer
from persearch.query.finglish import (
    AFTER_KH, AT_END, AT_START, BEAM, CHUNKS, MAX_WORD_CHARS, Vocabulary, candidates, chunks, transliterate_query,
    vocabulary_of,
)

A = Analyzer()
ROOT = Path(__file__).resolve().parent.parent
WORD_LISTS = sorted((ROOT / "benchmarks").glob("finglish_*.tsv"))
PERSIAN_LETTERS = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u200c]*")


class Table:
    """What the query layer passes: an object with a ``freq`` mapping (its spelling table)."""

    def __init__(self, freq: dict[str, int]) -> None:
        self.freq = freq


def best(word: str, freq: dict[str, int]) -> str | None:
    found = candidates(word, Vocabulary(freq), A, limit=1)
    return found[0].text if found else None


@pytest.fixture(scope="module")
def seed_table() -> Table:
    """Document frequencies of the seed pages' terms, each paragraph a document."""
    df: Counter[str] = Counter()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            df.update({t.text for t in A.tokens(paragraph, keep_stopwords=True)})
    return Table(dict(df))


# --- the table -------------------------------------------------------------------


def test_every_reading_is_persian_letters_with_a_usual_one_first() -> None:
    for table in (CHUNKS, AT_START, AT_END, AFTER_KH):
        for chunk, readings in table.items():
            for text, cost in readings:
                assert PERSIAN_LETTERS.fullmatch(text), (chunk, text)
                assert cost >= 0
            # AFTER_KH adds to a vowel's readings; "2" gets its own from the hamza seats.
            if readings and table is not AFTER_KH:
                assert min(cost for _, cost in readings) == 0, chunk


@pytest.mark.parametrize("key", sorted(set(CHUNKS) | set(AT_START) | set(AT_END)))
def test_each_chunk_of_the_table_is_cut_whole(key: str) -> None:
    # At the end of a word, after a vowel (the colloquial -oon, the ezafe -ye), before a vowel (iy).
    assert key in chunks("b" + key) + chunks("a" + key) + chunks("b" + key + "a")


@pytest.mark.parametrize(("word", "parts"), [
    ("khiaboon", ["kh", "i", "a", "b", "oon"]),      # colloquial ān at the end
    ("boonak", ["b", "oo", "n", "a", "k"]),          # …but not inside a word
    ("torkiye", ["t", "o", "r", "k", "iy", "e"]),    # i + glide before a vowel
    ("bayad", ["b", "a", "y", "a", "d"]),            # y starts a syllable: no diphthong
    ("meydan", ["m", "ey", "d", "a", "n"]),          # diphthong
    ("khayyam", ["kh", "a", "yy", "a", "m"]),        # doubled consonant
    ("mashhad", ["m", "a", "sh", "h", "a", "d"]),
    ("shoraye", ["sh", "o", "r", "a", "ye"]),        # ezafe after a vowel
    ("mas'ale", ["m", "a", "s", "'", "a", "l", "e"]),
])
def test_chunks(word: str, parts: list[str]) -> None:
    assert chunks(word) == parts


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'2357", max_size=40))
def test_chunks_cover_every_latin_word(word: str) -> None:
    assert "".join(chunks(word)) == word


# --- one word --------------------------------------------------------------------


@pytest.mark.parametrize(("word", "freq", "meant"), [
    ("tehran", {"تهران": 50, "طهران": 2}, "تهران"),
    ("tehroon", {"تهران": 50}, "تهران"),                      # colloquial ūn for ān
    ("daaneshgaah", {"دانشگاه": 30, "دانش": 90}, "دانشگاه"),   # aa for the long a
    ("xabar", {"خبر": 40, "خبرگزاری": 9}, "خبر"),             # x for kh
    ("mohammad", {"محمد": 20}, "محمد"),                        # shadda: one letter
    ("khane", {"خانه": 20, "خان": 30}, "خانه"),                # a final e is the silent h
    ("ketabha", {"کتاب": 20}, "کتابها"),                       # a suffix after a known term
    ("esfahan", {"اصفهان": 20}, "اصفهان"),                    # s as ص
    ("3ali", {"علی": 20, "الی": 40}, "علی"),                   # 3 for ع
    ("mas'ale", {"مسیله": 5, "مساله": 5}, "مسئله"),            # the hamza's seat by the vowels
    ("so'al", {"سوال": 5}, "سؤال"),
    ("ta'sir", {"تاثیر": 5}, "تأثیر"),
    ("ra'is", {"رییس": 5}, "رئیس"),
    ("khab", {"خواب": 40, "خب": 3, "خوب": 400}, "خواب"),        # the unspoken و of خوا (never خوب)
    ("khahar", {"خواهر": 10, "خاطر": 90}, "خواهر"),
])
def test_reads_a_word(word: str, freq: dict[str, int], meant: str) -> None:
    assert best(word, freq) == meant


def test_two_vowels_in_a_row_have_a_consonant_between() -> None:
    # Persian syllables start with a consonant: moalem is معلم, not the more frequent مالم.
    assert best("moalem", {"معلم": 10, "مالم": 50}) == "معلم"
    assert best("soal", {"سوال": 10, "سال": 500}) == "سوال"
    assert best("daesh", {"داعش": 10, "دش": 50}) == "داعش"
    assert best("raees", {"رییس": 10, "ریس": 50}) == "رئیس"


def test_frequency_decides_between_usual_readings() -> None:
    assert best("ketab", {"کتاب": 100, "کتب": 9}) == "کتاب"
    assert best("ketab", {"کتاب": 9, "کتب": 100}) == "کتب"
    # A reading that drops a long vowel or strips a suffix needs far more documents.
    assert best("kuh", {"کوه": 60, "که": 3900}) == "کوه"  # که is also a stopword
    assert best("gilan", {"گیلان": 20, "گل": 900}) == "گیلان"


def test_only_terms_the_index_holds() -> None:
    assert best("tehran", {"ایران": 100}) is None
    assert candidates("tehran", Vocabulary({}), A) == []
    for cand in candidates("bazi", Vocabulary({"بازی": 10, "بعضی": 5, "باز": 7}), A, limit=5):
        assert cand.term in {"بازی", "بعضی", "باز"}


def test_long_or_odd_input_reads_nothing() -> None:
    v = Vocabulary({"تهران": 10})
    assert candidates("tehran" * 5, v, A) == []          # over MAX_WORD_CHARS
    assert candidates("t", v, A) == []                   # one letter
    assert candidates("teh-ran", v, A) == []             # a character no chunk reads


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="aeioukhszgtdrnmy'", min_size=2, max_size=MAX_WORD_CHARS))
def test_candidates_are_index_terms_and_analyze_to_them(word: str) -> None:
    v = Vocabulary({"تهران": 50, "خبر": 40, "دانشگاه": 30, "سلام": 9, "سالم": 12, "کتاب": 20, "ایران": 70,
                    "مشهد": 8, "رشت": 5, "کرمان": 6, "خانه": 11})
    found = candidates(word, v, A, limit=BEAM)
    assert len(found) <= BEAM
    for cand in found:
        assert cand.term in v
        assert cand.term in A.terms(cand.text) or cand.term in [t.text for t in A.tokens(cand.text, keep_stopwords=True)]


# --- a query ---------------------------------------------------------------------


def test_query_keeps_operators_fields_and_known_latin_words() -> None:
    table = Table({"تهران": 50, "اصفهان": 20, "مشهد": 10, "دانشگاه": 30, "covid": 3, "md": 1})
    assert transliterate_query("tehran OR title:esfahan -mashhad", table, A) == "تهران OR title:اصفهان -مشهد"
    assert transliterate_query('"daneshgah-e tehran"', table, A) == '"دانشگاه تهران"'
    assert transliterate_query("covid tehran", table, A) == "covid تهران"  # an index term stays
    assert transliterate_query("tehr* mashhad~", table, A) is None        # prefix and fuzzy stay
    assert transliterate_query("تهران", table, A) is None
    assert transliterate_query("xyzzy", table, A) is None


def is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(ch in rest for ch in part)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="tehran khabar()\"«»:-+*~OR2'", max_size=80))
def test_query_never_raises_and_keeps_everything_but_latin_words(query: str) -> None:
    table = Table({"تهران": 50, "خبر": 40})
    out = transliterate_query(query, table, A)
    if out is not None:
        latin = re.compile("[A-Za-z2357'’`-]")
        assert is_subsequence(latin.sub("", query), latin.sub("", out))
        assert "تهران" in out or "خبر" in out


def test_persian_queries_build_no_vocabulary() -> None:
    from persearch.query.finglish import _VOCABULARIES

    table = Table({"تهران": 50})
    assert transliterate_query("تهران «خبر» OR title:ایران", table, A) is None
    assert table not in _VOCABULARIES  # sorting the terms is left to the first Latin word


def test_vocabulary_is_built_once_per_table() -> None:
    table = Table({"تهران": 50})
    assert vocabulary_of(table) is vocabulary_of(table)
    assert vocabulary_of(Table({"تهران": 50})) is not vocabulary_of(table)


# --- the word lists against the seed pages ----------------------------------------


def test_word_lists_on_the_seed_vocabulary(seed_table: Table) -> None:
    vocabulary = vocabulary_of(seed_table)
    rows = [line.split("\t") for path in WORD_LISTS for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    held = [(f, p) for f, p, _ in rows if " " not in f and "-" not in f
            and all(t.text in vocabulary for t in A.tokens(p, keep_stopwords=True))]
    assert len(held) >= 25, held
    right = 0
    for finglish, persian in held:
        want = {t.text for t in A.tokens(persian, keep_stopwords=True)}
        found = candidates(finglish, vocabulary, A, limit=1)
        right += bool(found) and found[0].term in want
    assert right / len(held) >= 0.9, (right, len(held))


# --- search, on each backend and through the command line --------------------------


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, backend: str):  # type: ignore[no-untyped-def]
    from persearch import Index

    index = Index.create(tmp_path_factory.mktemp("finglish") / "index", backend=backend)
    index.add_paths([ROOT / "seeds"])
    yield index
    index.close()


def hit_ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in results.hits]


@pytest.mark.parametrize(("typed", "meant"), [
    ("tehran", "تهران"),
    ("Tehroon", "تهران"),
    ("hamedan", "همدان"),
    ("rouhani tehran", "روحانی تهران"),
    ("bashar asad", "بشار اسد"),
    ("hasan rohani", "حسن روحانی"),
])
def test_search_offers_and_searches_the_persian_reading(seeds_index, typed: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    results = seeds_index.search(typed)
    assert results.suggestion == meant
    persian = seeds_index.search(meant)
    assert results.total == persian.total > 0
    assert hit_ids(results) == hit_ids(persian)
    word = meant.split()[0]
    assert any(word in h.snippet[s:e] for h in results.hits for s, e in h.highlights)


def test_search_leaves_index_terms_and_keyboard_slips_alone(seeds_index) -> None:  # type: ignore[no-untyped-def]
    # "md" is a Latin term of both seed pages: searched as typed, nothing suggested.
    md = seeds_index.search("md")
    assert md.total == 2 and md.suggestion is None
    # A word typed with the wrong keyboard layout still gets the layout's reading.
    assert seeds_index.search("hdvhk").suggestion == "ایران"
    # Persian is never touched.
    assert seeds_index.search("تهران").suggestion is None


def test_cli_json_suggestion(seeds_index) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from persearch.cli.app import app

    done = CliRunner().invoke(app, ["search", "tehran", "--index", str(seeds_index.root), "--json"])
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["query"] == "tehran" and data["suggestion"] == "تهران"
    assert data["total"] == 2 and len(data["hits"]) == 2
