#!/usr/bin/env bash
# Installs warcproof and its development tools into ./.venv (idempotent; safe to rerun).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
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
# Debian's chromium renders the HTML report in a test (headless); skipped when already present.
command -v chromium >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends chromium >/dev/null
}
# Debian's redis-server backs distributed crawls (WARCPROOF_REDIS_URL) and their tests, which
# start their own on loopback; skipped when already present.
command -v redis-server >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends redis-server >/dev/null
}
# Node's WebCrypto checks anonymous WACZ signatures the way wabac.js (ReplayWeb.page) does, in a
# test; skipped when already present.
command -v node >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends nodejs >/dev/null
}
# authsign (Webrecorder's WACZ signature verifier) pins its own stack: its own environment,
# where a test runs it on warcproof's domain-signed WACZ.
python3 -m venv .venv-authsign
.venv-authsign/bin/python -m pip install --quiet 'authsign==0.6.*'
# Debian's wget writes WARCs (--warc-file) that `warcproof check` is tested on.
command -v wget >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends wget >/dev/null
}
