"""The column-fed Whoosh writer writes what Whoosh's own writer writes (whoosh_writer.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from persearch.analysis import Analyzer
from persearch.backends.base import Document
from persearch.backends.whoosh_backend import WhooshBackend
from persearch.backends.whoosh_documents import document_fields
from persearch.backends.whoosh_values import engine_field
from persearch.backends.whoosh_writer import ColumnSegmentWriter, encode_positions
from persearch.values.records import FieldSpec

#: Typed record fields (sortable Whoosh fields with a column), as structured search writes them.
SPECS = {"date": FieldSpec("date"), "source": FieldSpec("keyword"), "pages": FieldSpec("number", multi=True)}


@settings(max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=70_000), min_size=1, max_size=40).map(sorted))
def test_positions_are_encoded_as_whoosh_encodes_them(positions: list[int]) -> None:
    assert encode_positions(positions) == Positions().encode(positions)


def _documents(seeds_dir: Path) -> list[Document]:
    docs = [Document(id=p.name, text=p.read_text(encoding="utf-8"), title=p.stem, path=str(p), format="txt",
                     encoding="utf-8", size=p.stat().st_size, mtime=1.5, hash="ab",
                     metadata={"tags": ["خبر", "سیاست"], "year": 1402})
            for p in sorted(seeds_dir.glob("*.txt"))]
    # Each paragraph of the seeds a document too: many documents per term.
    paragraphs = [line for d in docs for line in d.text.splitlines() if len(line) > 40]
    docs += [Document(id=f"بند-{i}", text=line, title=line[:30]) for i, line in enumerate(paragraphs)]
    # Repeated words (several positions a posting), an empty title, compounds and hamza spellings.
    docs.append(Document(id="تکرار", text="کتاب کتاب‌ها را خواندم و کتاب دیگری خریدم؛ مسئله‌ی کتاب‌خانه", title=""))
    docs.append(Document(id="خالی", text="", title="فقط عنوان"))
    # Typed values on some documents only: a column holds its default for the others.
    for i, doc in enumerate(docs[::3]):
        doc.typed = {"date": [1_690_000_000 + 86_400 * i], "source": ["فارس" if i % 2 else "ایسنا"],
                     "pages": [float(i), float(i + 1)]}
    return docs


def _contents(folder: Path) -> dict[str, Any]:
    """Everything a reader can see of an index: terms with their statistics and postings,
    stored fields and field lengths of every document."""
    backend = WhooshBackend.open(folder)
    reader = backend._current_searcher().reader()
    terms = {}
    for fieldname, tbytes in reader.all_terms():
        info = reader.term_info(fieldname, tbytes)
        postings = list(reader.postings(fieldname, tbytes).all_items())
        terms[fieldname, tbytes] = (info.weight(), info.doc_frequency(), info.max_weight(), info.min_length(),
                                    info.max_length(), info.min_id(), info.max_id(), postings)
    docs = {n: (stored, [reader.doc_field_length(n, f) for f in ("title", "body")])
            for n, stored in reader.iter_docs()}
    lengths = {f: reader.field_length(f) for f in ("title", "body")}
    columns = {name: [repr(v) for v in reader.column_reader(engine_field(name, spec.type))]  # repr: NaN == NaN
               for name, spec in SPECS.items() if reader.has_column(engine_field(name, spec.type))}
    backend.close()
    return {"terms": terms, "docs": docs, "lengths": lengths, "columns": columns}


def _build(folder: Path, docs: list[Document], writer_class: type, pool_bytes: int | None = None) -> None:
    backend = WhooshBackend.create(folder, Analyzer())
    writer = writer_class(backend._ix, compound=False)
    if pool_bytes is not None:
        writer.pool.limit = pool_bytes
    analyzer = writer.schema["body"].analyzer.analyzer
    for doc in docs:
        fields, texts = document_fields(doc, analyzer, SPECS)
        if writer_class is SegmentWriter:
            writer.add_document(**fields)  # Whoosh analyzes title and body through the schema's analyzer
        else:
            writer.add_analyzed(fields, texts)
    writer.commit()
    backend.close()


@pytest.mark.parametrize("pool_bytes", [None, 20_000])  # 20 kB: the pool spills to runs every few documents
def test_the_column_writer_indexes_what_whoosh_indexes(tmp_path: Path, seeds_dir: Path,
                                                      pool_bytes: int | None) -> None:
    docs = _documents(seeds_dir)
    _build(tmp_path / "whoosh", docs, SegmentWriter)
    _build(tmp_path / "columns", docs, ColumnSegmentWriter, pool_bytes)
    expected, got = _contents(tmp_path / "whoosh"), _contents(tmp_path / "columns")
    assert got["terms"].keys() == expected["terms"].keys()
    assert got == expected
    assert any(len(p[-1]) > 1 for p in got["terms"].values())  # postings lists of several documents
    assert set(got["columns"]) == set(SPECS)  # the typed fields' columns are written too


def test_merging_segments_keeps_every_posting(tmp_path: Path, seeds_dir: Path) -> None:
    """Three segments merged by an optimize (postings of merged segments go through the pool)."""
    docs = _documents(seeds_dir)
    backend = WhooshBackend.create(tmp_path / "ix", Analyzer())
    for part in (docs[:3], docs[3:6], docs[6:]):
        backend.append(part)
        backend.commit()
    assert backend.segment_count() >= 2  # the merge policy may have merged the smallest already
    before = _contents(tmp_path / "ix")
    backend.optimize()
    assert backend.segment_count() == 1
    after = _contents(tmp_path / "ix")
    backend.close()
    assert after["terms"].keys() == before["terms"].keys()
    # (Field length totals are not compared: Whoosh's merge re-adds each document's
    # length as stored, rounded to one byte.)
    for key, stats in before["terms"].items():
        assert after["terms"][key][-1] == stats[-1]  # documents, weights, positions
        assert after["terms"][key][:3] == stats[:3]  # weight, document frequency, top weight
    stored = {n: fields for n, (fields, _) in before["docs"].items()}
    assert {n: fields for n, (fields, _) in after["docs"].items()} == stored
