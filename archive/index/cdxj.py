"""cdxj-indexer's classes, imported once and quietly, with a Brotli decoder warcio can use.

cdxj-indexer pulls in py3amf, whose import calls the deprecated ``pkg_resources`` and warns on
every command run; the warning is about that third-party package, not about warcproof.

cdxj-indexer reads every record's body through warcio, which removes its Content-Encoding.
warcio's own ``br`` decoder sets an attribute that Brotli 1.2's ``Decompressor`` no longer
allows, so any response stored with ``Content-Encoding: br`` crashed the index. The decoder
registered here gives warcio the interface it uses (``decompress``, ``flush``,
``unused_data``) over either Brotli binding.
"""

import importlib
import warnings
from typing import Any

from warcio.bufferedreaders import BufferedReader

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from cdxj_indexer.main import CDXJIndexer, CompressedWriter  # type: ignore[import-untyped]

__all__ = ["CDXJIndexer", "CompressedWriter"]


def _brotli() -> Any:
    for name in ("brotli", "brotlicffi"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


class _BrotliForWarcio:
    """A streaming Brotli decoder shaped like ``zlib.decompressobj`` for warcio."""

    unused_data = b""  # warcio reads this to find the end of gzip members; Brotli has none

    def __init__(self) -> None:
        self._decoder = _BROTLI.Decompressor()
        self._decode = getattr(self._decoder, "process", None) or self._decoder.decompress

    def decompress(self, data: bytes) -> bytes:
        return bytes(self._decode(data))

    def flush(self) -> bytes:
        return b""


_BROTLI = _brotli()
if _BROTLI is not None:
    BufferedReader.DECOMPRESSORS["br"] = _BrotliForWarcio
