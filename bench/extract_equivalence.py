"""Extraction gives the same result before and after a change made for speed:

    PYTHONPATH=/tmp/base-tree .venv/bin/python bench/extract_equivalence.py --out /tmp/base.json
    .venv/bin/python bench/extract_equivalence.py --out /tmp/now.json --against /tmp/base.json

Every page of both sets of realpages-dev is extracted (`extract_article`, as the accuracy
harness calls it) and the whole result (article text, title, headings, page text, periphery,
paragraphs, decoding, limit; or the reason there is no article) is written as a digest per page.
`--against` names the pages whose result differs from an earlier run's and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = ("dragnet", "l3s_gn1")


def _digest(job: tuple[str, str]) -> tuple[str, str]:
    from provenance.text.extract import extract_article

    key, path = job
    body = gzip.decompress(Path(path).read_bytes())
    result = extract_article(body, url="http://127.0.0.1/page.html", content_type="text/html")
    return key, hashlib.sha256(repr(result).encode("utf-8")).hexdigest()


def _jobs(corpus: Path) -> list[tuple[str, str]]:
    return [
        (f"{name}/{path.name.removesuffix('.html.gz')}", str(path))
        for name in SETS
        for path in sorted((corpus / name / "html").glob("*.html.gz"))
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/realpages-dev"))
    parser.add_argument("--out", type=Path, required=True, help="the digests of this run")
    parser.add_argument("--against", type=Path, help="the digests of an earlier run")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with ProcessPoolExecutor(args.jobs) as pool:
        digests = dict(pool.map(_digest, _jobs(args.corpus), chunksize=8))
    args.out.write_text(json.dumps(digests, indent=0, sort_keys=True) + "\n", "utf-8")
    print(f"{len(digests)} pages extracted")
    if args.against is None:
        return 0
    earlier: dict[str, str] = json.loads(args.against.read_text("utf-8"))
    differ = sorted(k for k in earlier.keys() | digests.keys() if earlier.get(k) != digests.get(k))
    for key in differ:
        print(f"differs: {key}")
    print(f"{len(differ)} of {len(digests)} pages differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
