"""The one-byte code for stored Persian text (persearch.compact)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch import compact
from persearch.analysis.chars import STORAGE_CHARS


def test_table_fills_the_upper_half_once() -> None:
    assert len(STORAGE_CHARS) == 128 == len(set(STORAGE_CHARS))
    assert all(ord(c) > 127 for c in STORAGE_CHARS)


def test_persian_text_takes_one_byte_a_character(seed_texts: dict[str, str]) -> None:
    encoded = {name: compact.encode(text) for name, text in seed_texts.items()}
    assert sum(data is not None for data in encoded.values()) >= len(seed_texts) - 1
    for name, data in encoded.items():
        if data is not None:
            assert len(data) == len(seed_texts[name]) and compact.decode(data) == seed_texts[name]


@settings(max_examples=300, deadline=None)
@given(st.text() | st.text(alphabet=st.sampled_from(STORAGE_CHARS + "abc \n")))
def test_encode_round_trips_or_refuses(text: str) -> None:
    data = compact.encode(text)
    if data is None:
        assert any(ord(c) > 127 and c not in STORAGE_CHARS for c in text)
    else:
        assert len(data) == len(text) and compact.decode(data) == text


def test_every_byte_decodes() -> None:
    assert compact.decode(bytes(range(256))) == "".join(map(chr, range(128))) + STORAGE_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(STORAGE_CHARS + "abc \n"), max_size=40), st.binary(max_size=5),
       st.integers(-50, 50), st.integers(-50, 50))
def test_a_compact_text_slices_like_the_text(text: str, before: bytes, low: int, high: int) -> None:
    data = compact.encode(text)
    assert data is not None
    sliced = compact.CompactText(before + data + b"tail", len(before), len(data))
    assert len(sliced) == len(text) and str(sliced) == text
    assert sliced[low:high] == text[low:high]
    assert sliced[low:high:2] == text[low:high:2]
    if -len(text) <= low < len(text):
        assert sliced[low] == text[low]
    else:
        with pytest.raises(IndexError):
            sliced[low]
