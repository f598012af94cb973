"""Log and register models the way the installed MLflow writes them; run with a server kind's own python.

Usage: python log_models.py TRACKING_URI TAGS_JSON CARD_YAML. Prints {label: "models:/NAME/VERSION"}.
A 3.x client cannot log models to a 2.x server (it needs the logged-models API), so each server kind
gets its models from a client of its own version.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile

import mlflow
import yaml
from mlflow import MlflowClient
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema

# The signature of the card in conftest.CARD: what the compliant models take and return.
SIGNATURE = ModelSignature(inputs=Schema([ColSpec("long", "tenure_months"), ColSpec("double", "monthly_charges")]),
                           outputs=Schema([ColSpec("double", "churn_probability")]))


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def register(client, uri: str, name: str) -> str:
    with contextlib.redirect_stdout(io.StringIO()):
        mv = mlflow.register_model(uri, name)
    client.update_model_version(name, mv.version, description="Approved by the committee")
    return f"models:/{name}/{mv.version}"


def main() -> None:
    uri, tags, card = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.get_experiment_by_name("governance").experiment_id
    major = int(mlflow.__version__.split(".")[0])
    out = {}
    with contextlib.redirect_stdout(io.StringIO()), mlflow.start_run(experiment_id=exp, tags=tags) as run:
        mlflow.log_metrics({"accuracy": 0.87, "drift_score": 0.04})
        mlflow.log_text(card, "documentation/model_card.yaml")
        mlflow.log_text("holdout accuracy 0.87\n", "validation/report.txt")
        info = log_model(major)
        with tempfile.TemporaryDirectory() as tmp:  # a model saved, then logged under any path
            mlflow.pyfunc.save_model(f"{tmp}/m", python_model=Echo(), pip_requirements=["pandas"],
                                     signature=SIGNATURE)
            mlflow.log_artifacts(f"{tmp}/m", "deep/path/clf")
    rid = run.info.run_id
    if major >= 3:
        out["logged-model"] = register(client, info.model_uri, "gov-logged-model")
    else:
        out["runs-model"] = register(client, f"runs:/{rid}/model", "gov-runs-model")
    out["runs-any-path"] = register(client, f"runs:/{rid}/deep/path/clf", "gov-runs-any-path")
    # The same model, documented by a card that names an input the model does not take.
    doc = yaml.safe_load(card)
    doc["input_schema"] = [*doc["input_schema"], {"name": "age", "type": "integer"}]
    with contextlib.redirect_stdout(io.StringIO()), mlflow.start_run(experiment_id=exp, tags=tags) as other:
        mlflow.log_metrics({"accuracy": 0.87, "drift_score": 0.04})
        mlflow.log_text(yaml.safe_dump(doc, sort_keys=False), "documentation/model_card.yaml")
        mlflow.log_text("holdout accuracy 0.87\n", "validation/report.txt")
        mismatch = log_model(major)
    uri = mismatch.model_uri if major >= 3 else f"runs:/{other.info.run_id}/model"
    out["signature-mismatch"] = register(client, uri, "gov-signature-mismatch")
    print(json.dumps(out))


def log_model(major: int):
    """A pyfunc model with the card's signature: a logged model (3.x) or a run's `model` directory."""
    if major >= 3:
        return mlflow.pyfunc.log_model(name="clf", python_model=Echo(), pip_requirements=["pandas"],
                                       signature=SIGNATURE)
    return mlflow.pyfunc.log_model(artifact_path="model", python_model=Echo(), pip_requirements=["pandas"],
                                   signature=SIGNATURE)


if __name__ == "__main__":
    main()
