#!/usr/bin/env bash
# The embedded demo: install, build a local MLflow store (no server), gate a compliant and a
# non-compliant model version. Exits 0 when the gate passes v1 and fails v2, as it should.
# Needs only python3 (3.10 or newer): inside a virtual environment it installs there, otherwise
# into .venv/ of the checkout, created on the first run and reused afterwards.
#
#   bash examples/demo/run.sh [DIR]      # DIR: where the store goes (default .mlgov-demo)
set -u
cd "$(dirname "$0")/../.." || exit 2
DIR="${1:-.mlgov-demo}"
POLICY=examples/demo/.mlgov.yaml

. scripts/venv.sh
use_venv "$PWD" || exit 2
echo "installing mlgov-checks[local] into it"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[local]' || exit 2
"$PYTHON" examples/demo/build_store.py "$DIR" || exit 2
MLFLOW_TRACKING_URI="sqlite:///$(cd "$DIR" && pwd)/mlflow.db"
export MLFLOW_TRACKING_URI

echo
echo "== mlgov check models:/demo-churn/1   (expected: pass)"
"$PYTHON" -m mlgov_checks check models:/demo-churn/1 --policy "$POLICY"
good=$?
echo
echo "== mlgov check models:/demo-churn/2   (expected: fail)"
"$PYTHON" -m mlgov_checks check models:/demo-churn/2 --policy "$POLICY"
bad=$?

echo
echo "demo-churn v1: exit $good (0 = compliant); demo-churn v2: exit $bad (1 = not compliant)"
if [ "$good" -eq 0 ] && [ "$bad" -eq 1 ]; then
  echo "demo OK: the gate passed the compliant version and failed the other one"
  exit 0
fi
echo "demo FAILED: unexpected exit codes" >&2
exit 1
