"""The copies the accuracy harness judges: untouched ones a reader would call faithful, and
tampered ones with one known change. Every builder is deterministic (an RNG seeded by the page
id) and returns None where it does not apply to a page, so skips can be counted."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree, html

from provenance.text.decode import decode_html
from provenance.text.normalize import normalize


@dataclass(frozen=True)
class Copy:
    """One copy of a page's article: its text, the verdicts it should get, and the strings of
    which the first reason must name at least one (tampered copies only)."""

    kind: str
    text: str
    markers: tuple[str, ...] = ()


def rng_for(kind: str, page_id: str) -> random.Random:
    # A str seed is hashed with SHA-512, so the stream is the same in every process and run.
    return random.Random(f"{kind}:{page_id}")


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def middle_indices(count: int) -> list[int]:
    """Paragraph indices in the middle of a body: neither the first (the headline) nor the last,
    and inside the middle half when there are enough of them."""
    if count < 3:
        return []
    low, high = max(1, count // 4), min(count - 1, count - count // 4)
    return list(range(low, high)) or list(range(1, count - 1))


# --- typography -----------------------------------------------------------------------------

_OPENING_CONTEXT = re.compile(r"[\s(\[{\u2014\u2013-]")
# Each spelling of a dash to another, in one pass so that nothing is swapped back.
_DASH_SWAP = {"\u2014": "--", "\u2013": "-", " -- ": " \u2014 ", " - ": " \u2013 "}
_DASH = re.compile("|".join(re.escape(d) for d in sorted(_DASH_SWAP, key=len, reverse=True)))


def typography(text: str, page_id: str) -> str:
    """The same words with the typography of another keyboard: quotes flipped between straight
    and curly, dashes between the typographic and ASCII spellings, some doubled spaces and
    no-break spaces, CRLF line ends."""
    rng = rng_for("typography", page_id)
    text = _DASH.sub(lambda m: _DASH_SWAP[m.group()], text)
    out: list[str] = []
    for k, char in enumerate(text):
        before = text[k - 1] if k else " "
        opening = bool(_OPENING_CONTEXT.match(before))
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
        elif char == "'":
            out.append("\u2018" if opening else "\u2019")
        elif char in "\u201c\u201d":
            out.append('"')
        elif char in "\u2018\u2019":
            out.append("'")
        elif char == " " and rng.random() < 0.08:
            out.append("\u00a0")
        elif char == " " and before in ".!?" and rng.random() < 0.5:
            out.append("  ")
        else:
            out.append(char)
    return "".join(out).replace("\n", "\r\n")


# --- the article without its periphery ------------------------------------------------------

# Class or id words of elements that hold captions, photo credits, standfirsts and bylines.
_CAPTION_CLASS = re.compile(r"caption|credit", re.I)
_LEAD_CLASS = re.compile(
    r"byline|dateline|author|timestamp|\bdate|posted|standfirst|\bdek\b|deck|subhead"
    r"|strapline|summary|teaser",
    re.I,
)
_BYLINE = re.compile(
    r"^(by|posted|published|updated|written by|filed under|photo|image|credit|source)\b"
    r"[ :](?! *\d)",
    re.I,
)
_MONTHS = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?"
)
_DATE = re.compile(rf"\b({_MONTHS})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+({_MONTHS})\s+\d{{4}}", re.I)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
_PERIPHERY_MAX = 160  # a byline, dateline or credit line is short
_LEADING_LINES = 8  # how far below the headline periphery is looked for
_SENTENCE_WORDS = 8  # a line this long ending in a full stop is a sentence, not a dateline


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def periphery_texts(page: bytes) -> tuple[set[str], set[str]]:
    """(caption texts, leading-periphery texts) the page's DOM marks: figcaption and elements
    whose class or id mentions caption/credit; bylines, datelines, time elements, standfirsts."""
    try:
        root = html.document_fromstring(decode_html(page, "text/html").text)
    except (etree.ParserError, ValueError):
        return set(), set()
    captions: set[str] = set()
    leads: set[str] = set()
    for element in root.iter():
        if not isinstance(element, html.HtmlElement) or not isinstance(element.tag, str):
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        text = _squash(element.text_content())
        if not text or len(text) > 600:
            continue
        if element.tag == "figcaption" or _CAPTION_CLASS.search(marks):
            captions.add(text)
        elif element.tag in {"time", "address"} or _LEAD_CLASS.search(marks):
            leads.add(text)
    return captions, leads


def _marked(line: str, texts: Iterable[str]) -> bool:
    """Whether the page marks this line: it is one of the texts or a piece of one."""
    squashed = _squash(line)
    return len(squashed) >= 4 and any(squashed in text for text in texts)


def _looks_leading(line: str) -> bool:
    squashed = line.strip()
    if len(squashed) > _PERIPHERY_MAX:
        return False
    # A sentence that mentions a date ("The film opens February 13, 2013.") is body text.
    sentence = len(squashed.split()) >= _SENTENCE_WORDS and squashed[-1:] in ".!?"
    return bool(
        _BYLINE.search(squashed)
        or (_DATE.search(squashed) and len(squashed) < 80 and not sentence)
        or (_CLOCK.search(squashed) and len(squashed) < 80 and not sentence)
    )


def no_periphery(gold: str, page: bytes) -> tuple[str, list[str]] | None:
    """The gold without its captions, and without the byline, dateline and standfirst lines
    just below the headline; None when there are none. Returns the copy and the dropped lines.

    A line goes when the page marks it (inside a figcaption or a caption/credit element
    anywhere; inside a byline/date/standfirst element or `<time>` among the first lines) or,
    among the first lines, when it reads as a byline ("By ...", "Posted ..."), a date or a time.
    The headline (the first line) always stays, and so does any line longer than a byline."""
    captions, leads = periphery_texts(page)
    kept: list[list[str]] = []
    dropped: list[str] = []
    seen_lines = 0
    for paragraph in paragraphs(gold):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            seen_lines += 1
            leading = 1 < seen_lines <= _LEADING_LINES
            short = len(line) <= _PERIPHERY_MAX
            caption = seen_lines > 1 and _marked(line, captions)
            lead = leading and (_marked(line, leads) or _looks_leading(line))
            if short and (caption or lead):
                dropped.append(line)
            else:
                lines.append(line)
        if lines:
            kept.append(lines)
    if not dropped:
        return None
    return "\n\n".join("\n".join(lines) for lines in kept), dropped


# --- reader mode -------------------------------------------------------------------------------

_READER_BLOCKS = {
    "p",
    "div",
    "li",
    "blockquote",
    "pre",
    "tr",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dd",
    "dt",
}


def reader_mode(page: bytes) -> str | None:
    """readability-lxml's article as a reader-mode view shows it: the short title, then the
    article's blocks as paragraphs."""
    from readability import Document  # type: ignore[import-untyped]  # dev extra only

    decoded = decode_html(page, "text/html").text
    try:
        document = Document(decoded)
        summary = html.fragment_fromstring(document.summary(html_partial=True))
        title = document.short_title() or ""
    except Exception:  # readability raises bare Exceptions on unparsable pages
        return None
    pieces: list[str] = []
    _reader_walk(summary, pieces)
    blocks = [" ".join(b.split()) for b in "".join(pieces).split("\n\n")]
    body = "\n\n".join(b for b in blocks if b)
    text = f"{' '.join(title.split())}\n\n{body}" if title.strip() else body
    return text if body else None


def _reader_walk(element: html.HtmlElement, pieces: list[str]) -> None:
    block = element.tag in _READER_BLOCKS
    if block:
        pieces.append("\n\n")
    if element.tag == "br":
        pieces.append("\n\n")
    # readability-lxml writes "VIDEO" into a video's <iframe> only to keep the element; a
    # reader view shows the player there, not that word. Nor does it show <noframes> content,
    # which the parser keeps as raw markup.
    if element.text and element.tag not in {"script", "style", "iframe", "noframes"}:
        pieces.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            _reader_walk(child, pieces)
        if child.tail:
            pieces.append(child.tail)
    if block:
        pieces.append("\n\n")


# --- tampers -------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])\d+(?![\w])")
_WORD = re.compile(r"[A-Za-z]{3,}")
_SENTENCE = re.compile(r"[^.!?\n]*[A-Za-z][^.!?\n]*[.!?]")
_SYNONYMS = {
    "said": "stated",
    "big": "large",
    "large": "big",
    "small": "little",
    "quickly": "rapidly",
    "began": "started",
    "started": "began",
    "buy": "purchase",
    "help": "assist",
    "show": "display",
    "shows": "displays",
    "also": "additionally",
    "important": "significant",
    "major": "principal",
    "new": "novel",
    "people": "persons",
    "company": "firm",
    "however": "nevertheless",
    "because": "since",
    "about": "around",
}


def _changed_number(number: str, rng: random.Random) -> str:
    last = int(number[-1])
    new_last = (last + rng.randint(1, 9)) % 10
    if len(number) == 1 and new_last == 0:
        new_last = (last % 9) + 1
    return number[:-1] + str(new_last)


def _context_markers(text: str, start: int, end: int) -> tuple[str, ...]:
    """The changed span with the word before it, and with the word after it."""
    before = re.search(r"\S+\s*$", text[:start])
    after = re.match(r"\s*\S+", text[end:])
    markers = []
    if before:
        markers.append(text[before.start() : end])
    if after:
        markers.append(text[start : end + after.end()])
    return tuple(markers) or (text[start:end],)


def change_one_number(paragraph: str, rng: random.Random) -> tuple[str, tuple[str, ...]] | None:
    numbers = list(_NUMBER.finditer(paragraph))
    if not numbers:
        return None
    match = rng.choice(numbers)
    new = _changed_number(match.group(), rng)
    changed = paragraph[: match.start()] + new + paragraph[match.end() :]
    return changed, _context_markers(changed, match.start(), match.start() + len(new))


def figure(gold: str, page_id: str) -> Copy | None:
    """One number in a middle paragraph changed."""
    rng = rng_for("figure", page_id)
    paras = paragraphs(gold)
    candidates = [k for k in middle_indices(len(paras)) if _NUMBER.search(paras[k])]
    if not candidates:
        return None
    k = rng.choice(candidates)
    result = change_one_number(paras[k], rng)
    assert result is not None
    paras[k], markers = result
    return Copy("figure", "\n\n".join(paras), markers)


_MARKER_WORDS = 6  # words that name a line or a sentence of a deleted paragraph


def first_words(text: str, count: int = 4) -> str:
    return " ".join(text.split()[:count])


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if 40 <= len(s.strip()) <= 240]


def insert_foreign(gold: str, other_gold: str, page_id: str) -> Copy | None:
    """A sentence of another page's article inserted as a paragraph in the middle of the body."""
    rng = rng_for("insert-foreign", page_id)
    paras = paragraphs(gold)
    gold_squashed = _squash(gold)
    donors = [s for s in sentences(other_gold) if _squash(s) not in gold_squashed]
    if len(paras) < 2 or not donors:
        return None
    sentence = rng.choice(donors)
    position = rng.choice(middle_indices(len(paras)) or [1])
    paras.insert(position, sentence)
    return Copy("insert-foreign", "\n\n".join(paras), (first_words(sentence),))


def delete_paragraph(gold: str, page_id: str) -> Copy | None:
    """A middle paragraph of at least 80 characters deleted, one the gold holds once: deleting
    one of two equal paragraphs takes no text out of the copy."""
    rng = rng_for("delete-paragraph", page_id)
    paras = paragraphs(gold)
    candidates = [
        k for k in middle_indices(len(paras)) if len(paras[k]) >= 80 and paras.count(paras[k]) == 1
    ]
    if not candidates:
        return None
    k = rng.choice(candidates)
    deleted = paras.pop(k)
    return Copy("delete-paragraph", "\n\n".join(paras), _paragraph_markers(deleted))


def _paragraph_markers(paragraph: str) -> tuple[str, ...]:
    """What names a deleted gold paragraph in a reason: its first words, or the first words of
    any of its lines or sentences. A gold paragraph may open with a caption or a heading that is
    periphery, and the core text after it is what a right reason names."""
    pieces = [line for line in paragraph.split("\n") if line.strip()] + sentences(paragraph)
    later = (first_words(piece, _MARKER_WORDS) for piece in pieces)
    return tuple(dict.fromkeys([first_words(paragraph), *later]))


def reword(gold: str, page_id: str) -> Copy | None:
    """One sentence (40 to 240 characters, ending in . ! or ?) of a middle paragraph reworded:
    a word replaced by a synonym from a small fixed list, or else two neighbouring words
    swapped."""
    rng = rng_for("reword", page_id)
    paras = paragraphs(gold)
    for k in rng.sample(middle_indices(len(paras)), len(middle_indices(len(paras)))):
        spans = [m.span() for m in _SENTENCE.finditer(paras[k]) if 40 <= len(m.group()) <= 240]
        words = [
            w
            for w in _WORD.finditer(paras[k])
            if any(start <= w.start() and w.end() <= end for start, end in spans)
        ]
        synonyms = [w for w in words if w.group().lower() in _SYNONYMS]
        if synonyms:
            w = rng.choice(synonyms)
            new = _SYNONYMS[w.group().lower()]
            new = new.capitalize() if w.group()[0].isupper() else new
            text = paras[k][: w.start()] + new + paras[k][w.end() :]
            paras[k] = text
            return Copy(
                "reword",
                "\n\n".join(paras),
                _context_markers(text, w.start(), w.start() + len(new)),
            )
        pairs = [
            (a, b)
            for a, b in itertools.pairwise(words)
            if paras[k][a.end() : b.start()] == " " and a.group().lower() != b.group().lower()
        ]
        if pairs:
            a, b = rng.choice(pairs)
            swapped = f"{b.group()} {a.group()}"
            text = paras[k][: a.start()] + swapped + paras[k][b.end() :]
            paras[k] = text
            return Copy("reword", "\n\n".join(paras), (swapped,))
    return None


def other_article(other_gold: str) -> Copy:
    """Another page's article as a whole: the whole copy is the changed text, so a first
    reason that quotes any of it names it (`quotes_from`)."""
    return Copy("other-article", other_gold)


def outside_number(gold: str, page_text: str, page_id: str) -> Copy | None:
    """A line of the page's visible text that is not in the gold article and holds a number,
    with the number changed, appended to the copy as its last paragraph."""
    rng = rng_for("outside-number", page_id)
    gold_squashed = _squash(gold)
    lines = [
        line.strip()
        for line in page_text.split("\n")
        if len(line.split()) >= 4
        and _NUMBER.search(line)
        and _squash(line) not in gold_squashed
        and not any(s in gold_squashed for s in (_squash(line)[:60], _squash(line)[-60:]))
    ]
    if not lines:
        return None
    line = rng.choice(sorted(set(lines)))
    result = change_one_number(line, rng)
    assert result is not None
    changed, markers = result
    return Copy("outside-number", f"{gold}\n\n{changed}", markers)


def named(reason: str, markers: Sequence[str]) -> bool:
    """Whether a reason quotes one of the markers (both normalised as the comparison does, white
    space squashed and case folded: a quote may re-space the text)."""
    squashed = _squash(normalize(reason))
    return any(_squash(normalize(m)) in squashed for m in markers)


# The first quotation in a reason: from a double quote to the next one that ends a quote (the
# comparison's normaliser makes every quote mark straight, so quoted text may hold some too).
_QUOTED = re.compile(r'"(.+?)"(?=$|[\s,;:)])')


def quotes_from(reason: str, text: str) -> bool:
    """Whether the reason's first quotation (its "..." elisions cut out) is text of `text`."""
    match = _QUOTED.search(normalize(reason))
    if match is None:
        return False
    squashed = _squash(normalize(text))
    pieces = [p for p in re.split(r"\.\.\.|…", match.group(1)) if p.strip()]
    return bool(pieces) and all(_squash(p) in squashed for p in pieces)
