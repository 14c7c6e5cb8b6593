"""align(): which seed units match, were edited, are page furniture, or are foreign."""

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.compare.align import Alignment, DiffOp, UnitClass, align, diff, punctuation_only
from provenance.compare.verdict import Verdict, assess
from provenance.text.normalize import match_key, normalize
from provenance.text.periphery import PeripheralBlock
from provenance.text.segment import units

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

SEED_001 = (SEEDS / "001_0e914d85ad094d08.txt").read_text(encoding="utf-8")
FURNITURE_001 = (
    "Iraq News",
    "Security",
    "By Alaa Hussain in Baghdad",
    "Iraqi army and police personnel gather at the Ninawa Operations Command.",
    "[Photo courtesy of Ninawa police]",
    "Do you like this article?",
    "1 Comment(s)",
    "Comment Policy * Denotes Required Field 1500 / 1500",
    "Shoe level lies.",
    "Reply",
)


def _without_furniture(text: str, furniture: tuple[str, ...]) -> str:
    return "\n\n".join(u.text for u in units(text) if u.text not in furniture)


def _classes(alignment: Alignment) -> dict[str, UnitClass]:
    return {r.unit.text: r.cls for r in alignment.seed_units}


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_a_seed_aligned_with_itself_is_all_matched(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    alignment = align(text, text, text)
    assert {r.cls for r in alignment.seed_units} == {UnitClass.MATCHED}
    assert [r.article_unit for r in alignment.seed_units] == list(range(len(alignment.seed_units)))
    assert alignment.omitted == ()


def test_furniture_of_a_real_seed() -> None:
    article = _without_furniture(SEED_001, FURNITURE_001)
    alignment = align(SEED_001, article, SEED_001)
    for result in alignment.seed_units:
        expected = UnitClass.FURNITURE if result.unit.text in FURNITURE_001 else UnitClass.MATCHED
        assert result.cls is expected, result.unit.text
    assert alignment.omitted == ()
    assert sum(r.cls is UnitClass.FURNITURE for r in alignment.seed_units) == 12  # 2 captions x 2


def test_furniture_the_page_splits_across_elements() -> None:
    seed = "Body text here.\n\nComment Policy * Denotes Required Field 1500 / 1500"
    page = "Body text here.\nComment Policy\n*\nDenotes Required Field\n1500 / 1500"
    alignment = align(seed, "Body text here.", page)
    assert [r.cls for r in alignment.seed_units] == [UnitClass.MATCHED, UnitClass.FURNITURE]


def test_text_nearly_as_on_the_page_outside_the_article_is_an_edit_of_it() -> None:
    # Issue 13: near page text is an edit wherever it stands, shown as a diff with its original.
    seed = "Body.\n\nThe Times of Israel covers one of the most complicated parts of the world"
    page = "Body.\nThe Times of Israel covers one of the most complicated parts of the world!!"
    page = page.replace("complicated", "complicated\u200b").replace("world", "wold")
    result = align(seed, "Body.", page).seed_units[1]
    assert result.cls is UnitClass.EDITED
    assert result.article_unit is None
    changed = [(op.seed, op.article) for op in result.diff if op.op != "equal"]
    assert changed == [("world", "wold!!")]
    page = "Body.\nThe Times of Israel covers one of the most complicated parts of the world!!"
    assert align(seed + "!!", "Body.", page).seed_units[1].cls is UnitClass.FURNITURE


def test_spaces_between_words_are_no_edit() -> None:
    # Issue 13: inline tags run words together ("<a>source</a>Bank") or apart in a copy.
    seed = "Body.\n\nFigures from the sourceBank of America show a rise."
    page = "Body.\nFigures from the source Bank of America show a rise.\nMore."
    assert align(seed, "Body.", page).seed_units[1].cls is UnitClass.FURNITURE
    article = "Body.\nFigures from the source Bank of America show a rise."
    alignment = align(seed, article, page)
    assert alignment.seed_units[1].cls is UnitClass.MATCHED
    assert not alignment.omitted
    # Not a word cut out of a longer one: "sourceBank" is not in "resourceBank".
    page = "Body.\nFigures from the resource Bank of America show a rise."
    assert align(seed, "Body.", page).seed_units[1].cls is not UnitClass.FURNITURE


def test_a_list_item_s_number_only_one_side_writes_is_no_edit_but_a_changed_one_is() -> None:
    item = "Wash your face with a mild soap and a fresh towel every morning."
    article = f"Body.\n2. {item}"
    assert align(f"Body.\n\n{item}", article, article).seed_units[1].cls is UnitClass.MATCHED
    assert align(f"Body.\n\n2. {item}", f"Body.\n{item}", article).seed_units[1].cls in (
        UnitClass.MATCHED,
        UnitClass.FURNITURE,
    )
    changed = align(f"Body.\n\n3. {item}", article, article).seed_units[1]
    assert changed.cls is UnitClass.EDITED
    assert changed.diff[0] == DiffOp("replace", "3.", "2.")


def test_an_article_sentence_held_inside_a_longer_copy_unit_is_not_missing() -> None:
    # The copy ran a heading into the first sentence; the extractor kept the sentence alone.
    first = "The band announced the news on its website on Monday morning."
    lead = "Refused have unveiled plans for a tour of Europe this autumn."
    last = "They will play twelve cities, starting in Oslo in September."
    seed = f"Body text here.\n\n{first}\n\nRefused {lead}\n\n{last}"
    article = f"Body text here.\n{first}\n{lead}\n{last}"
    page = f"Body text here.\n{first}\nRefused\n{lead}\n{last}"
    alignment = align(seed, article, page)
    assert not alignment.omitted
    assert alignment.seed_units[2].cls is UnitClass.FURNITURE
    # A sentence the copy lacks is still missing.
    alignment = align(f"Body text here.\n\n{first}\n\n{last}", article, page)
    assert [u.text for u in alignment.omitted] == [lead]


def test_a_short_unit_must_be_a_whole_word_on_the_page() -> None:
    alignment = align("Body.\n\nReply", "Body.", "Body. Replying is closed.")
    assert alignment.seed_units[1].cls is UnitClass.FOREIGN
    assert align("Body.\n\nReply", "Body.", "Body.\nReply").seed_units[1].cls is UnitClass.FURNITURE


def test_units_split_differently_on_each_side_are_matched() -> None:
    article = "Iraqi forces launched their operation to retake Mosul in October. It went well."
    seed = "Iraqi forces launched their operation\nto retake Mosul in October.\nIt went well."
    alignment = align(seed, article, article)
    assert {r.cls for r in alignment.seed_units} == {UnitClass.MATCHED}
    assert [r.article_unit for r in alignment.seed_units] == [0, 0, 1]
    assert alignment.omitted == ()

    reverse = align(article, seed, seed)
    assert [r.cls for r in reverse.seed_units] == [UnitClass.MATCHED, UnitClass.MATCHED]
    assert reverse.omitted == ()
    assert reverse.paragraph_map == ((0, 0),)


def test_moved_sentences_are_found() -> None:
    article = (
        "Alpha one two three. Bravo four five six.\nCharlie seven eight. Delta is long enough."
    )
    seed = "Delta is long enough!\nAlpha one two three. Bravo four five six.\nCharlie seven eight."
    alignment = align(seed, article, article)
    moved = alignment.seed_units[0]
    assert moved.cls is UnitClass.EDITED
    assert moved.article_unit == 3
    assert moved.diff[-1] == DiffOp("replace", "enough!", "enough.")
    assert alignment.paragraph_map == ((0, 1), (1, 0), (2, 1))


def test_punctuation_that_carries_no_meaning_is_no_edit() -> None:
    # Issue 13: "Ask Slashdot Value" of "Ask Slashdot: Value" is the same text; a question
    # mark, a sign or a decimal point is not.
    article = "Ask Slashdot: Value of Website Traffic.\nIt costs 1.5 million. Is it worth it?"
    alignment = align(
        "Ask Slashdot Value of Website Traffic.\n" + article.split("\n")[1], article, article
    )
    first = alignment.seed_units[0]
    assert first.cls is UnitClass.MATCHED
    assert [(op.seed, op.article) for op in first.diff if op.op != "equal"] == [
        ("Slashdot", "Slashdot:")
    ]
    # The same numbers with other punctuation between them are the same text.
    article = "Posted Nov 01, 2012 by the desk.\nMore text of the story, long enough here."
    seed = article.replace("Nov 01, 2012", "Nov 01 2012")
    assert align(seed, article, article).seed_units[0].cls is UnitClass.MATCHED
    # A line of punctuation alone carries no text: never foreign content.
    assert align("Body.\n\n\u00b7", "Body.", "Body.").seed_units[1].cls is UnitClass.FURNITURE
    article = "Ask Slashdot: Value of Website Traffic.\nIt costs 1.5 million. Is it worth it?"
    for changed in ("It costs 15 million.", "Is it worth it."):
        seed = article.replace(changed.replace("15", "1.5").replace("it.", "it?"), changed)
        edited = [r for r in align(seed, article, article).seed_units if r.cls is UnitClass.EDITED]
        assert [r.unit.text for r in edited] == [changed]


def test_edit_in_a_gap_between_anchors() -> None:
    article = "First sentence stays.\nAt least 3,300 ISIL fighters were killed.\nLast one stays."
    seed = article.replace("3,300", "3,800")
    alignment = align(seed, article, article)
    edited = alignment.seed_units[1]
    assert edited.cls is UnitClass.EDITED
    assert edited.article_unit == 1
    assert 0.9 < edited.similarity < 1
    assert DiffOp("replace", "3,800", "3,300") in edited.diff


def test_seed_text_shown_on_the_page_is_not_called_an_edit() -> None:
    # The page's <title> carries the seed's headline; the article's h1 words it differently.
    article = "IS leaders flee Mosul\nBody."
    seed = "IS leaders flee as Iraqi forces close in on Mosul\nBody."
    page = "IS leaders flee as Iraqi forces close in on Mosul | Gulf Times\n" + article
    alignment = align(seed, article, page, title="IS leaders flee Mosul")
    assert [r.cls for r in alignment.seed_units] == [UnitClass.FURNITURE, UnitClass.MATCHED]
    assert alignment.omitted_title
    assert alignment.omitted == ()


def test_headline_only_when_the_first_paragraph_is_the_title() -> None:
    article = "The Headline\nBody one. Body two."
    assert align("Body one. Body two.", article, article, title="the  headline").omitted_title
    not_title = align("Body one. Body two.", article, article, title="Another")
    assert not not_title.omitted_title
    # Issue 13: a leading line the copy lacks is periphery, listed but not an omission.
    assert not_title.omitted == ()
    assert [(u.text, role) for u, role in not_title.left_out] == [
        ("The Headline", "a leading block")
    ]
    no_title = align("Body one.", article, article)
    assert [u.text for u, _ in no_title.left_out] == ["The Headline", "Body two."]


def test_a_doubled_caption_is_matched_once_and_furniture_once() -> None:
    caption = "Iraqi forces take control of east Mosul. [Photo courtesy of the CTS]"
    seed = f"{caption}\n\n{caption}\n\nBody text."
    alignment = align(seed, f"{caption}\nBody text.", seed)
    classes = [r.cls.value for r in alignment.seed_units]
    assert sorted(classes[:4]) == ["furniture", "furniture", "matched", "matched"]
    assert classes[0] == classes[1]
    assert classes[2] == classes[3]
    assert classes[4] == "matched"


@pytest.mark.parametrize(
    ("seed", "article", "expected"),
    [
        ("At least 3,300 ISIL", "At least 3,800 ISIL", ["At least ", ("3,300", "3,800"), " ISIL"]),
        ("fighter left", "fighters left", [("fighter", "fighters"), " left"]),
        ("a b", "a big b", ["a ", ("", "big "), "b"]),
        ("same", "same", ["same"]),
        ("", "new", [("", "new")]),
    ],
)
def test_diff_runs_are_whole_words(
    seed: str, article: str, expected: list[str | tuple[str, str]]
) -> None:
    ops = diff(seed, article)
    assert [op.seed if op.op == "equal" else (op.seed, op.article) for op in ops] == expected


@given(st.text(max_size=60), st.text(max_size=60))
def test_diff_reassembles_both_sides(seed: str, article: str) -> None:
    ops = diff(seed, article)
    assert "".join(op.seed for op in ops) == seed
    assert "".join(op.article for op in ops) == article
    for op in ops:
        assert op.op in {"equal", "insert", "delete", "replace"}
        assert (op.op == "equal") == (op.seed == op.article)
        assert bool(op.seed) == (op.op != "insert")
        assert bool(op.article) == (op.op != "delete")
    assert all(a.op != b.op or a.op != "equal" for a, b in itertools.pairwise(ops))


_WORDS = st.sampled_from(
    ["Mosul", "ISIL", "Gen.", "U.S.", "3,300", "fighters", "said.", "Reply", "...", '"', "\n"]
)
_TEXT = st.lists(_WORDS, max_size=40).map(" ".join) | st.text(max_size=200)


@settings(deadline=None)
@given(_TEXT, _TEXT, _TEXT, st.none() | _TEXT)
def test_align_classifies_every_seed_unit_once(
    seed: str, article: str, page: str, title: str | None
) -> None:
    alignment = align(seed, article, page, title=title)
    assert [r.unit for r in alignment.seed_units] == units(seed)
    assert list(alignment.article_units) == units(article)
    paired: set[int | None] = set()
    for result in alignment.seed_units:
        assert isinstance(result.cls, UnitClass)
        has_partner = result.article_unit is not None
        # An edit of page text outside the article (issue 13) has no article partner.
        assert has_partner <= (result.cls in {UnitClass.MATCHED, UnitClass.EDITED})
        assert has_partner or result.cls is not UnitClass.MATCHED
        # A match may show punctuation and spaces that differ; an edit always shows a change.
        assert bool(result.diff) >= (result.cls is UnitClass.EDITED)
        assert not result.diff or result.cls is UnitClass.EDITED or punctuation_only(result.diff)
        assert 0.0 <= result.similarity <= 1.0
        if has_partner:
            paired.add(result.article_unit)
    assert not paired & {u.index for u in alignment.omitted}
    assert [p for p, _ in alignment.paragraph_map] == sorted({u.paragraph for u in units(seed)})


@settings(deadline=None)
@given(_TEXT, _TEXT)
def test_a_text_aligned_with_itself_is_all_matched(text: str, page: str) -> None:
    alignment = align(text, text, page)
    assert all(r.cls is UnitClass.MATCHED for r in alignment.seed_units)
    assert alignment.omitted == ()
    assert normalize(text) == "" or alignment.seed_units


def test_a_verbatim_copy_with_repeated_sentences_pairs_them_in_order() -> None:
    text = "Same again. Same again.\nOther line. Same again."
    alignment = align(text, text, "")
    assert [r.article_unit for r in alignment.seed_units] == [0, 1, 2, 3]
    assert {r.cls for r in alignment.seed_units} == {UnitClass.MATCHED}


def test_a_unit_that_is_a_whole_page_line_is_furniture() -> None:
    page = "Body.\nShare this story\nShare this story now"
    alignment = align("Body.\n\nShare this story", "Body.", page)
    assert [r.cls for r in alignment.seed_units] == [UnitClass.MATCHED, UnitClass.FURNITURE]


# Issue 13 (item 3): the behaviours of the comparison on real pages.

_BODY = (
    "The council voted on Tuesday to close the old bridge to traffic for two years.\n"
    "Engineers found cracks in three of its piers during an inspection last spring.\n"
    "Repairs will cost about 40 million euros, the mayor told reporters afterwards.\n"
    "Buses will take a longer route through the northern districts until it reopens."
)


def test_a_sentence_broken_over_many_lines_is_one_unit_on_either_side() -> None:
    broken = "The storm\nthat hit\nthe coast\nlast night\nfelled trees."
    whole = "The storm that hit the coast last night felled trees."
    for seed, article in ((whole, broken), (broken, whole)):
        alignment = align(seed, article, article)
        assert {r.cls for r in alignment.seed_units} == {UnitClass.MATCHED}
        assert alignment.omitted == ()
        assert alignment.left_out == ()


def test_the_headline_is_found_beside_a_site_name_or_as_the_h1() -> None:
    article = "Bridge to close for two years\n" + _BODY
    for title in (
        "Bridge to close for two years - City Times",
        "City Times | Bridge to close for two years",
    ):
        assert align(_BODY, article, article, title=title).omitted_title
    h1 = align(
        _BODY, article, article, title="City Times", headings=["Bridge to close for two years"]
    )
    assert h1.omitted_title


def test_a_line_that_introduces_a_block_of_periphery_is_of_its_role() -> None:
    # "More about the bridge:" heads a list of related stories set inside the story; the same
    # line before text of no peripheral role is the story's own.
    intro = "More about the bridge:"
    related = "Ferry fares rise again as the council looks for money. Bus lanes open on Monday."
    article = _BODY.replace("\nRepairs", f"\n{intro}\n{related}\nRepairs")
    for periphery in ([PeripheralBlock("related links", match_key(related))], []):
        alignment = align(_BODY, article, article, periphery=periphery)
        roles = dict((u.text, role) for u, role in alignment.left_out)
        if periphery:
            assert alignment.omitted == ()
            assert roles[intro] == "related links"
        else:
            assert intro in [u.text for u in alignment.omitted]


def test_periphery_the_copy_lacks_is_listed_and_the_copy_stays_faithful() -> None:
    article = (
        "By Jane Doe, 4 March\nA crane lifts a girder. Photo: J. Doe\n"
        + _BODY.replace("\nRepairs", "\nThe bridge, seen from the quay, in 1931.\nRepairs")
        + "\nShare this story\nRead more: Ferry fares rise again"
    )
    periphery = [
        PeripheralBlock("a caption", match_key("The bridge, seen from the quay, in 1931."))
    ]
    alignment = align(_BODY, article, article, periphery=periphery)
    assert alignment.omitted == ()
    roles = dict((u.text, role) for u, role in alignment.left_out)
    assert roles["The bridge, seen from the quay, in 1931."] == "a caption"
    assert roles["By Jane Doe, 4 March"] == "a leading block"
    assert roles["Share this story"] == "a trailing block"
    assessment = assess(alignment)
    assert assessment.verdict is Verdict.FAITHFUL
    assert any(
        r.startswith("Not in the copy, outside the article's core text: ")
        for r in assessment.reasons
    )


def test_a_missing_middle_paragraph_or_lead_is_an_excerpt() -> None:
    lines = _BODY.split("\n")
    middle = align("\n".join(lines[:2] + lines[3:]), _BODY, _BODY)
    assert [u.text for u in middle.omitted] == [lines[2]]
    lead = align("\n".join(lines[2:]), _BODY, _BODY)
    assert [u.text for u in lead.omitted] == lines[:2]
    assessment = assess(middle)
    assert assessment.verdict is Verdict.EXCERPT
    assert assessment.reasons[0] == f'Missing from the seed: "{lines[2]}"'


def test_an_extractors_run_of_dateline_and_lead_is_matched_by_the_lead() -> None:
    lead = "NEW YORK - For one night, the two hosts will appear on each other's show."
    article = f"By THE ASSOCIATED PRESS January 7, 2008 Comments Print Email {lead}\n" + _BODY
    alignment = align(lead + "\n" + _BODY, article, article)
    assert {r.cls for r in alignment.seed_units} == {UnitClass.MATCHED}
    assert alignment.omitted == ()


def test_a_header_with_abbreviations_run_into_the_lead_is_no_sentence_but_a_sentence_is() -> None:
    lead = "The economy dominated a working dinner between the premiers and the Prime Minister."
    # The page set no space after the sentence's stop ("quartet.then"): one unit.
    for header, held in (
        ("Jan. 11 2008 10:56 PM ET CTV.ca News Staff", True),
        ("The crowds were entertained by a string quartet.then a choir sang", False),
    ):
        article = f"{header} {lead}\n" + _BODY
        alignment = align(lead + "\n" + _BODY, article, article)
        assert (alignment.seed_units[0].cls is UnitClass.MATCHED) is held, header
        assert bool(alignment.omitted) is not held


def test_a_short_line_with_a_changed_number_is_an_edit_of_the_page() -> None:
    page = _BODY + "\n36 Photos\nReplying is closed."
    alignment = align(_BODY + "\n37 Photos\nReply", _BODY, page)
    photos, reply = alignment.seed_units[-2:]
    assert photos.cls is UnitClass.EDITED
    assert [(op.seed, op.article) for op in photos.diff if op.op != "equal"] == [("37", "36")]
    assert reply.cls is UnitClass.FOREIGN


def test_a_copy_that_lost_the_space_between_two_blocks_is_matched() -> None:
    article = "Cowon Z2 Android MP3 Player\nCowon, one of the leading makers, has a new player."
    seed = "Cowon Z2 Android MP3 PlayerCowon, one of the leading makers, has a new player."
    alignment = align(seed, article, article)
    assert [r.cls for r in alignment.seed_units] == [UnitClass.MATCHED]
    assert alignment.omitted == ()


def test_a_unit_that_ends_inside_a_longer_word_of_the_page_is_an_edit_with_a_diff() -> None:
    page = "Body text here.\nThe committee will publish its findings at the ending"
    alignment = align(
        "Body text here.\n\nThe committee will publish its findings at the end",
        "Body text here.",
        page,
    )
    result = alignment.seed_units[1]
    assert result.cls is UnitClass.EDITED
    assert any(op.op != "equal" for op in result.diff)
    assess(alignment)  # every edit has a change to quote


def test_a_short_line_with_another_number_is_an_edit_of_it() -> None:
    # Issue 13: "Bigg Boss Season 8" where the page reads "Season 7" is modified, not foreign.
    page = "Body text here.\nWatch Bigg Boss Season 7 tonight\nMore."
    result = align("Body text here.\n\nBigg Boss Season 8", "Body text here.", page).seed_units[1]
    assert result.cls is UnitClass.EDITED
    assert [(op.seed, op.article) for op in result.diff if op.op != "equal"] == [("8", "7")]
    # A bare number has no words to place it by.
    result = align("Body text here.\n\n(24)", "Body text here.", "Body text here. (25)").seed_units[
        1
    ]
    assert result.cls is UnitClass.FOREIGN


def test_a_note_about_the_writer_after_the_story_is_not_core() -> None:
    # Issue 13: an author's bio after the story is left out by a reader's copy.
    body = [
        "The council met on Monday and voted to close the old bridge for a year of repairs.",
        "Engineers found cracks in two of its piers during an inspection in the spring.",
        "Traffic will go by the ferry until the work is done, the mayor said on Tuesday.",
    ]
    bio = [
        "Jane Doe is a writer based in Leeds who covers transport, roads and the railways of "
        "the north for the paper.",
        "She has reported on roads and railways for twenty years, and her book on the canals "
        "of Yorkshire came out last spring.",
    ]

    def copy_of_body_against(ending: list[str]) -> Alignment:
        article = "\n".join(["Bridge to close", *body, *ending])
        return align("\n\n".join(["Bridge to close", *body]), article, article)

    alignment = copy_of_body_against(bio)
    assert not alignment.omitted
    assert [u.text for u, _ in alignment.left_out] == bio
    # The story's own last paragraphs are core.
    end = [
        "The repairs will cost four million pounds, paid for by the county and by a grant "
        "from the government's fund for old bridges.",
        "Work is due to start in the first week of June, weather permitting, and to end "
        "before the next winter sets in.",
    ]
    assert [u.text for u in copy_of_body_against(end).omitted] == end


def test_a_short_line_pairs_only_with_a_nearly_equal_article_unit() -> None:
    # Issue 13: a select-all copy runs a menu together ("Shopping Health"); the page shows it,
    # and it is no edit of the article's one-word line "Shopping".
    article = "Body text here, long enough to anchor.\nShopping\nMore body text, long as well."
    page = article + "\nShopping\nHealth"
    seed = (
        "Body text here, long enough to anchor.\n\nShopping Health\n\nMore body text, long as well."
    )
    result = align(seed, article, page).seed_units[1]
    assert result.cls is UnitClass.FURNITURE
    # Nor is a line the page shows word for word an edit of a similar article line.
    article = "Body text here, long enough to anchor.\n455 comments\nMore body text, long as well."
    page = article.replace("455 comments", "Tweet\n455 comments")
    seed = article.replace("455 comments", "\nTweet 455 comments\n")
    assert align(seed, article, page).seed_units[1].cls is UnitClass.FURNITURE
    # A list number changed is an edit of the article's, though the page shows it elsewhere.
    article = "Body text here, long enough to anchor.\n3.\nMore body text, long as well."
    page = article + "\n4. The fourth item."
    seed = "Body text here, long enough to anchor.\n\n4.\n\nMore body text, long as well."
    assert align(seed, article, page).seed_units[1].cls is UnitClass.EDITED
    # "37 Photos" for "36 Photos" is still an edit of the article's line.
    article = "Body text here, long enough to anchor.\n36 Photos\nMore body text, long as well."
    seed = "Body text here, long enough to anchor.\n\n37 Photos\n\nMore body text, long as well."
    assert align(seed, article, article).seed_units[1].cls is UnitClass.EDITED


def test_a_unit_run_together_from_short_page_lines_is_a_list_not_core() -> None:
    # Issue 13: an extractor may run a box of links into one "sentence"; on the page it is
    # many short lines.
    body = [
        "The council met on Monday and voted to close the old bridge for a year of repairs.",
        "Engineers found cracks in two of its piers during an inspection in the spring.",
        "Traffic will go by the ferry until the work is done, the mayor said on Tuesday.",
    ]
    menu = ["KEY STORIES", "Bridge tolls to rise", "Ferry timetable", "BACKGROUND", "Our piers"]
    run = " ".join(menu)
    article = "\n".join([body[0], body[1], run, body[2]])
    page = "\n".join([body[0], body[1], *menu, body[2]])
    alignment = align("\n\n".join(body), article, page)
    assert not alignment.omitted
    assert [(u.text, role) for u, role in alignment.left_out] == [(run, "a list run together")]


def test_a_line_of_furniture_in_capitals_or_with_pieces_left_out_is_furniture() -> None:
    # A reader view drops a line's counter link ("With: 1 Comment"); a select-all copy gives a
    # line as its style sets it (capitals) or without a widget's label.
    page = (
        _BODY + "\nPosted on: 08-17-2012 With: 1 Comment Posted by: Bob Walsh\neDigit sign-up"
        "\nPage 1 of 4 Next\nPOSTED ON November 7th, 2012\n99 COMMENTS"
    )
    classes = _classes(
        align(
            _BODY + "\n\nPosted on: 08-17-2012 Posted by: Bob Walsh\n\neDIGIT SIGN-UP",
            _BODY,
            page,
        )
    )
    assert classes["Posted on: 08-17-2012 Posted by: Bob Walsh"] is UnitClass.FURNITURE
    assert classes["eDIGIT SIGN-UP"] is UnitClass.FURNITURE
    lines = "POSTED ON NOVEMBER 7TH, 2012 99 COMMENTS"
    assert _classes(align(_BODY + "\n\n" + lines, _BODY, page))[lines] is UnitClass.FURNITURE
    # Pieces over several lines, near each other; not pieces far apart.
    byline = "by\nSimon St. Laurent |\n@simonstl |\nComments: 2\nAugust 9, 2012"
    copy = "by Simon St. Laurent August 9, 2012"
    near = align(_BODY + "\n\n" + copy, _BODY, _BODY + "\n" + byline).seed_units[-1]
    assert near.cls is UnitClass.FURNITURE
    apart = byline.replace("@simonstl |", "@simonstl | " + " ".join(["filler"] * 30))
    far = align(_BODY + "\n\n" + copy, _BODY, _BODY + "\n" + apart).seed_units[-1]
    assert far.cls is not UnitClass.FURNITURE
    # Not so: a changed number ("Page 1 of 5": the 5 is not in the line's run), a name the
    # line lacks, a piece of one word that could stand anywhere, or a sentence of prose.
    for seed in (
        "Page 1 of 5",
        "Posted on: 08-17-2012 Posted by: Jane Roe",
        "Posted on: 08-17-2012 Walsh",
        "Posted on 08-17-2012 with the comment Posted by Bob Walsh here.",
    ):
        result = align(_BODY + "\n\n" + seed, _BODY, page).seed_units[-1]
        assert result.unit.text == seed
        assert result.cls in (UnitClass.EDITED, UnitClass.FOREIGN)


def test_a_copy_that_lacks_only_links_labels_is_faithful_and_says_so() -> None:
    # A reader view drops a link's label from a sentence ("you can post a comment." reads
    # "you can ."), inside the article or outside it; any other word missing is an edit.
    line = "Trackbacks are closed, but you can post a comment."
    copy = "Trackbacks are closed, but you can ."
    labels = frozenset({"post a comment"})
    inside = align(_BODY + "\n\n" + copy, _BODY + "\n" + line, _BODY + "\n" + line, links=labels)
    result = inside.seed_units[-1]
    assert (result.cls, result.article_unit) == (UnitClass.MATCHED, 4)
    assessment = assess(inside)
    assert assessment.verdict is Verdict.FAITHFUL
    assert any(reason.startswith("Only labels of links") for reason in assessment.reasons)
    outside = align(_BODY + "\n\n" + copy, _BODY, _BODY + "\n" + line, links=labels)
    assert outside.seed_units[-1].cls is UnitClass.FURNITURE
    # The label may come right after the sentence's first word: the page's sentence is taken
    # from that word on, not from where the copy's words resume.
    follow = "Follow @jdoe on Twitter, and like the Bridge Watch page on Facebook for updates."
    unfollowed = "Follow , and like the Bridge Watch page on Facebook for updates."
    for links, expected in (
        (frozenset({"@jdoe on Twitter"}), UnitClass.FURNITURE),
        (frozenset(), UnitClass.EDITED),
    ):
        result = align(
            _BODY + "\n\n" + unfollowed, _BODY, _BODY + "\nShare\n" + follow, links=links
        )
        assert result.seed_units[-1].cls is expected
    # A list of links loses all its labels in a reader view.
    tail = "and the other news from the coast, with the photographs of the week and the letters."
    listed = f"Filed in our archive under Press Release, Travel {tail}"
    for links, expected in (
        (frozenset({"Press Release", "Travel"}), UnitClass.FURNITURE),
        (frozenset({"Press Release"}), UnitClass.EDITED),
    ):
        result = align(
            _BODY + f"\n\nFiled in our archive under {tail}",
            _BODY,
            _BODY + "\n" + listed,
            links=links,
        )
        assert result.seed_units[-1].cls is expected
    # A handle's label may stand after its "@" ("@<a>jdoe</a>"), which the copy keeps.
    handle = "Thanks to @jdoe for the tip on the bridge."
    alignment = align(
        "Thanks to @ for the tip on the bridge.", handle, handle, links=frozenset({"jdoe"})
    )
    assert alignment.seed_units[0].cls is UnitClass.MATCHED
    for page_line, links in (
        (line, frozenset()),
        ("Trackbacks are closed, but you can not post a comment.", labels),
    ):
        for article in (_BODY + "\n" + page_line, _BODY):
            alignment = align(_BODY + "\n\n" + copy, article, _BODY + "\n" + page_line, links=links)
            assert alignment.seed_units[-1].cls is UnitClass.EDITED


def test_a_sentence_with_a_picture_s_text_run_into_it_is_matched_but_one_with_words_is_not() -> (
    None
):
    # The copy took a picture's alt text into the paragraph after it, with no space between.
    alt = "Cowon Z2 Android MP3 Player"
    lead = (
        "Cowon, one of the most trusted brands in the world of music players, has launched its"
        " first Android based music player, the Cowon Z2, at a price of about two hundred."
    )
    article = _BODY + "\n" + lead
    page = alt + "\n" + _BODY + "\n" + lead
    for copy, links, expected in (
        (alt + lead, frozenset({alt}), UnitClass.MATCHED),
        (alt + lead, frozenset(), UnitClass.EDITED),
        ("Cowon Z2 Android MP3 Player, " + lead, frozenset({alt}), UnitClass.EDITED),
    ):
        alignment = align(_BODY + "\n\n" + copy, article, page, links=links)
        assert alignment.seed_units[-1].cls is expected, (copy, links)


def test_a_byline_that_lacks_an_icon_s_repeated_text_and_has_bullets_is_no_edit() -> None:
    # A linked icon's alt and title texts stand on the page's text twice; a copy holds them
    # once (or not at all) and keeps the byline's bullets, which the normalized page lacks.
    icon = "Google+ Profile for Jane Doe"
    byline = f"By Jane Doe {icon} {icon} Nov 6, 2012 New York City"
    copy = f"By Jane Doe {icon} \u2022 Nov 6, 2012 \u2022 New York City"
    for links, expected in (
        (frozenset({icon}), UnitClass.MATCHED),
        (frozenset(), UnitClass.EDITED),
    ):
        alignment = align(
            _BODY + "\n\n" + copy, byline + "\n" + _BODY, byline + "\n" + _BODY, links=links
        )
        assert alignment.seed_units[-1].cls is expected


def test_a_line_the_page_runs_into_the_next_element_s_text_is_furniture() -> None:
    # The page's text runs two elements together ("7:37 pmNo Comments", "By Jason PaurEmail",
    # "on NBCSNTune in", "S&P 500Companies"): a small letter then a capital, or a capital or a
    # digit then a capitalized word, is where one ends, not the inside of a word.
    page = "\n".join(
        [
            _BODY,
            "Dhruv Bhutani on August 9, 2012 - 7:37 pmNo Comments",
            "By Jason PaurEmail Author",
            "Watch Football Talk on NBCSNTune in at five",
            "Earnings Growth for S&P 500Companies",
        ]
    )
    for line in (
        "Dhruv Bhutani on August 9, 2012 - 7:37 pm",
        "By Jason Paur",
        "Watch Football Talk on NBCSN",
        "Earnings Growth for S&P 500",
    ):
        alignment = align(_BODY + "\n\n" + line, _BODY, page)
        assert alignment.seed_units[-1].cls is UnitClass.FURNITURE, line
    # A piece of a word is not found so ("Pa" of "Paur", "NBCS" of "NBCSN").
    for piece in ("By Jason Pa", "Watch Football Talk on NBCS"):
        result = align(_BODY + "\n\n" + piece, _BODY, page).seed_units[-1]
        assert result.cls is not UnitClass.FURNITURE, piece
