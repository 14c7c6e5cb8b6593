"""Pages that stand in front of the article: a bot challenge, a consent wall, a login wall, a
paywall teaser. Whatever the HTTP status, such a page says nothing about the seed, so its
verdict is unverifiable with the kind named, and the crawl asks the archive for the article.

Every rule pairs a sign of the interstitial (its title, its phrases in several languages, its
challenge scripts or captcha widgets, a password field, schema.org's `isAccessibleForFree`) with
the absence of the article: little prose outside the wall's own text. Article pages carry cookie
banners, login boxes and "subscribe" links in their furniture, and their prose keeps them clear.
Pages whose prose is long are let through at once, so the check costs next to nothing on them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cssselect import SelectorError
from lxml import etree, html
from lxml.cssselect import CSSSelector

from provenance.text.decode import decode_html
from provenance.text.pagetext import visible_text


class BlockKind(StrEnum):
    CHALLENGE = "bot challenge"
    CONSENT = "consent wall"
    LOGIN = "login wall"
    PAYWALL = "paywall teaser"


_REASONS = {
    BlockKind.CHALLENGE: "the site answered with a bot challenge, not the article",
    BlockKind.CONSENT: "the site answered with a consent wall, not the article",
    BlockKind.LOGIN: "the site answered with a login wall, not the article",
    BlockKind.PAYWALL: "the site answered with a paywall teaser, not the whole article",
}


@dataclass(frozen=True)
class Interstitial:
    kind: BlockKind
    signs: tuple[str, ...]  # what gave the page away, in words

    @property
    def reason(self) -> str:
        return f"{_REASONS[self.kind]}: {'; '.join(self.signs)}"


# A line of the page's visible text this long counts as prose (text wrapped by <br> included);
# menus, buttons and headings are shorter.
_PROSE_LINE = 40
# Prose outside the wall's own text beyond which a page is the article, whatever else it shows.
_WALL_PROSE = 600
# A paywall or "sign in to continue reading" page may show a teaser of a few paragraphs.
_TEASER_PROSE = 1500
# Prose below a call to subscribe that a teaser page may still have (a footer's small print).
_AFTER_WALL = 300
# Text in a paywalled section (schema.org hasPart.cssSelector) that shows it was served whole.
_LOCKED_PRESENT = 200
# No interstitial is larger; a bigger error page is not parsed to find out.
_LARGEST = 2 << 20
# Prose beyond which no rule can apply (a consent wall's own text may run long): the quick exit.
_ARTICLE_PROSE = 4000


def _phrases(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE | re.MULTILINE)


_CHALLENGE_TITLE = _phrases(
    r"^just a moment",
    r"attention required",
    r"checking your browser",
    r"^one more step",
    r"are you (a )?(robot|human)",
    r"robot check",
    r"human verification",
    r"bot verification",
    r"verify(ing)? you are (a )?human",
    r"pardon our interruption",
    r"security check(point)?$",
    r"ddos[- ]guard",
    r"you have been blocked",
    r"^request unsuccessful",
    r"captcha",
    r"^un instant",  # the same pages in other languages
    r"^einen moment",
    r"^un momento",
    r"^um momento",
    r"^even geduld",
    r"^chwileczk",
    r"^bir dakika",
    r"^один момент",
    r"^подождите",
    r"しばらくお待ちください",
    r"^请稍候",
    r"^請稍候",
    r"잠시만 기다리",
)
_CHALLENGE_TEXT = _phrases(
    r"enable javascript and cookies to continue",
    r"checking (if the site connection is secure|your browser before accessing)",
    r"needs to review the security of your connection",
    r"verif(y|ying|ies) (that )?you are (a )?human",
    r"(prove|confirm) (that )?you are (a )?human",
    r"i'?m not a robot|i am not a robot",
    r"complete the security check",
    r"press (&|and) hold",
    r"unusual traffic from your (computer )?network",
    r"our systems have detected unusual traffic",
    r"to continue, please type the characters",
    r"performing (a )?security verification",
    r"uses a security service to protect (itself )?against (malicious )?bots",
    r"why have i been blocked",
    r"incapsula incident id",
    r"performance (&|and) security by",
    r"ddos protection by",
    r"bitte aktivieren sie javascript und cookies",
    r"überprüfung ihres browsers",
    r"vérification (de votre navigateur|que vous êtes humain)",
    r"verificando (su|tu|seu) navegador",
    r"(activez|activer) javascript et les cookies",
    r"habilit(a|e) javascript y (las )?cookies",
)
_CHALLENGE_MARKUP = {
    "/cdn-cgi/challenge-platform/": "a Cloudflare challenge script",
    "challenges.cloudflare.com": "a Cloudflare challenge script",
    "cf_chl_": "a Cloudflare challenge script",
    "cf-browser-verification": "a Cloudflare challenge script",
    "cf-chl-": "a Cloudflare challenge script",
    "cf-challenge": "a Cloudflare challenge script",
    "jschl": "a Cloudflare challenge script",
    "cf-turnstile": "a captcha widget (Turnstile)",
    "g-recaptcha": "a captcha widget (reCAPTCHA)",
    "recaptcha/api.js": "a captcha widget (reCAPTCHA)",
    "h-captcha": "a captcha widget (hCaptcha)",
    "hcaptcha.com": "a captcha widget (hCaptcha)",
    "captcha-delivery.com": "a captcha widget (DataDome)",
    "px-captcha": "a captcha widget (PerimeterX)",
    "funcaptcha": "a captcha widget (Arkose)",
    "arkoselabs": "a captcha widget (Arkose)",
    "_incapsula_resource": "an Incapsula challenge script",
    "sucuri_cloudproxy": "a Sucuri challenge script",
}
_CHALLENGE_MARKUP_RE = re.compile(
    "|".join(re.escape(key) for key in _CHALLENGE_MARKUP), re.IGNORECASE
)
# A challenge page is small: below this much visible text its scripts and widgets alone tell.
_SMALL_PAGE = 600
# A page that is all script: a cookie set and the page reloaded or sent on, with nothing to read.
_TINY_PAGE = 300
_SCRIPTED_RELOAD = re.compile(
    r"document\.cookie\s*=.{0,2000}?(location\.(reload|replace|href)|window\.location)", re.S
)

_CONSENT_WORDS = _phrases(
    r"cookie",
    r"consent",
    r"gdpr",
    r"privacy (settings|policy|preferences|options|choices)",
    r"our partners",
    r"legitimate interest",
    r"personal(ised|ized) (ads|advertising|content)",
    r"personal data",
    r"einwilligung",
    r"zustimm",
    r"datenschutz",
    r"consentement",
    r"témoins",
    r"données personnelles",
    r"consentimiento",
    r"datos personales",
    r"consenso",
    r"dati personali",
    r"toestemming",
)
# Labels of the button that accepts (compared with whole short lines, lower case).
_ACCEPT = frozenset(
    [
        *(f"{verb}{what}" for verb in ("accept", "allow") for what in ("", " all", " cookies")),
        *(f"accept{all_} {and_} {then}" for all_ in ("", " all") for and_ in ("&", "and")
          for then in ("continue", "close")),
        "accept all cookies", "allow all cookies", "agree", "i agree", "i accept", "ok, i agree",
        "ok i agree", "yes, i agree", "agree and continue", "agree & continue", "got it",
        "akzeptieren", "alle akzeptieren", "alle cookies akzeptieren", "zustimmen",
        "einverstanden", "accepter", "tout accepter", "accepter et fermer",
        "accepter et continuer", "j'accepte", "aceptar", "aceptar todo", "aceptar todas",
        "aceptar y continuar", "aceitar", "aceitar tudo", "aceitar todos", "accetta",
        "accetta tutto", "accetta tutti", "accetto", "accepteren", "alles accepteren", "akkoord",
    ]
)  # fmt: skip
_ACCEPT_LINE = 30  # no label above is longer
_LABEL_TRIM = " .!:›»✓×"


def _accept_button(lines: list[str]) -> str | None:
    for line in lines:
        if len(line) <= _ACCEPT_LINE:
            label = line.lower().replace("’", "'").strip(_LABEL_TRIM)
            if label in _ACCEPT:
                return line
    return None


_LOGIN_WORDS = _phrases(
    r"sign[ -]?in",
    r"log[ -]?in",
    r"sign[ -]?up",
    r"register",
    r"create (an|your) account",
    r"password",
    r"username",
    r"e-?mail( address)?$",
    r"remember me",
    r"anmelden|einloggen|passwort|benutzername",
    r"connexion|se connecter|mot de passe|identifiant",
    r"iniciar sesión|contraseña|accedi|inloggen|wachtwoord|senha|entrar",
    r"subscri",
    r"to continue reading",
)
_LOGIN_TITLE = _phrases(
    r"sign[ -]?in",
    r"log[ -]?in",
    r"anmelden|einloggen",
    r"connexion|se connecter",
    r"iniciar sesión|accedi|inloggen",
)

_PAYWALL_PHRASE = _phrases(
    r"(subscribe|sign in|log in|register) (now )?to "
    r"(continue reading|read (the|this) (full|whole|rest))",
    r"to (continue|keep) reading,? (please )?(subscribe|sign in|log in|become a)",
    r"this (article|story|content) is (only )?(available|reserved|exclusive) (to|for) "
    r"(paying )?(subscribers|members)",
    r"(for|to) subscribers only",
    r"subscribers only",
    r"subscribe to (unlock|read) (this|the full)",
    r"réservé aux abonnés",
    r"nur für abonnenten",
    r"exclusivo para (suscriptores|assinantes)",
    r"riservato agli abbonati",
    r"alleen voor abonnees",
)
# Elements that mark a login form or a paywall, found in one pass over the tree.
_MARKS = (
    "//script[@type='application/ld+json'] | //input[@type='password' or @type='PASSWORD']"
    " | //meta[@property='article:content_tier'] | //*[@itemprop='isAccessibleForFree']"
)


class _Marks:
    def __init__(self, elements: list[html.HtmlElement]) -> None:
        self.json_ld = [e for e in elements if e.tag == "script"]
        self.password = any(e.tag == "input" for e in elements)
        self.locked = any(
            e.tag == "meta" and (e.get("content") or "").strip().lower() == "locked"
            for e in elements
        )
        self.not_free = any(
            e.get("itemprop") == "isAccessibleForFree"
            and _false(e.get("content") if e.tag == "meta" else e.text_content())
            for e in elements
        )


# Response headers by which CDNs mark a challenge page, whatever the page holds (Cloudflare
# documents `cf-mitigated: challenge` for every kind of its challenge pages; Vercel sends its own).
CHALLENGE_HEADERS = ("cf-mitigated", "x-vercel-mitigated")


def marked_challenge(headers: Mapping[str, str]) -> Interstitial | None:
    """The challenge a response's headers declare; `headers` maps lower-case names to values."""
    for name in CHALLENGE_HEADERS:
        if headers.get(name, "").strip().lower() == "challenge":
            return Interstitial(BlockKind.CHALLENGE, (f"the header {name}: challenge",))
    return None


def find_interstitial(tree: html.HtmlElement, page_text: str) -> Interstitial | None:
    """The interstitial this page is, or None when it may be the article. `page_text` is
    `visible_text(tree)`; the tree is only read."""
    lines = page_text.split("\n")
    prose = _prose(lines)
    # Only a consent wall's own text runs longer than a teaser, and it has a button to accept.
    if prose >= _ARTICLE_PROSE:
        return None
    accept = _accept_button(lines)
    if prose >= _TEASER_PROSE and accept is None:
        return None
    title = _title(tree)
    marks = _Marks(tree.xpath(_MARKS))
    return (
        _challenge(tree, page_text, title, prose)
        or _paywall_marked(tree, marks, prose)
        or _consent(lines, accept)
        or _login(tree, marks, lines, title)
        or _paywall_said(page_text, lines)
    )


def interstitial_in(body: bytes, content_type: str | None) -> Interstitial | None:
    """`find_interstitial` on the bytes of a response (an error page's body, say)."""
    if not body.strip() or len(body) > _LARGEST:
        return None
    tree = parse_page(body, content_type)
    return find_interstitial(tree, visible_text(tree)) if tree is not None else None


def parse_page(body: bytes, content_type: str | None) -> html.HtmlElement | None:
    """The page's tree, read as `extract_article` reads it, or None if it cannot be parsed."""
    try:
        return html.document_fromstring(decode_html(body, content_type).text)
    except ValueError:  # lxml refuses text with an XML declaration: the bytes declare it too
        pass
    except etree.ParserError:
        return None
    try:
        return html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None


def _prose(lines: list[str], wall: re.Pattern[str] | None = None) -> int:
    """Characters in prose lines, those mentioning the wall's own subject left out."""
    return sum(
        len(line)
        for line in lines
        if len(line) >= _PROSE_LINE and (wall is None or not wall.search(line))
    )


def _title(tree: html.HtmlElement) -> str:
    title = tree.find(".//title")
    text = title.text_content() if title is not None else ""
    return " ".join(text.replace("…", "...").split())


def _source(tree: html.HtmlElement) -> Iterator[str]:
    """The markup a challenge is recognised by: script sources and code, class and id
    attributes, form actions and iframe sources."""
    for element in tree.iter("script", "iframe", "form", "div", "input", "noscript"):
        for attribute in ("src", "class", "id", "action", "data-sitekey"):
            value = element.get(attribute)
            if value:
                yield value
        if element.tag == "script" and element.text:
            yield element.text


def _challenge(tree: html.HtmlElement, text: str, title: str, prose: int) -> Interstitial | None:
    if prose >= _WALL_PROSE:
        return None
    signs: list[str] = []
    if _CHALLENGE_TITLE.search(title):
        signs.append(f'the title "{title}"')
    said = _CHALLENGE_TEXT.search(text)
    if said:
        signs.append(f'the text "{said.group(0)}"')
    markup: set[str] = set()
    scripts = []
    for value in _source(tree):
        found = _CHALLENGE_MARKUP_RE.findall(value)
        markup.update(_CHALLENGE_MARKUP[key.lower()] for key in found)
        scripts.append(value)
    # Article pages load these scripts too (bot detection, a comment form's captcha): alone
    # they count only on a page with next to nothing to read.
    if signs or len(text) < _SMALL_PAGE:
        signs += sorted(markup)
    tiny = len(text) - len(title) < _TINY_PAGE
    if not signs and tiny and any(_SCRIPTED_RELOAD.search(code) for code in scripts):
        signs.append("a page of script that sets a cookie and reloads, with nothing to read")
    return Interstitial(BlockKind.CHALLENGE, tuple(signs)) if signs else None


def _consent(lines: list[str], accept: str | None) -> Interstitial | None:
    if accept is None:
        return None
    about = [line for line in lines if _CONSENT_WORDS.search(line)]
    said = sum(map(len, about))
    other = _prose(lines, _CONSENT_WORDS)
    # The wall's own text outweighs the rest: a short story under a cookie banner is no wall.
    if said < 100 or other >= min(_WALL_PROSE, said):
        return None
    return Interstitial(
        BlockKind.CONSENT,
        (f"{len(about)} line(s) about cookies and consent", f'a button "{accept}"'),
    )


def _login(
    tree: html.HtmlElement, marks: _Marks, lines: list[str], title: str
) -> Interstitial | None:
    titled = _LOGIN_TITLE.search(title)
    if not marks.password and not (titled and tree.find(".//form") is not None):
        return None
    other = _prose(lines, _LOGIN_WORDS)
    wall = next((i for i, line in enumerate(lines) if _PAYWALL_PHRASE.search(line)), None)
    if wall is not None:  # "sign in to continue reading": a teaser may stand before it
        if other >= _TEASER_PROSE or _prose(lines[wall + 1 :], _LOGIN_WORDS) >= _AFTER_WALL:
            return None
    elif other >= min(_WALL_PROSE, sum(len(line) for line in lines if _LOGIN_WORDS.search(line))):
        return None  # a short story beside a login box is no wall
    signs = ["a password field"] if marks.password else []
    if titled:
        signs.append(f'the title "{title}"')
    return Interstitial(BlockKind.LOGIN, tuple(signs))


def _paywall_said(text: str, lines: list[str]) -> Interstitial | None:
    """A teaser that stops where the page says to subscribe: little prose, none of it after."""
    said = _PAYWALL_PHRASE.search(text)
    if said is None or _prose(lines, _PAYWALL_PHRASE) >= _WALL_PROSE * 2:
        return None
    wall = next(i for i, line in enumerate(lines) if _PAYWALL_PHRASE.search(line))
    if _prose(lines[wall + 1 :], _PAYWALL_PHRASE) >= _AFTER_WALL:
        return None  # the story goes on past the call to subscribe: it is furniture
    return Interstitial(BlockKind.PAYWALL, (f'the text "{said.group(0)}"', "little of the article"))


def _paywall_marked(tree: html.HtmlElement, marks: _Marks, prose: int) -> Interstitial | None:
    """A page its own markup calls not free (schema.org isAccessibleForFree false, or
    article:content_tier locked) whose locked part was not served."""
    selectors: list[str] = []
    marked = marks.not_free
    for script in marks.json_ld:
        try:
            for node in _nodes(json.loads(script.text or "")):
                if _false(node.get("isAccessibleForFree")):
                    marked = True
                    selectors += _part_selectors(node.get("hasPart"))
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            continue
    sign = "schema.org isAccessibleForFree: false"
    if not marked and marks.locked:
        marked, sign = True, "article:content_tier: locked"
    if not marked:
        return None
    if selectors:
        served = sum(len(_selected_text(tree, selector)) for selector in selectors)
        if served >= _LOCKED_PRESENT:
            return None
        return Interstitial(BlockKind.PAYWALL, (sign, "the locked part is not on the page"))
    if prose >= _TEASER_PROSE:
        return None
    return Interstitial(BlockKind.PAYWALL, (sign, f"{prose} characters of prose"))


def _nodes(data: object) -> Iterator[dict[str, object]]:
    """Every JSON object in a JSON-LD document (through @graph and nested values)."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _nodes(value)
    elif isinstance(data, list):
        for value in data:
            yield from _nodes(value)


def _false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _part_selectors(parts: object) -> list[str]:
    found = []
    for node in _nodes(parts):
        selector = node.get("cssSelector")
        if isinstance(selector, str) and _false(node.get("isAccessibleForFree")):
            found.append(selector)
    return found


def _selected_text(tree: html.HtmlElement, selector: str) -> str:
    try:
        matched = CSSSelector(selector)(tree)
    except (SelectorError, etree.XPathError):
        return ""
    if not isinstance(matched, list):
        return ""
    return "".join(
        " ".join(element.text_content().split())
        for element in matched
        if isinstance(element, html.HtmlElement)
    )
