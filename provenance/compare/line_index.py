"""Lines joined into one text, searched at C speed, with the line that holds each find."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence


class LineIndex:
    """``lines`` joined by line breaks (or by ``joiner``): `find` gives the number of the line
    that holds a text (joined by line breaks, a find never spans two lines), `span` the first
    and last lines a text runs over (joined by "", a text may run over several)."""

    def __init__(self, lines: Sequence[str], joiner: str = "\n") -> None:
        self.text = joiner.join(lines)
        self._starts: list[int] = []
        at = 0
        for line in lines:
            self._starts.append(at)
            at += len(line) + len(joiner)

    def find(self, key: str, from_line: int = 0) -> int | None:
        """The number of the first line from ``from_line`` on that holds ``key``."""
        if not self._starts or from_line >= len(self._starts):
            return None
        at = self.text.find(key, self._starts[from_line])
        return None if at < 0 else self.line_at(at)

    def find_all(self, key: str) -> Iterator[int]:
        """The number of each line holding ``key``, once per place it stands."""
        at = self.text.find(key) if key else -1
        while at >= 0:
            yield self.line_at(at)
            at = self.text.find(key, at + 1)

    def span(self, key: str, from_line: int = 0) -> tuple[int, int] | None:
        """The first and last lines of the first place from ``from_line`` on that ``key``
        stands at."""
        if not key or from_line >= len(self._starts):
            return None
        at = self.text.find(key, self._starts[from_line])
        return None if at < 0 else (self.line_at(at), self.line_at(at + len(key) - 1))

    def line_at(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1
