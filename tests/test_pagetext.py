from __future__ import annotations

from lxml import html

from provenance.pagetext import visible_text


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
    assert lines.count("A caption") == 3
    assert "One bold word." in lines
    assert "1 Comment(s)" in lines
    assert "Post" in lines
    text = "\n".join(lines)
    for invisible in ("var x", "hidden", "enable js", "p{}"):
        assert invisible not in text
