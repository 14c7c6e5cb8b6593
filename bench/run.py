"""The benchmark, in one command (from the repository root):

    .venv/bin/python bench/run.py [--pages N] [--rounds R] [--warc-mb 500] [--quick]

It serves generated article pages on loopback and measures, in interleaved rounds, bare Scrapy,
warcproof's capture, the full pipeline, trafilatura's own two-process extraction rate and
re-verification; then `warcproof check` against `warcio check` and plain gzip on a large WARC,
and the peak memory of check and re-verification on a small and a large collection. It writes
`bench/RESULTS.md`."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
