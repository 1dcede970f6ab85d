"""Built-in rules, one per file, named after their id (``hp_cost_001_team_budget.py``)."""
