"""cdxj-indexer's classes, imported once and quietly.

cdxj-indexer pulls in py3amf, whose import calls the deprecated ``pkg_resources`` and warns on
every command run; the warning is about that third-party package, not about warcproof."""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from cdxj_indexer.main import CDXJIndexer, CompressedWriter  # type: ignore[import-untyped]

__all__ = ["CDXJIndexer", "CompressedWriter"]
