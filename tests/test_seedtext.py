from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from provenance.sources.manifest import sha256_file
from provenance.text.normalize import normalize
from provenance.text.seedtext import SeedTextError, decode_seed, read_seed

TEXT = "“Mosul” – déjà vu\r\nsecond line"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TEXT.encode("utf-8"), None),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), None),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), None),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), None),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_text_is_read(raw: bytes, encoding: str | None) -> None:
    seed = decode_seed(raw, "s.txt", encoding)
    assert seed.text == TEXT
    assert seed.raw == raw


def test_arabic_windows_1256_with_declared_encoding() -> None:
    text = "معركة الموصل"
    assert decode_seed(text.encode("cp1256"), "a.txt", "windows-1256").text == text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (TEXT.encode("cp1252"), r"s.txt: not valid utf-8 \(byte 0"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "s.txt: contains NUL bytes"),
        (b"", "s.txt: the file holds no text"),
        (b"  \n\n", "s.txt: the file holds no text"),
    ],
)
def test_refusals_name_file_and_problem(raw: bytes, message: str) -> None:
    with pytest.raises(SeedTextError, match=message):
        decode_seed(raw, "s.txt")


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends_do_not_change_the_normalized_text(newline: str) -> None:
    lines = ["First paragraph.", "", "Second paragraph."]
    seed = decode_seed(newline.join(lines).encode(), "s.txt")
    assert normalize(seed.text) == "First paragraph.\n\nSecond paragraph."


def test_a_50_mb_file_is_refused_but_its_integrity_still_checks(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        for _ in range(50):
            handle.write(b"A line of text that repeats. " * 36157)  # ~1 MB each
    with pytest.raises(SeedTextError, match=r"big.txt: 52\.\d MB is more than a copy"):
        read_seed(big)
    expected = hashlib.sha256(big.read_bytes()).hexdigest()
    assert sha256_file(big) == expected


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SeedTextError, match=r"absent\.txt: cannot read"):
        read_seed(tmp_path / "absent.txt")
