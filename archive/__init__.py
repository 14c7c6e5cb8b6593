"""WARC 1.1 archiving: HTTP exchanges in, faithful records out, and a strict reader.

Public API::

    WarcWriter, HttpExchange, RecordRef  # writing (archive.warc.writer, .records)
    StoredRecord, iter_records, read_record, decoded_body   # reading (archive.warc.reader)
    ArchiveError, WarcFormatError, WriterClosedError, InvalidInputError  # archive.errors
    warc_filename, parse_warc_filename, WarcName   # archive.warc.naming

This package never imports Scrapy.
"""

import importlib
import logging
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError, InvalidInputError, WarcFormatError, WriterClosedError

if TYPE_CHECKING:
    from archive.warc.naming import WarcName, parse_warc_filename, warc_filename
    from archive.warc.reader import StoredRecord, decoded_body, iter_records, read_record
    from archive.warc.records import HttpExchange, RecordRef
    from archive.warc.writer import WarcWriter

logging.getLogger(__name__).addHandler(logging.NullHandler())

# Loaded on first use: the writer and reader pull in warcio, which a command that only needs
# the errors (every `warcproof` command imports them) or the checker would load for nothing.
_LAZY = {
    "WarcName": "archive.warc.naming",
    "parse_warc_filename": "archive.warc.naming",
    "warc_filename": "archive.warc.naming",
    "StoredRecord": "archive.warc.reader",
    "decoded_body": "archive.warc.reader",
    "iter_records": "archive.warc.reader",
    "read_record": "archive.warc.reader",
    "HttpExchange": "archive.warc.records",
    "RecordRef": "archive.warc.records",
    "WarcWriter": "archive.warc.writer",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ArchiveError",
    "HttpExchange",
    "InvalidInputError",
    "RecordRef",
    "StoredRecord",
    "WarcFormatError",
    "WarcName",
    "WarcWriter",
    "WriterClosedError",
    "decoded_body",
    "iter_records",
    "parse_warc_filename",
    "read_record",
    "warc_filename",
]
