"""The address policy in the crawl: a public page cannot send the crawler into a private
network (the rule itself: provenance.sources.http_policy).

`AddressPolicyMiddleware` refuses a redirect (or a meta refresh) from a URL on a public address
to one on a loopback, private, link-local or otherwise non-public address, or to a name that
does not resolve, before any request is sent, robots.txt included (it runs before Scrapy's
robots.txt middleware). `PinnedResolver` makes Scrapy connect to the very addresses the policy
decided on: both use the process's pinned answers, so a name cannot be resolved again to
something else between the decision and the connection (DNS rebinding).

WARCPROOF_ALLOW_PRIVATE (and replica mode: the replica lives on loopback) turns the middleware
off. A seed URL that is itself private is the user's own choice and is fetched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.base import ReactorBase
from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution
from twisted.internet.threads import deferToThread

from provenance.sources.http_policy import addresses, refusal


class PrivateAddressRefused(IgnoreRequest):
    """A redirect from a public address to a private one was not followed."""


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


class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        """A lookup in a thread cannot be called back; its answer is simply not used."""


class PinnedResolver:
    """Scrapy's TWISTED_DNS_RESOLVER, an IHostnameResolver (Twisted only calls its methods):
    every connection goes to the addresses the policy saw (http_policy.addresses, resolved
    once per process); IPv4 and IPv6 alike, so IPv6 literal URLs can be fetched too."""

    def __init__(self, reactor: ReactorBase) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> PinnedResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(cast(IHostnameResolver, self))

    def resolveHostName(
        self,
        resolutionReceiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        wanted = tuple(addressTypes) if addressTypes else (IPv4Address, IPv6Address)

        def answered(found: tuple[str, ...]) -> None:
            for address in found:
                kind = IPv6Address if ":" in address else IPv4Address
                if kind in wanted:
                    resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
            resolutionReceiver.resolutionComplete()

        def failed(_: object) -> None:
            resolutionReceiver.resolutionComplete()  # no address: the endpoint says so

        deferToThread(addresses, hostName).addCallbacks(answered, failed)
        return cast(IHostResolution, resolution)
