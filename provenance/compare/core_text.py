"""Which article units a copy may leave out and still hold the whole article.

An extractor keeps more than the article's core: bylines, datelines, captions, share and
"related" boxes, copyright lines, author bios. A unit the copy lacks counts against it (an
excerpt) only when it is core text, told by three pieces of evidence that do not depend on the
extractor being right:

- its DOM role: a unit inside a caption, byline, aside, navigation, footer... of the page
  (`provenance.text.periphery`) is periphery wherever it stands;
- its position: a run of units before the first or after the last sentence the copy holds is
  a leading or trailing block, periphery unless it holds two sentences of prose next to the
  body (a copy that lacks the lead paragraph or stops half way is still an excerpt); a gap in
  the middle of the body is core, and so is all prose of no peripheral role when the copy holds
  no sentence of the article at all;
- its form: a short line that is not a sentence (a date, a name, "Share this") is periphery,
  and so are a byline or a picture's credit even when written as a sentence ("Posted by Jane
  in News."), a sentence about the site rather than the story (copyright, subscribing,
  sharing, reprints, comments), and a repeat of text the copy holds (an extractor may take a
  block twice).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cached_property

from provenance.compare.line_index import LineIndex
from provenance.text.normalize import match_key
from provenance.text.periphery import LINK_ROLE, LINKS_ROLE, Paragraph, PeripheralBlock
from provenance.text.segment import Unit

# A leading or trailing run is core when it holds this many sentences of prose, of this many
# characters together.
EDGE_CORE_SENTENCES = 2
EDGE_CORE_CHARS = 200
# A lone sentence before the body is the lead paragraph when it is this long, or this long and
# ends with a stop (a standfirst often has none: "Millions Planned to Curb Pandemic") and holds
# no clock time or byline (a header run into what follows it).
LEAD_SENTENCE_CHARS = 150
LEAD_STOPPED_CHARS = 100
_HEADER_MARKS = re.compile(r"\b\d{1,2}:\d\d\b|\bBy [A-Z][\w'-]+ [A-Z]")
_SHORT_LINE = "a short line"
_BODY_PARAGRAPHS = 2  # held paragraphs under one element that make it the body's
_HELD_MIN_CHARS = 40
# Units passed over at each end of the body as repeats (pull quotes, a repeated header), at most: a
# page of nothing but repeats costs no more than a few passes over it.
_EDGE_REPEATS = 10
_HEADLINE_CHARS = 20  # a headline this long found inside a unit makes it a header
_TAIL_CHARS = 60  # letters at a unit's end that the copy holds make its end the copy's
_RUN_LINES = 3  # page lines a unit runs over that make it a list run together, if short
_APART_LINES = 3  # page lines outside the article that set a leading or trailing run apart
_LONG_PARAGRAPH = 250  # a matched unit this long marks the body's extent (not "Related", "AP")
_SITE_TALK = re.compile(
    r"copyright|\u00a9|\(c\) \d|all rights reserved|subscrib|sign up|newsletter|click here|"
    r"e-?mail (alerts|this)|reprints?\b|terms of (use|service)|privacy policy|follow (us|@)|"
    r"comments? (policy|are|is)|\bRSS\b|advertise (with|on|here)|advertisements?\b|"
    r"originally (appeared|published|posted)|(this|the) (post|article|story) first appeared|"
    r"stay tuned|if you('| a)re new here|first time (here|visiting)|on your way out|"
    r"comments (from|by) (the |our )?readers|seek (independent |professional )?\w* ?advice|"
    r"\b(visit|check out) (\w+\.)+(com|org|net)\b",
    re.IGNORECASE,
)
# A notice of the site's, which no story's sentence is, wherever it stands: a disclaimer, the
# prompts of the comment form, a heading of advertisements, an agency's credit for the report, a
# line that opens by asking the reader to follow or like someone on a social network.
_SITE_NOTICE = re.compile(
    r"views expressed|not necessarily (reflect|those)|not responsible for the content|"
    r"(post|leave|submit) (a|your) comment|(there are )?(currently )?no comments (yet|for this)|"
    r"sponsored links|(contributed|information) (to|for) this (report|story|article)|"
    r"^(?:you should )?(?:follow|like|join|friend) .{0,60}\bon (?:twitter|facebook|google\+|"
    r"instagram|pinterest)\b",
    re.IGNORECASE,
)
# A note about the writer or the publisher after the story: "Jane Doe is a writer based in
# New York.", "Acme Corp. is the leading maker of ...".
_ABOUT_SOMEONE = re.compile(
    r"^(?:About [A-Z][^.]{0,60}?[:.] )?(?!(?:He|She|It|They|This|That|There|Here|We|I|You) )"
    r"(?:[A-Z][\w'.&-]*,? ){1,5}(?:\([^)]{0,60}\) )?"
    r"(?:is|was|has been) (?:a|an|the|also|currently|now)\b"
)
# A byline or posting line ("Posted by Jane in News.", "by jdoe on May 4, 2012", "Published:
# ...") and a picture's credit ("Photo: ...", "Image courtesy of ..."): periphery wherever it
# stands. Only lines this short (a paragraph that begins so is prose), and a "By ..." line only
# when it ends with no stop ("By noon on Friday, the city fell." is a sentence).
_BYLINE_OR_CREDIT = re.compile(
    r"^(?:originally\s+)?(?:posted|published|written|filed|submitted|updated|last\s+updated)"
    r"\s*(?::|\b(?:by|on|in|at)\b)"
    r"|^by\s+(?!.*[.!?][\"')\]]*$)[A-Za-z][\w.'-]*(?:\s+[A-Za-z][\w.'-]*){0,9}\s*"
    r"(?:$|(?-i:,\s+[A-Z])|[|\u2022\u00b7\u2013\u2014-]\s|\b(?:on|in|at|for)\s)"
    r"|^(?:photo(?:graph)?|image|picture|illustration|video|graphic)s?"
    r"(?:\s+(?:credit|courtesy))?s?\s*(?::|\bby\b|\bcourtesy\b)",
    re.IGNORECASE,
)
_BYLINE_CHARS = 120
# A line that ends with a comma or a word no sentence ends with goes on in the next one.
_GOES_ON = re.compile(
    r"(?:,|\b(?:a|an|the|and|or|but|of|to|in|on|at|by|for|from|with|into|that|which|who|"
    r"whose|its|their|his|her|our|is|are|was|were|has|have|had|will|would|as|than))$"
)
# A picture's texts, which a page may set between its lead paragraph and the rest of the body.
_MEDIA_ROLES = frozenset({"a caption", "a photo credit", "an image's alt or title text"})
_PROSE_WORDS = 6  # words of a sentence that ends with a stop
_LONG_WORDS = 15  # words of a line that is prose even without a stop
# A full stop or colon, perhaps inside closing quotes or brackets: "(July 24, 2012)" or
# "Comments (0)" ends no sentence.
_SENTENCE_END = re.compile(r"[.!?:;\u3002\uff01\uff1f\u061f\u0964][\"')\]]*$")


@dataclass(frozen=True)
class CopyOnPage:
    """Where the copy and the article stand on the page's own text, as the alignment found.

    - ``reaches``: the first and last article units that the copy's sentences outside the
      article stand next to: the copy reaches that far, and what lies within is a gap in it,
      not a leading or trailing block;
    - ``skipped``: page lines the copy jumps over between two of its sentences that stand
      close together; those that are prose of no peripheral role, and that neither the
      article nor the copy (``copy_keys``, its units' match keys) has, are core text the
      extractor dropped and the copy lacks (numbered on after the article's units);
    - ``article_spans``: the first and last page lines of each article unit (None where not
      found): a leading or trailing run set apart from the body by page lines the extractor
      left out (comments, a box of links) does not adjoin it, and a unit that runs over several
      short page lines is a list or a menu the extractor ran together, not a sentence;
    - ``line_words``: the number of words of each page line, and ``line_keys`` their match
      keys without spaces.
    """

    reaches: tuple[int, int] | None = None
    skipped: Sequence[str] = ()
    copy_keys: Sequence[str] = ()
    article_spans: Sequence[tuple[int, int] | None] = ()
    line_words: Sequence[int] = ()
    headlines: Set[str] = frozenset()
    line_keys: Sequence[str] = ()

    @cached_property
    def _copy_flat(self) -> str:
        return "\n".join(key.replace(" ", "") for key in self.copy_keys)

    def copy_shares(self, unit: Unit) -> bool:
        """Whether the copy holds a sentence of the unit, or its end (a unit that runs a header
        into the lead paragraph ends with the lead's sentence)."""
        flat = match_key(unit.text).replace(" ", "")
        return _shares_a_sentence(flat, self._copy_flat) or (
            len(flat) >= _TAIL_CHARS and flat[-_TAIL_CHARS:] in self._copy_flat
        )

    def holds_line(self, number: int) -> bool:
        """Whether the copy holds page line ``number`` (one long enough to tell)."""
        if number >= len(self.line_keys):
            return False
        key = self.line_keys[number]
        return len(key) >= _PIECE_CHARS and key in self._copy_flat

    def holds_headline(self, unit: Unit) -> bool:
        """Whether the unit holds the headline (`headlines`: its casefolded match keys) and more:
        a header (headline, standfirst, byline, date) the extractor ran into one unit."""
        key = match_key(unit.text).casefold()
        return any(
            len(headline) >= _HEADLINE_CHARS and headline in key and headline != key
            for headline in self.headlines
        )

    def run_together(self, unit: Unit) -> bool:
        """Whether the unit runs over `_RUN_LINES` or more page lines of fewer than
        `_PROSE_WORDS` words on average."""
        span = self.article_spans[unit.index] if unit.index < len(self.article_spans) else None
        if span is None or span[1] - span[0] + 1 < _RUN_LINES:
            return False
        words = self.line_words[span[0] : span[1] + 1]
        return sum(words) < _PROSE_WORDS * len(words)


def split_omissions(
    article: Sequence[Unit],
    paired: Set[int],
    headline: Set[int],
    periphery: Sequence[PeripheralBlock],
    paragraph_elements: Sequence[Paragraph] = (),
    on_page: CopyOnPage | None = None,
    repeats: Set[int] = frozenset(),
) -> tuple[tuple[Unit, ...], tuple[tuple[Unit, str], ...]]:
    """The unmatched article units, split into core ones and periphery ones (with its role).
    ``repeats``: paired units that are only repeats of text the copy holds elsewhere (a pull
    quote, a caption run into a sentence); they do not stretch the body's extent."""
    on_page = on_page or CopyOnPage()
    body = [u for u in article if u.index not in headline]
    # The units that mark the body's extent: those the copy holds (not as a repeat) that are
    # long or a sentence; a short line that is neither ("Related", "AP") may stand anywhere.
    marks = [
        u
        for u in body
        if u.index in paired
        and u.index not in repeats
        and (len(u.text) >= _HELD_MIN_CHARS or is_prose(u.text))
    ]
    # The long sentences of the article's prose that the copy holds (a headline is none).
    story = {u.index for u in marks if len(u.text) >= _HELD_MIN_CHARS and is_prose(u.text)}
    # When the copy holds none, what it holds marks where the body stands, but only weakly: the
    # prose of a leading or trailing run is core text.
    thin = not story
    held = [u.index for u in marks] or [u.index for u in body if u.index in paired]
    if not held:
        return tuple(u for u in body if u.index not in paired), ()
    keys = {u.index: match_key(u.text) for u in body}
    blocks = _Blocks(
        periphery,
        [keys[u.index] for u in body if u.index in paired and len(u.text) >= _HELD_MIN_CHARS],
        [keys[u.index] for u in body],
    )
    first, last = _extent(held, keys, blocks, story)
    if on_page.reaches is not None:
        first, last = min(first, on_page.reaches[0]), max(last, on_page.reaches[1])
    held_texts = {keys[u.index] for u in body if u.index in paired}
    where = _Placement(paragraph_elements, [u for u in body if u.index in paired])
    # The first page line of each article unit, for telling runs set apart from the body.
    lines = [None if span is None else span[0] for span in on_page.article_spans]
    core: list[Unit] = []
    left_out: list[tuple[Unit, str]] = []
    for run in _runs(u for u in body if u.index not in paired):
        leading, trailing = run[-1].index < first, run[0].index > last
        roles = [
            "a list run together"
            if on_page.run_together(u)
            else _role(u, keys[u.index], blocks, held_texts, edge=leading or trailing)
            for u in run
        ]
        # A line that introduces what follows ("More about the search:") is of its role.
        for k in range(len(run) - 2, -1, -1):
            if roles[k] is None and roles[k + 1] is not None and run[k].text.endswith(":"):
                roles[k] = roles[k + 1]
        prose = _prose_units(run)
        if leading or trailing:
            place = "a leading block" if leading else "a trailing block"
            apart = _set_apart(lines, run, first, last, on_page, leading=leading)
            if thin:
                lacking = {
                    u
                    for u, role in zip(run, roles, strict=True)
                    if role is None and u.index in prose
                }
            elif apart:
                lacking = set()
            else:
                lacking = _next_to_body(run, roles, prose, where, on_page, leading=leading)
            for unit, role in zip(run, roles, strict=True):
                if unit in lacking:
                    core.append(unit)
                else:
                    left_out.append((unit, role or place))
            continue
        decided: list[tuple[Unit, str | None]] = []
        for unit, role in zip(run, roles, strict=True):
            in_body = where.in_body(unit)
            if role == LINKS_ROLE and in_body and len(unit.text.split()) >= _LONG_WORDS:
                # A long sentence among the body's paragraphs that links a story as it tells it
                # (a short one may be a teaser for another story).
                decided.append((unit, None))
            elif role is not None:
                decided.append((unit, role))
            elif in_body is False:
                decided.append((unit, "a paragraph outside the body"))
            elif unit.index in prose or (in_body and len(unit.text.split()) >= _PROSE_WORDS):
                decided.append((unit, None))
            else:
                decided.append((unit, _SHORT_LINE))
        # A gap that lacks body text lacks its subheadings and short sentences with it.
        gap = any(role is None for _, role in decided)
        for unit, role in decided:
            if role is None or (gap and role == _SHORT_LINE):
                core.append(unit)
            else:
                left_out.append((unit, role))
    if on_page.skipped:
        core += _dropped_lines(article, on_page.skipped, on_page.copy_keys, blocks)
    return tuple(core), tuple(left_out)


def _dropped_lines(
    article: Sequence[Unit],
    skipped: Sequence[str],
    copy_keys: Sequence[str],
    blocks: _Blocks,
) -> list[Unit]:
    """The skipped page lines that are body text neither the article nor the copy has."""
    copy = "\n".join(key.replace(" ", "") for key in copy_keys)
    extracted = "\n".join(match_key(u.text).replace(" ", "") for u in article)
    found: list[Unit] = []
    for line in skipped:
        key = match_key(line)
        flat = key.replace(" ", "")
        if (
            len(flat) < _HELD_MIN_CHARS
            or not is_prose(line)
            or _shares_a_sentence(flat, copy)
            or _shares_a_sentence(flat, extracted)
            or blocks.role_of(key) is not None
            or _SITE_TALK.search(line)
            or _SITE_NOTICE.search(line)
        ):
            continue
        found.append(Unit(len(article) + len(found), -1, line))
    return found


_FLAT_SENTENCE = re.compile(r"(?<=[.!?])")
_PIECE_CHARS = 20  # a piece of a paragraph this long found in a text places it there


def _shares_a_sentence(flat: str, text: str) -> bool:
    """Whether a sentence of the spaceless paragraph ``flat`` stands in the spaceless ``text``."""
    return flat in text or any(
        len(piece) >= _PIECE_CHARS and piece in text for piece in _FLAT_SENTENCE.split(flat)
    )


def _set_apart(
    lines: Sequence[int | None],
    run: Sequence[Unit],
    first: int,
    last: int,
    on_page: CopyOnPage,
    *,
    leading: bool,
) -> bool:
    """Whether more than `_APART_LINES` page lines that the extractor left out, and the copy
    does not hold, stand between a leading or trailing run and the body it would adjoin (lines
    the copy holds, such as a box of links under the lead, are within the copy's reach)."""
    if not lines:
        return False
    near, far = (run[-1].index, first) if leading else (last, run[0].index)
    at_near, at_far = lines[near], lines[far]
    if at_near is None or at_far is None:
        return False
    low, high = min(at_near, at_far), max(at_near, at_far)
    kept = {line for line in lines if line is not None}
    return (
        sum(1 for line in range(low + 1, high) if line not in kept and not on_page.holds_line(line))
        > _APART_LINES
    )


def _next_to_body(
    run: list[Unit],
    roles: list[str | None],
    prose: Set[int],
    where: _Placement,
    on_page: CopyOnPage,
    *,
    leading: bool,
) -> set[Unit]:
    """The prose of a leading or trailing run that adjoins the body, if it is enough to be body
    text the copy lacks (a lead paragraph, the end of the story); empty otherwise. Junk after
    the story is set off from it by a short line that is no sentence ("Related", "Back to top"),
    by a block of a peripheral role, or, on a page that sets its body in <p> elements, by text
    in no <p> at all (a sidebar, a table of links, a site's blurb). A lead paragraph may be one
    sentence (LEAD_SENTENCE_CHARS, LEAD_STOPPED_CHARS), and a picture's texts may stand between
    it and the body."""
    order = range(len(run) - 1, -1, -1) if leading else range(len(run))
    adjoining: list[Unit] = []
    body_paragraph = False  # a lacking unit stands in a <p> among the body's paragraphs
    # A short sentence in a paragraph of prose ("Not on our watch!") is part of it.
    prose_paragraphs = {u.paragraph for u in run if u.index in prose}
    for k in order:
        if leading and roles[k] in _MEDIA_ROLES:
            continue
        in_body = where.in_body(run[k])
        short = len(run[k].text.split()) < _PROSE_WORDS and run[k].index not in prose
        if (
            roles[k] is not None
            or (not leading and (in_body is False or where.outside_paragraphs(run[k])))
            or (leading and on_page.holds_headline(run[k]) and on_page.copy_shares(run[k]))
            or (short and run[k].paragraph not in prose_paragraphs)
            or (not leading and _ABOUT_SOMEONE.match(run[k].text))
        ):
            break
        if run[k].index in prose or short:
            adjoining.append(run[k])
        if in_body:
            body_paragraph = True
    chars = sum(len(u.text) for u in adjoining)
    enough = len(adjoining) >= EDGE_CORE_SENTENCES and chars >= EDGE_CORE_CHARS
    stopped = (
        bool(adjoining)
        and ends_sentence(adjoining[0].text)
        and not _HEADER_MARKS.search(adjoining[0].text)
    )
    lead = chars >= LEAD_SENTENCE_CHARS or (stopped and chars >= LEAD_STOPPED_CHARS)
    if leading and adjoining and (body_paragraph or lead):
        enough = True
    return set(adjoining) if enough else set()


class _Placement:
    """Where units stand among the page's <p> elements: the body is the paragraphs that share a
    parent or grandparent with the paragraphs the copy holds. Worked out only when a unit the
    copy lacks is asked about."""

    def __init__(self, paragraphs: Sequence[Paragraph], held: Sequence[Unit]) -> None:
        self._paragraphs = paragraphs
        self._held = held

    @cached_property
    def _index(self) -> LineIndex:
        """Every paragraph's key without its spaces (the extractor and the DOM may space text
        at inline tags differently), a line each."""
        return LineIndex([p.key.replace(" ", "") for p in self._paragraphs])

    @cached_property
    def _body(self) -> tuple[set[int], set[int]]:
        parents: Counter[int] = Counter()
        grandparents: Counter[int] = Counter()
        for unit in self._held:
            if len(unit.text) >= _HELD_MIN_CHARS:
                found = self._paragraph(unit)
                if found is not None:
                    parents[found.parent] += 1
                    grandparents[found.grandparent] += 1
        return (
            {p for p, n in parents.items() if n >= _BODY_PARAGRAPHS},
            {g for g, n in grandparents.items() if n >= _BODY_PARAGRAPHS},
        )

    def _place(self, unit: Unit) -> int | None:
        return self._index.find(match_key(unit.text).replace(" ", ""))

    def _paragraph(self, unit: Unit) -> Paragraph | None:
        place = self._place(unit)
        return None if place is None else self._paragraphs[place]

    def outside_paragraphs(self, unit: Unit) -> bool:
        """Whether the page sets its body in <p> elements and no <p> holds this unit."""
        if len(unit.text) < _HELD_MIN_CHARS // 2 or not self._body[0]:
            return False
        return self._paragraph(unit) is None

    def in_body(self, unit: Unit) -> bool | None:
        """True in a body paragraph, False in another <p>, None when no <p> holds it (or the
        body has no paragraphs: pages laid out with <br> and tables)."""
        if not self._paragraphs or len(unit.text) < _HELD_MIN_CHARS // 2:
            return None
        parents, grandparents = self._body
        if not parents:
            return None
        found = self._paragraph(unit)
        if found is None:
            return None
        if found.parent in parents or found.grandparent in grandparents:
            return True
        # A long paragraph elsewhere may be body text in a container of its own.
        return None if len(found.key) >= _LONG_PARAGRAPH else False


def _extent(
    held: Sequence[int], keys: Mapping[int, str], blocks: _Blocks, story: Set[int]
) -> tuple[int, int]:
    """The first and last of the ``held`` units, passing over those at either end that repeat a
    sentence of another held unit, and those at the end that stand in a peripheral element of
    their own while ``story`` (long sentences of prose) is still held before them: a pull quote
    or a caption the page sets after the story (and the copy holds, as copied pages do) does not
    stretch the body over what lies between."""
    flat = {j: keys[j].replace(" ", "") for j in held}

    def aside(j: int, others: Sequence[int]) -> bool:
        if repeats(j, others):
            return True
        told = sum(1 for k in others if k in story)
        return told >= EDGE_CORE_SENTENCES and blocks.own_role(keys[j]) is not None

    def repeats(j: int, others: Sequence[int]) -> bool:
        # A pull quote may carry its speaker after the quoted words ("... justified Foreign
        # Office spokesman"): its opening words then stand in the story.
        opening = flat[j][:_HELD_MIN_CHARS] if len(flat[j]) >= _HELD_MIN_CHARS else None
        return any(
            _shares_a_sentence(flat[j], flat[k])
            or _shares_a_sentence(flat[k], flat[j])
            or (opening is not None and opening in flat[k])
            for k in others
        )

    start, end = 0, len(held) - 1
    while start < end and end >= len(held) - _EDGE_REPEATS and aside(held[end], held[:end]):
        end -= 1
    # At the start, a long line that is no sentence (a headline the extractor kept) opens the
    # header, not the story, while the story is held after it.
    while start < min(end, _EDGE_REPEATS) and (
        repeats(held[start], held[start + 1 : end + 1])
        or (
            held[start] not in story
            and not is_prose(keys[held[start]])
            and any(k in story for k in held[start + 1 : end + 1])
        )
    ):
        start += 1
    return held[start], held[end]


def _runs(units: Iterable[Unit]) -> list[list[Unit]]:
    """Units grouped into runs of consecutive indexes."""
    runs: list[list[Unit]] = []
    for unit in units:
        if runs and runs[-1][-1].index + 1 == unit.index:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    return runs


def _prose_units(run: Sequence[Unit]) -> set[int]:
    """The indexes of the units that are prose, or pieces of a sentence that is: a sentence
    broken over lines (by <br>, or a text wrapped at a fixed width) goes on in a unit that
    starts in lower case, or after a line that ends with a comma or a word no sentence ends
    with ("... an interview with" / "Germany's Frankfurter Allgemeine Zeitung.")."""
    found: set[int] = set()
    sentence: list[Unit] = []
    for k, unit in enumerate(run):
        sentence.append(unit)
        following = run[k + 1].text[:1] if k + 1 < len(run) else ""
        goes_on = following.islower() or (following and _GOES_ON.search(unit.text))
        if goes_on and not ends_sentence(unit.text):
            continue
        if is_prose(" ".join(u.text for u in sentence)):
            found.update(u.index for u in sentence)
        sentence = []
    return found


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a full stop (perhaps inside closing quotes or brackets)."""
    return bool(_SENTENCE_END.search(text))


def is_prose(text: str) -> bool:
    """Whether ``text`` reads as prose: a sentence that ends with a stop, or a long line."""
    words = len(text.split())
    return words >= _LONG_WORDS or (words >= _PROSE_WORDS and ends_sentence(text))


def _role(unit: Unit, key: str, blocks: _Blocks, held: Set[str], *, edge: bool) -> str | None:
    """The peripheral role of an unmatched unit (``key``: its match key), if it has one; talk
    about the site counts only before or after the body (inside it, it may be the story's
    subject)."""
    if key in held:
        return "a repeat of text the copy holds"
    if len(unit.text) <= _BYLINE_CHARS and _BYLINE_OR_CREDIT.match(unit.text):
        return "a byline or credit line"
    if (edge and _SITE_TALK.search(unit.text)) or _SITE_NOTICE.search(unit.text):
        return "a note about the site"
    return blocks.role_of(key)


class _Blocks:
    """The page's peripheral blocks as one text, searched once for each unit, without spaces (a
    block's text joins its elements' texts as they stand: "SEE ALSO" and "RELATED LINKS" run
    together). A block that holds a sentence the copy has is the article's own container,
    whatever its class says (a WordPress post's classes name its tags and author); so is, when
    the copy holds no sentence of the article, a block that holds most of the article."""

    def __init__(
        self, periphery: Sequence[PeripheralBlock], held: Sequence[str], article: Sequence[str]
    ) -> None:
        self._blocks = periphery
        self._keys = [block.key.replace(" ", "") for block in periphery]
        self._held = [sentence.replace(" ", "") for sentence in held]
        self._article = [key.replace(" ", "") for key in article]
        self._article_chars = sum(len(unit) for unit in self._article)
        self._index = LineIndex(self._keys)
        self._containers: dict[int, bool] = {}

    def role_of(self, key: str) -> str | None:
        """The role of the first block that holds ``key`` and is not the article's container."""
        key = key.replace(" ", "")
        for number in self._index.find_all(key):
            if number not in self._containers:
                self._containers[number] = self._container(number)
            if not self._containers[number]:
                return self._blocks[number].role
        return None

    def own_role(self, key: str) -> str | None:
        """The role of the first element that holds ``key`` and no other sentence the copy
        holds (a caption the copy keeps, which is no sign of the article's container); a link
        is no such element (a story may give an address as its own line)."""
        key = key.replace(" ", "")
        for number in self._index.find_all(key):
            block = self._keys[number]
            if self._blocks[number].role != LINK_ROLE and not any(
                sentence in block for sentence in self._held if sentence != key
            ):
                return self._blocks[number].role
        return None

    def _container(self, number: int) -> bool:
        """Whether block ``number`` is the article's own container."""
        block = self._keys[number]
        if self._held:
            return any(sentence in block for sentence in self._held)
        inside = sum(len(unit) for unit in self._article if unit in block)
        return 2 * inside > self._article_chars
