"""The address policy and Retry-After handling, as pure decisions (no traffic leaves loopback:
public origins here are only strings, never fetched)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.sources.http_policy import (
    addresses,
    is_public_address,
    refusal,
    retry_after_seconds,
)
from tests.conftest import downloader_middlewares, project_settings

PUBLIC = "http://93.184.216.34/article"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/admin",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_public_page_redirecting_into_a_private_network_is_refused(target: str) -> None:
    reason = refusal([PUBLIC], target)
    assert reason is not None
    assert "WARCPROOF_ALLOW_PRIVATE" in reason
    assert target in reason


@pytest.mark.parametrize(
    ("chain", "target"),
    [
        ([], "http://127.0.0.1/"),  # not a redirect: the user's own seed URL
        (["http://127.0.0.1:9/a"], "http://127.0.0.2/b"),  # private to private
        ([PUBLIC], "http://8.8.8.8/elsewhere"),  # public to public
    ],
)
def test_other_redirects_are_allowed(chain: list[str], target: str) -> None:
    assert refusal(chain, target) is None


def test_address_classes() -> None:
    assert is_public_address("93.184.216.34")
    assert not is_public_address("100.64.0.1")  # carrier-grade NAT
    assert not is_public_address("fc00::1")


def test_retry_after_values() -> None:
    now = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(" 3 ") == 3
    assert retry_after_seconds("Sat, 21 Nov 2026 10:00:30 GMT", now) == 30
    assert retry_after_seconds("Sat, 21 Nov 2026 09:00:00 GMT", now) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@given(st.text(max_size=60))
def test_retry_after_never_raises(value: str) -> None:
    result = retry_after_seconds(value)
    assert result is None or result >= 0


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:0:10.0.0.1",  # IPv4-translated
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:1::1",  # 6to4 of 192.168.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (inverted bits)
        "fe80::1%eth0",
        "0.0.0.0",
        "224.0.0.1",
        "not an address",
    ],
)
def test_every_spelling_of_a_private_address_is_private(address: str) -> None:
    assert not is_public_address(address)


def test_transition_forms_of_public_addresses_stay_public() -> None:
    assert is_public_address("64:ff9b::5db8:d822")  # NAT64 of 93.184.216.34
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1./",  # trailing dot
        "http://localhost./",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://no-such-host.invalid/",  # a failed lookup is refused, not allowed
    ],
)
def test_redirects_to_other_spellings_and_unresolvable_names_are_refused(target: str) -> None:
    reason = refusal([PUBLIC], target)
    assert reason is not None, target


def test_a_name_is_resolved_once_and_every_later_answer_is_the_pinned_one() -> None:
    first = addresses("localhost")
    assert first
    assert all(not is_public_address(a) for a in first)
    assert addresses("LOCALHOST") is first  # the same pinned answer, not a new lookup


def test_the_address_policy_runs_before_robots_txt_is_fetched() -> None:
    # A refused redirect target must not have its robots.txt fetched first (finding 7):
    # Scrapy calls process_request in this order.
    settings = project_settings()
    order = downloader_middlewares()
    policy = order.index("spiders.middlewares.addresspolicy.AddressPolicyMiddleware")
    robots = order.index("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware")
    assert policy < robots
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings["TWISTED_DNS_RESOLVER"] == "spiders.middlewares.addresspolicy.PinnedResolver"
