"""Provenance checks (being built)."""

from __future__ import annotations

from mlgov_checks.checks._base import Check

CHECKS: tuple[Check, ...] = ()
