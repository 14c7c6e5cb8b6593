"""normalize(): the canonical text every comparison and digest is computed over."""

import re
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from provenance.text import normalize as normalize_module
from provenance.text.mojibake import read_back_as, repaired
from provenance.text.normalize import (
    NORMALIZER_VERSION,
    bytes_digest,
    match_key,
    normalize,
    normalized_digest,
)

# Characters that normalize() treats specially, mixed into generated text so examples hit them.
_TRICKY = (
    "\u2018\u2019\u201a\u201b\u2032\u00b4`\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00ad\u200b\u200d\ufeff"
    "\u00a0\u2009\u202f\u3000\t\r\n\x0b\x0c\x85\u2028\u2029 e\u0301\u1100\u1161\ufb01\uff21"
    "\ud800\udfff"
)
tricky_text = st.text(alphabet=st.sampled_from(_TRICKY) | st.characters(), max_size=80)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u2018a\u2019 \u201ab\u201b \u2032c\u00b4 `d\uff07", "'a' 'b' 'c' 'd'"),
        (
            "\u201ca\u201d \u201eb\u201f \u00abc\u00bb \u2033d\u2033 \uff02e\uff02",
            '"a" "b" "c" "d" "e"',
        ),
        (
            "a\u2010b\u2011c\u2012d\u2013e\u2014f\u2015g\u2212h\ufe58i\ufe63j\uff0dk",
            "a-b-c-d-e-f-g-h-i-j-k",
        ),
        ("soft\u00adhy\u200bphen\u200c\u200d\u2060\ufeff", "softhyphen"),
        ("a\u00a0\u2009\u202f\t \u3000b", "a b"),
        ("a\r\nb\rc\u2028d\u2029e\x85f", "a\nb\nc\nd\ne\nf"),
        ("  a  \n\n\n\n  b \n \n\n c  ", "a\n\nb\n\nc"),
        ("\ufb01ne \uff21\uff22 e\u0301 \u2026", "fine AB \u00e9 ..."),
        ("lone \ud800surrogate\udfff", "lone surrogate"),
        ("a -- b --- c\u2014\u2014d", "a - b - c-d"),
        ("- one\n* two\n\u2022 three", "one\ntwo\nthree"),
        ("| a | b |\n| --- | :-: |\n| c \\| d |", "a\nb\n\nc\nd"),
        ("", ""),
    ],
)
def test_maps_quotes_dashes_spaces_and_line_ends(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ('" The end', '"The end'),
        ("Update: We", "Update:We"),
        ("us- booyah", "us-booyah"),
        ("[ Tom's Guide ]", "[Tom's Guide]"),
        ("a , b", "a, b"),
        ("By Jane Doe - Nov 9", "By Jane Doe Nov 9"),
        ("Oslo \u2022 Politics", "Oslo Politics"),
        # A separator left at the end or start of a line or sentence.
        ("WASHINGTON (AP) -", "WASHINGTON (AP)"),
        ("Diary \u00b7", "Diary"),
        ("\u00b7 Did you go?", "Did you go?"),
    ],
)
def test_match_key_ignores_spaces_at_punctuation(one: str, other: str) -> None:
    assert match_key(normalize(one)) == match_key(normalize(other))
    assert match_key("a b") != match_key("ab")


def test_a_removed_invisible_lets_a_combining_mark_compose() -> None:
    assert normalize("e\u00ad\u0301") == "\u00e9"
    assert normalize(normalize("e\u00ad\u0301")) == "\u00e9"


@given(tricky_text)
def test_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(tricky_text)
def test_output_shape(text: str) -> None:
    out = normalize(text)
    assert not re.search(r"[^\S ]", out.replace("\n", ""))  # only spaces and newlines
    assert "\n\n\n" not in out
    assert "  " not in out
    assert all(line == line.strip() for line in out.split("\n"))
    assert out == out.strip()
    out.encode("utf-8")  # no surrogates left


def _dress(text: str) -> str:
    """Re-type a normalized text the way a web page or a word processor would."""
    for plain, fancy in (("'", "\u2019"), ('"', "\u201c"), ("-", "\u2014"), (" ", "\u00a0\t")):
        text = text.replace(plain, fancy)
    return "\ufeff" + text.replace("\n", "\r\n  ") + "\u2029"


@given(tricky_text)
def test_equal_normalized_texts_have_equal_digests(text: str) -> None:
    # A curly quote, dash or NBSP after one of these letters spells a UTF-8 character garbled
    # as windows-1252 ("\u00c3\u2014" is "\u00d7"): then dressing changes the text.
    assume(not re.search("[\u00c2-\u00f4]", normalize(text)))
    dressed = _dress(normalize(text))
    assert normalize(dressed) == normalize(text)
    assert normalized_digest(dressed) == normalized_digest(text)


def test_digest_formats() -> None:
    empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert bytes_digest(b"") == empty
    assert normalized_digest(" \r\n\u00ad ") == empty
    assert normalized_digest("\u201cHi\u201d") == bytes_digest(b'"Hi"')
    assert NORMALIZER_VERSION.startswith("warcproof-normalize/")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a \nb", "a\nb"),
        ("a\n b", "a\nb"),
        (" a\nb", "a\nb"),
        ("a\nb ", "a\nb"),
        ("a b\n\nc d", "a b\n\nc d"),
        ("a\x1fb\u1680c", "a b c"),
    ],
)
def test_spaces_at_line_ends_are_stripped(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


_SPACED = st.text(alphabet=st.sampled_from(" \n\tab.\u00e9\u2014\u1680\x1f"), max_size=40)


@given(_SPACED)
def test_every_line_is_its_words_joined_by_single_spaces(text: str) -> None:
    lines = normalize(text).split("\n")
    assert lines == [" ".join(line.split()) for line in lines]


def _every_step(text: str) -> str:
    """The normalizer's steps for non-ASCII text, each applied unconditionally."""
    once = _every_step_once(text)
    while (again := repaired(once)) != once:
        once = _every_step_once(again)
    return once


def _every_step_once(text: str) -> str:
    text = repaired(text)
    text = text.translate(normalize_module._TABLE)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(normalize_module._TABLE)
    text = normalize_module._BREAK_CHARS.sub("\n", text)
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    text = re.sub("-{2,}", "-", text)
    text = "\n".join(normalize_module._unmarked(line) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# Characters whose NFKC form holds characters the maps replace (U+2034, U+2057: primes),
# marks that compose, invisibles, a line separator, an ideographic space.
_MARKS = st.text(alphabet="e\u00e9\u0301\u00b4 \n\u2019'\u00ad\u2028\u2034\u2057\u3000")


@given(st.text() | _MARKS)
def test_steps_skipped_on_text_already_in_form_change_nothing(text: str) -> None:
    assert normalize(text) == _every_step(text)


_GARBLED_SAMPLES = [
    "\u201cChoose your own adventure\u201d \u2014 caf\u00e9, na\u00efve, 5\u00a0\u20ac",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u0395\u03bb\u03bb\u03ac\u03b4\u03b1, \u65e5\u672c",
    "It\u2019s \u00bd price\u2026 \u00a3\u00a010",
    "\ufeffA byte-order mark at the start",
]


@pytest.mark.parametrize("text", _GARBLED_SAMPLES)
@pytest.mark.parametrize("misread_as", ["cp1252", "latin-1"])
def test_utf8_read_as_a_single_byte_charset_normalizes_as_the_text(
    text: str, misread_as: str
) -> None:
    # As a browser shows a UTF-8 page declaring ISO-8859-1: bytes windows-1252 leaves undefined
    # become the C1 control of the same number.
    garbled = _garbled(text, misread_as)
    assert garbled != text
    assert normalize(garbled) == normalize(text)


@pytest.mark.parametrize(
    "text",
    [
        "Fu\u00df\u201c",  # a closing quote after a letter that leads UTF-8 bytes
        "\u00c3 la carte",
        "na\u00efve r\u00f4le \u00e9t\u00e9 \u00c0 bient\u00f4t",
        "\u00e2\u20ac",  # a sequence cut short stays as it is
        "\u00d8\u00a0The list",  # a letter before a no-break space
    ],
)
def test_ordinary_text_is_never_read_as_garbled(text: str) -> None:
    assert repaired(text) == text


def test_a_real_edit_inside_garbled_text_stays_an_edit() -> None:
    garbled = _garbled("\u201cthe 12 cases\u201d", "cp1252")
    assert normalize(garbled) == '"the 12 cases"'
    assert normalize(garbled.replace("12", "13")) != normalize('"the 12 cases"')


def _garbled(text: str, misread_as: str) -> str:
    """``text``'s UTF-8 bytes as a browser reads them in ``misread_as``: the bytes windows-1252
    leaves undefined become the C1 control of the same number."""
    return "".join(
        bytes([byte]).decode(misread_as, errors="ignore") or chr(byte)
        for byte in text.encode("utf-8")
    )


def _shown_as(text: str, codec: str) -> str:
    """``text``'s UTF-8 bytes as a browser shows them read in a single-byte ``codec`` (a byte
    it leaves undefined shown as the C1 control of its number)."""
    return "".join(
        bytes([byte]).decode(codec, errors="ignore") or chr(byte) for byte in text.encode("utf-8")
    )


@given(
    st.text(
        alphabet=st.sampled_from(
            "abc XYZ .,'\u201c\u201d\u2018\u2019\u2026\u2013\u00e9\u00fc"
            "\u041c\u043e\u0441\u043a\u0432\u0430\u0627\u0644\u00ab\u00bb"
        ),
        max_size=40,
    ),
    st.sampled_from(["cp1251", "cp1252", "cp1256"]),
)
def test_text_garbled_by_a_declared_charset_reads_back(text: str, codec: str) -> None:
    assert read_back_as(_shown_as(text, codec), codec) == text
    assert (
        read_back_as(text.encode("ascii", "ignore").decode(), codec)
        == text.encode("ascii", "ignore").decode()
    )
