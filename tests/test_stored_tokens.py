"""Stored tokens: packed at index time, read back by the highlighter instead of re-analyzing."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch import Analyzer, Index
from persearch.analysis.chars import ZWNJ
from persearch.analysis.whoosh_adapter import WhooshAnalyzer
from persearch.highlight import Matcher
from persearch.stored_tokens import (StoredTokens, for_storage, needle, pack, pack_columns, pack_for_storage,
                                     unpack_columns)

ANALYZER = Analyzer()
PERSIAN = st.text(alphabet=st.sampled_from(list("کتابيكىئرسمهوخد ۲2.،" + ZWNJ + "\u064e\u0640")), max_size=80)


def stored(text: str, title: str = "") -> StoredTokens:
    title_tokens = ANALYZER.tokens(title, keep_stopwords=True)
    return StoredTokens(for_storage(pack(title_tokens), pack(ANALYZER.tokens(text, keep_stopwords=True))), 1)


@settings(max_examples=200, deadline=None)
@given(PERSIAN)
def test_pack_round_trips_every_token(text: str) -> None:
    tokens = list(ANALYZER.tokens(text, keep_stopwords=True))
    columns = ([t.text for t in tokens], [t.start for t in tokens], [t.end for t in tokens],
               [t.position for t in tokens])
    assert ANALYZER.columns(text) == columns
    assert unpack_columns(pack(tokens)) == columns
    assert pack_columns(*columns) == pack(tokens)
    title = ANALYZER.columns(text[:20])
    assert pack_for_storage(title, columns) == for_storage(pack_columns(*title), pack(tokens))


@settings(max_examples=200, deadline=None)
@given(PERSIAN, PERSIAN)
def test_stored_packs_keep_every_position(title: str, text: str) -> None:
    title_columns, body_columns = ANALYZER.columns(title), ANALYZER.columns(text)
    raw = pack_for_storage(title_columns, body_columns)
    assert StoredTokens(raw, 0).positions() == title_columns[3]
    assert StoredTokens(raw, 1).positions() == body_columns[3]
    title_part, body_part = StoredTokens.parts(raw)  # read in one walk, as a hit reads them
    assert (title_part.positions(), body_part.positions()) == (title_columns[3], body_columns[3])
    wanted = [needle(term, compact_code=body_part.compact) for term in set(body_columns[0])]
    assert sorted(body_part.spans([n for n in wanted if n is not None])) == \
        sorted((s, e, t) for t, s, e in zip(*body_columns[:3]))  # every token, found by its term


def test_far_positions_stay_far_and_old_packs_have_none() -> None:
    terms, starts, ends = ["الف", "ب"], [0, 400], [3, 401]
    raw = pack_columns(terms, starts, ends, [0, 300], stored=True)
    assert StoredTokens(raw).positions() == [0, 127]  # a difference past a byte: still far apart
    old = pack_columns(terms, starts, ends, None)  # as stored before positions were
    assert StoredTokens(old).positions() is None
    assert StoredTokens(old + old, 1).spans([needle("ب", compact_code=True)]) == [(400, 401, "ب")]


def test_long_texts_get_wide_offsets() -> None:
    text = "کتاب خوب " * 10_000  # 90,000 characters: past 16-bit offsets
    tokens = list(ANALYZER.tokens(text))
    raw = pack(tokens)
    terms, starts, ends, positions = unpack_columns(raw)
    assert (terms[-1], starts[-1], ends[-1], positions[-1]) == (tokens[-1].text, tokens[-1].start, tokens[-1].end,
                                                                tokens[-1].position)
    tokens_read = StoredTokens(raw)
    last = tokens_read.spans([needle("خوب", compact_code=tokens_read.compact)])[-1]
    assert text[last[0]:last[1]] == "خوب" and last[1] == len(text) - 1
    columns = ANALYZER.columns(text)
    assert pack_for_storage(columns) == for_storage(pack_columns(*columns))


def test_unknown_bytes_are_refused() -> None:
    with pytest.raises(ValueError):
        StoredTokens(b"\x0d" + pack([])[1:])


@settings(max_examples=300, deadline=None)
@given(PERSIAN, st.lists(st.sampled_from(["کتاب", "خوب", "رییس", "2", "مس", "سرد"]), min_size=1, max_size=3),
       st.sampled_from(["term", "prefix", "fuzzy", "fuzzy2"]))
def test_stored_tokens_find_what_analysis_finds(text: str, words: list[str], kind: str) -> None:
    if kind.startswith("fuzzy"):
        matcher = Matcher(ANALYZER, fuzzy={(w, 2 if kind == "fuzzy2" else 1, 1) for w in words})
    else:
        matcher = Matcher(ANALYZER, set(words) if kind == "term" else (), set(words) if kind == "prefix" else ())
    assert matcher.find(text, stored=stored(text)) == matcher.find(text)


@settings(max_examples=300, deadline=None)
@given(PERSIAN, st.lists(st.lists(st.sampled_from(["کتاب", "خوب", "رییس", "جمهوری", "2", "سرد", "و"]),
                                  min_size=2, max_size=3), min_size=1, max_size=2), st.integers(0, 2))
def test_stored_positions_find_the_phrases_analysis_finds(text: str, phrases: list[list[str]], slop: int) -> None:
    matcher = Matcher(ANALYZER, phrases=[(tuple((w,) for w in words), slop) for words in phrases])
    expected = matcher.find(text)
    assert matcher.find(text, stored=stored(text)) == expected
    old = StoredTokens(pack_columns(*ANALYZER.columns(text)[:3], None))  # stored before positions were
    assert matcher.find(text, stored=old) == expected


def test_seed_texts_highlight_the_same_both_ways(seed_texts: dict[str, str]) -> None:
    rng = random.Random(3)
    for text in seed_texts.values():
        words = [t.text for t in ANALYZER.tokens(text)]
        tokens = stored(text, title="عنوان")
        for _ in range(20):
            matcher = Matcher(ANALYZER, rng.sample(words, 2), [rng.choice(words)[:3]])
            expected = matcher.find(text)
            assert expected and matcher.find(text, stored=tokens) == expected
            fuzzy = Matcher(ANALYZER, fuzzy=[(rng.choice(words), rng.choice((1, 2)), 1)])
            expected = fuzzy.find(text)
            assert expected and fuzzy.find(text, stored=tokens) == expected


def test_seed_phrases_are_found_the_same_from_positions_windows_and_analysis(seed_texts: dict[str, str]) -> None:
    rng = random.Random(5)
    for text in seed_texts.values():
        tokens = list(ANALYZER.tokens(text, keep_stopwords=True))
        with_positions = stored(text)
        old = StoredTokens(pack_columns(*ANALYZER.columns(text)[:3], None))
        for _ in range(15):
            at = rng.randrange(len(tokens) - 3)
            words = tuple((t.text,) for t in tokens[at:at + rng.choice((2, 3))] if t.length == 1)
            matcher = Matcher(ANALYZER, phrases=[(words, rng.choice((0, 0, 1)))])
            expected = matcher.find(text)
            assert matcher.find(text, stored=with_positions) == expected
            assert matcher.find(text, stored=old) == expected


def test_title_and_body_are_stored_apart() -> None:
    raw = for_storage(pack(ANALYZER.tokens("کتاب")), pack(ANALYZER.tokens("یک کتاب خوب")))
    wanted = [needle("کتاب", compact_code=True)]
    assert StoredTokens(raw, 0).spans(wanted) == [(0, 4, "کتاب")]
    assert StoredTokens(raw, 1).spans(wanted) == [(3, 7, "کتاب")]


def test_persian_terms_are_stored_one_byte_a_letter_and_others_in_utf8() -> None:
    persian = "کتاب‌های خوب را می‌خواهد"
    terms = [t.text for t in ANALYZER.tokens(persian, keep_stopwords=True)]
    packed = StoredTokens(pack(ANALYZER.tokens(persian, keep_stopwords=True)))
    joined = "\0" + "\0".join(terms) + "\0"
    assert packed.compact and packed.terms_end - packed.terms_start == len(joined) < len(joined.encode("utf-8"))
    greek = "کتاب λόγος خوب"  # a term outside the one-byte table: the whole pack is UTF-8
    mixed = StoredTokens(pack(ANALYZER.tokens(greek, keep_stopwords=True)))
    assert not mixed.compact
    assert needle("λόγος", compact_code=True) is None
    found = mixed.spans([needle("خوب"), needle("λόγος")])
    assert [greek[s:e] for s, e, _ in found] == ["λόγος", "خوب"]
    for text in (persian, greek):  # both codes read back what was packed
        tokens = list(ANALYZER.tokens(text, keep_stopwords=True))
        assert unpack_columns(pack(tokens))[0] == [t.text for t in tokens]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | PERSIAN)
def test_any_text_packs_and_highlights_like_analysis(text: str) -> None:
    tokens = list(ANALYZER.tokens(text, keep_stopwords=True))
    assert unpack_columns(pack(tokens))[0] == [t.text for t in tokens]
    if tokens:
        matcher = Matcher(ANALYZER, {tokens[-1].text}, {tokens[0].text[:2]})
        assert matcher.find(text, stored=stored(text)) == matcher.find(text)


def test_whoosh_adapter_replays_remembered_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = WhooshAnalyzer(Analyzer())
    title, body = "عنوان", f"کتاب{ZWNJ}ها را می خواهد"
    remembered = adapter.remember(title, body)
    calls = []
    original = Analyzer.columns
    monkeypatch.setattr(Analyzer, "columns", lambda self, *a: calls.append(a) or original(self, *a))
    replayed = [(t.text, t.startchar, t.endchar, t.pos) for t in adapter(body, positions=True, chars=True)]
    assert calls == []  # not analyzed again
    assert replayed == list(zip(*remembered[1]))
    list(adapter(body, positions=True))  # replayed once only: a second call analyzes
    assert calls == [(body,)]


def test_hits_are_highlighted_from_stored_tokens(tmp_path, backend: str,  # type: ignore[no-untyped-def]
                                                 seeds_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    from persearch.query import parse

    query = "ایران ترکیه"
    with Index.create(tmp_path / "index", backend=backend) as index:
        index.add_paths([seeds_dir])
        # Hits are highlighted from the stored tokens: the text is not analyzed at search time.
        monkeypatch.setattr(Matcher, "_group", lambda *a: pytest.fail("a hit's text was analyzed"))
        hits = index.search(query).hits
        monkeypatch.undo()
        assert hits
        matcher = parse(query, index.analyzer).matcher(index.analyzer)
        for hit in hits:
            text = index.stored_text(hit.id)
            assert hit.matches == matcher.spans(text)  # what analyzing the text finds
            assert {text[s:e] for s, e in hit.matches} >= {hit.snippet[s:e] for s, e in hit.highlights}


@pytest.mark.parametrize(("matcher", "text", "surfaces"), [
    (Matcher(ANALYZER, fuzzy={("کتاب", 1, 0)}), "یک نتاب و کتاب", ["نتاب", "کتاب"]),  # the first letter may differ
    (Matcher(ANALYZER, terms={"ωα"}), "ΩΑ", ["ΩΑ"]),  # Ω: the ohm sign, lowercased to ω
    (Matcher(ANALYZER, terms={"kg"}), "\u212aG", ["\u212aG"]),  # the Kelvin sign
    (Matcher(ANALYZER, prefixes={""}, terms={""}), "کتاب خوب", []),  # empty: nothing to find
])
def test_both_paths_agree_on_odd_cases(matcher: Matcher, text: str, surfaces: list[str]) -> None:
    found = [(s, e) for s, e, _ in matcher.find(text, stored=stored(text))]
    assert [text[s:e] for s, e in found] == surfaces
    assert matcher.spans(text) == found  # the analysis path


def test_a_bare_nul_needle_finds_nothing() -> None:
    assert StoredTokens(pack(ANALYZER.tokens("کتاب"))).spans([b"\0"]) == []
    assert needle("") is None


# -- the compiled loop (persearch/_spans.c) against the Python one -------------------------------------------------
TERMS = st.text(alphabet=st.sampled_from(list("کتابخوسر2a") + ["\u200c", "é", "😀"]), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None)
@given(st.lists(TERMS, max_size=40), st.lists(st.tuples(TERMS, st.booleans()), max_size=4), st.booleans(),
       st.booleans(), st.integers(0, 3))
def test_the_compiled_loop_finds_what_the_python_loop_finds(terms: list[str], wanted: list[tuple[str, bool]],
                                                            wide: bool, numbered: bool, part: int) -> None:
    # Repeated and prefixing terms (کتاب, کتابخوس) on purpose; a term outside the one-byte code makes a UTF-8 pack;
    # wide offsets past 64K; the pack placed after others, as a body follows its title.
    width = 70_000 if wide else 7
    starts = [i * width for i in range(len(terms))]
    columns = (terms, starts, [s + len(t) for s, t in zip(starts, terms)], list(range(len(terms))))
    filler = pack_columns(["پیش"], [0], [3], [0], stored=True)
    raw = filler * part + pack_columns(*columns, stored=True)
    tokens = StoredTokens(raw, part)
    needles = [n for n in (needle(term, prefix, compact_code=tokens.compact) for term, prefix in wanted)
               if n is not None]
    expected = tokens.python_spans(needles, numbered)
    assert tokens.spans(needles, numbered) == expected
    assert tokens.spans(tuple(needles), numbered) == expected  # any sequence of needles
    whole = {(s, e, t) for t, s, e in zip(*columns[:3]) for term, prefix in wanted
             if (t.startswith(term) if prefix else t == term)}
    assert {row[:3] for row in expected} == whole  # and that is every token the needles name


def test_the_compiled_loop_leaves_a_broken_pack_to_the_python_loop() -> None:
    raw = pack_columns(["کتاب", "خوب"], [0, 5], [4, 8], [0, 1], stored=True)
    cut = StoredTokens(raw[:-3])  # its offsets cut short
    wanted = [needle("خوب", compact_code=cut.compact)]
    with pytest.raises((IndexError, TypeError)) as python_error:
        cut.python_spans(wanted)
    with pytest.raises(type(python_error.value)):  # the same complaint
        cut.spans(wanted)
    miscounted = StoredTokens(raw[:5] + (1).to_bytes(4, "little") + raw[9:])  # two terms, a count of one
    with pytest.raises(IndexError):
        miscounted.python_spans(wanted)
    with pytest.raises(IndexError):
        miscounted.spans(wanted)


def test_the_compiled_loop_is_built_where_a_compiler_is() -> None:
    import os
    import shutil
    import sysconfig

    from persearch import stored_tokens

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = os.path.join(sysconfig.get_paths()["include"], "Python.h")
    if not (shutil.which(compiler) and os.path.exists(headers)):
        pytest.skip("no C compiler or no Python headers here: persearch runs the Python loop")
    assert stored_tokens._compiled_spans is not None, "pip install should have built persearch/_spans.c"
