from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from provenance.text.extract import EXTRACTOR, Article, NoArticle, _parse, extract_article

PAGES = Path(__file__).resolve().parent.parent / "replica" / "pages"
URL = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"


def test_same_bytes_give_the_same_article_every_time() -> None:
    body = (PAGES / "004_diyaruna.html").read_bytes()
    first = extract_article(body, url=URL, content_type="text/html; charset=utf-8")
    second = extract_article(body, url=URL, content_type="text/html; charset=utf-8")
    assert isinstance(first, Article)
    assert first == second
    assert "At least 3,300 ISIL fighters" in first.text
    assert "Do you like this article?" not in first.text
    assert "Do you like this article?" in first.page_text
    evidence = first.evidence()
    assert evidence.extractor == EXTRACTOR
    assert evidence.options["deduplicate"] is False


def test_charset_conflict_is_recorded() -> None:
    body = (PAGES / "002_gulftimes.html").read_bytes()
    article = extract_article(body, url=URL, content_type="text/html; charset=ISO-8859-6")
    assert isinstance(article, Article)
    assert "“caliphate”" in article.text
    assert article.decoding.conflict


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "text/html", "the page is empty"),
        (b"%PDF-1.7\n...", "application/pdf", "not an HTML page (application/pdf)"),
        (b"\x89PNG\r\n\x1a\n", None, "not an HTML page (unknown type)"),
        (b"<html><body><div></div></body></html>", "text/html", "almost no visible text (0"),
        (
            b"<html><body><footer>"
            + b"<p>Copyright notice of the site, all rights reserved. </p>" * 20
            + b"</footer></body></html>",
            "text/html",
            "trafilatura found no article body on the page (1019 characters",
        ),
    ],
)
def test_no_article_comes_with_a_reason(body: bytes, content_type: str | None, reason: str) -> None:
    result = extract_article(body, url=URL, content_type=content_type)
    assert isinstance(result, NoArticle)
    assert reason in result.reason


def test_headings_periphery_and_an_xml_declaration() -> None:
    # Issue 13: the h1 is a headline candidate; captions and bylines are told by their role.
    body = (
        '<?xml version="1.0" encoding="iso-8859-1"?>\n<html><head><title>Site</title></head><body>'
        "<h1>Bridge to close</h1><p class='byline'>By Jane Doe</p><article>"
        + "".join(
            f"<p>Paragraph {n} of the story, long enough to be kept as text by the extractor.</p>"
            for n in range(6)
        )
        + "<figure><img src='a.jpg'><figcaption>The bridge in 1931.</figcaption></figure>"
        "</article></body></html>"
    ).encode("latin-1")
    article = extract_article(body, url=URL, content_type="text/html")
    assert isinstance(article, Article)
    assert article.headings == ("Bridge to close",)
    roles = {block.key: block.role for block in article.periphery}
    assert roles["By Jane Doe"] == "a byline"
    assert roles["The bridge in 1931."] == "a caption"
    assert len({p.parent for p in article.paragraphs}) == 2


def test_a_title_left_open_does_not_swallow_the_page() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story, long enough to be kept as text by the extractor.</p>"
        for n in range(6)
    )
    body = f"<html><head><title>Damaged ti<meta charset='utf-8'></head><body><article>{paragraphs}"
    article = extract_article(body.encode(), url=URL, content_type="text/html")
    assert isinstance(article, Article)
    assert "Paragraph 3 of the story" in article.text
    assert "<p>" not in article.page_text


def test_the_raw_markup_of_noframes_is_no_text_of_the_page() -> None:
    # The parser keeps <noframes> content as raw markup, which no browser shows as text.
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story, long enough to be kept as text by the extractor.</p>"
        for n in range(6)
    )
    video = (
        "<p><iframe src='https://video.example/embed/1'></iframe><noframes><a href="
        "'https://video.example/watch?v=1'><img src='/1.jpg' alt='Preview'></a></noframes></p>"
    )
    body = f"<html><body><article>{paragraphs}{video}<p>After the video.</p></article></body>"
    article = extract_article(body.encode(), url=URL, content_type="text/html")
    assert isinstance(article, Article)
    assert "Paragraph 3 of the story" in article.text
    assert "After the video." in article.page_text
    assert "href" not in article.text
    assert "href" not in article.page_text


def test_blocks_of_links_are_periphery_and_prose_with_a_link_is_not() -> None:
    # Issue 13: a list of related stories or a toolbar is mostly link text; a paragraph of the
    # story that holds a link is not.
    from lxml import html

    from provenance.text.periphery import peripheral_blocks

    root = html.fromstring(
        "<html><body><div><p>The council met on Monday and voted to close the bridge, "
        "<a href='/r'>the report</a> says, for repairs that will take a year.</p>"
        "<div><span>Related</span><ul><li><a href='/a'>Murdoch inquiry extends</a> (July 24)</li>"
        "<li><a href='/b'>Bridge tolls to rise</a> (July 20)</li></ul></div>"
        "<p><a href='/p'>Print</a> | <a href='/e'>E-mail</a> | <a href='/c'>Comments (0)</a></p>"
        "</div></body></html>"
    )
    links = [block.key for block in peripheral_blocks(root) if block.role == "links to other pages"]
    assert len(links) == 2
    assert "Bridge tolls to rise(July 20)" in links[0]
    assert "Comments(0)" in links[1]


def test_the_fine_print_under_a_picture_in_a_paragraph_is_its_caption() -> None:
    from lxml import html

    from provenance.text.periphery import peripheral_blocks

    root = html.fromstring(
        "<html><body><p><a href='/big.jpg'><img src='/p.jpg'></a><br>\n<small><b>Patrick lost"
        " 100 pounds.</b> (Photo: Jane)</small></p><p>I find writing <small>very</small> hard,"
        " and <img src='/smile.png'> <small>so do you</small>.</p></body></html>"
    )
    captions = [block.key for block in peripheral_blocks(root) if block.role == "a caption"]
    assert len(captions) == 1
    assert captions[0].startswith("Patrick lost 100 pounds.")


def test_link_labels_are_the_short_texts_of_the_pages_links_and_images() -> None:
    from provenance.text.periphery import link_labels

    root = html.fromstring(
        "<html><body><p>Trackbacks are closed, but you can <a href='#r'>post\n a comment</a>."
        "</p><p><a href='/up'>up</a> <a href='/t'><b>@jdoe</b></a> "
        f"<a href='/long'>{'a headline long enough to be a block of its own ' * 3}</a></p>"
        "<a href='/p'><img src='/g.png' alt='Profile of  Jane' title='Profile of Jane'></a>"
        "</body></html>"
    )
    assert link_labels(root) == {"post a comment", "up", "@jdoe", "Profile of Jane"}
    assert link_labels(html.fromstring("<html><head><title>T</title></head></html>")) == set()


ARTICLE = "".join(
    f"<p>Paragraph {n} of the article reports what the officials said on the day, in some "
    "detail and at length.</p>"
    for n in range(8)
)


def _page(body: str) -> bytes:
    return f"<html><head><title>T</title></head><body>{body}</body></html>".encode()


def test_one_control_character_does_not_lose_the_article() -> None:
    page = _page("<article>" + ARTICLE.replace("officials", "offi\x1bcials\x07", 1) + "</article>")
    article = extract_article(page, url="http://x.test/", content_type="text/html")
    assert isinstance(article, Article)
    assert "Paragraph 0 of the article reports what the officials said" in article.text
    assert "Paragraph 7" in article.text


def test_an_article_nested_300_deep_is_read_and_deeper_pages_are_refused() -> None:
    nested = _page("<div>" * 300 + f"<article>{ARTICLE}</article>" + "</div>" * 300)
    article = extract_article(nested, url="http://x.test/", content_type="text/html")
    assert isinstance(article, Article)
    assert "Paragraph 7 of the article" in article.text
    for depth in (1_000, 5_000):
        deeper = _page("<div>" * depth + f"<article>{ARTICLE}</article>" + "</div>" * depth)
        refused = extract_article(deeper, url="http://x.test/", content_type="text/html")
        assert isinstance(refused, NoArticle)
        assert "deep" in refused.reason


def test_many_short_blocks_skip_the_quadratic_fallbacks_and_the_evidence_says_so() -> None:
    filler = "".join(f"<p>w{n}.</p>" for n in range(3_000))
    article = extract_article(
        _page(f"<article>{ARTICLE}</article><div>{filler}</div>"),
        url="http://x.test/",
        content_type="text/html",
    )
    assert isinstance(article, Article)
    assert "Paragraph 7 of the article" in article.text
    assert article.limit is not None
    assert "jusText" in article.limit
    evidence = article.evidence()
    assert evidence.limit == article.limit
    assert evidence.options["fast"] is True
    plain = extract_article(_page(f"<article>{ARTICLE}</article>"), url="", content_type=None)
    assert isinstance(plain, Article)
    assert plain.limit is None
    assert plain.evidence().options["fast"] is False


def test_a_page_of_more_elements_than_the_limit_is_refused_with_the_reason() -> None:
    filler = "<i></i>" * 30_000
    refused = extract_article(
        _page(f"<article>{ARTICLE}</article>{filler}"), url="", content_type="text/html"
    )
    assert isinstance(refused, NoArticle)
    assert refused.reason.startswith("the page has 30,0")
    assert "more than the 25,000 extraction takes" in refused.reason


def test_the_page_tree_has_the_element_classes_of_lxml_html() -> None:
    # trafilatura calls lxml.html's methods on the tree (drop_tree, text_content, a form's
    # inputs): the parse looks its classes up in C, and must give each node the same class.
    page = (
        "<html><head><title>t</title><?php x ?></head><body><!-- c --><form><label>L</label>"
        "<input name=a><select><option>o</select><textarea>x</textarea></form>"
        "<p>text &amp; <svg:rect/></p><FORM></FORM></body></html>"
    )
    ours = [type(node) for node in _parse(page).iter()]
    theirs = [type(node) for node in html.document_fromstring(page).iter()]
    assert ours == theirs
    assert html.FormElement in ours
    assert html.HtmlComment in ours
