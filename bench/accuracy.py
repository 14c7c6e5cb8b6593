"""Accuracy of the verdicts on real pages, in one command (from the repository root):

    .venv/bin/python bench/accuracy.py [--corpus DIR] [--limit N] [--jobs 2] [--kinds ...]
                                       [--crawl N]

For every page of the corpus (`../shared/realpages-dev/`: pages as served plus a human-made gold
article text) whose gold is 300 characters or more, it builds untouched and tampered copies of
the article, judges each through the library API and writes `bench/ACCURACY.md` with the rates
against issue 13's targets, and every case to `bench/results/accuracy.json`. `--crawl N` also
sends N pages through a real `warcproof crawl` from a loopback server and checks that the crawl's
verdicts equal the library's."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.accuracy_run import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
