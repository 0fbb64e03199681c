"""Run the examples that every rule carries (LanguageTool style).

An example with an `output` must change to exactly that, with an edit by its
rule; an example without one is a look-alike and must come back unchanged with
no edit at all (and no note by its rule); an example with `note: true` must
leave a note by its rule and change nothing. Each example runs through its own
pass only, so a rule is tested by what it does, not by what earlier passes
happen to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from normalize.pipeline import Normalizer
from normalize.rules import Example, Rule, RuleSet


@dataclass(frozen=True, slots=True)
class RuleExample:
    ruleset: RuleSet
    rule: Rule
    example: Example
    index: int

    @property
    def test_id(self) -> str:
        kind = (
            "note"
            if self.example.expects_note
            else ("change" if self.example.output is not None else "unchanged")
        )
        return f"{self.rule.id}-{self.index}-{kind}"


def iter_examples(rulesets: list[RuleSet]) -> Iterator[RuleExample]:
    """Every example of every enabled rule of every enabled pass."""
    for ruleset in rulesets:
        if not ruleset.enabled:
            continue
        for rule in ruleset.enabled_rules():
            for index, example in enumerate(rule.examples, start=1):
                yield RuleExample(ruleset, rule, example, index)


def check_example(normalizer: Normalizer, item: RuleExample) -> str | None:
    """None if the example holds, else one line saying what went wrong."""
    example, rule = item.example, item.rule
    result = normalizer.normalize_and_explain(
        example.input, as_file=example.as_file, only=item.ruleset.pass_name
    )
    edited_by = sorted({edit.rule for edit in result.edits})
    if example.expects_note:
        if result.edits:
            return f"must change nothing, but {', '.join(edited_by)} changed it to {result.text!r}"
        if not any(note.rule == rule.id for note in result.notes):
            return "must leave a note, but left none"
        return None
    if example.output is None:
        if result.edits:
            return (
                f"look-alike must stay unchanged, but {', '.join(edited_by)} "
                f"changed it to {result.text!r}"
            )
        noted = [note.text for note in result.notes if note.rule == rule.id]
        if noted:
            return (
                f"look-alike must not be noted, but {rule.id} noted {', '.join(map(repr, noted))}"
            )
        return None
    if result.text != example.output:
        return f"expected {example.output!r}, got {result.text!r}"
    if rule.id not in edited_by:
        return f"output is right, but made by {', '.join(edited_by) or 'no rule'}, not {rule.id}"
    return None


def coverage_problems(rulesets: list[RuleSet]) -> list[str]:
    """Enabled rules lacking a changing (or note) example or a look-alike example."""
    problems: list[str] = []
    for ruleset in rulesets:
        if not ruleset.enabled:
            continue
        for rule in ruleset.enabled_rules():
            changes = any(e.output is not None or e.expects_note for e in rule.examples)
            keeps = any(e.output is None and not e.expects_note for e in rule.examples)
            if not changes:
                problems.append(f"{rule.where()}: no example that it changes (input + output)")
            if not keeps:
                problems.append(f"{rule.where()}: no look-alike example that must stay unchanged")
    return problems
