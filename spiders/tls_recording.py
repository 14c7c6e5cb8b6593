"""The HTTPS context factory (DOWNLOADER_CLIENTCONTEXTFACTORY): Scrapy's own, whose
connection creators also hand each new TLS connection to the TLS evidence extension, so that
the version, cipher and certificate chain of the connection a response came over can be read.
TLS itself is set up exactly as Scrapy's default factory does it.
"""

from __future__ import annotations

from typing import Any

from OpenSSL import SSL
from scrapy.core.downloader import contextfactory
from scrapy.crawler import Crawler
from twisted.internet.interfaces import IOpenSSLClientConnectionCreator
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from spiders.extensions.tls_evidence import TlsConnections, TlsEvidenceExtension

# Scrapy 2.14 and later keep the default factory private; 2.13 names it publicly.
_ScrapyDefault: Any = (
    getattr(contextfactory, "_ScrapyClientContextFactory", None)
    or contextfactory.ScrapyClientContextFactory
)


@implementer(IPolicyForHTTPS)
class TlsRecordingContextFactory(_ScrapyDefault):  # type: ignore[misc]
    connections: TlsConnections | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, *args: Any, **kwargs: Any
    ) -> TlsRecordingContextFactory:
        factory: TlsRecordingContextFactory = super().from_crawler(crawler, *args, **kwargs)
        extension = crawler.get_extension(TlsEvidenceExtension)
        factory.connections = extension.connections if extension is not None else None
        return factory

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        creator = super().creatorForNetloc(hostname, port)
        if self.connections is None:
            return creator
        return _RecordingCreator(creator, hostname.decode("ascii"), self.connections)


@implementer(IOpenSSLClientConnectionCreator)
class _RecordingCreator:
    def __init__(self, creator: Any, host: str, connections: TlsConnections) -> None:
        self._creator = creator
        self._host = host
        self._connections = connections

    def clientConnectionForTLS(self, tls_protocol: Any) -> SSL.Connection:
        connection: SSL.Connection = self._creator.clientConnectionForTLS(tls_protocol)
        self._connections.opened(self._host, connection)
        return connection
