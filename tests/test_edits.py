"""apply_edits, overlap resolution and restore: the pipeline's bookkeeping."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.document import Change, Edit, Result
from normalize.edits import (
    EditMismatchError,
    apply_edits,
    map_position,
    read_records,
    restore,
    select_non_overlapping,
)
from normalize.edits_file import document_jsonl, restore_text
from normalize.pipeline import Normalizer

from .conftest import raw_documents


def edit(start: int, end: int, before: str, after: str, step: int = 0) -> Edit:
    return Edit("p", "R", start, end, before, after, "", step)


def test_apply_edits_replaces_inserts_and_deletes() -> None:
    text = "abc def ghi"
    edits = [edit(0, 0, "", ">"), edit(4, 7, "def", "DEF!"), edit(7, 8, " ", "")]
    assert apply_edits(text, edits) == ">abc DEF!ghi"


def test_apply_edits_refuses_edits_of_another_text() -> None:
    with pytest.raises(EditMismatchError):
        apply_edits("abc", [edit(0, 1, "x", "y")])


def test_overlapping_changes_keep_the_higher_priority_rule() -> None:
    changes = [Change(2, 6, "X", "LOW"), Change(4, 8, "Y", "HIGH"), Change(0, 1, "Z", "LOW")]
    kept = select_non_overlapping(changes, {"HIGH": 0, "LOW": 1})
    assert [(c.start, c.rule) for c in kept] == [(0, "LOW"), (4, "HIGH")]


def test_insertions_conflict_with_anything_touching_their_position() -> None:
    changes = [Change(3, 3, "!", "A"), Change(3, 5, "x", "B"), Change(5, 5, "?", "C")]
    kept = select_non_overlapping(changes, {"A": 0, "B": 1, "C": 2})
    assert [c.rule for c in kept] == ["A", "C"]


def test_map_position_through_a_step() -> None:
    edits = [edit(2, 4, "cd", "CDEF")]
    assert map_position(1, edits) == 1
    assert map_position(5, edits) == 7
    assert map_position(3, edits) == 2  # inside the replaced span: its start


@st.composite
def texts_with_steps(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    """A text and up to three steps of random non-overlapping edits."""
    text = draw(st.text(alphabet="ab \n’é", max_size=30))
    original = text
    edits: list[Edit] = []
    for step in range(draw(st.integers(0, 3))):
        cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
        step_edits = [
            edit(s, e, text[s:e], draw(st.text(alphabet="xy\n", max_size=3)), step)
            for s, e in pairs
        ]
        text = apply_edits(text, step_edits)
        edits.extend(step_edits)
    return original, edits


@given(texts_with_steps())
@settings(max_examples=300, deadline=None)
def test_restore_inverts_any_sequence_of_steps(case: tuple[str, list[Edit]]) -> None:
    original, edits = case
    text = original
    for step in sorted({e.step for e in edits}):
        text = apply_edits(text, [e for e in edits if e.step == step])
    assert restore(text, edits) == original


@pytest.mark.parametrize("path", raw_documents(), ids=lambda p: p.stem)
def test_restore_rebuilds_every_corpus_document(normalizer: Normalizer, path) -> None:
    raw = path.read_text(encoding="utf-8")
    result = normalizer.normalize_and_explain(raw, as_file=True)
    assert restore(result.text, result.edits) == raw


def test_records_round_trip_through_json_lines(normalizer: Normalizer) -> None:
    raw = "Leave a Reply\nText  \n"
    result = normalizer.normalize_and_explain(raw, as_file=True)
    lines = document_jsonl(raw, result, "doc-1")
    records = list(read_records(lines.splitlines()))
    assert [r for _, r in records] == result.edits
    assert {doc for doc, _ in records} == {"doc-1"}
    assert restore_text(result.text, lines) == raw


def test_records_with_lone_surrogates_stay_valid_utf8() -> None:
    lines = document_jsonl("\udce9", Result("é", [edit(0, 1, "\udce9", "é")]))
    assert "\\udce9" in lines and lines.encode("utf-8")
    ((_, record),) = read_records(lines.splitlines())
    assert record.before == "\udce9"
    assert restore_text("é", lines) == "\udce9"


@pytest.mark.parametrize("text", ["a\ud83d\udc80b", "\ud83d\udc80", "x\udbff\udfff\ud800y"])
def test_a_surrogate_pair_held_apart_survives_the_json_of_its_edits(normalizer, text) -> None:
    # Two lone surrogates next to each other are two code points in Python but one
    # character to any JSON reader once written as escapes: the records keep them apart.
    result = normalizer.normalize_and_explain(text)
    lines = document_jsonl(text, result)
    assert restore_text(result.text, lines) == text
    out = normalizer.map_batch({"text": [text]}, edits_field="e")
    assert restore_text(out["text"][0], out["e"][0]) == text


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"start": 1e400}, "'start' is inf, not a whole number >= 0"),
        ({"start": -1}, "'start' is -1, not a whole number >= 0"),
        ({"end": "3"}, "'end' is '3', not a whole number >= 0"),
        ({"step": True}, "'step' is True, not a whole number >= 0"),
        ({"after": 5}, "'after' is 5, not text"),
        ({"before": None}, "'before' is None, not text"),
        ({"before": {"pieces": [1]}}, "'before' is {'pieces': [1]}, not text"),
        ({"start": 4, "end": 2}, "'end' (2) is before 'start' (4)"),
    ],
)
def test_bad_values_in_a_record_are_refused_in_one_line(change, problem) -> None:
    data = {**edit(0, 1, "a", "b").to_json(), **change}
    with pytest.raises(ValueError, match=re.escape(problem)):
        Edit.from_json(data)
