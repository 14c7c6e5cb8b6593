"""compare_prepared(): a copy against an extraction, including one that took the wrong block."""

from provenance import compare_text
from provenance.compare.text_check import compare_prepared, prepare_text
from provenance.compare.verdict import Assessment, Verdict
from provenance.text.decode import Decoding
from provenance.text.extract import Article

URL = "http://example.org/story"

_STORY = [
    "The council voted on Tuesday to close the old bridge to traffic for two years.",
    "Engineers found cracks in three of its piers during an inspection last spring.",
    "Repairs will cost about 40 million euros, the mayor told reporters afterwards.",
    "Buses will take a longer route through the northern districts until it reopens.",
]
_COMMENTS = [
    "Great news, that bridge has been falling apart for years and everyone knew it.",
    "Who is going to pay for all of this, I wonder, certainly not the council itself.",
]


def _extracted_comments() -> Article:
    """An extraction that took the comments for the article (as trafilatura sometimes does)."""
    page = "\n".join(["City Times", *_STORY, "Comments", *_COMMENTS])
    return Article(
        title="City Times",
        text="\n".join(_COMMENTS),
        page_text=page,
        decoding=Decoding("utf-8", "utf-8 bytes", ()),
    )


def test_a_copy_of_the_story_is_faithful_when_the_extractor_took_the_comments() -> None:
    assessment = compare_prepared(prepare_text("\n".join(_STORY)), _extracted_comments()).assessment
    assert assessment.verdict in {Verdict.VERBATIM, Verdict.FAITHFUL}
    assert assessment.reasons[-1].startswith("The extracted article held little of the copy")


def test_a_paragraph_missing_from_the_middle_is_found_on_the_page_text() -> None:
    copy = "\n".join(_STORY[:1] + _STORY[2:])
    assessment = compare_prepared(prepare_text(copy), _extracted_comments()).assessment
    assert assessment.verdict is Verdict.EXCERPT
    assert assessment.reasons[0] == f'Missing from the seed: "{_STORY[1]}"'


def _story_page(head: str, body: list[str], tail: str = "") -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in body)
    return (
        "<html><head><title>The story</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>The story</h1>{head}{paras}{tail}</article></body></html>"
    ).encode()


def _assess(copy: str, page: bytes) -> Assessment:
    return compare_text(copy, page, url=URL, content_type="text/html").assessment


def _excerpt_without(page: bytes, whole: str, lacking: str, missing: str) -> Assessment:
    """Assert that the whole copy is faithful and the one lacking a piece an excerpt whose first
    reason quotes ``missing``; the whole copy's assessment."""
    assessment = _assess(whole, page)
    assert assessment.verdict in (Verdict.VERBATIM, Verdict.FAITHFUL), assessment.reasons
    lacks = _assess(lacking, page)
    assert lacks.verdict is Verdict.EXCERPT, lacks.reasons
    assert missing in lacks.reasons[0], lacks.reasons
    return assessment


_BODY = [
    "It was Daniilidou's first win in three attempts against the Ukrainian, who is ranked 27th "
    "in the world and had won the title here two years ago.",
    "The Greek player broke serve four times in the match and saved all three break points she "
    "faced, finishing the match in just over an hour.",
    '"I\'m sorry for the people who came to see her, but I played my best," she said on the '
    "court after the match.",
    "Second seed Francesca Schiavone of Italy also went through, beating a local wildcard in "
    "straight sets in the evening session.",
]


def test_a_lead_paragraph_outside_the_page_s_p_elements_is_core_text() -> None:
    # Issue 13: pages set the lead apart (a <div>, bold); a copy without it is an excerpt.
    lead = (
        "HOBART, Australia - Eleni Daniilidou upset top-seeded Alona Bondarenko of Ukraine "
        "6-3, 6-3 in a second-round match today at the Hobart International on Tuesday."
    )
    page = _story_page(f"<div class='c1'><b>{lead}</b></div>", _BODY)
    whole = "\n\n".join(["The story", lead, *_BODY])
    lacking = "\n\n".join(["The story", *_BODY])
    _excerpt_without(page, whole, lacking, "HOBART, Australia")


def test_a_pull_quote_after_the_story_does_not_pull_the_junk_before_it_into_the_body() -> None:
    # A repeat of a sentence the copy holds (a pull quote) is not where the story ends.
    junk = "SEE ALSO RELATED LINKS: The Paper is not responsible for the content of external sites"
    quote = "I'm sorry for the people who came to see her, but I played my best"
    page = _story_page("", _BODY, f"<p>{junk}</p><p>{quote}</p>")
    copy = "\n\n".join(["The story", *_BODY])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    assert "not responsible" in assessment.reasons[0]


def test_a_pull_quote_the_copy_also_holds_does_not_stretch_the_body() -> None:
    # A copy of the page carries the pull quote too (here, where the reader met it): the page's
    # repeat after the junk is still no part of the story's extent.
    junk = "SEE ALSO RELATED LINKS: The Paper is not responsible for the content of external sites"
    quote = "I'm sorry for the people who came to see her, but I played my best"
    page = _story_page("", _BODY, f"<p>{junk}</p><p>{quote}</p>")
    copy = "\n\n".join(["The story", *_BODY[:2], quote, *_BODY[2:]])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons


def test_a_header_run_into_the_lead_paragraph_is_core_only_when_the_copy_lacks_the_lead() -> None:
    headline = "Chelsea hoping to sign Anelka before weekend"
    lead = (
        "Chelsea are hoping to complete the signing of Nicolas Anelka in time for this weekend's "
        "Premier League clash with Tottenham."
    )
    date = "<span>Wednesday, January 09, 2008</span>"
    header = f"<div class='c1'>Soccer <span>{headline}</span> {date} {lead}</div>"
    page = _story_page(header, _BODY).replace(
        b"<title>The story", f"<title>{headline} - Soccer".encode()
    )
    whole = compare_text(
        "\n\n".join([headline, lead, *_BODY]), page, url=URL, content_type="text/html"
    ).assessment
    assert whole.verdict in (Verdict.VERBATIM, Verdict.FAITHFUL), whole.reasons
    lacking = compare_text(
        "\n\n".join([headline, *_BODY]), page, url=URL, content_type="text/html"
    ).assessment
    assert lacking.verdict is Verdict.EXCERPT
    assert lead[:40] in lacking.reasons[0]


def test_a_standfirst_the_page_sets_after_the_story_does_not_make_the_story_s_tail_a_gap() -> None:
    standfirst = (
        "The champion was knocked out in the second round by a player ranked far below her."
    )
    junk = "SEE ALSO RELATED LINKS: The Paper is not responsible for the content of external sites"
    caption = "The champion walks off the court after the match on Tuesday"
    tail = (
        f"<p>{junk}</p><p>{caption}</p></article><div class='c2'><b>{standfirst}</b></div><article>"
    )
    page = _story_page("", _BODY, tail)
    copy = "\n\n".join(["The story", standfirst, *_BODY])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons


def test_notes_about_the_site_after_the_story_are_not_core_text() -> None:
    notes = [
        "This post originally appeared on the writer's own blog, and is reprinted with thanks.",
        "You can visit example.com for the full results table, and all the scores of the day.",
        "The following are comments from the readers, and they are not the views of the paper.",
    ]
    page = _story_page("", _BODY, "".join(f"<p>{note}</p>" for note in notes))
    copy = "\n\n".join(["The story", *_BODY])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    assert "a note about the site" in assessment.reasons[0]
    # A blog greets a newcomer before the post, and sees a reader off after it.
    welcome = (
        "If you're new here, you may want to read the story of this blog and the best posts of"
        " the year, which are listed in the menu."
    )
    farewell = "On your way out, make sure to have a look at the free guides of the month."
    page = _story_page(f"<p>{welcome}</p>", _BODY, f"<p>{farewell}</p>")
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    # A story may end on advertising; a site's own talk of it asks the reader to advertise.
    ads = "Please contact our sales team to advertise with us on this site and in the paper."
    page = _story_page("", _BODY, f"<p>{ads}</p>")
    assert _assess(copy, page).verdict is Verdict.FAITHFUL
    story = (
        "The tournament's sponsors said advertising on the centre court had sold out for the "
        "first time since the event moved to the new stadium. Twelve new brands will be on the "
        "boards around the court when the final is played on Sunday afternoon."
    )
    page = _story_page("", [*_BODY, story])
    assert _assess(copy, page).verdict is Verdict.EXCERPT


def test_a_byline_or_a_picture_credit_the_copy_lacks_is_not_core_text() -> None:
    head = "<p>Posted by jdoe in Tennis News.</p>"
    credit = "Photo by Jane Roe/Agence Presse via The Daily Times."
    # Two writers' names, and the toolbar the page runs into them.
    names = "<p>By HERB KEINON AND YAAKOV KATZ Print Subscribe E-mail Toolbar</p>"
    page = _story_page(head, [*_BODY[:2], credit, *_BODY[2:]], names)
    copy = "\n\n".join(["The story", *_BODY])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    assert assessment.reasons[0].count("a byline or credit line") == 3


def test_a_sentence_that_begins_like_a_byline_is_still_core_text() -> None:
    sentence = "By noon on Friday, the rain had stopped and the crowd came back in."
    page = _story_page("", [*_BODY[:2], sentence, *_BODY[2:]])
    copy = "\n\n".join(["The story", *_BODY])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.EXCERPT, assessment.reasons
    assert sentence in assessment.reasons[0]


def test_an_image_s_alt_text_between_two_sentences_of_the_copy_is_not_core_text() -> None:
    # The copy runs from the story into the related stories below it (as a select-all copy
    # does); between two of them stands an image, whose alt text the page text holds on a line
    # of its own but a reader does not see.
    alt = "The mayor at the opening of the new bridge in the city centre, Tuesday, May 4, 2012"
    related = [
        "Council approves the budget for next year after a long debate in the chamber.",
        "New bus lines will serve the northern districts from the first of June onward.",
    ]
    tail = (
        "<div class='more'><h3>More from the city</h3>"
        f"<p>{related[0]}</p><img src='/mayor.jpg' alt='{alt}'><p>{related[1]}</p></div>"
    )
    page = _story_page("", _BODY, tail)
    copy = "\n\n".join(["The story", *_BODY, "More from the city", *related])
    assessment = _assess(copy, page)
    assert assessment.verdict in {Verdict.VERBATIM, Verdict.FAITHFUL}, assessment.reasons
    assert not any(alt[:30] in reason for reason in assessment.reasons)


def test_a_furniture_line_without_a_link_s_icon_text_is_no_edit_but_a_changed_one_is() -> None:
    meta = "Filed under City Hall <a href='/feed'>RSS</a> on Nov 1st 2012 8:30PM"
    caption = "The mayor did not attend the opening of the new bridge on Tuesday."
    side = f"<div class='side'><div>{meta}</div><p>{caption}</p></div>"
    page = _story_page("", _BODY).replace(b"</article>", f"</article>{side}".encode())
    story = ["The story", *_BODY]

    def judged(*extra: str) -> tuple[Verdict, list[str]]:
        copy = "\n\n".join([*story, *extra])
        assessment = _assess(copy, page)
        return assessment.verdict, list(assessment.reasons)

    assert judged("Filed under City Hall on Nov 1st 2012 8:30PM")[0] is Verdict.FAITHFUL
    changed, reasons = judged("Filed under City Hall RSS on Nov 1st 2015 8:30PM")
    assert changed is Verdict.MODIFIED, reasons
    assert "2015" in reasons[0]
    shortened, reasons = judged(caption.replace("did not attend", "did attend"))
    assert shortened is Verdict.MODIFIED, reasons
    assert "did attend" in reasons[0]


def test_a_short_lead_sentence_set_apart_is_core_text_and_a_standfirst_without_a_stop_is_not() -> (
    None
):
    lead = (
        "Portsmouth made the best possible start to the new year with a 2-0 win over ten-man "
        "Reading at the Madejski."
    )
    deck = (
        "Millions of Dollars Planned for Programs to Curb the Pandemic by Focusing on Pregnant "
        "Women and High-Risk Groups"
    )
    lacking = "\n\n".join(["The story", *_BODY])
    for head, expected in ((lead, Verdict.EXCERPT), (deck, Verdict.FAITHFUL)):
        assert 100 <= len(head) < 150
        page = _story_page(f"<div class='c1'><b>{head}</b></div>", _BODY)
        assessment = _assess(lacking, page)
        assert assessment.verdict is expected, (head, assessment.reasons)


def test_a_copy_garbled_as_a_browser_read_the_page_s_declared_charset_is_read_back() -> None:
    # The page's bytes are UTF-8 but it declares windows-1251: a browser shows its quotes as
    # "\u0432\u0402\u045a" and "\u0432\u0402\u2122", and a reader's copy carries that.
    story = "\u201cThey can\u2019t intimidate me,\u201d Nona Gaprindashvili told reporters today."
    garbled = story.encode("utf-8").decode("cp1251")
    for declared, verdict in ((("windows-1251",), Verdict.VERBATIM), ((), Verdict.MODIFIED)):
        page = Article(
            title=None,
            text=story,
            page_text=story,
            decoding=Decoding("utf-8", "utf-8 bytes", declared),
        )
        assessment = compare_prepared(prepare_text(garbled), page).assessment
        assert assessment.verdict is verdict
        assert any("read as cp1251" in reason for reason in assessment.reasons) == bool(declared)


def test_a_post_in_a_block_its_classes_call_tags_is_core_when_the_copy_holds_none_of_it() -> None:
    # A blog's post container carries its tags in its class ("post tag-video"): when the copy
    # holds no sentence of the post, that block still holds most of the article, and is its
    # container, not a box of tags.
    story = " ".join(_BODY[:2])
    page = (
        "<html><head><title>Kool video</title></head><body><nav><a href='/'>Home</a></nav>"
        "<div class='post tag-video tag-music'><h1>Kool video</h1>"
        f"<p>{story}</p><p>Download it here.</p></div></body></html>"
    ).encode()

    def judged(*lines: str) -> Verdict:
        copy = "\n\n".join(lines)
        return _assess(copy, page).verdict

    assert judged("Kool video", story, "Download it here.") in (Verdict.VERBATIM, Verdict.FAITHFUL)
    assert judged("Kool video", "Download it here.") is Verdict.EXCERPT


def test_a_lead_paragraph_before_a_picture_is_core_text_and_the_caption_is_not() -> None:
    lead = (
        "Eleni Daniilidou upset the top seed in a second-round match today, and goes on to meet "
        "the winner of the late match."
    )
    caption = "Eleni Daniilidou on court in Hobart on Tuesday, where she won the title in 2006"
    figure = (
        "<table class='tr-caption-container'><tr><td><img src='/e.jpg'></td></tr>"
        f"<tr><td class='tr-caption'>{caption}</td></tr></table>"
    )
    page = _story_page(f"<p>{lead}</p>{figure}", _BODY)
    lacking_caption = "\n\n".join(["The story", lead, *_BODY])
    assessment = _assess(lacking_caption, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    lacking_lead = "\n\n".join(["The story", *_BODY])
    assessment = _assess(lacking_lead, page)
    assert assessment.verdict is Verdict.EXCERPT, assessment.reasons
    assert lead[:40] in assessment.reasons[0]


def test_a_lead_paragraph_wrapped_at_a_fixed_width_is_one_sentence_of_prose() -> None:
    # A wire story set in <pre>: its lines end where the width ran out, so a line of the lead
    # may begin in upper case ("Inc's", "Germany's") and the last one is short.
    wrapped = [
        "FRANKFURT, Jan 9 (Reuters) - U.S. software group Microsoft",
        "will not launch a product that competes directly with Apple",
        "Inc's iPhone, Chairman Bill Gates said in an interview with",
        "Germany's Frankfurter Allgemeine Zeitung.",
    ]
    article = Article(
        title="Microsoft won't launch iPhone rival",
        text="\n".join([*wrapped, *_BODY]),
        page_text="\n".join(["Microsoft won't launch iPhone rival", *wrapped, *_BODY]),
        decoding=Decoding("utf-8", "utf-8 bytes", ()),
    )
    whole = "\n\n".join(["Microsoft won't launch iPhone rival", " ".join(wrapped), *_BODY])
    assert compare_prepared(prepare_text(whole), article).assessment.verdict in (
        Verdict.VERBATIM,
        Verdict.FAITHFUL,
    )
    lacking = "\n\n".join(["Microsoft won't launch iPhone rival", *_BODY])
    assessment = compare_prepared(prepare_text(lacking), article).assessment
    assert assessment.verdict is Verdict.EXCERPT, assessment.reasons
    assert "FRANKFURT" in assessment.reasons[0]


def test_a_copy_that_holds_no_sentence_of_the_story_is_an_excerpt_of_it() -> None:
    # The copy keeps the headline and a short line under the pictures that follow the story:
    # with no sentence of the story in it, nothing sets the story apart as a leading block
    # (here, set apart by the pictures' alt texts) that the copy may leave out.
    line = "Not to be left out, there is also this:"
    pictures = "".join(
        f"<img src='/{n}.jpg' alt='Front page of the {paper} on Wednesday'><br>"
        for n, paper in enumerate(["Times", "Post", "Herald", "Globe", "Tribune"])
    )
    page = _story_page("", _BODY, f"<div>{pictures}</div><p>{line}</p>")
    whole = compare_text(
        "\n\n".join(["The story", *_BODY, line]), page, url=URL, content_type="text/html"
    ).assessment
    assert whole.verdict in (Verdict.VERBATIM, Verdict.FAITHFUL), whole.reasons
    assessment = compare_text(
        "\n\n".join(["The story", line]), page, url=URL, content_type="text/html"
    ).assessment
    assert assessment.verdict is Verdict.EXCERPT, assessment.reasons


def test_a_site_s_notice_inside_the_story_is_not_core_text_but_site_talk_is() -> None:
    # A box the page sets between two paragraphs: its disclaimer is the publisher's wherever it
    # stands; a sentence there that talks of subscribing may be the story's own.
    disclaimer = (
        "SEE ALSO: RELATED LINKS: The Paper is not responsible for the content of external sites"
    )
    story = "Subscribers to the city's bike scheme will ride free on the ferry from next month."
    copy = "\n\n".join(["The story", *_BODY])
    form = "Comments: There are currently no comments for this entry. Post a comment"
    credit = "Associated Press Writer Jane Roe contributed to this report from Gaza City."
    follow = "Follow the Sports Desk on Twitter: @SportsDesk"
    told = "Police asked residents to follow the force on Twitter for news of the closures."
    for inside, verdict in (
        (disclaimer, Verdict.FAITHFUL),
        (form, Verdict.FAITHFUL),
        (credit, Verdict.FAITHFUL),
        (follow, Verdict.FAITHFUL),
        (story, Verdict.EXCERPT),
        (told, Verdict.EXCERPT),
    ):
        page = _story_page("", [*_BODY[:2], inside, *_BODY[2:]])
        assessment = _assess(copy, page)
        assert assessment.verdict is verdict, (inside, assessment.reasons)


def test_a_short_sentence_the_copy_holds_marks_where_the_story_ends() -> None:
    # The story ends with a short sentence; the copy holds it but lacks the one-sentence
    # paragraph before it, which is then a gap in the story, not a trailing block.
    last = "Watch the whole match again below."
    missing = (
        "The tournament's organisers said on Tuesday that tickets for the final had sold out "
        "within an hour of going on sale"
    )
    page = _story_page("", [*_BODY, missing, last])
    whole = "\n\n".join(["The story", *_BODY, missing, last])
    lacking = "\n\n".join(["The story", *_BODY, last])
    _excerpt_without(page, whole, lacking, "tickets for the final")


def test_a_copy_of_header_lines_and_links_labels_lacks_the_story() -> None:
    # None of the copy's lines is a sentence of the story's prose: a headline and the labels of
    # a box of links after the story (all page text outside the article, but no story the
    # extractor missed), or a header line the extractor kept and a credit line.
    related = [
        "Ferry timetable changes for the northern districts this winter",
        "Council approves the budget for the new tram line to the airport",
    ]
    headline = "More from the second round of the Hobart International"
    links = "".join(f"<li><a href='/{n}'>{label}</a></li>" for n, label in enumerate(related))
    header = "Daniilidou upsets the top seed in Hobart in straight sets"
    counts = "<ul><li>Views</li><li>5835</li><li>Comments</li><li>11</li></ul>"
    for page, copy in (
        (
            _story_page("", _BODY, f"<div class='more'><h2>{headline}</h2><ul>{links}</ul></div>"),
            [headline, *related],
        ),
        (
            _story_page(f"<h2>{header}</h2>{counts}", _BODY, "<p>Hobart Mercury</p>"),
            [header, "Hobart Mercury"],
        ),
    ):
        assessment = _assess("\n\n".join(copy), page)
        assert assessment.verdict is Verdict.EXCERPT, assessment.reasons
        assert "Daniilidou's first win" in assessment.reasons[0]


def test_a_box_of_links_the_copy_holds_does_not_set_the_lead_apart_from_the_story() -> None:
    # Lines the extractor left out between the lead and the rest set the lead apart from the
    # story (a leading block the copy may lack), but not lines the copy itself holds.
    lead = (
        "HOBART, Australia - Eleni Daniilidou upset top-seeded Alona Bondarenko of Ukraine "
        "6-3, 6-3 in a second-round match today at the Hobart International on Tuesday."
    )
    related = [f"Hobart International, day {n}: the results of the matches" for n in range(1, 6)]
    links = "".join(f"<li><a href='/day/{n}'>{label}</a></li>" for n, label in enumerate(related))
    page = _story_page(f"<p>{lead}</p><div class='related'><ul>{links}</ul></div>", _BODY)
    whole = "\n\n".join(["The story", lead, *related, *_BODY])
    lacking = "\n\n".join(["The story", *related, *_BODY])
    _excerpt_without(page, whole, lacking, "HOBART, Australia")


def test_a_long_sentence_of_the_story_that_is_mostly_a_link_is_core_text() -> None:
    # A paragraph among the body's whose text is mostly a link's is still the story's; a short
    # line of links there (a teaser for another story) is not.
    sentence = (
        "As noted in our story on the judgment last month, the patents asserted against the "
        "company include ones for a secure communication link between two devices."
    )
    linked = sentence.replace("our story", "<a href='/earlier'>our story").replace(
        " link ", " link</a> "
    )
    teaser = "<a href='/other'>Read more about the final in Hobart</a>"
    page = _story_page("", [*_BODY[:2], linked, teaser, *_BODY[2:]])
    whole = "\n\n".join(["The story", *_BODY[:2], sentence, *_BODY[2:]])
    lacking = "\n\n".join(["The story", *_BODY])
    assessment = _excerpt_without(page, whole, lacking, f'Missing from the seed: "{sentence}"')
    assert "Read more about the final" in assessment.reasons[0]


def test_a_quote_or_a_caption_the_copy_holds_does_not_stretch_the_body_over_a_box() -> None:
    # The page sets a pull quote with its speaker, or a picture's caption, after a box of other
    # stories; a copy that holds the quote where the reader met it, or the caption at its end,
    # does not make the box a gap in the story.
    box = (
        "<p>KEY STORIES Background and analysis of the season so far, the players to watch and "
        "the coaches who made the difference this year</p>"
    )
    quote = "I'm sorry for the people who came to see her, but I played my best"
    caption = "Eleni Daniilidou won in straight sets on the centre court in Hobart"
    for after, copy in (
        (f"<p>{quote} Eleni Daniilidou</p>", [*_BODY[:2], quote, *_BODY[2:]]),
        (f"<p class='cutline'>{caption}</p>", [*_BODY, caption]),
    ):
        page = _story_page("", _BODY, box + after)
        assessment = _assess("\n\n".join(["The story", *copy]), page)
        assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
        assert "KEY STORIES" in assessment.reasons[0]
    # A story's last sentence the copy lacks is still missing from it.
    lacking = "\n\n".join(["The story", *_BODY[:-1], caption])
    assert _assess(lacking, page).verdict is Verdict.EXCERPT


def test_a_footnote_s_mark_the_copy_leaves_out_is_no_edit() -> None:
    # A copy drops the mark of a footnote glued to a word ("sources1"); it keeps every number.
    marked = (
        "The service matches reporters with sources<sup><a href='#fn1'>1</a></sup> across the "
        "country, and 12 newsrooms joined it in its first month."
    )
    page = _story_page("", [*_BODY[:2], marked, *_BODY[2:]]).replace(
        b"</article>", b"<p><a href='/page/1'>1</a> <a href='/page/2'>2</a></p></article>"
    )
    sentence = (
        "The service matches reporters with sources across the country, and 12 newsrooms "
        "joined it in its first month."
    )
    copy = "\n\n".join(["The story", *_BODY[:2], sentence, *_BODY[2:]])
    assessment = _assess(copy, page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    edited = copy.replace("and 12 newsrooms", "and 1 newsrooms")
    assessment = _assess(edited, page)
    assert assessment.verdict is Verdict.MODIFIED, assessment.reasons


def test_an_image_s_text_the_copy_holds_in_place_is_no_edit_but_a_moved_label_is() -> None:
    # A copy made where the images did not load holds an emoticon's alt text in place; a label
    # of the page's that the copy holds elsewhere in the sentence than the page is an edit.
    smiling = (
        "She said she played her best and would be back next year <img src='/s.gif' alt=':-)'>"
    )
    linked = "Fans queued for hours on Tuesday for spending <a href='/money'>money</a>."
    page = _story_page("", [*_BODY[:2], smiling, linked, *_BODY[2:]])
    held = "She said she played her best and would be back next year :-)"
    story = "Fans queued for hours on Tuesday for spending money."
    copy = "\n\n".join(["The story", *_BODY[:2], held, story, *_BODY[2:]])
    assert _assess(copy, page).verdict is Verdict.FAITHFUL
    moved = copy.replace("for spending money", "for money spending")
    assert _assess(moved, page).verdict is Verdict.MODIFIED


def test_a_header_line_the_copy_holds_does_not_make_the_standfirst_under_it_a_gap() -> None:
    # The extractor keeps a header line (not the page's headline) and the standfirst under it;
    # a copy of the header and the story lacks only the standfirst, which is no story text.
    header = "Daniilidou upsets the top seed in Hobart in straight sets"
    deck = "The Greek player needed just over an hour to beat the Ukrainian on the centre court"
    page = _story_page(f"<h2>{header}</h2><h3>{deck}</h3>", _BODY)
    assessment = _assess("\n\n".join([header, *_BODY]), page)
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    assert "just over an hour" in " ".join(assessment.reasons)
