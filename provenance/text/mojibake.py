"""Text garbled by reading UTF-8 bytes as windows-1252 (or Latin-1), read back.

A page whose bytes are UTF-8 but that declares ISO-8859-1 or windows-1252 is shown garbled by a
browser ("â€œChooseâ€\u009d" for the quoted "Choose"), so a reader's copy of it carries the
garbling while the page, decoded from its bytes, does not. Each garbled character sequence is
the windows-1252 reading of one UTF-8 encoded character; only such sequences are read back, and
only when the character they give is one that such text holds (Latin letters, punctuation,
Greek, Cyrillic...), so ordinary text ("Fuß“") is never changed."""

from __future__ import annotations

import re

# The character a browser shows for each byte read as windows-1252: the five bytes windows-1252
# leaves undefined are read as the C1 control of the same number.
CP1252_AS_BROWSERS_READ = "".join(
    chr(byte) if char == "\ufffd" else char
    for byte, char in enumerate(bytes(range(256)).decode("cp1252", errors="replace"))
)
# Those of the bytes 0x80 to 0xBF (UTF-8 continuation bytes).
_CONTINUATION_CHARS = CP1252_AS_BROWSERS_READ[0x80:0xC0]
# Latin-1 reads those bytes as the C1 controls themselves.
_TO_BYTE = {char: 0x80 + k for k, char in enumerate(_CONTINUATION_CHARS)}
_TO_BYTE.update({chr(code): code for code in range(0x80, 0xA0)})
_CONT = "[" + re.escape("".join(_TO_BYTE)) + "]"
# A lead byte (0xC2-0xDF, 0xE0-0xEF, 0xF0-0xF4 read as Latin-1 letters) and its continuations.
_GARBLED = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}"
)
# Blocks a garbled character may decode into: C1 controls, Latin-1 and Latin Extended, IPA and
# spacing modifiers, Greek, Cyrillic, Hebrew, Arabic; general punctuation, currency and
# letterlike symbols, arrows; CJK punctuation and ideographs, kana, Hangul; full-width forms;
# emoji; the byte-order mark.
_PLAUSIBLE = (
    (0x0080, 0x02FF),
    (0x0370, 0x06FF),
    (0x2000, 0x21FF),
    (0x2600, 0x27BF),
    (0x3000, 0x30FF),
    (0x3400, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xFF00, 0xFFEF),
    (0x1F300, 0x1FAFF),
    (0xFEFF, 0xFEFF),
)
# A quick test: garbled text always holds one of the lead characters.
_LEADS = re.compile("[\u00c2-\u00f4]")


# A garbled no-break space whose second character a browser's copy made a plain space, or a
# text extractor squashed ("The\u00c2 World"): after a word, before a space.
_GARBLED_NBSP = re.compile("(?<=\\S)\u00c2(?= )")


def repaired(text: str) -> str:
    """``text`` with every garbled UTF-8 sequence read back as the character it encodes, again
    while that finds more (text garbled twice: "\u00c3\u201a\u00c2\u00bd" for "\u00bd")."""
    while not text.isascii() and _LEADS.search(text):
        again = _GARBLED_NBSP.sub("", _GARBLED.sub(_read_back, text))
        if again == text:
            break
        text = again
    return text


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def read_back_as(text: str, codec: str) -> str:
    """``text`` with each run of non-ASCII characters that is the ``codec`` reading of UTF-8
    bytes ("\u0432\u0402\u045a" in windows-1251, "\u82a6" in GBK) read back as the characters
    those bytes encode, when they are ones such text holds (see `_PLAUSIBLE`)."""

    def back(match: re.Match[str]) -> str:
        run = match.group()
        try:
            char = b"".join(_byte_as_read(c, codec) for c in run).decode("utf-8")
        except (UnicodeError, LookupError):
            return run
        return char if all(c.isascii() or _plausible(c) for c in char) else run

    return text if text.isascii() else _NON_ASCII.sub(back, text)


def _byte_as_read(char: str, codec: str) -> bytes:
    """The byte(s) ``codec`` writes ``char`` as; a C1 control stands for the byte of its number,
    which browsers show so where the codec leaves the byte undefined (0x98 in windows-1251)."""
    try:
        return char.encode(codec)
    except UnicodeEncodeError:
        if "\x80" <= char <= "\x9f":
            return bytes([ord(char)])
        raise


def _read_back(match: re.Match[str]) -> str:
    garbled = match.group()
    if "\u00a0" in garbled and garbled[0] not in "\u00c2\u00c3":
        # A letter before a no-break space ("\u00d8\u00a0" in Danish) is text as it is; the
        # garbled no-break space and "\u00e0" are the only common sequences holding one.
        return garbled
    data = bytes([ord(garbled[0]), *(_TO_BYTE[char] for char in garbled[1:])])
    try:
        char = data.decode("utf-8")
    except UnicodeDecodeError:
        return garbled
    return char if _plausible(char) else garbled


def _plausible(char: str) -> bool:
    """Whether ``char`` is one that text garbled so holds (see `_PLAUSIBLE`)."""
    code = ord(char)
    return any(low <= code <= high for low, high in _PLAUSIBLE)
