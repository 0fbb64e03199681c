"""The records a run produces: proposed changes, applied edits, notes and results."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


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
            "before": self.before,
            "after": self.after,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edit:
        return cls(
            pass_name=data["pass"],
            rule=data["rule"],
            start=int(data["start"]),
            end=int(data["end"]),
            before=data["before"],
            after=data["after"],
            message=data.get("message", ""),
            step=int(data["step"]),
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
            "text": self.text,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(
            pass_name=data["pass"],
            rule=data["rule"],
            start=int(data["start"]),
            end=int(data["end"]),
            text=data["text"],
            message=data.get("message", ""),
            step=int(data["step"]),
        )


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
