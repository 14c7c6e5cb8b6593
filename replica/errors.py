"""The replica's exception family: every error it raises on purpose is a ``ReplicaError``."""


class ReplicaError(Exception):
    """Base class of the replica's errors."""


class RoutesError(ReplicaError):
    """The routes file (``routes.toml``) or a page it names is missing or malformed."""
