"""Downloader middleware: a public page cannot send the crawler into a private network.

A redirect (or a meta refresh) from a URL on a public address to one on a loopback, private,
link-local or otherwise non-public address is refused before any request is sent, unless
WARCPROOF_ALLOW_PRIVATE is set (the replica setting sets it: the replica lives on loopback).
A seed URL that is itself private is the user's own choice and is fetched."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread


class PrivateAddressRefused(IgnoreRequest):
    """A redirect from a public address to a private one was not followed."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


@lru_cache(maxsize=4096)
def host_addresses(host: str) -> tuple[str, ...]:
    """The addresses a host name stands for (an IP literal stands for itself)."""
    try:
        return (str(ipaddress.ip_address(host.strip("[]"))),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return ()  # unresolvable: the download itself will fail with a DNS error
    return tuple(sorted({str(info[4][0]) for info in infos}))


def host_is_public(host: str) -> bool:
    addresses = host_addresses(host)
    return bool(addresses) and all(is_public_address(a) for a in addresses)


def refusal(chain: list[str], url: str) -> str | None:
    """Why a request for `url`, reached by redirects from `chain[0]`, must not be sent; None
    when it may be. Resolves host names (blocking: call it off the reactor thread)."""
    if not chain:
        return None
    origin = urlsplit(chain[0]).hostname or ""
    target = urlsplit(url).hostname or ""
    if not host_is_public(origin) or host_is_public(target) or not host_addresses(target):
        return None
    return (
        f"refused to follow {chain[0]} to {url}: a public page redirects to a private "
        f"address ({', '.join(host_addresses(target))}); set WARCPROOF_ALLOW_PRIVATE=True "
        "to allow it"
    )


class AddressPolicyMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressPolicyMiddleware:
        settings = crawler.settings
        if settings.getbool("WARCPROOF_ALLOW_PRIVATE") or settings.get("WARCPROOF_REPLICA_URL"):
            # Off: private addresses allowed (no message: Scrapy logs one as a WARNING).
            raise NotConfigured()
        return cls()

    async def process_request(self, request: Request) -> None:
        chain = list(request.meta.get("redirect_urls", ()))
        if not chain:
            return
        reason = await maybe_deferred_to_future(deferToThread(refusal, chain, request.url))
        if reason is not None:
            raise PrivateAddressRefused(reason)
