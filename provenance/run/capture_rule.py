"""Which captures a verdict may rest on, for the crawl and re-verification alike: an archived
response with a 2xx status that arrived whole. Anything else gives "unverifiable" with the
reason this module words."""

from __future__ import annotations


def capture_refusal(status: int | None, truncated: str | None, size: int, url: str) -> str | None:
    """Why a verdict may not rest on this archived response (None when it may): `status` its
    HTTP status, `truncated` its WARC-Truncated reason, `size` the bytes that arrived."""
    if status is None or not 200 <= status < 300:
        return f"the server answered HTTP {status} for {url}"
    if truncated is not None:
        return (
            f"the page was cut after {size} bytes (WARC-Truncated: {truncated}): the part "
            "that never arrived cannot be compared"
        )
    return None
