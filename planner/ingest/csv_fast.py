"""The vectorised half of the long-form CSV reader, and its thread pool.

``scan_block`` does the heavy, pure part of parsing one block of whole lines with numpy
(field positions, hashes of the timestamps and keys, decimal values): it reads nothing but
its arguments, so blocks are scanned by ``scan_blocks`` on a pool of threads (numpy
releases the GIL in its loops) while the reader commits the scans one by one in file
order (``planner.ingest.csv_long``: timestamps, key registration, value checks, samples).
The order of commits, and so every key index, problem and warning, is that of the serial
reader: the threads only compute what a block holds.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

from planner.ingest.bytefields import (
    FNV,
    MAX_FAST_FIELD,
    parse_decimals,
    segment_hash,
    segment_words,
)

IntArray = npt.NDArray[np.intp]
KeyIndex = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]
"""Sorted hashes of the (workload, metric) keys seen so far, and their key indexes."""

MAX_SCAN_THREADS = 4
"""Threads scanning blocks at most (one a core; the machines we size for have 2)."""
AHEAD_PER_THREAD = 2
"""Blocks scanned ahead of the commits per thread: bounds the memory held by scans."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the four fields of a long-form line are (column indexes) among ``ncol``."""

    ncol: int
    t_i: int
    w_i: int
    m_i: int
    v_i: int


@dataclass(frozen=True, slots=True)
class BlockScan:
    """What ``scan_block`` found in a block of ``n`` lines (row = line in the block)."""

    block: bytes
    n: int
    t_hash: npt.NDArray[np.uint64]
    """Hash of each distinct timestamp text (sorted)."""
    t_first: IntArray
    """The first row with each distinct timestamp."""
    t_inv: IntArray
    """Per row, the index of its timestamp in ``t_hash``."""
    t_span: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
    """(start, length) in ``block`` of every row's timestamp field."""
    values: npt.NDArray[np.float64]
    key_hash: npt.NDArray[np.uint64]
    """Per row, the hash of its (workload, metric)."""
    key_ids: npt.NDArray[np.int32] | None
    """Per row, its key index when every key was in the index given to the scan."""
    w_span: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
    m_span: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]

    def text(self, span: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], row: int) -> str:
        """The text of a field (``t_span``, ``w_span`` or ``m_span``) on one row."""
        st, ln = int(span[0][row]), int(span[1][row])
        return self.block[st : st + ln].decode("utf-8")


@dataclass(frozen=True, slots=True)
class CommaGrid:
    """A block of whole lines cut at its newlines and commas, every line with ``k`` commas."""

    raw: npt.NDArray[np.uint8]
    """The block's bytes, padded with 8 NULs (a field's 8-byte word never reads past it)."""
    words: npt.NDArray[np.uint64]
    """The little-endian 8-byte word at every offset of ``raw``."""
    nl: IntArray
    """Each line's newline."""
    commas: IntArray
    """Each line's ``k`` commas, an ``(n, k)`` array."""
    line_start: IntArray
    """Each line's first byte."""


def comma_grid(block: bytes, ncol: int) -> CommaGrid | None:
    """``block`` as a ``CommaGrid`` of ``ncol`` fields a line; None unless every line holds
    exactly ``ncol - 1`` commas (a blank line, a comment or a ragged row fails)."""
    padded = block + b"\0" * 8
    raw = np.frombuffer(padded, dtype=np.uint8)
    words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    nl = np.flatnonzero(raw == 10)
    commas = np.flatnonzero(raw == 44)
    n, k = nl.size, ncol - 1
    if n == 0 or commas.size != n * k:
        return None
    c = commas.reshape(n, k)
    line_start = np.concatenate(([0], nl[:-1] + 1))
    # each line's k commas lie inside it (so every line has exactly k)
    if not (bool(np.all(c[:, 0] >= line_start)) and bool(np.all(c[:, -1] < nl))):
        return None
    return CommaGrid(raw, words, nl, c, line_start)


def scan_block(block: bytes, layout: Layout, index: KeyIndex) -> BlockScan | None:
    """Fields, hashes and values of a block of complete lines at numpy speed; None when
    the block needs the line-by-line path (quotes, CR, comments, blank lines, wrong field
    counts, empty or long fields, values that are not numbers). ``index`` looks up the
    keys (``BlockScan.key_ids``)."""
    if (
        not block
        or b'"' in block
        or b"\r" in block
        or b"\n\n" in block
        or b"\n#" in block
        or block.startswith((b"#", b"\n"))
    ):
        return None
    grid = comma_grid(block, layout.ncol)
    if grid is None:
        return None
    words, nl, c, line_start = grid.words, grid.nl, grid.commas, grid.line_start
    n, k = nl.size, layout.ncol - 1
    seg_start = [line_start] + [c[:, j] + 1 for j in range(k)]
    seg_end = [c[:, j] for j in range(k)] + [nl]
    seg = [(seg_start[j], seg_end[j] - seg_start[j]) for j in range(layout.ncol)]
    for j in (layout.t_i, layout.w_i, layout.m_i, layout.v_i):
        length = seg[j][1]
        if int(length.min()) <= 0 or int(length.max()) > MAX_FAST_FIELD:
            return None
    v_start, v_len = seg[layout.v_i]
    v_words = np.stack(segment_words(words, v_start, v_len), axis=1)
    vals = parse_decimals(v_words, int(v_len.max()))
    if vals is None:
        return None
    th = segment_hash(words, *seg[layout.t_i])
    t_uniq, t_first, t_inv = unique_runs(th)
    with np.errstate(over="ignore"):
        kh = segment_hash(words, *seg[layout.w_i]) * FNV ^ segment_hash(words, *seg[layout.m_i])
    return BlockScan(
        block=block,
        n=n,
        t_hash=t_uniq,
        t_first=t_first,
        t_inv=t_inv,
        t_span=seg[layout.t_i],
        values=vals,
        key_hash=kh,
        key_ids=known_keys(index, kh),
        w_span=seg[layout.w_i],
        m_span=seg[layout.m_i],
    )


def known_keys(index: KeyIndex, kh: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32] | None:
    """The key index of every hash in ``kh`` when all are in ``index`` (one binary search
    each, no sort), else None."""
    known, ids = index
    if not known.size:
        return None
    pos = np.minimum(np.searchsorted(known, kh), known.size - 1)
    if not np.array_equal(known[pos], kh):
        return None
    return ids[pos]


def unique_runs(h: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], IntArray, IntArray]:
    """``np.unique(h, return_index=True, return_inverse=True)``, sorting only the first of
    each run of equal values when there are few runs (the timestamps of a time-major
    export: one run per instant)."""
    heads = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    if heads.size * 4 > h.size:
        return np.unique(h, return_index=True, return_inverse=True)
    uniq, first, inverse = np.unique(h[heads], return_index=True, return_inverse=True)
    runs = np.diff(np.append(heads, h.size))
    return uniq, heads[first], np.repeat(inverse, runs)


def line_blocks(fb: IO[bytes], block_bytes: int) -> Iterator[bytes]:
    """The stream in blocks of whole lines of about ``block_bytes`` (the last one given a
    line end when it lacks one)."""
    carry = b""
    while True:
        data = fb.read(block_bytes)
        if not data:
            if carry:
                yield carry if carry.endswith(b"\n") else carry + b"\n"
            return
        buf = carry + data
        cut = buf.rfind(b"\n")
        if cut < 0:
            carry = buf
            continue
        carry = buf[cut + 1 :]
        yield buf[: cut + 1]


def scan_threads() -> int:
    """Threads for ``scan_blocks``: the cores this process may use, at most
    ``MAX_SCAN_THREADS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_SCAN_THREADS, cores))


def scan_blocks(
    blocks: Iterator[bytes],
    layout: Layout,
    index: Callable[[], KeyIndex],
    threads: int,
) -> Iterator[tuple[bytes, BlockScan | None]]:
    """``(block, scan_block(block, ...))`` of each block, in order; the scans run on
    ``threads`` threads (inline with 1), a few blocks ahead of the consumer. ``index``
    gives the key index as the consumer has it when a scan starts."""
    if threads <= 1:
        for block in blocks:
            yield block, scan_block(block, layout, index())
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="csv-scan") as pool:
        ahead: deque[tuple[bytes, Future[BlockScan | None]]] = deque()
        try:
            for block in blocks:
                ahead.append((block, pool.submit(scan_block, block, layout, index())))
                if len(ahead) > threads * AHEAD_PER_THREAD:
                    done, future = ahead.popleft()
                    yield done, future.result()
            while ahead:
                done, future = ahead.popleft()
                yield done, future.result()
        finally:
            for _, future in ahead:  # the consumer stopped early: drop the rest
                future.cancel()
