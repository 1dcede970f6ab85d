"""Fixed-width views of byte fields for the vectorised CSV path: each field's bytes as
64-bit words, a hash of each field (to find distinct strings), and exact decimal parsing
with numpy arithmetic.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FNV = np.uint64(0x100000001B3)
MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
MAX_FAST_FIELD = 64
"""Fields longer than this (bytes) send a block to the line-by-line path."""


def segment_words(
    words: npt.NDArray[np.uint64], start: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> list[npt.NDArray[np.uint64]]:
    """The bytes of each segment as little-endian 64-bit words, zero past its end.
    ``words[i]`` is the 8 bytes starting at byte i (an overlapping, unaligned view)."""
    n_words = int(-(-int(length.max()) // 8)) if length.size else 0
    last = words.shape[0] - 1
    out = []
    for k in range(n_words):
        rem = np.clip(length - 8 * k, 0, 8)
        at = start + 8 * k if k == 0 else np.minimum(start + 8 * k, last)
        out.append(words[at] & MASKS[rem])
    return out


def segment_hash(
    words: npt.NDArray[np.uint64], start: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """64-bit FNV-style hash of each segment (used to find distinct strings; with at most
    a few million distinct keys a collision has probability below 1e-6)."""
    h = length.astype(np.uint64)
    with np.errstate(over="ignore"):
        for w in segment_words(words, start, length):
            h = (h ^ w) * FNV
    return h


def parse_decimals(v_words: npt.NDArray[np.uint64], max_len: int) -> npt.NDArray[np.float64] | None:
    """Values from fixed-width byte fields (one row of 64-bit words per value, zero-padded).

    Plain decimals (``-12.345``, at most 15 digits) are converted by numpy arithmetic
    (``plain_decimals``). Other rows (exponents, ``nan``) go through numpy's string
    conversion. None when a value is not a number."""
    vals, ok = plain_decimals(v_words, max_len)
    if not ok.all():
        rest = np.flatnonzero(~ok)
        width = 8 * v_words.shape[1]
        raw = np.ascontiguousarray(v_words[rest]).view(f"S{width}")[:, 0]
        try:
            vals[rest] = raw.astype(np.float64)
        except ValueError:
            return None
    return vals


def plain_decimals(
    v_words: npt.NDArray[np.uint64], max_len: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(values, ok): the plain decimals (``-12.345``, ``7``, ``.5``; at most 15 digits) among
    fixed-width byte fields, converted by numpy arithmetic - an exact integer mantissa
    divided by an exact power of ten is correctly rounded, so a value equals
    ``float(text)`` - and the mask of fields that are such decimals (the others' values
    are meaningless). Fields of at most 8 bytes (all but a few in telemetry) are read a
    word at a time (``short_decimals``); the rest byte by byte (``decimals_by_byte``), with
    the same result."""
    n = v_words.shape[0]
    if n == 0 or v_words.shape[1] == 0 or max_len <= 0:
        return decimals_by_byte(v_words, max_len)
    first = v_words[:, 0] & MASKS[min(max_len, 8)]
    short = np.ones(n, dtype=np.bool_) if max_len <= 8 else ~(v_words[:, 1:] != 0).any(axis=1)
    vals = np.empty(n, dtype=np.float64)
    ok = np.empty(n, dtype=np.bool_)
    read = np.empty(n, dtype=np.bool_)
    for at in range(0, n, CHUNK_FIELDS):
        part = slice(at, at + CHUNK_FIELDS)
        vals[part], ok[part], read[part] = short_decimals(first[part])
    rest = np.flatnonzero(~(read & short))
    if rest.size:
        vals[rest], ok[rest] = decimals_by_byte(v_words[rest], max_len)
    return vals, ok


CHUNK_FIELDS = 8192
"""Fields read at once by ``short_decimals``: its temporaries (64 KiB) stay in the cache
and come from the heap (larger ones are fresh pages from the kernel each time, which cost
as much as the arithmetic)."""
ONES = np.uint64(0x0101010101010101)
"""A 1 in every byte of a word: times a word of 0/1 bytes, its top byte is their count."""
_TOP = np.uint64(56)
POW10 = 10.0 ** np.arange(9, dtype=np.int64)
"""Exact powers of ten (10^0 to 10^8), as ``10.0 ** k`` gives them."""


def short_decimals(
    words: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(values, ok, read) of fields of at most 8 bytes, one little-endian word each (the
    first character in the lowest byte, zero past the end). ``read``: the fields whose
    zero bytes all follow the text, which are the ones read here; for them ``ok`` and the
    value are ``decimals_by_byte``'s, the others' are meaningless.

    A word at a time (SWAR): the bytes' classes as words of 0/1 bytes, counted by one
    multiplication; the digits moved down over the dot (the bytes below it are the dot's
    word minus one) and read as the 8-digit number X in three multiply-shift-mask steps.
    X is the mantissa M times 10^(8 - positions), so the value is X / 10^(8 - positions
    before the dot): the same real quotient as M / 10^frac, correctly rounded alike."""
    words = np.ascontiguousarray(words, dtype=np.uint64)
    n = words.shape[0]
    b = words.view(np.uint8).reshape(n, 8)
    d = b - np.uint8(48)
    is_digit = (d < 10).view(np.uint64)[:, 0]
    is_dot = (b == 46).view(np.uint64)[:, 0]
    nonzero = (b != 0).view(np.uint64)[:, 0]
    neg = (words & np.uint64(0xFF)) == 45
    with np.errstate(over="ignore"):
        below = is_dot - np.uint64(1)  # the bytes below the dot (all of them without one)
        values = d.view(np.uint64)[:, 0] & (is_digit * np.uint64(0xFF))
        moved = (values & below) | ((values >> np.uint64(8)) & ~below)
        before = ((nonzero & below) * ONES) >> _TOP
        digits = (is_digit * ONES) >> _TOP
        dots = (is_dot * ONES) >> _TOP
        filled = nonzero * np.uint64(0xFF)
    read = (filled & (filled + np.uint64(1))) == 0
    allowed = is_digit | is_dot | (nonzero ^ ONES) | neg.view(np.uint8).astype(np.uint64)
    ok = (allowed == ONES) & (dots <= 1) & (digits > 0)
    vals = _swar_8_digits(moved).astype(np.float64) / POW10.take((8 - before).astype(np.intp))
    np.negative(vals, out=vals, where=neg)
    return vals, ok, read


def _swar_8_digits(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The number whose decimal digits are the bytes of ``x`` (0-9 each), the lowest byte
    most significant."""
    x = (x * np.uint64(10) + (x >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    x = (x * np.uint64(100) + (x >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    return (x * np.uint64(10000) + (x >> np.uint64(32))) & np.uint64(0xFFFFFFFF)


def decimals_by_byte(
    v_words: npt.NDArray[np.uint64], max_len: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``plain_decimals`` one byte column at a time over every field (any width)."""
    n = v_words.shape[0]
    cols = np.ascontiguousarray(v_words).view(np.uint8).reshape(n, -1)[:, :max_len].T.copy()
    mant = np.zeros(n, dtype=np.int64)
    frac = np.zeros(n, dtype=np.int64)
    digits = np.zeros(n, dtype=np.int64)
    seen_dot = np.zeros(n, dtype=np.bool_)
    neg = cols[0] == 45
    ok = np.ones(n, dtype=np.bool_)
    for j in range(max_len):
        b = cols[j]
        is_digit = (b >= 48) & (b <= 57)
        is_dot = b == 46
        ok &= is_digit | is_dot | (b == 0) | (neg if j == 0 else False)
        ok &= ~(is_dot & seen_dot)
        mant = np.where(is_digit, mant * 10 + (b.astype(np.int64) - 48), mant)
        frac += is_digit & seen_dot
        digits += is_digit
        seen_dot |= is_dot
    ok &= (digits > 0) & (digits <= 15)
    vals = mant / (10.0**frac)
    vals = np.where(neg, -vals, vals)
    return vals, ok
