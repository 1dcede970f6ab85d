"""planner.report: plan.json (schema, ordering, totals), summary rows and plan.md."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from plan_fakes import check_gfm, sample_plan, sample_project, usd

from planner import report
from planner.model import Plan
from planner.money import Money, json_text
from planner.report.amounts import payback_after

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "planner" / "schemas" / "plan.json").read_text(encoding="utf-8"))
GOLDEN = REPO / "tests" / "golden" / "plan_md"


def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(SCHEMA)
    return Draft202012Validator(SCHEMA)


def test_schema_is_valid_draft_2020_12() -> None:
    """The published plan schema is itself a valid draft 2020-12 schema."""
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_plan_json_validates_against_schema() -> None:
    """The rendered plan.json of the sample plan validates against planner/schemas/plan.json."""
    data = json.loads(report.render_plan_json(sample_plan(), sample_project()))
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    assert [e.message for e in errors] == []


def test_empty_plan_validates_against_schema() -> None:
    """A plan with no placements, sites usage or findings still validates."""
    empty = replace(
        sample_plan(),
        placements=(),
        site_usage=(),
        classifications=(),
        findings=(),
        baseline_per_month=usd("0"),
        per_month=usd("0"),
        migration=usd("0"),
        workload_baseline_per_month={},
    )
    data = report.plan_to_dict(empty, sample_project())
    assert [e.message for e in _validator().iter_errors(_as_read(data))] == []
    assert data["totals"]["delta_pct"] is None
    assert data["totals"]["break_even_month"] == 0


def test_schema_rejects_unknown_top_level_key() -> None:
    """The schema is closed: an unexpected key is an error, so the contract cannot drift."""
    data = _as_read(report.plan_to_dict(sample_plan(), sample_project()))
    data["surprise"] = 1
    assert not _validator().is_valid(data)


def test_plan_json_is_stable_under_input_order() -> None:
    """Shuffling placements, usage, classifications and findings gives identical text."""
    plan, project = sample_plan(), sample_project()
    shuffled = replace(
        plan,
        placements=tuple(reversed(plan.placements)),
        site_usage=tuple(reversed(plan.site_usage)),
        classifications=tuple(reversed(plan.classifications)),
        findings=tuple(reversed(plan.findings)),
    )
    reordered = replace(project, sites=tuple(reversed(project.sites)))
    assert report.render_plan_json(plan, project) == report.render_plan_json(shuffled, reordered)


def test_plan_json_lists_sorted_and_keys_sorted() -> None:
    """Workloads, sites and teams come sorted by name; the text has sorted keys."""
    text = report.render_plan_json(sample_plan(), sample_project())
    data = json.loads(text)
    for key in ("workloads", "sites", "teams"):
        names = [item["name"] for item in data[key]]
        assert names == sorted(names), key
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert text.endswith("}\n")


def test_plan_json_has_provenance() -> None:
    """Schema version, input digest, catalogue version, input files and command are recorded."""
    data = report.plan_to_dict(sample_plan(), sample_project(), command="hybridplan plan x")
    assert data["schema_version"] == report.SCHEMA_VERSION
    assert data["input_digest"] == "sha256:" + "c" * 64
    assert data["catalogue_version"] == "2025.06"
    assert list(data["inputs"]) == ["inventory.yaml", "sites.yaml"]
    assert data["generated_by"] == "hybridplan plan x"
    assert "seconds" not in data["solver"]


def _as_read(data: dict) -> dict:
    """A plan document as a reader gets it from the file (money as JSON numbers)."""
    return json.loads(json_text(data))


def test_money_is_exact_cents_in_the_document_and_the_text() -> None:
    """Amounts are Money in cents (1234.5678 from the model is 1234.57), written as the
    JSON numbers plan.json always had, and read back exactly with parse_float=Decimal."""
    data = report.plan_to_dict(sample_plan(), sample_project())
    db = next(w for w in data["workloads"] if w["name"] == "payments-db")
    assert db["usd_per_month"] == usd("1234.57")
    assert db["assignments"][0]["usd_per_month"] == usd("1234.57")
    assert data["totals"]["usd_per_month"] == usd("62744.57")
    assert data["solver"]["objective_usd"] == usd("2289304.44")  # the LP's float, to the cent
    text = report.render_plan_json(sample_plan(), sample_project())
    assert '"usd_per_month": 62744.57,' in text
    read = json.loads(text, parse_float=Decimal)
    assert read["totals"]["horizon_tco_usd"] == Decimal("2289304.52")


def test_totals() -> None:
    """Delta, percent, horizon TCO, savings and break-even follow the documented formulas,
    exactly, from the monthly figures shown (62,744.57 x 36 + 30,500 = 2,289,304.52)."""
    t = report.plan_to_dict(sample_plan(), sample_project())["totals"]
    assert t["baseline_usd_per_month"] == usd("105600")
    assert t["delta_usd_per_month"] == usd("-42855.43")
    assert t["delta_pct"] == -40.58
    assert t["horizon_tco_usd"] == usd("62744.57") * 36 + usd("30500")
    assert t["horizon_tco_usd"] == usd("2289304.52")
    assert t["baseline_horizon_tco_usd"] == usd("105600") * 36
    assert t["horizon_savings_usd"] == usd("3801600") - usd("2289304.52")
    assert t["break_even_month"] == 1
    assert usd("0") < t["horizon_savings_npv_usd"] < t["horizon_savings_usd"]
    assert (t["workloads"], t["moved"]) == (4, 3)


@pytest.mark.parametrize(
    ("before", "after", "migration", "expected"),
    [
        (100.0, 100.0, 0.0, 0),
        (100.0, 90.0, 0.0, 0),
        (100.0, 90.0, 100.0, 10),
        (100.0, 90.0, 101.0, 11),
        (100.0, 100.0, 50.0, None),
        (100.0, 120.0, 0.0, None),
        (100.0, 99.99, 0.03, 3),
    ],
    ids=["no-change", "free-saving", "exact", "round-up", "no-saving", "costs-more", "cents"],
)
def test_break_even_month(
    before: float, after: float, migration: float, expected: int | None
) -> None:
    """Break-even is the first whole month whose cumulative saving covers migration."""
    plan = replace(
        sample_plan(),
        baseline_per_month=usd(str(before)),
        per_month=usd(str(after)),
        migration=usd(str(migration)),
    )
    totals = report.plan_to_dict(plan, sample_project())["totals"]
    assert totals["break_even_month"] == expected


def test_workload_entry() -> None:
    """A workload entry carries team, class, offer, migration and the runner-up."""
    data = report.plan_to_dict(sample_plan(), sample_project())
    llm = next(w for w in data["workloads"] if w["name"] == "llm-finetune")
    assert llm["team"] == "ml"
    assert llm["classification"]["class"] == "ai-training"
    assert llm["offer"] == {"site": "gpu-pool-us", "option": "owned", "instance_type": None}
    assert llm["migration"] == {
        "from": "aws-us-east-1",
        "to": ["gpu-pool-us"],
        "moved": True,
        "partial": False,
        "usd": usd("10500"),
        "items": [],  # the fake placement carries no terms
    }
    assert llm["delta_usd_per_month"] == usd("-39000")
    assert llm["alternatives"][0]["extra_usd_per_month"] == usd("37000")
    new = next(w for w in data["workloads"] if w["name"] == "search-api")
    assert new["baseline_usd_per_month"] is None
    assert new["migration"]["moved"] is False
    assert [a["option"] for a in new["assignments"]] == ["commit-1y", "spot"]


def test_site_entries() -> None:
    """Sites carry before/after cost, moves and utilisation per resource."""
    sites = {s["name"]: s for s in report.plan_to_dict(sample_plan(), sample_project())["sites"]}
    assert set(sites) == {"aws-eu-west-1", "aws-us-east-1", "colo-eu", "gpu-pool-us"}
    gpu = sites["gpu-pool-us"]
    assert gpu["resources"]["gpus:h100"]["utilisation"] == round(8 / 54.4, 4)
    assert (gpu["moved_in"], gpu["moved_out"]) == (1, 0)
    assert sites["aws-us-east-1"]["baseline_usd_per_month"] == usd("100000")
    assert sites["aws-us-east-1"]["usd_per_month"] == usd("0")
    assert sites["aws-eu-west-1"]["resources"]["cpu"]["capacity"] is None
    assert sites["colo-eu"]["workloads"] == ["checkout-api", "payments-db"]


def test_findings_mandatory_first() -> None:
    """Findings are ordered mandatory first; evidence is JSON data."""
    findings = report.plan_to_dict(sample_plan(), sample_project())["findings"]
    assert [f["rule_id"] for f in findings] == ["HP-COST-001", "HP-SLA-002"]
    assert findings[1]["evidence"] == {"failure_domains": ["ash-1"], "required": 2}


def test_summary_rows() -> None:
    """The CLI summary has one row per site plus TOTAL, money formatted in USD/month."""
    header, rows = report.summary_rows(sample_plan())
    assert header == report.SUMMARY_COLUMNS
    assert [r[0] for r in rows] == [
        "aws-eu-west-1",
        "aws-us-east-1",
        "colo-eu",
        "gpu-pool-us",
        "TOTAL",
    ]
    assert rows[-1][1:] == ("4", "3", "3", "105,600.00", "62,744.57", "-42,855.43")
    assert all(len(r) == len(header) for r in rows)


# --------------------------------------------------------------------------- markdown


def test_plan_md_is_valid_gfm() -> None:
    """plan.md parses as GFM: tables are tables, details balanced, mermaid fences closed."""
    check_gfm(report.render_plan_md(sample_plan(), sample_project()))


def test_plan_md_headline() -> None:
    """The headline gives before -> after, delta, percent, horizon cash and payback."""
    text = report.render_plan_md(sample_plan(), sample_project())
    lines = text.splitlines()
    assert lines[0] == report.COMMENT_MARKER
    assert lines[1] == (
        "## hybridplan: 105,600.00 → 62,744.57 USD/month (-42,855.43 USD/month, -40.6 %)"
    )
    assert "36-month cash incl. migration and hardware (USD)" in text
    # 30,500 USD of migration against 42,855.43 USD/month saved: back after 0.71 months
    assert "pays back **after 0.7 months (month 1)**" in text
    # search-api is new: part of "after", nothing of "before"
    assert "includes 1 new workload (100.00 USD/month) that does not run today" in text


def test_plan_md_escapes_table_cells() -> None:
    """A pipe in a team name is escaped, so the table keeps its columns."""
    text = report.render_plan_md(sample_plan(), sample_project())
    assert "search \\| discovery" in text
    check_gfm(text)


def test_plan_md_traces_figures() -> None:
    """Every workload row names the command that prints its line items."""
    text = report.render_plan_md(sample_plan(), sample_project(), project_dir=".")
    for name in ("checkout-api", "payments-db", "llm-finetune", "search-api"):
        assert f"`hybridplan cost . --workload {name}`" in text


def test_plan_md_money_has_units() -> None:
    """Every money column header names its unit and period."""
    text = report.render_plan_md(sample_plan(), sample_project())
    headers = [ln for ln in text.splitlines() if ln.startswith("| ") and "USD" in ln]
    assert headers
    for ln in text.splitlines():
        for cell in ln.split("|"):
            if "before" in cell and ln.startswith("| workload"):
                assert "USD/month" in cell


def test_plan_md_without_moves_or_findings() -> None:
    """A plan that changes nothing says so instead of printing empty tables."""
    plan: Plan = replace(
        sample_plan(),
        placements=(sample_plan().placements[3],),
        findings=(),
        baseline_per_month=usd("100"),
        per_month=usd("100"),
        migration=usd("0"),
    )
    text = report.render_plan_md(plan, sample_project())
    assert "No workload moves." in text
    assert "No policy findings." in text
    assert "pays back **immediately**" in text
    check_gfm(text)


def test_plan_md_golden(update_golden: bool) -> None:
    """plan.md of the sample plan matches the reviewed golden file."""
    text = report.render_plan_md(
        sample_plan(), sample_project(), command="hybridplan plan . --out out", project_dir="."
    )
    path = GOLDEN / "sample.md"
    if update_golden:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_plan_md_waves_golden(update_golden: bool) -> None:
    """plan.md of the sample plan moved at most one workload a wave (headline with both
    paybacks, the Mermaid gantt, the wave table) matches the reviewed golden file."""
    from planner.model import WaveSettings
    from planner.waves import plan_waves

    project = sample_project()
    project = replace(
        project,
        settings=replace(project.settings, waves=replace(WaveSettings(), max_moves_per_wave=1)),
    )
    plan = sample_plan()
    plan = replace(plan, waves=plan_waves(plan, project, {}, start_month="2027-01"))
    text = report.render_plan_md(
        plan, project, command="hybridplan plan . --out out", project_dir="."
    )
    check_gfm(text)
    path = GOLDEN / "waves.md"
    if update_golden:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_plan_md_deterministic() -> None:
    """Rendering twice gives identical text."""
    a = report.render_plan_md(sample_plan(), sample_project())
    b = report.render_plan_md(sample_plan(), sample_project())
    assert a == b


def _big_plan(n: int) -> Plan:
    """The sample plan with ``n`` extra moved workloads, each with a long reason."""
    base = sample_plan()
    template = base.placements[1]
    extra = tuple(
        replace(
            template, workload=f"svc-{i:05d}", reason="cheapest offer allowed by: " + "x " * 200
        )
        for i in range(n)
    )
    baseline = dict(base.workload_baseline_per_month)
    baseline.update({p.workload: usd("1800") for p in extra})
    return replace(base, placements=base.placements + extra, workload_baseline_per_month=baseline)


def test_plan_md_fits_a_github_comment() -> None:
    """A 3,000-workload plan still renders under GitHub's comment limit, as valid GFM."""
    text = report.render_plan_md(_big_plan(3000), sample_project())
    assert len(text) <= report.MAX_COMMENT_CHARS
    assert "listed in `plan.json`" in text
    check_gfm(text)


def test_plan_md_shortens_long_reasons() -> None:
    """Long solver reasons are cut in the moves table and given in full under details."""
    text = report.render_plan_md(_big_plan(1), sample_project())
    row = next(ln for ln in text.splitlines() if ln.startswith("| `svc-00000`"))
    assert row.endswith("x x… |")
    assert len(row) < 400
    assert "- `svc-00000`: cheapest offer allowed by: " + "x " * 199 + "x (binding" in text


def test_acme_plan_validates(acme_dir: Path) -> None:
    """The real pipeline's plan of examples/acme renders a schema-valid plan.json and GFM."""
    from datetime import date

    from planner.catalogue import load_default_catalogue
    from planner.ingest import load_telemetry
    from planner.load import load_project
    from planner.pipeline import build_plan

    project = load_project(acme_dir)
    plan = build_plan(
        project,
        catalogue=load_default_catalogue(),
        telemetry=load_telemetry(project),
        today=date(2026, 11, 27),
    ).plan
    data = json.loads(report.render_plan_json(plan, project))
    assert [e.message for e in _validator().iter_errors(data)] == []
    assert len(data["workloads"]) == len(project.workloads)
    check_gfm(report.render_plan_md(plan, project))


def _burst_plan() -> Plan:
    """The sample plan with llm-finetune staying in the cloud and bursting into the pool."""
    from planner.model import Assignment, PricingOption

    base = sample_plan()
    llm = next(p for p in base.placements if p.workload == "llm-finetune")
    burst = replace(
        llm,
        assignments=(
            Assignment(
                "aws-us-east-1", PricingOption.SPOT, 1, usd("30000.01"), gpu_hours_per_month=3e3
            ),
            Assignment(
                "gpu-pool-us", PricingOption.OWNED, 1, usd("15000"), gpu_hours_per_month=1e3
            ),
        ),
        per_month=usd("45000.01"),
        migration=usd("10500"),
    )
    placements = tuple(burst if p.workload == "llm-finetune" else p for p in base.placements)
    return replace(
        base,
        placements=placements,
        per_month=Money.total((p.per_month for p in placements), "USD"),
        # a site spend that disagrees with the parts: the report must add up the parts
        site_usage=tuple(replace(u, per_month=u.per_month + usd("0.01")) for u in base.site_usage),
    )


def test_partial_move_is_listed_with_the_moves() -> None:
    """A workload that keeps its site and bursts into another pays migration: plan.md lists
    it with the moves (in part), so the moves' migration adds up to the headline."""
    plan, project = _burst_plan(), sample_project()
    data = report.plan_to_dict(plan, project)
    llm = next(w for w in data["workloads"] if w["name"] == "llm-finetune")
    assert (llm["migration"]["moved"], llm["migration"]["partial"]) == (False, True)
    assert (data["totals"]["moved"], data["totals"]["partly_moved"]) == (2, 1)
    listed = [w for w in data["workloads"] if w["migration"]["moved"] or w["migration"]["partial"]]
    assert sum(w["migration"]["usd"] for w in listed) == data["totals"]["migration_usd"]
    sites = {s["name"]: s for s in data["sites"]}
    assert (sites["gpu-pool-us"]["moved_in"], sites["aws-us-east-1"]["moved_out"]) == (1, 0)
    text = report.render_plan_md(plan, project)
    check_gfm(text)
    assert "### Moved workloads (2, and 1 in part)" in text
    assert "2 of 4 workloads move; 1 more moves in part" in text
    assert "| aws-us-east-1 | aws-us-east-1 + gpu-pool-us (in part) | spot + owned |" in text
    assert "Split over sites, and counted at each (their cost is divided, not repeated): " in text
    assert _validator().is_valid(json.loads(report.render_plan_json(plan, project)))


def test_sites_add_up_to_the_total() -> None:
    """Per-site after figures (plan.json, plan.md, CLI summary) are the sum of the
    workloads' parts there, so they add up to the headline to the cent."""
    plan, project = _burst_plan(), sample_project()
    data = report.plan_to_dict(plan, project)
    total = data["totals"]["usd_per_month"]
    assert sum(s["usd_per_month"] for s in data["sites"]) == total
    assert sum(w["usd_per_month"] for w in data["workloads"]) == total
    _, rows = report.summary_rows(plan)
    site_rows = [r for r in rows if r[0] != "TOTAL"]
    shown = sum(Decimal(r[5].replace(",", "")) for r in site_rows)
    assert shown == total.to_decimal()
    assert rows[-1][2:4] == ("3", "2")  # in: 2 moves + 1 burst; out: the 2 whole moves


def test_runner_up_shows_its_horizon_cost() -> None:
    """A runner-up cheaper a month but dearer over the horizon (it pays a migration) shows
    both figures, so it does not read as a saving the solver missed."""
    from planner.model import LineItem, Offer, PricingOption

    base = sample_plan()
    db = next(p for p in base.placements if p.workload == "payments-db")
    runner = Offer(
        workload="payments-db",
        site="aws-eu-west-1",
        option=PricingOption.COMMIT_3Y,
        per_month=usd("1200"),
        line_items=(LineItem("instances", usd("1200"), "3 x r7g.xlarge"),),
        migration=usd("20000"),
    )
    plan = replace(
        base,
        placements=tuple(replace(p, runner_up=runner) if p is db else p for p in base.placements),
    )
    text = report.render_plan_md(plan, sample_project())
    # -34.57 a month; over 36 months: -34.57 x 36 + (20,000 - 12,000) migration
    assert "aws-eu-west-1/commit-3y -34.57 (+6,755.48)" in text


def test_objective_is_labelled_unrounded() -> None:
    """The solver objective differs from the horizon TCO by rounding only, and says so."""
    text = report.render_plan_md(sample_plan(), sample_project())
    assert "| solver objective: horizon x monthly cost + migration, before rounding to cents |" in (
        text
    )


def test_plan_md_survives_a_pipe_in_the_project_path() -> None:
    """A "|" in the project path or command keeps every table row's cells in place, and
    the trace command is shell-quoted (unquoted, the shell would read it as a pipe)."""
    text = report.render_plan_md(
        sample_plan(),
        sample_project(),
        command="hybridplan plan 'a|b' --out out",
        project_dir="a|b",
    )
    check_gfm(text)
    assert "`hybridplan cost 'a\\|b' --workload payments-db`" in text


def test_payback_is_never_shown_in_the_month_before_it() -> None:
    """One decimal as a rule; where that would read as the month before (1.01 months is in
    month 2, "1.0" reads as the end of month 1), two decimals rounded up."""
    assert payback_after(Decimal("3.67"), 4) == "after 3.7 months (month 4)"
    assert payback_after(Decimal("0.71"), 1) == "after 0.7 months (month 1)"
    assert payback_after(Decimal("1.00"), 1) == "after 1.0 months (month 1)"
    assert payback_after(Decimal("1.01"), 2) == "after 1.01 months (month 2)"
    assert payback_after(Decimal("2.04"), 3) == "after 2.04 months (month 3)"
    assert payback_after(Decimal("2.05"), 3) == "after 2.05 months (month 3)"
    assert payback_after(Decimal("2.06"), 3) == "after 2.1 months (month 3)"
