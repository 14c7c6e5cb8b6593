"""The crawl against random hostile responses (issue 14's property): for any status, header
bytes, body and cut point a loopback server sends, the crawl finishes, every seed has a
verdict, no verdict is sound without an archived 2xx capture that arrived whole, and `check`
is clean on the result. One crawl per Hypothesis example, each example a batch of seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile_origin import Scripted, response
from tests.test_hostile import PAGE, check_clean, crawl_hostile, sound_only_on_whole_2xx

STATUSES = [b"200 OK", b"200 OK", b"203 X", b"204 No Content", b"404 Not Found", b"500 Oops",
            b"999 Odd", b"1000 Big", b"0 Zero", b"-1 Minus", b"42 Short", b"301 Moved"]  # fmt: skip
HEADERS = [
    b"Content-Type: text/html; charset=utf-8",
    b"Content-Type: application/pdf",
    b"X-Nul: a\x00b",
    b"Bad Name: x",
    b"X-Ctl: \x01\x7f\xff",
    b"Content-Encoding: gzip",
    b"Content-Encoding: br",
    b"Retry-After: 99999",
    b"X-Long: " + b"a" * 20000,
]

bodies = st.one_of(
    st.just(PAGE),
    st.integers(0, len(PAGE)).map(lambda n: PAGE[:n]),
    st.binary(max_size=2000),
)


@st.composite
def scripted(draw: st.DrawFn) -> Scripted:
    body = draw(bodies)
    headers = draw(st.lists(st.sampled_from(HEADERS), max_size=3))
    lie = draw(st.one_of(st.none(), st.integers(0, 2 * len(body) + 10)))
    raw = response(draw(st.sampled_from(STATUSES)), headers, body, length=lie)
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw))))
    return Scripted(raw, cut)


@pytest.mark.crawl
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(scripted(), min_size=12, max_size=12))
def test_any_hostile_responses_leave_sound_verdicts_and_a_clean_collection(
    tmp_path_factory: pytest.TempPathFactory, batch: list[Scripted]
) -> None:
    root: Path = tmp_path_factory.mktemp("property")
    cases = {f"c{number:02d}": script for number, script in enumerate(batch)}
    entries, records, result = crawl_hostile(root, cases, "-s", "WARCPROOF_WORKERS=1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(entries) == set(cases), result.stderr[-3000:]
    sound_only_on_whole_2xx(entries, records)
    checked = check_clean(root / "collection")
    assert checked.returncode == 0, checked.stdout[-3000:]
