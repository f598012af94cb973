"""Waivers: matching, expiry (today, yesterday, tomorrow), unused, expiring, the cap, bad dates."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from click.testing import CliRunner

from mlgov_checks import checks, gate
from mlgov_checks.checks import waivers
from mlgov_checks.cli.app import main
from mlgov_checks.errors import PolicyError
from mlgov_checks.findings import Finding, Status, exit_code
from mlgov_checks.policy.load import load_policy, policy_from_mapping

TODAY = dt.date(2026, 11, 28)
KNOWN = frozenset(checks.registry())  # every check id, as the gate gives them to the waivers
MODEL = "models:/fraud-detector/3"


def waiver(**over):
    w = {"check": "provenance-reviewer", "target": MODEL, "reason": "audit CR-7 in progress",
         "approved_by": "Zoë", "expires": "2026-12-31"}
    return {**w, **over}


def policy(*ws, **extra):
    return policy_from_mapping({"waivers": list(ws), **extra})


def fail(target=MODEL, check="provenance-reviewer", message="no code reviewer recorded"):
    return Finding(check, Status.FAIL, target, message)


def apply(findings, pol, today=TODAY):
    return gate.finalize(findings, pol, today=today)


@pytest.mark.parametrize(("pattern", "target", "waived"), [
    (MODEL, MODEL, True),
    ("models:/fraud-detector/*", MODEL, True),
    ("models:/*", MODEL, False),  # `*` does not cross `/`
    ("models:/**", MODEL, True),
    ("models:/*/3", MODEL, True),
    ("models:/fraud-detector/[0-9]", MODEL, True),
    ("models:/fraud-detector/4", MODEL, False),
    ("models:/Fraud-detector/*", MODEL, False),  # case-sensitive on every platform
    ("fraud-detector", MODEL, False),  # a glob matches the whole target, not a part of it
])
def test_matching(pattern, target, waived):
    (out, *rest) = apply([fail(target)], policy(waiver(target=pattern)))
    assert (out.status is Status.WAIVED) is waived


def test_the_check_id_must_match():
    out = apply([fail(check="provenance-commit")], policy(waiver()))
    assert out[0].status is Status.FAIL


def test_waived_message_keeps_the_original():
    (out,) = apply([fail()], policy(waiver()))
    assert out.status is Status.WAIVED
    assert out.message == ("no code reviewer recorded; waived by Zoë until 2026-12-31: "
                           "audit CR-7 in progress")
    assert exit_code([out]) == 0


@pytest.mark.parametrize(("expires", "waived", "extra"), [
    (TODAY - dt.timedelta(days=1), False, ["waiver-expired"]),  # yesterday: expired
    (TODAY, True, ["waiver-expiring"]),  # today: still valid, its last day
    (TODAY + dt.timedelta(days=1), True, ["waiver-expiring"]),  # tomorrow
])
def test_expiry(expires, waived, extra):
    out = apply([fail()], policy(waiver(expires=expires.isoformat())))
    assert (out[0].status is Status.WAIVED) is waived
    assert [f.check for f in out[1:]] == extra
    assert exit_code(out) == (0 if waived else 1)


def test_expired_waiver_is_reported_as_a_failure_saying_so():
    out = apply([fail()], policy(waiver(expires="2026-11-27")))
    expired = out[1]
    assert expired.status is Status.FAIL
    assert expired.message == (f"waiver for provenance-reviewer on {MODEL} expired on 2026-11-27 "
                               "(approved by Zoë: audit CR-7 in progress); it no longer waives anything")


def test_expired_waiver_for_a_check_that_now_passes_still_fails():
    ok = Finding("provenance-reviewer", Status.PASS, MODEL, "ok")
    out = apply([ok], policy(waiver(expires="2026-11-01")))
    assert [(f.check, f.status) for f in out] == [("provenance-reviewer", Status.PASS),
                                                  ("waiver-expired", Status.FAIL)]


@pytest.mark.parametrize(("days", "warned"), [(0, True), (14, True), (15, False), (60, False)])
def test_expiring_within_14_days_is_a_warning(days, warned):
    expires = TODAY + dt.timedelta(days=days)
    out = apply([fail()], policy(waiver(expires=expires.isoformat())))
    warnings = [f for f in out if f.check == "waiver-expiring"]
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].status is Status.WARN
        assert f"is valid through {expires}" in warnings[0].message


def test_unused_waiver_is_a_warning_when_its_check_passed():
    ok = Finding("provenance-reviewer", Status.PASS, MODEL, "ok")
    out = apply([ok], policy(waiver()))
    assert [(f.check, f.status) for f in out[1:]] == [("waiver-unused", Status.WARN)]
    assert "matched no failing finding" in out[1].message
    assert exit_code(out) == 0


def test_unknown_check_id_is_an_unused_waiver():
    out = apply([fail()], policy(waiver(check="provenance-reveiwer")))
    assert out[0].status is Status.FAIL
    assert out[1].check == "waiver-unused" and out[1].message.endswith("no such check id")


def test_waivers_for_targets_not_evaluated_are_not_reported():
    out = apply([fail(target="models:/other/1")], policy(waiver(expires="2026-11-01"), waiver()))
    assert [f.check for f in out] == ["provenance-reviewer"]


def test_an_error_is_not_waivable_and_the_waiver_is_not_stale():
    err = Finding("provenance-reviewer", Status.ERROR, MODEL, "tracking server unreachable")
    out = apply([err], policy(waiver()))
    assert out == [err]
    assert exit_code(out) == 3


def test_first_matching_waiver_wins_and_both_count_as_used():
    out = apply([fail()], policy(waiver(target="models:/**", approved_by="Ann"), waiver(approved_by="Bo")))
    assert "waived by Ann" in out[0].message
    assert not [f for f in out if f.check == "waiver-unused"]


def test_warn_and_pass_are_left_alone():
    found = [Finding("provenance-reviewer", Status.WARN, MODEL, "w"), fail()]
    out = apply(found, policy(waiver()))
    assert out[0] == found[0] and out[1].status is Status.WAIVED


def test_no_waivers_returns_findings_unchanged():
    found = [fail()]
    assert apply(found, policy()) == found


def write_policy(tmp_path, body):
    p = tmp_path / ".mlgov.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_cap_is_a_policy_error_at_the_expires_line(tmp_path):
    p = write_policy(tmp_path, """\
        waiver_max_days: 30
        waivers:
          - check: provenance-reviewer
            target: models:/fraud-detector/*
            reason: audit
            approved_by: Zoë
            expires: 2026-12-29
        """)
    pol = load_policy(str(p))
    assert apply([fail()], pol, today=dt.date(2026, 11, 29))[0].status is Status.WAIVED  # exactly 30 days
    with pytest.raises(PolicyError) as e:
        apply([fail()], pol, today=TODAY)  # 31 days ahead
    assert e.value.line == 7 and e.value.column == 5
    assert "more than waiver_max_days (30)" in str(e.value)


def test_default_cap_is_90_days():
    pol = policy(waiver(expires=(TODAY + dt.timedelta(days=91)).isoformat()))
    with pytest.raises(PolicyError, match=r"waiver_max_days \(90\)"):
        apply([fail()], pol)


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01"])
def test_impossible_date_is_a_policy_error(tmp_path, bad):
    p = write_policy(tmp_path, f"""\
        waivers:
          - {{check: provenance-reviewer, target: x, reason: r, approved_by: a, expires: {bad}}}
        """)
    with pytest.raises(PolicyError) as e:
        apply([fail()], load_policy(str(p)))
    assert e.value.line == 2 and f"{bad!r} is not a date" in str(e.value)


@pytest.mark.parametrize("bad", ["soon", "2026-12-1", "01.12.2026", "2026-12-01T00:00:00", "20261201"])
def test_malformed_dates_are_refused_by_the_schema(bad):
    with pytest.raises(PolicyError, match="waivers.0.expires"):
        policy(waiver(expires=bad))


def test_parse_refuses_what_fromisoformat_alone_would_accept():
    assert waivers._parse_date("20261201") is None
    assert waivers._parse_date("2026-W48-6") is None
    assert waivers._parse_date("2026-12-01") == dt.date(2026, 12, 1)


def test_toml_dates_work(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text(textwrap.dedent(f"""\
        [[tool.mlgov.waivers]]
        check = "provenance-reviewer"
        target = "{MODEL}"
        reason = "audit"
        approved_by = "Zoë"
        expires = 2026-12-31
        """), encoding="utf-8")
    assert apply([fail()], load_policy(str(p)))[0].status is Status.WAIVED


# Through the command line: the real date, a real card, the exit codes.

CARD = "purpose: TODO\n"


def cli(tmp_path, monkeypatch, policy_body, *args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model_card.yaml").write_text(CARD, encoding="utf-8")
    write_policy(tmp_path, policy_body)
    return CliRunner().invoke(main, ["card", "--policy", ".mlgov.yaml", *args, "model_card.yaml"])


def in_days(n):
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


def test_cli_waived_card_passes_and_reports_waived(tmp_path, monkeypatch):
    r = cli(tmp_path, monkeypatch, f"""\
        waivers:
          - {{check: card-required-field, target: "*model_card.yaml", reason: legacy card, approved_by: Ann,
              expires: {in_days(30)}}}
          - {{check: card-placeholder, target: model_card.yaml, reason: legacy card, approved_by: Ann,
              expires: {in_days(30)}}}
        """, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["status"] == "pass" and doc["summary"]["waived"] == 6 and doc["summary"]["fail"] == 0


def test_cli_expired_waiver_fails(tmp_path, monkeypatch):
    r = cli(tmp_path, monkeypatch, f"""\
        waivers:
          - {{check: card-placeholder, target: model_card.yaml, reason: legacy, approved_by: Ann,
              expires: {in_days(-1)}}}
        """, "--format", "json")
    assert r.exit_code == 1
    checks = {(f["check"], f["status"]) for f in json.loads(r.stdout)["findings"]}
    assert ("waiver-expired", "fail") in checks and ("card-placeholder", "fail") in checks


@pytest.mark.parametrize(("expires", "message"), [
    ("2026-02-30", "'2026-02-30' is not a date"),
    ("next-week", "does not match"),
    (in_days(365), "more than waiver_max_days (90)"),
])
def test_cli_bad_waiver_date_exits_2_with_file_and_line(tmp_path, monkeypatch, expires, message):
    r = cli(tmp_path, monkeypatch, f"""\
        waivers:
          - check: card-placeholder
            target: model_card.yaml
            reason: legacy
            approved_by: Ann
            expires: {expires}
        """)
    assert r.exit_code == 2, r.output
    assert ".mlgov.yaml:6:" in r.stderr and message in r.stderr
    assert "Traceback" not in r.stderr


def test_waiver_needs_the_waive_permission_when_roles_are_configured(tmp_path):
    """With roles configured, only a holder of `waive` can accept a risk."""
    import datetime as dt

    from mlgov_checks.checks import waivers
    from mlgov_checks.findings import Finding, Status
    from mlgov_checks.policy.load import policy_from_mapping

    today = dt.date(2026, 11, 28)
    failing = Finding("metrics-threshold", Status.FAIL, "models:/m/1", "accuracy=0.7 is below the minimum 0.8")
    entry = {"check": "metrics-threshold", "target": "models:/m/*", "reason": "known dip",
             "expires": "2026-12-20"}
    roles = {"members": {"admin": ["ann"], "data_scientist": ["bob"]},
             "permissions": {"admin": ["waive"], "data_scientist": ["promote"]}}
    by_bob = policy_from_mapping({"roles": roles, "waivers": [{**entry, "approved_by": "bob"}]})
    out = waivers.apply([failing], by_bob, today=today, known=KNOWN)
    assert [(f.check, f.status) for f in out] == [("metrics-threshold", Status.FAIL),
                                                  ("waiver-unauthorized", Status.FAIL)]
    assert "'bob' (data_scientist) has no 'waive' permission" in out[1].message
    by_ann = policy_from_mapping({"roles": roles, "waivers": [{**entry, "approved_by": "ann"}]})
    assert [f.status for f in waivers.apply([failing], by_ann, today=today, known=KNOWN)] == [Status.WAIVED]
    no_roles = policy_from_mapping({"waivers": [{**entry, "approved_by": "bob"}]})
    assert [f.status for f in waivers.apply([failing], no_roles, today=today, known=KNOWN)] == [Status.WAIVED]


@pytest.mark.parametrize(("pattern", "target", "waived"), [
    ("*", "model_card.yaml", True),
    ("*", "models/churn/model_card.yaml", False),  # `*` stays within one path segment
    ("models/*/model_card.yaml", "models/churn/model_card.yaml", True),
    ("models/*", "models/churn/model_card.yaml", False),
    ("models/**", "models/churn/model_card.yaml", True),
    ("**/model_card.yaml", "models/churn/model_card.yaml", True),
    ("**", "models/churn/model_card.yaml", True),
    ("models/churn/model_card.y?ml", "models/churn/model_card.yaml", True),
    ("models/?/model_card.yaml", "models/a/b/model_card.yaml", False),
    ("models/[!x]*/model_card.yaml", "models/churn/model_card.yaml", True),
    ("models:/fraud-detector/[!0-9]", MODEL, False),
])
def test_star_does_not_cross_a_slash(pattern, target, waived):
    out = apply([fail(target, check="card-placeholder")], policy(waiver(check="card-placeholder", target=pattern)))
    assert (out[0].status is Status.WAIVED) is waived


def test_waiver_naming_an_alias_waives_the_version_it_resolved_to():
    names = {MODEL: ["models:/fraud-detector@candidate"]}
    pol = policy(waiver(target="models:/fraud-detector@candidate"))
    out = gate.finalize([fail()], pol, today=TODAY, names=names)
    assert out[0].status is Status.WAIVED
    assert [f for f in out if f.check.startswith("waiver-") and f.status is not Status.WARN] == []
    latest = gate.finalize([fail()], policy(waiver(target="models:/fraud-detector/latest")), today=TODAY,
                             names={MODEL: ["models:/fraud-detector/latest"]})
    assert latest[0].status is Status.WAIVED


def test_alias_waiver_that_matched_nothing_is_reported_unused():
    names = {MODEL: ["models:/fraud-detector@candidate"]}
    passing = Finding("provenance-reviewer", Status.PASS, MODEL, "reviewer recorded")
    out = gate.finalize([passing], policy(waiver(target="models:/fraud-detector@candidate")), today=TODAY,
                          names=names)
    unused = [f for f in out if f.check == "waiver-unused"]
    assert len(unused) == 1 and "models:/fraud-detector@candidate matched no failing finding" in unused[0].message


def test_alias_waiver_does_not_cover_a_version_requested_by_number():
    out = apply([fail()], policy(waiver(target="models:/fraud-detector@candidate")))
    assert out[0].status is Status.FAIL
