"""Metric checks: the run's logged metrics meet the policy's thresholds, absolute and against a baseline."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mlgov_checks.checks._base import Context, check_from
from mlgov_checks.findings import Finding
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord, RunRecord

# MLflow's fallback when the baseline value is 0 and a relative change is asked for: the candidate
# must merely be better than the baseline, by this much (mlflow/models/evaluation/validation.py).
ZERO_BASELINE_EPSILON = 1e-10


def fmt(value: float) -> str:
    """A number as written: shortest round-trip form, `100` rather than `100.0`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def unusable(name: str, value: float | None, *, whose: str = "the run") -> str | None:
    """Why a metric value cannot be judged (missing, NaN, infinite), or None when it can."""
    if value is None:
        return f"metric {name!r} is missing: {whose} did not log it"
    if math.isnan(value):
        return f"{name}=nan in {whose} is not a number"
    if math.isinf(value):
        return f"{name}={fmt(value)} in {whose} is not a finite number"
    return None


def _bounds(bounds: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {fmt(bounds[k])}" for k in ("min", "max") if k in bounds)


def threshold_problems(name: str, value: float | None, bounds: Mapping[str, float]) -> list[str]:
    """Problems of one metric against its inclusive `min`/`max` bounds ([] when it passes)."""
    why = unusable(name, value)
    if why is not None:
        return [why]
    if value is None:  # for mypy: unusable() said why otherwise
        raise AssertionError("value is unset")
    out = []
    lo, hi = bounds.get("min"), bounds.get("max")
    if lo is not None and value < lo:
        out.append(f"{name}={fmt(value)} is below the minimum {fmt(lo)}")
    if hi is not None and value > hi:
        out.append(f"{name}={fmt(value)} is above the maximum {fmt(hi)}")
    return out


@dataclass(frozen=True, slots=True)
class BaselineRule:
    """One metric's rule relative to the baseline: MLflow's MetricThreshold without `threshold`."""

    greater_is_better: bool
    min_absolute_change: float | None = None
    min_relative_change: float | None = None

    @classmethod
    def from_policy(cls, conf: Mapping[str, Any]) -> BaselineRule:
        return cls(bool(conf["greater_is_better"]), conf.get("min_absolute_change"),
                   conf.get("min_relative_change"))


def baseline_problems(name: str, candidate: float, baseline: float, rule: BaselineRule) -> list[str]:
    """Problems of a finite candidate value against a finite baseline value ([] when it passes).

    The arithmetic is MLflow's `_validate` (mlflow/models/evaluation/validation.py), step by step,
    so a threshold moved between MLflow and mlgov decides the same way, float rounding included.
    """
    better = "above" if rule.greater_is_better else "below"
    op = ">=" if rule.greater_is_better else "<="

    def ok(value: float, bound: float) -> bool:
        # MLflow compares Decimal(value) with Decimal(bound): exact, as a float comparison is.
        return value >= bound if rule.greater_is_better else value <= bound

    def shifted(delta: float) -> float:
        return baseline + delta if rule.greater_is_better else baseline - delta

    out = []
    if rule.min_absolute_change is not None:
        bound = shifted(rule.min_absolute_change)
        if not ok(candidate, bound):
            out.append(f"{name}={fmt(candidate)} is not at least {fmt(rule.min_absolute_change)} {better} "
                       f"the baseline {fmt(baseline)}: needs {op} {fmt(bound)}")
    if rule.min_relative_change is not None:
        if baseline == 0:
            if not ok(candidate, shifted(ZERO_BASELINE_EPSILON)):
                out.append(f"{name}={fmt(candidate)} is not {better} the baseline 0 (a zero baseline has no "
                           "relative scale: the value must be strictly better)")
        else:
            diff = candidate - baseline if rule.greater_is_better else baseline - candidate
            change = diff / abs(baseline)
            if change < rule.min_relative_change:
                moved = f"only {_pct(change)} better" if change >= 0 else f"{_pct(-change)} worse"
                if _pct(change) == _pct(rule.min_relative_change):  # rounding hides the difference
                    moved = f"only {fmt(change * 100)}% better"
                out.append(f"{name}={fmt(candidate)} is {moved} than the baseline {fmt(baseline)}: "
                           f"needs at least {_pct(rule.min_relative_change)} better")
    return out


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def _check_thresholds(run: RunRecord, policy: Policy, target: str) -> Iterator[Finding]:
    """Every metric named in `metrics.thresholds` is logged, finite and within its bounds.

    Bounds are inclusive: `{min: 0.8}` accepts 0.8, `{max: 0.1}` accepts 0.1. The defaults are
    accuracy >= 0.8 and drift_score <= 0.1; a policy that lists its own thresholds replaces them. A
    metric that was not logged, is NaN or is infinite fails: it never passes by default. Each failing
    metric is its own finding; when all pass there is one finding listing them.
    """
    thresholds: Mapping[str, Mapping[str, float]] = policy.section("metrics")["thresholds"]
    problems = [(n, p) for n, b in thresholds.items() for p in threshold_problems(n, run.metrics.get(n), b)]
    for _, p in problems:
        yield THRESHOLD.failed(target, p)
    if thresholds and not problems:
        shown = ", ".join(f"{n}={fmt(run.metrics[n])} ({_bounds(b)})" for n, b in thresholds.items())
        yield THRESHOLD.passed(target, shown)


def _check_baseline(run: RunRecord, policy: Policy, target: str, baseline: ModelVersionRecord | None,
                    baseline_note: str | None) -> Iterator[Finding]:
    """The run improves on the baseline model version as `metrics.baseline` requires.

    The baseline is the registered model's version holding the alias `metrics.baseline.alias` (for
    example `champion`). Each metric under `metrics.baseline.metrics` has MLflow's MetricThreshold
    semantics (https://mlflow.org/docs/latest/python_api/mlflow.models.html#mlflow.models.MetricThreshold):

    - `greater_is_better` (required) says which way is better.
    - `min_absolute_change` (> 0): value >= baseline + change when greater is better, value <=
      baseline - change otherwise.
    - `min_relative_change` (0 to 1): (value - baseline) / |baseline| >= change when greater is
      better, (baseline - value) / |baseline| >= change otherwise. A baseline of exactly 0 has no
      relative scale: as in MLflow the rule then falls back to "strictly better than the baseline",
      value >= 1e-10 (greater is better) or value <= -1e-10.
    - Both may be given; both must hold. The arithmetic, float rounding included, is MLflow's.

    A candidate metric that is missing, NaN or infinite fails. So does a baseline metric that is
    missing, NaN or infinite, as MLflow fails a comparison whose baseline lacks the metric: the
    comparison the policy asks for cannot be made. When the model has no version with the alias yet
    (its first release) the finding is a warning saying so: relative thresholds are not applied,
    never silently passed. A candidate that is itself the baseline is a warning too.
    """
    conf = policy.section("metrics").get("baseline")
    rules = {n: BaselineRule.from_policy(c) for n, c in ((conf or {}).get("metrics") or {}).items()}
    if not conf or not rules:
        return
    if baseline is None:
        note = baseline_note or f"no version has the alias {conf['alias']!r} yet"
        yield BASELINE.warned(target, f"no baseline: {note}; relative thresholds not applied")
        return
    where = f"{baseline.target} (@{conf['alias']})"
    if baseline.run_id is not None and baseline.run_id == run.run_id:
        yield BASELINE.warned(
            target, f"the model is its own baseline {where}: relative thresholds not applied")
        return
    if baseline.run is None:
        yield BASELINE.failed(target, f"the baseline {where} has no run metrics: cannot compare")
        return
    problems: list[str] = []
    for name, rule in rules.items():
        candidate, base = run.metrics.get(name), baseline.run.metrics.get(name)
        why = unusable(name, candidate) or unusable(name, base, whose=f"the baseline {where}")
        if why is not None:
            problems.append(why)
        else:
            if candidate is None or base is None:  # for mypy: unusable() said why otherwise
                raise AssertionError("candidate or baseline value is unset")
            problems.extend(baseline_problems(name, candidate, base, rule))
    for p in problems:
        yield BASELINE.failed(target, p)
    if not problems:
        shown = ", ".join(f"{n}={fmt(run.metrics[n])} vs {fmt(baseline.run.metrics[n])}" for n in rules)
        yield BASELINE.passed(target, f"{shown} against the baseline {where}")


THRESHOLD = check_from(_check_thresholds, "metrics-threshold", "Metrics meet thresholds",
                       "log the metric in the training run, or retrain until it meets the bound")
BASELINE = check_from(_check_baseline, "metrics-baseline", "Metrics improve on the baseline",
                      "retrain until the model beats the baseline by the required margin")

CHECKS = (THRESHOLD, BASELINE)


SUBJECT = "run"


def needs(policy: Policy) -> dict[str, Any]:
    """What the backend must fetch: the model's version under the baseline alias, when set."""
    return {"baseline_alias": (policy.section("metrics").get("baseline") or {}).get("alias")}


def evaluate(run: RunRecord, ctx: Context) -> Iterator[Finding]:
    """Every metric finding for one run; `ctx.baseline` is the version holding the policy's alias."""
    target = ctx.target or run.target
    yield from _check_thresholds(run, ctx.policy, target)
    yield from _check_baseline(run, ctx.policy, target, ctx.baseline, ctx.baseline_note)
