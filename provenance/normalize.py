"""Text normalisation shared by every comparison, and the digests computed over its output.

Two texts that a reader would call the same (curly vs straight quotes, en dash vs hyphen,
NBSP vs space, CRLF vs LF, soft hyphens) normalise to the same string. The function is total
(any ``str``, lone surrogates included) and idempotent. Bump ``NORMALIZER_VERSION`` whenever
its output changes for any input: recorded digests depend on it.
"""

import hashlib
import re
import unicodedata

NORMALIZER_VERSION = "warcproof-normalize/1"

_SINGLE_QUOTES = (
    "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\uff07`\u00b4\u02b9\u02bb\u02bc\u02bd"
)
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u02ba\u301d\u301e\u301f\uff02"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe31\ufe32\ufe58\ufe63\uff0d"
# Invisible format characters: soft hyphen, zero-width and joiner characters, bidi controls, BOM.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x061C, 0x061C),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
)

_TABLE: dict[int, str | None] = {
    **{ord(c): "'" for c in _SINGLE_QUOTES},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): "-" for c in _DASHES},
}
_TABLE.update(dict.fromkeys(cp for lo, hi in _INVISIBLE_RANGES for cp in range(lo, hi + 1)))

_SURROGATES = re.compile("[\ud800-\udfff]")
# Everything else str.splitlines() treats as a line boundary (CRLF is replaced first, so that it
# becomes one break).
_LINE_BREAKS = {ord(c): "\n" for c in "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize(text: str) -> str:
    """Return the canonical form of ``text`` used for every comparison and digest."""
    text = _SURROGATES.sub("", text)
    # Map before NFKC too: NFKC turns the acute accent into space + combining mark and the
    # double prime into two primes; and removing invisibles may let combining marks compose.
    text = text.translate(_TABLE)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_TABLE).replace("\r\n", "\n").translate(_LINE_BREAKS)
    # str.split() with no argument splits on exactly the white space that is left (every
    # isspace() character but the line breaks mapped above), so this collapses each run to one
    # space and strips every line; it is several times faster than a regular expression.
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


def normalized_digest(text: str) -> str:
    """Return ``"sha256:<hex>"`` of the UTF-8 encoding of ``normalize(text)``."""
    return "sha256:" + hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def bytes_digest(data: bytes) -> str:
    """Return ``"sha256:<hex>"`` of ``data`` as given."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
