"""The records a run produces: proposed changes, applied edits, notes and results."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# A high surrogate right before a low one: two code points in a Python string
# (text from an API, say 'a\ud83d\udc80b'), but one character to every JSON
# reader once written as two escapes.
_SURROGATE_PAIR = re.compile("[\ud800-\udbff](?=[\udc00-\udfff])")


@dataclass(frozen=True, slots=True)
class Change:
    """What an action proposes: replace text[start:end] with `after`.

    `rule` is the id of the rule that proposes it; `message` overrides the rule's
    message when the action knows more (for example which evidence it used).
    A change with `note=True` changes nothing: it marks a suspicious span for a
    reviewer.
    """

    start: int
    end: int
    after: str
    rule: str
    message: str | None = None
    note: bool = False


@dataclass(frozen=True, slots=True)
class Edit:
    """One applied change.

    `start`/`end` index (in code points) the text as it was *before* step `step`;
    steps are numbered from 0 in the order they were applied, and the edits of one
    step never overlap. That is all `restore` needs to rebuild the raw text.
    """

    pass_name: str
    rule: str
    start: int
    end: int
    before: str
    after: str
    message: str
    step: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "edit",
            "pass": self.pass_name,
            "rule": self.rule,
            "step": self.step,
            "start": self.start,
            "end": self.end,
            "before": text_to_json(self.before),
            "after": text_to_json(self.after),
            "message": text_to_json(self.message),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edit:
        """The edit of a record; ValueError (one line) if any value is missing or
        of the wrong kind."""
        start, end = span_from_json(data)
        before = text_from_json(data, "before")
        if len(before) != end - start:
            raise ValueError(
                f"'before' has {len(before)} characters; the span {start}-{end} has {end - start}"
            )
        return cls(
            pass_name=text_from_json(data, "pass"),
            rule=text_from_json(data, "rule"),
            start=start,
            end=end,
            before=before,
            after=text_from_json(data, "after"),
            message=text_from_json(data, "message", ""),
            step=count_from_json(data, "step"),
        )


@dataclass(frozen=True, slots=True)
class Note:
    """A suspicious span that no rule dared to repair, left for a reviewer.

    `start`/`end` index the text as it was before step `step` (as for an Edit).
    """

    pass_name: str
    rule: str
    start: int
    end: int
    text: str
    message: str
    step: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "note",
            "pass": self.pass_name,
            "rule": self.rule,
            "step": self.step,
            "start": self.start,
            "end": self.end,
            "text": text_to_json(self.text),
            "message": text_to_json(self.message),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        """The note of a record; ValueError (one line) as for Edit.from_json."""
        start, end = span_from_json(data)
        text = text_from_json(data, "text")
        if len(text) != end - start:
            raise ValueError(
                f"'text' has {len(text)} characters; the span {start}-{end} has {end - start}"
            )
        return cls(
            pass_name=text_from_json(data, "pass"),
            rule=text_from_json(data, "rule"),
            start=start,
            end=end,
            text=text,
            message=text_from_json(data, "message", ""),
            step=count_from_json(data, "step"),
        )


def text_to_json(text: str) -> str | dict[str, list[str]]:
    """A text for a JSON record, read back exactly by `text_from_json`.

    A high surrogate followed by a low one would be written as two escapes
    that JSON readers join into one character (another text); such a text is
    written as {"pieces": [...]}, cut between the two.
    """
    if _SURROGATE_PAIR.search(text) is None:
        return text
    pieces, start = [], 0
    for pair in _SURROGATE_PAIR.finditer(text):
        pieces.append(text[start : pair.end()])
        start = pair.end()
    pieces.append(text[start:])
    return {"pieces": pieces}


def text_from_json(data: dict[str, Any], name: str, default: str | None = None) -> str:
    """The text `data[name]` (as `text_to_json` wrote it); ValueError if it is not one."""
    if name not in data:
        if default is not None:
            return default
        raise ValueError(f"no {name!r}")
    value = data[name]
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["pieces"]:
        pieces = value["pieces"]
        if isinstance(pieces, list) and all(isinstance(piece, str) for piece in pieces):
            return "".join(pieces)
    raise ValueError(f"{name!r} is {_preview(value)}, not text")


def count_from_json(data: dict[str, Any], name: str) -> int:
    """The whole number >= 0 `data[name]`; ValueError for anything else (1e400, "3", true)."""
    if name not in data:
        raise ValueError(f"no {name!r}")
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name!r} is {_preview(value)}, not a whole number >= 0")
    return value


def span_from_json(data: dict[str, Any]) -> tuple[int, int]:
    start, end = count_from_json(data, "start"), count_from_json(data, "end")
    if end < start:
        raise ValueError(f"'end' ({end}) is before 'start' ({start})")
    return start, end


def _preview(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


@dataclass(slots=True)
class Result:
    """The outcome of normalising one document."""

    text: str
    edits: list[Edit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def edits_by_pass(self) -> Counter[str]:
        return Counter(edit.pass_name for edit in self.edits)

    def edits_by_rule(self) -> Counter[str]:
        return Counter(edit.rule for edit in self.edits)
