"""The exception family of the ``archive`` package.

``ArchiveError`` is the root; catch it to handle everything this package raises on purpose.

- ``WarcFormatError``: a WARC file (or a stored HTTP body) is unreadable or invalid.
- ``WriterClosedError``: a record was written after ``WarcWriter.close()``.
- ``InvalidInputError``: the caller passed something that cannot be archived faithfully
  (bad header name, CR/LF inside a value, naive datetime, malformed file name...). It is also a
  ``ValueError``.

I/O failures while writing (``OSError``, e.g. disk full) are re-raised unchanged.

``exit_code`` is the status the ``warcproof`` command ends with when the error escapes (a value
of provenance.exitcodes.ExitCode; the archive package imports nothing from provenance).
"""

from typing import ClassVar


class ArchiveError(Exception):
    """Root of every error the archive package raises on purpose."""

    exit_code: ClassVar[int] = 2  # ExitCode.USAGE: unreadable or invalid input


class WarcFormatError(ArchiveError):
    """Unreadable or invalid WARC input; the message names the file and the offset."""


class WriterClosedError(ArchiveError):
    """A write was attempted on a closed ``WarcWriter``."""


class InvalidInputError(ArchiveError, ValueError):
    """An argument cannot be turned into a valid, faithful WARC record or file name."""
