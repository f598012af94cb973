#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: PostgreSQL's server
# binaries (the production-shaped mlflow server tests), xmllint (libxml2-utils: the JUnit report
# against Jenkins' XSD), Chromium and its driver (the browser tests of the html pages), Microsoft's
# SARIF Multitool (npm, into .cache/node), and the package with its test extra.
set -euo pipefail
cd "$(dirname "$0")/.."

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
