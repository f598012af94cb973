#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: PostgreSQL's server
# binaries (for the production-shaped mlflow server tests), Chromium and its driver (for the
# browser tests of the html pages) and the package with its test extra.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "$* missing and cannot be installed without root" >&2
    exit 1
  fi
}
need_chromium() { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }
if need_chromium; then
  apt_install chromium chromium-driver
fi
need_pg() { ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
if need_pg; then
  apt_install postgresql
fi
python -m pip install -q --disable-pip-version-check -e '.[test]'
