"""Rules that are a regular expression and a replacement template.

The workhorse for layout and other local repairs. Patterns use the `regex`
module (a superset of `re`), so a rule can use Unicode properties such as
`\\p{Lu}`, and every search runs with a timeout: a catastrophic pattern written
by a colleague costs one warning naming the rule, not a hung run.
"""

from __future__ import annotations

from typing import ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.rules import Rule, RuleSet
from normalize.schema import Field

DEFAULT_TIMEOUT_SECONDS = 5.0


class RegexReplaceAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "pattern": Field(str, required=True, doc="a `regex` pattern; inline flags like (?i) work"),
        "replacement": Field(str, doc="template for the match: \\1, \\g<name>; '' deletes"),
        "files_only": Field(bool, doc="apply only to whole files, not to JSON fields"),
        "note": Field(bool, doc="mark the match for a reviewer instead of changing it"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "timeout": Field((int, float), doc="seconds one rule may search one document"),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.timeout = float(self.options.get("timeout", DEFAULT_TIMEOUT_SECONDS))
        self.compiled = [(rule, compile_rule_pattern(rule)) for rule in self.rules]
        for rule in self.rules:
            if "replacement" not in rule.data and not rule.data.get("note"):
                raise RuleProblem(rule, "needs a 'replacement' (or 'note: true')")

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        changes: list[Change] = []
        for rule, pattern in self.compiled:
            if rule.data.get("files_only") and not doc.is_file:
                continue
            note = bool(rule.data.get("note"))
            template = rule.data.get("replacement", "")
            try:
                for match in pattern.finditer(text, timeout=self.timeout):
                    after = match.group() if note else match.expand(template)
                    changes.append(Change(match.start(), match.end(), after, rule.id, note=note))
            except TimeoutError:
                doc.warnings.append(
                    f"rule {rule.id} ({rule.path.name}:{rule.line}) timed out after "
                    f"{self.timeout:g}s and was skipped for this document"
                )
        return changes


def compile_rule_pattern(rule: Rule, key: str = "pattern") -> regex.Pattern[str]:
    """Compile a rule's pattern (`re`-compatible syntax), naming the rule if it is broken."""
    try:
        return regex.compile(rule.data[key])
    except regex.error as error:
        raise RuleProblem(rule, f"invalid regular expression in {key!r}: {error}") from error
