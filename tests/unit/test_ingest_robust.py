"""Tests for planner.ingest on damaged exports: each is a located problem (file, line where
known, and a fix), never a traceback; old line ends read like new ones."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from planner.ingest.files import read_telemetry_file

HEADER = "timestamp,workload,metric,value"
ROWS = [f"2026-10-01T{h:02d}:00:00Z,web,cpu,{1 + h / 10:.2f}" for h in range(24)]
WIDE = ["timestamp,web/cpu"] + [f"2026-10-01T{h:02d}:00:00Z,{1 + h / 10:.2f}" for h in range(24)]


def _read(path: Path) -> tuple[list[str], list[tuple[str, list[float]]]]:
    result = read_telemetry_file(path, rel=path.name)
    series = [(s.workload, list(s.values)) for s, _ in result.series]
    return [p.render() for p in result.problems], series


@pytest.mark.parametrize("lines", [[HEADER, *ROWS], WIDE], ids=["long", "wide"])
@pytest.mark.parametrize("end", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_old_line_ends_read_like_newlines(tmp_path: Path, lines: list[str], end: str) -> None:
    """A CSV with classic-Mac CR or Windows CRLF line ends gives the same series as LF."""
    plain, odd = tmp_path / "plain.csv", tmp_path / "odd.csv"
    plain.write_bytes(("\n".join(lines) + "\n").encode())
    odd.write_bytes((end.join(lines) + end).encode())
    assert _read(odd) == _read(plain)
    assert _read(plain)[1]


def test_cr_line_ends_keep_line_numbers(tmp_path: Path) -> None:
    """A bad row in a CR-ended file is reported at the line an editor shows."""
    path = tmp_path / "t.csv"
    rows = [HEADER, *ROWS[:3], "2026-10-01T05:00:00Z,web,cpu", *ROWS[4:6]]
    path.write_bytes("\r".join(rows).encode())
    problems, _ = _read(path)
    assert problems == [
        "t.csv:5: expected 4 fields, found 3. "
        "To fix: one sample a line: timestamp,workload,metric,value"
    ]


@pytest.mark.parametrize("form", ["long", "wide"])
def test_a_huge_field_is_a_problem_at_its_line(tmp_path: Path, form: str) -> None:
    """A field over the csv module's limit is reported at its line, not raised."""
    path = tmp_path / "t.csv"
    huge = '"' + "x" * 200_000 + '"'
    if form == "long":
        rows = [HEADER, ROWS[0], f"2026-10-01T01:00:00Z,web,cpu,{huge}", *ROWS[2:4]]
    else:
        rows = [WIDE[0], WIDE[1], f"2026-10-01T01:00:00Z,{huge}", *WIDE[3:5]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    problems, series = _read(path)
    assert series == []
    assert any(p.startswith("t.csv:3: unreadable CSV line: field larger than") for p in problems)


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "not-gzip"])
def test_damaged_gzip_is_a_problem_naming_the_file(tmp_path: Path, damage: str) -> None:
    """A truncated, corrupt or mislabelled .gz is one problem with a fix."""
    data = gzip.compress(("\n".join([HEADER, *ROWS * 200]) + "\n").encode())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "corrupt":
        middle = len(data) // 2
        data = data[:middle] + b"\x00" * 64 + data[middle + 64 :]
    else:
        data = b"plain text, not gzip\n"
    path = tmp_path / "t.csv.gz"
    path.write_bytes(data)
    problems, series = _read(path)
    assert series == []
    (problem,) = problems
    assert problem.startswith("t.csv.gz: cannot read: ")
    assert "To fix: check the file is readable and complete" in problem


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"status":"success","data":{"resultType":"matrix","result":[{"metric":'
        '{"workload":"web"},"values":' + "[" * 100_000 + "]" * 100_000 + "}]}}",
    ],
    ids=["deep-list", "deep-object", "deep-in-prometheus"],
)
def test_deeply_nested_json_is_a_problem(tmp_path: Path, text: str) -> None:
    """JSON nested 100,000 deep is an 'invalid JSON' problem at a line, not a RecursionError."""
    path = tmp_path / "t.json"
    path.write_text(text, encoding="utf-8")
    problems, series = _read(path)
    assert series == []
    (problem,) = problems
    assert problem.startswith("t.json:1: invalid JSON")
