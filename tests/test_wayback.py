"""provenance.sources.wayback: the CDX parser (every answer shape, arbitrary input), URL
variants, the choice of captures, and the polite client against a real pywb and a throttling
loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.sources.http_policy import PYWB_CDX
from provenance.sources.http_policy import retry_after_seconds as retry_after
from provenance.sources.wayback import (
    Capture,
    CdxError,
    Endpoint,
    WaitBudget,
    WaybackClient,
    WaybackError,
    nearest,
    newest,
    parse_cdx,
    url_variants,
    usable,
)
from tests.archive_fixture import past_captures
from tests.processes import served_in_thread

TOI = "https://www.timesofisrael.com/us-general-claims-is-leaders-abandoning-mosul/"
URL_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"

timestamps = st.datetimes(min_value=datetime(1996, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda moment: moment.strftime("%Y%m%d%H%M%S")
)
captures = st.builds(
    Capture,
    timestamp=timestamps,
    url=st.from_regex(r"https?://[a-z]{1,10}\.[a-z]{2,3}/[A-Za-z0-9_/.-]{0,20}", fullmatch=True),
    status=st.sampled_from([200, 301, 404, None]),
    mime=st.sampled_from(["text/html", "warc/revisit", None]),
    digest=st.from_regex(r"[A-Z2-7]{32}", fullmatch=True) | st.none(),
)


def _dash(value: object) -> str:
    return "-" if value is None else str(value)


def as_ia_json(rows: list[Capture]) -> bytes:
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    table = [header] + [
        ["k", c.timestamp, c.url, _dash(c.mime), _dash(c.status), _dash(c.digest), "1"]
        for c in rows
    ]
    return json.dumps(table).encode()


def as_pywb_ndjson(rows: list[Capture]) -> bytes:
    lines = [
        json.dumps(
            {"urlkey": "k", "timestamp": c.timestamp, "url": c.url, "mime": _dash(c.mime)}
            | {"status": _dash(c.status), "digest": _dash(c.digest)}
        )
        for c in rows
    ]
    return "\n".join(lines).encode()


def as_plain(rows: list[Capture]) -> bytes:
    lines = [
        f"k {c.timestamp} {c.url} {_dash(c.mime)} {_dash(c.status)} {_dash(c.digest)} 1"
        for c in rows
    ]
    return "\n".join(lines).encode()


def as_cdxj(rows: list[Capture]) -> bytes:
    lines = [
        f"k {c.timestamp} "
        + json.dumps({"url": c.url, "mime": _dash(c.mime), "status": _dash(c.status)})
        for c in rows
    ]
    return "\n".join(lines).encode()


@given(st.lists(captures, max_size=8))
def test_every_answer_shape_parses_to_the_same_captures(rows: list[Capture]) -> None:
    assert parse_cdx(as_ia_json(rows)) == rows
    assert parse_cdx(as_pywb_ndjson(rows)) == rows
    assert parse_cdx(as_plain(rows)) == rows
    without_digest = [Capture(c.timestamp, c.url, c.status, c.mime) for c in rows]
    assert parse_cdx(as_cdxj(rows)) == without_digest


@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_captures_or_the_documented_error(body: bytes) -> None:
    try:
        result = parse_cdx(body)
    except CdxError:
        return
    assert all(isinstance(c, Capture) and len(c.timestamp) == 14 for c in result)


@given(st.text(max_size=200))
def test_arbitrary_text_gives_captures_or_the_documented_error(text: str) -> None:
    try:
        result = parse_cdx(text.encode("utf-8", "surrogatepass"))
    except CdxError:
        return
    assert all(c.moment.tzinfo is UTC for c in result)


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b'[["timestamp", "original"], ["2016", "x"]]', b"{}", b"a b", b"\xff", b"[[1]]"],
)
def test_malformed_answers_raise_cdx_error(body: bytes) -> None:
    with pytest.raises(CdxError):
        parse_cdx(body)


def test_empty_answers_are_empty_listings() -> None:
    assert parse_cdx(b"") == parse_cdx(b"[]") == parse_cdx(b"\n \n") == []


def test_url_variants_cover_scheme_and_www_once_each() -> None:
    assert url_variants("http://diyaruna.com/a?b=1") == [
        "http://diyaruna.com/a?b=1",
        "http://www.diyaruna.com/a?b=1",
        "https://diyaruna.com/a?b=1",
        "https://www.diyaruna.com/a?b=1",
    ]
    assert len(set(url_variants(TOI))) == 4
    assert url_variants(TOI)[0] == TOI


def test_nearest_within_window_and_newest() -> None:
    rows = [
        Capture("20161019211403", TOI, 200),
        Capture("20161001000000", TOI, 404),
        Capture("20230602084117", TOI, 200),
        Capture("20161019211403", TOI, 200),
    ]
    found = usable(rows)
    assert [c.timestamp for c in found] == ["20161019211403", "20230602084117"]
    assert nearest(found, date(2016, 10, 19), timedelta(days=30)) == found[0]
    assert nearest(found, date(2020, 1, 1), timedelta(days=30)) is None
    assert newest(found) == found[1]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after("7") == 7.0
    assert retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


@given(st.text(max_size=40))
def test_retry_after_never_raises(value: str) -> None:
    wait = retry_after(value)
    assert wait is None or wait >= 0


@given(st.text(alphabet='0123456789²٣ -\n{}[]",:ab', max_size=80))
def test_digit_lookalikes_give_captures_or_the_documented_error(text: str) -> None:
    try:
        result = parse_cdx(text.encode())
    except CdxError:
        return
    assert all(c.timestamp.isascii() and (c.status is None or c.status >= 0) for c in result)


def test_a_superscript_status_is_no_status() -> None:
    assert parse_cdx(b"k 20160101000000 http://a/ text/html \xc2\xb2 -")[0].status is None
    assert retry_after("\u00b2") is None


def test_endpoint_urls_for_pywb_and_the_internet_archive() -> None:
    ia = Endpoint("https://web.archive.org")
    query = ia.cdx_url(URL_004, date_from=date(2017, 1, 1), prefix=True, limit=5)
    assert query.startswith("https://web.archive.org/cdx/search/cdx?url=http%3A%2F%2Fdiyaruna")
    assert {"matchType=prefix", "from=20170101", "limit=5"} <= set(query.split("?")[1].split("&"))
    pywb = Endpoint("http://127.0.0.1:1/", PYWB_CDX)
    assert pywb.cdx_url(URL_004).startswith("http://127.0.0.1:1/web/cdx?url=")
    capture = Capture("20170207100255", URL_004, 200)
    assert pywb.replay_url(capture) == f"http://127.0.0.1:1/web/20170207100255id_/{URL_004}"


@pytest.mark.external
def test_client_finds_captures_of_every_variant_in_pywb(wayback: str) -> None:
    client = WaybackClient(Endpoint(wayback, PYWB_CDX))
    found = client.captures(TOI.replace("https://www.", "http://"), date(2016, 1, 1))
    expected = sorted(c.timestamp for c in past_captures() if c.url == TOI)
    assert [c.timestamp for c in found] == expected
    sent = client.requests
    client.captures(TOI.replace("https://www.", "http://"), date(2016, 1, 1))
    assert client.requests == sent  # CDX answers are cached for the run


@pytest.mark.external
def test_client_fetches_raw_capture_bytes_with_the_memento_datetime(wayback: str) -> None:
    client = WaybackClient(Endpoint(wayback, PYWB_CDX))
    (first, *_) = client.captures(URL_004)
    memento = client.fetch(first)
    page = next(c for c in past_captures() if c.url == URL_004)
    assert memento.body == page.file.read_bytes()
    assert memento.memento_datetime == page.date
    assert memento.replay_url.endswith(f"/web/{page.timestamp}id_/{URL_004}")


def test_client_names_an_unreachable_archive() -> None:
    client = WaybackClient(Endpoint("http://127.0.0.1:9", PYWB_CDX), timeout=5)
    with pytest.raises(WaybackError, match="cannot reach the archive"):
        client.captures(URL_004)


class _Throttling(BaseHTTPRequestHandler):
    """Answers 429 (Retry-After: 1) to the first request, then a one-row CDX listing."""

    answered: ClassVar[list[int]] = []
    retry_after: ClassVar[str] = "1"

    def do_GET(self) -> None:
        status = 429 if not self.answered else 200
        self.answered.append(status)
        body = b"" if status == 429 else as_pywb_ndjson([Capture("20170207100255", URL_004, 200)])
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", self.retry_after)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def throttling() -> Iterator[str]:
    _Throttling.answered = []
    with served_in_thread(_Throttling) as url:
        yield url


def test_a_429_with_retry_after_is_waited_out(throttling: str) -> None:
    waits: list[float] = []
    client = WaybackClient(Endpoint(throttling, PYWB_CDX), sleep=waits.append)
    found = client.captures(URL_004)
    assert [c.timestamp for c in found] == ["20170207100255"]
    assert waits == [1.0]
    assert _Throttling.answered[:2] == [429, 200]


def test_throttling_beyond_the_wait_budget_is_a_clear_error(throttling: str) -> None:
    _Throttling.retry_after = "600"
    try:
        client = WaybackClient(Endpoint(throttling, PYWB_CDX), budget=WaitBudget(60))
        with pytest.raises(WaybackError, match=r"keeps throttling.*600 s"):
            client.captures(URL_004)
    finally:
        _Throttling.retry_after = "1"
