"""The provenance summary of a crawl, written into the warcinfo record of every WARC file it
writes (and so carried into any WACZ packed from them): the software and library versions, the
settings that change what is fetched or kept, the host's addresses, and the time source.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import platform
import socket
import ssl
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

LIBRARIES = (
    "warcproof", "scrapy", "twisted", "pyopenssl", "cryptography", "warcio", "trafilatura",
    "lxml", "rapidfuzz", "charset-normalizer",
)  # fmt: skip
# Settings that change which exchanges are fetched and what is kept of them.
OUTPUT_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_FAIL_ON_DATALOSS", "DOWNLOAD_VERIFY_CERTIFICATES", "COMPRESSION_ENABLED",
    "REDIRECT_ENABLED", "REDIRECT_MAX_TIMES", "RETRY_ENABLED", "RETRY_TIMES",
    "COOKIES_ENABLED", "DEFAULT_REQUEST_HEADERS", "WARCPROOF_MAX_RESPONSE_BYTES",
    "WARCPROOF_MAX_RESPONSE_SECONDS", "WARCPROOF_DEDUP", "WARCPROOF_DEDUP_WITHIN_CRAWL",
    "WARCPROOF_ALLOW_PRIVATE", "WARCPROOF_REPLICA_URL", "WARCPROOF_WAYBACK_URL",
    "WARCPROOF_FALLBACK", "WARCPROOF_MIN_SHARED",
)  # fmt: skip
_TIME_ERROR = 5  # adjtimex(2): the kernel clock is not synchronised
_CLOCKSOURCE = Path("/sys/devices/system/clocksource/clocksource0/current_clocksource")


def summary_fields(settings: Any) -> dict[str, str]:
    """warcinfo fields (one line each) for a crawl run with Scrapy `settings`."""
    return {
        "warcproof-libraries": libraries(),
        "warcproof-settings": json.dumps(
            {name: _plain(settings.get(name)) for name in OUTPUT_SETTINGS}, sort_keys=True
        ),
        "warcproof-host-addresses": " ".join(host_addresses()) or "unknown",
        "warcproof-time-source": time_source(),
    }


def libraries() -> str:
    found = [f"python/{platform.python_version()}", f"openssl/{_openssl()}"]
    for name in LIBRARIES:
        try:
            found.append(f"{name}/{version(name)}")
        except PackageNotFoundError:
            continue
    return " ".join(found)


def _openssl() -> str:
    """The OpenSSL that Scrapy's TLS goes through (pyOpenSSL's), else Python's."""
    try:
        from OpenSSL import SSL

        return SSL.SSLeay_version(SSL.SSLEAY_VERSION).decode("ascii").replace(" ", "_")
    except ImportError:
        return ssl.OPENSSL_VERSION.replace(" ", "_")


def host_addresses() -> list[str]:
    """The addresses the host's name resolves to here, and the source address it would use
    to reach the outside (found by routing a UDP socket; nothing is sent)."""
    addresses: list[str] = []
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
        addresses += [str(info[4][0]) for info in infos]
    except OSError:
        pass
    for family, target in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((target, 9))
                addresses.append(str(probe.getsockname()[0]))
        except OSError:
            continue
    return list(dict.fromkeys(addresses))


def time_source() -> str:
    clock = _CLOCKSOURCE.read_text().strip() if _CLOCKSOURCE.exists() else "unknown"
    return f"system clock (UTC; clocksource {clock}); kernel NTP state: {_ntp_state()}"


def _ntp_state() -> str:
    """adjtimex(2) with no change asked: the kernel's view of clock synchronisation."""
    name = ctypes.util.find_library("c")
    if name is None:
        return "unknown"
    try:
        adjtimex = ctypes.CDLL(name, use_errno=True).adjtimex
    except (OSError, AttributeError):
        return "unknown"
    buffer = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
    state = adjtimex(buffer)
    if state < 0:
        return "unknown"
    return "unsynchronised" if state == _TIME_ERROR else "synchronised"


def _plain(value: Any) -> Any:
    """A setting's value as JSON can hold it."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "copy_to_dict"):
        return {str(k): _plain(v) for k, v in value.copy_to_dict().items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
