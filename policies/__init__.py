"""hybridplan's policy rules (one per file under ``rules/``, registered in ``registry.py``)
and the Pulumi CrossGuard policy pack that runs them at ``pulumi preview``."""
