"""The full visible text of a page: what a reader could see or copy, including the alt and title
text of images (copy tools and reader modes carry them along, which is how captions end up
doubled in copied texts). Used to recognise page furniture in a seed."""

from __future__ import annotations

from lxml import html

_INVISIBLE = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}
_BLOCK = {
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
    _walk(root, pieces)
    text = "".join(pieces)
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


def _walk(element: html.HtmlElement, pieces: list[str]) -> None:
    tag = element.tag
    if isinstance(tag, str) and tag not in _INVISIBLE and not _is_hidden(element):
        block = tag in _BLOCK
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
            _walk(child, pieces)
        if block:
            pieces.append("\n")
    if element.tail:
        pieces.append(element.tail)


def _is_hidden(element: html.HtmlElement) -> bool:
    if element.get("hidden") is not None:
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style
