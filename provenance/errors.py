"""The provenance package's exception family; every error it raises on purpose derives from here.

Each class carries the exit code the command line ends with when it escapes
(provenance.exitcodes.ExitCode): unreadable input is a usage error, an unreachable service
or a locked ledger is not."""

from typing import ClassVar


class ProvenanceError(Exception):
    """Base class of all errors raised by the provenance package."""

    exit_code: ClassVar[int] = 2  # ExitCode.USAGE: input that cannot be used as given


class CollectionInUse(ProvenanceError):
    """Another run holds the collection's lock (a crawl writing it, another command)."""

    exit_code: ClassVar[int] = 4  # ExitCode.LOCKED
