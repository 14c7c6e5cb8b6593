"""The provenance package's exception family; every error it raises on purpose derives from here."""


class ProvenanceError(Exception):
    """Base class of all errors raised by the provenance package."""
