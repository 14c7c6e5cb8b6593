"""Which article units a copy may leave out and still hold the whole article.

An extractor keeps more than the article's core: bylines, datelines, captions, share and
"related" boxes, copyright lines, author bios. A unit the copy lacks counts against it (an
excerpt) only when it is core text, told by three pieces of evidence that do not depend on the
extractor being right:

- its DOM role: a unit inside a caption, byline, aside, navigation, footer... of the page
  (`provenance.text.periphery`) is periphery wherever it stands;
- its position: a run of units before the first or after the last unit the copy holds is a
  leading or trailing block, periphery unless it is a substantial stretch of prose (a copy
  that stops half way is still an excerpt); a gap in the middle of the body is core;
- its form: a short line that is not a sentence (a date, a name, "Share this") is periphery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set

from provenance.text.normalize import match_key
from provenance.text.periphery import PeripheralBlock
from provenance.text.segment import Unit

# A leading or trailing run is core when its prose holds this many characters, or this share
# of the text the copy matched, whichever is more.
EDGE_CORE_CHARS = 400
EDGE_CORE_SHARE = 0.25
_PROSE_WORDS = 6  # words of a sentence that ends with a stop
_LONG_WORDS = 15  # words of a line that is prose even without a stop
_SENTENCE_END = re.compile(r"[.!?:;\"')\]\u3002\uff01\uff1f\u061f\u0964]$")


def split_omissions(
    article: Sequence[Unit],
    paired: Set[int],
    headline: Set[int],
    periphery: Sequence[PeripheralBlock],
) -> tuple[tuple[Unit, ...], tuple[tuple[Unit, str], ...]]:
    """The unmatched article units, split into core ones and periphery ones (with its role)."""
    body = [u for u in article if u.index not in headline]
    held = [u.index for u in body if u.index in paired]
    if not held:
        return tuple(u for u in body if u.index not in paired), ()
    first, last = held[0], held[-1]
    matched_chars = sum(len(u.text) for u in body if u.index in paired)
    core: list[Unit] = []
    left_out: list[tuple[Unit, str]] = []
    for run in _runs(u for u in body if u.index not in paired):
        roles = [_dom_role(u, periphery) for u in run]
        leading, trailing = run[-1].index < first, run[0].index > last
        if leading or trailing:
            prose = sum(len(u.text) for u, r in zip(run, roles, strict=True) if not r and _prose(u))
            edge_core = prose >= max(EDGE_CORE_CHARS, EDGE_CORE_SHARE * matched_chars)
            place = "a leading block" if leading else "a trailing block"
            for unit, role in zip(run, roles, strict=True):
                if role is None and edge_core:
                    core.append(unit)
                else:
                    left_out.append((unit, role or place))
            continue
        for unit, role in zip(run, roles, strict=True):
            if role is not None:
                left_out.append((unit, role))
            elif _prose(unit):
                core.append(unit)
            else:
                left_out.append((unit, "a short line"))
    return tuple(core), tuple(left_out)


def _runs(units: Iterable[Unit]) -> list[list[Unit]]:
    """Units grouped into runs of consecutive indexes."""
    runs: list[list[Unit]] = []
    for unit in units:
        if runs and runs[-1][-1].index + 1 == unit.index:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    return runs


def _prose(unit: Unit) -> bool:
    words = len(unit.text.split())
    return words >= _LONG_WORDS or (words >= _PROSE_WORDS and bool(_SENTENCE_END.search(unit.text)))


def _dom_role(unit: Unit, periphery: Sequence[PeripheralBlock]) -> str | None:
    key = match_key(unit.text)
    for block in periphery:
        if key in block.key:
            return block.role
    return None
