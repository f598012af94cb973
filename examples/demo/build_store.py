"""Build the demo's local MLflow store: `demo-churn` v1 complies, v2 does not (drift, no review).

    python3 examples/demo/build_store.py [DIR]     # default: .mlgov-demo

Writes DIR/mlflow.db (sqlite tracking and registry) and DIR/artifacts/, through the normal MLflow
client; no server is needed. Each version is registered from a model logged with MLflow
(examples/demo/churn_model.py) whose signature states the columns its card documents, as
`card-signature-match` checks. Gate it with MLFLOW_TRACKING_URI=sqlite:///DIR/mlflow.db.
An existing demo store in DIR is replaced; any other existing DIR is left alone.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

MARKER = ".mlgov-demo-store"
MODEL = "demo-churn"
HERE = Path(__file__).resolve().parent

RUN_TAGS = {
    "mlflow.user": "alice",
    "mlflow.source.git.commit": "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "mlflow.source.git.branch": "main",
    "mlflow.source.git.repoURL": "https://github.com/example/churn-model.git",
    "mlgov.git.dirty": "false",
    "team": "data_science", "project": "churn_prediction", "framework": "sklearn",
}
REVIEW = {"code_reviewer": "bob", "review_status": "approved", "review_date": "2025-01-15"}


def card(accuracy: float, drift: float) -> str:
    text = (HERE / "model_card.yaml").read_text(encoding="utf-8")
    return text.replace("accuracy: 0.87", f"accuracy: {accuracy}").replace("drift_score: 0.04",
                                                                          f"drift_score: {drift}")


def signature():
    """The card's input_schema and output_schema, as MLflow column specs."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    return ModelSignature(
        inputs=Schema([ColSpec("long", "tenure_months"), ColSpec("double", "monthly_charges"),
                       ColSpec("string", "contract_type")]),
        outputs=Schema([ColSpec("double", "churn_probability")]))


def log_model(client, run_id: str):
    """Log the model (examples/demo/churn_model.py) with its signature in the run, which it ends."""
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(client.tracking_uri)
    where = {"name": "model"} if int(mlflow.__version__.split(".")[0]) >= 3 else {"artifact_path": "model"}
    example = pd.DataFrame({"tenure_months": [3, 40], "monthly_charges": [89.5, 42.0],
                            "contract_type": ["monthly", "two_year"]})
    with mlflow.start_run(run_id=run_id):
        return mlflow.pyfunc.log_model(python_model=str(HERE / "churn_model.py"), signature=signature(),
                                       input_example=example, pip_requirements=["pandas", "numpy"], **where)


def log_version(client, experiment_id: str, *, tags: dict, metrics: dict, description: str) -> str:
    run = client.create_run(experiment_id, tags=tags, run_name="train-churn")
    rid = run.info.run_id
    for key, value in metrics.items():
        client.log_metric(rid, key, value)
    client.log_text(rid, card(metrics["accuracy"], metrics["drift_score"]), "documentation/model_card.yaml")
    client.log_text(rid, f"holdout: accuracy {metrics['accuracy']}, drift {metrics['drift_score']}\n",
                    "validation/report.txt")
    client.log_text(rid, "scikit-learn==1.5.2\npandas==2.2.3\n", "requirements.txt")
    model = log_model(client, rid)
    logged = {"model_id": model.model_id} if getattr(model, "model_id", None) else {}  # MLflow 3
    mv = client.create_model_version(MODEL, model.model_uri, run_id=rid, description=description, **logged)
    return str(mv.version)


def build(directory: Path) -> None:
    if directory.exists():
        if not (directory / MARKER).exists():
            raise SystemExit(f"{directory} exists and is not a demo store; choose another directory")
        shutil.rmtree(directory)
    (directory / "artifacts").mkdir(parents=True)
    (directory / MARKER).write_text("built by examples/demo/build_store.py\n", encoding="utf-8")
    from mlflow import MlflowClient  # (configures its loggers: quieten them after the import)

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("mlflow").setLevel(logging.WARNING)

    uri = f"sqlite:///{directory / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.create_experiment("churn", artifact_location=(directory / "artifacts").resolve().as_uri())
    client.create_registered_model(MODEL, description="Customer churn classifier")
    good = log_version(client, exp, tags={**RUN_TAGS, **REVIEW},
                       metrics={"accuracy": 0.87, "drift_score": 0.04},
                       description="Approved by the model risk committee, 2025-01-20")
    bad = log_version(client, exp, tags=RUN_TAGS,  # retrained on new data; nobody reviewed the change
                      metrics={"accuracy": 0.88, "drift_score": 0.23},
                      description="Retrained on December data")
    client.set_registered_model_alias(MODEL, "champion", good)
    print(f"demo store: {uri}  ({MODEL} v{good} complies, v{bad} does not)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=".mlgov-demo")
    args = ap.parse_args(argv)
    build(Path(args.directory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
