"""A real crawl of a loopback origin that answers `Content-Encoding: br` (as many sites do when
Scrapy asks for it): the crawl, `index`, `pack` and `export --bag` all pass, the pages' text is
extracted from the decoded bodies, and `warcproof check` finds nothing at all, of any level, in
the WARC files and the WACZ warcproof wrote."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest

from archive.check.checker import check
from archive.check.problems import Problem
from archive.warc.reader import decoded_body, iter_records
from provenance.cli.main import main
from provenance.ledger.store import Ledger
from replica.routes import RouteTable
from tests.conftest import run_crawl
from tests.processes import served_in_thread


class _BrotliPages(BaseHTTPRequestHandler):
    """The replica's pages, each compressed with Brotli when the client accepts it."""

    routes = RouteTable.load()

    def do_GET(self) -> None:
        route = self.routes.lookup(self.path)
        if route is None or route.status != 200:
            self.send_error(404)
            return
        body = self.routes.payload(route)
        accepts = self.headers.get("Accept-Encoding", "")
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        if "br" in accepts:
            body = brotli.compress(body)
            self.send_header("Content-Encoding", "br")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def brotli_origin() -> Iterator[str]:
    with served_in_thread(_BrotliPages) as url:
        yield url


@pytest.mark.crawl
def test_a_crawl_of_a_brotli_server_indexes_packs_exports_and_checks_clean(
    corpus: Path, tmp_path: Path, brotli_origin: str
) -> None:
    collection = tmp_path / "collection"
    result = run_crawl(corpus, collection, brotli_origin)
    assert result.returncode == 0, result.stderr
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    encoded = [
        record
        for warc in warcs
        for record in iter_records(warc)
        if record.rec_type == "response"
        and ("Content-Encoding", "br") in (record.http_headers or [])
    ]
    assert encoded
    routes = RouteTable.load()
    for record in encoded:
        route = routes.lookup(urlsplit(record.target_uri or "").path)
        assert route is not None
        assert decoded_body(record) == routes.payload(route), record.target_uri
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        verdicts = {entry.verdict.verdict for entry in ledger.entries() if entry.capture}
    assert verdicts - {"unverifiable"}, verdicts

    assert main(["index", str(collection)]) == 0
    lines = (collection / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= len(encoded)
    wacz = tmp_path / "br.wacz"
    assert main(["pack", str(collection), "-o", str(wacz), "--title", "br", "--desc", "d"]) == 0
    assert wacz.stat().st_mode & 0o777 == 0o644
    assert main(["export", str(collection), "--bag", str(tmp_path / "bag"), "--manifest",
                 str(corpus)]) == 0  # fmt: skip

    for files in (warcs, [wacz]):  # apart: the WACZ holds the same records again
        found: list[Problem] = []
        summary = check(files, on_problem=found.append)
        assert found == []
        assert summary.records > len(encoded)
