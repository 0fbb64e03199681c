"""apply_edits, overlap resolution and restore: the pipeline's bookkeeping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.document import Change, Edit
from normalize.edits import (
    EditMismatchError,
    apply_edits,
    map_position,
    read_records,
    restore,
    select_non_overlapping,
    write_records,
)
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


def test_records_round_trip_through_json_lines(normalizer: Normalizer, tmp_path) -> None:
    result = normalizer.normalize_and_explain("Leave a Reply\nText  \n", as_file=True)
    path = tmp_path / "edits.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        write_records(stream, result.edits, "doc-1")
    with path.open(encoding="utf-8") as stream:
        records = list(read_records(stream))
    assert [r for _, r in records] == result.edits
    assert {doc for doc, _ in records} == {"doc-1"}


def test_records_with_lone_surrogates_stay_valid_utf8(tmp_path) -> None:
    path = tmp_path / "edits.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        write_records(stream, [edit(0, 1, "\udce9", "é")], None)
    assert "\\udce9" in path.read_text(encoding="utf-8")
    with path.open(encoding="utf-8") as stream:
        ((_, record),) = read_records(stream)
    assert record.before == "\udce9"
