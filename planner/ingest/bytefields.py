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
    are meaningless)."""
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
