"""The demo's model, logged from this file (MLflow's models-from-code): a churn score computed
from the inputs its card documents (tenure_months, monthly_charges, contract_type)."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd


class ChurnScore(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        risk = (1.2 - 0.04 * model_input["tenure_months"] + 0.02 * (model_input["monthly_charges"] - 65)
                + np.where(model_input["contract_type"] == "monthly", 1.0, -1.0))
        return pd.DataFrame({"churn_probability": 1 / (1 + np.exp(-risk))})


mlflow.models.set_model(ChurnScore())
