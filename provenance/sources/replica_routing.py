"""Mapping between source URLs and their replica form (the source host moved into the path).

``https://newarab.com/news/x?y=1`` is served by a replica at ``http://127.0.0.1:PORT`` as
``http://127.0.0.1:PORT/newarab.com/news/x?y=1``. The scheme is dropped, the host is kept as
written (``www.`` included, port included, user info dropped), the fragment is dropped.
"""

import re
from urllib.parse import urlsplit

from provenance.errors import ProvenanceError


class URLMappingError(ProvenanceError, ValueError):
    """A URL cannot be mapped to or from its replica form."""


_SCHEMES = ("http", "https")
_HOST_AND_REST = re.compile(r"(?P<host>[^/?#]+)(?P<path>[^?#]*)(?P<query>\?[^#]*)?")


def replica_url(base: str, source_url: str) -> str:
    """Return the URL under which the replica at ``base`` serves ``source_url``."""
    parts = urlsplit(source_url)
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise URLMappingError(f"not an absolute http(s) URL: {source_url!r}")
    host = parts.netloc.rpartition("@")[2]
    query = f"?{parts.query}" if parts.query else ""
    return f"{base.rstrip('/')}/{host}{parts.path or '/'}{query}"


def source_url_from_replica(base: str, url: str, *, scheme: str) -> str:
    """Return the source URL that the replica URL ``url`` (under ``base``) stands for.

    The replica form does not keep the scheme, so the caller names it (``"http"`` or
    ``"https"``); a route's ``source_url`` in ``routes.toml`` records the real one.
    """
    if scheme not in _SCHEMES:
        raise URLMappingError(f"scheme must be http or https, not {scheme!r}")
    prefix = base.rstrip("/") + "/"
    if not url.startswith(prefix):
        raise URLMappingError(f"{url!r} is not under the replica {base!r}")
    match = _HOST_AND_REST.match(url, len(prefix))
    if match is None:
        raise URLMappingError(f"{url!r} names no source host")
    return f"{scheme}://{match['host']}{match['path'] or '/'}{match['query'] or ''}"
