from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html

from provenance.text.pagetext import visible_text


def test_visible_text_keeps_blocks_alt_text_and_drops_scripts() -> None:
    root = html.document_fromstring(
        "<html><head><title>T</title><style>p{}</style><script>var x=1</script></head><body>"
        "<nav>Iraq News</nav><figure><img alt='A caption' title='A caption'>"
        "<figcaption>A caption</figcaption></figure>"
        "<p>One <b>bold</b> word.</p><div style='display: none'>hidden</div>"
        "<div><span>1</span> Comment(s)</div><noscript>enable js</noscript>"
        "<form><label>Comment Policy</label> * Denotes Required Field<span>1500 / 1500</span>"
        "<input type='submit' value='Post'></form></body></html>"
    )
    lines = visible_text(root).splitlines()
    assert lines[0] == "T"
    assert "Iraq News" in lines
    assert lines.count("A caption") >= 3
    assert "One bold word." in lines
    assert "1 Comment(s)" in lines
    assert "Post" in lines
    text = "\n".join(lines)
    for invisible in ("var x", "p{}"):
        assert invisible not in text
    # Issue 13: hidden text is kept apart, on lines of its own after the rest; fallback content
    # is page text.
    assert lines.index("hidden") > lines.index("enable js") > lines.index("1 Comment(s)")


def test_a_forms_legend_and_a_tables_caption_are_blocks() -> None:
    root = html.document_fromstring(
        "<html><body><form><fieldset><legend>Search Quotes in the FT.com site</legend>"
        "<label>Search</label><input></fieldset></form>"
        "<table><caption>Results</caption><tr><td>1</td></tr></table></body></html>"
    )
    lines = visible_text(root).splitlines()
    assert "Search Quotes in the FT.com site" in lines
    assert "Results" in lines


def test_text_hidden_by_the_pages_stylesheet_never_runs_into_sentences() -> None:
    root = html.document_fromstring(
        "<html><head><style>.card, div.pop {display: none} #tip{visibility:hidden}"
        " .shown{color: red}</style></head><body>"
        "<p>The minister <span class='card'>Born 1950. Party: X</span>said no.</p>"
        "<div class='pop'>Popup</div><p id='tip'>Tip text</p><p class='shown'>Shown.</p>"
        "<object data='x.swf'><p>Fallback caption</p></object></body></html>"
    )
    lines = visible_text(root).splitlines()
    assert "The minister said no." in lines
    assert "Shown." in lines
    assert "Fallback caption" in lines
    assert lines[-3:] == ["Born 1950. Party: X", "Popup", "Tip text"]


def test_a_line_broken_by_drawn_texts_is_also_kept_whole() -> None:
    root = html.document_fromstring(
        "<html><body><p>in <a href='/c'><img alt='Category' src='c.png'>hot links</a>"
        " <input type='button' value='Go'> Tweet</p></body></html>"
    )
    # On lines of their own, as a browser shows a missing image; the line they break is also
    # kept whole, after the rest, as a select-all copy has it.
    assert visible_text(root).splitlines() == [
        "in",
        "Category",
        "hot links",
        "Go",
        "Tweet",
        "in hot links Tweet",
    ]


def test_text_transformed_by_the_pages_stylesheet_is_also_kept_as_shown() -> None:
    root = html.document_fromstring(
        "<html><head><style>/* c */ h4 {color: red; text-transform:uppercase}"
        " .side li > a.t {text-transform: capitalize} @media print {p {text-transform: lowercase}}"
        " .plain {text-transform: none}</style></head><body>"
        "<h4>Navigation <span class='plain'>off</span></h4>"
        "<ul class='side'><li><a class='t' href='/'>older posts</a></li></ul>"
        "<div class='side'><a class='t'>not a list</a></div>"
        "<p style='text-transform: Uppercase'>Shout</p><p>Kept as Written</p></body></html>"
    )
    lines = visible_text(root).splitlines()
    assert lines[:5] == ["Navigation off", "older posts", "not a list", "Shout", "Kept as Written"]
    assert lines[5:] == ["NAVIGATION off", "Older Posts", "SHOUT"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p> a  b </p><p>c</p>", ["a b", "c"]),
        ("<p>a\tb</p><p> c </p>", ["a b", "c"]),
        ("<p>a\x0c b</p><p>\x1fc</p>", ["a b", "c"]),
        ("<p> plain ascii </p><span> runs </span> <b>on</b>", ["plain ascii", "runs on"]),
        ("<p>caf\u00e9  au\u00a0lait </p>", ["caf\u00e9 au lait"]),
    ],
)
def test_white_space_is_squashed_line_by_line(body: str, expected: list[str]) -> None:
    assert (
        visible_text(html.document_fromstring(f"<html><body>{body}</body></html>")).split("\n")
        == expected
    )


_MARKUP = st.lists(
    st.sampled_from(["<p>", "</p>", "<span>", "</span>", "<br>", " ", "  ", "\t", "\r", "\n"])
    | st.text(alphabet="ab. \u00e9\u00a0\x1f", max_size=6),
    max_size=30,
).map("".join)


@given(_MARKUP)
def test_every_line_is_non_empty_single_spaced_text(body: str) -> None:
    text = visible_text(html.document_fromstring(f"<html><body>x{body}</body></html>"))
    for line in text.split("\n"):
        assert line
        assert line == " ".join(line.split())


def test_style_rules_decide_hiding_and_line_starts_as_a_browser_does() -> None:
    root = html.document_fromstring(
        "<html><head><style>@media print { #nav, .menu {display: none} }"
        " #nav li {display: inline} ul.menu li a:link {text-transform: uppercase}"
        " .side > p {display: none} span.box {float: left}</style></head><body>"
        "<ul id='nav'><li>Home</li> <li>About</li></ul>"
        "<ul class='menu'><li><a href='/'>Archive</a></li></ul>"
        "<div class='side'><p>Tooltip</p></div><p>One<span class='box'>Boxed</span>two</p>"
        "<p>Remember me? <label>Yes</label><label>No</label></p></body></html>"
    )
    lines = visible_text(root).splitlines()
    # Rules for print do not hide what the screen shows; inline list items share a line.
    assert lines[:3] == ["Home About", "Archive", "One"]
    assert lines[3:6] == ["Boxed", "two", "Remember me? YesNo"]
    assert lines[6:] == ["ARCHIVE", "Tooltip"]
