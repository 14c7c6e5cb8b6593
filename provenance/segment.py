"""Cut a text into the units the aligner compares: paragraphs (lines), then sentences.

Seed and article go through the same functions, so a sentence boundary that is debatable
(a full stop inside a quotation, say) is debatable in the same way on both sides.
"""

import re
from dataclasses import dataclass

from provenance.normalize import normalize


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
_CANDIDATE = re.compile(r"([.!?]+)[\"')\]]*(\s+)(?=(\S))")
_OPENERS = "\"'(["


def paragraphs(normalized_text: str) -> list[str]:
    """Every non-empty line of ``normalized_text``, stripped."""
    return [line.strip() for line in normalized_text.split("\n") if line.strip()]


def sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences; the pieces cover all its non-space characters."""
    pieces: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        if _is_boundary(paragraph, match):
            pieces.append(paragraph[start : match.start(2)].strip())
            start = match.end(2)
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def units(text: str) -> list[Unit]:
    """Normalize ``text`` and cut it into numbered sentence units."""
    result: list[Unit] = []
    for number, paragraph in enumerate(paragraphs(normalize(text))):
        for sentence in sentences(paragraph):
            result.append(Unit(len(result), number, sentence))
    return result


def _is_boundary(paragraph: str, match: re.Match[str]) -> bool:
    following = match.group(3)
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    stops = match.group(1)
    if stops == "...":  # an ellipsis; four dots are a full stop plus an ellipsis
        return False
    if stops != ".":
        return True
    return not _is_abbreviation(_word_before(paragraph, match.start(1)))


def _word_before(paragraph: str, end: int) -> str:
    start = end
    while start > 0 and not paragraph[start - 1].isspace():
        start -= 1
    return paragraph[start:end].lstrip(_OPENERS)


def _is_abbreviation(word: str) -> bool:
    if word in _ABBREVIATIONS or _DOTTED.fullmatch(word):
        return True
    return len(word) == 1 and word.isupper()  # an initial, as in "Gary A. Volesky"
