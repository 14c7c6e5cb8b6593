"""A loopback replica origin of the seeds' source pages, for warcproof's demo and tests.

Every page is a reconstruction modelled on its site's structure, not a capture. Run it with
``python -m replica`` or start a :class:`ReplicaServer` in-process.
"""

from typing import TYPE_CHECKING, Any

from provenance.sources.replica_routing import (
    URLMappingError,
    replica_url,
    source_url_from_replica,
)
from replica.errors import ReplicaError, RoutesError
from replica.routes import Route, RouteTable

if TYPE_CHECKING:
    from replica.server import ReplicaServer

__all__ = [
    "ReplicaError",
    "ReplicaServer",
    "Route",
    "RouteTable",
    "RoutesError",
    "URLMappingError",
    "replica_url",
    "source_url_from_replica",
]


def __getattr__(name: str) -> Any:
    # The server (http.server, ssl, the generated pages) loads when first asked for.
    if name == "ReplicaServer":
        from replica.server import ReplicaServer

        return ReplicaServer
    raise AttributeError(f"module 'replica' has no attribute {name!r}")
