#!/usr/bin/env bash
# Installs warcproof into ./.venv: needs Python 3.11+ with venv and pip, nothing else: no root,
# no system packages (idempotent; safe to rerun). The tests need more: scripts/install-test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
