# Sourced by the set-up scripts (examples/demo/run.sh, scripts/test.sh, scripts/install-test-deps.sh):
# `use_venv CHECKOUT` runs the rest in the virtual environment this shell is already in, else in
# CHECKOUT/.venv, created with `python3 -m venv` on first use and reused afterwards. It says which,
# puts that environment first on PATH (so `python`, `pip` and `mlgov` are its own) and sets PYTHON.
# A stock Debian or Ubuntu python3 needs nothing else: no `python` alias, no system-wide pip install.

use_venv() {  # use_venv CHECKOUT [--install-venv-package]
  local root="$1" py prefix venv
  py="$(command -v python3 || command -v python)" || { echo "no python3 on PATH: install Python 3.10 or newer" >&2; return 2; }
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "$py is Python $("$py" -c 'import sys; print(sys.version.split()[0])'): mlgov needs 3.10 or newer" >&2
    return 2
  fi
  if "$py" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
    prefix="$("$py" -c 'import sys; print(sys.prefix)')"
    [ -n "${MLGOV_VENV_SAID:-}" ] || echo "using the virtual environment $prefix (already active)"
    export MLGOV_VENV_SAID=1
    PYTHON="$py"
    return 0
  fi
  venv="$root/.venv"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null; then
    echo "using the virtual environment $venv (made earlier; delete it to start afresh)"
  elif [ -e "$venv" ]; then
    echo "$venv exists but is not a working virtual environment: remove it and run this again" >&2
    return 2
  else
    echo "creating the virtual environment $venv (with $py)"
    if ! "$py" -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      if [ "${2:-}" = "--install-venv-package" ] && command -v apt-get >/dev/null 2>&1; then
        _venv_apt_install "$py" && "$py" -m venv "$venv" || { rm -rf "$venv"; return 2; }
      else
        echo "$py cannot create a virtual environment: install its venv module (Debian, Ubuntu: apt-get install python3-venv)" >&2
        return 2
      fi
    fi
  fi
  export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" MLGOV_VENV_SAID=1
  unset PYTHONHOME
  PYTHON="$venv/bin/python"
}

_venv_apt_install() {  # the python3.X-venv package of this interpreter, as root or through sudo
  local pkg
  pkg="python$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
  echo "installing $pkg (python3 -m venv needs it)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
  else
    echo "cannot install $pkg (needs root or sudo)" >&2
    return 1
  fi
}
