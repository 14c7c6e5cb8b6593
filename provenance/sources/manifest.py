"""The seed manifest (`seeds.toml`): which text files make the corpus, where each came from,
and the sha256 that pins each file's bytes."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TypeGuard
from urllib.parse import urlsplit

from provenance.errors import ProvenanceError
from provenance.text.seedtext import SeedTextError, open_regular

MANIFEST_NAME = "seeds.toml"
DEFAULT_IGNORE = ("*.md", MANIFEST_NAME)
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # always fullmatch: "$" allows "\n"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # some two million seeds


class ManifestError(ProvenanceError):
    """The manifest cannot be read or does not describe a valid corpus."""


@dataclass(frozen=True, slots=True)
class LocateHints:
    """Where to look for a seed whose source URL is unknown."""

    url_prefix: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class Seed:
    id: str
    file: str
    path: Path
    sha256: str
    urls: tuple[str, ...] = ()
    publisher: str | None = None
    published: date | None = None
    notes: str | None = None
    encoding: str | None = None
    locate: LocateHints = field(default_factory=LocateHints)

    @property
    def url(self) -> str | None:
        """The best-known source URL, or None when the source is unknown."""
        return self.urls[0] if self.urls else None


@dataclass(frozen=True)
class Manifest:
    path: Path
    seeds: tuple[Seed, ...]
    ignore: tuple[str, ...] = DEFAULT_IGNORE

    @property
    def folder(self) -> Path:
        return self.path.parent

    def get(self, seed_id: str) -> Seed:
        seed = self.find(seed_id)
        if seed is None:
            raise ManifestError(f"{self.path}: no seed with id {seed_id!r}")
        return seed

    def find(self, seed_id: str) -> Seed | None:
        return self._by_id.get(seed_id)

    @cached_property
    def _by_id(self) -> dict[str, Seed]:
        # Ids are unique (load refuses duplicates); a crawl looks seeds up once per page.
        return {seed.id: seed for seed in self.seeds}


@dataclass(frozen=True)
class IntegrityProblem:
    kind: str  # "changed" | "missing" | "unlisted" | "refused" (a link or special file)
    file: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.file}: {self.detail}"


def outside_corpus(folder: Path, path: Path) -> str | None:
    """Why the seed file at `path` is not inside the corpus `folder` once its folders'
    symbolic links are followed (None when it is)."""
    if path.parent.resolve().is_relative_to(folder.resolve()):
        return None
    return f"{path}: lies outside the corpus folder through a symbolic link"


def sha256_file(path: Path) -> str:
    """The sha256 of a regular file (a link or special file raises SeedTextError)."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(path: Path) -> Manifest:
    """Read and validate a manifest; every problem names the manifest, and the seed or line."""
    if not path.exists():
        raise ManifestError(f"{path}: manifest not found")
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ManifestError(f"{path}: the manifest must be a regular file")
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read manifest: {exc.strerror}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{path}: larger than {MAX_MANIFEST_BYTES >> 20} MiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already reads "... (at line N, column M)".
        raise ManifestError(f"{path}: TOML syntax error: {exc}") from None
    except RecursionError:
        raise ManifestError(f"{path}: arrays or tables nested too deeply") from None
    return from_data(path, data)


def from_data(path: Path, data: dict[str, object]) -> Manifest:
    """Validate parsed TOML as the manifest at `path`. Takes `data` over: each seed's table is
    dropped from it once read, so that a manifest of many seeds is not held twice."""
    version = data.get("version", 1)
    if version != 1:
        raise ManifestError(f"{path}: unsupported manifest version {version!r} (expected 1)")
    ignore = data.get("ignore", list(DEFAULT_IGNORE))
    if not _is_str_list(ignore):
        raise ManifestError(f"{path}: 'ignore' must be a list of glob patterns")
    entries = data.get("seed", [])
    if not isinstance(entries, list):
        raise ManifestError(f"{path}: 'seed' must be an array of tables ([[seed]])")
    seeds: list[Seed] = []
    seen_ids: set[str] = set()
    seen_files: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ManifestError(f"{path}: seed #{number} is not a table")
        seed = _parse_seed(path, number, entry)
        entries[number - 1] = None
        if seed.id in seen_ids:
            raise ManifestError(f"{path}: duplicate seed id {seed.id!r}")
        if seed.file in seen_files:
            raise ManifestError(f"{path}: seed {seed.id}: file {seed.file!r} is listed twice")
        seen_ids.add(seed.id)
        seen_files.add(seed.file)
        seeds.append(seed)
    return Manifest(path=path, seeds=tuple(seeds), ignore=tuple(ignore))


def _parse_seed(path: Path, number: int, entry: dict[str, object]) -> Seed:
    seed_id = entry.get("id")
    if not isinstance(seed_id, str) or not _ID_RE.fullmatch(seed_id):
        raise ManifestError(
            f"{path}: seed #{number}: 'id' must be a short string of letters, digits, '.', '_', '-'"
        )
    where = f"{path}: seed {seed_id}"
    file = _required_str(entry, "file", where)
    checked_relative_path(file, where)
    outside = outside_corpus(path.parent, path.parent / file)
    if outside is not None:
        raise ManifestError(f"{where}: {outside}")
    sha = _required_str(entry, "sha256", where).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ManifestError(f"{where}: 'sha256' must be 64 hex digits")
    urls = entry.get("urls", [])
    if not _is_str_list(urls):
        raise ManifestError(f"{where}: 'urls' must be a list of strings")
    for url in urls:
        check_url(url, where)
    encoding = _optional_str(entry, "encoding", where)
    if encoding is not None:
        try:
            "".encode(encoding)
        except LookupError:
            raise ManifestError(f"{where}: unknown encoding {encoding!r}") from None
    return Seed(
        id=seed_id,
        file=file,
        path=path.parent / file,
        sha256=sha,
        urls=tuple(urls),
        publisher=_optional_str(entry, "publisher", where),
        published=_optional_date(entry, "published", where),
        notes=_optional_str(entry, "notes", where),
        encoding=encoding,
        locate=_parse_locate(entry.get("locate"), where),
    )


_NO_HINTS = LocateHints()  # shared: a corpus of thousands of seeds mostly has none


def _parse_locate(raw: object, where: str) -> LocateHints:
    if raw is None:
        return _NO_HINTS
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: 'locate' must be a table")
    prefix = _optional_str(raw, "url_prefix", f"{where}: locate")
    if prefix is not None:
        check_url(prefix, where)
    return LocateHints(
        url_prefix=prefix,
        date_from=_optional_date(raw, "from", f"{where}: locate"),
        date_to=_optional_date(raw, "to", f"{where}: locate"),
    )


def checked_relative_path(file: str, where: str) -> PurePosixPath:
    """A seed file must stay inside the corpus folder: no absolute paths, no '..'."""
    pure = PurePosixPath(file)
    if (
        not file
        or pure.is_absolute()
        or file.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", file)
        or any(part in ("..", "") for part in pure.parts)
        or "\\" in file
    ):
        raise ManifestError(f"{where}: file {file!r} must be a plain path inside the corpus folder")
    return pure


def check_url(url: str, where: str) -> None:
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # a bad port or IPv6 literal raises here
    except ValueError as exc:
        raise ManifestError(f"{where}: URL {url!r} is malformed: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ManifestError(f"{where}: URL {url!r} is not an absolute http(s) URL")
    if "@" in parts.netloc:
        # Never echoed: the user info may hold a password.
        shown = f"{parts.scheme}://***@{parts.netloc.rpartition('@')[2]}{parts.path}"
        raise ManifestError(
            f"{where}: URL {shown} carries credentials (user:password@); remove them, "
            "warcproof sends none and would otherwise copy them into every record and report"
        )
    if any(ch.isspace() for ch in url):
        raise ManifestError(f"{where}: URL {url!r} contains white space")


def _required_str(entry: dict[str, object], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: '{key}' is required and must be a string")
    return value


def _optional_str(entry: dict[str, object], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise ManifestError(f"{where}: '{key}' must be a string")
    return value


def _optional_date(entry: dict[str, object], key: str, where: str) -> date | None:
    value = entry.get(key)
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ManifestError(f"{where}: '{key}' must be a date (YYYY-MM-DD)")


def _is_str_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def verify(manifest: Manifest) -> list[IntegrityProblem]:
    """Check every listed file against its pinned digest, and find files nobody listed."""
    problems: list[IntegrityProblem] = []
    for seed in manifest.seeds:
        if not os.path.lexists(seed.path):
            problems.append(IntegrityProblem("missing", seed.file, f"listed for seed {seed.id}"))
            continue
        refused = outside_corpus(manifest.folder, seed.path)
        if refused is not None:
            problems.append(IntegrityProblem("refused", seed.file, refused))
            continue
        try:
            actual = sha256_file(seed.path)
        except SeedTextError as exc:
            problems.append(IntegrityProblem("refused", seed.file, str(exc)))
            continue
        if actual != seed.sha256:
            problems.append(
                IntegrityProblem(
                    "changed", seed.file, f"sha256 {actual}, manifest pins {seed.sha256}"
                )
            )
    listed = {seed.file for seed in manifest.seeds}
    for candidate in sorted(manifest.folder.rglob("*")):
        relative = candidate.relative_to(manifest.folder).as_posix()
        if not candidate.is_file() or relative in listed or relative.startswith("."):
            continue
        if any(fnmatch.fnmatch(relative, pattern) for pattern in manifest.ignore):
            continue
        problems.append(IntegrityProblem("unlisted", relative, "not in the manifest"))
    return problems


def add_seed(
    manifest_path: Path,
    source: Path,
    *,
    urls: Sequence[str] = (),
    seed_id: str | None = None,
    publisher: str | None = None,
    published: date | None = None,
    notes: str | None = None,
) -> Seed:
    """Register a text file as a new seed, copying it into the corpus folder when it lives
    elsewhere. The entry is appended to the manifest so its comments and layout survive."""
    manifest = load(manifest_path) if manifest_path.exists() else Manifest(manifest_path, ())
    if not source.is_file():
        raise ManifestError(f"{source}: no such file")
    try:
        return _add_seed(
            manifest, manifest_path, source, urls, seed_id, publisher, published, notes
        )
    except SeedTextError as exc:  # a link or special file
        raise ManifestError(str(exc)) from None


def _add_seed(
    manifest: Manifest,
    manifest_path: Path,
    source: Path,
    urls: Sequence[str],
    seed_id: str | None,
    publisher: str | None,
    published: date | None,
    notes: str | None,
) -> Seed:
    folder = manifest_path.parent.resolve()
    resolved = source.resolve()
    if resolved.parent == folder or folder in resolved.parents:
        relative = resolved.relative_to(folder).as_posix()
        target = resolved
    else:
        relative = source.name
        target = folder / relative
        if target.exists() and sha256_file(target) != sha256_file(source):
            raise ManifestError(f"{target}: a different file of that name is already in the corpus")
    where = f"{manifest_path}: new seed"
    checked_relative_path(relative, where)
    for url in urls:
        check_url(url, where)
    new_id = seed_id or _next_id(manifest)
    if any(seed.id == new_id for seed in manifest.seeds):
        raise ManifestError(f"{manifest_path}: seed id {new_id!r} is already taken")
    if any(seed.file == relative for seed in manifest.seeds):
        raise ManifestError(f"{manifest_path}: {relative} is already registered")
    folder.mkdir(parents=True, exist_ok=True)  # a new corpus: its folder may not exist yet
    if target != resolved:
        shutil.copyfile(source, target)
    block = _seed_block(new_id, relative, sha256_file(target), urls, publisher, published, notes)
    existing = manifest_path.read_text("utf-8") if manifest_path.exists() else "version = 1\n"
    updated = existing.rstrip("\n") + "\n\n" + block
    from_data(manifest_path, tomllib.loads(updated))  # refuse to write a manifest we cannot read
    manifest_path.write_text(updated, "utf-8")
    return load(manifest_path).get(new_id)


def _next_id(manifest: Manifest) -> str:
    numbers = [int(seed.id) for seed in manifest.seeds if seed.id.isdigit()]
    return f"{max(numbers, default=-1) + 1:03d}"


def _seed_block(
    seed_id: str,
    file: str,
    sha: str,
    urls: Sequence[str],
    publisher: str | None,
    published: date | None,
    notes: str | None,
) -> str:
    # json.dumps output is a valid TOML basic string.
    lines = [
        "[[seed]]",
        f"id = {json.dumps(seed_id)}",
        f"file = {json.dumps(file, ensure_ascii=False)}",
        f"urls = [{', '.join(json.dumps(url) for url in urls)}]",
    ]
    if publisher:
        lines.append(f"publisher = {json.dumps(publisher, ensure_ascii=False)}")
    if published:
        lines.append(f'published = "{published.isoformat()}"')
    lines.append(f'sha256 = "{sha}"')
    if notes:
        lines.append(f"notes = {json.dumps(notes, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def set_source_url(manifest_path: Path, seed_id: str, url: str) -> Seed:
    """Record `url` as the source of a seed whose `urls` list is empty, editing only that
    seed's `urls` line (or adding one after its `id`), so comments and layout survive."""
    seed = load(manifest_path).get(seed_id)
    where = f"{manifest_path}: seed {seed_id}"
    check_url(url, where)
    if seed.urls:
        raise ManifestError(f"{where} already lists source URLs; edit the manifest by hand")
    lines = manifest_path.read_text("utf-8").splitlines(keepends=True)
    id_line = re.compile(rf"^id\s*=\s*[\"']{re.escape(seed_id)}[\"']\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if id_line.match(line.strip())), None)
    if start is None:
        raise ManifestError(f"{where}: cannot find its 'id' line to edit")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines)
    )
    entry = f"urls = [{json.dumps(url)}]\n"
    empty = re.compile(r"^urls\s*=\s*\[\s*\]\s*(#.*)?$")
    for i in range(start, end):
        if empty.match(lines[i].strip()):
            lines[i] = entry
            break
    else:
        lines.insert(start + 1, entry)
    updated = "".join(lines)
    if from_data(manifest_path, tomllib.loads(updated)).get(seed_id).urls != (url,):
        raise ManifestError(f"{where}: cannot place the URL in its manifest entry")
    manifest_path.write_text(updated, "utf-8")
    return load(manifest_path).get(seed_id)
