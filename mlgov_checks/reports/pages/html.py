"""Self-contained HTML pages (Jinja2, autoescaped, every value masked): the audit and the inventory."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlgov_checks.reports.pages import require_html
from mlgov_checks.secrets import masker
from mlgov_checks.version import __version__

if TYPE_CHECKING:
    from mlgov_checks.reports.pages.audit import Audit
    from mlgov_checks.reports.pages.inventory import Inventory

STATUS_LABEL = {"pass": "complies", "fail": "does not comply", "error": "could not evaluate",  # nosec B105 - statuses
                "warn": "warning", "waived": "waived", "": "not evaluated"}


def _environment(mask: Callable[[str], str]) -> Any:
    require_html()
    import jinja2
    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        """Every expression's value is masked before it is escaped (charts come pre-masked)."""
        if value is None:
            return ""
        if isinstance(value, Markup):
            return value
        return mask(value if isinstance(value, str) else str(value))

    env = jinja2.Environment(loader=jinja2.PackageLoader("mlgov_checks", "templates/pages"),
                             autoescape=True, finalize=finalize, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["svg"] = Markup  # only for charts: matplotlib output built from masked labels
    from mlgov_checks.governance.decisions import iso_ms

    env.filters["iso"] = iso_ms
    env.filters["short"] = lambda text, n=12: (text or "")[:n]
    env.globals.update(mlgov_version=__version__, status_label=STATUS_LABEL)
    return env


def render_audit(audit: Audit) -> str:
    """The audit page for one model: verdict header, metric charts, timeline, per-version table."""
    from mlgov_checks.reports.pages.audit_view import build_view

    mask = masker()
    env = _environment(mask)
    view = build_view(audit, mask)
    return str(env.get_template("audit.html.j2").render(v=view, a=audit, generated_at=audit.generated_at))


def render_inventory(inventory: Inventory) -> str:
    """The inventory page: one row per registered model, each linking to its own section."""
    mask = masker()
    env = _environment(mask)
    rows = inventory.rows
    summary = {
        "models": len(rows),
        "in_production": sum(1 for r in rows if r.production),
        "not_compliant": sum(1 for r in rows if r.status_now in ("fail", "error")),
        "bypassed": sum(1 for r in rows if r.bypassed),
        "never_reviewed": sum(1 for r in rows if not r.last_review),
    }
    return str(env.get_template("inventory.html.j2").render(inv=inventory, summary=summary,
                                                                 generated_at=inventory.generated_at))
