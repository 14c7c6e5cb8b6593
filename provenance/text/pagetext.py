"""The full visible text of a page: what a reader could see or copy, including the alt and title
text of images (copies and reader modes carry them along, which is how captions end up doubled
in copied texts) and the labels of buttons, on lines of their own (a browser's select-all copy
leaves them out: the lines they break are also kept whole, after the rest), and the fallback
content of <object> and <noscript> (what a reader without the plugin or script sees). Used to
recognise page furniture in a seed.

Text hidden by CSS (the hidden attribute, an inline display:none or visibility:hidden, or a rule
of the page's own <style> blocks, as hover cards are) is kept apart: on lines of its own, so it
never runs into the sentences around it. Those rules also decide which elements start a line
(`display`, `float`), as a browser lays them out; a label does not (see
provenance.text.stylesheets)."""

from __future__ import annotations

from lxml import html

from provenance.text.stylesheets import UNSET, Styles, page_styles, transformed

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
    "legend",
    "caption",
    "center",
    "menu",
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
    "option",
    "select",
    "textarea",
    "title",
}


def visible_text(root: html.HtmlElement) -> str:
    """One block of text per line; inline elements run together as a reader sees them."""
    pieces: list[str] = []
    title = root.find(".//title")
    if title is not None and title.text:
        pieces += [title.text, "\n"]
    apart: list[str] = []
    hiding = _Hiding(page_styles(root), apart, flow=pieces)
    _walk(root, pieces, hiding, None)
    lines = _lines("".join([*pieces, "\n", *apart]))
    if hiding.drawn:
        lines += _without_drawn(pieces, hiding.drawn)
    return "\n".join(lines)


_AROUND = 3  # lines either side of a drawn text kept whole without it


def _without_drawn(pieces: list[str], drawn: list[int]) -> list[str]:
    """The lines around each drawn text as a copy without them has them ("in hot links",
    "Add comment / Print story / Email story" without the icons' alt texts between)."""
    kept: list[str] = []
    cuts: list[int] = []
    at = 0
    length = 0
    for start in drawn:
        kept += pieces[at:start]
        length += sum(len(piece) for piece in pieces[at:start])
        cuts.append(length)
        at = start + 3
    kept += pieces[at:]
    text = "".join(kept)
    windows: list[tuple[int, int]] = []
    for cut in cuts:
        start = end = cut
        for _ in range(_AROUND):
            start = max(text.rfind("\n", 0, start - 1), 0) if start > 0 else 0
            found = text.find("\n", end + 1)
            end = found if found >= 0 else len(text)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return [line for start, end in windows for line in _lines(text[start:end])]


def _lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, each its words joined by single spaces."""
    return [line for line in [" ".join(line.split()) for line in text.split("\n")] if line]


class _Hiding:
    """The page's style rules, and where hidden text is put: apart, after the rest, each hidden
    element's text on lines of its own (text shown transformed is put apart too, the flow
    keeping the source's spelling)."""

    def __init__(self, styles: Styles, apart: list[str], flow: list[str] | None = None) -> None:
        self.styles = styles
        self.ruled = bool(styles)  # whether the page has rules (else only inline styles count)
        self.apart = apart
        self.flow = flow  # the walk's main list of pieces
        self.drawn: list[int] = []  # where in it a drawn text stands (its 3 pieces)


_INLINE = frozenset({"inline", "inline-block", "inline-flex", "inline-grid", "inline-table"})


def _walk(element: html.HtmlElement, pieces: list[str], hiding: _Hiding, case: str | None) -> None:
    """``case``: the text-transform in force, in a walk that spells text as a browser shows it
    (None in the walk that keeps the source's spelling)."""
    tag = element.tag
    if isinstance(tag, str) and tag not in _INVISIBLE:
        ruled = hiding.ruled or element.get("style") is not None
        style = hiding.styles.of(element) if ruled else UNSET
        inner = case
        if style is UNSET:  # most elements: told apart first, as the walk is a page's hot loop
            block = tag in _BLOCK
            hidden = element.get("hidden") is not None
        else:
            if style.transform is not None:
                inner = None if style.transform == "none" else style.transform
            if style.display in _INLINE:
                block = False
            else:
                block = (
                    tag in _BLOCK or style.display is not None or style.float in ("left", "right")
                )
            hidden = style.hidden or element.get("hidden") is not None
        if pieces is not hiding.apart and hidden:
            hiding.apart.append("\n")
            _walk_inside(element, hiding.apart, hiding, case, block=True)
            hiding.apart.append("\n")
        else:
            _walk_inside(element, pieces, hiding, inner if case else None, block=block)
            if inner is not None and case is None and pieces is not hiding.apart:
                # The browser shows this element's text transformed ("NAVIGATION"): that
                # spelling is kept apart; hidden text inside it is already apart.
                shown: list[str] = []
                _walk_inside(element, shown, _Hiding(hiding.styles, []), inner, block=True)
                hiding.apart += shown
    if element.tail:
        pieces.append(transformed(element.tail, case) if case else element.tail)


def _walk_inside(
    element: html.HtmlElement,
    pieces: list[str],
    hiding: _Hiding,
    case: str | None,
    *,
    block: bool,
) -> None:
    tag = element.tag
    if block:
        pieces.append("\n")
    # Texts the page draws rather than writes (an image's alt and title, a button's label)
    # stand on lines of their own, as a browser shows a missing image's alt text and a copy of
    # it carries it; a browser's select-all copy leaves them out, so the lines they break
    # ("in [Category icon] hot links") are also kept whole, apart (see visible_text).
    drawn: list[str] = []
    if tag == "img":
        drawn = [value for name in ("alt", "title") if (value := element.get(name, "")).strip()]
    elif tag == "input" and element.get("type", "text") in ("submit", "button"):
        drawn = [element.get("value", "")]
    for value in drawn:
        if pieces is hiding.flow:
            hiding.drawn.append(len(pieces))
        pieces += ["\n", value, "\n"]
    if element.text:
        pieces.append(transformed(element.text, case) if case else element.text)
    for child in element:
        _walk(child, pieces, hiding, case)
    if block:
        pieces.append("\n")
