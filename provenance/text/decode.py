"""Decoding an HTML body to text when servers declare charsets that disagree with the bytes.

Order of trust: a byte-order mark; then the declared charsets (HTTP header, then <meta>), except
that bytes which are valid UTF-8 and not plain ASCII are read as UTF-8 whatever a single-byte
declaration says (legacy text almost never validates as UTF-8 by chance); then detection.
A page declared UTF-8 that is UTF-8 but for a few stray bytes (text pasted from a legacy editor:
a windows-1252 apostrophe among UTF-8 quotes) is read as UTF-8, as a browser reads it, each
stray byte read as windows-1252 where a browser shows U+FFFD: detection would read the whole
page in a legacy charset and garble every UTF-8 character in it.
Charsets browsers never honour (UTF-7, UTF-32) count as undeclared. The text comes out without
control characters (see `without_controls`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from provenance.text.mojibake import CP1252_AS_BROWSERS_READ

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
# WHATWG maps these labels to windows-1252, which is what servers that send them mean.
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
# The WHATWG Encoding standard forbids these (UTF-7 smuggles markup past filters); a page that
# declares one is read as if it declared nothing.
_NEVER_HONOURED = {"utf-7", "utf-32", "utf-32-le", "utf-32-be"}
_CP1252_CHAOS_MARGIN = 0.1
# C0 controls but tab, LF and CR, and DEL: browsers render none of them, and lxml and
# trafilatura lose a whole paragraph (or article) over one. Form feed is HTML whitespace.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoding:
    """How a page's bytes were read as text."""

    encoding: str  # Python codec name used
    # "bom" | "declared" | "declared, stray bytes" | "utf-8 bytes" | "detected" | "fallback"
    how: str
    declared: tuple[str, ...]  # every charset the response declared, header first

    @property
    def conflict(self) -> bool:
        """True when the declared charsets disagree with each other or with the decoding."""
        return any(_codec(label) != self.encoding for label in self.declared)

    @property
    def misread_as(self) -> str | None:
        """The codec a browser read the page's UTF-8 bytes in, when the first charset the page
        declares (the header's, else its own) is another: what a reader saw and copied was
        garbled so."""
        if self.encoding != "utf-8" or not self.declared:
            return None
        codec = _codec(self.declared[0])
        return None if codec in (None, "utf-8") else codec


@dataclass(frozen=True)
class DecodedPage(Decoding):
    text: str = ""

    @property
    def decoding(self) -> Decoding:
        return Decoding(self.encoding, self.how, self.declared)


def declared_charsets(body: bytes, content_type: str | None) -> tuple[str, ...]:
    labels: list[str] = []
    if content_type:
        labels += _HEADER_CHARSET.findall(content_type)
    labels += [m.decode("ascii", "replace") for m in _META_CHARSET.findall(body[:8192])]
    return tuple(dict.fromkeys(label.lower() for label in labels))


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _NEVER_HONOURED:
        return None
    return _WHATWG_ALIASES.get(name, name)


def without_controls(text: str) -> str:
    """`text` as a browser shows it: form feeds as spaces, other control characters removed."""
    return _CONTROLS.sub("", text.replace("\f", " "))


def decode_html(body: bytes, content_type: str | None = None) -> DecodedPage:
    page = _decode(body, content_type)
    text = without_controls(page.text)
    return page if text == page.text else DecodedPage(page.encoding, page.how, page.declared, text)


def _decode(body: bytes, content_type: str | None) -> DecodedPage:
    declared = declared_charsets(body, content_type)
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            unmarked = body[len(bom) :].decode(encoding, "replace")
            return DecodedPage(encoding, "bom", declared, text=unmarked)
    utf8_text = _try(body, "utf-8")
    is_ascii = body.isascii()
    for label in declared:
        codec = _codec(label)
        if codec is None:
            continue
        if codec != "utf-8" and utf8_text is not None and not is_ascii:
            return DecodedPage("utf-8", "utf-8 bytes", declared, text=utf8_text)
        as_declared = utf8_text if codec == "utf-8" else _try(body, codec)
        if as_declared is not None:
            return DecodedPage(codec, "declared", declared, text=as_declared)
        if codec == "utf-8" and (mixed := _utf8_with_stray_bytes(body)) is not None:
            return DecodedPage(codec, "declared, stray bytes", declared, text=mixed)
    if utf8_text is not None:
        return DecodedPage("utf-8", "utf-8 bytes", declared, text=utf8_text)
    codec = _detect(body)
    if codec is not None:
        detected = _try(body, codec)
        if detected is not None:
            return DecodedPage(codec, "detected", declared, text=detected)
    return DecodedPage("cp1252", "fallback", declared, text=body.decode("cp1252", "replace"))


def _stray_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    stray = error.object[error.start : error.end]
    return "".join(CP1252_AS_BROWSERS_READ[byte] for byte in stray), error.end


codecs.register_error("warcproof-stray-cp1252", _stray_as_cp1252)


def _utf8_with_stray_bytes(body: bytes) -> str | None:
    """``body`` read as UTF-8 with its stray bytes read as windows-1252, when it holds at least
    as many UTF-8 characters beyond ASCII as stray bytes; None when it does not (a legacy page
    declared UTF-8 by mistake, which detection reads)."""
    replaced = body.decode("utf-8", "replace")
    stray = replaced.count("\ufffd")
    wide = len(replaced) - len(replaced.encode("ascii", "ignore")) - stray
    if wide < stray:
        return None
    return body.decode("utf-8", "warcproof-stray-cp1252")


def _detect(body: bytes) -> str | None:
    """charset_normalizer's pick, except that windows-1252 (the web's commonest legacy charset)
    wins whenever it reads the bytes nearly as cleanly: short texts otherwise come out as
    look-alike code pages (cp1257, mac_roman) that garble a letter or two."""
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return None
    for match in matches:
        if _codec(match.encoding) == "cp1252" and match.chaos <= _CP1252_CHAOS_MARGIN:
            return "cp1252"
    return _codec(matches[0].encoding)


def _try(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
