"""Rules that are a regular expression and a replacement template.

The workhorse for layout and other local repairs. Patterns use the `regex`
module (a superset of `re`), so a rule can use Unicode properties such as
`\\p{Lu}`, and every search runs under a time budget (see normalize.safe_regex):
a catastrophic pattern written by a colleague costs one warning naming the
rule, not a hung run.

Optional keys make sentence-level rules possible without new Python:
`lists` names word lists that the pattern uses as `\\L<name>` (the list
`gazetteer` is always there: the canonical names of the names pass);
`outside_quotes` leaves matches that touch a quotation alone; `case:
capitalize` upper-cases the first letter of the replacement; `min_line_length`
restricts a rule to lines at least that long (paragraphs, not the short lines
of hard-wrapped newswire text); `requires_words: NAME` skips texts that contain
none of the words of list NAME, which saves searching for a long word list.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.quotes import QuoteSpans
from normalize.rules import Rule, RuleSet
from normalize.safe_regex import (
    DEFAULT_TIMEOUT_SECONDS,
    RegexBudget,
    check_template,
    compile_rule_pattern,
)
from normalize.schema import Field
from normalize.wordlists import gazetteer_names, resolve_rule_list

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "RegexReplaceAction", "compile_rule_pattern"]

CASES = ("capitalize",)
GAZETTEER_LIST = "gazetteer"
NOTHING = "\uffff"  # a noncharacter: stands in for an empty list, matches no text
_LIST_REFERENCE = regex.compile(r"\\L<(\w+)>")
_WORD = re.compile(r"[^\W\d_]+")  # letters; the standard `re` lists them twice as fast


class RegexReplaceAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "pattern": Field(str, required=True, doc="a `regex` pattern; inline flags like (?i) work"),
        "replacement": Field(str, doc="template for the match: \\1, \\g<name>; '' deletes"),
        "files_only": Field(bool, doc="apply only to whole files, not to JSON fields"),
        "note": Field(bool, doc="mark the match for a reviewer instead of changing it"),
        "lists": Field(dict, doc="name -> list of words, or a list file under the rules folder"),
        "outside_quotes": Field(bool, doc="skip matches that touch a quotation"),
        "case": Field(str, doc="'capitalize': upper-case the first letter of the replacement"),
        "min_line_length": Field(int, doc="apply only in lines at least this long"),
        "requires_words": Field(str, doc="a list name: skip texts with none of its words"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "timeout": Field(
            (int, float), doc="seconds one rule may search one document (+1 s per million chars)"
        ),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.timeout = float(self.options.get("timeout", DEFAULT_TIMEOUT_SECONDS))
        self.compiled: list[tuple[Rule, regex.Pattern[str]]] = []
        self.required: dict[str, frozenset[str]] = {}  # rule id -> words one of which must occur
        for rule in self.rules:
            if "replacement" not in rule.data and not rule.data.get("note"):
                raise RuleProblem(rule, "needs a 'replacement' (or 'note: true')")
            if rule.data.get("case", CASES[0]) not in CASES:
                raise RuleProblem(rule, f"unknown case {rule.data['case']!r} (known: {CASES})")
            lists = self._lists(rule)
            pattern = compile_rule_pattern(rule, lists=lists)
            if "replacement" in rule.data:
                check_template(rule, pattern, rule.data["replacement"], "replacement")
            self.compiled.append((rule, pattern))
            if "requires_words" in rule.data:
                name = rule.data["requires_words"]
                if name not in lists:
                    raise RuleProblem(rule, f"'requires_words' names no list of the rule: {name!r}")
                self.required[rule.id] = frozenset(lists[name])

    def _lists(self, rule: Rule) -> dict[str, list[str]]:
        declared = rule.data.get("lists") or {}
        lists = {name: rule_list_value(rule, name, value, self) for name, value in declared.items()}
        for name in _LIST_REFERENCE.findall(rule.data["pattern"]):
            if name == GAZETTEER_LIST and name not in lists:
                lists[name] = self.resources.shared("gazetteer_names", self._gazetteer)
            elif name not in lists:
                raise RuleProblem(rule, f"the pattern uses \\L<{name}> but 'lists' has no {name!r}")
        # In `regex` an empty named list matches the empty string; a list that
        # is empty (no names pass, say) must match nothing instead.
        return {name: entries or [NOTHING] for name, entries in lists.items()}

    def _gazetteer(self) -> list[str]:
        return gazetteer_names(self.resources)

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        budget = RegexBudget.of(doc, self.ruleset.pass_name, len(text), self.timeout)
        changes: list[Change] = []
        quotes: QuoteSpans | None = None
        words: set[str] | None = None
        for rule, pattern in self.compiled:
            if rule.data.get("files_only") and not doc.is_file:
                continue
            required = self.required.get(rule.id)
            if required is not None:
                # A long word list is slow to search for at every position; the
                # set of the text's words tells at once whether any can match.
                words = words if words is not None else set(_WORD.findall(text))
                if required.isdisjoint(words):
                    continue
            note = bool(rule.data.get("note"))
            template = rule.data.get("replacement", "")
            min_line = rule.data.get("min_line_length", 0)
            for match in budget.finditer(rule, pattern, text):
                if rule.data.get("outside_quotes"):
                    quotes = quotes or QuoteSpans(text)
                    if quotes.overlaps(match.start(), match.end()):
                        continue
                if min_line and _line_length(text, match.start()) < min_line:
                    continue
                after = match.group() if note else match.expand(template)
                if rule.data.get("case") == "capitalize":
                    after = after[:1].upper() + after[1:]
                changes.append(Change(match.start(), match.end(), after, rule.id, note=note))
        return changes


def rule_list_value(rule: Rule, name: str, value: Any, action: Action) -> list[str]:
    """One entry of a rule's `lists`, resolved (inline, or a list file)."""
    if not isinstance(name, str) or not regex.fullmatch(r"\w+", name):
        raise RuleProblem(rule, f"list names are words, found {name!r}")
    return resolve_rule_list(rule, f"lists.{name}", value, action.resources.rules_dir)


def _line_length(text: str, position: int) -> int:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return (len(text) if end < 0 else end) - start
