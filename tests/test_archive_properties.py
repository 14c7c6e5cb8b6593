"""Properties: whatever bytes and headers go in come back out, and other readers agree."""

import gzip
import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from archive import HttpExchange, StoredRecord, WarcWriter, decoded_body, iter_records
from archive.errors import WarcFormatError
from archive.warc.httphead import encode_uri

TOKEN = st.text(alphabet="!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits, min_size=1)
NAMES = TOKEN.filter(lambda name: name.lower() not in ("transfer-encoding", "host"))
VISIBLE_WORD = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
# obs-text: bytes 0x80-0xFF, carried as the latin-1 characters U+0080-U+00FF
OBS_TEXT_WORD = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF, blacklist_characters="\x7f"),
    min_size=1,
)


@st.composite
def header_lists(draw: st.DrawFn, words: st.SearchStrategy[str]) -> list[tuple[str, str]]:
    """Header fields (no leading/trailing whitespace in values), some names repeated."""
    values = st.lists(words, max_size=4).map(" ".join)
    fields = draw(st.lists(st.tuples(NAMES, values), max_size=10))
    repeats = draw(st.lists(st.sampled_from(fields), max_size=4)) if fields else []
    return draw(st.permutations(fields + repeats))


def round_trip(
    body: bytes, request_headers: list[tuple[str, str]], response_headers: list[tuple[str, str]]
) -> tuple[list[StoredRecord], list[tuple[bytes, list[tuple[str, str]], bool]]]:
    """Write one exchange; our records and, per record, warcio's (payload, headers, digests ok)."""
    exchange = HttpExchange(
        url="http://127.0.0.1:8080/p?q=1",
        method="GET",
        request_headers=request_headers,
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason=None,
        response_headers=response_headers,
        body=body,
        ip_address="127.0.0.1",
        started=datetime.now(UTC),
    )
    with tempfile.TemporaryDirectory() as directory:
        with WarcWriter(Path(directory)) as writer:
            writer.write_exchange(exchange)
        (path,) = writer.files
        ours = list(iter_records(path))
        theirs = []
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, check_digests=True):
                payload = record.raw_stream.read()
                headers = list(record.http_headers.headers) if record.http_headers else []
                theirs.append((payload, headers, record.digest_checker.passed is not False))
    return ours, theirs


@settings(max_examples=60, deadline=None)
@given(
    body=st.binary(max_size=4096),
    request_headers=header_lists(VISIBLE_WORD),
    response_headers=header_lists(VISIBLE_WORD),
)
def test_payload_and_headers_survive_exactly(
    body: bytes, request_headers: list[tuple[str, str]], response_headers: list[tuple[str, str]]
) -> None:
    ours, theirs = round_trip(body, request_headers, response_headers)
    _, response, request = ours
    assert response.payload == body
    assert response.http_headers == response_headers
    assert request.http_headers == [("Host", "127.0.0.1:8080"), *request_headers]
    assert theirs[1] == (body, response_headers, True)
    assert theirs[2] == (b"", request.http_headers, True)


@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=256), response_headers=header_lists(OBS_TEXT_WORD))
def test_latin1_header_values_survive_exactly(
    body: bytes, response_headers: list[tuple[str, str]]
) -> None:
    ours, theirs = round_trip(body, [], response_headers)
    assert ours[1].http_headers == response_headers
    assert ours[1].payload == body
    assert all(digests_ok for _, _, digests_ok in theirs)


@settings(max_examples=30, deadline=None)
@given(text=st.binary(max_size=2048))
def test_gzip_body_decodes_to_the_original(text: bytes) -> None:
    ours, _ = round_trip(gzip.compress(text), [], [("Content-Encoding", "gzip")])
    assert decoded_body(ours[1]) == text


PATH_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="%#?\0"))


@given(path=PATH_TEXT, query=PATH_TEXT.filter(lambda q: "#" not in q))
def test_target_uri_is_ascii_idempotent_and_lossless(path: str, query: str) -> None:
    url = f"http://127.0.0.1:8080/{path}?{query}"
    encoded = encode_uri(url)
    assert encoded.isascii()
    assert not any(char in encoded for char in ' \t\r\n"<>\\^`{|}')
    assert encode_uri(encoded) == encoded
    parts = urlsplit(encoded)
    assert unquote(parts.path) == "/" + path.replace("\t", "").replace("\r", "").replace("\n", "")
    assert unquote(parts.query) == query.replace("\t", "").replace("\r", "").replace("\n", "")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3000), gzipped=st.booleans())
def test_reader_returns_records_or_the_documented_error(data: bytes, gzipped: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.warc.gz"
        path.write_bytes(gzip.compress(data) if gzipped else data)
        message = ""
        try:
            for record in iter_records(path):
                decoded_body(record)
        except WarcFormatError as exc:
            message = str(exc)
        assert not message or str(path) in message
