"""The accuracy harness's copy builders (bench/accuracy_copies.py) on a hand-made page: each
tamper changes exactly one thing, the untouched copies keep the article's words, typography
copies normalise back to the gold, and the harness judges a page end to end. The Chromium
select-all copy is checked against a real headless Chromium on loopback."""

from __future__ import annotations

import gzip
import re
import shutil
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import accuracy_copies as copies
from bench.accuracy_browser import Chromium, PageServer
from bench.accuracy_cases import EXPECTED, KINDS, Page, Task, judge_page
from provenance.text.normalize import normalize

HEADLINE = "Harbour cranes return to the old docks"
BODY = [
    "The port authority said on Monday that 14 new cranes will be installed along the eastern"
    " quay before the end of the year, replacing machines that have stood idle since 1998.",
    "Engineers began testing the first crane last week. \u201cIt is a big day for the docks,\u201d"
    " said the harbour master, who has worked at the port for 31 years.",
    "The project will cost about 120 million euros, and the company that builds the cranes"
    " expects to hire 250 people in the region \u2014 most of them in the next two years.",
    "Local shops welcomed the news. Many of them closed when the docks went quiet, and owners"
    " hope that trade will come back with the ships.",
    "The first ship is due to dock in March, the authority said.",
]
GOLD = "\n\n".join(
    [f"{HEADLINE}\nBy Jane Doe\nJuly 24, 2012", "A crane at dusk. (Photo: J. Smith)", *BODY]
)
PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{HEADLINE} - Port News</title>
<style>.hidden {{ display: none }}</style></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>{HEADLINE}</h1>
<div class="byline">By Jane Doe</div><time datetime="2012-07-24">July 24, 2012</time>
<figure><img src="/crane.jpg" alt=""><figcaption>A crane at dusk. (Photo: J. Smith)</figcaption>
</figure>
{"".join(f"<p>{p}</p>" for p in BODY)}
</article>
<aside><p>Subscribe to our newsletter for 5 euros a month and read every story first.</p></aside>
<p class="hidden">This sentence is hidden by the page's own stylesheet.</p>
<footer><p>Copyright 2012 Port News. All rights reserved.</p></footer>
</body></html>""".encode()
OTHER = (
    "Mountain village opens its first library\n\nThe village council voted to turn the old"
    " school into a library. Volunteers have already collected more than 3,000 books from"
    " families in the valley.\n\nThe library will open on Saturdays only at first."
)


def paragraph_changes(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    a, b = copies.paragraphs(before), copies.paragraphs(after)
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        (op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    ]


def test_figure_changes_one_number_in_a_middle_paragraph() -> None:
    copy = copies.figure(GOLD, "page-1")
    assert copy is not None
    [(op, old, new)] = paragraph_changes(GOLD, copy.text)
    assert op == "replace"
    assert len(old) == len(new) == 1
    assert old[0] in BODY[:-1]  # neither the headline block nor the last paragraph
    words = [(x, y) for x, y in zip(old[0].split(), new[0].split(), strict=True) if x != y]
    assert len(words) == 1
    assert re.search(r"\d", words[0][1])
    assert copies.named(f'Edited: "...{new[0]}" reads "{old[0]}" on the page', copy.markers)


def test_delete_paragraph_removes_one_long_middle_paragraph() -> None:
    copy = copies.delete_paragraph(GOLD, "page-1")
    assert copy is not None
    [(op, old, new)] = paragraph_changes(GOLD, copy.text)
    assert op == "delete"
    assert new == []
    assert len(old) == 1
    assert len(old[0]) >= 80
    assert old[0] in BODY[:-1]
    assert copies.named(f'Missing from the seed: "{old[0]}"', copy.markers)


def test_a_deleted_paragraph_is_named_by_any_of_its_lines_or_sentences() -> None:
    # A gold paragraph may open with a caption line: a reason that quotes the story's sentence
    # after it names the deletion; one that quotes another paragraph does not.
    caption = "Cranes on the eastern quay. (Photo: J. Smith)"
    paragraph = f"{caption}\n{BODY[2]} {BODY[3]}"
    gold = "\n\n".join([HEADLINE, BODY[4], paragraph, BODY[0]])
    copy = copies.delete_paragraph(gold, "page-1")
    assert copy is not None
    assert paragraph not in copy.text
    assert copies.named(f'Missing from the seed: "{BODY[2]}"', copy.markers)
    assert copies.named(f'Missing from the seed: "{BODY[3]}"', copy.markers)
    assert copies.named(f'Missing from the seed: "{caption}"', copy.markers)
    assert not copies.named(f'Missing from the seed: "{BODY[0]}"', copy.markers)
    assert not copies.named(f'Missing from the seed: "{BODY[4]}"', copy.markers)


def test_insert_foreign_adds_one_sentence_of_the_other_page() -> None:
    copy = copies.insert_foreign(GOLD, OTHER, "page-1")
    assert copy is not None
    [(op, old, new)] = paragraph_changes(GOLD, copy.text)
    assert op == "insert"
    assert old == []
    assert len(new) == 1
    assert new[0] in OTHER
    assert new[0] not in GOLD
    assert not copies.named(f'Not on the page: "{BODY[0]}"', copy.markers)


def test_reword_changes_one_paragraph_by_a_synonym_or_a_swap() -> None:
    copy = copies.reword(GOLD, "page-1")
    assert copy is not None
    [(op, old, new)] = paragraph_changes(GOLD, copy.text)
    assert op == "replace"
    assert len(old) == len(new) == 1
    before, after = old[0].split(), new[0].split()
    assert len(before) == len(after)
    changed = [k for k, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
    assert len(changed) in (1, 2)  # one synonym, or two neighbours swapped
    if len(changed) == 2:
        k, m = changed
        assert m == k + 1
        assert (after[k], after[m]) == (before[m], before[k])


def test_outside_number_appends_a_changed_line_of_the_page() -> None:
    page_text = "Subscribe to our newsletter for 5 euros a month and read every story first."
    copy = copies.outside_number(GOLD, f"{GOLD}\n{page_text}\nHome", "page-1")
    assert copy is not None
    assert copy.text.startswith(GOLD + "\n\n")
    appended = copy.text[len(GOLD) + 2 :]
    assert appended != page_text
    assert re.sub(r"\d", "#", appended) == re.sub(r"\d", "#", page_text)
    assert copies.outside_number(GOLD, GOLD, "page-1") is None  # nothing outside the article


def test_tampers_are_deterministic_per_page() -> None:
    for build in (copies.figure, copies.delete_paragraph, copies.reword):
        assert build(GOLD, "page-1") == build(GOLD, "page-1")
    assert copies.typography(GOLD, "x") == copies.typography(GOLD, "x")


def test_no_periphery_drops_byline_dateline_and_caption_only() -> None:
    result = copies.no_periphery(GOLD, PAGE)
    assert result is not None
    text, dropped = result
    assert dropped == ["By Jane Doe", "July 24, 2012", "A crane at dusk. (Photo: J. Smith)"]
    assert text == "\n\n".join([HEADLINE, *BODY])
    bare = "\n\n".join([HEADLINE, *BODY])
    assert copies.no_periphery(bare, PAGE) is None


def test_reader_mode_keeps_the_article_words() -> None:
    text = copies.reader_mode(PAGE)
    assert text is not None
    assert all(" ".join(p.split()[:6]) in " ".join(text.split()) for p in BODY)
    assert "Subscribe" not in text
    assert "Copyright" not in text
    # Nor the raw markup a parser keeps for <noframes>, which no reader view shows.
    video = (
        b"<p><iframe src='/embed/1'></iframe><noframes><a href='/watch/1'>"
        b"<img src='/1.jpg' alt='Preview'></a></noframes></p></article>"
    )
    framed = copies.reader_mode(PAGE.replace(b"</article>", video))
    assert framed is not None
    assert "href" not in framed


def test_other_article_is_named_by_any_quotation_of_it() -> None:
    copy = copies.other_article(OTHER)
    assert copies.quotes_from('Not on the page: "Mountain village opens its first library"', OTHER)
    assert copies.quotes_from('Not on the page: "...council voted to turn..." (x2)', copy.text)
    assert not copies.quotes_from(f'Not on the page: "{HEADLINE}"', copy.text)
    assert not copies.quotes_from("No article text was found on the page.", copy.text)


def test_typography_copy_differs_but_normalises_to_the_gold() -> None:
    copy = copies.typography(GOLD, "page-1")
    assert copy != GOLD
    assert "\r\n" in copy
    assert "--" in copy
    assert '"' in copy
    assert normalize(copy) == normalize(GOLD)


TYPOGRAPHIC = st.text(
    alphabet=st.sampled_from(list("ab. ,!?-\n'\"()\u2014\u2013\u201c\u201d\u2018\u2019")),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(text=TYPOGRAPHIC, page_id=st.text(max_size=8))
def test_typography_is_undone_by_the_normaliser(text: str, page_id: str) -> None:
    assert normalize(copies.typography(text, page_id)) == normalize(text)


def test_harness_judges_a_page_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE))
    page = Page("hand", "page-1", "http://127.0.0.1/hand/page-1.html", GOLD, path)
    kinds = tuple(k for k in KINDS if k != "select-all")
    result = judge_page(Task(page, kinds, OTHER, OTHER, None))
    cases = {case.kind: case for case in result.cases}
    assert set(cases) == set(kinds)
    assert result.api_mismatch is None
    assert cases["gold"].verdict in ("verbatim", "faithful"), cases["gold"].reason
    assert cases["gold"].ok
    for kind in ("figure", "other-article"):
        assert cases[kind].verdict == EXPECTED[kind], cases[kind].reason
        assert cases[kind].ok


@pytest.mark.external
def test_select_all_is_chromium_inner_text_on_loopback_only() -> None:
    if shutil.which("/usr/bin/chromium") is None:
        pytest.fail("chromium is not installed: run scripts/install.sh (Debian package chromium)")
    chromium = Chromium()
    try:
        with PageServer({"/page.html": PAGE}) as server:
            text = chromium.inner_text(server.base + "/page.html")
            missing = chromium.inner_text(server.base + "/elsewhere.html")
    finally:
        chromium.close()
    assert HEADLINE in text
    assert "By Jane Doe" in text
    assert BODY[-1] in text
    assert "Subscribe to our newsletter" in text
    assert "hidden by the page's own stylesheet" not in text
    assert HEADLINE not in missing
