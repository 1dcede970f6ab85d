"""Names: RFC 1123 label validation for every name that ends up in generated code or paths,
and the nearest known name to a misspelt one (for "did you mean ...?" hints).

Workload, team and site names and GPU types become Kubernetes object names, Pulumi resource
names, file names and Python string literals in emitted stacks, so they must be DNS labels
(RFC 1123, as Kubernetes uses the term): lower-case letters, digits and ``-``, starting and
ending with a letter or digit, at most 63 characters. That also rules out anything that could
break out of a string or a path (``/``, ``..``, quotes, spaces, newlines).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LABEL_LENGTH = 63
LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
"""The RFC 1123 label pattern (length is checked separately)."""
LABEL_SCHEMA_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
"""The same rule with the 63-character limit folded in, as used in the JSON Schemas."""

_LABEL = re.compile(LABEL_PATTERN)
RULE = (
    "an RFC 1123 label: lower-case letters, digits and '-', starting and ending with a letter "
    f"or digit, at most {MAX_LABEL_LENGTH} characters"
)


@dataclass(frozen=True, slots=True)
class NameIssue:
    """Why a name is not a valid label, and a suggested replacement (``""`` if none)."""

    message: str
    suggestion: str

    @property
    def fix(self) -> str:
        if self.suggestion:
            return f"rename it, e.g. to '{self.suggestion}' ({RULE})"
        return f"choose a name that is {RULE}"


def is_label(value: str) -> bool:
    """True if ``value`` is a valid RFC 1123 label."""
    return len(value) <= MAX_LABEL_LENGTH and _LABEL.fullmatch(value) is not None


def suggest_label(value: str) -> str:
    """A valid label close to ``value`` (lower-cased, accents dropped, other runs of
    characters turned into ``-``, trimmed to 63), or ``""`` if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_LABEL_LENGTH].rstrip("-")


def _reasons(value: str) -> list[str]:
    reasons: list[str] = []
    if value == "":
        return ["is empty"]
    if len(value) > MAX_LABEL_LENGTH:
        reasons.append(f"is {len(value)} characters long (at most {MAX_LABEL_LENGTH})")
    if any(c.isupper() for c in value):
        reasons.append("contains upper-case letters")
    if ".." in value:
        reasons.append("contains '..'")
    if "/" in value or "\\" in value:
        reasons.append("contains a path separator")
    if any(c in "'\"`" for c in value):
        reasons.append("contains quotes")
    if any(c.isspace() for c in value):
        reasons.append("contains whitespace")
    bad = sorted({c for c in value if not re.fullmatch(r"[a-zA-Z0-9\-\s/\\'\"`]", c)})
    if bad:
        reasons.append("contains " + ", ".join(repr(c) for c in bad))
    if value[0] == "-" or value[-1] == "-":
        reasons.append("starts or ends with '-'")
    return reasons


def check_label(value: str, *, what: str = "name") -> NameIssue | None:
    """``None`` if ``value`` is a valid label, else a ``NameIssue`` whose message names the
    rule and says what is wrong, e.g. ``workload name 'Checkout API' is not an RFC 1123
    label: contains upper-case letters, contains whitespace``."""
    if is_label(value):
        return None
    shown = value if len(value) <= 80 else value[:77] + "..."
    message = f"{what} {shown!r} is not an RFC 1123 label: " + ", ".join(_reasons(value))
    suggestion = suggest_label(value)
    return NameIssue(message, suggestion if is_label(suggestion) else "")


def nearest_names(
    word: str, known: Iterable[str], *, limit: int = 3, cutoff: float = 0.6
) -> list[str]:
    """The ``known`` names closest to the misspelt ``word``, best first: at most ``limit``,
    each at least ``cutoff`` similar (``difflib``'s ratio, 0 to 1)."""
    return difflib.get_close_matches(word, list(known), n=limit, cutoff=cutoff)


def nearest_name(word: str, known: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The one ``known`` name closest to ``word`` (see ``nearest_names``), or ``None``."""
    close = nearest_names(word, known, limit=1, cutoff=cutoff)
    return close[0] if close else None


# --------------------------------------------------------------------------- emitted names
# Rules on names that become Kubernetes objects in emitted stacks, beyond being labels;
# checked where the inputs are read (located) and again before a stack is rendered.

STATEFULSET_NAME_MAX = 52
"""Longest StatefulSet name whose pods can be created: each pod is labelled
``controller-revision-hash: <name>-<10-character hash>``, a label value of at most 63."""
RESERVED_NAMESPACES = frozenset({"default", "kueue-system"})
"""Team names that would become a namespace the cluster or its add-ons already own (as would
any ``kube-*`` name): server-side apply adopts an existing Namespace, so the stack would put
the ``restricted`` Pod Security label and a quota on it, and delete it with the stack."""
IMAGE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$"
"""A plain container image reference (``registry/path:tag``, ``...@sha256:digest``)."""
IMAGE_MAX_LENGTH = 512


def namespace_issue(team: str) -> NameIssue | None:
    """Why a team cannot own a namespace (its namespace is its name), else ``None``."""
    if team in RESERVED_NAMESPACES or team.startswith("kube-"):
        return NameIssue(
            f"team {team!r} would take over the cluster's own namespace {team!r}",
            "",
        )
    return None


NAMESPACE_FIX = "name the team after the people who own it (its namespace is the team name)"


def database_name_issue(name: str) -> NameIssue | None:
    """Why a database (a StatefulSet) cannot have this name, else ``None``."""
    if len(name) > STATEFULSET_NAME_MAX:
        return NameIssue(
            f"database name {name!r} has {len(name)} characters: its StatefulSet could create "
            "no pod (the controller-revision-hash label '<name>-<hash>' exceeds 63), at most "
            f"{STATEFULSET_NAME_MAX}",
            "",
        )
    return None


STATEFUL_KIND_NAMES = frozenset({"database", "managed-db", "search", "cache"})
"""Inventory kinds emitted as a database (``planner.model.STATEFUL_KINDS`` by name)."""


def derived_names(name: str, kind: str, gpu_type: str | None) -> list[tuple[str, str]]:
    """``(name, what)`` of the objects an emitted workload of ``kind`` names after itself
    (a training job's burst Job, a database's headless Service, a GPU type's burst flavor)."""
    out: list[tuple[str, str]] = []
    if kind == "training":
        out.append((f"{name}-burst", "training job name"))
    if kind in STATEFUL_KIND_NAMES:
        out.append((f"{name}-headless", "headless Service name"))
    if gpu_type is not None:
        out.append((f"{gpu_type}-burst", "burst flavor name"))
    return out


def derived_name_clash(
    name: str, kind: str, services: set[str], jobs: set[str]
) -> tuple[str, str] | None:
    """The derived object name of a workload that another workload's object of the same
    kind already uses (``<db>-headless`` a Service, ``<training>-burst`` a Job), with what
    it is; ``services`` and ``jobs`` are the workloads that emit one. Either clash would
    register one Pulumi URN twice or let two resources apply one Kubernetes object."""
    if kind in STATEFUL_KIND_NAMES and f"{name}-headless" in services:
        return f"{name}-headless", "headless Service"
    if kind == "training" and f"{name}-burst" in jobs:
        return f"{name}-burst", "burst Job"
    return None
