"""A loopback replica origin of the seeds' source pages, for warcproof's demo and tests.

Every page is a reconstruction modelled on its site's structure, not a capture. Run it with
``python -m replica`` or start a :class:`ReplicaServer` in-process.
"""

from provenance.sources.replica_routing import (
    URLMappingError,
    replica_url,
    source_url_from_replica,
)
from replica.errors import ReplicaError, RoutesError
from replica.routes import Route, RouteTable
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
