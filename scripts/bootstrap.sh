#!/usr/bin/env bash
# Installs everything the dialer and its tests need: system tools (through apt when missing) and a
# virtual environment with the project and its development tools. Safe to run again: it only does
# what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# command -> Debian package that provides it
declare -A SYSTEM_TOOLS=(
  [sipp]=sip-tester            # the simulated carrier and callers
  [baresip]=baresip-core       # a third-party agent softphone in the sip tests
  [espeak-ng]=espeak-ng        # speech for the demo carrier and the answering-machine corpus
  [sox]=sox                    # audio conversion, noise and beeps
  [chromium]=chromium          # headless browser tests
  [chromedriver]=chromium-driver
)

missing=()
for tool in "${!SYSTEM_TOOLS[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("${SYSTEM_TOOLS[$tool]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing system packages: ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: apt-get not found; install these packages yourself: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -q "${missing[@]}" >/tmp/dialer-apt.log 2>&1; then
    $SUDO apt-get update -q >>/tmp/dialer-apt.log 2>&1
    $SUDO apt-get install -y -q "${missing[@]}" >>/tmp/dialer-apt.log 2>&1 \
      || { echo "bootstrap: apt-get failed, see /tmp/dialer-apt.log" >&2; exit 1; }
  fi
fi


if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating the virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi

stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing the project and its development tools"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
