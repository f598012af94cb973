"""The inventory as csv, json and markdown (html is html.render_inventory): one row per registered model."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mlgov_checks.reports import tables
from mlgov_checks.reports.pages.audit import BYPASSED
from mlgov_checks.reports.pages.inventory import Inventory, ModelRow

COLUMNS = ("model", "latest_version", "versions", "production", "status_now", "approvals", "approval_evidence",
           "last_decision", "bypassed", "last_review", "days_since_review")
FORMATS = ("csv", "json", "markdown", "html")


def _columns(inv: Inventory) -> tuple[str, ...]:
    return tables.shown_columns(COLUMNS, evaluated=inv.evaluated)


def fields(row: ModelRow) -> dict[str, Any]:
    return {"model": row.model, "latest_version": row.latest_version, "versions": row.version_count,
            "production": [f"{label} v{n}" for label, n in row.production], "status_now": row.status_now,
            "approvals": list(row.approvals), "approval_evidence": list(row.approval_evidence),
            "last_decision": row.last_decision,
            "bypassed": list(row.bypassed), "last_review": row.last_review,
            "days_since_review": row.days_since_review}


def to_csv(inv: Inventory) -> str:
    cols = _columns(inv)
    return tables.csv_text(cols, ([fields(r)[c] for c in cols] for r in inv.rows))


def to_json(inv: Inventory) -> str:
    cols = _columns(inv)
    doc = {"generated_at": inv.generated_at, "mlgov_version": inv.mlgov_version, "filter": inv.filter,
           "policy": inv.policy_source or "(defaults)", "policy_sha256": inv.policy_sha256,
           "bypassed": inv.flags, "models": [{c: fields(r)[c] for c in cols} for r in inv.rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_markdown(inv: Inventory) -> str:
    cols = _columns(inv)
    lines = [f"# Model inventory: {len(inv.rows)} model(s)", "",
             f"Generated {inv.generated_at} by mlgov {inv.mlgov_version}; policy "
             f"{tables.md_escape(inv.policy_source or '(defaults)')} (sha256 {inv.policy_sha256[:16]})", "",
             *tables.md_list(BYPASSED, inv.flags)]
    lines += tables.md_table(cols, ([fields(r)[c] for c in cols] for r in inv.rows))
    return "\n".join(lines) + "\n"


def renderer(fmt: str) -> Callable[[Inventory], str]:
    if fmt == "html":
        from mlgov_checks.reports.pages.html import render_inventory

        return render_inventory
    return {"csv": to_csv, "json": to_json, "markdown": to_markdown}[fmt]
