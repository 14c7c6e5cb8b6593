"""WARC file names (WARC 1.1 Annex C) build and parse back."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.errors import InvalidInputError
from archive.warc.naming import WarcName, parse_warc_filename, safe_host, warc_filename

WHEN = datetime(2026, 11, 21, 10, 13, 45, 123456, tzinfo=UTC)


def test_name_follows_annex_c() -> None:
    name = warc_filename("warcproof", WHEN, 7, 4242, "crawler-1.example.org")
    assert name == "warcproof-20261121101345123-00007-4242~crawler-1.example.org.warc.gz"


def test_name_parses_back() -> None:
    name = warc_filename("my-crawl.v2", WHEN, 123456, 1, "host")
    parsed = parse_warc_filename(name)
    assert parsed == WarcName(
        prefix="my-crawl.v2",
        timestamp=WHEN.replace(microsecond=123000),
        serial=123456,
        pid=1,
        host="host",
        is_open=False,
    )
    assert parsed.filename == name


def test_open_suffix_is_recognised() -> None:
    name = warc_filename("p", WHEN, 0, 9, "h")
    parsed = parse_warc_filename(name + ".open")
    assert parsed.is_open
    assert parsed.filename == name


def test_timestamp_is_utc() -> None:
    local = WHEN.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert warc_filename("p", local, 0, 1, "h") == warc_filename("p", WHEN, 0, 1, "h")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("vm", "vm"),
        ("my host~evil/../x", "my-host-evil-..-x"),
        ("", "localhost"),
        ("---", "localhost"),
        ("hôte.example", "h-te.example"),
    ],
)
def test_host_is_made_safe(raw: str, expected: str) -> None:
    assert safe_host(raw) == expected
    assert parse_warc_filename(warc_filename("p", WHEN, 0, 1, raw)).host == expected


@pytest.mark.parametrize("prefix", ["", "-lead", "a/b", "a~b", "a b", "é"])
def test_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(InvalidInputError):
        warc_filename(prefix, WHEN, 0, 1, "h")


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        warc_filename("p", datetime(2026, 1, 1), 0, 1, "h")


@pytest.mark.parametrize(
    "name",
    [
        "warcproof-20261121101345123-00007-4242~host.warc",
        "warcproof-2026112110134512-00007-4242~host.warc.gz",
        "warcproof-20261121101345123-0007-4242~host.warc.gz",
        "warcproof-20261121101345123-00007-4242-host.warc.gz",
        "warcproof-20261399101345123-00007-4242~host.warc.gz",
        "x.warc.gz",
    ],
)
def test_foreign_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_warc_filename(name)


@given(
    prefix=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    when=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
    ),
    serial=st.integers(0, 10**7),
    pid=st.integers(0, 2**22),
    host=st.text(max_size=30),
)
def test_any_name_parses_back(
    prefix: str, when: datetime, serial: int, pid: int, host: str
) -> None:
    parsed = parse_warc_filename(warc_filename(prefix, when, serial, pid, host))
    assert (parsed.prefix, parsed.serial, parsed.pid, parsed.host) == (
        prefix,
        serial,
        pid,
        safe_host(host),
    )
    assert parsed.timestamp == when.replace(microsecond=when.microsecond // 1000 * 1000)
