"""Rules that are a regular expression and a replacement template.

The workhorse for layout and other local repairs. Patterns use the `regex`
module (a superset of `re`), so a rule can use Unicode properties such as
`\\p{Lu}`, and every search runs under a time budget (see normalize.safe_regex):
a catastrophic pattern written by a colleague costs one warning naming the
rule, not a hung run.
"""

from __future__ import annotations

from typing import ClassVar

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.rules import RuleSet
from normalize.safe_regex import (
    DEFAULT_TIMEOUT_SECONDS,
    RegexBudget,
    check_template,
    compile_rule_pattern,
)
from normalize.schema import Field

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "RegexReplaceAction", "compile_rule_pattern"]


class RegexReplaceAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "pattern": Field(str, required=True, doc="a `regex` pattern; inline flags like (?i) work"),
        "replacement": Field(str, doc="template for the match: \\1, \\g<name>; '' deletes"),
        "files_only": Field(bool, doc="apply only to whole files, not to JSON fields"),
        "note": Field(bool, doc="mark the match for a reviewer instead of changing it"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "timeout": Field(
            (int, float), doc="seconds one rule may search one document (+1 s per million chars)"
        ),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.timeout = float(self.options.get("timeout", DEFAULT_TIMEOUT_SECONDS))
        self.compiled = [(rule, compile_rule_pattern(rule)) for rule in self.rules]
        for rule, pattern in self.compiled:
            if "replacement" in rule.data:
                check_template(rule, pattern, rule.data["replacement"], "replacement")
            elif not rule.data.get("note"):
                raise RuleProblem(rule, "needs a 'replacement' (or 'note: true')")

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        budget = RegexBudget.of(doc, self.ruleset.pass_name, len(text), self.timeout)
        changes: list[Change] = []
        for rule, pattern in self.compiled:
            if rule.data.get("files_only") and not doc.is_file:
                continue
            note = bool(rule.data.get("note"))
            template = rule.data.get("replacement", "")
            for match in budget.finditer(rule, pattern, text):
                after = match.group() if note else match.expand(template)
                changes.append(Change(match.start(), match.end(), after, rule.id, note=note))
        return changes
