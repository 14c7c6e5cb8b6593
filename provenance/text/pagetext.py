"""The full visible text of a page: what a reader could see or copy, including the alt and title
text of images (copy tools and reader modes carry them along, which is how captions end up
doubled in copied texts), and the fallback content of <object> and <noscript> (what a reader
without the plugin or script sees). Used to recognise page furniture in a seed.

Text hidden by CSS (the hidden attribute, an inline display:none or visibility:hidden, or a
class or id that the page's own <style> blocks set to display:none, as hover cards are) is kept
apart: on lines of its own, so it never runs into the sentences around it."""

from __future__ import annotations

import re

from lxml import html

_INVISIBLE = {"script", "style", "template", "svg", "iframe", "head"}
_BLOCK = {
    "noscript",
    "object",
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "button",
    "label",
    "option",
    "select",
    "textarea",
    "title",
}


# ASCII white space that str.split() splits on, other than the space and the line break.
_ASCII_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def visible_text(root: html.HtmlElement) -> str:
    """One block of text per line; inline elements run together as a reader sees them."""
    pieces: list[str] = []
    title = root.find(".//title")
    if title is not None and title.text:
        pieces += [title.text, "\n"]
    apart: list[str] = []
    _walk(root, pieces, _Hiding(_hidden_names(root), apart))
    text = "".join([*pieces, "\n", *apart])
    if text.isascii() and "  " not in text and not any(c in text for c in _ASCII_SPACES):
        # Each line's white space is already single spaces: only its ends may need stripping.
        # Testing the whole text at once is several times faster than line by line.
        lines = (line.strip(" ") for line in text.split("\n"))
    else:
        lines = (_squashed(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _squashed(line: str) -> str:
    """``line`` with each run of white space made one space, and stripped."""
    # A printable line has no white space but spaces: most long lines need no splitting.
    if line.isprintable() and "  " not in line and line == line.strip(" "):
        return line
    return " ".join(line.split())


class _Hiding:
    """The names the page's stylesheets hide, and where hidden text is put: apart, after the
    rest, each hidden element's text on lines of its own."""

    def __init__(self, names: frozenset[str], apart: list[str]) -> None:
        self.names = names
        self.apart = apart


def _walk(element: html.HtmlElement, pieces: list[str], hiding: _Hiding) -> None:
    tag = element.tag
    if isinstance(tag, str) and tag not in _INVISIBLE:
        if pieces is not hiding.apart and _is_hidden(element, hiding.names):
            hiding.apart.append("\n")
            _walk_inside(element, hiding.apart, hiding, block=True)
            hiding.apart.append("\n")
        else:
            _walk_inside(element, pieces, hiding, block=tag in _BLOCK)
    if element.tail:
        pieces.append(element.tail)


def _walk_inside(
    element: html.HtmlElement, pieces: list[str], hiding: _Hiding, *, block: bool
) -> None:
    tag = element.tag
    if block:
        pieces.append("\n")
    if tag == "img":
        for attribute in ("alt", "title"):
            value = element.get(attribute)
            if value and value.strip():
                pieces += ["\n", value, "\n"]
    if tag == "input" and element.get("type", "text") in ("submit", "button"):
        pieces += ["\n", element.get("value", ""), "\n"]
    if element.text:
        pieces.append(element.text)
    for child in element:
        _walk(child, pieces, hiding)
    if block:
        pieces.append("\n")


def _is_hidden(element: html.HtmlElement, hidden: frozenset[str]) -> bool:
    if element.get("hidden") is not None:
        return True
    if hidden:
        names = element.get("class", "").split()
        element_id = element.get("id")
        if element_id:
            names.append("#" + element_id)
        if any(name in hidden for name in names):
            return True
    style = element.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SIMPLE_SELECTOR = re.compile(r"[\w-]*([.#])([\w-]+)")


def _hidden_names(root: html.HtmlElement) -> frozenset[str]:
    """Classes (and "#ids") that the page's own <style> blocks hide, by simple selectors
    (".card", "div.popup", "#overlay"); media queries and descendant selectors are left alone."""
    names: set[str] = set()
    for style in root.iter("style"):
        sheet = style.text or ""
        if "none" not in sheet and "hidden" not in sheet:
            continue
        for selectors, body in _RULE.findall(sheet):
            if not _HIDING.search(body):
                continue
            for selector in selectors.split(","):
                match = _SIMPLE_SELECTOR.fullmatch(selector.strip())
                if match is not None:
                    kind, name = match.groups()
                    names.add(name if kind == "." else "#" + name)
    return frozenset(names)
