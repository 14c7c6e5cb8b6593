"""warcproof's verification library: seed texts checked against the pages they came from.

The one call a library user needs::

    from provenance import compare_text
    found = compare_text(text, page_bytes, url="https://example.org/a", content_type="text/html")
    found.assessment.verdict, found.assessment.reasons

Rooms: ``text`` (bytes to text), ``compare`` (alignment, verdicts, evidence), ``sources``
(manifest, Wayback, locate), ``ledger``, ``report``, ``run`` (crawls and re-verification) and
``cli`` (the ``warcproof`` command); docs/ARCHITECTURE.md says who may import whom."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.compare.text_check import TextComparison, compare_text

__all__ = ["TextComparison", "compare_text"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the comparison imports trafilatura (about a second), which the
    # command line's other commands and every `import provenance.x` should not pay for.
    if name in __all__:
        from provenance.compare import text_check

        return getattr(text_check, name)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")
