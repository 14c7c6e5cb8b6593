"""What the page's own <style> rules and inline styles do to its text, as a browser applies
them: `display` (none hides an element; inline or block decides whether it starts a line),
`visibility: hidden`, `float` (a floated element is laid out as a block) and `text-transform`
(a reader's select-all copy carries "NAVIGATION" where the source says "Navigation").

Selectors understood: compounds of a tag, classes and an id, joined by descendant or child
combinators (`h4`, `.sidebar h2`, `#nav > li.title`, `a:link`); rules with other selectors, and
rules inside at-rules (`@media print`), are left alone. Of two rules the later wins
(specificity is not weighed); an inline style wins over both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import html

_DECLARATIONS = {
    "transform": re.compile(r"text-transform\s*:\s*(uppercase|lowercase|capitalize|none)", re.I),
    "display": re.compile(r"(?<![\w-])display\s*:\s*([a-z-]+)", re.I),
    "visibility": re.compile(r"visibility\s*:\s*(hidden|visible)", re.I),
    "float": re.compile(r"float\s*:\s*(left|right|none)", re.I),
}
_PROPERTY_NAMES = ("text-transform", "display", "visibility", "float")
# Pseudo-classes that every link of a fresh browser profile matches (or that match the same
# links: `a:visited` where `a:link` is set alike); any other makes a selector not understood.
_LINK_PSEUDO = re.compile(r":(?:link|visited)\b")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_COMPOUND = re.compile(r"([a-zA-Z][\w-]*|\*)?((?:[.#][\w-]+)*)")
_NAME = re.compile(r"[.#][\w-]+")
# A word's first letter, for `capitalize` (the rest of the word is left as it is).
_WORD_START = re.compile(r"(?<![\w'\u2019])\w")


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    classes: frozenset[str]
    id: str | None

    def matches(self, element: html.HtmlElement) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.id is not None and element.get("id") != self.id:
            return False
        return not self.classes or self.classes <= set(element.get("class", "").split())


@dataclass(frozen=True)
class _Rule:
    compounds: tuple[_Compound, ...]  # the last one is the element's own
    children: tuple[bool, ...]  # compounds[k] joins compounds[k + 1] as its parent (">")
    declared: tuple[tuple[str, str], ...]  # (property, value): "transform", "uppercase"


@dataclass(frozen=True)
class Style:
    """The properties an element sets itself (None: not set, so inherited or the default)."""

    transform: str | None = None
    display: str | None = None
    visibility: str | None = None
    float: str | None = None

    @property
    def hidden(self) -> bool:
        return self.display == "none" or self.visibility == "hidden"


UNSET = Style()  # what an element that sets none of the properties gets


class Styles:
    """The page's rules, indexed by what their last compound names."""

    def __init__(self, rules: list[_Rule]) -> None:
        self._by_key: dict[str, list[_Rule]] = {}
        self._order = {id(rule): n for n, rule in enumerate(rules)}
        # For each (tag, class, id) met: the rules whose last compound it matches, in the order
        # of the sheet; only their ancestor compounds are left to check for each element.
        self._plans: dict[tuple[str, str, str | None], list[_Rule]] = {}
        # Whether an element's ancestors match a rule's first k compounds: siblings and
        # descendants share their ancestors, so each is worked out once.
        self._ancestors: dict[tuple[html.HtmlElement, int, int], bool] = {}
        for rule in rules:
            last = rule.compounds[-1]
            key = (
                "#" + last.id
                if last.id
                else "." + min(last.classes)
                if last.classes
                else last.tag or "*"
            )
            self._by_key.setdefault(key, []).append(rule)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def of(self, element: html.HtmlElement) -> Style:
        """The properties ``element`` sets itself, by the page's rules and its inline style."""
        found: dict[str, str] = {}
        if self._by_key:
            signature = (element.tag, element.get("class", ""), element.get("id"))
            plan = self._plans.get(signature)
            if plan is None:
                plan = self._plan(element)
                self._plans[signature] = plan
            for rule in plan:
                if self._ancestors_match(element, rule, len(rule.compounds) - 1):
                    found.update(rule.declared)
        inline = element.get("style")
        if inline:
            found.update(_declared(inline))
        return Style(**found) if found else UNSET

    def _ancestors_match(self, element: html.HtmlElement, rule: _Rule, k: int) -> bool:
        """Whether the ancestors of ``element`` match ``rule.compounds[:k]``, joined as the rule
        joins them; ``element`` matches ``rule.compounds[k]``. Walked up without recursion
        (pages nest hundreds deep), stopping at the first element already worked out."""
        if k == 0:
            return True
        number = self._order[id(rule)]
        known = self._ancestors
        walked: list[html.HtmlElement] = []
        node = element
        while True:
            found = known.get((node, number, k))
            if found is not None:
                break
            walked.append(node)
            parent = node.getparent()
            if parent is None:
                found = False
                break
            if rule.compounds[k - 1].matches(parent) and self._ancestors_match(parent, rule, k - 1):
                found = True
                break
            if rule.children[k - 1]:
                found = False
                break
            node = parent
        for node in walked:
            known[(node, number, k)] = found
        return found

    def _plan(self, element: html.HtmlElement) -> list[_Rule]:
        """The rules whose last compound ``element`` matches, in the order of the sheet (the
        later rule wins)."""
        matching = [
            rule for rule in self._candidates(element) if rule.compounds[-1].matches(element)
        ]
        return sorted(matching, key=lambda rule: self._order[id(rule)])

    def _candidates(self, element: html.HtmlElement) -> Iterator[_Rule]:
        keys = [element.tag, "*", *("." + name for name in element.get("class", "").split())]
        element_id = element.get("id")
        if element_id:
            keys.append("#" + element_id)
        for key in keys:
            yield from self._by_key.get(key, ())


def page_styles(root: html.HtmlElement) -> Styles:
    """The rules of the page's <style> blocks that set a property this module reads."""
    rules: list[_Rule] = []
    for style in root.iter("style"):
        sheet = style.text or ""
        if not any(name in sheet for name in _PROPERTY_NAMES):
            continue
        for selectors, body in _top_level_rules(_COMMENT.sub("", sheet)):
            declared = _declared(body)
            if declared:
                for selector in selectors.split(","):
                    rule = _parsed(selector, tuple(declared.items()))
                    if rule is not None:
                        rules.append(rule)
    return Styles(rules)


def _declared(body: str) -> dict[str, str]:
    """The properties a declaration block sets (the last of each), lower-cased."""
    found: dict[str, str] = {}
    for name, pattern in _DECLARATIONS.items():
        values = pattern.findall(body)
        if values:
            found[name] = values[-1].lower()
    return found


def _top_level_rules(sheet: str) -> Iterator[tuple[str, str]]:
    """(selectors, declarations) of the rules outside any at-rule block."""
    depth = 0
    start = 0
    selectors = ""
    for at, char in enumerate(sheet):
        if char == "{":
            if depth == 0:
                selectors = sheet[start:at]
                body_start = at + 1
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                if not selectors.lstrip().startswith("@") and "{" not in sheet[body_start:at]:
                    yield selectors.strip(), sheet[body_start:at]
                start = at + 1


def _parsed(selector: str, declared: tuple[tuple[str, str], ...]) -> _Rule | None:
    parts = _LINK_PSEUDO.sub("", selector).replace(">", " > ").split()
    compounds: list[_Compound] = []
    children: list[bool] = []
    child = False
    for part in parts:
        if part == ">":
            if not compounds or child:
                return None
            child = True
            continue
        match = _COMPOUND.fullmatch(part)
        if match is None or not part:
            return None
        tag, names = match.groups()
        found = _NAME.findall(names)
        ids = [name[1:] for name in found if name[0] == "#"]
        if len(ids) > 1:
            return None
        if compounds:
            children.append(child)
        child = False
        compounds.append(
            _Compound(
                tag.lower() if tag and tag != "*" else None,
                frozenset(name[1:] for name in found if name[0] == "."),
                ids[0] if ids else None,
            )
        )
    if not compounds or child:
        return None
    return _Rule(tuple(compounds), tuple(children), declared)


def transformed(text: str, transform: str | None) -> str:
    """``text`` as a browser shows it under ``transform``."""
    if transform == "uppercase":
        return text.upper()
    if transform == "lowercase":
        return text.lower()
    if transform == "capitalize":
        return _WORD_START.sub(lambda match: match.group().upper(), text)
    return text
