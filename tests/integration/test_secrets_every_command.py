"""Secrets planted in what the registry holds never reach any command's output, in any format.

One model version carries credentials in a run param, run tags, its description, a version tag and
its source (artifact) URI; the tracking URI carries user:password@ and the environment carries
MLFLOW_TRACKING_PASSWORD. Every command runs in every format it has, with every --report format
where it takes one, and stdout, stderr and every written file are scanned.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.reports.findings import FORMATS

pytestmark = pytest.mark.integration

MODEL = "gov-secrets"
PLANTED = {
    "param": "ParamPl4nted",
    "tag": "TagPl4nted",
    "tag_token": "TagTok3nPl4nted",
    "description": "DescPl4nted",
    "version_tag": "VtagPl4nted",
    "source": "SrcPl4nted",
    "uri": "UriPl4nted",
    "env": "EnvPl4nted-password",
}
CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": [{"name": "tenure_months", "type": "integer"}],
    "output_schema": [{"name": "churn_probability", "type": "float"}],
    "training_data": {"source": f"postgresql://etl:{PLANTED['param']}@warehouse/db", "rows": 1000},
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": ["Not validated for business accounts."],
}
POLICY = "version: 1\napproval:\n  min_approvals: 1\n"


@pytest.fixture(scope="module")
def planted(mlflow_server, store):
    """The model version holding every planted secret, and a run for the `log` commands."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    exp = client.create_experiment("governance-secrets")
    tags = {"mlflow.user": "alice", "mlflow.source.git.commit": store.commit, "mlflow.source.git.branch": "main",
            "mlflow.source.git.repoURL": f"https://ci:{PLANTED['tag']}@github.com/example/churn.git",
            "mlgov.git.dirty": "false", "code_reviewer": "bob", "review_status": "approved",
            "review_date": "2024-05-01", "team": "ds", "project": "churn", "framework": "sklearn",
            "feature_store": f"https://fs.example/api?token={PLANTED['tag_token']}"}
    rid = client.create_run(exp, tags=tags).info.run_id
    client.log_batch(rid, metrics=[Metric("accuracy", 0.87, int(time.time() * 1000), 0),
                                   Metric("drift_score", 0.04, int(time.time() * 1000), 0)],
                     params=[Param("db", f"postgresql://etl:{PLANTED['param']}@db/x")])
    client.log_text(rid, yaml.safe_dump(CARD, sort_keys=False), "documentation/model_card.yaml")
    client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
    client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
    client.set_terminated(rid)
    client.create_registered_model(MODEL)
    source = f"s3://AKIAEXAMPLE:{PLANTED['source']}@bucket/model"
    try:
        mv = client.create_model_version(MODEL, source, run_id=rid,
                                         description=f"Approved; reads dsn: postgresql://ro:{PLANTED['description']}@db/x")
    except Exception:  # a server that refuses such a source: the run's own model path
        mv = client.create_model_version(MODEL, f"runs:/{rid}/model", run_id=rid,
                                         description=f"Approved; reads dsn: postgresql://ro:{PLANTED['description']}@db/x")
    client.set_model_version_tag(MODEL, mv.version, "endpoint", f"https://svc.example/?api_key={PLANTED['version_tag']}")
    # Not a semantic version: `next-version` names it on stderr, a plain line.
    client.set_model_version_tag(MODEL, mv.version, "semantic_version", f"1.0?password={PLANTED['version_tag']}")
    log_run = client.create_run(exp, tags={"mlflow.user": "alice"}).info.run_id
    # an approval names the version's model files: only a model the run holds can be approved
    return {"version": str(mv.version), "log_run": log_run, "in_run": mv.source.startswith("runs:/")}


def commands(version: str, log_run: str, card: str) -> list[tuple[str, list[str]]]:
    target = f"models:/{MODEL}/{version}"
    out: list[tuple[str, list[str]]] = []
    for fmt in FORMATS:
        out.append((f"card-{fmt}", ["card", card, "--format", fmt]))
        out.append((f"check-{fmt}", ["check", target, "--format", fmt]))
        out.append((f"promote-dry-{fmt}", ["promote", target, "--alias", "candidate", "--dry-run", "--format", fmt]))
    for fmt in ("text", "json"):
        out += [(f"provenance-{fmt}", ["provenance", target, "--format", fmt]),
                (f"metrics-{fmt}", ["metrics", target, "--format", fmt])]
    out += [("policy", ["policy"]),
            ("approve", ["approve", target, "--as", "carol", "--comment", f"ok, see token={PLANTED['env']}"]),
            ("promote", ["promote", target, "--alias", "candidate", "--as", "rita"]),
            ("promote-json", ["promote", target, "--alias", "staging", "--as", "rita", "--format", "json"]),
            ("check-record", ["check", target, "--record"])]
    out += [(f"decisions-{fmt}", ["decisions", MODEL, "--format", fmt]) for fmt in ("text", "json")]
    for fmt in ("csv", "json", "markdown", "html"):
        out.append((f"audit-{fmt}", ["audit", MODEL, "--format", fmt, "--evaluate"]))
        out.append((f"audit-{fmt}-file", ["audit", MODEL, "--format", fmt, "--output", f"audit.{fmt}"]))
        out.append((f"inventory-{fmt}", ["inventory", "--format", fmt, "--filter", f"name = '{MODEL}'"]))
        out.append((f"inventory-{fmt}-file", ["inventory", "--format", fmt, "--output", f"inventory.{fmt}",
                                              "--filter", f"name = '{MODEL}'"]))
    out += [("next-version", ["next-version", MODEL]),
            ("log-review", ["log", "review", f"bob token={PLANTED['env']}", "--run-id", log_run]),  # echoed back
            ("log-card", ["log", "card", card, "--run-id", log_run]),
            ("log-card-rejected", ["log", "card", "bad_card.yaml", "--run-id", log_run]),
            ("missing-target", ["check", f"models:/{MODEL}/999"])]
    return out


def test_no_planted_secret_in_any_output(planted, mlflow_server, tmp_path, monkeypatch):
    (tmp_path / ".mlgov.yaml").write_text(POLICY, encoding="utf-8")
    card = tmp_path / "model_card.yaml"
    card.write_text(yaml.safe_dump(CARD, sort_keys=False), encoding="utf-8")
    (tmp_path / "bad_card.yaml").write_text(f"purpose: TODO\npassword: {PLANTED['env']}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for key in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "MLGOV_POLICY_REF", "MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PLANTED["env"])
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
    uri = mlflow_server.url.replace("://", f"://alice:{PLANTED['uri']}@", 1)
    seen: dict[str, int] = {}
    for name, args in commands(planted["version"], planted["log_run"], str(card)):
        reports = [] if args[0] not in ("card", "check", "provenance", "metrics") else [
            a for fmt in FORMATS for a in ("--report", f"{fmt}:{tmp_path / f'{name}.report.{fmt}'}")]
        mlflow = [] if args[0] in ("card", "policy") else ["--tracking-uri", uri]
        result = CliRunner().invoke(main, [*args, *mlflow, *reports])
        assert "Traceback" not in result.output and result.exception is None or isinstance(
            result.exception, SystemExit), (name, result.output)
        seen[name] = result.exit_code
        texts = {"stdout": result.stdout, "stderr": result.stderr}
        texts.update({p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob(f"{name}.report.*")})
        for label, text in texts.items():
            for what, secret in PLANTED.items():
                assert secret not in text, f"{name}: the {what} secret leaked in {label}:\n{text[:3000]}"
    for written in [*tmp_path.glob("audit.*"), *tmp_path.glob("inventory.*")]:
        text = written.read_text(encoding="utf-8")
        assert all(s not in text for s in PLANTED.values()), written.name
    # The commands did their work (a test of masking that ran nothing would prove nothing).
    # a model outside the version's run is borrowed evidence: the gate refuses to promote it
    assert seen["promote"] == (0 if planted["in_run"] else 1) and seen["check-record"] in (0, 1), seen
    assert seen["approve"] == (0 if planted["in_run"] else 1), seen  # refused: its model is not the run's
    assert seen["missing-target"] == 3 and seen["log-card-rejected"] == 1 and seen["log-review"] == 0, seen
    assert all(seen[f"audit-{fmt}"] in (0, 1) for fmt in ("csv", "json", "markdown", "html")), seen
    audit_json = CliRunner().invoke(main, ["audit", MODEL, "--format", "json", "--tracking-uri", uri]).stdout
    assert "postgresql://***@db/x" in audit_json  # the param is there, masked
    assert Path(tmp_path / "audit.html").exists() and Path(tmp_path / "inventory.csv").exists()
