"""TLS evidence: for each HTTPS response, the connection it came over (TLS version, cipher,
the certificate chain the server sent) as a JSON metadata record WARC-Refers-To the response.

Scrapy's Response carries only the server's leaf certificate. The connections themselves are
seen by spiders.tls_recording.TlsRecordingContextFactory, which hands each new TLS connection
to `TlsConnections`; a response is matched to the most recent connection to its host that
presented the same leaf certificate (read once its handshake is done). The record says so.
This extension must see `response_downloaded` before the capture extension does, which writes
the records (its EXTENSIONS order is lower).
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from OpenSSL import SSL
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from spiders.extensions.capture import METADATA_KEY

CONTENT_TYPE = "application/json; profile=urn:warcproof:tls"
RECENT_CONNECTIONS = 256  # connections kept for matching, all hosts together


@dataclass(frozen=True)
class TlsSession:
    version: str | None
    cipher: str | None
    cipher_bits: int | None
    chain: tuple[x509.Certificate, ...]  # as the server sent it, its own certificate first


class TlsConnections:
    """The most recent client TLS connections, by the host name they were opened for."""

    def __init__(self, keep: int = RECENT_CONNECTIONS) -> None:
        self._recent: deque[tuple[str, SSL.Connection]] = deque(maxlen=keep)

    def opened(self, host: str, connection: SSL.Connection) -> None:
        self._recent.append((host, connection))

    def session(self, host: str, leaf_der: bytes) -> TlsSession | None:
        """The newest handshaken connection to `host` whose server sent this certificate."""
        for seen_host, connection in reversed(self._recent):
            if seen_host != host:
                continue
            peer = connection.get_peer_certificate(as_cryptography=True)
            if peer is None or peer.public_bytes(serialization.Encoding.DER) != leaf_der:
                continue
            chain = connection.get_peer_cert_chain(as_cryptography=True) or [peer]
            return TlsSession(
                connection.get_protocol_version_name(),
                connection.get_cipher_name(),
                connection.get_cipher_bits(),
                tuple(chain),
            )
        return None


class TlsEvidenceExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.connections = TlsConnections()
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TlsEvidenceExtension:
        return cls(crawler)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if not response.url.startswith("https:") or response.certificate is None:
            return
        leaf_der: bytes = response.certificate.dump()  # DER
        host = urlsplit(response.url).hostname or ""
        session = self.connections.session(host, leaf_der)
        if session is None:  # a connection this extension did not see (another handler)
            leaf = x509.load_der_x509_certificate(leaf_der)
            session = TlsSession(None, None, None, (leaf,))
        evidence = tls_evidence(response.url, host, response.ip_address, session)
        request.meta.setdefault(METADATA_KEY, []).append((CONTENT_TYPE, evidence))


def tls_evidence(url: str, host: str, ip_address: Any, session: TlsSession) -> bytes:
    recorded = session.version is not None
    document = {
        "url": url,
        "server_name": host,
        "ip_address": str(ip_address) if ip_address is not None else None,
        "tls_version": session.version,
        "cipher": session.cipher,
        "cipher_bits": session.cipher_bits,
        "certificates": [describe(cert) for cert in session.chain],
        "certificate_chain_pem": [
            cert.public_bytes(serialization.Encoding.PEM).decode("ascii") for cert in session.chain
        ],
        "how": (
            "from the TLS connection to this host that presented this certificate, read after "
            "its handshake; the chain is as the server sent it, not verified"
            if recorded
            else "the server certificate Scrapy reported with the response; the connection "
            "itself was not seen, so no version, cipher or chain"
        ),
    }
    return json.dumps(document, indent=1).encode("utf-8")


def describe(cert: x509.Certificate) -> dict[str, Any]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = [str(n) for n in names.get_values_for_type(x509.DNSName)]
        ips = [str(n) for n in names.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns, ips = [], []
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "dns_names": dns,
        "ip_addresses": ips,
    }
