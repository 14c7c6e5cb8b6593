#!/usr/bin/env bash
# Installs what the test suite needs on top of scripts/install.sh (idempotent; safe to rerun):
# the development tools, pywb, scrapy-webarchive and authsign in environments of their own, and,
# through Debian's apt when run as root, chromium, redis-server, nodejs and wget. Elsewhere it
# says what is missing; the tests that need them are marked `external`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python -m pip install --quiet -e '.[dev]'
# pywb is a server with its own pins (an old redis client among them): it gets its own
# environment and is started as a process.
python3 -m venv .venv-pywb
.venv-pywb/bin/python -m pip install --quiet 'pywb==2.10.*'
# scrapy-webarchive is one of the other tools whose WARCs `warcproof check` is tested on; it
# pins an older Scrapy, which needs these older w3lib and Twisted: its own environment.
python3 -m venv .venv-webarchive
.venv-webarchive/bin/python -m pip install --quiet 'scrapy-webarchive==0.5.*' 'w3lib<2.2' \
    'Twisted<24.7'
# authsign (Webrecorder's WACZ signature verifier) pins its own stack: its own environment,
# where a test runs it on warcproof's domain-signed WACZ.
python3 -m venv .venv-authsign
.venv-authsign/bin/python -m pip install --quiet 'authsign==0.6.*'
# Debian packages the tests use, as command:package: chromium renders pages and the HTML report
# (headless), redis-server backs distributed crawls, node's WebCrypto checks anonymous WACZ
# signatures the way wabac.js does, wget writes WARCs that `warcproof check` is tested on.
missing=()
for pair in chromium:chromium redis-server:redis-server node:nodejs wget:wget; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
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
