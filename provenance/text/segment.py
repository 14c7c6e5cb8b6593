"""Cut a text into the units the aligner compares: paragraphs (lines), then sentences.

Seed and article go through the same functions, so a sentence boundary that is debatable
(a full stop inside a quotation, say) is debatable in the same way on both sides.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from provenance.text.normalize import normalize


@dataclass(frozen=True)
class Unit:
    """One sentence (or one short line) of a normalized text."""

    index: int
    paragraph: int
    text: str


# Abbreviations after which a full stop does not end a sentence.
_TITLES = {"Adm", "Brig", "Capt", "Cmdr", "Col", "Cpl", "Dr", "Gen", "Gov", "Lieut", "Lt", "Maj"}
_TITLES |= {"Messrs", "Mr", "Mrs", "Ms", "Prof", "Pvt", "Rep", "Rev", "Sen", "Sgt", "Sr", "Jr"}
_MONTHS = {"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"}
_ABBREVIATIONS = frozenset(_TITLES | _MONTHS | {"St", "Mt", "Ft", "No", "Nos", "vs"})
# "U.S", "e.g", "a.m": the last dot of a dotted abbreviation is the candidate boundary itself.
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
# A run of stops, closing quotes or brackets, white space, then what may start a sentence: a
# capital, a digit or an opening quote or bracket. Other letters than ASCII are tested in Python.
_CANDIDATE = re.compile(r"([.!?]+)[\"')\]]*(\s+)(?=([A-Z0-9\"'(\[]|[^\x00-\x7f\s]))")
_OPENERS = "\"'(["
# A seed and the article it is checked against share most of their paragraphs: each distinct
# paragraph is cut once (some hundreds of paragraphs a page, so a few pages' worth are kept).
_CUTS_KEPT = 2048


def paragraphs(normalized_text: str) -> list[str]:
    """Every non-empty line of ``normalized_text``, stripped."""
    return [line.strip() for line in normalized_text.split("\n") if line.strip()]


# Sentence ends of other scripts, which need no space after them: the ideographic full stop
# and (after NFKC) ! and ? before a CJK character; the Arabic question mark, the danda.
_WIDE_STOP = re.compile(
    "(?:\u3002|[!?](?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]))+[\u300d\u300f\"')\\]]*"
    "|[\u061f\u0964\u0965]+[\"')\\]]*"
)


def sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences; the pieces cover all its non-space characters."""
    if not paragraph.isascii() and _WIDE_STOP.search(paragraph):
        cuts = [match.end() for match in _WIDE_STOP.finditer(paragraph)]
        chunks = [paragraph[a:b] for a, b in zip([0, *cuts], [*cuts, len(paragraph)], strict=True)]
        return [piece for chunk in chunks for piece in _latin_sentences(chunk)]
    return _latin_sentences(paragraph)


def _latin_sentences(paragraph: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    # The candidates are looked for only where a stop is: str.find is far faster than letting
    # the expression scan the whole paragraph.
    stops = paragraph.replace("!", ".").replace("?", ".")
    at = stops.find(".")
    while at >= 0:
        match = _CANDIDATE.match(paragraph, at)
        if match is None:
            at = stops.find(".", at + 1)
            continue
        if _is_boundary(paragraph, match):
            pieces.append(paragraph[start : match.start(2)].strip())
            start = match.end(2)
        at = stops.find(".", match.end())
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def units(text: str) -> list[Unit]:
    """Normalize ``text`` and cut it into numbered sentence units."""
    return normalized_units(normalize(text))


def normalized_units(normalized_text: str) -> list[Unit]:
    """``units`` of a text that is already the output of ``normalize``."""
    result: list[Unit] = []
    for number, paragraph in enumerate(paragraphs(normalized_text)):
        for sentence in _cut(paragraph):
            result.append(Unit(len(result), number, sentence))
    return result


@lru_cache(maxsize=_CUTS_KEPT)
def _cut(paragraph: str) -> tuple[str, ...]:
    return tuple(sentences(paragraph))


def _is_boundary(paragraph: str, match: re.Match[str]) -> bool:
    following = match.group(3)
    # A lower-case letter continues the sentence; a letter of a script without case (Arabic,
    # Hebrew, CJK) may start one.
    if following > "\x7f" and following.islower():
        return False
    stops = match.group(1)
    if stops == "...":  # an ellipsis; four dots are a full stop plus an ellipsis
        return False
    if stops != ".":
        return True
    if paragraph[: match.start(1)].isdigit():
        return False  # a numbered list's item ("3. Trader made billions"), not a sentence "3."
    word = _word_before(paragraph, match.start(1))
    if _numbers_on(paragraph, word, match.start(1)):
        return False  # "1. Toofan Mail, 2. Ring Bearer, 3. Shaktiman": a list run into a line
    return not _is_abbreviation(word)


def _numbers_on(paragraph: str, word: str, end: int) -> bool:
    """Whether ``word`` (ending at ``end``) is a number that goes on a numbered list the
    paragraph runs before it: the number before it stands there, followed by a stop."""
    if not word.isdigit() or word == "0" or len(word) > 3:
        return False
    previous = f"{int(word) - 1}. "
    at = paragraph.rfind(previous, 0, end - len(word))
    return at == 0 or (at > 0 and not paragraph[at - 1].isalnum())


def _word_before(paragraph: str, end: int) -> str:
    start = paragraph.rfind(" ", 0, end) + 1
    word = paragraph[start:end]
    if not word.isprintable():  # white space other than a space (or a control character)
        start = end
        while start > 0 and not paragraph[start - 1].isspace():
            start -= 1
        word = paragraph[start:end]
    return word.lstrip(_OPENERS)


def _is_abbreviation(word: str) -> bool:
    if word in _ABBREVIATIONS or ("." in word and _DOTTED.fullmatch(word)):
        return True
    return len(word) == 1 and word.isupper()  # an initial, as in "Gary A. Volesky"
