"""Remove web chrome: whole lines that belong to the page, not to the article.

A line is boilerplate when it is one of a rule's `lines` (compared ignoring case,
runs of spaces and trailing colons or full stops), when it fully matches one of
a rule's `patterns`, or, for a `repeated_line` rule, when it repeats the previous
non-blank line (a title printed twice). Only short lines are considered: chrome
is short, and a paragraph is never removed as a whole.

A removed line takes one paragraph separator with it, so the blank-line layout
of the rest stays as it was: "A\\n\\nLeave a Reply\\n\\nB" becomes "A\\n\\nB", and
chrome at the end of a document is cut back to the last kept line's newline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.rules import Rule, RuleSet
from normalize.schema import Field

DEFAULT_MAX_LINE_LENGTH = 200
_SPACES = regex.compile(r"\s+")
_TRAILING = regex.compile(r"[\s:.]+$")
_SENTENCE_END = regex.compile(r"[.!?:;\"”’)\]]$")


def line_key(line: str) -> str:
    """How `lines` entries are compared: case, spacing, trailing ':' and '.' ignored."""
    return _TRAILING.sub("", _SPACES.sub(" ", line.strip())).casefold()


@dataclass(slots=True)
class _Line:
    start: int
    end: int  # excluding the newline
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


class BoilerplateAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "lines": Field(list, items=str, doc="whole lines, compared ignoring case and spacing"),
        "patterns": Field(list, items=str, doc="regexes that must match the whole line"),
        "repeated_line": Field(bool, doc="a line equal to the previous non-blank line"),
        "min_words": Field(int, doc="repeated_line: shorter lines are left alone"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "max_line_length": Field(int, doc="longer lines are never boilerplate"),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.max_length = int(self.options.get("max_line_length", DEFAULT_MAX_LINE_LENGTH))
        self.line_rule: dict[str, Rule] = {}
        self.patterns: list[tuple[Rule, regex.Pattern[str]]] = []
        self.repeat_rules: list[Rule] = []
        for rule in self.rules:
            if not {"lines", "patterns", "repeated_line"} & set(rule.data):
                raise RuleProblem(rule, "needs 'lines', 'patterns' or 'repeated_line: true'")
            for line in rule.data.get("lines", []):
                self.line_rule.setdefault(line_key(line), rule)
            if rule.data.get("patterns"):
                joined = "|".join(f"(?:{p})" for p in rule.data["patterns"])
                try:
                    self.patterns.append((rule, regex.compile(joined, regex.IGNORECASE)))
                except regex.error as error:
                    raise RuleProblem(rule, f"invalid regular expression: {error}") from error
            if rule.data.get("repeated_line"):
                self.repeat_rules.append(rule)

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        lines = _split_lines(text)
        verdicts = self._classify(lines)
        if not any(verdicts):
            return []
        return _removals(lines, verdicts, len(text))

    def _classify(self, lines: list[_Line]) -> list[Rule | None]:
        verdicts: list[Rule | None] = []
        previous: str | None = None  # previous non-blank line, whitespace-collapsed
        above = ""  # the line right above, stripped
        for line in lines:
            verdict = None
            stripped = line.text.strip()
            if stripped and len(stripped) <= self.max_length and not _continues(above, stripped):
                verdict = self._match(stripped, previous)
            verdicts.append(verdict)
            if stripped:
                previous = _SPACES.sub(" ", stripped)
            above = stripped
        return verdicts

    def _match(self, stripped: str, previous: str | None) -> Rule | None:
        rule = self.line_rule.get(line_key(stripped))
        if rule is not None:
            return rule
        for rule, pattern in self.patterns:
            if pattern.fullmatch(stripped):
                return rule
        for rule in self.repeat_rules:
            collapsed = _SPACES.sub(" ", stripped)
            if collapsed == previous and len(collapsed.split()) >= rule.data.get("min_words", 2):
                return rule
        return None


def _continues(above: str, line: str) -> bool:
    """True for the tail of a hard-wrapped sentence ("...declined further\ncomments.").

    Newswire text is often wrapped at 65 columns; a lower-case line under a line
    that does not end a sentence is part of a paragraph, never page chrome.
    """
    return bool(above) and line[0].islower() and not _SENTENCE_END.search(above)


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for piece in text.split("\n"):
        lines.append(_Line(pos, pos + len(piece), piece))
        pos += len(piece) + 1
    return lines


def _removals(lines: list[_Line], verdicts: list[Rule | None], text_length: int) -> list[Change]:
    """One deletion per boilerplate line, each with its share of the separators."""
    changes: list[Change] = []
    i = 0
    while i < len(lines):
        if verdicts[i] is None:
            i += 1
            continue
        # A block: boilerplate lines separated only by blank lines.
        block = [i]
        j = i + 1
        while j < len(lines):
            if verdicts[j] is not None:
                block.append(j)
            elif not lines[j].blank:
                break
            j += 1
        next_kept = j if j < len(lines) else None
        if next_kept is not None:
            cut_start, cut_end = lines[block[0]].start, lines[next_kept].start
        else:
            kept_before = [k for k in range(block[0]) if not lines[k].blank]
            cut_start = lines[kept_before[-1]].end + 1 if kept_before else 0
            cut_end = text_length
        bounds = [cut_start] + [lines[k].start for k in block[1:]] + [cut_end]
        for k, start, end in zip(block, bounds, bounds[1:], strict=False):
            rule = verdicts[k]
            assert rule is not None
            changes.append(Change(start, end, "", rule.id))
        i = j
    return changes
