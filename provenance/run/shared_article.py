"""A seed checked against an article extracted already: seeds naming one page share its fetch
and its extraction, and each is compared with the article on its own (in a worker process, as
`provenance.compare.seedcheck.examine` is for the first of them)."""

from __future__ import annotations

from provenance.compare.seedcheck import SeedCheck, check_seed
from provenance.sources.manifest import Seed
from provenance.text.extract import Article, NoArticle


def check_extracted(seed: Seed, page: Article | NoArticle) -> SeedCheck:
    """`examine`'s check of `seed` against `page`, without extracting the page again; detached,
    to send back from a worker process."""
    return check_seed(seed, page).detached()
