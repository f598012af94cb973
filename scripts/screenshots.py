"""Make the README's screenshots: an audit page and an inventory page, rendered in headless Chromium.

    python scripts/screenshots.py [--out docs]

Builds the demo store (examples/demo/build_store.py) in a temporary directory, then gives it some
history through the normal MLflow client and the `mlgov` commands: four more versions of
demo-churn (one approved twice and promoted to @champion with `mlgov promote`), a second model
whose @prod was moved with the plain client (a bypass) and a third never reviewed. Writes
OUT/audit-page.png and OUT/inventory-page.png with the same browser helper the tests use.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "examples" / "demo")]

POLICY = "examples/demo/.mlgov.yaml"  # relative: the pages show the policy path as given


def mlgov(uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_TRACKING_URI": uri}
    return subprocess.run([sys.executable, "-m", "mlgov_checks", *args, "--policy", POLICY],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)


def history(store: Path) -> str:
    import build_store
    from mlflow import MlflowClient

    build_store.build(store)
    uri = f"sqlite:///{store / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.get_experiment_by_name("churn").experiment_id
    reviewed = {**build_store.RUN_TAGS, **build_store.REVIEW}
    for acc, drift, text in ((0.79, 0.05, "Retrained with the January features"),
                             (0.86, 0.06, "Approved after the January fix"),
                             (0.91, 0.03, "Approved: new churn labels, validated on Q1"),
                             (0.89, 0.12, "Experiment with a wider window")):
        build_store.log_version(client, exp, tags=reviewed, metrics={"accuracy": acc, "drift_score": drift},
                                description=text)
    for name, metrics, description in (("demo-fraud", {"accuracy": 0.93, "drift_score": 0.02}, "Approved"),
                                       ("demo-pricing", {"accuracy": 0.81, "drift_score": 0.09}, "Draft")):
        build_store.MODEL = name
        client.create_registered_model(name)
        for _ in range(2):
            build_store.log_version(client, exp, tags=reviewed, metrics=metrics, description=description)
    client.set_registered_model_alias("demo-fraud", "prod", "2")  # around the gate
    return uri


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs"))
    args = ap.parse_args()
    from tests.browser import open_page, pixel_stddev

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlgov-screenshots-") as tmp:
        work = Path(tmp)
        uri = history(work / "store")
        for who, note in (("carol", "card, metrics and validation report reviewed"),
                          ("dave", "risk review: OK for production")):
            done = mlgov(uri, "approve", "models:/demo-churn/5", "--as", who, "--comment", note)
            if done.returncode != 0:
                raise SystemExit(done.stdout + done.stderr)
        done = mlgov(uri, "promote", "models:/demo-churn/5", "--alias", "champion", "--as", "carol")
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        pages = {"audit-page": ("audit", "demo-churn"), "inventory-page": ("inventory",)}
        for name, argv in pages.items():
            html = work / f"{name}.html"
            done = mlgov(uri, *argv, "--format", "html", "--output", str(html), "--evaluate")
            if done.returncode not in (0, 1):
                raise SystemExit(done.stdout + done.stderr)
            page = open_page(html, width=1280, height=900, full_page=True)
            if page.outside_requests or page.console_errors or pixel_stddev(page.png) < 10:
                raise SystemExit(f"{name}: {page.outside_requests} {page.console_errors}")
            (out / f"{name}.png").write_bytes(page.png)
            print(f"wrote {out / f'{name}.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
