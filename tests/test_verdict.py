"""assess(): verdicts and reasons for real seeds, faithful and tampered."""

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.compare.align import UnitClass, align
from provenance.compare.verdict import Verdict, assess, unverifiable
from provenance.text.normalize import normalize
from provenance.text.segment import units

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# Per seed: lines that are page furniture (matched by their normalized start), and lines of
# which only the first copy is furniture (seed 003 prints its headline twice).
FURNITURE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "000": (("2 min read", "10 March, 2017"), ()),
    "001": (
        (
            "Iraq News",
            "Security",
            "By Alaa Hussain",
            "Iraqi army and police personnel gather",
            "Do you like this article?",
            "1 Comment(s)",
            "Comment Policy",
            "Shoe level lies.",
            "Reply",
        ),
        (),
    ),
    "002": (("Related Story",), ()),
    "003": (
        (
            "search",
            "An Iraqi forces M109",
            "A member of the Iraqi forces dressed",
            "Join us!",
            "A message from the Editor",
            "David Horovitz",
            "The Times of Israel covers",
            "We've achieved this",
            "Unlike many other news sites",
            "Become a member",
            "read more:",
            "comments",
        ),
        ("US general claims IS leaders 'abandoning' Mosul",),
    ),
    "004": (
        (
            "Iraq News",
            "Terrorism",
            "By Khalid al-Taie",
            "Iraqi forces take control of east Mosul",
            "Do you like this article?",
            "0 Comment(s)",
            "Comment Policy",
        ),
        (),
    ),
}


def _split(prefix: str) -> tuple[str, str]:
    """The seed as an extractor would return it (no furniture, headline once), and the rest."""
    starts, once = FURNITURE[prefix]
    kept: list[str] = []
    dropped: list[str] = []
    for line in normalize(_seed(prefix)).split("\n"):
        if line.startswith(starts) or (line in once and line not in dropped):
            dropped.append(line)
        else:
            kept.append(line)
    return "\n".join(kept), "\n".join(dropped)


def _article(prefix: str) -> str:
    return _split(prefix)[0]


SEED_004 = _seed("004")
ARTICLE_004 = _article("004")
TITLE_004 = "ISIL ranks depleted ahead of battle for west Mosul"


def _assess_004(seed: str) -> tuple[Verdict, str]:
    assessment = assess(align(seed, ARTICLE_004, SEED_004, title=TITLE_004))
    return assessment.verdict, "\n".join(assessment.reasons)


@pytest.mark.parametrize("prefix", sorted(FURNITURE))
def test_real_seed_with_its_furniture_is_faithful(prefix: str) -> None:
    seed = _seed(prefix)
    article = _article(prefix)
    title = article.split("\n")[0] if prefix != "002" else None
    assessment = assess(align(seed, article, seed, title=title))
    assert assessment.verdict is Verdict.FAITHFUL, assessment.reasons
    assert assessment.counts["edited"] == assessment.counts["foreign"] == 0
    assert assessment.counts["omitted"] == 0
    alignment = assessment.alignment
    assert alignment is not None

    def texts(cls: UnitClass) -> Counter[str]:
        return Counter(r.unit.text for r in alignment.seed_units if r.cls is cls)

    assert texts(UnitClass.FURNITURE) == Counter(u.text for u in units(_split(prefix)[1]))
    assert texts(UnitClass.MATCHED) == Counter(u.text for u in units(article))
    assert "Page furniture (not article text):" in assessment.reasons[0]


def test_seed_004_furniture_is_named() -> None:
    verdict, reasons = _assess_004(SEED_004)
    assert verdict is Verdict.FAITHFUL
    assert '"Do you like this article?"' in reasons
    assert '"Comment Policy * Denotes Required Field 1500 / 1500"' in reasons
    assert reasons.count("[Photo courtesy of the Counter-Terrorism Service]") == 1


def test_identical_texts_are_verbatim() -> None:
    assessment = assess(align(ARTICLE_004, ARTICLE_004, SEED_004, title=TITLE_004))
    assert assessment.verdict is Verdict.VERBATIM
    assert assessment.counts["matched"] == assessment.counts["seed_units"] == 22


def test_a_changed_figure_is_modified() -> None:
    assessment = assess(align(SEED_004.replace("3,300", "3,800"), ARTICLE_004, SEED_004))
    assert assessment.verdict is Verdict.MODIFIED
    assert assessment.counts["edited"] == 1
    seed_side = '"At least 3,800 ISIL fighters were..."'
    page_side = '"At least 3,300 ISIL fighters were..."'
    assert f"Edited: {seed_side} reads {page_side} on the page" in assessment.reasons
    assert assessment.alignment is not None
    (edited,) = [r for r in assessment.alignment.seed_units if r.cls is UnitClass.EDITED]
    changes = [(d.seed, d.article) for d in edited.diff if d.op != "equal"]
    assert changes == [("3,800", "3,300")]


def test_an_inserted_sentence_is_foreign_content() -> None:
    anchor = "Al-Hollandi was in charge of European suicide bombers for ISIL."
    invented = "He had been seen in Raqqa only a week before."
    verdict, reasons = _assess_004(SEED_004.replace(anchor, f"{anchor} {invented}"))
    assert verdict is Verdict.FOREIGN
    assert f'Not on the page: "{invented}"' in reasons


def test_a_deleted_paragraph_is_an_excerpt() -> None:
    lines = SEED_004.split("\n")
    deleted = next(line for line in lines if line.startswith("\"The group's resources"))
    verdict, reasons = _assess_004("\n".join(line for line in lines if line != deleted))
    assert verdict is Verdict.EXCERPT
    drained = '"The group\'s resources, especially its human resources, are dramatically drained,"'
    # The paragraph is quoted as one passage.
    passage = f'Missing from the seed: "{drained} he said. "Its best elements, who are elite'
    assert passage in reasons


def test_a_reworded_sentence_is_modified() -> None:
    original = (
        "Despite those threats, which ISIL advertises through mosque loudspeakers, the group is "
        "facing great difficulties recruiting residents, as only a few were intimidated and have "
        "joined the group, al-Mosuli said."
    )
    reworded = (
        "Despite these threats, broadcast by ISIL over mosque speakers, the group struggles to "
        "recruit residents, since only a few were scared into joining, al-Mosuli said."
    )
    assessment = assess(align(SEED_004.replace(original, reworded), ARTICLE_004, SEED_004))
    assert assessment.verdict is Verdict.MODIFIED
    assert assessment.alignment is not None
    (edited,) = [r for r in assessment.alignment.seed_units if r.cls is UnitClass.EDITED]
    assert 0.6 <= edited.similarity <= 0.8
    assert any(r.startswith('Edited: "Despite these threats') for r in assessment.reasons)


def test_a_missing_headline_is_not_an_excerpt() -> None:
    verdict, reasons = _assess_004(SEED_004.replace(TITLE_004 + "\n", ""))
    assert verdict is Verdict.FAITHFUL
    assert f'The seed lacks the headline "{TITLE_004}"' in reasons


def test_seed_002_lacks_its_headline_but_is_faithful() -> None:
    seed = _seed("002")
    headline = "IS leaders flee as Iraqi forces close in on Mosul"
    article = headline + "\n" + _article("002")
    assessment = assess(align(seed, article, seed + "\n" + headline, title=headline))
    assert assessment.verdict is Verdict.FAITHFUL
    assert assessment.alignment is not None
    assert assessment.alignment.omitted_title


def test_most_severe_finding_wins() -> None:
    seed = SEED_004.replace("3,300", "3,800") + "\nA sentence that no page ever printed."
    lines = [line for line in seed.split("\n") if not line.startswith("Al-Mosuli estimates")]
    assessment = assess(align("\n".join(lines), ARTICLE_004, SEED_004))
    assert assessment.verdict is Verdict.FOREIGN
    kinds = [reason.split(":")[0] for reason in assessment.reasons]
    assert kinds == [
        "Not on the page",
        "Edited",
        "Missing from the seed",
        "Page furniture (not article text)",
    ]
    assert dict(assessment.counts) == {
        "matched": 20,
        "edited": 1,
        "furniture": 10,
        "foreign": 1,
        "omitted": 1,
        "left_out": 0,
        "seed_units": 32,
        "article_units": 22,
    }


def test_to_dict_is_json_evidence() -> None:
    assessment = assess(align(SEED_004.replace("3,300", "3,800"), ARTICLE_004, SEED_004))
    evidence = json.loads(json.dumps(assessment.to_dict()))
    assert evidence["verdict"] == "modified"
    assert evidence["counts"]["edited"] == 1
    assert len(evidence["seed_units"]) == evidence["counts"]["seed_units"]
    edited = [u for u in evidence["seed_units"] if u["class"] == "edited"]
    assert {"op": "replace", "seed": "3,800", "article": "3,300"} in edited[0]["diff"]
    assert evidence["omitted"] == []
    assert evidence["omitted_title"] is False


def test_unverifiable() -> None:
    assessment = unverifiable("The page could not be fetched (HTTP 404).")
    assert assessment.verdict is Verdict.UNVERIFIABLE
    assert assessment.reasons == ("The page could not be fetched (HTTP 404).",)
    assert set(assessment.counts.values()) == {0}
    assert assessment.to_dict()["seed_units"] == []
    assert assess(align(SEED_004, "", SEED_004)).verdict is Verdict.UNVERIFIABLE


_TEXT = st.text(max_size=120) | st.lists(
    st.sampled_from(["Mosul.", "ISIL", "fighters", "said.", "Reply", "\n"]), max_size=30
).map(" ".join)


@settings(deadline=None)
@given(_TEXT, _TEXT, _TEXT)
def test_assess_never_raises_and_is_serialisable(seed: str, article: str, page: str) -> None:
    assessment = assess(align(seed, article, page))
    assert isinstance(assessment.verdict, Verdict)
    assert assessment.reasons
    json.dumps(assessment.to_dict())
