"""`seeds locate` against a hostile archive (issue 14, finding 9): redirects only to http(s),
answers read up to a size cap, connections from a public start never reach a private address
(checked on the connected socket), and only captures under the seed's url_prefix are ranked,
so `--accept` cannot write another site's URL into the manifest."""

from __future__ import annotations

import urllib.request

import pytest

from provenance.sources.guarded_http import RefusedAddress, _PublicHTTPConnection, fetch
from provenance.sources.http_policy import PYWB_CDX
from provenance.sources.locate import under_prefix
from provenance.sources.wayback import Endpoint, WaybackClient, WaybackError, same_page
from tests.hostile_origin import Scripted, hostile_origin, response

REDIRECT_FTP = Scripted(response(b"302 Found", [b"Location: ftp://127.0.0.1/etc/passwd"], b""))


def test_a_redirect_to_another_scheme_is_refused() -> None:
    with hostile_origin({"/web/cdx": REDIRECT_FTP}) as archive:
        client = WaybackClient(Endpoint(archive, PYWB_CDX), timeout=10)
        with pytest.raises(WaybackError, match=r"to ftp://127\.0\.0\.1/etc/passwd: not http\(s\)"):
            client.cdx(f"{archive}/web/cdx?url=example.com")


def test_an_answer_over_the_cap_is_refused() -> None:
    big = Scripted(response(b"200 OK", [], b"x" * 5000))
    with hostile_origin({"/big": big}) as origin:
        with pytest.raises(ValueError, match="larger than"):
            fetch(urllib.request.Request(f"{origin}/big"), timeout=10, max_bytes=1000)
        assert fetch(urllib.request.Request(f"{origin}/big"), timeout=10).body == b"x" * 5000


def test_a_public_start_never_connects_to_a_private_address() -> None:
    ok = Scripted(response(b"200 OK", [], b"hello"))
    with hostile_origin({"/x": ok}) as origin:
        port = int(origin.rpartition(":")[2])
        connection = _PublicHTTPConnection("127.0.0.1", port, timeout=10)
        with pytest.raises(RefusedAddress, match=r"private address 127\.0\.0\.1"):
            connection.connect()


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("https://www.example.com/news/2017/a", True),
        ("http://example.com/news/b", True),
        ("http://example.com/other/c", False),
        ("http://evil.test/news/a", False),
        ("ftp://example.com/news/a", False),
        ("http://example.com.evil.test/news/a", False),
    ],
)
def test_only_captures_under_the_prefix_are_candidates(url: str, inside: bool) -> None:
    assert under_prefix(url, "example.com/news/") is inside


@pytest.mark.parametrize(
    ("capture_url", "same"),
    [
        ("https://www.example.com/news/a?x=1", True),
        ("http://example.com:80/news/a?x=1", True),
        ("HTTP://Example.COM/news/a/?x=1", True),
        ("http://example.com/news/a/b?x=1", False),
        ("http://example.com/news?x=1", False),
        ("javascript:alert(1)//example.com/news/a?x=1", False),
        ("http://evil.test/news/a?x=1", False),
        ("http://example.com/news/a?x=2", False),
        ("http://example.com:8080/news/a?x=1", False),
        ("http://[::1/", False),
    ],
)
def test_only_captures_of_the_seeds_own_page_are_used(capture_url: str, same: bool) -> None:
    assert same_page(capture_url, "http://example.com/news/a?x=1") is same


def test_the_page_a_replay_ended_on_is_read_from_its_url() -> None:
    endpoint = Endpoint("http://127.0.0.1:8080", PYWB_CDX)
    stamp = "20200101000000"
    assert (
        endpoint.replayed_original(f"http://127.0.0.1:8080/web/{stamp}id_/http://a.test/x?y=1")
        == "http://a.test/x?y=1"
    )
    # An archive moved to https (or another host) still names the capture in the path.
    assert (
        endpoint.replayed_original(f"https://archive.test/web/{stamp}id_/http://a.test/")
        == "http://a.test/"
    )
    assert endpoint.replayed_original("http://127.0.0.1:8080/elsewhere") is None
    assert endpoint.replayed_original(f"http://127.0.0.1:8080/web/{stamp}/http://a.test/") is None
