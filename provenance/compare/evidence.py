"""A verdict's evidence: a typed, versioned schema, built by one function (`build`) for the crawl
and for re-verification alike, stored as JSON (the metadata record's payload, the ledger's
column) and read back as objects (`Evidence.from_json`) by the reports and the hand-off.

The bulk of it, the assessment with every seed unit, is serialised once where it is computed (a
worker process) and spliced into the rest as text: the crawler never rebuilds or re-encodes it,
and only one string crosses between processes.

Schema history: 1 (no ``schema`` key) as written before warcproof 0.2; re-verifications then
stored only the capture's file and offset as their source. 2 adds ``schema`` and ``run``, and a
re-verification carries the capture's whole source (record ids included) and the seed's
resource record."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from typing import Any, Self

from provenance.text.extraction_evidence import ExtractionEvidence

EVIDENCE_SCHEMA = 2


class SourceKind(StrEnum):
    """Where the page the verdict rests on came from."""

    LIVE = "live"
    REPLICA = "replica"  # the loopback replica origin (demo, tests)
    ARCHIVED = "archived"  # a Wayback-compatible archive's capture


class RunKind(StrEnum):
    """What recorded a verdict."""

    CRAWL = "crawl"
    REVERIFICATION = "reverification"  # checked again offline against the archived capture


@dataclass(frozen=True)
class SeedEvidence:
    id: str
    file: str
    sha256: str | None  # of the file as read when checked
    sha256_pinned: str | None  # as the manifest pins it
    normalized_digest: str | None
    resource_record_id: str | None = None  # the seed's bytes in the WARC

    @property
    def intact(self) -> bool:
        """The file is as it was registered."""
        return self.sha256 is not None and self.sha256 == self.sha256_pinned


@dataclass(frozen=True)
class SourceEvidence:
    """The fetched page a verdict rests on and its records."""

    source_url: str | None = None
    fetched_url: str | None = None
    source_kind: SourceKind | None = None
    status: int | None = None
    redirects: tuple[str, ...] = ()
    error: str | None = None
    captured_at: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    response_record_id: str | None = None
    request_record_id: str | None = None
    payload_digest: str | None = None
    conversion_record_id: str | None = None  # the extracted article text
    memento_record_id: str | None = None  # an archived capture's original URL and time
    role: str | None = None  # archived captures: "nearest", "newest", ...
    original_url: str | None = None
    memento_datetime: str | None = None
    cdx_timestamp: str | None = None

    def plain(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return _plain(self)

    def with_records(self, **records: str | None) -> SourceEvidence:
        values = asdict(self)
        values.update(records)
        return SourceEvidence(**values)


@dataclass(frozen=True)
class Evidence:
    """Everything a verdict rests on, but the assessment (kept as its JSON, `assessment`)."""

    seed: SeedEvidence
    source: SourceEvidence
    normalizer: str | None
    article_digest: str | None
    page_digest: str | None
    extraction: ExtractionEvidence | None = None
    time_axis: Mapping[str, Any] | None = None  # provenance.compare.timeaxis.Finding.evidence
    run: RunKind = RunKind.CRAWL
    schema: int = EVIDENCE_SCHEMA
    assessment_json: str = field(default="{}", repr=False)

    @cached_property
    def assessment(self) -> Mapping[str, Any]:
        """The assessment: verdict, reasons, counts, every seed unit, omissions."""
        parsed = json.loads(self.assessment_json)
        return parsed if isinstance(parsed, dict) else {}

    def to_json(self) -> str:
        head: dict[str, Any] = {
            "schema": self.schema,
            "run": self.run.value,
            "seed": {**_plain(self.seed), "intact": self.seed.intact},
            "source": _plain(self.source),
            "normalizer": self.normalizer,
            "article_digest": self.article_digest,
            "page_digest": self.page_digest,
        }
        if self.extraction is not None:
            head["extraction"] = _plain(self.extraction)
        if self.time_axis is not None:
            head["time_axis"] = self.time_axis
        return dumps(head, assessment=self.assessment_json)

    @classmethod
    def from_json(cls, text: str | Mapping[str, Any]) -> Self:
        """Evidence of any schema version as stored; fields a version lacks are None."""
        data = json.loads(text) if isinstance(text, str) else dict(text)
        if not isinstance(data, dict):
            raise ValueError("evidence JSON is not an object")
        seed = data.get("seed") or {}
        source = dict(data.get("source") or {})
        if source.get("redirects") is not None:
            source["redirects"] = tuple(source["redirects"])
        if source.get("source_kind") is not None:
            source["source_kind"] = SourceKind(source["source_kind"])
        extraction = data.get("extraction")
        return cls(
            seed=SeedEvidence(
                id=str(seed.get("id", "")),
                file=str(seed.get("file", "")),
                sha256=seed.get("sha256"),
                sha256_pinned=seed.get("sha256_pinned"),
                normalized_digest=seed.get("normalized_digest"),
                resource_record_id=seed.get("resource_record_id"),
            ),
            source=SourceEvidence(**_known(SourceEvidence, source)),
            normalizer=data.get("normalizer"),
            article_digest=data.get("article_digest"),
            page_digest=data.get("page_digest"),
            extraction=None
            if extraction is None
            else ExtractionEvidence(
                **{
                    **_known(ExtractionEvidence, extraction),
                    "declared_charsets": tuple(extraction.get("declared_charsets") or ()),
                    "headings": tuple(extraction.get("headings") or ()),
                }
            ),
            time_axis=data.get("time_axis"),
            run=RunKind(data.get("run", RunKind.CRAWL.value)),
            schema=int(data.get("schema", 1)),
            assessment_json=json.dumps(data.get("assessment") or {}, ensure_ascii=False),
        )


def _plain(value: object) -> dict[str, Any]:
    """A dataclass as JSON-ready fields (enums as their values, tuples as lists)."""
    out: dict[str, Any] = {}
    for f in fields(value):  # type: ignore[arg-type]
        item = getattr(value, f.name)
        if isinstance(item, StrEnum):
            item = item.value
        elif isinstance(item, tuple):
            item = list(item)
        elif isinstance(item, Mapping):
            item = dict(item)
        out[f.name] = item
    return out


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


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
