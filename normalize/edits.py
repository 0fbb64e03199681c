"""Applying, choosing, inverting and serialising edits.

`apply_edits` is the single place where text is rewritten: the pipeline uses it to
apply each step and `restore` uses it, with inverted edits, to undo them.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from typing import IO, Any

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


def write_records(stream: IO[str], records: Iterable[Edit | Note], doc: str | None) -> None:
    """Write edits and notes as JSON Lines, one record a line, tagged with `doc`."""
    for record in records:
        data: dict[str, Any] = record.to_json()
        if doc is not None:
            data = {"doc": doc, **data}
        stream.write(dumps_json_line(data))


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
    """(doc, record) for each edit or note written by `write_records`."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            record = Note.from_json(data) if data.get("kind") == "note" else Edit.from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"line {number}: not an edit record ({error})") from error
        yield data.get("doc"), record
