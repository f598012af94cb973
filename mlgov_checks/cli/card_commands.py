"""`mlgov card`, `policy`, `init`, `explain`: the commands that never need MLflow."""

from __future__ import annotations
