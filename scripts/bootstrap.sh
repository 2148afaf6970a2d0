#!/usr/bin/env bash
# Installs what the dialer needs: system tools (through apt when missing) and a virtual environment
# with the project and its development tools. Safe to run again: it only does what is missing or
# out of date. `bootstrap.sh demo` installs only what the demo runs on (no browser, no baresip),
# so the first `make demo` is quick; `bootstrap.sh` (or `bootstrap.sh test`) installs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PURPOSE=${1:-test}

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# command -> Debian package that provides it
declare -A SYSTEM_TOOLS=(
  [sipp]=sip-tester            # the simulated carrier and callers
  [espeak-ng]=espeak-ng        # speech for the demo carrier and the answering-machine corpus
  [sox]=sox                    # audio conversion, noise and beeps
)
if [ "$PURPOSE" != demo ]; then
  SYSTEM_TOOLS+=(
    [baresip]=baresip-core     # a third-party agent softphone in the sip tests
    [kamailio]=kamailio        # the SIP proxy in front of the inbound processes
    [chromium]=chromium        # headless browser tests
  )
fi

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

# The demo needs the project only; tests also need the development tools (pytest, playwright...).
fresh() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ]; }
install() {
  echo "bootstrap: installing $1 into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e "$1"
  touch "$2"
}
if [ "$PURPOSE" = demo ]; then
  fresh "$VENV/.installed" || fresh "$VENV/.installed-demo" || install "." "$VENV/.installed-demo"
else
  fresh "$VENV/.installed" || install ".[dev]" "$VENV/.installed"
fi
