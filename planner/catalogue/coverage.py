"""Which price families the catalogue covers in which AWS region (issue #13).

A *family* is one kind of price an offer needs (RDS for PostgreSQL instance classes, RDS gp3
storage, S3 Standard-IA, CloudFront tiers, ...). In a region a family is

* ``priced`` when every key it needs there is in the catalogue (every managed class of its
  service, for a class family), each cited with its source and date;
* ``partial`` when only some classes are (offers choose among the priced ones);
* ``refused`` when none is: an offer needing it is ineligible and names the missing key
  (``planner.cost.managed`` / ``object_store``), since prices are never guessed.

The shipped regions are the AWS regions any catalogue key names. CloudFront's tiers carry no
region (the North America and Europe edge columns, whatever the origin), so that family is
priced everywhere or nowhere. ``coverage_table`` renders the table docs/billing.md shows (a
test keeps the two equal). Pure: values in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from planner.catalogue.values import Catalogue

_REGION = re.compile(r"^[a-z]{2}-[a-z]+-\d$")
_PROVIDER = "aws"


class Status(StrEnum):
    PRICED = "priced"
    PARTIAL = "partial"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Family:
    """A price family: ``pattern`` is the key with ``{region}`` (and ``{cls}`` for a class
    family, whose classes are the catalogue's ``managed_classes`` of ``service``)."""

    name: str
    title: str
    pattern: str
    service: str | None = None


FAMILIES: tuple[Family, ...] = (
    Family("rds-postgres", "RDS for PostgreSQL classes", "aws.rds.postgres.{cls}.{region}", "rds"),
    Family("rds-mysql", "RDS for MySQL classes", "aws.rds.mysql.{cls}.{region}", "rds"),
    Family("rds-gp3", "RDS gp3 storage", "aws.rds.gp3.{region}"),
    Family("rds-backup", "RDS backup storage", "aws.rds.backup.{region}"),
    Family("opensearch", "OpenSearch data nodes", "aws.opensearch.{cls}.{region}", "opensearch"),
    Family("opensearch-gp3", "OpenSearch gp3 storage", "aws.opensearch.gp3.{region}"),
    Family(
        "elasticache-redis",
        "ElastiCache (Redis OSS) nodes",
        "aws.elasticache.redis.{cls}.{region}",
        "elasticache",
    ),
    Family(
        "elasticache-valkey",
        "ElastiCache (Valkey) nodes",
        "aws.elasticache.valkey.{cls}.{region}",
        "elasticache",
    ),
    Family("s3-standard", "S3 Standard", "aws.s3.standard.{region}"),
    Family("s3-standard-ia", "S3 Standard-IA", "aws.s3.standard-ia.{region}"),
    Family("s3-put", "S3 PUT requests", "aws.s3.put-requests.{region}"),
    Family("s3-get", "S3 GET requests", "aws.s3.get-requests.{region}"),
    Family("cloudfront", "CloudFront egress tiers", "aws.cloudfront.tier-{n}"),
)
"""The families of issue #13 (managed services, RDS storage, object storage, CDN)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One family in one region: its status, the ``source (date)`` of the keys present, and
    the keys absent (the first is the one an offer names)."""

    family: str
    region: str
    status: Status
    cited: tuple[str, ...]
    missing: tuple[str, ...]


def shipped_regions(catalogue: Catalogue) -> tuple[str, ...]:
    """The AWS regions any catalogue price key names, sorted."""
    return tuple(
        sorted(
            {
                part
                for key in catalogue.prices
                if key.startswith(f"{_PROVIDER}.")
                for part in key.split(".")
                if _REGION.match(part)
            }
        )
    )


def _keys(catalogue: Catalogue, family: Family, region: str) -> tuple[str, ...]:
    if family.name == "cloudfront":
        return tuple(sorted(k for k in catalogue.prices if k.startswith("aws.cloudfront.tier-")))
    if family.service is None:
        return (family.pattern.format(region=region),)
    classes = sorted(
        catalogue.classes_of(_PROVIDER, family.service),
        key=lambda c: (c.vcpu, c.memory_gib, c.key),
    )  # smallest first: the key a small workload's refused offer names
    return tuple(family.pattern.format(cls=c.name, region=region) for c in classes)


def cell(catalogue: Catalogue, family: Family, region: str) -> Cell:
    """The coverage of ``family`` in ``region``."""
    keys = _keys(catalogue, family, region)
    present = [k for k in keys if k in catalogue.prices]
    missing = tuple(k for k in keys if k not in catalogue.prices)
    if family.name == "cloudfront" and not keys:
        missing = ("aws.cloudfront.tier-1",)
    cited = tuple(
        sorted({f"{catalogue.prices[k].source} ({catalogue.prices[k].date})" for k in present})
    )
    if present and not missing:
        status = Status.PRICED
    elif present:
        status = Status.PARTIAL
    else:
        status = Status.REFUSED
    return Cell(family.name, region, status, cited, missing)


def coverage(catalogue: Catalogue) -> tuple[Cell, ...]:
    """Every family in every shipped region, family by family in ``FAMILIES`` order."""
    regions = shipped_regions(catalogue)
    return tuple(cell(catalogue, f, r) for f in FAMILIES for r in regions)


def _text(c: Cell, labels: Mapping[str, str]) -> str:
    if c.status is Status.REFUSED:
        return f"refused (`{c.missing[0]}`)"
    refs = ", ".join(labels[s] for s in c.cited)
    return f"{c.status.value} {refs}" if c.status is Status.PARTIAL else refs


def coverage_table(catalogue: Catalogue) -> str:
    """The Markdown table of ``coverage``: a row per family, a column per region; a priced
    cell cites ``[n]`` (the numbered sources listed under the table, with their dates), a
    refused one names its smallest missing key (the one a small workload's offer names)."""
    cells = coverage(catalogue)
    regions = shipped_regions(catalogue)
    sources = sorted({s for c in cells for s in c.cited})
    labels = {s: f"[{i}]" for i, s in enumerate(sources, start=1)}
    by = {(c.family, c.region): c for c in cells}
    lines = [
        "| family | " + " | ".join(regions) + " |",
        "|---|" + "---|" * len(regions),
    ]
    for f in FAMILIES:
        row = [_text(by[(f.name, r)], labels) for r in regions]
        lines.append(f"| {f.title} | " + " | ".join(row) + " |")
    lines.append("")
    lines.extend(f"{labels[s]} {s}  " for s in sources)
    return "\n".join(lines).rstrip() + "\n"
