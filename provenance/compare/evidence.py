"""A verdict's evidence as the JSON it is stored as (metadata record payload, ledger column).

The bulk of it, the assessment with every seed unit, is serialised once where it is computed (a
worker process) and spliced into the rest as text: the crawler never rebuilds or re-encodes it,
and only one string crosses between processes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any


def dumps(evidence: Mapping[str, Any], **serialised: str) -> str:
    """`evidence` as compact JSON with each `serialised` value (already JSON) added under its
    name, after the other keys."""
    head = json.dumps(evidence, ensure_ascii=False, separators=(",", ":"), default=str)
    parts = [head[:-1]]
    for name, value in serialised.items():
        if name in evidence:
            raise ValueError(f"evidence already has {name!r}")
        parts.append(("," if len(parts) > 1 or len(head) > 2 else "") + json.dumps(name) + ":")
        parts.append(value)
    return "".join(parts) + "}"


class SerialisedEvidence(Mapping[str, Any]):
    """Evidence held as its JSON text, parsed on first look: pickles as one string."""

    def __init__(self, text: str) -> None:
        self.json = text

    @cached_property
    def _parsed(self) -> dict[str, Any]:
        parsed = json.loads(self.json)
        if not isinstance(parsed, dict):
            raise ValueError("evidence JSON is not an object")
        return parsed

    def __getitem__(self, key: str) -> Any:
        return self._parsed[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed)

    def __len__(self) -> int:
        return len(self._parsed)

    def __getstate__(self) -> str:
        return self.json

    def __setstate__(self, state: str) -> None:
        self.json = state
