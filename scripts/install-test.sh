#!/usr/bin/env bash
# Installs what the test suite needs on top of scripts/install.sh (idempotent; safe to rerun):
# the development tools, pywb in an environment of its own, and, through Debian's apt when run
# as root, chromium (renders the HTML report) and redis-server (distributed crawls). Elsewhere
# it says how to get the two; the tests that need them are marked `external`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python -m pip install --quiet -e '.[dev]'
# pywb is a server with its own pins (an old redis client among them): it gets its own
# environment and is started as a process.
python3 -m venv .venv-pywb
.venv-pywb/bin/python -m pip install --quiet 'pywb==2.10.*'
missing=()
for tool in chromium redis-server; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    else
        echo "install-test.sh: ${missing[*]} not found; install them with your package" \
            "manager (tests marked 'external' need them)" >&2
    fi
fi
# The newest Python the project supports, where this machine has it (pyenv's or the system's):
# .ci/run runs the suite on it as well.
newest=""
pyenv_pythons=$(command -v pyenv >/dev/null && ls -d "$(pyenv root)"/versions/3.13*/bin/python3.13 2>/dev/null || true)
for candidate in python3.13 $pyenv_pythons; do
    if "$candidate" --version >/dev/null 2>&1; then
        newest=$candidate
        break
    fi
done
if [[ -n $newest ]]; then
    "$newest" -m venv .venv-3.13
    .venv-3.13/bin/python -m pip install --quiet --upgrade pip
    .venv-3.13/bin/python -m pip install --quiet -e '.[dev]'
else
    echo "install-test.sh: no Python 3.13 here; the suite runs on $(python3 --version) only" >&2
fi
