"""The `mlgov` command: thin Click commands (app.py) and the Click-free fast path for the hook (entry.py)."""
