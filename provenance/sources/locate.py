"""Finding the source of a seed: how much of a seed a page carries, and the search for a seed
with no known URL among an archive's captures under a URL prefix.

The score is deliberately cheap and plain: the share of the seed's text (its sentences, weighted
by length) found word for word, after normalization, in the page's article text. A page showing
another article shares a few stock phrases at most; the seed's own page shares nearly all of it,
page furniture the seed carried along being the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from provenance.sources.manifest import Seed
from provenance.sources.wayback import Capture, WaybackClient, WaybackError
from provenance.text.normalize import normalize
from provenance.text.seedtext import read_seed
from provenance.text.segment import Unit, units

DEFAULT_THRESHOLD = 0.5  # share of the seed a candidate must carry to be accepted as its source
DEFAULT_LIMIT = 200  # captures listed by one prefix query
_WINDOW = timedelta(days=10)  # around `published` when the manifest gives no date hints
_SAMPLES = 2  # matched sentences quoted as evidence


@dataclass(frozen=True)
class Shared:
    """How much of a seed a page carries."""

    score: float  # 0..1: matched characters / seed characters, over sentence units
    matched_units: int
    seed_units: int
    samples: tuple[str, ...]  # a few matched sentences, as evidence

    def describe(self) -> str:
        return (
            f"{self.score:.0%} of the seed's text ({self.matched_units} of {self.seed_units} "
            "sentences) found word for word in the article"
        )


def shared_text(seed_text: str, article_text: str) -> Shared:
    """The share of `seed_text` found, sentence by sentence, in `article_text`."""
    return shared_units(units(seed_text), article_text)


def shared_units(seed_units: Sequence[Unit], article_text: str) -> Shared:
    """`shared_text` for a seed already cut into units (`provenance.text.segment.units`)."""
    article = " ".join(normalize(article_text).split())
    total = sum(len(unit.text) for unit in seed_units)
    matched = [unit.text for unit in seed_units if " ".join(unit.text.split()) in article]
    longest = sorted(matched, key=len, reverse=True)[:_SAMPLES]
    return Shared(
        score=sum(map(len, matched)) / total if total else 0.0,
        matched_units=len(matched),
        seed_units=len(seed_units),
        samples=tuple(longest),
    )


@dataclass(frozen=True)
class Candidate:
    capture: Capture
    replay_url: str
    shared: Shared | None  # None when the capture could not be used
    problem: str | None = None

    @property
    def score(self) -> float:
        return self.shared.score if self.shared else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.capture.url,
            "timestamp": self.capture.timestamp,
            "replay_url": self.replay_url,
            "score": round(self.score, 4),
            "matched_units": self.shared.matched_units if self.shared else 0,
            "seed_units": self.shared.seed_units if self.shared else 0,
            "samples": list(self.shared.samples) if self.shared else [],
            "problem": self.problem,
        }


@dataclass(frozen=True)
class Search:
    seed_id: str
    prefix: str
    date_from: date | None
    date_to: date | None
    threshold: float
    candidates: tuple[Candidate, ...]  # best first

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def found(self) -> bool:
        best = self.best
        return best is not None and best.score >= self.threshold


class LocateError(WaybackError):
    """The seed gives nothing to search with (no URL prefix), or the search cannot run."""

    exit_code = 2  # ExitCode.USAGE: the seed gives nothing to search with


def search_window(seed: Seed) -> tuple[date | None, date | None]:
    hints = seed.locate
    date_from, date_to = hints.date_from, hints.date_to
    if seed.published is not None:
        date_from = date_from or seed.published - _WINDOW
        date_to = date_to or seed.published + _WINDOW
    return date_from, date_to


def locate(
    seed: Seed,
    client: WaybackClient,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> Search:
    """Rank the archive's captures under the seed's `locate.url_prefix` by the share of the
    seed each carries. One capture per URL (the one nearest the seed's date) is fetched."""
    prefix = seed.locate.url_prefix
    if prefix is None:
        raise LocateError(
            f"seed {seed.id}: the manifest gives no [seed.locate] url_prefix to search under"
        )
    seed_text = read_seed(seed.path, seed.encoding).text
    date_from, date_to = search_window(seed)
    captures = [
        capture
        for capture in client.prefix_captures(prefix, date_from, date_to, limit)
        if under_prefix(capture.url, prefix)  # an archive may answer with anything
    ]
    candidates = [
        _score(client, capture, seed_text) for capture in _one_per_url(captures, seed.published)
    ]
    candidates.sort(key=lambda c: (-c.score, c.capture.url))
    return Search(seed.id, prefix, date_from, date_to, threshold, tuple(candidates))


def under_prefix(url: str, prefix: str) -> bool:
    """Whether `url` lies under `prefix`, either scheme and with or without "www." alike."""

    def parts(text: str) -> tuple[str, str]:
        split = urlsplit(text if "//" in text else f"http://{text}")
        host = (split.hostname or "").removeprefix("www.")
        return host, split.path or "/"

    try:
        (host, path), (prefix_host, prefix_path) = parts(url), parts(prefix)
    except ValueError:
        return False
    return (
        urlsplit(url).scheme in ("http", "https")
        and host == prefix_host
        and (path.startswith(prefix_path))
    )


def _one_per_url(captures: Sequence[Capture], published: date | None) -> list[Capture]:
    chosen: dict[str, Capture] = {}
    for capture in captures:
        if capture.mime is not None and "html" not in capture.mime:
            continue
        current = chosen.get(capture.url)
        if current is None or (
            published is not None and _distance(capture, published) < _distance(current, published)
        ):
            chosen[capture.url] = capture
    return list(chosen.values())


def _distance(capture: Capture, published: date) -> float:
    return abs((capture.moment.date() - published).days)


def _score(client: WaybackClient, capture: Capture, seed_text: str) -> Candidate:
    replay = client.endpoint.replay_url(capture)
    try:
        memento = client.fetch(capture)
    except WaybackError as exc:
        return Candidate(capture, replay, None, str(exc))
    # trafilatura loads here, not when the CLI imports this module for its defaults.
    from provenance.text.extract import Article, extract_article

    page = extract_article(memento.body, url=capture.url, content_type=memento.content_type)
    if not isinstance(page, Article):
        return Candidate(capture, memento.replay_url, None, page.reason)
    return Candidate(capture, memento.replay_url, shared_text(seed_text, page.text))
