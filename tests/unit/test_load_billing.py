"""The billing: section of project.yaml: what the schema and the loader refuse, located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.load import load_project
from planner.load.billing import load_billing

BILLED = Path(__file__).resolve().parents[1] / "data" / "billed"
NAMES = ["checkout-api", "payments-db", "llm-finetune"]


def _with_billing(tmp_path: Path, billing: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(BILLED, root)
    head = (root / "project.yaml").read_text(encoding="utf-8").split("billing:")[0]
    (root / "project.yaml").write_text(head + "billing:\n" + billing, encoding="utf-8")
    return root


def test_rules_keep_their_lines() -> None:
    """Each rule records where it is written, for messages."""
    loaded = load_billing(BILLED, workloads=NAMES, default_currency="USD")
    assert loaded is not None
    spec, files = loaded
    assert [r.source.line if r.source else 0 for r in spec.rules] == [13, 15, 17, 19, 21]
    assert [f.name for f in files] == ["bills/aws-focus-2025q2.csv"]
    assert spec.currency == "USD"


def test_project_without_billing(mini_dir: Path) -> None:
    """A project without a billing section has no bill (None), not an error."""
    assert load_billing(mini_dir, workloads=NAMES, default_currency="USD") is None


def test_unknown_workload_has_line_and_suggestion(tmp_path: Path) -> None:
    """A rule naming a workload not in the inventory is located, with the nearest name."""
    root = _with_billing(
        tmp_path,
        "  exports: [bills/*.csv]\n"
        "  rules:\n    - match: {account: '1'}\n      workload: checkout\n",
    )
    with pytest.raises(InputError) as err:
        load_billing(root, workloads=NAMES, default_currency="USD")
    rendered = err.value.render()
    assert "project.yaml:11:17: billing.rules[0].workload: unknown workload 'checkout'" in rendered
    assert "did you mean checkout-api?" in rendered


def test_glob_matching_nothing(tmp_path: Path) -> None:
    """An exports entry that names no file is located at its line."""
    root = _with_billing(tmp_path, "  exports:\n    - bills/*.parquet\n")
    with pytest.raises(InputError) as err:
        load_billing(root, workloads=NAMES, default_currency="USD")
    assert "project.yaml:9:7: billing.exports[0]: 'bills/*.parquet' matches no file" in (
        err.value.render()
    )


def test_exports_outside_the_project(tmp_path: Path) -> None:
    """An export path leaving the project folder is refused."""
    root = _with_billing(tmp_path, "  exports: [../elsewhere/*.csv]\n")
    with pytest.raises(InputError) as err:
        load_billing(root, workloads=NAMES, default_currency="USD")
    assert "is outside the project folder" in err.value.render()


def test_rule_with_two_targets_fails_the_schema(tmp_path: Path) -> None:
    """A rule must name exactly one of workload, workload_tag, shared."""
    root = _with_billing(
        tmp_path,
        "  exports: [bills/*.csv]\n  rules:\n    - {workload: checkout-api, workload_tag: app}\n",
    )
    with pytest.raises(InputError) as err:
        load_project(root)
    assert "billing.rules[0]" in err.value.render()


def test_misspelt_key_fails_the_schema(tmp_path: Path) -> None:
    """An unknown key in the billing section is a schema problem with its line."""
    root = _with_billing(tmp_path, "  exports: [bills/*.csv]\n  month: 3\n")
    with pytest.raises(InputError) as err:
        load_project(root)
    assert "project.yaml:9:3" in err.value.render()


def test_load_project_reports_billing_references(tmp_path: Path) -> None:
    """`validate` (load_project) finds rules naming unknown workloads and empty globs too."""
    root = _with_billing(
        tmp_path,
        "  exports: [bills/*.csv, bills/*.parquet]\n  rules:\n    - shared: {among: [payments]}\n",
    )
    with pytest.raises(InputError) as err:
        load_project(root)
    rendered = err.value.render()
    assert "billing.rules[0].shared.among[0]: unknown workload 'payments'" in rendered
    assert "billing.exports[1]: 'bills/*.parquet' matches no file" in rendered


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("  until: 2025-6\n", "expected a month YYYY-MM, got '2025-6'", id="month"),
        pytest.param("  currency: usd\n", "'usd' is not a currency code", id="currency"),
    ],
)
def test_patterns_read_in_plain_language(tmp_path: Path, line: str, expected: str) -> None:
    """billing.until and billing.currency are explained, not quoted as a regex."""
    root = _with_billing(tmp_path, "  exports: [bills/*.csv]\n" + line)
    with pytest.raises(InputError) as err:
        load_project(root)
    assert expected in err.value.render()
