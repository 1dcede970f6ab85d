"""Move groups from the dependency graph, and the order stateful workloads need. Pure.

* Two moved workloads joined by a latency-bound dependency (``depends_on`` with
  ``max_latency_ms``) move together: between their cutovers one would run far from the
  other. The groups are the connected components of those edges.
* A stateful workload (a database or object store, or one with a dataset) moves after the
  moved workloads that read it (depend on it) are ready at their target: its group comes
  no earlier than theirs. Groups that would have to precede each other are merged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.model import Project, Workload, WorkloadKind

STATEFUL_KINDS = frozenset({WorkloadKind.DATABASE, WorkloadKind.OBJECT_STORE})


def is_stateful(w: Workload) -> bool:
    """A database or object store, or a workload with a dataset to copy."""
    return w.kind in STATEFUL_KINDS or w.data.dataset_gib > 0


def data_gib(w: Workload) -> float:
    """The data a move copies: the dataset, plus the stored objects of an object store."""
    return w.data.dataset_gib + (w.objects.stored_gib if w.objects is not None else 0.0)


@dataclass(frozen=True, slots=True)
class MoveGroup:
    """Workloads that move in the same wave, in cutover order (readers, then stateful)."""

    workloads: tuple[str, ...]
    links: tuple[str, ...]
    """Why they are together: ``a depends on b within 2 ms``."""
    after: tuple[int, ...] = ()
    """Indexes of the groups this one may not come before (its readers' groups)."""
    readers: tuple[str, ...] = ()
    """Readers in other groups this group's stateful workloads wait for."""

    @property
    def name(self) -> str:
        return self.workloads[0]


def _find(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _union(parent: dict[str, str], a: str, b: str) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        lo, hi = sorted((ra, rb))
        parent[hi] = lo


def _reader_edges(project: Project, moved: Sequence[str]) -> list[tuple[str, str]]:
    """(reader, stateful) pairs among the moved workloads."""
    names = set(moved)
    out = []
    for name in moved:
        for dep in project.workload(name).depends_on:
            target = project.find_workload(dep.name)
            if dep.name in names and target is not None and is_stateful(target):
                out.append((name, dep.name))
    return sorted(out)


def _cutover_order(members: Sequence[str], project: Project) -> tuple[str, ...]:
    """Readers before the stateful workloads (each part by name)."""
    return tuple(sorted(members, key=lambda n: (is_stateful(project.workload(n)), n)))


def _components(project: Project, moved: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    parent = {n: n for n in moved}
    links: list[str] = []
    for name in moved:
        for dep in project.workload(name).depends_on:
            if dep.max_latency_ms is not None and dep.name in parent:
                _union(parent, name, dep.name)
                links.append(f"{name} depends on {dep.name} within {dep.max_latency_ms:g} ms")
    return parent, sorted(links)


def _merge_cycles(parent: dict[str, str], edges: Sequence[tuple[str, str]]) -> None:
    """Merge groups that must both come no earlier than the other (a cycle of readers)."""
    while True:
        after: dict[str, set[str]] = {}
        for reader, stateful in edges:
            a, b = _find(parent, reader), _find(parent, stateful)
            if a != b:
                after.setdefault(b, set()).add(a)
        cycle = _a_cycle(after)
        if not cycle:
            return
        for n in cycle[1:]:
            _union(parent, cycle[0], n)


def _a_cycle(after: Mapping[str, set[str]]) -> list[str]:
    """Some cycle of ``after`` (depth first, in name order: deterministic), or ``[]``."""
    done: set[str] = set()
    for start in sorted(after):
        if start in done:
            continue
        at: dict[str, int] = {start: 0}
        path = [start]
        todo = [iter(sorted(after.get(start, ())))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                node = path.pop()
                del at[node]
                done.add(node)
                todo.pop()
            elif nxt in at:
                return path[at[nxt] :]
            elif nxt not in done:
                at[nxt] = len(path)
                path.append(nxt)
                todo.append(iter(sorted(after.get(nxt, ()))))
    return []


def move_groups(project: Project, moved: Sequence[str]) -> tuple[MoveGroup, ...]:
    """The move groups of the ``moved`` workloads, sorted by their first workload."""
    names = sorted(set(moved))
    parent, links = _components(project, names)
    edges = _reader_edges(project, names)
    _merge_cycles(parent, edges)
    members: dict[str, list[str]] = {}
    for n in names:
        members.setdefault(_find(parent, n), []).append(n)
    ordered = sorted((_cutover_order(m, project) for m in members.values()), key=min)
    index = {n: i for i, ws in enumerate(ordered) for n in ws}
    # looked up by workload, not scanned per group (linear in the fleet: names are RFC 1123
    # labels, so a link's first word is its workload)
    links_of: dict[str, list[str]] = {}
    for line in links:  # sorted: a group's subset, sorted again, keeps the order
        links_of.setdefault(line.split(" depends on ", 1)[0], []).append(line)
    readers_of: dict[str, list[str]] = {}
    for r, s in edges:
        readers_of.setdefault(s, []).append(r)
    out = []
    for i, ws in enumerate(ordered):
        group_links = tuple(sorted(line for n in ws for line in links_of.get(n, ())))
        outside = {r for n in ws for r in readers_of.get(n, ()) if index[r] != i}
        before = sorted({index[r] for r in outside})
        out.append(MoveGroup(ws, group_links, tuple(before), tuple(sorted(outside))))
    return tuple(out)
