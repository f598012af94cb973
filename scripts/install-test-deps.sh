#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: PostgreSQL's server
# binaries (the production-shaped mlflow server tests), xmllint (libxml2-utils: the JUnit report
# against Jenkins' XSD), Chromium and its driver (the browser tests of the html pages), Microsoft's
# SARIF Multitool (npm, into .cache/node), and the package with its test extra (docs included), into
# the active virtual environment or .venv/ (scripts/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
use_venv "$PWD" --install-venv-package

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}
APT_UPDATED=
apt_install() {  # apt_install PACKAGE...
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq || { echo "cannot run apt-get (need root): $*" >&2; exit 1; }
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || { echo "cannot install $* (need root)" >&2; exit 1; }
}

missing=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# The SARIF Multitool the report tests run (tests/consumers.py finds it under .cache/node).
MULTITOOL_VERSION=5.7.0
if ! ls .cache/node/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix .cache/node "@microsoft/sarif-multitool@${MULTITOOL_VERSION}"
fi
chmod u+x .cache/node/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool
python -m pip install -q --disable-pip-version-check -e '.[test]'

# The compatibility matrix: an MLflow 2.22 server and the lowest MLflow client the package declares,
# each in its own virtual environment, cached under .cache/venvs (a second run only checks them).
# MLflow 2.22's server does not start with SQLAlchemy 2.1 (FallbackAsyncAdaptedQueuePool is gone).
LOW_CLIENT="$(sed -n 's/.*"mlflow-skinny>=\([0-9.]*\),.*/\1/p' pyproject.toml | head -n 1)"
make_venv() {  # make_venv NAME PACKAGES...: reused while its stamp lists the same packages
  local dir=".cache/venvs/$1"; shift
  if [ -x "$dir/bin/mlflow" ] && [ "$(cat "$dir/.installed" 2>/dev/null)" = "$*" ]; then
    return 0
  fi
  rm -rf "$dir"
  python -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  echo "$*" >"$dir/.installed"
}
make_venv mlflow-2.22 'mlflow==2.22.5' 'sqlalchemy<2.1'
# The 2.22 server also runs the mlgov server plugin from the checkout: its imports and basic-auth's.
.cache/venvs/mlflow-2.22/bin/python -m pip install -q --disable-pip-version-check 'jsonschema>=4.18' 'pyicu-wheels>=2.14' \
  'flask-wtf>=1.2'
make_venv "mlflow-client-$LOW_CLIENT" "mlflow-skinny==$LOW_CLIENT" \
  'click>=8.1' 'pyyaml>=6.0' 'jsonschema>=4.18' 'gitpython>=3.1.40' 'pyicu-wheels>=2.14'
