"""The replica server's command-line options, apart from the server so that building a parser
(`warcproof --help`, every `warcproof` command) does not load the server's code."""

import argparse
from pathlib import Path


def add_options(parser: argparse.ArgumentParser) -> None:
    """The replica's options (`python -m replica` and `warcproof replica`)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free)")
    parser.add_argument(
        "--pages", type=Path, help="pages folder with routes.toml (default: the bundled pages)"
    )
    parser.add_argument(
        "--gone",
        action="append",
        default=[],
        metavar="HOST",
        help="answer 410 for HOST (repeatable; default: none)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log every request to stderr (default: quiet)"
    )
    parser.add_argument(
        "--tls-cert",
        type=Path,
        metavar="PEM",
        help="serve HTTPS with this certificate (default: HTTP)",
    )
    parser.add_argument("--tls-key", type=Path, metavar="PEM", help="the key of --tls-cert")
