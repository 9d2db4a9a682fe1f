"""A persearch document as Sphinx and persearch's store keep it.

persearch's analyzer stays the only source of terms. Sphinx tokenizes again
whatever it is sent, so it is sent terms joined by single spaces, every term
made of characters its charset table holds (:func:`sphinx_term`): each term
is one Sphinx word, at the position the analyzer gave it.

Sphinx has one word per position, while the analyzer may put several terms
at one: a compound's joined term over its parts (رییسجمهوری over رییس +
جمهوری), a spelling variant beside its word (مسیله + مساله), a verb's bare
form or a plural's singular under the word (میگفت + گفت, کتب + کتاب). Each position
sends its *primary* term, the word itself (the part, not the join; the
spelling as written, not the variant) to the ``title``/``body`` fields;
every other term is *stacked*: it goes, as a bag of words, to the
``tstack``/``bstack`` fields, where a query for that one term finds exactly
the documents the analyzer stacked it in, and the store records the one
word it stands over, so a phrase holding it is widened to that
(``"مساله انرژی"`` → ``"مسیله انرژی"`` too; a compound's join stands over
several words and has no position in a phrase).

    >>> primary_terms(Analyzer().columns("رئیس‌جمهوری مسئله"))        # doctest: +SKIP
    (['رییس', 'جمهوری', 'مسیله'], [('رییسجمهوری', 'رییس جمهوری'), ('مساله', 'مسیله')])
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from itertools import compress, islice
from operator import eq
from typing import Any, NamedTuple

from ...analysis.analyzer import Analyzer, Columns
from ...stored_tokens import StoredTokens, pack_for_storage
from ..base import FILTER_FIELDS, Document
from .config import EVERY_TERM, MAX_CHARSET_CODE
from .store import encode_text

#: A term Sphinx takes as one word: characters of the charset table only.
_SAFE_TERM = re.compile(f"[.0-9A-Z_a-z\u0080-{chr(MAX_CHARSET_CODE)}]+")
_SAFE_TEXT = re.compile(f"[ .0-9A-Z_a-z\u0080-{chr(MAX_CHARSET_CODE)}]*")


def sphinx_term(term: str) -> str:
    """``term`` as Sphinx gets it: itself, or, when it holds a character outside
    the charset table, a stand-in word made of a hash (exact matches still meet;
    such a term cannot be found by a prefix)."""
    if _SAFE_TERM.fullmatch(term):
        return term
    return "._" + hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def filter_term(key: str, value: Any) -> str:
    """The hashed word of one raw stored value (``key``: id, path, format or encoding) in the
    ``filt`` field; typed record fields are attributes instead (:mod:`.values`)."""
    digest = hashlib.blake2b(f"{key}\x1f{value}".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return "f" + digest


def primary_terms(columns: Columns) -> tuple[list[str], list[tuple[str, str]]]:
    """The one term per position Sphinx gets, and each stacked term with what it stands over.

    In the analyzer's columns the terms of one position are consecutive:
    a compound's join comes first, then its first part, then a variant of
    that part; a word comes before its variant. The join is told apart by
    its span: it ends after its first part (``رئیس‌جمهوری``), or, for a
    glued compound (``رئیسجمهوری``), the next position's term has the same
    span as all the group's terms do. Only positions holding two terms are
    stepped through in Python (about 4 % of a news article's tokens).
    """
    terms, starts, ends, positions = columns
    n = len(terms)
    # Indices whose position repeats the one before: C loops over all tokens.
    repeats = list(compress(range(1, n), map(eq, positions, islice(positions, 1, None))))
    if not repeats:
        return list(terms), []
    keep = bytearray(b"\x01") * n
    stacked: list[tuple[str, str]] = []
    joins: list[int] = []
    k = 0
    while k < len(repeats):
        first = repeats[k] - 1  # the group of one position: first .. stop - 1
        stop = repeats[k] + 1
        k += 1
        while k < len(repeats) and repeats[k] == stop:
            stop += 1
            k += 1
        glued = stop < n and starts[stop] == starts[first] and ends[stop] == ends[first]
        if ends[first] != ends[first + 1] or glued:
            joins.append(first)
            keep[first] = 0
            first += 1
        for m in range(first + 1, stop):
            keep[m] = 0
            stacked.append((terms[m], terms[first]))
    for join in joins:  # a join stands over the primary terms within its span
        parts = _parts(terms, starts, ends, keep, join)
        if len(parts) > 1:
            stacked.append((terms[join], " ".join(parts)))
    return list(compress(terms, keep)), [(alt, over) for alt, over in stacked if alt != over]


def _parts(terms: list[str], starts: list[int], ends: list[int], keep: bytearray, join: int) -> list[str]:
    """The primary terms after the join at ``join`` whose span lies within its span."""
    parts = []
    m = join + 1
    while m < len(terms) and starts[m] >= starts[join] and ends[m] <= ends[join]:
        if keep[m]:
            parts.append(terms[m])
        m += 1
    return parts


def sphinx_words(terms: list[str]) -> str:
    """Terms as the text Sphinx indexes: :func:`sphinx_term` of each, space-joined
    (one check of the whole text when every term is already a Sphinx word)."""
    text = " ".join(terms)
    return text if _SAFE_TEXT.fullmatch(text) else " ".join(map(sphinx_term, terms))


class Prepared(NamedTuple):
    """One document analyzed, ready for the nodes and the store (picklable: workers send it)."""

    id: str
    path: str | None
    fields: str  # the small stored fields, JSON
    text: bytes  # the original text, stored form
    tokens: bytes  # packed index-time tokens of title and body (the highlighter's)
    title: str  # Sphinx words, space-joined: the primary terms
    body: str
    tstack: str  # the stacked terms, as a bag of words (exact single-term matches)
    bstack: str
    filt: str
    title_terms: frozenset[str]  # every analyzer term (dictionary and suggestions)
    body_terms: frozenset[str]
    stacked: tuple[tuple[str, str], ...]
    typed: dict[str, list[Any]]  # typed record values (attributes of the slots: :mod:`.values`)


def small_fields(doc: Document) -> dict[str, Any]:
    """The stored fields of a hit, in the shape every backend returns."""
    out: dict[str, Any] = {"id": doc.id, "path": doc.path or "", "format": doc.format or "", "title": doc.title or "",
                           "size": doc.size or 0, "mtime": doc.mtime or 0.0, "hash": doc.hash or "",
                           "metadata": doc.metadata or {}}
    if doc.encoding:
        out["encoding"] = doc.encoding
    return out


def prepare(analyzer: Analyzer, doc: Document) -> Prepared:
    """Analyze ``doc`` once: its Sphinx words, its stored tokens and its dictionary terms."""
    title_columns, body_columns = analyzer.columns(doc.title or ""), analyzer.columns(doc.text or "")
    title_words, title_stacked = primary_terms(title_columns)
    body_words, body_stacked = primary_terms(body_columns)
    title_count, body_count = Counter(title_columns[0]), Counter(body_columns[0])
    title_count.subtract(title_words)
    body_count.subtract(body_words)
    filters = [filter_term(name, getattr(doc, name)) for name in FILTER_FIELDS if getattr(doc, name)]
    return Prepared(
        id=doc.id, path=doc.path or None,
        fields=json.dumps(small_fields(doc), ensure_ascii=False, separators=(",", ":")),
        text=encode_text(doc.text or ""), tokens=pack_for_storage(title_columns, body_columns),
        title=sphinx_words(title_words), body=sphinx_words(body_words),
        tstack=sphinx_words(list(title_count.elements())), bstack=sphinx_words(list(body_count.elements())),
        filt=" ".join(filters), title_terms=frozenset(title_columns[0]), body_terms=frozenset(body_columns[0]),
        # What a stacked term stands over, where that is one word (a phrase holding it is widened to it).
        stacked=tuple({(alt, over) for alt, over in title_stacked + body_stacked if " " not in over}),
        typed=dict(doc.typed or {}),
    )


#: The columns of a row, before the typed slots' (:func:`.values.slot_columns`).
ROW_COLUMNS = ("id", "title", "body", "tstack", "bstack", "every", "filt", "ns", "gen", "seq", "tlen", "blen")


def sphinx_row(prepared: Prepared, sid: int, ns: int, generation: int, seq: int) -> tuple[Any, ...]:
    """The values of :data:`ROW_COLUMNS` for one ``REPLACE INTO`` row (``seq``: the order
    documents were indexed in, which breaks ties as in the other backends; ``tlen``/``blen``:
    the fields' lengths in tokens, for the ranking Sphinx's RT indexes cannot do)."""
    return (sid, prepared.title, prepared.body, prepared.tstack, prepared.bstack, EVERY_TERM, prepared.filt, ns,
            generation, seq,
            StoredTokens(prepared.tokens, 0).count, StoredTokens(prepared.tokens, 1).count)


def node_of(doc_id: str, nodes: int) -> int:
    """The node a document lives on: a stable hash of its id (never Python's salted ``hash()``)."""
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % nodes


def sphinx_id(ns: int, generation: int, doc_id: str) -> int:
    """The Sphinx document id of one version of a document: new for every
    generation, so a new version can be written beside the old one and the
    commit decides which is visible. 63 bits, never 0."""
    digest = hashlib.blake2b(f"{ns}\0{generation}\0{doc_id}".encode("utf-8", "surrogatepass"),
                             digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1
