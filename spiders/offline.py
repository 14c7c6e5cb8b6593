"""Keep Scrapy from reaching the internet on its own.

Scrapy's cookie middleware builds a tldextract extractor that downloads the public suffix list
on first use (and prints a traceback when it cannot). warcproof runs offline and sends traffic
only to the pages it archives, so the extractor is pointed at tldextract's bundled snapshot.
"""

from tldextract import TLDExtract


def use_bundled_public_suffix_list() -> None:
    from scrapy.downloadermiddlewares import cookies

    if hasattr(cookies, "_split_domain"):
        cookies._split_domain = TLDExtract(
            suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
        )
