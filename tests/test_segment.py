"""paragraphs(), sentences() and units(): the pieces the aligner compares."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.text.normalize import normalize
from provenance.text.segment import Unit, paragraphs, sentences, units

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ('He said "Go." "Now," she said.', ['He said "Go."', '"Now," she said.']),
        ("It ended (mostly.) Then 2017 came.", ["It ended (mostly.)", "Then 2017 came."]),
        ("Gone. 3,300 were killed.", ["Gone.", "3,300 were killed."]),
        ("Command. [Photo courtesy of police]", ["Command.", "[Photo courtesy of police]"]),
        ("said Brig. Gen. Firas Sabri and Maj. Lt. Col. Dr. Mr. Mrs. St. Smith.", None),
        ("said Staff Gen. Talib al-Sheghati, who heads it.", None),
        ("Major General Gary A. Volesky said so.", None),
        ("some 30 km (18.5 miles) south of Mosul.", None),
        ("The U.S. Army and the U.N. Council met.", None),
        ("Allies, e.g. Britain, i.e. London, vs. Paris.", None),
        ("On Jan. 10 and Dec. 3 it rained; see No. 5.", None),
        ("It is over. he said in lower case.", None),
        ("They have lost... Many fled.", None),
        ("the offensive.... He left before", ["the offensive....", "He left before"]),
        (
            '"The enemy has begun to collapse. They have lost..."',
            ['"The enemy has begun to collapse.', 'They have lost..."'],
        ),
        ("A short line with no stop", None),
        # Issue 13: sentence ends of other scripts; letters without case may start a sentence.
        (
            "\u4eca\u65e5\u3002\u660e\u65e5!\u96e8?",
            ["\u4eca\u65e5\u3002", "\u660e\u65e5!", "\u96e8?"],
        ),
        (
            "\u0647\u0630\u0627 \u0646\u0635. \u0647\u0644 \u0647\u0648\u061f \u0646\u0639\u0645",
            [
                "\u0647\u0630\u0627 \u0646\u0635.",
                "\u0647\u0644 \u0647\u0648\u061f",
                "\u0646\u0639\u0645",
            ],
        ),
        (
            "\u092f\u0939 \u0939\u0948\u0964 \u0935\u0939 \u0939\u0948\u0964",
            ["\u092f\u0939 \u0939\u0948\u0964", "\u0935\u0939 \u0939\u0948\u0964"],
        ),
        ("\u00c9l vino. \u00e9lan sigue.", None),
        # A numbered list's item keeps its number: "3." alone would be a unit anywhere on a page.
        ("3. Trader Made Billions on Subprime", None),
        ("10. Wash it. Dry it.", ["10. Wash it.", "Dry it."]),
        ("They won 3. Then it rained.", ["They won 3.", "Then it rained."]),
        # A numbered list run into one line goes on at each number; a count does not.
        ("1. Toofan Mail, 2. Ring Bearer, 3. Shaktiman", None),
        ("The score was 1, 2, 3. Then it rained.", ["The score was 1, 2, 3.", "Then it rained."]),
        ("Pick 12. Then 3. Go.", ["Pick 12.", "Then 3.", "Go."]),
    ],
)
def test_sentence_boundaries(paragraph: str, expected: list[str] | None) -> None:
    assert sentences(paragraph) == (expected or [paragraph])


def test_paragraphs_are_the_non_empty_lines() -> None:
    assert paragraphs("a\n\nb c\nd\n") == ["a", "b c", "d"]
    assert paragraphs("") == []


def test_units_of_seed_000() -> None:
    seed = units((SEEDS / "000_b3ac7b66661ae4a7.txt").read_text(encoding="utf-8"))
    texts = [u.text for u in seed]
    assert texts[0] == "Exclusive: IS resistance 'weakening' as militants flee Mosul battle"
    assert "2 min read" in texts
    assert '"He was in Mosul at some point before the offensive....' in texts
    assert any(t.startswith('He left before we isolated Mosul and Tal Afar,"') for t in texts)
    assert "The enemy has begun to collapse." in " ".join(texts)
    assert [u.index for u in seed] == list(range(len(seed)))
    assert seed[-1] == Unit(len(seed) - 1, 21, "Agencies contributed to this report.")


def test_units_of_a_caption_and_a_title() -> None:
    assert units("Iraq News\n\nBrig. Gen. Firas spoke. [Photo: AFP]") == [
        Unit(0, 0, "Iraq News"),
        Unit(1, 1, "Brig. Gen. Firas spoke."),
        Unit(2, 1, "[Photo: AFP]"),
    ]


_PIECES = st.sampled_from(
    ["Gen.", "U.S.", "A.", "3.5", "...", "....", ". ", "! ", "? ", '"', "'", ")", "(", "\n", "\n\n"]
)
_TEXT = st.lists(_PIECES | st.text(max_size=8), max_size=30).map(" ".join) | st.text()


@given(_TEXT)
def test_units_cover_the_normalized_text(text: str) -> None:
    result = units(text)
    assert [u.index for u in result] == list(range(len(result)))
    assert all(u.text and u.text == u.text.strip() for u in result)
    assert [u.paragraph for u in result] == sorted(u.paragraph for u in result)

    def squash(s: str) -> str:
        return s.replace(" ", "").replace("\n", "")

    assert "".join(squash(u.text) for u in result) == squash(normalize(text))


@given(_TEXT)
def test_units_are_the_sentences_of_each_paragraph_every_time(text: str) -> None:
    normalized = normalize(text)
    expected = [
        (number, sentence)
        for number, paragraph in enumerate(paragraphs(normalized))
        for sentence in sentences(paragraph)
    ]
    for _ in range(2):  # the second time, each paragraph's cut is remembered
        result = units(text)
        assert [(u.paragraph, u.text) for u in result] == expected
        assert [u.index for u in result] == list(range(len(expected)))
