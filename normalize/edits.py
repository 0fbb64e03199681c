"""Applying, choosing, inverting and serialising edits.

`apply_edits` is the single place where text is rewritten: the pipeline uses it to
apply each step and `restore` uses it, with inverted edits, to undo them.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from normalize.document import Change, Edit, Note


class EditMismatchError(ValueError):
    """An edit's `before` text is not where the edit says it is."""


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Return `text` with non-overlapping `edits` (sorted by start) applied.

    Every edit's `before` must match the text it replaces; a mismatch means the
    edits do not belong to this text, and raises EditMismatchError.
    """
    if not edits:
        return text
    pieces: list[str] = []
    pos = 0
    for edit in edits:
        if edit.start < pos or text[edit.start : edit.end] != edit.before:
            raise EditMismatchError(
                f"edit {edit.rule} at {edit.start}-{edit.end} (step {edit.step}) expects "
                f"{edit.before!r}, found {text[edit.start : edit.end]!r}"
            )
        pieces.append(text[pos : edit.start])
        pieces.append(edit.after)
        pos = edit.end
    pieces.append(text[pos:])
    return "".join(pieces)


def _conflicts(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    # Zero-width insertions conflict with anything touching their position, so two
    # rules can never both claim the same boundary.
    if a_start == a_end or b_start == b_end:
        return b_start <= a_end and a_start <= b_end
    return a_start < b_end and b_start < a_end


def select_non_overlapping(changes: Iterable[Change], priority: dict[str, int]) -> list[Change]:
    """Keep the changes that do not overlap a change of higher priority.

    Priority is the rule's position in its rule file (earlier wins), then the
    position in the text. Dropped changes are proposed again in the pass's next
    round, against the text that the kept ones produced. Returns the kept
    changes sorted by position.
    """
    ordered = sorted(changes, key=lambda c: (priority.get(c.rule, len(priority)), c.start, c.end))
    starts: list[int] = []
    kept: list[Change] = []
    for change in ordered:
        i = bisect.bisect_left(starts, change.start)
        neighbours = kept[max(0, i - 1) : i + 1]
        if any(_conflicts(change.start, change.end, n.start, n.end) for n in neighbours):
            continue
        starts.insert(i, change.start)
        kept.insert(i, change)
    return kept


def invert(edits: Sequence[Edit]) -> list[Edit]:
    """Turn the edits of one step into edits that undo it on that step's output."""
    inverted: list[Edit] = []
    shift = 0
    for edit in edits:
        start = edit.start + shift
        inverted.append(
            Edit(
                pass_name=edit.pass_name,
                rule=edit.rule,
                start=start,
                end=start + len(edit.after),
                before=edit.after,
                after=edit.before,
                message=edit.message,
                step=edit.step,
            )
        )
        shift += len(edit.after) - (edit.end - edit.start)
    return inverted


def restore(text: str, edits: Iterable[Edit]) -> str:
    """Rebuild the raw text from the normalised `text` and all of its edits."""
    by_step = sorted(edits, key=lambda e: (-e.step, e.start))
    for _step, group in groupby(by_step, key=lambda e: e.step):
        text = apply_edits(text, invert(list(group)))
    return text


def map_position(position: int, edits: Sequence[Edit]) -> int:
    """Map a position in a step's input to the step's output (edits of one step)."""
    shift = 0
    for edit in edits:
        if edit.end <= position and not (edit.start == edit.end == position):
            shift += len(edit.after) - (edit.end - edit.start)
        elif edit.start < position:
            # Inside a replaced span: the nearest safe answer is the span's start.
            return edit.start + shift
        else:
            break
    return position + shift


def dumps_json_line(data: dict[str, Any]) -> str:
    """One JSON line, readable UTF-8 when possible.

    Text may hold lone surrogates (undecodable input bytes kept for a lossless
    round trip); such a line is written with escapes so the file stays valid UTF-8.
    """
    line = json.dumps(data, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(data, ensure_ascii=True)
    return line + "\n"


def read_records(lines: Iterable[str]) -> Iterator[tuple[str | None, Edit | Note]]:
    """(doc, record) for each edit or note among JSON Lines records, the others
    (an edits file's header, document, input and end records) passed over.

    No check that they are complete: `edits_file.EditsFile` proves that.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            kind = data.get("kind")
            if kind not in ("edit", "note"):
                continue
            record = Note.from_json(data) if kind == "note" else Edit.from_json(data)
        except (ValueError, TypeError, AttributeError) as error:
            raise ValueError(f"line {number}: not an edit record ({error})") from error
        yield data.get("doc"), record


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of text in the history of a document, as `trace_edits` lays it out.

    `origin` is the index of the edit that inserted the text (None: raw text);
    `deleted_by` the index of the edit that removed it (None: still in the output);
    `notes` the indexes of the notes that cover it. An empty piece marks where a
    zero-width note points.
    """

    text: str
    origin: int | None = None
    deleted_by: int | None = None
    notes: tuple[int, ...] = ()

    @property
    def live(self) -> bool:
        return self.deleted_by is None


def trace_edits(raw: str, edits: Sequence[Edit], notes: Sequence[Note] = ()) -> list[Piece]:
    """Replay `edits` (and place `notes`) on `raw`, keeping every deleted piece.

    The pieces, in order, interleave what was removed with what took its place,
    so each edit of any step can be shown where it happened in the final text:
    the live pieces join to the output, the pieces with no origin to `raw`. A
    later edit that rewrites an earlier one's output marks those pieces deleted
    (they keep their origin). Indexes in the pieces are positions in `edits` and
    `notes`. Each step is one walk over the pieces, so the cost is the text's
    length times the number of steps. Raises EditMismatchError if the edits or
    notes do not belong to `raw`.
    """
    pieces = [Piece(raw)] if raw else []
    edits_by_step: dict[int, list[tuple[int, Edit]]] = {}
    for i, edit in enumerate(edits):
        edits_by_step.setdefault(edit.step, []).append((i, edit))
    notes_by_step: dict[int, list[tuple[int, Note]]] = {}
    for i, note in enumerate(notes):
        notes_by_step.setdefault(note.step, []).append((i, note))
    for step in sorted(edits_by_step.keys() | notes_by_step.keys()):
        step_notes = notes_by_step.get(step, [])
        step_edits = sorted(edits_by_step.get(step, []), key=lambda ie: ie[1].start)
        cuts = {p for _, n in step_notes for p in (n.start, n.end)}
        cuts |= {p for _, e in step_edits for p in (e.start, e.end)}
        pieces = _split_pieces(pieces, cuts)
        if step_notes:
            pieces = _mark_notes(pieces, step_notes)
        if step_edits:
            pieces = _replay_step(pieces, step_edits)
    return pieces


def _split_pieces(pieces: list[Piece], cuts: set[int]) -> list[Piece]:
    """Split live pieces so that every cut (a position in the live text) is a boundary."""
    ordered = sorted(cuts)
    out: list[Piece] = []
    pos = 0
    k = 0
    for piece in pieces:
        if not piece.live or not piece.text:
            out.append(piece)
            continue
        end = pos + len(piece.text)
        start = pos
        while k < len(ordered) and ordered[k] <= start:
            k += 1
        while k < len(ordered) and ordered[k] < end:
            cut = ordered[k]
            out.append(_slice(piece, start - pos, cut - pos))
            start = cut
            k += 1
        out.append(_slice(piece, start - pos, end - pos))
        pos = end
    if ordered and ordered[-1] > pos:
        raise EditMismatchError(f"a span ends at {ordered[-1]}, after the text's end ({pos})")
    return out


def _slice(piece: Piece, start: int, end: int) -> Piece:
    if start == 0 and end == len(piece.text):
        return piece
    return Piece(piece.text[start:end], piece.origin, piece.deleted_by, piece.notes)


def _mark_notes(pieces: list[Piece], notes: list[tuple[int, Note]]) -> list[Piece]:
    """Tag the live pieces under each note; a zero-width note gets an empty piece."""
    marks = sorted((n.start, n.end, i) for i, n in notes)
    out: list[Piece] = []
    active: list[tuple[int, int]] = []  # (end, note index) of the notes open here
    pos = 0
    k = 0

    def open_marks_at(position: int) -> None:
        nonlocal k
        while k < len(marks) and marks[k][0] <= position:
            start, end, index = marks[k]
            if start == end:
                out.append(Piece("", notes=(index,)))
            else:
                active.append((end, index))
            k += 1

    for piece in pieces:
        if not (piece.live and piece.text):
            out.append(piece)
            continue
        open_marks_at(pos)
        active[:] = [(end, i) for end, i in active if end > pos]
        pos += len(piece.text)
        # Pieces were split at every note boundary: an open note covers all of this one.
        covering = tuple(i for _end, i in active)
        out.append(Piece(piece.text, piece.origin, None, piece.notes + covering))
    open_marks_at(pos)
    live = "".join(p.text for p in out if p.live)
    for _i, note in notes:
        if live[note.start : note.end] != note.text:
            raise EditMismatchError(
                f"note {note.rule} at {note.start}-{note.end} (step {note.step}) expects "
                f"{note.text!r}, found {live[note.start : note.end]!r}"
            )
    return out


def _replay_step(pieces: list[Piece], edits: list[tuple[int, Edit]]) -> list[Piece]:
    """Apply one step: mark the live pieces of each span deleted, insert `after`.

    The inserted piece follows the last piece its edit removed; a pure insertion
    goes before the live piece at its position (after pieces removed earlier).
    """
    out: list[Piece] = []
    pos = 0
    k = 0  # the next edit to place
    pending: tuple[int, Edit] | None = None  # an edit whose span is being removed

    def insert(index: int, edit: Edit) -> None:
        if edit.after:
            out.append(Piece(edit.after, origin=index))

    for piece in pieces:
        if not (piece.live and piece.text):
            out.append(piece)
            continue
        end = pos + len(piece.text)
        while pending is None and k < len(edits) and edits[k][1].start <= pos:
            index, edit = edits[k]
            k += 1
            if edit.start < pos:
                raise EditMismatchError(f"edit {edit.rule} at {edit.start} overlaps another edit")
            if edit.start == edit.end:
                insert(index, edit)
            else:
                pending = (index, edit)
        if pending is not None:
            index, edit = pending
            out.append(Piece(piece.text, piece.origin, index, piece.notes))
            if end >= edit.end:
                insert(index, edit)
                pending = None
        else:
            out.append(piece)
        pos = end
    for index, edit in edits[k:]:
        if edit.start != pos or edit.end != pos:
            raise EditMismatchError(f"edit {edit.rule} at {edit.start}-{edit.end} is past the end")
        insert(index, edit)
    if pending is not None:
        raise EditMismatchError(f"edit {pending[1].rule} runs past the end of the text")
    _check_befores(pieces, edits)
    return out


def _check_befores(pieces: list[Piece], edits: list[tuple[int, Edit]]) -> None:
    live = "".join(p.text for p in pieces if p.live)
    for _i, edit in edits:
        if live[edit.start : edit.end] != edit.before:
            raise EditMismatchError(
                f"edit {edit.rule} at {edit.start}-{edit.end} (step {edit.step}) expects "
                f"{edit.before!r}, found {live[edit.start : edit.end]!r}"
            )
