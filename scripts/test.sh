#!/usr/bin/env bash
# The test command: installs everything the tests need (scripts/install-test-deps.sh), then runs
# the suite with pytest; arguments go to pytest (default -q). Inside a virtual environment it uses
# that one; otherwise it creates and reuses .venv/ in the checkout.
#
#   bash scripts/test.sh                  # the whole suite
#   bash scripts/test.sh -x tests/test_cli.py
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
use_venv "$PWD" --install-venv-package
bash scripts/install-test-deps.sh
[ "$#" -gt 0 ] || set -- -q
exec python -m pytest "$@"
