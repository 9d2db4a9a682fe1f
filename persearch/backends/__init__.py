"""Search engines behind persearch's small Backend interface (see base.py)."""
