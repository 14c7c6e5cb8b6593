"""The replica's web font: a well-formed TrueType file (read back here table by table, checksums
included), declared with @font-face in the stylesheet site.css @imports, served as font/ttf,
and loaded and drawn by a real browser from the running replica."""

from __future__ import annotations

import shutil
import struct
import subprocess
import urllib.request
from pathlib import Path

import pytest

from provenance.run.headless_chromium import FLAGS
from provenance.text.requisites import css_requisites
from replica.page_assets import assets
from replica.page_assets_font import FAMILY, FIRST_CODE_POINT, GLYPHS, mark_font


def tables(font: bytes) -> dict[bytes, bytes]:
    version, count = struct.unpack(">IH", font[:6])
    assert version == 0x00010000
    found = {}
    for n in range(count):
        tag, checksum, offset, length = struct.unpack(">4sIII", font[12 + 16 * n : 28 + 16 * n])
        data = font[offset : offset + length]
        padded = data + b"\0" * (-len(data) % 4)
        words = sum(struct.unpack(f">{len(padded) // 4}I", padded))
        if tag == b"head":  # its checksum is taken with the adjustment at zero
            words -= struct.unpack(">I", data[8:12])[0]
        assert words & 0xFFFFFFFF == checksum, tag
        found[tag] = data
    return found


def glyph_of(cmap: bytes, code_point: int) -> int:
    """Look a code point up in the font's format 4 subtable, as a renderer does."""
    (offset,) = struct.unpack(">I", cmap[8:12])
    table = cmap[offset:]
    assert struct.unpack(">H", table[:2])[0] == 4
    seg_count = struct.unpack(">H", table[6:8])[0] // 2
    field = [
        struct.unpack(f">{seg_count}H", table[start : start + 2 * seg_count])
        for start in (14, 16 + 2 * seg_count, 16 + 4 * seg_count)
    ]
    for end, start, delta in zip(*field, strict=True):
        if start <= code_point <= end:
            return (code_point + delta) % 0x10000
    return 0


def test_the_font_is_well_formed_truetype() -> None:
    font = mark_font()
    found = tables(font)
    assert {b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"name", b"OS/2",
            b"post"} <= set(found)  # fmt: skip
    padded = font + b"\0" * (-len(font) % 4)
    assert sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF == 0xB1B0AFBA
    assert struct.unpack(">I", found[b"head"][12:16])[0] == 0x5F0F3CF5
    (glyph_count,) = struct.unpack(">H", found[b"maxp"][4:6])
    assert glyph_count == len(GLYPHS) + 1  # and .notdef
    offsets = struct.unpack(f">{glyph_count + 1}I", found[b"loca"])
    assert offsets[-1] == len(found[b"glyf"])
    for number, contours in enumerate(GLYPHS, start=1):
        assert glyph_of(found[b"cmap"], FIRST_CODE_POINT + number - 1) == number
        glyph = found[b"glyf"][offsets[number] : offsets[number + 1]]
        assert struct.unpack(">h", glyph[:2])[0] == len(contours)
    assert glyph_of(found[b"cmap"], ord("A")) == 0  # the page's own text keeps its fonts
    assert FAMILY.encode("utf-16-be") in found[b"name"]


def test_the_font_is_declared_in_the_imported_stylesheet() -> None:
    base = "http://example.test/_static/"
    site = [r.url for r in css_requisites(assets()["site.css"][1], base + "site.css")]
    assert site[0] == base + "theme.css"
    theme = css_requisites(assets()["theme.css"][1], base + "theme.css")
    assert ("font", base + "mark.ttf") in [(r.kind, r.url) for r in theme]
    assert assets()["mark.ttf"] == ("font/ttf", mark_font())


@pytest.mark.external
def test_a_browser_loads_and_draws_the_font_from_the_replica(
    replica_origin: str, tmp_path: Path
) -> None:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed: run scripts/install.sh (Debian package chromium)")
    with urllib.request.urlopen(f"{replica_origin}/diyaruna.com/_static/mark.ttf") as answer:
        assert answer.headers["Content-Type"] == "font/ttf"
        assert answer.read() == mark_font()
    probe = tmp_path / "probe.html"
    probe.write_text(
        "<!DOCTYPE html><html><head>"
        f'<link rel="stylesheet" href="{replica_origin}/diyaruna.com/_static/site.css">'
        '</head><body><div class="rq-top"></div><p id="state">waiting</p><script>'
        f"document.fonts.load('32px \"{FAMILY}\"', '\\uE000').then(function (faces) {{"
        "document.getElementById('state').textContent = 'faces ' + faces.length + ' ' + "
        f"document.fonts.check('32px \"{FAMILY}\"', '\\uE000'); }}, function (error) {{"
        "document.getElementById('state').textContent = 'error ' + error; });"
        "</script></body></html>",
        "utf-8",
    )
    dom = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
         "--disable-web-security",  # the probe is a file: the font is another origin's
         "--virtual-time-budget=5000", "--dump-dom",
         probe.as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    ).stdout  # fmt: skip
    assert '<p id="state">faces 1 true</p>' in dom, dom[-500:]
