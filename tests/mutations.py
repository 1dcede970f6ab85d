"""Mutations of a planning project and its telemetry, for fuzzing (the Hypothesis test in
tests/property/test_fuzz_inputs.py and the corpus run in bench/fuzz_corpus.py).

``mutate_project(root, rng)`` damages a copy of a project in place - one to three edits of
its YAML files as text (hostile scalars, deleted or repeated lines, truncation, stray
syntax, deep nesting, alias loops, odd bytes) and of its telemetry (hostile numbers and
timestamps, CR line ends, truncated or corrupt gzip, huge fields, mutated Prometheus and
CloudWatch responses) - and returns what it did, one line per edit. Everything is drawn
from ``rng``, so a seed reproduces a case.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "data" / "telemetry"
YAML_FILES = ("inventory.yaml", "sites.yaml", "policies.yaml", "project.yaml")

HOSTILE_SCALARS = (
    "1e308",
    "-1e308",
    "1e400",
    "-1",
    "0",
    "0.0",
    "9" * 400,
    "-" + "1" * 5000,
    "9007199254740993",
    ".nan",
    "-.inf",
    "!!int abc",
    "!!float x",
    "!!binary aGk=",
    "!!timestamp 2027-01-01",
    "!secret s",
    "010",
    "0x1F",
    "1_000",
    "yes",
    "off",
    "~",
    "''",
    '""',
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "*undefined",
    "&a [*a]",
    '"x\u2028main: evil"',
    '"x\x85y"',
    '"a-->b"',
    '"postgres 16.4"',
    '"Ünïcode Team"',
    '"kube-system"',
    '"default"',
    '"' + "x" * 70 + '"',
    '"\\u0000"',
    "true",
    "null",
    "2027-02-30",
    "a" * 300,
)
STRAY = (
    "[",
    "]",
    "{",
    "}",
    ":",
    "- ",
    "&a ",
    "*a",
    "!!",
    "\t",
    "\r",
    "\x00",
    "\u2028",
    "'",
    '"',
    "#",
    "\n  ",
    "<<: ",
    "? ",
    "|",
    ">",
    "%YAML 1.1\n",
    "---\n",
    "\ufeff",
    "\x85",
)
_KEY_VALUE = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w.-]*: )(\S.*)$")
_FLOW_VALUE = re.compile(r"([{,] *[A-Za-z_][\w-]*: )([^,}\n]+)")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").split("\n")


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")


def _hostile_value(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    candidates = [i for i, ln in enumerate(lines) if _KEY_VALUE.match(ln) or "{" in ln]
    if not candidates:
        return _stray(path, rng)
    i = rng.choice(candidates)
    value = rng.choice(HOSTILE_SCALARS)
    flows = list(_FLOW_VALUE.finditer(lines[i]))
    if flows and rng.random() < 0.6:
        m = rng.choice(flows)
        lines[i] = lines[i][: m.start(2)] + value + lines[i][m.end(2) :]
    elif m2 := _KEY_VALUE.match(lines[i]):
        lines[i] = m2.group(1) + value
    _write(path, lines)
    return f"{path.name}:{i + 1}: value -> {value[:40]!r}"


def _delete_line(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    i = rng.randrange(len(lines))
    del lines[i]
    _write(path, lines)
    return f"{path.name}:{i + 1}: deleted"


def _repeat_line(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    _write(path, lines)
    return f"{path.name}:{i + 1}: repeated"


def _swap_lines(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    _write(path, lines)
    return f"{path.name}: lines {i + 1} and {j + 1} swapped"


def _truncate(path: Path, rng: random.Random) -> str:
    data = path.read_bytes()
    cut = rng.randrange(len(data) + 1)
    path.write_bytes(data[:cut])
    return f"{path.name}: truncated at byte {cut}"


def _stray(path: Path, rng: random.Random) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    at = rng.randrange(len(text) + 1)
    piece = rng.choice(STRAY)
    path.write_text(text[:at] + piece + text[at:], encoding="utf-8", errors="surrogatepass")
    return f"{path.name}: {piece!r} inserted at {at}"


def _deep(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    candidates = [i for i, ln in enumerate(lines) if _KEY_VALUE.match(ln)]
    if not candidates:
        return _stray(path, rng)
    i = rng.choice(candidates)
    depth = rng.choice((70, 500, 5000))
    m = _KEY_VALUE.match(lines[i])
    if m is not None:
        lines[i] = m.group(1) + "[" * depth + "]" * depth
    _write(path, lines)
    return f"{path.name}:{i + 1}: nested {depth} deep"


def _aliases(path: Path, rng: random.Random) -> str:
    bombs = (
        "bomb: &b0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 10)}]\n" for i in range(1, 8)),
        "loop: &l {self: *l}\n",
        "ref: *nowhere\n",
    )
    bomb = rng.choice(bombs)
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + bomb)
    return f"{path.name}: alias trouble appended ({bomb.split(':')[0]})"


def _bytes(path: Path, rng: random.Random) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        path.write_bytes(b"")
        return f"{path.name}: emptied"
    if choice == 1:
        path.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        return f"{path.name}: random bytes"
    if choice == 2:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
        return f"{path.name}: CR line ends"
    path.write_bytes(b"\xff\xfe" + path.read_bytes())
    return f"{path.name}: not UTF-8"


YAML_EDITS: tuple[Callable[[Path, random.Random], str], ...] = (
    _hostile_value,
    _hostile_value,
    _hostile_value,
    _delete_line,
    _repeat_line,
    _swap_lines,
    _truncate,
    _stray,
    _stray,
    _deep,
    _aliases,
    _bytes,
)

# --------------------------------------------------------------------------- telemetry

HOSTILE_NUMBERS = ("nan", "inf", "-inf", "-1", "1e400", "1e308", "abc", "", "9" * 400, "0x10")
HOSTILE_TIMES = (
    "",
    "yesterday",
    "2026-13-45T99:00:00Z",
    "0",
    "-1",
    "1e20",
    "9" * 30,
    "2026-10-01T00:00:00+25:00",
    "2026-10-01",
)


def _csv_cell(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    rows = [i for i, ln in enumerate(lines) if ln.count(",") >= 1 and i > 0]
    if not rows:
        return _truncate(path, rng)
    i = rng.choice(rows)
    cells = lines[i].split(",")
    col = rng.randrange(len(cells))
    pool = HOSTILE_TIMES if col == 0 else HOSTILE_NUMBERS
    cells[col] = rng.choice(pool)
    lines[i] = ",".join(cells)
    _write(path, lines)
    return f"{path.name}:{i + 1}: cell {col} -> {cells[col][:20]!r}"


def _csv_shape(path: Path, rng: random.Random) -> str:
    lines = _lines(path)
    i = rng.randrange(1, max(2, len(lines)))
    what = rng.randrange(4)
    if what == 0 and i < len(lines):
        lines[i] += ",extra"
    elif what == 1 and i < len(lines):
        lines[i] = lines[i].rsplit(",", 1)[0]
    elif what == 2:
        lines.insert(i, '2026-10-01T00:00:00Z,web,cpu,"' + "x" * 200_000 + '"')
    else:
        lines[0] = rng.choice(("", "time,value", "workload,metric,value", "timestamp"))
    _write(path, lines)
    return f"{path.name}:{i + 1}: shape edit {what}"


def _gzip(path: Path, rng: random.Random) -> str:
    data = gzip.compress(path.read_bytes())
    damage = rng.randrange(3)
    if damage == 1:
        data = data[: max(10, len(data) // 2)]
    elif damage == 2:
        mid = len(data) // 2
        data = data[:mid] + b"\x00" * 16 + data[mid + 16 :]
    target = path.with_name(path.name + ".gz")
    target.write_bytes(data)
    path.unlink()
    return f"{target.name}: gzip ({('intact', 'truncated', 'corrupt')[damage]})"


def _json_response(folder: Path, rng: random.Random) -> str:
    source = rng.choice(("prometheus.json", "cloudwatch.json", "prometheus_app_label.json"))
    text = (FIXTURES / source).read_text(encoding="utf-8")
    damage = rng.randrange(5)
    if damage == 1:
        text = text[: rng.randrange(len(text))]
    elif damage == 2:
        depth = rng.choice((100, 100_000))
        text = text.replace("[", "[" * depth, 1).replace("]", "]" * depth, 1)
    elif damage == 3:
        numbers = list(re.finditer(r"\d+\.\d+", text))
        if numbers:
            m = rng.choice(numbers)
            text = text[: m.start()] + rng.choice(("NaN", "1e999", "-1", '"x"')) + text[m.end() :]
    elif damage == 4:
        text = text.replace("workload", "wrkld", 1)
    target = folder / f"fuzz-{source}"
    target.write_text(text, encoding="utf-8")
    return f"{target.name}: {source} damage {damage}"


def mutate_telemetry(root: Path, rng: random.Random) -> str:
    """One edit of the telemetry of the project in ``root``."""
    folder = root / "telemetry"
    folder.mkdir(exist_ok=True)
    csvs = sorted(folder.glob("*.csv"))
    pick = rng.randrange(6)
    if pick == 5 or not csvs:
        return _json_response(folder, rng)
    path = rng.choice(csvs)
    edit = (_csv_cell, _csv_cell, _csv_shape, _gzip, _bytes)[pick]
    return edit(path, rng)


def mutate_project(root: Path, rng: random.Random) -> list[str]:
    """Apply one to three edits to the project in ``root`` (a copy: it is changed in
    place): YAML files and telemetry; returns a description of each edit."""
    done: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        if rng.random() < 0.3:
            done.append(mutate_telemetry(root, rng))
            continue
        path = root / rng.choice(YAML_FILES)
        if not path.exists():
            continue
        done.append(rng.choice(YAML_EDITS)(path, rng))
    return done
