"""NetworkPolicies: every team namespace denies all traffic by default; each workload gets
back what the inventory declares (its callers in, its dependencies out), and every pod its
DNS lookups.

- ``default-deny`` (per namespace): selects every pod, allows nothing in or out;
- ``allow-dns`` (per namespace): egress to the cluster DNS (``k8s-app: kube-dns`` in
  ``kube-system``, port 53 UDP and TCP);
- ``allow-training`` (namespaces running Kueue training): training pods reach each other
  (multi-node collectives) and anything outside (checkpoints, datasets);
- ``<workload>`` (per workload with a peer): ingress from the pods of the workloads that
  depend on it, egress to the pods of those it depends on, on their ports; a peer on another
  site is any address (NetworkPolicy cannot name another cluster's pods).
"""

from __future__ import annotations

from typing import Any

from .labels import selector_labels
from .spec import PeerSpec, WorkloadSpec

KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every namespace (Kubernetes 1.22+)."""
DNS_EGRESS = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
}
ANYWHERE = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]


def default_deny() -> dict[str, Any]:
    return {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def allow_dns() -> dict[str, Any]:
    return {"podSelector": {}, "policyTypes": ["Egress"], "egress": [DNS_EGRESS]}


def allow_training() -> dict[str, Any]:
    training = {"matchExpressions": [{"key": KUEUE_QUEUE_LABEL, "operator": "Exists"}]}
    return {
        "podSelector": training,
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"podSelector": training}]}],
        "egress": [{"to": ANYWHERE}],
    }


def _rule(peer: PeerSpec, direction: str) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if peer.namespace is None:
        rule[direction] = ANYWHERE
    else:
        selected: dict[str, Any] = {
            "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: peer.namespace}}
        }
        if peer.workload is not None:
            selected["podSelector"] = {"matchLabels": selector_labels(peer.workload)}
        rule[direction] = [selected]
    if peer.ports:
        rule["ports"] = [{"protocol": "TCP", "port": p} for p in peer.ports]
    return rule


def workload_policy(w: WorkloadSpec, pod_selector: dict[str, str]) -> dict[str, Any] | None:
    """The spec of ``w``'s own NetworkPolicy (``None``: nothing to allow beyond DNS)."""
    net = w.network
    if not net.ingress and not net.egress and not net.egress_anywhere:
        return None
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": pod_selector},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [_rule(p, "from") for p in net.ingress],
        "egress": [_rule(p, "to") for p in net.egress],
    }
    if net.egress_anywhere:
        spec["egress"] = [{"to": ANYWHERE}]
    return spec
