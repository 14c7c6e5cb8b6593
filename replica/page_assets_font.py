"""A small TrueType web font built in code for the replica pages: "Replica Mark", four
geometric glyphs (square, triangle, diamond, frame) on private-use code points U+E000 to
U+E003, which the theme stylesheet draws in a `::before` mark, so the page's text is unchanged.

Only the tables a browser's font sanitizer requires (cmap, glyf, head, hhea, hmtx, loca, maxp,
name, OS/2, post), each built from the OpenType specification's layouts; outlines are straight
on-curve contours, clockwise outside and anticlockwise for a hole."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import cache

FAMILY = "Replica Mark"
FIRST_CODE_POINT = 0xE000
UNITS_PER_EM = 1000
ASCENT, DESCENT = 800, 200
ADVANCE = 800

Contour = Sequence[tuple[int, int]]
# Each glyph's contours, in font units (y up); TrueType fills clockwise outer contours.
GLYPHS: tuple[tuple[Contour, ...], ...] = (
    (((100, 0), (100, 600), (700, 600), (700, 0)),),  # square
    (((100, 0), (400, 650), (700, 0)),),  # triangle
    (((400, -50), (100, 300), (400, 650), (700, 300)),),  # diamond
    (  # a frame: the outer square, the hole drawn the other way round
        ((100, 0), (100, 600), (700, 600), (700, 0)),
        ((250, 150), (550, 150), (550, 450), (250, 450)),
    ),
)


def _glyph(contours: Sequence[Contour]) -> bytes:
    """A simple glyph: every point on the curve, coordinates as 16-bit deltas."""
    if not contours:
        return b""
    points = [point for contour in contours for point in contour]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    ends, total = [], 0
    for contour in contours:
        total += len(contour)
        ends.append(total - 1)
    deltas_x = [x - previous for x, previous in zip(xs, [0, *xs[:-1]], strict=True)]
    deltas_y = [y - previous for y, previous in zip(ys, [0, *ys[:-1]], strict=True)]
    data = struct.pack(">hhhhh", len(contours), min(xs), min(ys), max(xs), max(ys))
    data += struct.pack(f">{len(ends)}H", *ends) + struct.pack(">H", 0)  # no instructions
    data += bytes([0x01] * len(points))  # on curve, 16-bit deltas
    data += struct.pack(f">{len(points)}h", *deltas_x) + struct.pack(f">{len(points)}h", *deltas_y)
    return data + b"\0" * (len(data) % 2)


def _cmap(glyph_count: int) -> bytes:
    """Format 4: one segment for the mark's code points, then the required 0xFFFF one."""
    first, last = FIRST_CODE_POINT, FIRST_CODE_POINT + glyph_count - 1
    ends, starts = (last, 0xFFFF), (first, 0xFFFF)
    deltas = ((1 - first) % 0x10000, 1)  # glyph 1 is the first mark; glyph 0 is .notdef
    seg_count = len(ends)
    search_range = 2 * 2 ** (seg_count.bit_length() - 1)
    body = struct.pack(f">{seg_count}H", *ends) + b"\0\0" + struct.pack(f">{seg_count}H", *starts)
    body += struct.pack(f">{seg_count}H", *deltas) + struct.pack(f">{seg_count}H", 0, 0)
    head = struct.pack(
        ">HHHHHHH",
        4,
        14 + len(body),
        0,
        seg_count * 2,
        search_range,
        search_range.bit_length() - 2,
        seg_count * 2 - search_range,
    )
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + head + body


def _name() -> bytes:
    names = {
        1: FAMILY,
        2: "Regular",
        3: "warcproof replica: Replica Mark Regular",
        4: f"{FAMILY} Regular",
        5: "Version 1.000",
        6: "ReplicaMark-Regular",
    }
    records, strings = b"", b""
    for name_id, text in names.items():
        encoded = text.encode("utf-16-be")
        records += struct.pack(">HHHHHH", 3, 1, 0x409, name_id, len(encoded), len(strings))
        strings += encoded
    return struct.pack(">HHH", 0, len(names), 6 + len(records)) + records + strings


def _os2(glyph_count: int) -> bytes:
    return struct.pack(
        ">HhHHHhhhhhhhhhhh10s4I4sHHHhhhHHIIhhHHH",
        4,  # version
        ADVANCE,
        400,  # regular weight
        5,  # normal width
        0,  # installable embedding
        650, 600, 0, 75, 650, 600, 0, 350,  # sub- and superscript sizes and offsets
        50, 300,  # strikeout size and position
        0,  # no family class
        b"\0" * 10,  # panose
        0, 0, 1 << 28, 0,  # Unicode ranges: bit 60, the Private Use Area
        b"WPRF",
        0x40,  # regular
        FIRST_CODE_POINT,
        FIRST_CODE_POINT + glyph_count - 1,
        ASCENT, -DESCENT, 0,  # typographic ascender, descender, line gap
        ASCENT, DESCENT,  # Windows ascent and descent
        1, 0,  # code page ranges: Latin 1
        500, 600,  # x-height, cap height
        0, 0x20, 1,  # default char, break char, max context
    )  # fmt: skip


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _font(tables: dict[bytes, bytes]) -> bytes:
    """The table directory and the tables, 4-byte aligned, with head's checksum adjustment."""
    count = len(tables)
    search_range = 16 * 2 ** (count.bit_length() - 1)
    directory = struct.pack(
        ">IHHHH", 0x00010000, count, search_range, count.bit_length() - 1, count * 16 - search_range
    )
    offset = 12 + 16 * count
    body = b""
    head_at = 0
    for tag in sorted(tables):
        data = tables[tag]
        if tag == b"head":
            head_at = offset + len(body)
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = directory + body
    adjustment = (0xB1B0AFBA - _checksum(font)) & 0xFFFFFFFF
    at = head_at + 8  # head's checkSumAdjustment field
    return font[:at] + struct.pack(">I", adjustment) + font[at + 4 :]


@cache
def mark_font() -> bytes:
    """The font file (TrueType, `font/ttf`)."""
    outlines = [(), *GLYPHS]  # glyph 0, .notdef, is empty
    glyphs = [_glyph(contours) for contours in outlines]
    offsets = [0]
    for glyph in glyphs:
        offsets.append(offsets[-1] + len(glyph))
    points = [(x, y) for contours in GLYPHS for contour in contours for x, y in contour]
    x_min, y_min = min(x for x, _ in points), min(y for _, y in points)
    x_max, y_max = max(x for x, _ in points), max(y for _, y in points)
    count = len(glyphs)
    lsbs = [min((x for c in contours for x, _ in c), default=0) for contours in outlines]
    head = struct.pack(
        ">IIIIHHqqhhhhHHhhh",
        0x00010000,  # version
        0x00010000,  # font revision 1.0
        0,  # checksum adjustment, set once the whole font is laid out
        0x5F0F3CF5,  # magic number
        0x000B,  # baseline at y=0, left sidebearing at x=0, integer scaling
        UNITS_PER_EM,
        0, 0,  # created, modified (seconds since 1904): left at zero, the build is reproducible
        x_min, y_min, x_max, y_max,
        0,  # mac style
        8,  # smallest readable size in pixels
        2,  # font direction hint
        1,  # long loca offsets
        0,  # glyph data format
    )  # fmt: skip
    hhea = struct.pack(
        ">IhhhHhhhhhhhhhhhH",
        0x00010000,
        ASCENT, -DESCENT, 0,
        ADVANCE,
        min(lsbs), ADVANCE - x_max, x_max,  # min left and right side bearings, max x extent
        1, 0, 0,  # caret slope rise, run, offset
        0, 0, 0, 0,
        0,  # metric data format
        count,  # every glyph has its own advance
    )  # fmt: skip
    contour_counts = [len(contours) for contours in GLYPHS]
    point_counts = [sum(len(c) for c in contours) for contours in GLYPHS]
    maxp = struct.pack(
        ">IHHHHHHHHHHHHHH",
        0x00010000, count, max(point_counts), max(contour_counts),
        0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    hmtx = b"".join(struct.pack(">Hh", ADVANCE, lsb) for lsb in lsbs)
    post = struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0)
    return _font(
        {
            b"cmap": _cmap(len(GLYPHS)),
            b"glyf": b"".join(glyphs),
            b"head": head,
            b"hhea": hhea,
            b"hmtx": hmtx,
            b"loca": struct.pack(f">{count + 1}I", *offsets),
            b"maxp": maxp,
            b"name": _name(),
            b"OS/2": _os2(len(GLYPHS)),
            b"post": post,
        }
    )
