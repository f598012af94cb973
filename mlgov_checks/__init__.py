"""mlgov-checks: a model-governance gate for MLflow."""

__version__ = "0.1.0"
