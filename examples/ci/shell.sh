#!/bin/sh
# Any CI: install, gate, keep the reports. Exit codes: 0 compliant, 1 not compliant,
# 2 usage or policy error, 3 could not evaluate. Credentials come from the environment
# (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, or DATABRICKS_HOST and DATABRICKS_TOKEN).
set -eu
pip install "mlgov-checks[mlflow]"
mlgov check models:/fraud-detector@candidate \
  --report json:mlgov-report.json --report junit:mlgov-junit.xml --report sarif:mlgov.sarif
