"""The requisites of the replica pages: stylesheets (one `@import`ing another, which declares a
web font with @font-face), small images generated in code (PNG built with zlib, SVG, WebP), a
TrueType font built in code (replica.page_assets_font), a script that changes the page (it
loads lazy images and adds a banner), and a framed document with its own stylesheet and image.

Served under ``/_static/NAME`` at the root or under any source host (``/HOST/_static/NAME``),
as real sites serve theirs: ETag, Last-Modified, a long Cache-Control, and 304 to a matching
If-None-Match or If-Modified-Since."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Callable, Mapping
from functools import cache
from urllib.parse import urlsplit

from replica.page_assets_font import mark_font
from replica.responses import Response

PREFIX = "/_static/"
LAST_MODIFIED = "Mon, 06 Feb 2017 09:30:00 GMT"
CACHE_CONTROL = "public, max-age=31536000, immutable"

# Lossless 1x1 WebP (a VP8L bitstream): the picture's first choice in browsers that render it.
_WEBP_1X1 = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


def png(width: int, height: int, colour: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """An 8-bit RGB PNG of `width` x `height`, each pixel's colour from `colour(x, y)`."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(colour(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _photo(width: int, height: int) -> bytes:
    """A landscape-like gradient: sky above, sand below, darker with distance."""

    def colour(x: int, y: int) -> tuple[int, int, int]:
        shade = 40 * x // width
        if y < height // 2:
            return 120 - shade // 2, 160 - shade // 2, 210 - shade
        return 200 - shade, 170 - shade, 110 - shade

    return png(width, height, colour)


def _logo_svg(fill: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">'
        f'<rect width="160" height="40" rx="6" fill="{fill}"/>'
        '<circle cx="20" cy="20" r="12" fill="#fff"/>'
        '<rect x="40" y="14" width="108" height="12" rx="3" fill="#fff" opacity="0.8"/></svg>'
    ).encode()


_SITE_CSS = b"""@import url("theme.css");
body { margin: 0; background: #fbfaf6; color: #222; font: 17px/1.55 Georgia, serif; }
header, .site-header { background: #7a1b1b url("pattern.svg") repeat-x; min-height: 64px; }
.rq-logo { display: block; width: 160px; height: 40px; margin: 12px; }
.rq-hero { display: block; width: 100%; max-width: 960px; height: auto; }
.rq-strip img { width: 120px; height: 60px; margin: 4px; }
"""
_THEME_CSS = b"""/* imported by site.css */
@font-face {
  font-family: "Replica Mark";
  src: url("mark.ttf") format("truetype");
  font-display: block;
}
/* The site's mark, drawn in the web font: generated content, so the page's text is unchanged. */
.rq-top::before {
  content: "\\E000\\E001\\E002\\E003";
  display: block;
  margin: 10px 12px 0;
  font: 32px/1 "Replica Mark";
  letter-spacing: 6px;
  color: #7a1b1b;
}
a { color: #7a1b1b; }
.rq-banner { height: 18px; background: #1b4f7a url("dot.png"); }
.rq-frame { width: 320px; height: 120px; border: 1px solid #bbb; }
footer, .site-footer { border-top: 4px solid #7a1b1b; }
"""
_APP_JS = b"""(function () {
  document.documentElement.className += " js";
  var lazy = document.querySelectorAll("img[data-src]");
  for (var i = 0; i < lazy.length; i++) {
    lazy[i].src = lazy[i].getAttribute("data-src");
    lazy[i].removeAttribute("data-src");
  }
  var banner = document.createElement("div");
  banner.className = "rq-banner";
  document.body.insertBefore(banner, document.body.firstChild);
})();
"""
_FRAME_HTML = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>frame</title>
<link rel="stylesheet" href="frame.css"></head>
<body><img src="frame-map.png" width="96" height="64" alt=""></body></html>
"""
_FRAME_CSS = b"body { margin: 0; background: #e8efe4; } img { margin: 8px; }\n"


@cache
def assets() -> Mapping[str, tuple[str, bytes]]:
    """Every asset by name: (content type, bytes)."""
    return {
        "site.css": ("text/css; charset=utf-8", _SITE_CSS),
        "theme.css": ("text/css; charset=utf-8", _THEME_CSS),
        "app.js": ("text/javascript; charset=utf-8", _APP_JS),
        "logo.svg": ("image/svg+xml", _logo_svg("#7a1b1b")),
        "pattern.svg": ("image/svg+xml", _logo_svg("#8e2a2a")),
        "hero-480.png": ("image/png", _photo(480, 240)),
        "hero-960.png": ("image/png", _photo(960, 480)),
        "lazy.png": ("image/png", png(120, 60, lambda x, y: (60 + x, 90, 120 + y))),
        "thumb.png": ("image/png", png(120, 60, lambda x, y: (200, 80 + y, 40 + x))),
        "thumb.webp": ("image/webp", _WEBP_1X1),
        "dot.png": ("image/png", png(4, 4, lambda x, y: (27 + 40 * ((x + y) % 2), 79, 122))),
        "icon.png": ("image/png", png(16, 16, lambda x, y: (122, 27 + 8 * x, 27 + 8 * y))),
        "share.png": ("image/png", png(60, 30, lambda x, y: (240, 200, 4 * x))),
        "mark.ttf": ("font/ttf", mark_font()),
        "frame.html": ("text/html; charset=utf-8", _FRAME_HTML),
        "frame.css": ("text/css; charset=utf-8", _FRAME_CSS),
        "frame-map.png": ("image/png", png(96, 64, lambda x, y: (90 + y, 140, 90 + x))),
    }


def asset_name(request_path: str) -> str | None:
    """The asset a request path names (at the root or under one source host), if any."""
    path = urlsplit(request_path).path
    at = path.find(PREFIX)
    if at < 0 or "/" in path[1:at]:
        return None
    name = path[at + len(PREFIX) :]
    return name if name in assets() else None


def answer_asset(
    name: str, if_none_match: str | None = None, if_modified_since: str | None = None
) -> Response:
    """The asset with caching headers; 304 when the client's copy is current."""
    content_type, body = assets()[name]
    etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
    headers = [
        ("Content-Type", content_type),
        ("ETag", etag),
        ("Last-Modified", LAST_MODIFIED),
        ("Cache-Control", CACHE_CONTROL),
    ]
    if if_none_match is not None:
        if etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*":
            return Response(304, headers)
    elif if_modified_since == LAST_MODIFIED:
        return Response(304, headers)
    return Response(200, headers, body)
