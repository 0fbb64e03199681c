"""trace_edits: every edit of every step laid out in the final text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.document import Edit, Note
from normalize.edits import EditMismatchError, Piece, apply_edits, trace_edits

from .test_edits import edit, texts_with_steps


def live_text(pieces: list[Piece]) -> str:
    return "".join(p.text for p in pieces if p.live)


def raw_text(pieces: list[Piece]) -> str:
    return "".join(p.text for p in pieces if p.origin is None)


@given(texts_with_steps())
@settings(max_examples=300, deadline=None)
def test_pieces_join_to_the_output_and_to_the_raw_text(case: tuple[str, list[Edit]]) -> None:
    raw, edits = case
    text = raw
    for step in sorted({e.step for e in edits}):
        text = apply_edits(text, [e for e in edits if e.step == step])
    pieces = trace_edits(raw, edits)
    assert live_text(pieces) == text
    assert raw_text(pieces) == raw
    # Each edit's own pieces hold exactly what it removed and what it inserted.
    for i, e in enumerate(edits):
        assert "".join(p.text for p in pieces if p.deleted_by == i) == e.before
        assert "".join(p.text for p in pieces if p.origin == i) == e.after


@st.composite
def texts_with_steps_and_notes(draw: st.DrawFn) -> tuple[str, list[Edit], list[Note]]:
    """texts_with_steps plus notes on the text as it was before a random step."""
    raw, edits = draw(texts_with_steps())
    versions = [raw]  # versions[k]: the text before step k
    for step in range(max((e.step for e in edits), default=-1) + 1):
        versions.append(apply_edits(versions[-1], [e for e in edits if e.step == step]))
    notes: list[Note] = []
    for _ in range(draw(st.integers(0, 3))):
        step = draw(st.integers(0, len(versions) - 1))
        text = versions[step]
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        notes.append(Note("s", "N", start, end, text[start:end], "", step))
    return raw, edits, notes


@given(texts_with_steps_and_notes())
@settings(max_examples=300, deadline=None)
def test_notes_cover_exactly_their_text(case: tuple[str, list[Edit], list[Note]]) -> None:
    raw, edits, notes = case
    pieces = trace_edits(raw, edits, notes)
    assert raw_text(pieces) == raw
    for i, note in enumerate(notes):
        covered = [p for p in pieces if i in p.notes]
        assert "".join(p.text for p in covered) == note.text
        assert len(covered) >= 1


def test_a_later_edit_that_removes_an_insertion_keeps_both_visible() -> None:
    # Layout adds the final newline; boilerplate then removes the whole last line.
    edits = [edit(10, 10, "", "\n", step=0), edit(5, 11, "Reply\n", "", step=1)]
    pieces = trace_edits("Text\nReply", edits)
    assert pieces == [
        Piece("Text\n"),
        Piece("Reply", deleted_by=1),
        Piece("\n", origin=0, deleted_by=1),
    ]


def test_notes_cover_the_pieces_of_their_span_and_follow_later_edits() -> None:
    note = Note("s", "ODD", 0, 5, "Hello", "odd", step=0)
    point = Note("s", "GAP", 5, 5, "", "gap", step=0)
    edits = [edit(0, 1, "H", "J", step=1)]
    pieces = trace_edits("Hello world", edits, [note, point])
    assert pieces == [
        Piece("H", deleted_by=0, notes=(0,)),
        Piece("J", origin=0),
        Piece("ello", notes=(0,)),
        Piece("", notes=(1,)),
        Piece(" world"),
    ]


def test_edits_of_another_text_are_refused() -> None:
    with pytest.raises(EditMismatchError):
        trace_edits("abc", [edit(0, 1, "x", "y")])
    with pytest.raises(EditMismatchError):
        trace_edits("abc", [edit(2, 9, "c", "")])
    with pytest.raises(EditMismatchError):
        trace_edits("abc", [], [Note("s", "N", 0, 1, "z", "", step=0)])
