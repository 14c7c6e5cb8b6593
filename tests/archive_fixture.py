"""A Wayback-compatible archive of past page versions for the tests: WARCs written with
warcproof's own writer from the replica pages listed in replica/pages/archived/captures.toml
(each at its historical capture time), served by a real pywb on loopback (the `wayback`
fixture of tests/conftest.py)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.warc.records import HttpExchange
from archive.warc.writer import WarcWriter

PAGES = Path(__file__).resolve().parent.parent / "replica" / "pages"
CAPTURES = PAGES / "archived" / "captures.toml"
# The archive endpoint as the crawl's settings name it for pywb (collection "web").
PYWB_CDX = "{base}/web/cdx"


@dataclass(frozen=True)
class PastCapture:
    url: str
    file: Path
    date: datetime

    @property
    def timestamp(self) -> str:
        return self.date.strftime("%Y%m%d%H%M%S")


def past_captures() -> list[PastCapture]:
    data = tomllib.loads(CAPTURES.read_text("utf-8"))
    return [
        PastCapture(entry["url"], PAGES / entry["file"], entry["date"].astimezone(UTC))
        for entry in data["capture"]
    ]


def write_archive(directory: Path, captures: list[PastCapture]) -> list[Path]:
    """One response (and request) record per capture, dated at its capture time. No metadata or
    conversion records: pywb could replay those instead of the page."""
    with WarcWriter(directory, prefix="past") as writer:
        for capture in captures:
            body = capture.file.read_bytes()
            writer.write_exchange(
                HttpExchange(
                    url=capture.url,
                    method="GET",
                    request_headers=[("User-Agent", "test-archiver/1.0")],
                    request_body=b"",
                    protocol="HTTP/1.1",
                    status=200,
                    reason="OK",
                    response_headers=[
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                    ],
                    body=body,
                    ip_address="127.0.0.1",
                    started=capture.date,
                )
            )
        return writer.close()
