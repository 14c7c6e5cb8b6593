"""Pages that are not the article (provenance.text.interstitial): the replica's bot challenges and
walls are recognised, with the kind and what gave them away; article pages are not, even with
cookie banners, login boxes and "subscribe" links in their furniture (the five seed pages, real
news pages of ../shared/realpages-dev read in place, and pages written here)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html

from bench.interstitial_scan import furniture, with_furniture
from provenance.compare.text_check import compare_text
from provenance.compare.verdict import Verdict
from provenance.text.extract import Article, NoArticle, extract_article
from provenance.text.interstitial import (
    BlockKind,
    find_interstitial,
    interstitial_in,
    marked_challenge,
)
from provenance.text.pagetext import visible_text
from tests.conftest import ROOT, SEEDS

PAGES = ROOT / "replica" / "pages"
# ../shared/realpages-dev beside the repository (one level further up from a worktree).
REALPAGES = next(
    (
        base / "shared" / "realpages-dev"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "realpages-dev").is_dir()
    ),
    ROOT.parent / "shared" / "realpages-dev",
)
SEED_004 = (SEEDS / "004_3a71e7ca43e17fc5.txt").read_text("utf-8")
URL = "https://www.mosul-monitor.example/isil-ranks-depleted"

BLOCKED = {
    "challenge_cloudflare.html": (BlockKind.CHALLENGE, 'the title "Just a moment..."'),
    "captcha_hold.html": (BlockKind.CHALLENGE, "a captcha widget (PerimeterX)"),
    "consent_wall.html": (BlockKind.CONSENT, 'a button "Accept all"'),
    "login_wall.html": (BlockKind.LOGIN, "a password field"),
    "paywall_teaser.html": (BlockKind.PAYWALL, "isAccessibleForFree: false"),
}
REASONS = {
    BlockKind.CHALLENGE: "the site answered with a bot challenge, not the article: ",
    BlockKind.CONSENT: "the site answered with a consent wall, not the article: ",
    BlockKind.LOGIN: "the site answered with a login wall, not the article: ",
    BlockKind.PAYWALL: "the site answered with a paywall teaser, not the whole article: ",
}


def found(page: str) -> NoArticle | Article:
    return extract_article(page.encode("utf-8"), url=URL, content_type="text/html")


def kind_of(page: str) -> BlockKind | None:
    tree = html.document_fromstring(page)
    blocked = find_interstitial(tree, visible_text(tree))
    return blocked.kind if blocked is not None else None


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_replica_interstitials_are_no_article_with_the_kind_and_signs(name: str) -> None:
    kind, sign = BLOCKED[name]
    page = extract_article((PAGES / "blocked" / name).read_bytes(), url=URL, content_type=None)
    assert isinstance(page, NoArticle)
    assert page.blocked is kind
    assert page.reason.startswith(REASONS[kind])
    assert sign in page.reason


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_a_copy_checked_against_an_interstitial_is_unverifiable(name: str) -> None:
    """Never "foreign content" or "excerpt": the teasers hold the article's first paragraphs."""
    result = compare_text(SEED_004, (PAGES / "blocked" / name).read_bytes(), url=URL)
    assert result.assessment.verdict is Verdict.UNVERIFIABLE
    assert result.assessment.reasons[0].startswith(REASONS[BLOCKED[name][0]])


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_error_bodies_are_read_as_served(name: str) -> None:
    blocked = interstitial_in((PAGES / "blocked" / name).read_bytes(), "text/html; charset=utf-8")
    assert blocked is not None
    assert blocked.kind is BLOCKED[name][0]


@pytest.mark.parametrize("body", [b"", b"   ", b"\x89PNG\r\n\x1a\n\x00\x00", b"<html></html>"])
def test_empty_or_binary_error_bodies_are_no_interstitial(body: bytes) -> None:
    assert interstitial_in(body, None) is None


@pytest.mark.parametrize("page", sorted(PAGES.glob("0*.html")), ids=lambda p: p.name)
def test_the_seed_pages_are_articles(page: Path) -> None:
    assert isinstance(extract_article(page.read_bytes(), url=URL, content_type=None), Article)


def _realpages() -> list[Path]:
    pages = sorted(REALPAGES.glob("*/html/*.html.gz"))
    return pages[::7]  # a spread sample; bench/interstitial_scan.py reads them all


@pytest.mark.skipif(not REALPAGES.is_dir(), reason="../shared/realpages-dev is not here")
def test_real_news_pages_are_not_taken_for_interstitials() -> None:
    pages = _realpages()
    assert len(pages) > 250
    flagged = [
        (path.name, blocked.reason)
        for path in pages
        if (blocked := interstitial_in(gzip.decompress(path.read_bytes()), "text/html"))
    ]
    assert flagged == []


@pytest.mark.skipif(not REALPAGES.is_dir(), reason="../shared/realpages-dev is not here")
def test_real_news_pages_with_a_wall_s_furniture_added_are_rarely_taken_for_walls() -> None:
    """A consent dialog, a login form, a paywall box or a captcha widget above a real article:
    the article outweighs it but on pages whose story is a few lines long (bench/INTERSTITIAL.md
    has the rates on every page)."""
    pages = _realpages()[::2]
    for kind, piece in furniture().items():
        flagged = []
        for path in pages:
            tree = with_furniture(gzip.decompress(path.read_bytes()), piece)
            if tree is not None and find_interstitial(tree, visible_text(tree)) is not None:
                flagged.append(path.name)
        assert len(flagged) <= len(pages) // 50, (kind, flagged)


PROSE = "".join(
    f"<p>Paragraph {n} of the story: the officials said the offensive would resume within days, "
    "and residents described the shortages of food and fuel in detail.</p>"
    for n in range(12)
)


def test_article_furniture_that_talks_of_cookies_login_and_subscribing_is_no_wall() -> None:
    page = f"""<html><head><title>Sign in | Story - The Daily</title></head><body>
    <div class="cookie-banner"><p>We use cookies to improve your experience and show you
    personalised ads. By continuing you agree to our cookie policy and consent to our partners'
    processing of personal data.</p><button>Accept all</button></div>
    <form><input type="text" name="user"><input type="password" name="pass">
    <input type="submit" value="Log in"></form><a href="/subscribe">Subscribe</a>
    <p>Already a subscriber? Subscribe to continue reading our premium stories.</p>
    <article><h1>Story</h1>{PROSE}</article>
    <div class="g-recaptcha" data-sitekey="x"></div></body></html>"""
    assert kind_of(page) is None


def test_a_short_story_under_a_cookie_banner_is_no_consent_wall() -> None:
    page = f"""<html><head><title>Photo of the day</title></head><body>
    <div class="cmp"><p>We use cookies to personalise content and ads.</p>
    <button>Accept all</button></div><h1>Photo of the day</h1>{PROSE[:500]}</body></html>"""
    assert kind_of(page) is None
    assert kind_of(page.replace(PROSE[:500], "")) is None  # too little about consent either


def test_a_metered_page_serving_its_locked_part_is_the_article() -> None:
    page = f"""<html><head><title>Story</title><script type="application/ld+json">
    {{"@type": "NewsArticle", "isAccessibleForFree": "False",
      "hasPart": {{"@type": "WebPageElement", "isAccessibleForFree": "False",
                   "cssSelector": ".locked"}}}}</script></head>
    <body><h1>Story</h1><p>The opening of the story, free to read for everyone.</p>
    <div class="locked">{PROSE[:900]}</div></body></html>"""
    assert kind_of(page) is None
    assert kind_of(page.replace('class="locked"', 'class="other"')) is BlockKind.PAYWALL


def test_a_page_marked_not_free_without_a_named_part_is_judged_by_its_prose() -> None:
    head = """<html><head><title>Story</title><script type="application/ld+json">
    {"@graph": [{"@type": "NewsArticle", "isAccessibleForFree": false}]}</script></head>"""
    teaser = f"{head}<body><h1>Story</h1>{PROSE[:400]}</body></html>"
    whole = f"{head}<body><h1>Story</h1>{PROSE}</body></html>"
    assert kind_of(teaser) is BlockKind.PAYWALL
    assert kind_of(whole) is None


@pytest.mark.parametrize(
    ("page", "kind"),
    [
        (
            "<html><head><title>Einen Moment bitte…</title></head><body><p>Bitte warten"
            "</p><script src='/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1'></script>"
            "</body></html>",
            BlockKind.CHALLENGE,
        ),
        (
            "<html><head><title>News</title></head><body><h1>Un instant</h1><p>Vérification "
            "que vous êtes humain. Cela peut prendre quelques secondes.</p></body></html>",
            BlockKind.CHALLENGE,
        ),
        (
            "<html><head><title>Zeitung</title></head><body><h1>Datenschutzeinstellungen</h1>"
            "<p>Wir und unsere Partner verwenden Cookies und verarbeiten personenbezogene Daten. "
            "Mit Ihrer Einwilligung speichern wir Informationen auf Ihrem Gerät.</p>"
            "<button>Alle akzeptieren</button><button>Einstellungen</button></body></html>",
            BlockKind.CONSENT,
        ),
        (
            "<html><head><title>Before you continue</title></head><body><h1>Before you "
            "continue to Search</h1><p>We use cookies and data to deliver and maintain our "
            "services, to measure audience engagement and to show personalised ads.</p>"
            "<form action='https://consent.search.example/save'><button>Reject all</button>"
            "</form><form><button>Accept all</button></form><a href='/more'>More options</a>"
            "</body></html>",
            BlockKind.CONSENT,
        ),
        (
            "<html><head><title>https://search.example/search?q=mosul</title></head><body>"
            "<div id='captcha-form'></div><p>Our systems have detected unusual traffic from "
            "your computer network. This page checks to see if it's really you sending the "
            "requests, and not a robot.</p></body></html>",
            BlockKind.CHALLENGE,
        ),
        (
            "<!doctype html><title>www.example.com</title><body><h1>www.example.com</h1>"
            "<p>Verify you are human by completing the action below.</p>"
            "<div id='cf-chl-widget-x1'></div></body>",
            BlockKind.CHALLENGE,
        ),
        (
            "<html><head><title>Connexion - Le Journal</title></head><body><h1>Connexion</h1>"
            "<form><input name='email'><input type='PASSWORD' name='mdp'>"
            "<button>Se connecter</button></form></body></html>",
            BlockKind.LOGIN,
        ),
        (
            "<html><head><title>Story</title></head><body><h1>Story</h1><p>The opening "
            "paragraph of the story, as a teaser for readers who have not paid.</p>"
            "<div class='wall'>Subscribe to continue reading.</div></body></html>",
            BlockKind.PAYWALL,
        ),
        (
            "<html><head><meta http-equiv='Refresh' content='0'><title></title>"
            "<script>document.cookie='bm=1'; location.reload();</script></head><body></body>"
            "</html>",
            BlockKind.CHALLENGE,
        ),
    ],
)
def test_interstitials_in_other_forms_and_languages(page: str, kind: BlockKind) -> None:
    assert kind_of(page) is kind


def test_a_plain_redirect_page_or_a_thin_page_with_a_captcha_script_is_no_challenge() -> None:
    redirect = (
        "<html><head><meta http-equiv='refresh' content='0; url=/new'><title>Moved</title>"
        "</head><body><a href='/new'>This page has moved</a></body></html>"
    )
    assert kind_of(redirect) is None
    brief = "".join(
        f"<li>Item {n}: a headline of a short news brief of the day</li>" for n in range(40)
    )
    thin = (
        "<html><head><title>News in brief</title>"
        "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script></head>"
        f"<body><ul>{brief}</ul><div class='g-recaptcha'></div></body></html>"
    )
    assert kind_of(thin) is None


_TAGS = st.sampled_from(
    ["<p>", "</p>", "<title>", "</title>", "<form>", "<input type=password>", "<button>",
     "<script type='application/ld+json'>", "</script>", "[" * 50, '{"isAccessibleForFree":false',
     '"hasPart":{"cssSelector":"p>>"}}', "Accept all", "Just a moment...", "cookies consent "]
)  # fmt: skip


@given(st.lists(st.one_of(_TAGS, st.text(max_size=40)), max_size=40))
def test_any_markup_gives_an_interstitial_or_none(pieces: list[str]) -> None:
    page = "".join(pieces).encode("utf-8", "surrogatepass")
    found = interstitial_in(page, "text/html")
    assert found is None or found.reason.startswith(REASONS[found.kind])


def test_a_challenge_declared_by_its_headers() -> None:
    marked = marked_challenge({"cf-mitigated": "Challenge "})
    assert marked is not None
    assert marked.kind is BlockKind.CHALLENGE
    assert marked.reason == REASONS[BlockKind.CHALLENGE] + "the header cf-mitigated: challenge"
    assert marked_challenge({"cf-mitigated": "block"}) is None
    assert marked_challenge({"server": "cloudflare"}) is None
