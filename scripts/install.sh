#!/usr/bin/env bash
# Installs warcproof and its development tools into ./.venv (idempotent; safe to rerun).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
