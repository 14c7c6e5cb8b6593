"""HTTP/1.x message heads for request and response records, and WARC target URI encoding.

Header names and values are ``str`` holding one character per byte as sent on the wire, i.e. the
raw bytes decoded with ``latin-1``; they are encoded back with ``latin-1``, so every byte survives.
"""

import re
import string
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from urllib.parse import urlsplit

from archive.errors import InvalidInputError, WarcFormatError

# Common Crawl's name for a Transfer-Encoding whose coding was already removed from the body.
RENAMED_TRANSFER_ENCODING = "X-Crawler-Transfer-Encoding"

TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PROTOCOL_RE = re.compile(r"HTTP/\d(?:\.\d)?")
# Scrapy reports HTTP/2 as "h2"; an HTTP/1.x-style head needs "HTTP/2" there.
_PROTOCOL_ALIASES = {"h2": "HTTP/2", "h3": "HTTP/3"}
_URI_KEEP = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/?")
_URI_PLAIN = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*")  # _URI_KEEP only
_HEX = frozenset(string.hexdigits)
_FORBIDDEN_IN_VALUE = ("\r", "\n", "\0")
_FORBIDDEN_RE = re.compile("[\r\n\0]")
_OWS = " \t"


def _percent_encode(text: str) -> str:
    """Percent-encode (UTF-8) every character outside the URI set; keep valid ``%XX`` escapes."""
    if _URI_PLAIN.fullmatch(text):  # the common case, without a loop per character
        return text
    out: list[str] = []
    for index, char in enumerate(text):
        escape = text[index + 1 : index + 3]
        if char in _URI_KEEP or (char == "%" and len(escape) == 2 and set(escape) <= _HEX):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _ascii_host(hostport: str) -> str:
    if hostport.isascii():
        return hostport
    host, sep, port = hostport.rpartition(":")
    if not (sep and port.isdigit()):
        host, sep, port = hostport, "", ""
    return host.encode("idna").decode("ascii") + sep + port


def encode_uri(url: str) -> str:
    """The URI as a WARC-Target-URI: ASCII only, fragment dropped (it is never sent).

    Non-ASCII characters, spaces and other characters outside RFC 3986 are percent-encoded as
    UTF-8, already valid ``%XX`` escapes are kept, a non-ASCII host name becomes IDNA (punycode).
    """
    try:
        parts = urlsplit(url)
        userinfo, at, hostport = parts.netloc.rpartition("@")
        authority = _percent_encode(userinfo) + at + _ascii_host(hostport)
        path, query = _percent_encode(parts.path), _percent_encode(parts.query)
    except ValueError as exc:  # UnicodeError included: bad IDNA label, lone surrogate
        raise InvalidInputError(f"cannot encode URI {url!r}: {exc}") from None
    if not parts.scheme:
        raise InvalidInputError(f"URI is not absolute: {url!r}")
    suffix = "?" + query if "?" in url.partition("#")[0] else ""
    if url.strip().partition(":")[2].startswith("//"):
        return f"{parts.scheme}://{authority}{path}{suffix}"
    return f"{parts.scheme}:{path}{suffix}"


def http_version(protocol: str) -> str:
    """The HTTP-version for a head: ``HTTP/x[.y]`` as given, Scrapy's ``h2`` as ``HTTP/2``."""
    version = _PROTOCOL_ALIASES.get(protocol, protocol)
    if not _PROTOCOL_RE.fullmatch(version):
        raise InvalidInputError(f"not an HTTP protocol version: {protocol!r}")
    return version


def _field_lines(headers: Iterable[tuple[str, str]]) -> list[str]:
    lines = []
    for name, raw_value in headers:
        if not TOKEN_RE.fullmatch(name):
            raise InvalidInputError(f"invalid HTTP header name {name!r}")
        # Leading/trailing whitespace is not part of a field value (RFC 9110 5.5).
        value = raw_value.strip(_OWS)
        if _FORBIDDEN_RE.search(value):
            raise InvalidInputError(f"CR, LF or NUL in the value of HTTP header {name!r}")
        lines.append(f"{name}: {value}" if value else f"{name}:")
    return lines


def _encode_head(start_line: str, field_lines: list[str]) -> bytes:
    try:
        return "\r\n".join([start_line, *field_lines, "", ""]).encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidInputError(
            "HTTP head holds a character above U+00FF: decode raw header bytes with latin-1"
        ) from None


def request_head(method: str, url: str, headers: Sequence[tuple[str, str]], protocol: str) -> bytes:
    """``METHOD path?query HTTP/x.y`` plus the headers in order; ``Host`` first if not given."""
    if not TOKEN_RE.fullmatch(method):
        raise InvalidInputError(f"invalid HTTP method {method!r}")
    uri = encode_uri(url)
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"not an http(s) URL: {url!r}")
    target = (parts.path or "/") + ("?" + parts.query if "?" in uri else "")
    fields = list(headers)
    if not any(name.lower() == "host" for name, _ in fields):
        fields.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
    return _encode_head(f"{method} {target} {http_version(protocol)}", _field_lines(fields))


def response_head(
    protocol: str, status: int, reason: str | None, headers: Sequence[tuple[str, str]]
) -> bytes:
    """Status line and headers; ``Transfer-Encoding`` is renamed since the body is de-chunked."""
    if not 100 <= status <= 999:
        raise InvalidInputError(f"HTTP status must have three digits: {status}")
    if reason is None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    if any(char in reason for char in _FORBIDDEN_IN_VALUE):
        raise InvalidInputError(f"CR, LF or NUL in the reason phrase {reason!r}")
    fields = [
        (RENAMED_TRANSFER_ENCODING if name.lower() == "transfer-encoding" else name, value)
        for name, value in headers
    ]
    status_line = f"{http_version(protocol)} {status} {reason}"
    return _encode_head(status_line, _field_lines(fields))


def parse_http_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    """Start line and header fields (order and repeats kept) of a head ending in CRLF CRLF."""
    start_line, *lines = head.decode("latin-1").split("\r\n")
    fields: list[tuple[str, str]] = []
    for line in lines:
        if not line:
            continue
        if line[0] in _OWS and fields:  # obsolete line folding
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip(_OWS)}".strip(_OWS))
            continue
        name, colon, value = line.partition(":")
        if not colon or not TOKEN_RE.fullmatch(name):
            raise WarcFormatError(f"malformed HTTP header line {line!r}")
        fields.append((name, value.strip(_OWS)))
    return start_line, fields


def status_code(start_line: str) -> int | None:
    """The status code of a response status line, ``None`` for anything else."""
    parts = start_line.split(" ", 2)
    if len(parts) >= 2 and parts[0].startswith("HTTP/") and re.fullmatch(r"\d{3}", parts[1]):
        return int(parts[1])
    return None
