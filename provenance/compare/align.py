"""Align a seed's sentence units with the article's and classify every seed unit.

Exact anchors first (a monotone match of equal units), then equal units that moved, then units
split differently on the two sides, then similar units within each gap between anchors, then
similar units anywhere. What
is left of the seed is page furniture if the page shows it, foreign otherwise.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from provenance.compare.core_text import CopyOnPage, ends_sentence, is_prose, split_omissions
from provenance.compare.line_index import LineIndex
from provenance.text.normalize import match_key, normalize
from provenance.text.periphery import Paragraph, PeripheralBlock
from provenance.text.segment import Unit, paragraphs, units

PAIR_THRESHOLD = 0.5  # similarity that pairs units lying between the same two anchors
MOVED_THRESHOLD = 0.8  # similarity that pairs a seed unit with an article unit anywhere
PAGE_NEAR_SCORE = 85  # fuzz.partial_ratio at which a long unit is an edit of page text
PAGE_FUZZY_MIN_CHARS = 20
SHORT_PAIR_SCORE = 85  # fuzz.ratio at which a short unit pairs with an article unit
SHORT_NEAR_SCORE = 75  # the same for a short unit, whose words must be the same but numbers
_SHORT_MIN_CHARS = 5  # shorter units ("16.", "AP") are only ever matched exactly
_NUMBER = re.compile(r"\d+")
_LIST_MARKER = re.compile(r"\s*\d{1,3}\.\s*")  # a numbered list's "3. " before an item
_PREFIX = 8  # characters of a unit's key that index it for joining
_CONTAINED_REST_WORDS = 8  # words an article unit may hold besides the seed units it contains
_SHORT_GAP = 3  # unchanged runs this short between two changes are folded into one change
_HELD_INSIDE_CHARS = 15  # an article unit this long found inside the copy's text is held
_REACH_CHARS = 40  # a sentence of the copy outside the article this long marks its extent
_NUMBERED_LETTERS = 3  # letters a text with numbers needs to be placed by its words
_SKIPPED_LINES = 8  # page lines a copy may jump over between two of its sentences: a gap


def _spaceless(key: str) -> str:
    """A match key without its spaces: the form that equates "sourceBank" and "source Bank"."""
    return key.replace(" ", "")


def _words_only(text: str) -> str:
    """Letters and digits alone: two texts equal so differ only in punctuation and spaces."""
    return _NOT_WORD.sub("", text)


_NOT_WORD = re.compile(r"[\W_]+")
_LABEL_MIN_CHARS, _LABEL_CHARS = 3, 60  # a link's label a copy may drop ("up" and "1" are none)
# A link's label that marks a footnote, which a copy may drop where it is glued to a word.
_FOOTNOTE_MARK = re.compile(r"\[?(?:\d{1,3}|[*\u2020\u2021\u00a7])\]?")
_STOP = re.compile(r"[.!?](?=\s|$)")
_STOP_REACH = 60  # characters past a window of page text searched for its sentence's stop
# What separates the labels of a list of links: "a, b", "a / b", "a | b", "a \u00b7 b".
_LABEL_LIST = re.compile(r"\s*[,/|;\u00b7\u2022]\s*")
_EDGE_PUNCTUATION = re.compile(r"^[\s.,;:!?\"')(\]\[-]+|[\s.,;:!?\"')(\]\[-]+$")


def punctuation_only(ops: Sequence[DiffOp]) -> bool:
    """Whether a diff changes only spaces and punctuation that carry no meaning of their own:
    the same letters and the same numbers ("Nov 01 2012" is "Nov 01, 2012"; "1.5" is not "15"),
    and as many question and exclamation marks and signs ("-5" is not "5"). A list item's
    number that only one side writes ("3. " before the item) is formatting too; a number
    changed ("3." for "2.") is not."""
    first = ops[0] if ops else None
    if (
        first
        and first.op in ("insert", "delete")
        and _LIST_MARKER.fullmatch(first.seed or first.article)
    ):
        ops = ops[1:]
    return all(
        op.op == "equal"
        or (
            _words_only(op.seed) == _words_only(op.article)
            and _NUMBER.findall(op.seed) == _NUMBER.findall(op.article)
            and all(op.seed.count(mark) == op.article.count(mark) for mark in "?!+-")
        )
        for op in ops
    )


_LOOSE_MIN_CHARS = 4  # letters and digits a unit needs to be paired on them alone


class UnitClass(StrEnum):
    MATCHED = "matched"
    EDITED = "edited"
    FURNITURE = "furniture"
    FOREIGN = "foreign"


@dataclass(frozen=True)
class DiffOp:
    """One run of a seed-to-article diff; ``insert`` is text only the article has."""

    op: str  # "equal" | "insert" | "delete" | "replace"
    seed: str
    article: str


@dataclass(frozen=True)
class SeedUnitResult:
    unit: Unit
    cls: UnitClass
    article_unit: int | None  # index into the article units (MATCHED/EDITED)
    similarity: float  # 0..1, 1.0 for an exact match
    diff: tuple[DiffOp, ...]  # seed -> article, for EDITED only


@dataclass(frozen=True)
class Alignment:
    seed_units: tuple[SeedUnitResult, ...]
    article_units: tuple[Unit, ...]
    omitted: tuple[Unit, ...]  # core article units that no seed unit matched or edited
    omitted_title: bool  # the article's headline (its first paragraph == title) is not in the seed
    paragraph_map: tuple[tuple[int, int | None], ...]  # seed paragraph -> main article paragraph
    # Unmatched article units that are periphery (byline, caption, leading or trailing block),
    # each with the role it was told by.
    left_out: tuple[tuple[Unit, str], ...] = ()


def align(
    seed_text: str,
    article_text: str,
    page_text: str,
    *,
    title: str | None = None,
    headings: Sequence[str] = (),
    periphery: Sequence[PeripheralBlock] = (),
    paragraph_elements: Sequence[Paragraph] = (),
    links: Set[str] = frozenset(),
) -> Alignment:
    """Align ``seed_text`` with ``article_text``; ``page_text`` is the page's full visible text;
    ``links`` the page's short link texts (`provenance.text.periphery.link_labels`)."""
    return align_units(
        units(seed_text),
        units(article_text),
        normalize(page_text),
        title=title,
        headings=headings,
        periphery=periphery,
        paragraph_elements=paragraph_elements,
        links=links,
    )


def align_units(
    seed: Sequence[Unit],
    article: Sequence[Unit],
    normalized_page: str,
    *,
    title: str | None = None,
    headings: Sequence[str] = (),
    periphery: Sequence[PeripheralBlock] = (),
    paragraph_elements: Sequence[Paragraph] = (),
    links: Set[str] = frozenset(),
) -> Alignment:
    """``align`` of texts already cut into units, with ``normalize(page_text)``: for callers
    that also need the normalized texts, so that nothing is normalized twice."""
    page = _Page(normalized_page, links)
    pairs = _Pairs(seed, article)

    gaps = pairs.anchor()
    pairs.pair_equal()
    pairs.join_split_units()
    pairs.pair_contained()
    # A long seed unit that the page shows word for word is page text, not an edit of some
    # similar article sentence (a standfirst resembling the lead, a caption resembling a line);
    # a short one only when it is a whole page line ("4." in a numbered list may be an edit of
    # the article's "3." though the page shows "4." too).
    candidates = [
        pairs.partner[unit.index] is None and not page.shows_block(unit.text) for unit in seed
    ]
    for seed_gap, article_gap in gaps:
        pairs.pair_similar([i for i in seed_gap if candidates[i]], article_gap, PAIR_THRESHOLD)
    pairs.pair_similar(
        [i for i in range(len(seed)) if candidates[i]], range(len(article)), MOVED_THRESHOLD
    )

    results = tuple(_classify(unit, pairs, page) for unit in seed)
    headline = _headline(article, title, headings)
    repeats = frozenset(pairs.held_elsewhere())
    paired = frozenset(j for j, taken in enumerate(pairs.taken) if taken) | repeats
    core, left_out = split_omissions(
        article,
        paired,
        headline,
        periphery,
        paragraph_elements,
        CopyOnPage(
            _reaches(results, article, page),
            _skipped_lines(results, page),
            pairs.seed_keys,
            _article_spans(article, page),
            page.line_words,
            _headline_keys(title, headings),
            page.spaceless_keys,
        ),
        repeats,
    )
    return Alignment(
        seed_units=results,
        article_units=tuple(article),
        omitted=core,
        omitted_title=bool(headline - paired),
        paragraph_map=_paragraph_map(results, article),
        left_out=left_out,
    )


def _reaches(
    results: Sequence[SeedUnitResult], article: Sequence[Unit], page: _Page
) -> tuple[int, int] | None:
    """The first and last article units next to the copy's sentences that are page text outside
    the article (the extractor dropped a paragraph the copy has): the copy reaches that far.
    None when the copy has no such sentence. A sentence before all that the copy holds of the
    article reaches only forward from where it stands (a standfirst the page sets after the
    story does not make the story's tail a gap), one after all of it only backward."""
    held = [
        i
        for i, r in enumerate(results)
        if r.article_unit is not None and len(r.unit.text) >= _REACH_CHARS  # not the headline
    ]
    outside = [
        (r.unit.text, not held or i > held[0], not held or i < held[-1])
        for i, r in enumerate(results)
        if r.cls is UnitClass.FURNITURE
        and len(r.unit.text) >= _REACH_CHARS
        and ends_sentence(r.unit.text)
    ]
    if not outside or not article:
        return None
    places = [page.position(u.text) for u in article]
    found = [(at, j) for j, at in enumerate(places) if at is not None]
    if not found:
        return None
    found.sort()
    starts = [at for at, _ in found]
    reach_first, reach_last = len(article), -1
    for text, after_some, before_some in outside:
        at = page.position(text)
        if at is None:
            continue
        k = bisect_right(starts, at)
        if k < len(found) and before_some:
            reach_first = min(reach_first, found[k][1])
        if k > 0 and after_some:
            reach_last = max(reach_last, found[k - 1][1])
    return (reach_first, reach_last) if reach_last >= 0 or reach_first < len(article) else None


def _article_spans(article: Sequence[Unit], page: _Page) -> list[tuple[int, int] | None]:
    """The first and last page lines of each article unit, each looked for from the previous
    one's on (then from the top)."""
    spans: list[tuple[int, int] | None] = []
    previous = 0
    for unit in article:
        span = page.span_of(unit.text, previous) or page.span_of(unit.text)
        spans.append(span)
        previous = span[0] if span is not None else previous
    return spans


def _skipped_lines(results: Sequence[SeedUnitResult], page: _Page) -> list[str]:
    """The page lines, at most `_SKIPPED_LINES` in a row, that stand between two consecutive
    sentences of the copy found on the page: the copy jumps over them (a jump from a headline
    or a byline to the body passes a standfirst or a caption, and is no gap)."""
    skipped: dict[int, None] = {}
    previous: int | None = None
    for result in results:
        text = result.unit.text
        if result.cls is UnitClass.FOREIGN or len(text) < _REACH_CHARS or not ends_sentence(text):
            previous = None
            continue
        line = page.line_of(text, previous)
        if line is None:
            continue
        if previous is not None and 1 < line - previous <= _SKIPPED_LINES + 1:
            skipped.update(dict.fromkeys(range(previous + 1, line)))
        previous = line
    return [page.line(k) for k in skipped]


def diff(seed: str, article: str) -> tuple[DiffOp, ...]:
    """A character-level diff of ``seed`` into ``article``, its changes widened to whole words
    and changes separated by a few characters merged, so each run reads as a phrase."""
    spans = _word_spans(seed, article)
    ops: list[DiffOp] = []
    i = j = 0
    for i1, i2, j1, j2 in spans:
        if i1 > i:
            ops.append(DiffOp("equal", seed[i:i1], article[j:j1]))
        kind = "replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert"
        ops.append(DiffOp(kind, seed[i1:i2], article[j1:j2]))
        i, j = i2, j2
    if i < len(seed):
        ops.append(DiffOp("equal", seed[i:], article[j:]))
    return tuple(ops)


def _word_spans(seed: str, article: str) -> list[tuple[int, int, int, int]]:
    raw = [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in Levenshtein.opcodes(seed, article)
        if op.tag != "equal"
    ]
    spans: list[tuple[int, int, int, int]] = []
    # Text between two changes is equal on both sides, so widening moves both ends in step.
    for k, (i1, i2, j1, j2) in enumerate(raw):
        low = spans[-1][1] if spans else 0
        i1, i2, j1, j2 = _slide_to_word_start(seed, article, (i1, i2, j1, j2), low)
        while (
            i1 > low and not seed[i1 - 1].isspace() and _edge_in_word(seed, i1, i2, article, j1, j2)
        ):
            i1, j1 = i1 - 1, j1 - 1
        high = raw[k + 1][0] if k + 1 < len(raw) else len(seed)
        while (
            i2 < high
            and not seed[i2].isspace()
            and _edge_in_word(seed, i2 - 1, i1 - 1, article, j2 - 1, j1 - 1)
        ):
            i2, j2 = i2 + 1, j2 + 1
        if spans and (i1 - spans[-1][1] <= _SHORT_GAP or seed[spans[-1][1] : i1].isspace()):
            i1, j1 = spans[-1][0], spans[-1][2]
            spans.pop()
        spans.append((i1, i2, j1, j2))
    return spans


def _slide_to_word_start(
    seed: str, article: str, span: tuple[int, int, int, int], low: int
) -> tuple[int, int, int, int]:
    """Move a pure insertion or deletion left, while that yields the same texts, to where it
    starts a word: "a b" -> "a big b" inserts "big ", not "ig b" after the first "b"."""
    i1, i2, j1, j2 = span
    if i1 != i2 and j1 != j2:
        return span
    side, a, b = (seed, i1, i2) if i1 != i2 else (article, j1, j2)
    for k in range(i1 - low + 1):
        if (i1 - k == 0 or seed[i1 - k - 1].isspace()) and not side[a - k].isspace():
            return i1 - k, i2 - k, j1 - k, j2 - k
        if k == i1 - low or seed[i1 - k - 1] != side[b - k - 1]:
            break
    return span


def _edge_in_word(seed: str, i: int, i_stop: int, article: str, j: int, j_stop: int) -> bool:
    """Whether the changed text's character at ``i`` (seed) or ``j`` (article) is not a space;
    ``i_stop``/``j_stop`` is the far end of the change, so an empty side has no such character."""
    return (i != i_stop and not seed[i].isspace()) or (j != j_stop and not article[j].isspace())


class _Pairs:
    """Which article unit each seed unit is paired with, and how."""

    def __init__(self, seed: Sequence[Unit], article: Sequence[Unit]) -> None:
        self.seed = seed
        self.article = article
        self.seed_keys = [match_key(u.text) for u in seed]
        self.article_keys = [match_key(u.text) for u in article]
        self.seed_flat = [_spaceless(key) for key in self.seed_keys]
        self.article_flat = [_spaceless(key) for key in self.article_keys]
        self.seed_words = [_words_only(key) for key in self.seed_keys]
        self.article_words = [_words_only(key) for key in self.article_keys]
        self.partner: list[int | None] = [None] * len(seed)
        self.similarity = [0.0] * len(seed)
        self.joined = [False] * len(seed)
        self.taken = [False] * len(article)

    def pair(self, i: int, j: int, similarity: float, *, joined: bool = False) -> None:
        self.partner[i] = j
        self.similarity[i] = similarity
        self.joined[i] = joined
        self.taken[j] = True

    def anchor(self) -> list[tuple[range, range]]:
        """Pair equal units along a longest monotone match; return the gaps between anchors."""
        seed, article = self.seed_keys, self.article_keys
        if seed == article:  # a verbatim copy: one block, no gaps
            blocks: list[tuple[int, int, int]] = [(0, 0, len(seed))]
        else:
            matcher = difflib.SequenceMatcher(None, seed, article, autojunk=False)
            blocks = [(m.a, m.b, m.size) for m in matcher.get_matching_blocks()]
        gaps: list[tuple[range, range]] = []
        i = j = 0
        for a, b, size in blocks:
            gaps.append((range(i, a), range(j, b)))
            for k in range(size):
                self.pair(a + k, b + k, 1.0)
            i, j = a + size, b + size
        return [(s, a) for s, a in gaps if s and a]

    def pair_equal(self) -> None:
        """Pair equal units the anchors left out because they moved, then units equal but for
        the spaces between words (a page's inline tags may run words together), then units
        equal but for punctuation ("Ask Slashdot Value" of "Ask Slashdot: Value")."""
        for seed_keys, article_keys in (
            (self.seed_keys, self.article_keys),
            (self.seed_flat, self.article_flat),
            (self.seed_words, self.article_words),
        ):
            free: dict[str, list[int]] = {}
            for j in reversed(range(len(self.article))):
                if not self.taken[j] and len(article_keys[j]) >= _LOOSE_MIN_CHARS:
                    free.setdefault(article_keys[j], []).append(j)
            for i, key in enumerate(seed_keys):
                waiting = free.get(key)
                if self.partner[i] is None and waiting:
                    self.pair(i, waiting.pop(), 1.0)

    def held_elsewhere(self) -> set[int]:
        """Unpaired article units that the copy holds word for word inside a longer unit of
        its own (a copy may run a caption or a smiley's alt text into the sentence)."""
        copy = "\n".join(self.seed_flat)
        return {
            j
            for j, flat in enumerate(self.article_flat)
            if not self.taken[j] and len(flat) >= _HELD_INSIDE_CHARS and flat in copy
        }

    def join_split_units(self) -> None:
        """Pair a unit with a run of consecutive unpaired units of the other side that it equals
        when joined, however long the run: copy and page may break lines and sentences in
        different places (a sentence cut by <br> into many lines)."""
        free_article = [not taken for taken in self.taken]
        index = _run_index(self.article_keys, free_article)
        for i, key in enumerate(self.seed_keys):
            if self.partner[i] is None:
                run = _joined_run(key, self.article_keys, free_article, index)
                if run is not None:
                    self.pair(i, run.start, 1.0, joined=True)
                    for j in run:
                        self.taken[j] = True
                        free_article[j] = False
        free_seed = [partner is None for partner in self.partner]
        index = _run_index(self.seed_keys, free_seed)
        for j, key in enumerate(self.article_keys):
            if not self.taken[j]:
                run = _joined_run(key, self.seed_keys, free_seed, index)
                if run is not None:
                    for i in run:
                        self.pair(i, j, 1.0, joined=True)
                        free_seed[i] = False

    def pair_contained(self) -> None:
        """Pair an article unit that holds several seed units word for word with them, when what
        else it holds is no sentence: an extractor may run a dateline, a caption and the lead
        into one paragraph that the copy has apart."""
        free_seed = [i for i, partner in enumerate(self.partner) if partner is None]
        if not free_seed:
            return
        for j, key in enumerate(self.article_keys):
            if self.taken[j] or len(key) < 2 * PAGE_FUZZY_MIN_CHARS:
                continue
            inside = [
                i
                for i in free_seed
                if self.partner[i] is None
                and len(self.seed_keys[i]) >= PAGE_FUZZY_MIN_CHARS
                and self.seed_keys[i] in key
            ]
            rest = key
            for i in inside:
                rest = rest.replace(self.seed_keys[i], " ", 1)
            if inside and _no_sentence(rest):
                for i in inside:
                    self.pair(i, j, 1.0, joined=True)

    def pair_similar(
        self, seed_idx: Iterable[int], article_idx: Iterable[int], floor: float
    ) -> None:
        """Greedy best-first pairing of unpaired units whose similarity is at least ``floor``."""
        free_seed = [i for i in seed_idx if self.partner[i] is None]
        free_article = [j for j in article_idx if not self.taken[j]]
        if not free_seed or not free_article:
            return
        choices = [self.article[j].text for j in free_article]
        scored: list[tuple[float, int, int]] = []
        for i in free_seed:
            text = self.seed[i].text
            matches = process.extract(
                text, choices, scorer=fuzz.ratio, score_cutoff=floor * 100, limit=None
            )
            scored.extend(
                (-score, i, free_article[k])
                for choice, score, k in matches
                # Short lines pair only when nearly equal or equal but for their numbers:
                # "Shopping Health" (a menu run together) is no edit of "Shopping", "4." is
                # one of "3.".
                if min(len(text), len(choice)) >= PAGE_FUZZY_MIN_CHARS
                or score >= SHORT_PAIR_SCORE
                or _NUMBER.sub("0", text) == _NUMBER.sub("0", choice)
            )
        for negative, i, j in sorted(scored):
            if self.partner[i] is None and not self.taken[j]:
                self.pair(i, j, -negative / 100)


# A stop that ends a sentence in a match key (where no space need follow it): after a word in
# lower case ("quartet.advertisement"), before a capital after a longer word ("Obama.The"), or
# at the end; not after an abbreviation ("Jan.11") or inside a name ("CTV.ca").
_SENTENCE_STOP = re.compile(
    r"(?<![A-Za-z])[a-z]{2,}[.!?]|[A-Za-z]{4}[.!?][\"')\]]*(?=[A-Z])|[.!?][\"')\]]*$"
)


def _no_sentence(rest: str) -> bool:
    """Whether what an article unit holds besides the seed units in it is a few words, or a
    line that ends no sentence (a dateline, a byline, "Comments Print Email", "Jan. 11 2008
    10:56 PM ET CTV.ca News Staff")."""
    words = len(rest.split())
    return words < _CONTAINED_REST_WORDS or (
        words < 4 * _CONTAINED_REST_WORDS and not _SENTENCE_STOP.search(rest.rstrip())
    )


def _run_index(keys: Sequence[str], free: Sequence[bool]) -> dict[str, list[int]]:
    """Free units by the first characters of their key."""
    index: dict[str, list[int]] = {}
    for j, key in enumerate(keys):
        if free[j]:
            index.setdefault(key[:_PREFIX], []).append(j)
    return index


def _joined_run(
    target: str, keys: Sequence[str], free: Sequence[bool], index: dict[str, list[int]]
) -> range | None:
    """The first run of two or more consecutive free units whose keys, joined, are ``target``."""
    starts: set[int] = set()
    for n in range(1, min(_PREFIX, len(target)) + 1):
        starts.update(index.get(target[:n], ()))
    for start in sorted(starts):
        joined = keys[start]
        if not free[start] or len(joined) >= len(target) or not target.startswith(joined):
            continue
        stop = start + 1
        while stop < len(keys) and free[stop]:
            spaced = _join_keys(joined, keys[stop])
            # A copy may have lost the space where two blocks met ("PlayerCowon, one of").
            joined = spaced if target.startswith(spaced) else joined + keys[stop]
            stop += 1
            if joined == target:
                return range(start, stop)
            if len(joined) >= len(target) or not target.startswith(joined):
                break
    return None


def _join_keys(left: str, right: str) -> str:
    """``match_key`` of two texts joined by a space, from their keys."""
    if (left[-1:].isalnum() or left[-1:] == "_") and (right[:1].isalnum() or right[:1] == "_"):
        return left + " " + right
    return left + right


class _Page:
    """The page's full visible text, for asking whether it shows a given unit."""

    def __init__(self, normalized_page: str, links: Set[str] = frozenset()) -> None:
        self._ordered = paragraphs(normalized_page)
        self._links = links

    @cached_property
    def _labels(self) -> frozenset[str]:
        """The match keys of the page's link labels, made when first asked for."""
        keys = (match_key(normalize(text)) for text in self._links)
        return frozenset(key for key in keys if _LABEL_MIN_CHARS <= len(key) <= _LABEL_CHARS)

    def only_links_left_out(self, ops: Sequence[DiffOp]) -> bool:
        """Whether the copy lacks only whole labels of the page's links or images ("you can ."
        where the page reads "you can post a comment."), or runs one into its text or holds one
        in place, with at most punctuation changed besides: a reader view or a selection drops
        them, and a copy may take a picture's text into the paragraph after it."""
        changes = [op for op in ops if op.op != "equal"]
        # A label the copy holds where the page's side of another change has it is moved.
        elsewhere = " ".join(match_key(op.article) for op in changes)
        labels = [
            op
            for op in changes
            if self._label_left_out(op)
            or self._label_run_in(op)
            or self._mark_left_out(op)
            or (self._label_carried(op) and match_key(op.seed.strip()) not in elsewhere)
        ]
        return bool(labels) and all(op in labels or punctuation_only((op,)) for op in changes)

    @cached_property
    def _marks(self) -> frozenset[str]:
        """The labels of links that read as a footnote's mark ("1", "[2]", "*")."""
        return frozenset(text for text in self._links if _FOOTNOTE_MARK.fullmatch(text))

    def _mark_left_out(self, op: DiffOp) -> bool:
        """Whether the page's side of a change is the copy's word with a footnote's mark glued
        to it ("HelpAReporterOut.com1" for "HelpAReporterOut.com"): a copy leaves those out."""
        seed, page = op.seed, op.article
        # Not after a digit: "12" for "1" is another number, whatever the page's links read.
        return (
            bool(seed)
            and not seed[-1].isdigit()
            and page.startswith(seed)
            and page[len(seed) :] in self._marks
        )

    def _label_carried(self, op: DiffOp) -> bool:
        """Whether the copy holds, where the page holds nothing, a whole label of the page's
        links or images (an emoticon's ":-)", a picture's alt text): a copy made where the
        images did not load, or read off a text-only view, carries them in place."""
        return op.op == "delete" and match_key(op.seed.strip()) in self._labels

    def _label_run_in(self, op: DiffOp) -> bool:
        """Whether the copy's side of a change is the page's side with a label run into it at
        one end, where two texts run together ("Cowon Z2 PlayerCowon," for "Cowon,")."""
        seed, page = op.seed, op.article
        if not page or len(seed) <= len(page):
            return False
        if seed.endswith(page):
            cut = len(seed) - len(page)
            extra = seed[:cut]
        elif seed.startswith(page):
            cut = len(page)
            extra = seed[cut:]
        else:
            return False
        return _run_on(seed, cut) and match_key(extra) in self._labels

    def _label_left_out(self, op: DiffOp) -> bool:
        """Whether the page's side of a change is a link's label, with at most the punctuation
        the copy's side has ("." against "post a comment."), or a list of labels ("Press
        Release, Travel" of a trail of links)."""
        if _words_only(op.seed):
            return False
        trimmed = _EDGE_PUNCTUATION.sub("", op.article)
        pieces = _LABEL_LIST.split(trimmed)
        if len(pieces) > 1 and all(match_key(piece) in self._labels for piece in pieces):
            return True
        # A handle's "@" may be the label's ("@jdoe") or stand before it ("@<a>jdoe</a>").
        for label in dict.fromkeys((trimmed, trimmed.lstrip("@#"))):
            rest = op.article.replace(label, "", 1)
            if (
                label
                and match_key(label) in self._labels
                and punctuation_only((DiffOp("replace", op.seed, rest),))
            ):
                return True
        return False

    @cached_property
    def lines(self) -> frozenset[str]:
        return frozenset(self._keys)

    @cached_property
    def _keys(self) -> list[str]:
        return [match_key(line) for line in self._ordered]

    @cached_property
    def spaceless_keys(self) -> list[str]:
        return [_spaceless(key) for key in self._keys]

    @cached_property
    def text(self) -> str:
        """The lines joined, so text the page split across elements is still found (a normalized
        text's only white space is single spaces between words, and line breaks)."""
        return " ".join(self._ordered)

    @cached_property
    def flat(self) -> str:
        return match_key(self.text)

    def shows_block(self, text: str) -> bool:
        """Whether the page holds ``text`` as a whole line, or word for word if it is long."""
        key = match_key(text)
        return key in self.lines or (len(text) >= PAGE_FUZZY_MIN_CHARS and self.contains(key))

    def shows(self, text: str) -> bool:
        """Whether the page holds ``text`` word for word (white space at punctuation aside)."""
        key = match_key(text)
        return key in self.lines or self.contains(key)

    def original_of(self, text: str) -> tuple[str, float] | None:
        """The page text that ``text`` (long, not on the page) nearly equals, and how nearly."""
        short = len(text) < PAGE_FUZZY_MIN_CHARS
        if len(text) < _SHORT_MIN_CHARS:
            return None
        renumbered = self.with_other_numbers(text)
        if renumbered is not None:
            return renumbered, fuzz.ratio(text, renumbered) / 100
        cutoff = SHORT_NEAR_SCORE if short else PAGE_NEAR_SCORE
        found = fuzz.partial_ratio_alignment(text, self.text, score_cutoff=cutoff)
        if found is None:
            return None
        page, start, end = self.text, found.dest_start, found.dest_end
        # The page may be the shorter text: then partial_ratio measured it inside the unit.
        if fuzz.ratio(text, page[start:end]) < cutoff:
            return None
        while start > 0 and not page[start - 1].isspace() and not _run_on(page, start):
            start -= 1
        while end < len(page) and not page[end].isspace() and not _run_on(page, end):
            end += 1
        # A sentence that lacks words before its stop ("you can ." of "you can post a comment.")
        # is measured against the page's sentence to its stop; one that lacks words after its
        # first ("Follow , and" of "Follow @jdoe on Twitter, and") from its first word on.
        if ends_sentence(text) and not ends_sentence(page[start:end]):
            stop = _STOP.search(page, end, end + _STOP_REACH)
            end = stop.end() if stop else end
        first = text.split(maxsplit=1)[0]
        if not page.startswith(first, start):
            earlier = page.rfind(" " + first + " ", max(0, start - _STOP_REACH), start)
            start = earlier + 1 if earlier >= 0 else start
        original = page[start:end]
        # A short unit is an edit of page text only in its numbers ("37 Photos" of "36 Photos"):
        # "Reply" is no edit of "Replying".
        if short and _NUMBER.sub("0", match_key(text)) != _NUMBER.sub("0", match_key(original)):
            return None
        return original, found.score / 100

    @cached_property
    def _spaceless(self) -> tuple[str, list[int]]:
        """The flat text without spaces, and the offset in the flat text of each character."""
        flat = self.flat
        return _spaceless(flat), [k for k, char in enumerate(flat) if char != " "]

    @cached_property
    def _line_index(self) -> LineIndex:
        """The lines' spaceless keys, to tell which line holds a text."""
        return LineIndex(self.spaceless_keys)

    def line_of(self, text: str, after: int | None = None) -> int | None:
        """The number of the first page line (from line ``after`` on, if it has one there) that
        holds ``text``, if one does: a sentence the page repeats in a teaser is placed in the
        body where the copy's previous sentence stands."""
        key = _spaceless(match_key(text))
        found = self._line_index.find(key, after) if after is not None else None
        return found if found is not None else self._line_index.find(key)

    @cached_property
    def _run_index(self) -> LineIndex:
        """The lines' spaceless keys run together, for texts that run over several lines."""
        return LineIndex(self.spaceless_keys, joiner="")

    def span_of(self, text: str, after: int = 0) -> tuple[int, int] | None:
        """The first and last page lines of the first place (from line ``after`` on) that
        ``text`` stands at, across lines if it runs over several."""
        return self._run_index.span(_spaceless(match_key(text)), after)

    @cached_property
    def line_words(self) -> tuple[int, ...]:
        """The number of words of each page line."""
        return tuple(len(line.split()) for line in self._ordered)

    def line(self, number: int) -> str:
        return self._ordered[number]

    def position(self, text: str) -> int | None:
        """Where ``text`` first stands in the page's spaceless text, if it does."""
        at = self._spaceless[0].find(_spaceless(match_key(text)))
        return None if at < 0 else at

    def with_other_numbers(self, text: str) -> str | None:
        """The page text that reads as ``text`` with other numbers in it ("Season 8" of
        "Season 7"), if the page has one and ``text`` has words to place it by."""
        pieces = _NUMBER.split(text)
        if len(pieces) < 2 or sum(char.isalpha() for char in text) < _NUMBERED_LETTERS:
            return None
        pattern = r"\d+".join(re.escape(piece) for piece in pieces)
        found = re.search(rf"(?<!\w){pattern}(?!\w)", self.text)
        return None if found is None else found.group()

    @cached_property
    def _words(self) -> list[str]:
        """Every word of the page, casefolded, in order across its lines."""
        return [word for key in self._keys for word in _casefolded_words(key)]

    @cached_property
    def _word_run(self) -> str:
        """`_words` between spaces."""
        return " " + " ".join(self._words) + " "

    @cached_property
    def _word_places(self) -> dict[str, list[int]]:
        places: dict[str, list[int]] = {}
        for number, word in enumerate(self._words):
            places.setdefault(word, []).append(number)
        return places

    def shows_line_loosely(self, text: str) -> bool:
        """Whether the page reads as ``text`` in other letter case (a style set it in capitals),
        perhaps over several lines, or with some of its pieces left out (a counter, a link's
        label, an icon's text, which a copy drops from a line of furniture): ``text``'s words
        stand in order in at most `_LOOSE_PIECES` runs of consecutive words, each of two words
        or more, within a stretch of page text not much longer than ``text``."""
        words = _casefolded_words(match_key(text))
        if not words:
            return False
        if " " + " ".join(words) + " " in self._word_run:
            return True
        reach = _LOOSE_REACH * len(words) + _LOOSE_SLACK
        # A run is two words or more: it starts where the page has the first two words.
        starts = [
            start
            for start in self._word_places.get(words[0], ())
            if len(words) == 1 or self._words[start + 1 : start + 2] == words[1:2]
        ]
        return any(
            _in_pieces(words, self._words[start : start + reach])
            for start in starts[:_LOOSE_STARTS]
        )

    def contains(self, key: str) -> bool:
        """Substring test of a match key that will not find "Reply" inside "Replying"; the
        spaces between words may differ ("sourceBank" is "source Bank")."""
        flat = self.flat
        start = flat.find(key)
        while start >= 0:
            if _whole(flat, start, start + len(key)):
                return True
            start = flat.find(key, start + 1)
        if " " not in key:
            return False
        text, where = self._spaceless
        squeezed = _spaceless(key)
        start = text.find(squeezed)
        while start >= 0:
            if _whole(flat, where[start], where[start + len(squeezed) - 1] + 1):
                return True
            start = text.find(squeezed, start + 1)
        return False


def _casefolded_words(key: str) -> list[str]:
    """A match key's words, casefolded, without their punctuation."""
    return [word for word in _NOT_WORD.split(key.casefold()) if word]


_LOOSE_PIECES = 3
# The stretch of page words a loosely shown line may stand in: this many times its own words,
# and this many more.
_LOOSE_REACH, _LOOSE_SLACK = 2, 10
_LOOSE_STARTS = 100  # places tried, at most: a page of one word repeated costs no more


def _in_pieces(words: Sequence[str], stretch: Sequence[str]) -> bool:
    """Whether ``words`` stand in ``stretch`` in order as at most `_LOOSE_PIECES` runs of
    consecutive words, each the longest found from where the last one ended and of two words or
    more (a lone word or number could be found anywhere)."""
    start = pieces = 0
    at = 0
    while at < len(words):
        best, best_end = 0, 0
        for k in range(start, len(stretch)):
            run = 0
            limit = min(len(words) - at, len(stretch) - k)
            while run < limit and stretch[k + run] == words[at + run]:
                run += 1
            if run > best:
                best, best_end = run, k + run
        if best == 0 or (best < 2 and len(words) > 1):
            return False
        pieces += 1
        if pieces > _LOOSE_PIECES:
            return False
        at, start = at + best, best_end
    return True


def _whole(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is not cut out of a longer word at either end; where two
    elements' texts run together ("pmNo", "NBCSNTune") is no word's inside."""
    cut_before = start > 0 and _inside_word(text, start)
    cut_after = end < len(text) and _inside_word(text, end)
    return not (cut_before or cut_after)


def _inside_word(text: str, at: int) -> bool:
    """Whether ``text[at - 1]`` and ``text[at]`` stand inside one word."""
    return text[at - 1].isalnum() and text[at].isalnum() and not _run_on(text, at)


def _run_on(text: str, at: int) -> bool:
    """Whether two elements' texts run together between ``text[at - 1]`` and ``text[at]``: a
    small letter then a capital ("pmNo"), or a capital or digit then a capitalized word
    ("NBCSNTune", "500Companies")."""
    left, right = text[at - 1], text[at]
    if not right.isupper():
        return False
    return left.islower() or (
        (left.isupper() or left.isdigit()) and text[at + 1 : at + 2].islower()
    )


def _classify(unit: Unit, pairs: _Pairs, page: _Page) -> SeedUnitResult:
    j = pairs.partner[unit.index]
    if j is None:
        # A line of punctuation alone (a separator, ". . .") carries no text to check.
        if page.shows(unit.text) or not _words_only(unit.text):
            return SeedUnitResult(unit, UnitClass.FURNITURE, None, 0.0, ())
        near = page.original_of(unit.text)
        if near is None:
            if not is_prose(unit.text) and page.shows_line_loosely(unit.text):
                return SeedUnitResult(unit, UnitClass.FURNITURE, None, 0.0, ())
            return SeedUnitResult(unit, UnitClass.FOREIGN, None, 0.0, ())
        original, similarity = near
        ops = diff(unit.text, original)
        # Trimmed of the window's surplus, unless that was the only change (the unit ends
        # inside a longer word of the page: "the end" in "the ending").
        trimmed = _trimmed(ops)
        ops = trimmed if any(op.op != "equal" for op in trimmed) else ops
        if (
            punctuation_only(ops)
            or (_only_left_out(ops) and not is_prose(unit.text))
            or page.only_links_left_out(ops)
        ):
            # A line of furniture that lacks only some of the page's words (a button's label or
            # a link's icon text, which a copy drops) is no edit; a sentence that lacks words is,
            # unless they are only links' labels.
            return SeedUnitResult(unit, UnitClass.FURNITURE, None, 0.0, ())
        return SeedUnitResult(unit, UnitClass.EDITED, None, similarity, ops)
    article_text = pairs.article[j].text
    if pairs.joined[unit.index] or pairs.seed_keys[unit.index] == pairs.article_keys[j]:
        return SeedUnitResult(unit, UnitClass.MATCHED, j, 1.0, ())
    ops = diff(unit.text, article_text)
    if punctuation_only(ops) or page.only_links_left_out(ops):
        # The same words (or all but links' labels): a match whose diff shows what differs.
        return SeedUnitResult(unit, UnitClass.MATCHED, j, 1.0, ops)
    similarity = pairs.similarity[unit.index]
    return SeedUnitResult(unit, UnitClass.EDITED, j, similarity, ops)


def _only_left_out(ops: Sequence[DiffOp]) -> bool:
    """Whether the page's text differs from the copy's only by text the copy lacks."""
    return all(op.op in ("equal", "insert") for op in ops)


def _trimmed(ops: tuple[DiffOp, ...]) -> tuple[DiffOp, ...]:
    """A diff against a window of page text without the window's surplus at either end."""
    first, last = 0, len(ops)
    if first < last and ops[first].op == "insert":
        first += 1
    if first < last and ops[last - 1].op == "insert":
        last -= 1
    return ops[first:last]


def _headline(
    article: Sequence[Unit], title: str | None, headings: Sequence[str]
) -> frozenset[int]:
    """Indexes of the article's headline units: its first paragraph, if that is the title, a
    part of the title around a separator ("Headline - SiteName", "Site | Headline") or an h1."""
    first = [u for u in article if u.paragraph == 0]
    if not first or match_key(" ".join(u.text for u in first)).casefold() not in _headline_keys(
        title, headings
    ):
        return frozenset()
    return frozenset(u.index for u in first)


def _headline_keys(title: str | None, headings: Sequence[str]) -> frozenset[str]:
    """The casefolded match keys the headline may have: the title, its parts around a separator,
    the h1s."""
    candidates = {match_key(normalize(h)).casefold() for h in headings}
    if title is not None:
        title = normalize(title)
        candidates.add(match_key(" ".join(title.split("\n"))).casefold())
        candidates.update(match_key(part).casefold() for part in _TITLE_PARTS.split(title))
    return frozenset(candidates)


# Separators between a headline and a site name ("|" is already a line break: see normalize).
_TITLE_PARTS = re.compile(r"\n| (?:[-:\u00bb\u00b7\u2022/>~]|::) ")


def _paragraph_map(
    results: Sequence[SeedUnitResult], article: Sequence[Unit]
) -> tuple[tuple[int, int | None], ...]:
    weights: dict[int, dict[int, int]] = {}
    for result in results:
        unit = result.unit
        row = weights.setdefault(unit.paragraph, {})
        if result.article_unit is not None:
            target = article[result.article_unit].paragraph
            row[target] = row.get(target, 0) + len(unit.text)
    return tuple(
        (p, min(row, key=lambda a: (-row[a], a)) if row else None)
        for p, row in sorted(weights.items())
    )
