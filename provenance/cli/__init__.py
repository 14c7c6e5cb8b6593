"""The `warcproof` command (provenance.cli.main), one module per command group."""

import sys


def run() -> None:
    """The console script: Ctrl-C while the command is still loading ends it quietly too."""
    try:
        from provenance.cli.main import main

        code = main()
    except KeyboardInterrupt:
        print("\nwarcproof: interrupted", file=sys.stderr)
        code = 130  # ExitCode.INTERRUPTED
    sys.exit(code)
