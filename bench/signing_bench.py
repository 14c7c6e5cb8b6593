"""What signing and offline verification of a WACZ cost, from the repository root:

    .venv/bin/python bench/signing_bench.py [--mb 256] [--rounds 3]

Packs a WACZ around one WARC-sized file of MB megabytes (random bytes: packing and verifying
only copy and hash it), unsigned and signed (anonymous P-384), then verifies the signature down
to every file, and hashes the same bytes with plain sha256 as the floor. Median of the rounds.
Writes bench/SIGNING.md."""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.packaging.signature_verify import verify_signed_wacz  # noqa: E402
from archive.packaging.signing import AnonymousSigner, new_key, sign_digest  # noqa: E402
from archive.packaging.wacz import pack_wacz  # noqa: E402

RESULTS = ROOT / "bench" / "SIGNING.md"


def _timed(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/signing_bench.py")
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warcproof-signing-bench-") as scratch:
        folder = Path(scratch)
        warc = folder / "big.warc.gz"
        with warc.open("wb") as out:
            for _ in range(args.mb):
                out.write(os.urandom(1 << 20))
        index = folder / "index.cdxj"
        index.write_text('a)/ 20260101000000 {"url": "http://a/", "filename": "big.warc.gz"}\n')
        signer = AnonymousSigner(new_key())

        def pack(signed: bool) -> Path:
            return pack_wacz(
                folder / "out.wacz",
                warcs=[warc],
                index=index,
                pages=[],
                title="bench",
                description="bench",
                software="bench",
                sign=(lambda d: sign_digest(d, signer, software="bench")) if signed else None,
            ).path

        def sha256_floor() -> str:
            hasher = hashlib.sha256()
            with warc.open("rb") as data:
                while chunk := data.read(1 << 20):
                    hasher.update(chunk)
            return hasher.hexdigest()

        unsigned = _timed(lambda: pack(False), args.rounds)
        signed = _timed(lambda: pack(True), args.rounds)
        wacz = pack(True)
        verified = verify_signed_wacz(wacz, [])
        assert verified.ok, verified.problems
        verify = _timed(lambda: verify_signed_wacz(wacz, []), args.rounds)
        floor = _timed(sha256_floor, args.rounds)
    rows = [
        ("pack, unsigned", unsigned),
        ("pack, signed (anonymous P-384, no timestamp)", signed),
        ("check --verify-signature (signature, every file's sha256)", verify),
        ("plain sha256 of the WARC bytes (the floor)", floor),
    ]
    lines = [
        "# Signing and verification cost",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/signing_bench.py --mb "
        f"{args.mb} --rounds {args.rounds}` on {platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (shared; load average "
        f"{os.getloadavg()[0]:.1f} at the end). Median of {args.rounds} rounds, one "
        f"{args.mb} MB WARC-sized file.",
        "",
        "| step | seconds | MB/s |",
        "|---|---|---|",
        *(f"| {name} | {seconds:.2f} | {args.mb / seconds:.0f} |" for name, seconds in rows),
        "",
        f"Signing adds {signed - unsigned:+.2f} s to packing; a timestamp adds one round trip "
        f"to each TSA. Verification runs at {floor / verify:.0%} of the speed of hashing the "
        f"bytes alone.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
