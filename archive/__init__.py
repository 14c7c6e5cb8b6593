"""WARC 1.1 archiving: HTTP exchanges in, faithful records out, and a strict reader.

Public API::

    WarcWriter, HttpExchange, RecordRef  # writing (archive.warc.writer, .records)
    StoredRecord, iter_records, read_record, decoded_body   # reading (archive.warc.reader)
    ArchiveError, WarcFormatError, WriterClosedError, InvalidInputError  # archive.errors
    warc_filename, parse_warc_filename, WarcName   # archive.warc.naming

This package never imports Scrapy.
"""

import logging

from archive.errors import ArchiveError, InvalidInputError, WarcFormatError, WriterClosedError
from archive.warc.naming import WarcName, parse_warc_filename, warc_filename
from archive.warc.reader import StoredRecord, decoded_body, iter_records, read_record
from archive.warc.records import HttpExchange, RecordRef
from archive.warc.writer import WarcWriter

logging.getLogger(__name__).addHandler(logging.NullHandler())

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
