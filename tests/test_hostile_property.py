"""The crawl against random hostile responses (issue 14's property): for any status, header
bytes, body and cut point a loopback server sends, the crawl finishes, every seed has a
verdict, no verdict is sound without an archived 2xx capture that arrived whole, and `check`
is clean on the result. One crawl per Hypothesis example, each example a batch of seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hostile_origin import Scripted, response
from tests.test_hostile import PAGE, check_clean, crawl_hostile, sound_only_on_whole_2xx

STATUSES = [b"200 OK", b"200 OK", b"203 X", b"204 No Content", b"404 Not Found", b"500 Oops",
            b"999 Odd", b"1000 Big", b"0 Zero", b"-1 Minus", b"42 Short", b"301 Moved",
            b"100 Continue", b"101 Switching Protocols", b"206 Partial Content",
            b"304 Not Modified", b"302 Found", b"429 Slow Down", b"503 Busy", b"200",
            b"200 OK\x00", b"2OO OK"]  # fmt: skip
HEADERS = [
    b"Content-Type: text/html; charset=utf-8",
    b"Content-Type: application/pdf",
    b"Content-Type: text/html; charset=utf-7",
    b"X-Nul: a\x00b",
    b"Bad Name: x",
    b"X-Ctl: \x01\x7f\xff",
    b"Content-Encoding: gzip",
    b"Content-Encoding: br",
    b"Content-Encoding: deflate",
    b"Content-Encoding: x-unknown",
    b"Transfer-Encoding: chunked",
    b"Content-Length: -5",
    b"Content-Length: many",
    b"Location: javascript:alert(1)",
    b"Location: http://127.0.0.1:1/private",
    b"Retry-After: 99999",
    b"Retry-After: -1",
    b"X-Long: " + b"a" * 20000,
]
# Pages that once lost their article: a control character in a paragraph, the article nested
# 300 deep, thousands of tiny paragraphs after it (extraction time).
_BODY = PAGE.index(b">", PAGE.index(b"<body")) + 1
HOSTILE_PAGES = [
    PAGE.replace(b"officials", b"offi\x1bcials\x07", 1),
    PAGE[:_BODY] + b"<div>" * 300 + PAGE[_BODY:],
    PAGE.replace(b"</body>", b"".join(b"<p>w%d.</p>" % n for n in range(5000)) + b"</body>"),
]

bodies = st.one_of(
    st.just(PAGE),
    st.sampled_from(HOSTILE_PAGES),
    st.integers(0, len(PAGE)).map(lambda n: PAGE[:n]),
    st.binary(max_size=2000),
)


@st.composite
def scripted(draw: st.DrawFn) -> Scripted:
    body = draw(bodies)
    headers = draw(st.lists(st.sampled_from(HEADERS), max_size=3))
    lie = draw(st.one_of(st.none(), st.integers(0, 2 * len(body) + 10)))
    raw = response(draw(st.sampled_from(STATUSES)), headers, body, length=lie)
    head = raw.index(b"\r\n\r\n") + 4
    # Cut anywhere, inside the head too (a small part of the bytes, so drawn apart).
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw)), st.integers(0, head)))
    return Scripted(raw, cut)


HTML = b"Content-Type: text/html; charset=utf-8"
# One batch of every kind the random draws may miss, crawled besides them.
EVERY_KIND = [
    Scripted(response(b"100 Continue", [HTML], PAGE)),
    Scripted(response(b"206 Partial Content", [HTML], PAGE)),
    Scripted(response(b"304 Not Modified", [HTML], b"")),
    Scripted(response(b"302 Found", [b"Location: javascript:alert(1)"], b"")),
    Scripted(response(b"302 Found", [b"Location: http://127.0.0.1:1/private"], b"")),
    Scripted(response(b"429 Slow Down", [b"Retry-After: -1"], b"")),
    Scripted(response(b"200 OK", [HTML, b"Transfer-Encoding: chunked"], PAGE)),
    Scripted(response(b"200 OK", [HTML, b"Content-Length: many"], PAGE)),
    Scripted(response(b"200 OK", [b"Content-Type: text/html; charset=utf-7"], PAGE)),
    *(Scripted(response(b"200 OK", [HTML], page)) for page in HOSTILE_PAGES),
    Scripted(response(b"200 OK", [HTML, b"Content-Encoding: deflate"], PAGE), cut=30),
]


@pytest.mark.crawl
@example(batch=EVERY_KIND)
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
