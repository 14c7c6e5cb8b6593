"""How warcproof behaves on the network, written once: the user agent, the throttle statuses
and Retry-After, the Wayback endpoints, and which addresses are private.

The Scrapy settings (spiders/settings.py), the address policy (spiders.middlewares.addresspolicy),
the Retry-After middleware and the stdlib Wayback client (provenance.sources.wayback) all take
their defaults from here.

Name resolution is pinned: a host name is resolved once per process and every later decision
and connection uses that answer (`addresses`), so a name cannot pass the policy with a public
address and then be connected to on a private one (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import version
from urllib.parse import urlsplit

USER_AGENT = f"warcproof/{version('warcproof')} (provenance verification of archived texts)"

# Bytes of one answer kept (the crawl archives a longer body cut here, WARC-Truncated: length).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024

THROTTLE_STATUSES = (429, 503)  # statuses whose Retry-After is waited out

DEFAULT_WAYBACK_URL = "https://web.archive.org"
IA_CDX = "{base}/cdx/search/cdx"
PYWB_CDX = "{base}/web/cdx"  # pywb, collection "web"
REPLAY = "{base}/web/{timestamp}id_/{url}"  # both IA and pywb (collection "web")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address in their last 32 bits: IPv4-compatible (::/96),
# IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96) and NAT64 (64:ff9b::/96,
# 64:ff9b:1::/48). 6to4 (2002::/16) and Teredo (2001::/32) carry theirs elsewhere.
_EMBEDDING_V4 = tuple(
    ipaddress.ip_network(prefix)
    for prefix in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or an HTTP-date); None if absent
    or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit alone accepts e.g. superscripts
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form stands for (None for any other address)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address (the server's is public by design)
    if any(ip in network for network in _EMBEDDING_V4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """Whether an IP address is globally reachable. Every spelling of a loopback, private,
    link-local or reserved address is not, IPv6 transition forms included (::127.0.0.1,
    ::ffff:10.0.0.1, 64:ff9b::7f00:1, 2002:7f00:1::, Teredo); so is an unparseable one."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])  # a scope id names no network
    except ValueError:
        return False
    inner = embedded_ipv4(ip)
    if inner is not None:
        return inner.is_global and not inner.is_multicast
    return ip.is_global and not ip.is_multicast


_PINS: dict[str, tuple[str, ...]] = {}
_PINS_LOCK = threading.Lock()


def addresses(host: str) -> tuple[str, ...]:
    """The addresses a host name stands for, resolved once per process and pinned (an IP
    literal stands for itself); () when it does not resolve. Blocking: call it off a reactor
    thread. IPv4 addresses come first, in the resolver's order."""
    name = host.strip("[]").lower()
    try:
        return (str(ipaddress.ip_address(name)),)
    except ValueError:
        pass
    with _PINS_LOCK:
        pinned = _PINS.get(name)
    if pinned is not None:
        return pinned
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        infos = []
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    ordered = tuple(sorted(found, key=lambda a: ":" in a))  # stable: the resolver's order kept
    with _PINS_LOCK:
        return _PINS.setdefault(name, ordered)  # a concurrent first lookup wins for both


def host_is_public(host: str) -> bool:
    """Whether every address of `host` is public (False when it does not resolve)."""
    found = addresses(host)
    return bool(found) and all(is_public_address(address) for address in found)


def names_private_host(url: str) -> bool:
    """Whether `url` names a loopback or private host by its spelling alone (an IP literal in
    any form, or localhost), without resolving anything."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return not is_public_address(host)


def refusal(chain: list[str], url: str) -> str | None:
    """Why a request for `url`, reached by redirects from `chain[0]`, must not be sent; None
    when it may be. A public page may not lead to a private address, nor to a name that does
    not resolve. Resolves host names (blocking)."""
    if not chain:
        return None
    origin = urlsplit(chain[0]).hostname or ""
    target = urlsplit(url).hostname or ""
    if not host_is_public(origin) or host_is_public(target):
        return None
    found = addresses(target)
    where = f"a private address ({', '.join(found)})" if found else "a name that does not resolve"
    return (
        f"refused to follow {chain[0]} to {url}: a public page redirects to {where}; "
        "set WARCPROOF_ALLOW_PRIVATE=True to allow it"
    )
