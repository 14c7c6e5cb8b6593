"""Evidence serialised once and spliced (provenance.compare.evidence), and assessments that travel
between processes as their JSON (Assessment.detached)."""

import json
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.compare.align import align
from provenance.compare.evidence import SerialisedEvidence, dumps
from provenance.compare.verdict import assess

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), JSON_VALUES, max_size=5), JSON_VALUES, JSON_VALUES)
def test_dumps_splices_serialised_values(
    evidence: dict[str, Any], first: object, second: object
) -> None:
    evidence = {k: v for k, v in evidence.items() if k not in ("a", "b")}
    text = dumps(evidence, a=json.dumps(first), b=json.dumps(second))
    assert json.loads(text) == {**evidence, "a": first, "b": second}


def test_dumps_refuses_a_key_twice() -> None:
    with pytest.raises(ValueError, match="assessment"):
        dumps({"assessment": 1}, assessment="2")


def test_serialised_evidence_reads_and_pickles_as_its_text() -> None:
    evidence = SerialisedEvidence('{"seed":{"id":"000"},"n":[1,2]}')
    assert evidence["seed"]["id"] == "000"
    assert dict(evidence) == {"seed": {"id": "000"}, "n": [1, 2]}
    again = pickle.loads(pickle.dumps(evidence))
    assert again.json == evidence.json
    assert dict(again) == dict(evidence)


SEED = "Forces entered the city on Monday.\n\nThey took 3,800 prisoners.\n\nShare this story"
ARTICLE = "Forces entered the city on Monday.\n\nThey took 3,300 prisoners."
PAGE = ARTICLE + "\n\nShare this story\n\nComments"


def test_detached_assessment_keeps_everything_but_the_alignment() -> None:
    attached = assess(align(SEED, ARTICLE, PAGE))
    detached = pickle.loads(pickle.dumps(attached.detached()))
    assert detached.alignment is None
    assert (detached.verdict, detached.reasons) == (attached.verdict, attached.reasons)
    assert dict(detached.counts) == dict(attached.counts)
    assert detached.to_dict() == attached.to_dict()
    assert detached.unit_classes() == attached.unit_classes()
    assert json.loads(detached.evidence_json) == attached.to_dict()
    assert [cls.value for _, cls, _ in attached.unit_classes()] == [
        "matched",
        "edited",
        "furniture",
    ]
