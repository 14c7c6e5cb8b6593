"""compare_prepared(): a copy against an extraction, including one that took the wrong block."""

from provenance.compare.text_check import compare_prepared, prepare_text
from provenance.compare.verdict import Verdict
from provenance.text.decode import Decoding
from provenance.text.extract import Article

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
