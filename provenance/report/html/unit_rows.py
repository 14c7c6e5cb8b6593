"""Seed and article side by side: the rows of a report's alignment view, built from the
verdict's evidence (each seed unit's class and article unit) and the article's units.

A row holds the seed units and article units that belong together: one sentence matched or
edited, a sentence split differently on the two sides (several units on one side), a seed unit
found nowhere in the article (furniture, foreign), or an article unit missing from the seed.
Article units keep their order; a seed unit that moved appears where the seed has it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance.text.segment import Unit

# Row kinds, beyond the seed unit classes (matched, edited, furniture, foreign):
OMITTED = "omitted"  # an article unit that no seed unit matched or edited
HEADLINE = "headline"  # the article's headline, which the seed leaves out (not an omission)


@dataclass(frozen=True)
class SeedUnit:
    """One seed unit as the evidence records it."""

    index: int
    paragraph: int
    text: str
    cls: str
    article_unit: int | None
    similarity: float
    diff: tuple[tuple[str, str, str], ...]  # (op, seed text, article text)


@dataclass
class Row:
    kind: str
    seed: list[SeedUnit] = field(default_factory=list)
    article: list[Unit] = field(default_factory=list)


def seed_units(assessment: Mapping[str, Any]) -> list[SeedUnit]:
    return [
        SeedUnit(
            index=int(unit["index"]),
            paragraph=int(unit["paragraph"]),
            text=str(unit["text"]),
            cls=str(unit["class"]),
            article_unit=unit.get("article_unit"),
            similarity=float(unit.get("similarity", 0.0)),
            diff=tuple((str(d["op"]), str(d["seed"]), str(d["article"])) for d in unit["diff"]),
        )
        for unit in assessment.get("seed_units", [])
    ]


def build_rows(
    seed: Sequence[SeedUnit],
    article: Sequence[Unit],
    omitted: frozenset[int],
    omitted_title: bool,
) -> list[Row]:
    """The alignment rows; ``omitted`` holds the evidence's omitted article unit indexes."""
    paired = {unit.article_unit for unit in seed if unit.article_unit is not None}
    rows: list[Row] = []
    row_of: dict[int, Row] = {}  # article unit index -> its row
    position = 0  # article units before this one are placed

    def kind_of(unit: Unit) -> str | None:
        """The row kind of an article unit no seed unit points at; None if it is the
        continuation of the unit before it (a seed unit equal to several article units)."""
        if unit.index in omitted:
            return OMITTED
        if omitted_title and unit.paragraph == 0:
            return HEADLINE
        return None if unit.index - 1 in row_of else OMITTED

    def place_until(stop: int) -> None:
        nonlocal position
        while position < min(stop, len(article)):
            unit = article[position]
            position += 1
            if unit.index in paired:
                continue
            kind = kind_of(unit)
            row = row_of[unit.index - 1] if kind is None else Row(kind)
            if kind is not None:
                rows.append(row)
            row.article.append(unit)
            row_of[unit.index] = row

    for unit in seed:
        j = unit.article_unit
        if j is None or not 0 <= j < len(article):
            rows.append(Row(unit.cls, [unit]))
            continue
        if j in row_of and row_of[j].seed and row_of[j].seed[-1].article_unit == j:
            row_of[j].seed.append(unit)  # several seed units equal to one article unit
            continue
        place_until(j)
        row = Row(unit.cls, [unit], [article[j]])
        rows.append(row)
        row_of[j] = row
        position = max(position, j + 1)
    place_until(len(article))
    return rows
