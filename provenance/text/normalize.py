"""Text normalisation shared by every comparison, and the digests computed over its output.

Two texts that a reader would call the same normalise to the same string: curly and straight
quotes; dashes and their ASCII spellings (en/em dash, ``-``, ``--``, ``---``); NBSP, full-width
forms and ligatures (NFKC); soft hyphens and zero-width characters; CRLF and LF; and the markup a
text extractor writes for lists and tables (a leading bullet ``- item``, table rows
``| a | b |``, whose cells become lines). ``match_key`` goes further for equality tests only:
white space next to punctuation (which inline tags put in or take out) does not count. The
function is total (any ``str``, lone surrogates included) and idempotent. Bump
``NORMALIZER_VERSION`` whenever its output changes for any input: recorded digests depend on it.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from provenance.text.mojibake import repaired

NORMALIZER_VERSION = "warcproof-normalize/3"
# What the normalizer makes equal, recorded with every comparison's evidence.
NORMALIZER_RULES = (
    "quotes: curly and straight",
    "dashes: en, em, minus and ASCII runs (-, --, ---) are one hyphen",
    "NFKC: NBSP, full-width forms, ligatures",
    "removed: soft hyphens, zero-width and bidi characters",
    "line ends: CRLF, CR, NEL, LS, PS; white space runs collapsed",
    "lists and tables: a leading bullet (- * \u2022 \u00b7) dropped; table cells one per line",
    "matching only: white space next to punctuation, a lone separator (- \u2022 \u00b7) ignored",
    "mis-decoding: UTF-8 text garbled as windows-1252 or Latin-1 (\u00e2\u20ac\u201c) read back",
)

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

# Lone surrogates are deleted along with the invisibles.
_TABLE.update(dict.fromkeys(range(0xD800, 0xE000)))
# Everything else str.splitlines() treats as a line boundary (CRLF is replaced first, so that it
# becomes one break).
_LINE_BREAKS = {ord(c): "\n" for c in "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
_BLANK_LINES = re.compile(r"\n{3,}")
# White space other than space and newline that is left after the maps and NFKC (checked over
# every code point): the only characters a line's split-and-join can change, besides spaces.
_KEPT_SPACES = "\t\x1f\u1680"


def _char_class(codepoints: Iterable[int]) -> str:
    return "[" + "".join(f"\\U{cp:08x}" for cp in sorted(codepoints)) + "]"


# str.translate is fast on ASCII text only (some 50 ns a character otherwise), so other text is
# mapped with a regular expression that finds the few characters to replace.
_TABLE_CHARS = re.compile(_char_class(_TABLE))
_TABLE_STR = {chr(cp): value or "" for cp, value in _TABLE.items()}
_BREAK_CHARS = re.compile("\r\n?|" + _char_class(_LINE_BREAKS))
_ASCII_MAP = {cp: value for cp, value in (_TABLE | _LINE_BREAKS).items() if cp < 128}


def normalize(text: str) -> str:
    """Return the canonical form of ``text`` used for every comparison and digest."""
    text = _normalized_once(text)
    # Removing an invisible or composing a mark may leave a garbled sequence whole again: each
    # repair shortens the text, so this ends.
    while not text.isascii() and (again := repaired(text)) != text:
        text = _normalized_once(again)
    return text


def _normalized_once(text: str) -> str:
    if text.isascii():
        # NFKC leaves ASCII as it is and no mapped value is itself mapped, so one pass does.
        if any(chr(cp) in text for cp in _ASCII_MAP):
            text = text.replace("\r\n", "\n").translate(_ASCII_MAP)
    else:
        # First: the garbling spells quotes and spaces with characters the maps replace.
        text = repaired(text)
        # Map before NFKC too: NFKC turns the acute accent into space + combining mark and the
        # double prime into two primes; and removing invisibles may let combining marks compose.
        text = _table_mapped(text)
        # Most text is NFKC already (a quick check): then the second mapping would find nothing.
        if not unicodedata.is_normalized("NFKC", text):
            text = _table_mapped(unicodedata.normalize("NFKC", text))
        text = _BREAK_CHARS.sub("\n", text)
    if not _is_clean(text):
        # str.split() with no argument splits on exactly the white space that is left (every
        # isspace() character but the line breaks mapped above), so this collapses each run to
        # one space and strips every line; it is several times faster than a regular expression.
        text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    if "--" in text:
        text = _DASH_RUN.sub("-", text)
    if "|" in text or _BULLET_CHARS.search(text):
        text = _MARKED_LINE.sub(_unmarked_match, text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")


_DASH_RUN = re.compile("-{2,}")
_BULLET_CHARS = re.compile("(?:^|\n)[-*\u2022\u00b7\u25aa\u25e6\u2023] ")
_BULLET = re.compile("(?:[-*\u2022\u00b7\u25aa\u25e6\u2023] )+")


# A line holding a table pipe or starting with a bullet (only those lines are rewritten).
_MARKED_LINE = re.compile(
    "^(?:[^\n|]*\\|[^\n]*|[-*\u2022\u00b7\u25aa\u25e6\u2023] [^\n]*)$", re.MULTILINE
)


def _unmarked_match(match: re.Match[str]) -> str:
    return _unmarked(match.group())


def _unmarked(line: str) -> str:
    """A line without an extractor's list bullet, and a table row as one line per cell."""
    if "|" in line:
        cells = (cell.strip() for cell in line.replace("\\|", "|").split("|"))
        return "\n".join(_unbulleted(cell) for cell in cells if cell.strip("-:"))
    return _unbulleted(line)


def _unbulleted(line: str) -> str:
    match = _BULLET.match(line)
    return line[match.end() :].strip() if match else line


# A space with a non-word character before or after it. The literal space first lets the
# engine skip to the spaces (normalized text has no runs of them).
_UNSPACED = re.compile(r" (?:(?<=[^\w\n] )|(?![\w\n]))")


# A separator standing alone between words ("By Jane Doe - Nov 9", "Oslo \u2022 Politics"):
# pages often draw it with CSS or an image, so a copy may have it where the page text has not.
_SEPARATOR = re.compile(" [-\u2022\u00b7|] (?=\\S)")


# The same separator at either end of a text: where a line or a sentence was cut from what
# follows ("WASHINGTON (CBS News) -" as a line of its own, "Diary \u00b7" before a new item).
_EDGE_SEPARATOR = re.compile("^[-\u2022\u00b7|] (?=\\S)| [-\u2022\u00b7|]$")
_EDGE_SEPARATORS = frozenset(("- ", "\u2022 ", "\u00b7 ", "| ", " -", " \u2022", " \u00b7", " |"))


# A comparison asks for the key of the same unit or page line several times (about four calls
# for each distinct text): each distinct text is keyed once, some pages' worth kept.
@lru_cache(maxsize=4096)
def match_key(normalized_text: str) -> str:
    """The form in which two normalized texts are compared for equality: spaces that touch
    punctuation are dropped (`" The` = `"The`, `Update: We` = `Update:We`), and so is a
    separator standing alone between words or at either end."""
    if " " not in normalized_text or normalized_text.isalnum():
        return normalized_text
    if " - " in normalized_text or "\u2022" in normalized_text or "\u00b7" in normalized_text:
        normalized_text = _SEPARATOR.sub(" ", normalized_text)
    if normalized_text[:2] in _EDGE_SEPARATORS or normalized_text[-2:] in _EDGE_SEPARATORS:
        normalized_text = _EDGE_SEPARATOR.sub("", normalized_text)
    return _UNSPACED.sub("", normalized_text)


def _table_mapped(text: str) -> str:
    """``text`` with the table's characters replaced, one distinct character at a time (no
    replacement is itself replaced): a page has thousands of curly quotes but few kinds."""
    for char in set(_TABLE_CHARS.findall(text)):
        text = text.replace(char, _TABLE_STR[char])
    return text


def _is_clean(text: str) -> bool:
    """Whether every line of ``text`` is already its words joined by single spaces."""
    if "  " in text or any(space in text for space in _KEPT_SPACES):
        return False
    # One split and a look at each line's ends is faster than searching for " \n" and "\n ":
    # a two-character search visits every character.
    return not any(line[:1] == " " or line[-1:] == " " for line in text.split("\n"))


def normalized_digest(text: str) -> str:
    """Return ``"sha256:<hex>"`` of the UTF-8 encoding of ``normalize(text)``."""
    return bytes_digest(normalize(text).encode("utf-8"))


def bytes_digest(data: bytes) -> str:
    """Return ``"sha256:<hex>"`` of ``data`` as given."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
