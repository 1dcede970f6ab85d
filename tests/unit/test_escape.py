"""Tests for planner.escape: outside text in generated header comments cannot end the
comment or inject a line, in YAML, Python or an HTML comment."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app
from planner.escape import comment_text

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"
SEPARATORS = ["\n", "\r", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029", "\u202e", "\x00"]


@pytest.mark.parametrize("char", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_every_line_separator_and_control_is_escaped(char: str) -> None:
    """Each character YAML, Python or a terminal may treat as a break becomes an escape."""
    safe = comment_text(f"a{char}main: evil")
    assert safe.startswith("a\\")
    assert safe.endswith("main: evil")
    assert len(safe.splitlines()) == 1
    assert char not in safe


def test_plain_text_and_other_unicode_are_unchanged() -> None:
    """Ordinary paths, spaces and non-ASCII letters stay as written."""
    text = "hybridplan plan '/srv/plans/Zürich team' --out out"
    assert comment_text(text) == text
    assert comment_text(text, html=True) == text


@pytest.mark.parametrize("text", ["a-->b", "a--->b", "a----->", "--!>", "x<!--y", "<!--->"])
def test_html_comments_cannot_be_ended_or_nested(text: str) -> None:
    """In an HTML comment no ``-->``, ``--!>`` or ``<!--`` survives."""
    safe = comment_text(text, html=True)
    assert all(seq not in safe for seq in ("-->", "--!>", "<!--")), safe


def test_a_hostile_project_path_cannot_inject_into_emitted_stacks(tmp_path: Path) -> None:
    """A project folder named with U+2028, U+0085 and ``-->`` plans; every emitted YAML file
    has only its own keys, every Python file parses with the same statements, and each
    Markdown header stays one HTML comment."""
    project = tmp_path / "p\u2028main: evil\x85name: x-->\u2029z"
    shutil.copytree(MINI, project)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    plain = tmp_path / "plain"
    shutil.copytree(MINI, plain)
    reference = tmp_path / "reference"
    assert CliRunner().invoke(app, ["plan", str(plain), "--out", str(reference)]).exit_code == 0
    emitted = sorted(p.relative_to(out) for p in (out / "stacks").rglob("*") if p.is_file())
    assert emitted
    for rel in emitted:
        text = (out / rel).read_text(encoding="utf-8")
        expected = (reference / rel).read_text(encoding="utf-8")
        if rel.suffix == ".yaml":
            assert yaml.safe_load(text) == yaml.safe_load(expected), rel
        elif rel.suffix == ".py":
            assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(expected)), rel
        elif rel.suffix == ".md":
            head = text.split("-->", 1)[0]
            assert head.startswith("<!--")
            assert "<!--" not in head[4:], rel
            assert head.count("\n") == expected.split("-->", 1)[0].count("\n"), rel
        assert "\u2028" not in text, rel
        assert "\x85" not in text, rel
