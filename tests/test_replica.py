"""The replica origin: its pages against the real extractor, and its HTTP behaviour."""

import gzip
import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trafilatura
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html
from trafilatura.settings import Document

from replica import (
    ReplicaServer,
    RoutesError,
    RouteTable,
    URLMappingError,
    replica_url,
    source_url_from_replica,
)
from replica.responses import accepts_gzip
from replica.routes import DEFAULT_PAGES_DIR
from replica.server import main

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
PAGES = DEFAULT_PAGES_DIR
MARKER = b'<meta name="warcproof-replica" content="reconstruction: modelled on the site'

NEWARAB = "https://newarab.com/news/exclusive-resistance-weakening-militants-flee-mosul-battle"
ALARABY = (
    "https://www.alaraby.co.uk/english/news/2017/3/10/"
    "exclusive-is-resistance-weakening-as-militants-flee-mosul-battle"
)
DIYARUNA_001 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2016/08/01/feature-02"
GULF_TIMES = (
    "http://www.gulf-times.com/story/518077/IS-leaders-flee-as-Iraqi-forces-close-in-on-Mosul"
)
TIMES_OF_ISRAEL = "https://www.timesofisrael.com/us-general-claims-is-leaders-abandoning-mosul/"
DIYARUNA_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"
GONE_410 = "/diyaruna.com/en_GB/articles/cnmi_di/features/2016/01/01/feature-99"

SOURCE_URLS = {
    "000": NEWARAB,
    "001": DIYARUNA_001,
    "002": GULF_TIMES,
    "003": TIMES_OF_ISRAEL,
    "004": DIYARUNA_004,
}
DIYARUNA_FORM = "Comment Policy * Denotes Required Field 1500 / 1500"
TOI_CAPTIONS = (
    "An Iraqi forces M109 self-propelled howitzer fires towards the village of Tall al-Tibah, "
    "some 30 km (18.5 miles) south of Mosul, on October 19, 2016, during an operation against "
    "Islamic State (IS) group jihadists to retake the city. (AFP PHOTO/AHMAD AL-RUBAYE)",
    "A member of the Iraqi forces dressed in camouflage walks in the Bajwaniyah village, about "
    "30 km south of Mosul, on October 18, 2016 as the forces advance to liberate Mosul from the "
    "Islamic State (IS) group jihadists. (AFP PHOTO / AHMAD AL-RUBAYE)",
)
# The page furniture each seed carries: it must be on the page but outside the article body.
FURNITURE: dict[str, tuple[str, ...]] = {
    "000": ("2 min read", "10 March, 2017"),
    "001": (
        "Iraq News",
        "Security",
        "By Alaa Hussain in Baghdad",
        "Iraqi army and police personnel gather at the Ninawa Operations Command. "
        "[Photo courtesy of Ninawa police]",
        "Do you like this article?",
        "1 Comment(s)",
        DIYARUNA_FORM,
        "Shoe level lies.",
        "Reply",
    ),
    "002": ("Related Story",),
    "003": (
        "search",
        *TOI_CAPTIONS,
        "Join us!",
        "A message from the Editor of Times of Israel",
        "David Horovitz",
        "The Times of Israel covers one of the most complicated, and contentious, parts of the "
        "world. Determined to keep readers fully informed and enable them to form and flesh out "
        "their own opinions, The Times of Israel has gradually established itself as the leading "
        "source of independent and fair-minded journalism on Israel, the region and the Jewish "
        "world.",
        "We've achieved this by investing ever-greater resources in our journalism while keeping "
        "all of the content on our site free.",
        "Unlike many other news sites, we have not put up a paywall. But we would like to invite "
        "readers who can afford to do so, and for whom The Times of Israel has become important, "
        "to help support our journalism by joining The Times of Israel Community. Join now and for "
        "as little as $6 a month you can both help ensure our ongoing investment in quality "
        "journalism, and enjoy special status and benefits as a Times of Israel Community member.",
        "Become a member of The Times of Israel Community",
        "read more:",
        "comments",
    ),
    "004": (
        "Iraq News",
        "Terrorism",
        "By Khalid al-Taie",
        "Iraqi forces take control of east Mosul after liberating the last of its neighbourhoods "
        "from the 'Islamic State of Iraq and the Levant' on January 24th. "
        "[Photo courtesy of the Counter-Terrorism Service]",
        "Do you like this article?",
        "0 Comment(s)",
        DIYARUNA_FORM,
    ),
}
HIDDEN_TAGS = {"script", "style", "noscript", "template"}


def norm(text: str) -> str:
    """Whitespace-normalised text: trafilatura turns no-break spaces into plain spaces."""
    return " ".join(text.split())


def seed_lines(seed: str) -> list[str]:
    (path,) = SEEDS_DIR.glob(f"{seed}_*.txt")
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def visible_text(page: str) -> str:
    """Text nodes outside script/style/noscript/template, plus img alt/title attributes."""
    parts: list[str] = []

    def walk(element: lxml_html.HtmlElement) -> None:
        if isinstance(element.tag, str) and element.tag not in HIDDEN_TAGS:
            parts.append(element.text or "")
            if element.tag == "img":
                parts.extend((element.get("alt", ""), element.get("title", "")))
            for child in element:
                walk(child)
        parts.append(element.tail or "")

    walk(lxml_html.document_fromstring(page))
    return norm(" ".join(parts))


def find(tree: lxml_html.HtmlElement, expression: str) -> list[lxml_html.HtmlElement]:
    found = tree.xpath(expression)
    assert isinstance(found, list)
    return [item for item in found if isinstance(item, lxml_html.HtmlElement)]


def extract(page: str, url: str) -> Document:
    """The pipeline's trafilatura call, exactly as the lead's wrapper makes it."""
    doc = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        include_links=False,
        deduplicate=False,
    )
    assert isinstance(doc, Document)
    return doc


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer() as running:
        yield running


def get(
    server: ReplicaServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[HTTPResponse, bytes]:
    host, port = urlsplit(server.url).netloc.split(":")
    connection = HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def path_of(source_url: str) -> str:
    return urlsplit(replica_url("http://replica", source_url)).path


def raw_exchange(server: ReplicaServer, request: bytes) -> bytes:
    netloc = urlsplit(server.url).netloc.split(":")
    with socket.create_connection((netloc[0], int(netloc[1])), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


# --- the pages against the real extractor ------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(SOURCE_URLS))
def test_article_lines_extracted_and_furniture_left_out(server: ReplicaServer, seed: str) -> None:
    url = SOURCE_URLS[seed]
    response, body = get(server, path_of(url))
    assert response.status == 200
    page = body.decode("utf-8")  # seed 002's header says ISO-8859-6, the bytes are UTF-8
    text = extract(page, url).text
    assert text is not None
    extracted = {norm(line) for line in text.split("\n")}
    furniture = set(FURNITURE[seed])
    assert furniture <= set(seed_lines(seed)), "furniture lines must be lines of the seed"
    missing = [line for line in seed_lines(seed) if line not in furniture]
    missing = [line for line in missing if norm(line) not in extracted]
    assert missing == []
    leaked = [line for line in furniture if norm(line) in extracted]
    long_leaked = [line for line in furniture if len(line) > 40 and norm(line) in norm(text)]
    assert (leaked, long_leaked) == ([], [])
    shown = visible_text(page)
    assert [line for line in furniture if norm(line) not in shown] == []


@pytest.mark.parametrize("seed", sorted(SOURCE_URLS))
def test_article_text_is_byte_faithful(server: ReplicaServer, seed: str) -> None:
    page = get(server, path_of(SOURCE_URLS[seed]))[1].decode("utf-8")
    for line in seed_lines(seed):
        if line not in FURNITURE[seed]:
            assert html.escape(line, quote=False) in page


@pytest.mark.parametrize("seed", sorted(SOURCE_URLS))
def test_page_metadata_and_furniture(server: ReplicaServer, seed: str) -> None:
    response, body = get(server, path_of(SOURCE_URLS[seed]))
    assert response.headers["X-Warcproof-Replica"] == "reconstruction"
    assert body.startswith(b"<!DOCTYPE html>\n<!--\n  warcproof replica: a RECONSTRUCTION")
    assert MARKER in body
    tree = lxml_html.document_fromstring(body.decode("utf-8"))
    (ld_script,) = find(tree, '//script[@type="application/ld+json"]')
    ld = json.loads(ld_script.text)
    article = next(item for item in ld.get("@graph", [ld]) if item["@type"] == "NewsArticle")
    assert {"headline", "datePublished", "author", "publisher"} <= set(article)
    (og_title,) = find(tree, '//meta[@property="og:title"]')
    assert og_title.get("content") == article["headline"]
    assert find(tree, "//script[@src]")
    inline = find(tree, "//script[not(@src)]")
    assert [s for s in inline if s.get("type", "text/javascript") == "text/javascript"]
    assert find(tree, "//footer|//*[contains(@class, 'footer')]")
    assert find(tree, "//*[contains(@class, 'share') or contains(@class, 'a2a_kit')]")


def test_gulf_times_template_and_declared_charsets(server: ReplicaServer) -> None:
    response, body = get(server, path_of(GULF_TIMES))
    assert response.headers["Content-Type"] == "text/html; charset=ISO-8859-6"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">' in body
    assert b'<meta charset="utf-8">' in body
    assert not body.isascii()
    body.decode("utf-8")
    tree = lxml_html.document_fromstring(body.decode("utf-8"))
    (wrapper,) = find(tree, '//div[@id="txtwrapper"]')
    assert wrapper[0].get("class") == "subtitel"
    (paragraph,) = find(wrapper, "./p")
    assert len(find(paragraph, "./br")) >= len(seed_lines("002")) - 2
    for css in ("dteailstitel", "timetitle", "detailscont", "tags", "titelpage", "a2a_kit"):
        assert find(tree, f'//*[contains(concat(" ", @class, " "), " {css} ")]'), css


# --- HTTP behaviour ----------------------------------------------------------------------------


def test_gzip_when_accepted(server: ReplicaServer) -> None:
    page = (PAGES / "000_newarab.html").read_bytes()
    response, raw = get(server, path_of(NEWARAB), {"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Length"] == str(len(raw))
    assert response.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(raw) == page
    for refused in ({}, {"Accept-Encoding": "gzip;q=0, identity"}, {"Accept-Encoding": "br"}):
        response, raw = get(server, path_of(NEWARAB), refused)
        assert "Content-Encoding" not in response.headers
        assert raw == page


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *", False),
        ("identity", False),
        ("deflate, br", False),
        ("gzip;q=bogus", False),
        ("", False),
        (None, False),
    ],
)
def test_accepts_gzip(value: str | None, expected: bool) -> None:
    assert accepts_gzip(value) is expected


def test_chunked_framing_on_the_wire(server: ReplicaServer) -> None:
    path = path_of(TIMES_OF_ISRAEL)
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    head, _, framed = raw_exchange(server, request).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    fields = {name.lower(): value for name, _, value in (h.partition(": ") for h in lines[1:])}
    assert fields["transfer-encoding"] == "chunked"
    assert "content-length" not in fields
    sizes, body = [], b""
    while True:
        size_line, _, framed = framed.partition(b"\r\n")
        size = int(size_line, 16)
        sizes.append(size)
        body, trailer, framed = body + framed[:size], framed[size : size + 2], framed[size + 2 :]
        assert trailer == b"\r\n"
        if size == 0:
            break
    assert framed == b""
    assert body == (PAGES / "003_timesofisrael.html").read_bytes()
    assert len(sizes) > 3
    assert len(set(sizes[:-2])) > 2


def test_keep_alive_serves_several_requests_on_one_connection(server: ReplicaServer) -> None:
    host, port = urlsplit(server.url).netloc.split(":")
    connection = HTTPConnection(host, int(port), timeout=10)
    try:
        for path in ("/nowhere", path_of(TIMES_OF_ISRAEL), "/robots.txt", path_of(NEWARAB)):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert not response.will_close
    finally:
        connection.close()


def test_redirect_from_the_2017_url(server: ReplicaServer) -> None:
    response, body = get(server, path_of(ALARABY))
    assert response.status == 301
    assert response.headers["Location"] == replica_url(server.url, NEWARAB)
    assert response.headers["Content-Length"] == str(len(body))


def test_not_found(server: ReplicaServer) -> None:
    response, body = get(server, "/example.org/missing?page=2")
    assert response.status == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Warcproof-Replica"] == "reconstruction"
    assert b"<title>404 Not Found</title>" in body


def test_gone_route(server: ReplicaServer) -> None:
    response, body = get(server, GONE_410)
    assert response.status == 410
    assert b"Gone" in body
    assert get(server, path_of(DIYARUNA_004))[0].status == 200


def test_gone_hosts_answer_410_for_every_path() -> None:
    with ReplicaServer(gone_hosts=["Diyaruna.com"]) as gone:
        assert get(gone, path_of(DIYARUNA_004))[0].status == 410
        assert get(gone, "/diyaruna.com/anything/else")[0].status == 410
        assert get(gone, "/www.diyaruna.com/x")[0].status == 404
        assert get(gone, path_of(TIMES_OF_ISRAEL))[0].status == 200


def test_robots_allows_everything(server: ReplicaServer) -> None:
    response, body = get(server, "/robots.txt")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == b"User-agent: *\nAllow: /\n"


def test_cp1252_bytes_declared_utf8(server: ReplicaServer) -> None:
    response, body = get(server, "/_cases/cp1252-declared-utf8")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<meta charset="utf-8">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1252")
    assert "\u201cWe reopened the caf\u00e9" in text
    assert "\u2018busy but calm\u2019" in text


def test_no_charset_anywhere(server: ReplicaServer) -> None:
    response, body = get(server, "/_cases/no-charset")
    assert response.headers["Content-Type"] == "text/html"
    assert b"charset=" not in body.lower()
    assert b"<meta charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    iraqi_forces = (
        "\u0627\u0644\u0642\u0648\u0627\u062a \u0627\u0644\u0639\u0631\u0627\u0642\u064a\u0629"
    )
    assert iraqi_forces in body.decode("cp1256")


def test_standard_headers_and_head(server: ReplicaServer) -> None:
    response, body = get(server, path_of(DIYARUNA_004), method="HEAD")
    assert body == b""
    assert response.headers["Server"] == "warcproof-replica/0.1"
    assert parsedate_to_datetime(response.headers["Date"]).tzinfo is not None
    assert response.headers["Content-Length"] == str((PAGES / "004_diyaruna.html").stat().st_size)
    assert response.headers["X-Warcproof-Replica"] == "reconstruction"


def test_hits_are_counted_per_request_path() -> None:
    path = path_of(DIYARUNA_004)
    with ReplicaServer() as counted:
        threads = [threading.Thread(target=get, args=(counted, path)) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        get(counted, "/nowhere?x=1")
        assert counted.hits == {path: 12, "/nowhere?x=1": 1}


def test_edited_copy_of_the_pages_is_served_as_it_is_now(tmp_path: Path) -> None:
    pages = shutil.copytree(PAGES, tmp_path / "pages")
    page = pages / "004_diyaruna.html"
    path = path_of(DIYARUNA_004)
    with ReplicaServer(pages_dir=pages) as edited:
        before = get(edited, path)[1]
        page.write_bytes(before.replace(b"2,500 ISIL fighters", b"3,000 ISIL fighters"))
        after = get(edited, path)[1]
    assert b"2,500 ISIL fighters" in before
    assert b"3,000 ISIL fighters" in after
    assert (PAGES / "004_diyaruna.html").read_bytes() == before


def test_routes_file_problems_are_reported(tmp_path: Path) -> None:
    (tmp_path / "routes.toml").write_text('[[route]]\npath = "/a"\nfile = "missing.html"\n')
    with pytest.raises(RoutesError, match=r"missing\.html"):
        RouteTable.load(tmp_path)
    (tmp_path / "routes.toml").write_text('[[route]]\npath = "/a"\ncolour = "red"\n')
    with pytest.raises(RoutesError, match="colour"):
        RouteTable.load(tmp_path)
    (tmp_path / "routes.toml").write_text('[[route]]\npath = "/a"\nstatus = 301\n')
    with pytest.raises(RoutesError, match="location"):
        RouteTable.load(tmp_path)
    (tmp_path / "routes.toml").write_text('[[route]]\npath = "/a"\nstatus = 299\n')
    with pytest.raises(RoutesError, match="299"):
        RouteTable.load(tmp_path)
    (tmp_path / "routes.toml").write_text("[[route]\n")
    with pytest.raises(RoutesError, match="TOML"):
        RouteTable.load(tmp_path)


def test_packaged_routes_describe_every_seed_page() -> None:
    table = RouteTable.load()
    seeds = {route.seed for route in table if route.file}
    assert seeds >= {path.name.removesuffix(".txt") for path in SEEDS_DIR.glob("*.txt")}
    for route in table:
        if route.source_url is not None:
            assert route.path == path_of(route.source_url)
    (guess,) = [r for r in table if r.seed == "001_0e914d85ad094d08"]
    assert "GUESS" in guess.notes


@pytest.mark.crawl
def test_command_line_prints_its_url_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0", "--gone", "diyaruna.com"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:")
        assert int(url.rsplit(":", 1)[1]) > 0
        host, port = urlsplit(url).netloc.split(":")
        connection = HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path_of(DIYARUNA_004))
        assert connection.getresponse().status == 410
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert stderr == b""


def test_command_line_reports_bad_pages_and_busy_ports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--pages", str(tmp_path)]) == 2
    assert "routes.toml" in capsys.readouterr().err
    with ReplicaServer() as busy:
        assert main(["--port", busy.url.rsplit(":", 1)[1]]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_replica_never_imports_scrapy() -> None:
    code = "import sys, replica; assert 'scrapy' not in sys.modules, 'scrapy imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- URL mapping ---------------------------------------------------------------------------------


def test_replica_url_examples() -> None:
    base = "http://127.0.0.1:8080"
    assert replica_url(base, "https://newarab.com/news/x?y=1") == f"{base}/newarab.com/news/x?y=1"
    assert replica_url(base + "/", GULF_TIMES) == f"{base}/{GULF_TIMES.removeprefix('http://')}"
    assert replica_url(base, "https://user:pw@Example.org:8443#top") == f"{base}/Example.org:8443/"
    with pytest.raises(URLMappingError):
        replica_url(base, "ftp://example.org/file")
    with pytest.raises(URLMappingError):
        replica_url(base, "/relative/path")
    with pytest.raises(URLMappingError):
        source_url_from_replica(base, "http://elsewhere/newarab.com/", scheme="https")
    with pytest.raises(URLMappingError):
        source_url_from_replica(base, f"{base}/newarab.com/", scheme="gopher")


_hosts = st.from_regex(
    r"(www\.)?[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\.[a-z]{2,6}(:[1-9][0-9]{0,4})?", fullmatch=True
)
_path_text = st.text(
    alphabet=st.characters(
        codec="ascii", categories=["L", "N"], include_characters="-._~%!$&'()*+,;=:@"
    ),
    max_size=20,
)
_paths = st.lists(_path_text, max_size=5).map(lambda parts: "/" + "/".join(parts))
_queries = st.one_of(st.just(""), _path_text.filter(bool).map(lambda q: f"?{q}"))


@given(scheme=st.sampled_from(["http", "https"]), host=_hosts, path=_paths, query=_queries)
def test_source_url_round_trips_through_the_replica(
    scheme: str, host: str, path: str, query: str
) -> None:
    source = f"{scheme}://{host}{path}{query}"
    base = "http://127.0.0.1:8765"
    mapped = replica_url(base, source)
    assert mapped == f"{base}/{host}{path}{query}"
    assert source_url_from_replica(base, mapped, scheme=scheme) == source
