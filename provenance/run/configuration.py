"""One way to configure warcproof. Every WARCPROOF_* setting is taken from, in this order:

1. the command line (`--collection`, `--manifest`, `--replica`, `--redis`, `-s NAME=VALUE`);
2. the environment (`WARCPROOF_NAME=VALUE`);
3. a settings file: `--config FILE`, else `COLLECTION/warcproof.toml` when it exists;
4. the defaults (spiders/settings.py; the bundled corpus for the manifest).

A settings file is TOML with one key per setting, spelt with or without the prefix
(`wayback_url = "http://127.0.0.1:8080"` is WARCPROOF_WAYBACK_URL). Unknown names are errors,
so a typo is not silently ignored."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archive.collection import DEFAULT_COLLECTION, Collection
from provenance.errors import ProvenanceError

PREFIX = "WARCPROOF_"
COMMAND_LINE, ENVIRONMENT, DEFAULT = "command line", "environment", "default"
DEFAULT_COLLECTION_TEXT = f"./{DEFAULT_COLLECTION}"
LOCAL_MANIFEST = Path("seeds/seeds.toml")
# The corpus that ships with warcproof, next to its packages in the source tree.
BUNDLED_MANIFEST = Path(__file__).resolve().parents[2] / "seeds" / "seeds.toml"


class ConfigError(ProvenanceError):
    """A settings file that cannot be read, or a setting warcproof does not know."""


@dataclass(frozen=True)
class Setting:
    name: str
    value: str
    origin: str  # COMMAND_LINE, ENVIRONMENT, DEFAULT, or the settings file's path


@dataclass(frozen=True)
class Configuration:
    settings: dict[str, Setting]

    def value(self, name: str) -> str:
        return self.settings[name].value

    @property
    def collection(self) -> Path:
        return Path(self.value("WARCPROOF_COLLECTION"))

    @property
    def manifest(self) -> Path:
        return Path(self.value("WARCPROOF_SEEDS"))

    def chosen(self) -> list[str]:
        """`NAME=VALUE` of every setting not left at its default (for `scrapy crawl -s`)."""
        return [f"{s.name}={s.value}" for s in self.settings.values() if s.origin != DEFAULT]


def crawler_defaults(module: str = "spiders.settings") -> dict[str, object]:
    """The WARCPROOF_* settings and their defaults as the Scrapy project's settings module
    assigns them. Its source is read, not imported: importing it would load Scrapy into every
    command. The assignments are constants or arithmetic on them."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ConfigError(f"cannot find the Scrapy project's settings ({module})")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"), spec.origin)
    wanted: list[ast.stmt] = [
        node
        for node in tree.body
        if (  # defaults may name the plain library's policies (provenance.sources.http_policy)
            isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "provenance"
        )
        or (
            isinstance(node, ast.Assign)
            and all(isinstance(t, ast.Name) and t.id.startswith(PREFIX) for t in node.targets)
        )
    ]
    namespace: dict[str, object] = {}
    code = compile(ast.Module(body=wanted, type_ignores=[]), spec.origin, "exec")
    exec(code, {"__builtins__": {"__import__": __import__}}, namespace)
    return {name: value for name, value in namespace.items() if name.startswith(PREFIX)}


def parse_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """`-s NAME=VALUE` arguments as a mapping; a missing `=` is a usage error."""
    parsed = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name:
            raise ConfigError(f"setting {assignment!r} is not NAME=VALUE")
        parsed[name.strip()] = value
    return parsed


def resolve(
    command_line: Mapping[str, str],
    defaults: Mapping[str, object],
    environ: Mapping[str, str],
    config_file: Path | None = None,
) -> Configuration:
    """The effective WARCPROOF_* settings. `command_line` holds the settings given on the
    command line (other Scrapy settings may be among them: they are left out), `defaults` every
    setting warcproof knows with its default."""
    known = {name: str(value) for name, value in defaults.items() if name.startswith(PREFIX)}
    known.setdefault("WARCPROOF_SEEDS", str(LOCAL_MANIFEST))
    known.setdefault("WARCPROOF_COLLECTION", str(DEFAULT_COLLECTION))
    chosen: dict[str, Setting] = {}
    for name, value in command_line.items():
        if name.startswith(PREFIX):
            _check_known(name, known, COMMAND_LINE)
            chosen[name] = Setting(name, value, COMMAND_LINE)
    for name in known:
        if name not in chosen and name in environ:
            chosen[name] = Setting(name, environ[name], ENVIRONMENT)
    if config_file is None:
        given = chosen.get("WARCPROOF_COLLECTION")
        own = Collection(Path(given.value) if given else DEFAULT_COLLECTION).config
        if own.is_file():
            if "WARCPROOF_COLLECTION" in read_file(own, known):
                raise ConfigError(f"{own}: a collection's own settings cannot name a collection")
            config_file = own
    if config_file is not None:
        for name, value in read_file(config_file, known).items():
            if name not in chosen:
                chosen[name] = Setting(name, value, str(config_file))
    settings = {
        name: chosen.get(name) or Setting(name, default, DEFAULT) for name, default in known.items()
    }
    if settings["WARCPROOF_SEEDS"].origin == DEFAULT and not LOCAL_MANIFEST.is_file():
        settings["WARCPROOF_SEEDS"] = Setting(
            "WARCPROOF_SEEDS", str(BUNDLED_MANIFEST), f"{DEFAULT} (bundled corpus)"
        )
    return Configuration(settings)


def read_file(path: Path, known: Mapping[str, str]) -> dict[str, str]:
    """A settings file's settings by their full names."""
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such settings file") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML settings file: {exc}") from None
    settings = {}
    for key, value in table.items():
        name = key.upper() if key.upper().startswith(PREFIX) else PREFIX + key.upper()
        _check_known(name, known, str(path))
        if isinstance(value, dict | list):
            raise ConfigError(f"{path}: {key} must be a string, number or boolean")
        settings[name] = str(value)
    return settings


def _check_known(name: str, known: Mapping[str, str], origin: str) -> None:
    if name not in known:
        raise ConfigError(
            f"{origin}: {name} is not a warcproof setting (`warcproof config` lists them)"
        )
