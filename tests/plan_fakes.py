"""The report world (a Project and a Plan for report, diff and what-if tests) and a
GitHub-flavoured-Markdown check (`check_gfm`).

The project is the shared mini world (``tests/world/``) with ``search-api`` as a new
workload of a team whose name needs escaping in a Markdown table. Built by hand (no loader,
no solver) so the report tests pin the file contract and nothing else. Imported as
``plan_fakes`` (``tests/`` is on ``sys.path`` through its conftest).
"""

from __future__ import annotations

import re
from dataclasses import replace

import world
from markdown_it import MarkdownIt

from planner.model import (
    Category,
    Finding,
    Level,
    LineItem,
    Offer,
    Plan,
    PricingOption,
    Profile,
    Project,
    SiteUsage,
    SolverInfo,
    WorkloadClass,
)


def sample_project() -> Project:
    """The mini world's four sites and four workloads of three teams; search-api is new."""
    search = world.search_api(team="search | discovery", profile=Profile.DIURNAL, current_site=None)
    return world.mini_project(
        root="examples/fake",
        workloads=(world.checkout_api(), world.payments_db(), world.llm_finetune(), search),
        digests={
            "sites.yaml": "sha256:" + "b" * 64,
            "inventory.yaml": "sha256:" + "a" * 64,
        },
    )


usd = world.usd
"""An amount as the cost model gives it (``world.usd``)."""


def sample_plan() -> Plan:
    """Three moves (two to colo-eu, the training to the GPU pool), one new workload, findings."""
    runner_up = Offer(
        workload="llm-finetune",
        site="aws-us-east-1",
        option=PricingOption.CAPACITY_BLOCK,
        per_month=usd("98000"),
        line_items=(LineItem("gpu-hours", usd("98000"), "4000 GPU-h x 24.50 USD/GPU-h"),),
        instance_type="p5.48xlarge",
    )
    owned = PricingOption.OWNED
    placements = (
        world.placement(
            "payments-db",
            [world.assignment("colo-eu", owned, 3, "1234.5678")],
            migration=usd("12000"),
            previous_site="aws-eu-west-1",
            binding=("residency eu", "latency checkout-api 2 ms"),
            reason="steady load: owned capacity beats commit-3y by 2,100 USD/month",
        ),
        world.placement(
            "checkout-api",
            [world.assignment("colo-eu", owned, 3, "410")],
            migration=usd("8000"),
            previous_site="aws-eu-west-1",
            binding=("latency payments-db 2 ms",),
            reason="co-located with payments-db (2 ms)",
        ),
        world.placement(
            "llm-finetune",
            [world.assignment("gpu-pool-us", owned, 1, "61000", gpu_hours_per_month=4000.0)],
            migration=usd("10500"),
            previous_site="aws-us-east-1",
            runner_up=runner_up,
            binding=("capacity gpu-pool-us gpus:h100",),
            reason="owned H100s at 85 % utilisation beat capacity blocks",
        ),
        world.placement(
            "search-api",
            [
                world.assignment(
                    "aws-eu-west-1", PricingOption.SPOT, 1, "40", instance_type="m7g.large"
                ),
                world.assignment(
                    "aws-eu-west-1", PricingOption.COMMIT_1Y, 1, "60", instance_type="m7g.large"
                ),
            ],
            reason="new workload; diurnal: commit the floor, spot the peak",
        ),
    )
    classifications = (
        world.classification(
            "checkout-api",
            WorkloadClass.DIURNAL,
            "24 h autocorrelation 0.82",
            confidence=0.91,
            telemetry_class=WorkloadClass.DIURNAL,
        ),
        world.classification(
            "payments-db",
            WorkloadClass.STEADY,
            "declared steady",
            confidence=0.6,
            declared=Profile.STEADY,
            telemetry_class=WorkloadClass.BURSTY,
            disagreement="declared steady, telemetry says bursty (p99/p50 = 4.1)",
        ),
        world.classification("llm-finetune", WorkloadClass.AI_TRAINING, "kind training"),
        world.classification(
            "search-api",
            WorkloadClass.DIURNAL,
            "declared diurnal; no telemetry",
            confidence=0.5,
            declared=Profile.DIURNAL,
        ),
    )
    findings = (
        Finding(
            rule_id="HP-SLA-002",
            name="Ensure tier-1 workloads span two failure domains",
            category=Category.SLA,
            level=Level.ADVISORY,
            scope_kind="workload",
            scope="llm-finetune",
            message="runs in 1 failure domain (ash-1)",
            evidence={"failure_domains": ["ash-1"], "required": 2},
            waived=True,
            waiver_reason="Research job (RISK-114)",
        ),
        Finding(
            rule_id="HP-COST-001",
            name="Ensure each team stays within its monthly budget",
            category=Category.COST,
            level=Level.MANDATORY,
            scope_kind="team",
            scope="ml",
            message="61,000.00 USD/month exceeds the budget of 40,000.00 USD/month",
            evidence={"budget_usd_per_month": 40000.0, "usd_per_month": 61000.0},
        ),
    )
    return world.plan(
        placements,
        site_usage=(
            SiteUsage(
                "colo-eu",
                used={"cpu": 18.0, "memory_gib": 108.0},
                capacity={"cpu": 384.0, "memory_gib": 3072.0},
                per_month=usd("1644.5678"),
            ),
            SiteUsage(
                "gpu-pool-us",
                used={"cpu": 96.0, "gpus:h100": 8.0, "memory_gib": 1024.0},
                capacity={"cpu": 652.8, "gpus:h100": 54.4, "memory_gib": 13926.4},
                per_month=usd("61000"),
            ),
            SiteUsage("aws-eu-west-1", used={"cpu": 2.0}, capacity={}, per_month=usd("100")),
        ),
        classifications=classifications,
        solver=SolverInfo(
            method="milp",
            status="optimal",
            objective_usd=62_744.5678 * 36 + 30_500.0,
            lp_bound_usd=2_287_700.0,
            gap=0.00071,
            seconds=0.42,
        ),
        findings=findings,
        baseline_per_month=usd("105600"),
        per_month=usd("62744.57"),
        migration=usd("30500"),
        horizon_months=36,
        input_digest="sha256:" + "c" * 64,
        catalogue_version="2025.06",
        workload_baseline_per_month={
            "checkout-api": usd("1800"),
            "payments-db": usd("3800"),
            "llm-finetune": usd("100000"),
        },
    )


def with_changes(plan: Plan, **changes: object) -> Plan:
    """``dataclasses.replace`` with a readable name for tests."""
    return replace(plan, **changes)  # type: ignore[arg-type]


def _md_tokens(text: str) -> list[object]:
    # markdown-it-py's GitHub-like preset; linkify is off because linkify-it-py is not a
    # dependency (it only turns bare URLs into links, irrelevant to structure).
    md = MarkdownIt("gfm-like", {"linkify": False})
    return list(md.parse(text))


def check_gfm(text: str) -> None:
    """Assert that ``text`` renders as intended on GitHub: every table line belongs to a
    parsed table, details blocks are balanced, mermaid fences parse as fences."""
    tokens = _md_tokens(text)
    lines = text.splitlines()
    table_rows = {i for i, ln in enumerate(lines) if ln.startswith("| ")}
    covered: set[int] = set()
    for tok in tokens:
        if getattr(tok, "type", "") == "table_open" and tok.map:  # type: ignore[attr-defined]
            covered.update(range(tok.map[0], tok.map[1]))  # type: ignore[attr-defined]
    assert table_rows <= covered, sorted(table_rows - covered)
    # a stray "|" in a cell still parses as a table, with its cells shifted: every row of a
    # table must have as many cell separators as its header
    for tok in tokens:
        if getattr(tok, "type", "") == "table_open" and tok.map:  # type: ignore[attr-defined]
            rows = lines[tok.map[0] : tok.map[1]]  # type: ignore[attr-defined]
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(widths) == 1, f"line {tok.map[0] + 1}: rows differ in cell count"  # type: ignore[attr-defined]
    depth = 0
    for i, ln in enumerate(lines):
        depth += ln.count("<details>") - ln.count("</details>")
        assert 0 <= depth <= 1, f"line {i + 1}: details blocks must nest properly"
        if ln.startswith("<summary>"):
            assert ln.endswith("</summary>"), f"line {i + 1}: summary on one line"
            assert lines[i + 1] == "", f"line {i + 1}: GitHub needs a blank line after summary"
    assert depth == 0, "unclosed <details>"
    assert text.count("<summary>") == text.count("<details>")
    assert text.count("```") % 2 == 0, "unclosed code fence"
    fences = [t for t in tokens if getattr(t, "type", "") == "fence"]
    assert text.count("```mermaid") == sum(1 for t in fences if t.info == "mermaid")  # type: ignore[attr-defined]
    for fence in fences:
        body = fence.content  # type: ignore[attr-defined]
        first = body.splitlines()[0]
        assert re.match(r"^(pie( showData)?|xychart-beta|gantt)$", first), first
        if first == "gantt":
            check_gantt(body)


_GANTT_TASK = re.compile(
    r"^    [A-Za-z0-9 ,._()+-]+ :(milestone, )?[a-z][a-z0-9]*, "
    r"(\d{4}-\d{2}-\d{2}), (\d{4}-\d{2}-\d{2}|0d)$"
)


def check_gantt(body: str) -> None:
    """A Mermaid gantt as plan.md writes it, line by line against the syntax Mermaid
    documents (title, ``dateFormat YYYY-MM-DD``, ``axisFormat``, sections, tasks
    ``name :id, start, end`` and milestones ``name :milestone, id, date, 0d``): no ``:``,
    ``#`` or ``;`` inside a name, real dates, each task ending after it starts, unique ids."""
    import datetime as dt

    lines = body.splitlines()
    assert lines[0] == "gantt"
    assert any(ln == "    dateFormat YYYY-MM-DD" for ln in lines), "dateFormat"
    assert any(ln.startswith("    axisFormat %") for ln in lines), "axisFormat"
    ids: set[str] = set()
    for ln in lines[1:]:
        if ln.startswith(("    title ", "    dateFormat ", "    axisFormat ", "    section ")):
            assert ":" not in ln.split(" ", 5)[-1] or ln.startswith("    dateFormat"), ln
            continue
        m = _GANTT_TASK.match(ln)
        assert m, f"not a gantt task line: {ln!r}"
        task_id = ln.split(":", 1)[1].replace("milestone, ", "").split(",")[0].strip()
        assert task_id not in ids, f"duplicate task id {task_id}"
        ids.add(task_id)
        start = dt.date.fromisoformat(m.group(2))
        if m.group(3) != "0d":
            assert dt.date.fromisoformat(m.group(3)) > start, ln
