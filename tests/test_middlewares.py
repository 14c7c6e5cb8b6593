"""The address policy and Retry-After handling, as pure decisions (no traffic leaves loopback:
public origins here are only strings, never fetched)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spiders.middlewares.addresspolicy import is_public_address, refusal
from spiders.middlewares.retryafter import retry_after_seconds

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
