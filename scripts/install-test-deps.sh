#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: PostgreSQL's server
# binaries (for the production-shaped mlflow server tests) and the package with its test extra.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pg() { ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
if need_pg; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server binaries are missing and cannot be installed without root" >&2
    exit 1
  fi
fi
python -m pip install -q --disable-pip-version-check -e '.[test]'
