"""The Target-URIs of the records that are not the page itself.

A replay tool looks records up by Target-URI and date. Were the extracted text, the verdict or
an archived capture's provenance written under the page's URL (and within a second of it), a
tool indexing every record (pywb's ``wb-manager add``, any CDX indexer) could serve one of them
for the page. Each therefore gets a ``urn:`` URI of its own, in the style of Browsertrix's
``urn:text:URL`` and ``urn:pageinfo:URL``, and names the page's response record with
WARC-Refers-To. Collections written before carry the page's URL on these records; readers find
them by record id and offset, never by URI, so both read alike.
"""

SEED_PREFIX = "urn:warcproof:seed:"
TEXT_PREFIX = "urn:text:"
VERDICT_PREFIX = "urn:warcproof:verdict:"
MEMENTO_PREFIX = "urn:warcproof:memento:"
REQUISITES_PREFIX = "urn:warcproof:requisites:"
TLS_PREFIX = "urn:warcproof:tls:"


def seed_uri(seed_id: str) -> str:
    """The seed file's resource record."""
    return f"{SEED_PREFIX}{seed_id}"


def text_uri(page_url: str) -> str:
    """The conversion record holding the article text extracted from the page."""
    return f"{TEXT_PREFIX}{page_url}"


def verdict_uri(seed_id: str) -> str:
    """The metadata record holding the verdict on a seed and its evidence."""
    return f"{VERDICT_PREFIX}{seed_id}"


def memento_uri(page_url: str) -> str:
    """The metadata record naming where an archived capture came from (original URL,
    Memento-Datetime)."""
    return f"{MEMENTO_PREFIX}{page_url}"


def requisites_uri(page_url: str) -> str:
    """The metadata record listing the page's requisites: fetched, and left out with why."""
    return f"{REQUISITES_PREFIX}{page_url}"


def tls_uri(page_url: str) -> str:
    """The metadata record of the TLS connection a response came over."""
    return f"{TLS_PREFIX}{page_url}"
