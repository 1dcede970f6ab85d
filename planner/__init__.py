"""hybridplan: plan where each workload runs (cloud, colo Kubernetes, GPU pool) by total cost
of ownership, under capacity, SLA, residency and budget constraints, and emit Pulumi stacks."""

__version__ = "0.1.0"
