"""How an article was extracted, as its evidence records it. Light to import: the evidence
schema and the ledger read it without loading the extractor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExtractionEvidence:
    """How an article was extracted: the evidence's record of it."""

    extractor: str
    options: Mapping[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    encoding_how: str | None = None
    declared_charsets: tuple[str, ...] = ()
    title: str | None = None
    headings: tuple[str, ...] = ()  # the page's h1 headings
    limit: str | None = None  # a cost limit that changed how the page was extracted, and why
