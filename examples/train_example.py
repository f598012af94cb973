"""Train a small churn classifier and register a model version that carries all its evidence.

    python examples/train_example.py [--store DIR] [--repo PATH] [--reviewer NAME]

Uses the embedded local store (sqlite, no server): DIR/mlflow.db and DIR/artifacts, by default in
the system's temporary directory, outside your work tree (files written into the work tree would
make it dirty). Records, with mlgov's training-side helpers:

- provenance: commit, branch, remote URL and dirty flag of the git work tree at --repo;
- the code review (who reviewed the training code; in CI, take it from the merged pull request);
- the model card, validated before it is logged (a failing card stops the script);

and with MLflow itself: params, the metrics the policy gates (accuracy, drift_score), a validation
report, the model (whose requirements.txt MLflow writes), a description and a semantic version.
The version then lacks only the two approvals the example policy asks for.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CARD_TEMPLATE = HERE / "demo" / "model_card.yaml"  # the demo's card, with this run's metrics
POLICY = HERE / "train_policy.yaml"
MODEL = "churn-example"


def drift_score(expected, actual, bins: int = 10) -> float:
    """Population stability index between two score distributions (0: identical)."""
    import numpy as np

    edges = np.quantile(expected, np.linspace(0, 1, bins + 1))
    edges[0], edges[-1] = -math.inf, math.inf
    e = np.histogram(expected, edges)[0] / len(expected)
    a = np.histogram(actual, edges)[0] / len(actual)
    e, a = np.clip(e, 1e-6, None), np.clip(a, 1e-6, None)
    return float(np.sum((a - e) * np.log(a / e)))


def customers(n: int, seed: int = 7):
    """Synthetic customers with the card's inputs (tenure_months, monthly_charges, contract_type)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    contract = rng.choice(["monthly", "one_year", "two_year"], size=n, p=[0.55, 0.25, 0.2])
    tenure = rng.integers(1, 72, size=n)
    charges = np.round(rng.normal(65, 20, size=n).clip(15, 150), 2)
    risk = 1.2 - 0.04 * tenure + 0.02 * (charges - 65) + np.where(contract == "monthly", 1.0, -1.0)
    churned = (rng.random(n) < 1 / (1 + np.exp(-4 * risk))).astype(int)
    frame = pd.DataFrame({"tenure_months": tenure.astype("int64"), "monthly_charges": charges,
                          "contract_type": contract})
    return frame, churned


def churn_model(pipeline):
    """The classifier as an MLflow model whose output is the card's churn_probability column."""
    import mlflow
    import pandas as pd

    class ChurnModel(mlflow.pyfunc.PythonModel):
        def __init__(self, fitted):
            self.fitted = fitted

        def predict(self, context, model_input, params=None):
            return pd.DataFrame({"churn_probability": self.fitted.predict_proba(model_input)[:, 1]})

    return ChurnModel(pipeline)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=os.path.join(tempfile.gettempdir(), "mlgov-example"))
    ap.add_argument("--repo", default=".", help="the git work tree the training code comes from")
    ap.add_argument("--reviewer", default="bob", help="who reviewed the training code")
    ap.add_argument("--policy", default=str(POLICY))
    args = ap.parse_args(argv)

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    import mlflow
    from mlflow.models import infer_signature
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    import mlgov_checks
    from mlgov_checks.errors import MlgovError
    from mlgov_checks.governance import semver
    from mlgov_checks.policy.load import load_policy

    policy = load_policy(args.policy)
    store = Path(args.store).resolve()
    (store / "artifacts").mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{store / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    experiment = client.get_experiment_by_name("churn-example")
    artifacts = (store / "artifacts").as_uri()
    experiment_id = (experiment.experiment_id if experiment else
                     client.create_experiment("churn-example", artifact_location=artifacts))

    X, y = customers(3000)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=7)
    params = {"C": 1.0, "max_iter": 200}
    try:
        with mlflow.start_run(experiment_id=experiment_id, run_name="train-churn") as run:
            # First, before this run writes anything: what code is this, and who reviewed it.
            mlgov_checks.log_provenance(args.repo, policy=policy)
            mlgov_checks.log_review(args.reviewer, "approved", policy=policy)

            model = make_pipeline(
                make_column_transformer((OneHotEncoder(), ["contract_type"]), remainder=StandardScaler()),
                LogisticRegression(**params)).fit(X_train, y_train)
            metrics = {"accuracy": round(float(accuracy_score(y_test, model.predict(X_test))), 4),
                       "drift_score": round(drift_score(model.predict_proba(X_train)[:, 1],
                                                        model.predict_proba(X_test)[:, 1]), 4)}
            mlflow.log_params(params)
            mlflow.log_metrics(metrics)
            mlflow.log_text(f"holdout rows: {len(y_test)}\naccuracy: {metrics['accuracy']}\n"
                            f"drift_score (PSI, train vs holdout scores): {metrics['drift_score']}\n",
                            "validation/report.txt")

            card = yaml.safe_load(CARD_TEMPLATE.read_text(encoding="utf-8"))
            card["performance_metrics"] = metrics  # the card states what the run logged
            with tempfile.TemporaryDirectory() as tmp:
                card_path = Path(tmp) / "model_card.yaml"
                card_path.write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
                mlgov_checks.log_model_card(str(card_path), policy=policy)

            # The card documents the inputs and the churn_probability output: the signature says the same.
            wrapped = churn_model(model)
            signature = infer_signature(X_test[:5], wrapped.predict(None, X_test[:5]))
            info = mlflow.pyfunc.log_model(name="model", python_model=wrapped, signature=signature,
                                           pip_requirements=["scikit-learn", "pandas"])
    except MlgovError as e:
        print(f"train_example: {e}", file=sys.stderr)
        return e.exit_code

    existing = client.search_model_versions(f"name = '{MODEL}'")
    next_semver = semver.next_version(v.tags.get("semantic_version") for v in existing)
    mv = mlflow.register_model(info.model_uri, MODEL, tags={"semantic_version": next_semver})
    client.update_model_version(MODEL, mv.version, description=(
        f"Churn classifier {next_semver}: logistic regression, accuracy {metrics['accuracy']}"))
    print(f"run {run.info.run_id}: accuracy {metrics['accuracy']}, drift_score {metrics['drift_score']}")
    print(f"registered models:/{MODEL}/{mv.version} (semantic_version {next_semver})")
    print(f"export MLFLOW_TRACKING_URI={uri}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
