"""The exit codes of every warcproof command: one table. The README's "Exit codes" section and
`warcproof --help` are made from `MEANING` (tests/test_cli_exitcodes.py holds them to it).

Error classes carry their own code (`exit_code`, see provenance.errors and archive.errors), so
the command line never has to guess what a failure means."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    CHANGED = 3
    LOCKED = 4
    UNAVAILABLE = 5
    INTERRUPTED = 130


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.FAILED: "verification failed or problems found: changed seed files, a crawl that "
    "fetched no seed or stopped early, `check` problems, a verdict named by `--fail-on`",
    ExitCode.USAGE: "usage error, unknown seed or crawl id, or input that cannot be read "
    "(e.g. a broken manifest)",
    ExitCode.CHANGED: "`crawl`: a source page's article was edited or is gone",
    ExitCode.LOCKED: "another run holds the collection or its ledger; nothing was done",
    ExitCode.UNAVAILABLE: "a service could not be reached (a Wayback archive, Redis)",
    ExitCode.INTERRUPTED: "stopped by Ctrl-C or SIGTERM; every completed record is kept",
}


def table() -> str:
    """The table as the README and `--help` print it: one `CODE  meaning` line per code."""
    return "\n".join(f"{code.value:>3}  {MEANING[code]}" for code in ExitCode)
