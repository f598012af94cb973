"""Metric checks: thresholds, and baseline comparison with MLflow's MetricThreshold semantics."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgov_checks.checks import REGISTRY, metrics
from mlgov_checks.checks._base import Context
from mlgov_checks.errors import PolicyError
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import default_policy, policy_from_mapping
from mlgov_checks.records import ModelVersionRecord, RunRecord

NAN, INF = float("nan"), float("inf")
WHERE = "models:/m/3 (@champion)"


def make_run(run_id="cand", **metric_values):
    return RunRecord(run_id=run_id, metrics=metric_values)


def baseline_policy(**rules):
    return policy_from_mapping({"metrics": {"baseline": {"alias": "champion", "metrics": rules}}})


def make_baseline(run_id="base", **metric_values):
    return ModelVersionRecord(name="m", version="3", run_id=run_id, aliases=("champion",),
                              run=make_run(run_id, **metric_values))


def found(run, policy=None, **kw):
    ctx = Context(policy or default_policy(), target="models:/m/4", **kw)
    return [(f.check, f.status, f.message) for f in metrics.evaluate(run, ctx)]


# --- metrics-threshold ------------------------------------------------------------------------------

@pytest.mark.parametrize(("logged", "expected"), (
    ({"accuracy": 0.8, "drift_score": 0.1}, []),  # bounds are inclusive
    ({"accuracy": 0.91, "drift_score": 0.0}, []),
    ({"accuracy": 0.79, "drift_score": 0.02}, ["accuracy=0.79 is below the minimum 0.8"]),
    ({"accuracy": 0.91, "drift_score": 0.23}, ["drift_score=0.23 is above the maximum 0.1"]),
    ({"accuracy": 0.91}, ["metric 'drift_score' is missing: the run did not log it"]),
    ({"accuracy": NAN, "drift_score": 0.0}, ["accuracy=nan in the run is not a number"]),
    ({"accuracy": INF, "drift_score": 0.0}, ["accuracy=inf in the run is not a finite number"]),
    ({"accuracy": 0.9, "drift_score": -INF}, ["drift_score=-inf in the run is not a finite number"]),
    ({}, ["metric 'accuracy' is missing: the run did not log it",
          "metric 'drift_score' is missing: the run did not log it"]),
))
def test_default_thresholds(logged, expected):
    result = found(make_run(**logged))
    failures = [m for c, s, m in result if s is Status.FAIL]
    assert failures == expected
    assert all(c == "metrics-threshold" for c, _, _ in result)
    if not expected:  # one pass finding naming every metric and its bound
        assert [s for _, s, _ in result] == [Status.PASS]
        assert "accuracy=" in result[0][2] and "(min 0.8)" in result[0][2] and "(max 0.1)" in result[0][2]
    else:  # failures only: no pass finding alongside them
        assert all(s is Status.FAIL for _, s, _ in result)


@pytest.mark.parametrize(("latency", "ok"), ((100, True), (99.5, True), (100.01, False), (-1, False)))
def test_policy_thresholds_replace_defaults(latency, ok):
    policy = policy_from_mapping({"metrics": {"thresholds": {"latency_ms": {"min": 0, "max": 100}}}})
    result = found(make_run(latency_ms=latency), policy)  # no accuracy logged: not required any more
    assert [s for _, s, _ in result] == [Status.PASS if ok else Status.FAIL]
    if not ok:
        assert "latency_ms=" in result[0][2]


def test_no_thresholds_no_finding():
    policy = policy_from_mapping({"metrics": {"thresholds": {}}})
    assert found(make_run(), policy) == []


def test_min_above_max_is_a_policy_error():
    with pytest.raises(PolicyError, match="min 2 is greater than max 1"):
        policy_from_mapping({"metrics": {"thresholds": {"x": {"min": 2, "max": 1}}}})


# --- metrics-baseline: the MetricThreshold semantics table ------------------------------------------

# (greater_is_better, min_absolute_change, min_relative_change, candidate, baseline, passes)
TABLE = (
    # absolute change, greater is better: value >= baseline + change
    (True, 0.05, None, 0.86, 0.8, True),
    (True, 0.05, None, 0.84, 0.8, False),
    (True, 0.05, None, 0.85, 0.8, False),  # 0.8 + 0.05 == 0.8500000000000001 in floats, as in MLflow
    (True, 0.25, None, 1.0, 0.75, True),  # exactly representable: the bound is inclusive
    # absolute change, lower is better: value <= baseline - change
    (False, 0.02, None, 0.05, 0.08, True),
    (False, 0.02, None, 0.07, 0.08, False),
    (False, 0.25, None, 0.5, 0.75, True),
    # relative change, greater is better: (value - baseline) / |baseline| >= change
    (True, None, 0.1, 0.881, 0.8, True),
    (True, None, 0.1, 0.87, 0.8, False),
    (True, None, 0.1, 0.88, 0.8, False),  # (0.88 - 0.8) / 0.8 == 0.09999999999999995 in floats, as in MLflow
    (True, None, 0.25, 0.625, 0.5, True),  # exactly 25% in floats: the bound is inclusive
    (True, None, 0.0, 0.8, 0.8, True),  # change 0: no worse than the baseline
    (True, None, 0.0, 0.79, 0.8, False),
    # relative change, lower is better: (baseline - value) / |baseline| >= change
    (False, None, 0.5, 0.05, 0.1, True),
    (False, None, 0.5, 0.06, 0.1, False),
    # negative baseline (an R2 score): the magnitude keeps the direction right
    (True, None, 0.5, -0.25, -1.0, True),
    (True, None, 0.5, -0.75, -1.0, False),
    (False, None, 0.5, -1.5, -1.0, True),
    (False, None, 0.5, -1.25, -1.0, False),
    # zero baseline: relative change falls back to "strictly better", by 1e-10
    (True, None, 0.5, 1e-9, 0.0, True),
    (True, None, 0.5, 1e-11, 0.0, False),
    (True, None, 0.5, 0.0, 0.0, False),
    (True, None, 0.0, 0.0, 0.0, False),  # even with a zero relative change
    (False, None, 0.5, -1e-9, 0.0, True),
    (False, None, 0.5, 0.0, 0.0, False),
    (False, None, 0.5, 0.3, -0.0, False),
    # both given: both must hold
    (True, 0.01, 0.1, 0.9, 0.8, True),
    (True, 0.2, 0.1, 0.9, 0.8, False),  # relative holds (12.5%), absolute does not
    (True, 0.01, 0.2, 0.9, 0.8, False),  # absolute holds, relative does not
)


@pytest.mark.parametrize(("gib", "abs_change", "rel_change", "candidate", "baseline", "passes"), TABLE)
def test_semantics_table(gib, abs_change, rel_change, candidate, baseline, passes):
    rule = metrics.BaselineRule(gib, abs_change, rel_change)
    problems = metrics.baseline_problems("m", candidate, baseline, rule)
    assert (problems == []) is passes, problems


@pytest.mark.parametrize(("gib", "abs_change", "rel_change", "candidate", "baseline", "passes"), TABLE)
def test_semantics_table_agrees_with_mlflow(gib, abs_change, rel_change, candidate, baseline, passes):
    assert _mlflow_passes(gib, abs_change, rel_change, candidate, baseline) is passes


def _mlflow_passes(gib, abs_change, rel_change, candidate, baseline):
    from mlflow.models.evaluation.validation import MetricThreshold, ModelValidationFailedException, _validate

    threshold = MetricThreshold(min_absolute_change=abs_change, min_relative_change=rel_change,
                                greater_is_better=gib)
    try:
        _validate({"m": threshold}, {"m": candidate}, {"m": baseline})
    except ModelValidationFailedException:
        return False
    return True


_values = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.8, 0.85, 0.1]),
                    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(gib=st.booleans(),
       abs_change=st.one_of(st.none(), st.sampled_from([0.05, 1.0, 1e-10]),
                            st.floats(min_value=1e-12, max_value=1e3)),
       rel_change=st.one_of(st.none(), st.sampled_from([0.0, 0.1, 1.0]),
                            st.floats(min_value=0.0, max_value=1.0)),
       candidate=_values, baseline=_values)
def test_same_decision_as_mlflow(gib, abs_change, rel_change, candidate, baseline):
    if abs_change is None and rel_change is None:
        rel_change = 0.0
    rule = metrics.BaselineRule(gib, abs_change, rel_change)
    ours = metrics.baseline_problems("m", candidate, baseline, rule)
    assert (ours == []) is _mlflow_passes(gib, abs_change, rel_change, candidate, baseline)


# --- metrics-baseline: findings ---------------------------------------------------------------------

def test_baseline_pass_is_one_finding():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_absolute_change": 0.01},
                             drift_score={"greater_is_better": False, "min_relative_change": 0.0})
    result = found(make_run(accuracy=0.9, drift_score=0.05), policy,
                   baseline=make_baseline(accuracy=0.85, drift_score=0.05))
    base = [(s, m) for c, s, m in result if c == "metrics-baseline"]
    assert base == [(Status.PASS, "accuracy=0.9 vs 0.85, drift_score=0.05 vs 0.05 against the baseline "
                                  "models:/m/3 (@champion)")]


def test_baseline_failures_name_metric_value_and_bound():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_absolute_change": 0.05},
                             drift_score={"greater_is_better": False, "min_relative_change": 0.5})
    result = found(make_run(accuracy=0.86, drift_score=0.09), policy,
                   baseline=make_baseline(accuracy=0.85, drift_score=0.1))
    assert [m for c, s, m in result if c == "metrics-baseline"] == [
        "accuracy=0.86 is not at least 0.05 above the baseline 0.85: needs >= 0.9",
        "drift_score=0.09 is only 10% better than the baseline 0.1: needs at least 50% better",
    ]


def test_relative_failure_when_worse():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_relative_change": 0.1})
    result = found(make_run(accuracy=0.76, drift_score=0), policy, baseline=make_baseline(accuracy=0.8))
    assert [m for c, s, m in result if c == "metrics-baseline"] == [
        "accuracy=0.76 is 5% worse than the baseline 0.8: needs at least 10% better"]


def test_rounding_is_shown_when_it_decides():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_relative_change": 0.1})
    result = found(make_run(accuracy=0.88, drift_score=0), policy, baseline=make_baseline(accuracy=0.8))
    assert [m for c, s, m in result if c == "metrics-baseline"] == [
        "accuracy=0.88 is only 9.999999999999995% better than the baseline 0.8: needs at least 10% better"]


def test_zero_baseline_message():
    policy = baseline_policy(errors={"greater_is_better": False, "min_relative_change": 0.2})
    result = found(make_run(errors=0.0), policy, baseline=make_baseline(errors=0.0))
    (msg,) = [m for c, s, m in result if c == "metrics-baseline"]
    assert msg.startswith("errors=0 is not below the baseline 0") and "strictly better" in msg


@pytest.mark.parametrize(("candidate", "base", "expected"), (
    ({}, {"accuracy": 0.8}, "metric 'accuracy' is missing: the run did not log it"),
    ({"accuracy": NAN}, {"accuracy": 0.8}, "accuracy=nan in the run is not a number"),
    ({"accuracy": 0.9}, {}, f"metric 'accuracy' is missing: the baseline {WHERE} did not log it"),
    ({"accuracy": 0.9}, {"accuracy": NAN}, f"accuracy=nan in the baseline {WHERE} is not a number"),
    ({"accuracy": 0.9}, {"accuracy": INF}, f"accuracy=inf in the baseline {WHERE} is not a finite number"),
))
def test_unusable_values_fail(candidate, base, expected):
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_relative_change": 0.0})
    result = found(make_run(**candidate), policy, baseline=make_baseline(**base))
    assert [(s, m) for c, s, m in result if c == "metrics-baseline"] == [(Status.FAIL, expected)]


@pytest.mark.parametrize(("note", "expected"), (
    (None, "no baseline: no version has the alias 'champion' yet; relative thresholds not applied"),
    ("no baseline yet", "no baseline: no baseline yet; relative thresholds not applied"),
))
def test_no_baseline_yet_is_a_warning(note, expected):
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_absolute_change": 0.01})
    result = found(make_run(accuracy=0.9, drift_score=0), policy, baseline=None, baseline_note=note)
    assert [(s, m) for c, s, m in result if c == "metrics-baseline"] == [(Status.WARN, expected)]


def test_own_baseline_is_a_warning():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_absolute_change": 0.01})
    result = found(make_run("same", accuracy=0.9), policy, baseline=make_baseline("same", accuracy=0.9))
    assert [(s, m) for c, s, m in result if c == "metrics-baseline"] == [
        (Status.WARN, f"the model is its own baseline {WHERE}: relative thresholds not applied")]


def test_baseline_without_run_fails():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_absolute_change": 0.01})
    baseline = ModelVersionRecord(name="m", version="3", run_id="gone", run=None)
    result = found(make_run(accuracy=0.9), policy, baseline=baseline)
    assert [(s, m) for c, s, m in result if c == "metrics-baseline"] == [
        (Status.FAIL, "the baseline models:/m/3 (@champion) has no run metrics: cannot compare")]


def test_no_baseline_policy_no_baseline_finding():
    result = found(make_run(accuracy=0.9, drift_score=0), baseline=make_baseline(accuracy=0.99))
    assert [c for c, _, _ in result] == ["metrics-threshold"]


@pytest.mark.parametrize("entry", (
    {"greater_is_better": True},  # no change given: MLflow refuses this too
    {"min_absolute_change": 0.1},  # greater_is_better is required
    {"greater_is_better": True, "min_absolute_change": 0},
    {"greater_is_better": True, "min_relative_change": 1.5},
    {"greater_is_better": True, "min_relative_change": -0.1},
    {"greater_is_better": "yes", "min_relative_change": 0.1},
))
def test_invalid_baseline_rules_are_policy_errors(entry):
    with pytest.raises(PolicyError):
        baseline_policy(accuracy=entry)


def test_valid_baseline_rule_is_accepted():
    policy = baseline_policy(accuracy={"greater_is_better": True, "min_relative_change": 1})
    assert policy.section("metrics")["baseline"]["metrics"]["accuracy"]["min_relative_change"] == 1


# --- the family ---------------------------------------------------------------------------------------

def test_checks_are_registered_and_explained():
    for check in metrics.CHECKS:
        assert REGISTRY[check.id] is check
        assert check.id.startswith("metrics-")
        assert len(check.explanation) > 80 and check.hint
    assert "1e-10" in metrics.BASELINE.explanation and "min_relative_change" in metrics.BASELINE.explanation


@pytest.mark.parametrize(("value", "text"), ((0.1, "0.1"), (100.0, "100"), (100, "100"), (1e-10, "1e-10"),
                                             (0.8500000000000001, "0.8500000000000001")))
def test_numbers_are_shown_as_written(value, text):
    assert metrics.fmt(value) == text
    assert math.isclose(float(text), value)
