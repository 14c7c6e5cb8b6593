"""The route table: which replica path answers what, loaded from ``pages/routes.toml``."""

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Literal, get_args

from replica.errors import RoutesError

DEFAULT_PAGES_DIR = Path(__file__).with_name("pages")
ROUTES_FILE = "routes.toml"

Encoding = Literal["identity", "gzip-if-accepted"]
Transfer = Literal["content-length", "chunked"]


@dataclass(frozen=True)
class Route:
    """One ``[[route]]`` of ``routes.toml``; the keys are documented in that file."""

    path: str
    status: int = 200
    file: str | None = None
    body: str | None = None
    content_type: str = "text/html; charset=utf-8"
    encoding: Encoding = "identity"
    transfer: Transfer = "content-length"
    location: str | None = None
    seed: str | None = None
    source_url: str | None = None
    notes: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # extra response headers, in order


def match_key(request_path: str) -> str:
    """The key a request path is matched under: query dropped, host segment lower-cased."""
    path = request_path.split("?", 1)[0].split("#", 1)[0]
    host, sep, rest = path[1:].partition("/")
    return f"/{host.lower()}{sep}{rest}"


def source_host(request_path: str) -> str:
    """The lower-cased source host a replica request path names (its first segment)."""
    return match_key(request_path)[1:].partition("/")[0]


class RouteTable:
    """Routes by match key, with their pages read from ``pages_dir`` on every call."""

    def __init__(self, pages_dir: Path, routes: list[Route]) -> None:
        self.pages_dir = pages_dir
        self._routes: dict[str, Route] = {}
        for route in routes:
            key = match_key(route.path)
            if key in self._routes:
                raise RoutesError(f"{ROUTES_FILE}: path {route.path!r} is listed twice")
            self._routes[key] = route

    @classmethod
    def load(cls, pages_dir: Path | None = None) -> "RouteTable":
        """Read and check ``routes.toml`` in ``pages_dir`` (default: the packaged pages)."""
        pages_dir = DEFAULT_PAGES_DIR if pages_dir is None else pages_dir
        try:
            with (pages_dir / ROUTES_FILE).open("rb") as handle:
                data = tomllib.load(handle)
        except OSError as exc:
            raise RoutesError(f"cannot read {pages_dir / ROUTES_FILE}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise RoutesError(f"{pages_dir / ROUTES_FILE} is not valid TOML: {exc}") from exc
        raw_routes = data.get("route", [])
        if not isinstance(raw_routes, list):
            raise RoutesError(f"{ROUTES_FILE}: 'route' must be an array of tables ([[route]])")
        return cls(pages_dir, [_parse_route(pages_dir, raw) for raw in raw_routes])

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes.values())

    def __len__(self) -> int:
        return len(self._routes)

    def lookup(self, request_path: str) -> Route | None:
        """The route answering ``request_path`` (query string ignored), if any."""
        return self._routes.get(match_key(request_path))

    def payload(self, route: Route) -> bytes:
        """The bytes a route serves: its file as it is on disk now, or its inline body."""
        if route.file is not None:
            try:
                return (self.pages_dir / route.file).read_bytes()
            except OSError as exc:
                raise RoutesError(f"route {route.path!r}: cannot read {route.file}: {exc}") from exc
        return (route.body or "").encode("utf-8")


_FIELD_TYPES: dict[str, type] = {
    "path": str,
    "status": int,
    "file": str,
    "body": str,
    "content_type": str,
    "encoding": str,
    "transfer": str,
    "location": str,
    "seed": str,
    "source_url": str,
    "notes": str,
    "headers": dict,
}


def _parse_route(pages_dir: Path, raw: object) -> Route:
    if not isinstance(raw, dict):
        raise RoutesError(f"{ROUTES_FILE}: every [[route]] must be a table")
    where = f"{ROUTES_FILE}: route {raw.get('path', '<no path>')!r}"
    unknown = sorted(set(raw) - set(_FIELD_TYPES))
    if unknown:
        raise RoutesError(f"{where}: unknown keys {unknown}")
    for key, value in raw.items():
        expected = _FIELD_TYPES[key]
        if not isinstance(value, expected) or isinstance(value, bool):
            raise RoutesError(f"{where}: {key} must be a {expected.__name__}")
    headers = raw.get("headers", {})
    if not all(isinstance(value, str) for value in headers.values()):
        raise RoutesError(f"{where}: every value of headers must be a string")
    route = Route(**{**raw, "headers": tuple(headers.items())})
    if not route.path.startswith("/"):
        raise RoutesError(f"{where}: path must start with '/'")
    if route.status not in HTTPStatus.__members__.values():
        raise RoutesError(f"{where}: status {route.status} is not a registered HTTP status")
    if route.encoding not in get_args(Encoding):
        raise RoutesError(f"{where}: encoding must be one of {get_args(Encoding)}")
    if route.transfer not in get_args(Transfer):
        raise RoutesError(f"{where}: transfer must be one of {get_args(Transfer)}")
    if route.file is not None and route.body is not None:
        raise RoutesError(f"{where}: give file or body, not both")
    is_redirect = 300 <= route.status < 400
    if is_redirect != (route.location is not None):
        raise RoutesError(f"{where}: location goes with a 3xx status, and only with one")
    if is_redirect and not (route.location or "").startswith("/"):
        raise RoutesError(f"{where}: a redirect's location must start with '/'")
    if route.file is not None:
        page = (pages_dir / route.file).resolve()
        if not page.is_relative_to(pages_dir.resolve()) or not page.is_file():
            raise RoutesError(f"{where}: file {route.file!r} is not a file in {pages_dir}")
    return route
