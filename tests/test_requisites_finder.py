"""Finding a page's requisites in its HTML and stylesheets (provenance.text.requisites), and
the refusal of a public page's requisite on a private address, the requisite middlewares'
order and time cap (pure decisions: nothing is fetched)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Request

from provenance.text.requisites import css_requisites, html_requisites, pick_srcset
from replica.hostile import answer_hostile
from replica.page_assets import assets
from replica.routes import DEFAULT_PAGES_DIR
from spiders.middlewares.requisite_guard import (
    DEADLINE_KEY,
    RequisiteTimeoutMiddleware,
    RequisiteTimeUp,
    requisite_refusal,
)
from tests.conftest import downloader_middlewares

BASE = "http://example.org/news/article"


def urls(body: bytes, **kwargs: bool) -> list[tuple[str, str]]:
    return [(r.url, r.kind) for r in html_requisites(body, BASE, **kwargs)]


def test_every_kind_of_requisite_is_found_in_document_order() -> None:
    page = b"""<html><head>
    <link rel="stylesheet" href="/css/site.css"><link rel="alternate stylesheet" href="/alt.css">
    <link rel="shortcut icon" href="/favicon.ico"><link rel="preload" as="font" href="f.woff2">
    <meta property="og:image" content="https://cdn.example.org/share.jpg">
    <script src="app.js"></script><script>var inline = 1;</script>
    <style>@import "print.css"; body { background: url('bg.png') }</style>
    </head><body style="background-image: url(body.png)">
    <img src="a.png"><img src="data:image/png;base64,AAAA"><img src="javascript:alert(1)">
    <img data-src="lazy.png" src="placeholder.gif"><img data-srcset="l1.png 1x, l2.png 2x">
    <iframe src="/embed/map.html"></iframe>
    <video src="clip.mp4" poster="poster.jpg"></video><a href="not-a-requisite.html">x</a>
    <img src="a.png#again">
    </body></html>"""
    assert urls(page) == [
        ("http://example.org/css/site.css", "stylesheet"),
        ("http://example.org/favicon.ico", "icon"),
        ("http://example.org/news/f.woff2", "font"),
        ("https://cdn.example.org/share.jpg", "image"),
        ("http://example.org/news/app.js", "script"),
        ("http://example.org/news/print.css", "stylesheet"),
        ("http://example.org/news/bg.png", "image"),
        ("http://example.org/news/body.png", "image"),
        ("http://example.org/news/a.png", "image"),
        ("http://example.org/news/placeholder.gif", "image"),
        ("http://example.org/news/lazy.png", "image"),
        ("http://example.org/news/l1.png", "image"),
        ("http://example.org/embed/map.html", "frame"),
    ]
    with_media = urls(page, media=True)
    assert ("http://example.org/news/clip.mp4", "media") in with_media
    assert ("http://example.org/news/poster.jpg", "image") in with_media


def test_what_follows_a_stray_end_of_html_is_found_as_a_browser_loads_it() -> None:
    # Pages assembled from templates often end one document and go on with another.
    page = b"""<html><head><script src="first.js"></script></head><body><p>Text</p>
    </body></html><html><script src="after.js"></script><img src="late.png"></html>"""
    assert urls(page) == [
        ("http://example.org/news/first.js", "script"),
        ("http://example.org/news/after.js", "script"),
        ("http://example.org/news/late.png", "image"),
    ]


def test_base_href_and_picture_choose_as_a_desktop_browser_does() -> None:
    page = b"""<html><head><base href="https://static.example.org/s/"></head><body>
    <picture><source media="(max-width: 600px)" srcset="small.webp">
    <source type="image/jxl" srcset="x.jxl"><source type="image/webp" srcset="big.webp 1x">
    <img src="fallback.jpg"></picture>
    <picture><source type="image/jxl" srcset="only.jxl"><img src="plain.jpg"></picture>
    </body></html>"""
    assert [u for u, _ in urls(page)] == [
        "https://static.example.org/s/big.webp",
        "https://static.example.org/s/plain.jpg",
    ]


def test_srcset_pick() -> None:
    assert pick_srcset("a.png 480w, b.png 960w, c.png 1920w") == "c.png"  # 100vw of 1280
    assert pick_srcset("a.png 480w, b.png 960w", "(max-width: 600px) 100vw, 960px") == "b.png"
    assert pick_srcset("a.png 1x, b.png 2x") == "a.png"
    assert pick_srcset("a.png 0.5x, b.png 0.75x") == "b.png"  # none dense enough: the densest
    assert pick_srcset("image,with,commas.png 1x, other.png 2x") == "image,with,commas.png"
    assert pick_srcset("bad.png 10h") is None
    assert pick_srcset("") is None


def test_a_srcset_of_500_candidates_gives_one_url() -> None:
    page = answer_hostile("/h/_hostile/srcset?n=500")
    assert page is not None
    found = [u for u, _ in urls(page.body) if "cand-" in u]
    assert found == ["http://example.org/news/cand-1300.png"]  # the first >= 1280 px wide


def test_css_imports_and_urls() -> None:
    css = b"""/* @import "commented.css"; url(commented.png) */
    @import url("a.css") screen; @import 'b.css';
    @font-face { font-family: X; src: url(fonts/x.woff2) format("woff2"), url(x.ttf); }
    .a { background: url( "img/a.png" ) } .b { background: url(data:image/png;base64,AA) }"""
    assert [(r.url, r.kind) for r in css_requisites(css, "http://e.org/css/site.css")] == [
        ("http://e.org/css/a.css", "stylesheet"),
        ("http://e.org/css/b.css", "stylesheet"),
        ("http://e.org/css/fonts/x.woff2", "font"),
        ("http://e.org/css/x.ttf", "font"),
        ("http://e.org/css/img/a.png", "image"),
    ]
    # A comment separates tokens: "ur/**/l(" is no url(, "URL(" is one (CSS is case-blind).
    found = css_requisites(
        ".c { background: ur/**/l(x.png) } .d { background: URL(y.png) }", "http://e.org/"
    )
    assert [r.url for r in found] == ["http://e.org/y.png"]


def test_replica_pages_name_their_generated_requisites() -> None:
    for page in sorted(DEFAULT_PAGES_DIR.glob("00[0-4]_*.html")):
        found = {u.rsplit("/", 1)[1] for u, _ in urls(page.read_bytes())}
        for name in ("site.css", "app.js", "logo.svg", "hero-960.png", "lazy.png"):
            assert name in found, (page.name, name)
        assert {"thumb.webp", "frame.html", "icon.png", "share.png"} <= found
        assert "hero-480.png" not in found  # the srcset candidate a desktop browser skips
    png = assets()["hero-960.png"][1]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR"


def test_a_public_page_cannot_name_a_requisite_on_a_private_address() -> None:
    public = "http://93.184.216.34/article"
    reason = requisite_refusal(public, "http://10.0.0.1/pixel.png")
    assert reason is not None
    assert "names a requisite on a private address" in reason
    assert requisite_refusal(public, "http://8.8.8.8/pixel.png") is None
    assert requisite_refusal("http://127.0.0.1:8080/page", "http://127.0.0.1:8080/a.png") is None


@given(st.binary(max_size=2000), st.text(max_size=300))
def test_finders_never_raise(body: bytes, css: str) -> None:
    for requisite in html_requisites(body, BASE) + css_requisites(css, BASE):
        assert requisite.url.startswith(("http://", "https://"))
    pick_srcset(css)


def test_the_requisite_guard_runs_before_robots_txt_and_the_timeout_cap_after_the_default() -> None:
    """A refused requisite's robots.txt is not fetched; the cap sees Scrapy's download timeout."""
    order = downloader_middlewares()
    guard = order.index("spiders.middlewares.requisite_guard.RequisiteGuardMiddleware")
    cap = order.index("spiders.middlewares.requisite_guard.RequisiteTimeoutMiddleware")
    robots = order.index("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware")
    timeout = order.index("scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware")
    assert guard < robots
    assert timeout < cap


def test_the_timeout_cap_keeps_a_shorter_timeout_and_drops_a_requisite_out_of_time() -> None:
    cap = RequisiteTimeoutMiddleware()
    soon = Request("http://example.org/a.png", meta={DEADLINE_KEY: time.time() + 30})
    soon.meta["download_timeout"] = 180.0  # as DownloadTimeoutMiddleware sets it
    cap.process_request(soon)
    assert 0 < soon.meta["download_timeout"] <= 30
    short = Request("http://example.org/b.png", meta={DEADLINE_KEY: time.time() + 30})
    short.meta["download_timeout"] = 3.0
    cap.process_request(short)
    assert short.meta["download_timeout"] == 3.0
    late = Request("http://example.org/c.png", meta={DEADLINE_KEY: time.time() - 1})
    with pytest.raises(RequisiteTimeUp):
        cap.process_request(late)
