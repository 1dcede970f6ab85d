"""Plain decimals read a word at a time (``short_decimals``, the path of fields up to 8 bytes)
give what the byte-by-byte reader (``decimals_by_byte``, the reference) gives: the same
"is a plain decimal" mask and, where it holds, the same float, which is ``float(text)``
(issue 18 speed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.ingest.bytefields import decimals_by_byte, plain_decimals


def _words(fields: list[bytes]) -> tuple[np.ndarray, int]:
    """Fields as zero-padded rows of 64-bit little-endian words, and the longest length."""
    max_len = max((len(f) for f in fields), default=0)
    width = max(1, -(-max_len // 8)) * 8
    raw = b"".join(f.ljust(width, b"\0") for f in fields)
    return np.frombuffer(raw, dtype="<u8").reshape(len(fields), width // 8).copy(), max_len


def _assert_same(fields: list[bytes]) -> None:
    """``plain_decimals`` equals the byte-by-byte reference, and ``float`` where ok."""
    words, max_len = _words(fields)
    if max_len == 0:  # the readers pass only non-empty fields (empty cells are gaps)
        return
    vals, ok = plain_decimals(words, max_len)
    ref_vals, ref_ok = decimals_by_byte(words, max_len)
    assert ok.tolist() == ref_ok.tolist()
    assert vals[ok].tobytes() == ref_vals[ref_ok].tobytes()
    for text, v, good in zip(fields, vals.tolist(), ok.tolist(), strict=True):
        if good and b"\0" not in text.rstrip(b"\0"):  # NUL bytes inside: no float() text
            assert np.float64(v).tobytes() == np.float64(float(text.rstrip(b"\0"))).tobytes()


CASES = [
    b"0", b"7", b"-0", b"-0.000", b".5", b"-.5", b"5.", b"12345678", b"1234567.",
    b"9999.999", b"0.000001", b"-1234.56", b"935.760", b"00000000", b"123456789",
    b"12345678.9", b"-123456789012345", b"1234567890123456", b"1.2.3", b"-", b".", b"",
    b"1e5", b"nan", b" 1", b"1 ", b"1-", b"--1", b"+1", b"1\x002", b"\x001", b"12\x00\x00",
    b"/", b":", b"1,5", b"0x10",
]  # fmt: skip


@pytest.mark.parametrize("field", CASES, ids=[repr(c) for c in CASES])
def test_each_case_equals_the_reference(field: bytes) -> None:
    """Edge cases one at a time (the path taken depends on the longest field, so each is
    also read beside a long field)."""
    _assert_same([field])
    _assert_same([field, b"1234567890.12345"])


def test_all_cases_together_equal_the_reference() -> None:
    """The cases in one batch: short fields read a word at a time, the rest by byte."""
    _assert_same(CASES)


FIELD = st.text(alphabet="0123456789.-\x00e+ ", max_size=18).map(str.encode)


@settings(max_examples=300, deadline=None)
@given(st.lists(FIELD, min_size=1, max_size=40))
def test_random_fields_equal_the_reference(fields: list[bytes]) -> None:
    """Any fields of digits, dots, signs and odd bytes: the same mask and values."""
    _assert_same(fields)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50), st.integers(0, 6))
def test_formatted_numbers_are_float_of_their_text(values: list[float], places: int) -> None:
    """Numbers as telemetry writes them (fixed places) read as ``float(text)``."""
    _assert_same([f"{v:.{places}f}".encode() for v in values])


def test_many_fields_read_in_chunks_equal_the_reference() -> None:
    """More fields than one chunk of ``short_decimals`` (odd ones and long ones among them,
    across the chunk boundaries): the same mask and values."""
    rng = np.random.default_rng(18)
    fields = [f"{v:.{rng.integers(0, 5)}f}".encode() for v in rng.uniform(0, 5e4, 20_000)]
    for i in range(0, len(fields), 997):
        fields[i] = CASES[i % len(CASES)]
    _assert_same(fields)
