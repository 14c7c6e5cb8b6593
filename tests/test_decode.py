from __future__ import annotations

import codecs
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from provenance.text.decode import declared_charsets, decode_html

TEXT = "“Mosul” – déjà vu"


def test_utf8_bytes_win_over_a_wrong_single_byte_declaration() -> None:
    body = f'<meta charset="ISO-8859-6"><meta charset="utf-8"><p>{TEXT}</p>'.encode()
    page = decode_html(body, "text/html; charset=ISO-8859-6")
    assert TEXT in page.text
    assert page.encoding == "utf-8"
    assert page.how == "utf-8 bytes"
    assert page.declared == ("iso-8859-6", "utf-8")
    assert page.conflict


def test_cp1252_bytes_declared_as_utf8_are_detected() -> None:
    body = f'<meta charset="utf-8"><p>{TEXT} and more ordinary text here</p>'.encode("cp1252")
    page = decode_html(body, "text/html; charset=utf-8")
    assert TEXT in page.text
    assert page.how in ("detected", "declared")


def test_stray_legacy_bytes_in_a_utf8_page_keep_it_utf8() -> None:
    # A windows-1252 apostrophe (0x92) pasted into a UTF-8 page: a browser reads the page as
    # UTF-8 and shows U+FFFD for that byte; reading the whole page as a legacy charset would
    # garble every other quote and accent.
    body = f'<meta charset="utf-8"><p>{TEXT}</p><p>'.encode() + b"don\x92t</p>"
    page = decode_html(body, "text/html")
    assert (page.encoding, page.how, page.conflict) == ("utf-8", "declared, stray bytes", False)
    assert TEXT in page.text
    assert "don\u2019t" in page.text


def test_a_legacy_page_declared_utf8_is_still_detected() -> None:
    russian = "Битва за Мосул продолжается уже несколько месяцев, сообщают источники"
    body = f'<meta charset="utf-8"><p>{russian}</p>'.encode("cp1251")
    page = decode_html(body, "text/html")
    assert (page.encoding, page.how) == ("cp1251", "detected")
    assert russian in page.text


def test_declared_charset_is_used_when_it_fits() -> None:
    arabic = "معركة الموصل"
    body = f"<p>{arabic}</p>".encode("cp1256")
    page = decode_html(body, "text/html; charset=windows-1256")
    assert arabic in page.text
    assert (page.encoding, page.how) == ("cp1256", "declared")


def test_bom_wins() -> None:
    page = decode_html(codecs.BOM_UTF16_LE + "<p>hi</p>".encode("utf-16-le"), "text/html")
    assert page.text == "<p>hi</p>"
    assert page.how == "bom"


def test_latin1_label_means_windows_1252() -> None:
    page = decode_html("<p>“x”</p>".encode("cp1252"), "text/html; charset=iso-8859-1")
    assert page.text == "<p>“x”</p>"


def test_declared_charsets_reads_header_and_meta() -> None:
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'
    assert declared_charsets(body, 'text/html; charset="UTF-8"') == ("utf-8", "iso-8859-6")


@given(st.binary(max_size=2000), st.one_of(st.none(), st.text(max_size=40)))
def test_any_bytes_decode_to_text(body: bytes, content_type: str | None) -> None:
    page = decode_html(body, content_type)
    assert isinstance(page.text, str)


def test_replica_charset_cases_decode_correctly() -> None:
    pages = Path(__file__).resolve().parent.parent / "replica" / "pages"
    arabic = decode_html((pages / "case_cp1256_no_charset.html").read_bytes(), "text/html")
    assert (arabic.encoding, arabic.how, arabic.declared) == ("cp1256", "detected", ())
    assert "القوات العراقية تتقدم نحو الموصل" in arabic.text
    latin = decode_html(
        (pages / "case_cp1252_declared_utf8.html").read_bytes(), "text/html; charset=utf-8"
    )
    assert (latin.encoding, latin.conflict) == ("cp1252", True)
    assert "é" in latin.text


def test_control_characters_are_removed_as_a_browser_shows_the_text() -> None:
    body = b"<p>offi\x1bcials\x07 said\x0cso\x00\x7f</p>\r\n\t"
    assert decode_html(body, "text/html; charset=utf-8").text == "<p>officials said so</p>\r\n\t"


def test_utf7_and_utf32_declarations_are_never_honoured() -> None:
    # "+ADw-script+AD4-" is "<script>" in UTF-7: a browser shows the bytes as they are.
    body = b"<p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>"
    for label in ("utf-7", "UTF-7", "utf-32"):
        page = decode_html(body, f"text/html; charset={label}")
        assert page.text == body.decode("ascii")
        assert page.encoding != "utf-7"
        assert page.conflict
