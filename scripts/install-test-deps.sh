#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: PostgreSQL's server
# binaries (for the production-shaped mlflow server tests), xmllint (libxml2-utils: the JUnit
# report against Jenkins' XSD), Microsoft's SARIF Multitool (npm, into .cache/node), and the
# package with its test extra.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}
apt_install() {  # apt_install PACKAGE...
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

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
if ! command -v xmllint >/dev/null 2>&1; then
  apt_install libxml2-utils || { echo "xmllint is missing and cannot be installed without root" >&2; exit 1; }
fi
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm || { echo "npm is missing and cannot be installed without root" >&2; exit 1; }
fi
# The SARIF Multitool the report tests run (tests/consumers.py finds it under .cache/node).
MULTITOOL_VERSION=5.7.0
if ! ls .cache/node/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix .cache/node "@microsoft/sarif-multitool@${MULTITOOL_VERSION}"
fi
chmod u+x .cache/node/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool
python -m pip install -q --disable-pip-version-check -e '.[test]'
