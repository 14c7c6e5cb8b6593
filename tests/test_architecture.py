"""docs/ARCHITECTURE.md matches the code: every module lives in a room the document lists, every
import goes down the list of rooms (never up), and no two modules share a file name."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "provenance", "spiders", "replica")
_ROOMS_BLOCK = re.compile(r"```rooms\n(.*?)```", re.DOTALL)


def rooms() -> list[tuple[str, ...]]:
    """The rooms, bottom first: each the paths (files, or folders ending in /) it holds."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    match = _ROOMS_BLOCK.search(text)
    assert match, "docs/ARCHITECTURE.md has no ```rooms block"
    found = []
    for line in match.group(1).splitlines():
        if line.strip():
            paths = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0].split()
            found.append(tuple(paths))
    return found


def modules() -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "pages" not in path.relative_to(ROOT / package).parts
    )


def room_of(module: Path, layout: list[tuple[str, ...]]) -> int | None:
    """The index of the most specific room holding `module`."""
    best: tuple[int, int] | None = None  # (length of the matching path, room)
    for index, paths in enumerate(layout):
        for path in paths:
            name = module.as_posix()
            holds = name == path or (path.endswith("/") and name.startswith(path))
            if holds and (best is None or len(path) > best[0]):
                best = (len(path), index)
    return None if best is None else best[1]


def module_file(dotted: str) -> Path | None:
    parts = dotted.split(".")
    for candidate in (Path(*parts).with_suffix(".py"), Path(*parts, "__init__.py")):
        if (ROOT / candidate).exists():
            return candidate
    return None


def imported(module: Path) -> set[Path]:
    """The project's module files that `module` imports (anywhere in it, lazily or not)."""
    tree = ast.parse((ROOT / module).read_text("utf-8"))
    found: set[Path] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` names a module; `from module import name` does not.
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PACKAGES and (path := module_file(name)) is not None:
                found.add(path)
    found.discard(module)
    return found


def test_the_documented_rooms_exist() -> None:
    for paths in rooms():
        for path in paths:
            assert (ROOT / path).exists(), f"docs/ARCHITECTURE.md names {path}, which is gone"


@pytest.mark.parametrize("module", modules(), ids=str)
def test_every_module_has_a_room_and_imports_only_downwards(module: Path) -> None:
    layout = rooms()
    here = room_of(module, layout)
    assert here is not None, f"{module} is in no room of docs/ARCHITECTURE.md"
    for target in sorted(imported(module)):
        there = room_of(target, layout)
        assert there is not None, f"{target} is in no room of docs/ARCHITECTURE.md"
        assert there <= here, (
            f"{module} ({' '.join(layout[here])}) imports {target} "
            f"({' '.join(layout[there])}), a room above it"
        )


@pytest.mark.parametrize(
    "module", [m for m in modules() if m.parts[:2] == ("provenance", "cli")], ids=str
)
def test_the_command_line_never_imports_spiders(module: Path) -> None:
    # Stated on its own: a reordering of the rooms must not let Scrapy into the command line.
    assert [t for t in imported(module) if t.parts[0] == "spiders"] == []


def test_no_two_modules_share_a_name() -> None:
    shared = ("__init__.py", "__main__.py", "errors.py")  # each package's own exception family
    names = Counter(m.name for m in modules() if m.name not in shared)
    assert [name for name, count in names.items() if count > 1] == []
