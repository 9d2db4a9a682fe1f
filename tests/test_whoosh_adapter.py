"""The Whoosh adapter: same pipeline, picklable, indexes and finds Persian text (whoosh_adapter.py)."""
from __future__ import annotations

import pickle
from pathlib import Path

from whoosh import fields, index
from whoosh.query import Phrase, Term

from persearch import Analyzer
from persearch.analysis.whoosh_adapter import WhooshAnalyzer

DOC = "کتاب‌های رئیس‌جمهوری از این به بعد در کتابخانه است."


def test_adapter_yields_the_analyzer_tokens_with_stopwords() -> None:
    adapter = WhooshAnalyzer(Analyzer())
    got = [(t.text, t.pos, t.startchar, t.endchar) for t in adapter(DOC, positions=True, chars=True)]
    want = [(t.text, t.position, t.start, t.end) for t in Analyzer().tokens(DOC, keep_stopwords=True)]
    assert got == want
    assert ("از", 3, 21, 23) in got


def test_adapter_start_offsets() -> None:
    adapter = WhooshAnalyzer()
    got = [(t.text, t.pos, t.startchar) for t in adapter("ایران", positions=True, chars=True, start_pos=5,
                                                         start_char=100)]
    assert got == [("ایران", 5, 100)]


def test_pickle_round_trip() -> None:
    adapter = WhooshAnalyzer(Analyzer(stopwords=False))
    clone = pickle.loads(pickle.dumps(adapter))
    assert clone == adapter
    assert [t.text for t in clone("کتاب‌ها")] == ["کتاب"]


def test_index_then_search_with_plain_term(tmp_path: Path) -> None:
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(analyzer=WhooshAnalyzer(), phrase=True))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(id="1", body=DOC)
        writer.add_document(id="2", body="هوای تهران امروز آفتابی است.")
    ix = index.open_dir(str(tmp_path))  # the schema, adapter included, comes back from its pickle
    with ix.searcher() as searcher:
        assert [h["id"] for h in searcher.search(Term("body", "کتاب"))] == ["1"]
        assert [h["id"] for h in searcher.search(Term("body", "رییسجمهوری"))] == ["1"]
        assert [h["id"] for h in searcher.search(Term("body", "تهران"))] == ["2"]
        # Parts sit at consecutive positions, and stopwords are indexed for phrases.
        assert [h["id"] for h in searcher.search(Phrase("body", ["رییس", "جمهوری"]))] == ["1"]
        assert [h["id"] for h in searcher.search(Phrase("body", ["از", "این", "به", "بعد"]))] == ["1"]


def test_adapter_compares_by_analyzer_options_after_pickling() -> None:
    # Whoosh compares field analyzers (schema checks, segment merges) after unpickling the schema.
    adapter = WhooshAnalyzer(Analyzer())
    adapter.remember("کتاب")  # the replay slots are not part of its identity
    assert pickle.loads(pickle.dumps(adapter)) == adapter
    assert WhooshAnalyzer(Analyzer(stopwords=False)) != adapter
