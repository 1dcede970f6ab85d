"""Every command's human output in the project currency (issue #12): a project in EUR shows
EUR amounts with their unit and period and no bare USD amount, each figure the USD one
divided by the catalogue's dated rate (1.0465 USD per EUR, ECB 2025-02-21) and rounded once
to the cent; a USD project's outputs carry no marks (``planner.fx``)."""

from __future__ import annotations

import json
import re
import shutil
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

pytestmark = pytest.mark.slow  # a dozen CLI runs over the mini project and the billed one

DATA = Path(__file__).resolve().parent.parent / "data"
RATE = Decimal("1.0465")
WIDE = {"COLUMNS": "400"}

runner = CliRunner()

# Advisory rules that put amounts in findings: every move is "below" a huge minimum saving,
# the cloud share is over 1 %, and the payments team is over a 1 USD budget.
POLICIES = """\
apiVersion: hybridplan/v1
kind: Policies
rules:
  HP-COST-001:
    level: advisory
    params: {budgets_usd_per_month: {payments: 1}}
  HP-COST-004:
    level: advisory
    params: {max_share: 0.01}
  HP-COST-007:
    level: advisory
    params: {min_saving_usd_per_month: 1000000}
"""

_ALLOWED = (
    re.compile(r"[\d.]+ USD per EUR"),  # the rate, where it is stated
    re.compile(r"the catalogue's USD prices and the plan's USD figures|plan\.json keeps USD"),
    re.compile(r"\([^()]*USD in policies\.yaml[^()]*\)"),  # a budget as it is set
)


def _eur(usd: Decimal) -> Decimal:
    return (usd / RATE).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def _text(usd: Decimal | float) -> str:
    return f"{_eur(Decimal(str(usd))):,.2f}"


def _assert_in_eur(text: str) -> None:
    """EUR shown, no USD amount or unit left but the allowed phrases, no mark leaked."""
    assert "EUR" in text
    assert not re.search("[\x80-\x82]", text), "a mark leaked"
    rest = text
    for allowed in _ALLOWED:
        rest = allowed.sub("", rest)
    lines = [line for line in rest.splitlines() if "USD" in line]
    assert lines == []


def _eur_project(tmp_path: Path, name: str = "mini", policies: str = POLICIES) -> Path:
    root = tmp_path / name
    shutil.copytree(DATA / name, root)
    project = root / "project.yaml"
    project.write_text(project.read_text().replace("currency: USD", "currency: EUR"))
    (root / "policies.yaml").write_text(policies)
    return root


@pytest.fixture(scope="module")
def eur(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _eur_project(tmp_path_factory.mktemp("eur"))


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code == code, result.output
    return result.output


def test_plan_md_and_summary_in_eur(eur: Path, tmp_path: Path) -> None:
    """plan.md and the summary: EUR throughout; the headline is plan.json's USD totals
    converted once, which plan.json's twins (eur_per_month...) repeat; the cash chart's last
    points are the converted horizon totals; the rate and its date are stated."""
    out = tmp_path / "out"
    summary = _run("plan", str(eur), "--out", str(out))
    _assert_in_eur(summary)
    md = (out / "plan.md").read_text()
    _assert_in_eur(md)
    assert "1.0465 USD per EUR (rate of 2025-02-21" in md
    data = json.loads((out / "plan.json").read_text(), parse_float=Decimal)
    t = data["totals"]
    assert f"## hybridplan: {_text(t['baseline_usd_per_month'])} → " in md
    assert f"→ {_text(t['usd_per_month'])} EUR/month" in md
    for key in ("usd_per_month", "baseline_usd_per_month", "horizon_tco_usd", "migration_usd"):
        assert t[key.replace("usd", "eur")] == _eur(t[key])
    cash = md[md.index('title "Cumulative cash (EUR)') :]
    lines = re.findall(r"^    line \[(.*)\]$", cash, flags=re.M)[:2]
    assert [Decimal(line.split(", ")[-1]) for line in lines] == [
        t["baseline_horizon_tco_eur"],
        t["horizon_tco_eur"],
    ]
    assert "\x80" not in (out / "plan.json").read_text()


def test_explain_cost_and_check_in_eur(eur: Path) -> None:
    """explain, cost (formulas' prices and the owned hourly rates too) and check: EUR only;
    cost's figures are its JSON's USD ones converted once."""
    _assert_in_eur(_run("explain", "checkout-api", str(eur)))
    table = _run("cost", str(eur), "--workload", "payments-db")
    _assert_in_eur(table)
    view = json.loads(_run("cost", str(eur), "--workload", "payments-db", "--format", "json"))
    cheapest = next(o for o in view["offers"] if o["cheapest"])
    assert f" {_text(cheapest['usd_per_month'])} " in table
    assert re.search(r"owned rates colo-eu .*: [\d.]+ EUR/core-h, [\d.]+ EUR/GiB-h", table)
    assert "0.088 USD" not in table
    assert re.search(r"x 0\.0840898 EUR/GiB-month", table)  # 0.088 USD / 1.0465
    checked = _run("check", str(eur))
    _assert_in_eur(checked)
    findings = json.loads(_run("check", str(eur), "--format", "json"))["findings"]
    budget = next(f for f in findings if f["rule_id"] == "HP-COST-001")
    assert "budget of 0.96 EUR/month" in budget["message"]  # 1 USD / 1.0465


def test_what_if_and_sweep_in_eur(eur: Path) -> None:
    """what-if (table and Markdown, with its hardware notes) and a sweep: EUR only."""
    for fmt in ("table", "md"):
        _assert_in_eur(_run("what-if", str(eur), "--price", "aws.m6i=-30%", "--format", fmt))
        capacity = _run(
            "what-if", str(eur), "--capacity", "gpu-pool-us.gpus.h100=+8", "--format", fmt
        )
        _assert_in_eur(capacity)
        assert f"capex {_text(Decimal(310000))} EUR cash in month 1" in capacity
        _assert_in_eur(
            _run("what-if", str(eur), "--sweep", "aws.m6i=-40%..0%:20%", "--format", fmt)
        )


def test_diff_in_eur(eur: Path, tmp_path: Path) -> None:
    """diff of two EUR plans (the head's currency): EUR only."""
    _run("plan", str(eur), "--out", str(tmp_path / "base"))
    longer = tmp_path / "longer"
    shutil.copytree(eur, longer)
    project = longer / "project.yaml"
    project.write_text(project.read_text().replace("horizon_months: 36", "horizon_months: 60"))
    _run("plan", str(longer), "--out", str(tmp_path / "head"))
    md = _run("diff", str(tmp_path / "base" / "plan.json"), str(tmp_path / "head" / "plan.json"))
    _assert_in_eur(md)


def test_budget_diagnosis_in_eur(tmp_path: Path) -> None:
    """An infeasible total budget: the diagnosis in EUR, with the USD the budget is set in."""
    policies = (
        POLICIES + "  HP-COST-002:\n    level: mandatory\n    params: {max_usd_per_month: 100}\n"
    )
    root = _eur_project(tmp_path, policies=policies)
    result = runner.invoke(app, ["plan", str(root), "--out", str(tmp_path / "out")], env=WIDE)
    assert result.exit_code == 1, result.output
    _assert_in_eur(result.stderr)
    assert "total budget is 96 EUR/month (100 USD in policies.yaml" in result.stderr


def test_baseline_in_eur(tmp_path: Path) -> None:
    """baseline (the bill is USD): the table in EUR."""
    root = tmp_path / "billed"
    shutil.copytree(DATA / "billed", root)
    project = root / "project.yaml"
    project.write_text(project.read_text().replace("currency: USD", "currency: EUR"))
    _assert_in_eur(_run("baseline", str(root)))


def test_a_usd_project_shows_no_marks(tmp_path: Path) -> None:
    """The mini project in USD: plan.md, plan.json, check and cost JSON carry no mark."""
    out = tmp_path / "out"
    texts = [
        _run("plan", str(DATA / "mini"), "--out", str(out)),
        (out / "plan.md").read_text(),
        (out / "plan.json").read_text(),
        _run("check", str(DATA / "mini"), "--format", "json"),
        _run("cost", str(DATA / "mini"), "--workload", "payments-db", "--format", "json"),
    ]
    for text in texts:
        assert not re.search("[\x80-\x82]", text)
        assert "EUR" not in text
