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
none of the words of list NAME and searches the others for only the words
they contain, which saves searching for a long word list; `match_in: NAME`
keeps only matches whose text is a word of list NAME, a set lookup in Python,
so that the pattern can stay generic (`\\p{Lu}\\p{Ll}+`) however long the list;
`prefilter` is a simpler pattern that must find something wherever the rule's
pattern matches: texts where it finds nothing (nearly all clean text) are not
searched with the rule's pattern at all. A prefilter that misses one of the
rule's own changing examples is refused when the rules load.

Before any of that, one Hyperscan scan of the text for the patterns and
prefilters of every pass (normalize.pattern_scan) rules out the rules that
cannot match; only the others are tried, in order, as described above.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.names.shared import gazetteer_names
from normalize.pattern_scan import LIST_REFERENCE, PatternScan, ScanDatabase
from normalize.quotes import QuoteSpans
from normalize.rules import Example, Rule, RuleSet
from normalize.safe_regex import (
    DEFAULT_TIMEOUT_SECONDS,
    NOTHING,
    QuickTest,
    RegexBudget,
    check_template,
    compile_rule_pattern,
    compile_rule_prefilter,
)
from normalize.schema import Field, short_repr
from normalize.wordlists import WordGate, resolve_rule_list

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "RegexReplaceAction", "compile_rule_pattern"]

CASES = ("capitalize",)
GAZETTEER_LIST = "gazetteer"
NARROWED_PATTERNS = 512  # NarrowedList keeps at most this many compiled patterns
EXAMPLE_SECONDS = 1.0  # a prefilter's search of a rule example when the rules load
_LOOKAROUND = regex.compile(r"\(\?<?[=!]")


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    """A rule's keys, read once: a document's loop looks nothing up by name."""

    rule: Rule
    pattern: QuickTest
    prefilters: tuple[QuickTest, ...]  # the rule runs where one finds something
    required: NarrowedList | None  # words one of which the text must contain
    match_in: frozenset[str] | None  # the words a match must be
    template: str
    note: bool
    files_only: bool
    outside_quotes: bool
    capitalize: bool
    min_line_length: int
    scan_index: int | None = None  # of the pattern in the pass's PatternScan, if there
    scan_prefilters: frozenset[int] = frozenset()  # of the prefilters there (all or none)

    def may_match(self, scanned: set[int]) -> bool:
        """What the pass's scan found allows a match: the pattern, and a prefilter if any."""
        return (self.scan_index is None or self.scan_index in scanned) and (
            not self.scan_prefilters or not self.scan_prefilters.isdisjoint(scanned)
        )


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
        "match_in": Field(str, doc="a list name: keep only matches that are one of its words"),
        "prefilter": Field(
            (str, list),
            items=str,
            doc="quicker pattern(s), one of which finds something wherever the rule matches",
        ),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "timeout": Field(
            (int, float),
            doc="seconds one rule may search one document (+1 s per million chars)",
            positive=True,
        ),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.timeout = float(self.options.get("timeout", DEFAULT_TIMEOUT_SECONDS))
        self.compiled, self.scan = _with_scan(
            [self._compile(rule) for rule in self.rules], resources.scan_database()
        )
        # The rules a text with no scan hit still needs: those the scan does not cover.
        self.unscanned_rules = [c for c in self.compiled if c.may_match(set())]

    def _compile(self, rule: Rule) -> _CompiledRule:
        data = rule.data
        if "replacement" not in data and not data.get("note"):
            raise RuleProblem(rule, "needs a 'replacement' (or 'note: true')")
        if data.get("case", CASES[0]) not in CASES:
            raise RuleProblem(rule, f"unknown case {data['case']!r} (known: {CASES})")
        lists = self._lists(rule)
        pattern = compile_rule_pattern(rule, lists=_used(lists, data["pattern"]))
        if "replacement" in data:
            check_template(rule, pattern, data["replacement"], "replacement")
        required: NarrowedList | None = None
        match_in: frozenset[str] | None = None
        if "requires_words" in data:
            name = _list_name(rule, "requires_words", lists)
            if name not in pattern.named_lists:
                raise RuleProblem(
                    rule, f"'requires_words' names a list the pattern never uses: {name!r}"
                )
            required = NarrowedList(pattern, name, WordGate(lists[name]))
        if "match_in" in data:
            match_in = frozenset(lists[_list_name(rule, "match_in", lists)])
        prefilters = tuple(
            QuickTest.of(compile_rule_prefilter(rule, source, _used(lists, source)))
            for source in _prefilter_sources(rule)
        )
        check_prefilters(rule, prefilters)
        _check_lists_used(rule, lists)
        return _CompiledRule(
            rule=rule,
            pattern=QuickTest.of(pattern),
            prefilters=prefilters,
            required=required,
            match_in=match_in,
            template=data.get("replacement", ""),
            note=bool(data.get("note")),
            files_only=bool(data.get("files_only")),
            outside_quotes=bool(data.get("outside_quotes")),
            capitalize=data.get("case") == "capitalize",
            min_line_length=int(data.get("min_line_length", 0)),
        )

    def _lists(self, rule: Rule) -> dict[str, list[str]]:
        declared = rule.data.get("lists") or {}
        lists = {name: rule_list_value(rule, name, value, self) for name, value in declared.items()}
        for name in _list_references(rule):
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
        changes: list[Change] = []
        quotes: QuoteSpans | None = None
        budget: RegexBudget | None = None
        # One scan for all the rules' patterns first (None: no scan, every rule's
        # own gates decide); nearly all clean text stops here.
        scanned = self.scan.candidates(text)
        rules = self.unscanned_rules if scanned is not None and not scanned else self.compiled
        for compiled in rules:
            if compiled.files_only and not doc.is_file:
                continue
            if scanned is not None and not compiled.may_match(scanned):
                continue
            rule = compiled.rule
            # A long word list is slow to search for at every position; the
            # text's words tell at once which of them occur, if any.
            pattern = compiled.pattern
            if compiled.required is not None:
                narrowed = compiled.required.for_text(text)
                if narrowed is None:
                    continue
                pattern = narrowed
            if budget is None:
                budget = RegexBudget.of(doc, self.ruleset.pass_name, len(text), self.timeout)
            if compiled.prefilters and not budget.any_found(compiled.prefilters, text):
                continue
            if not pattern.may_match(text):
                continue
            for match in budget.finditer(rule, pattern, text):
                doc.check_time()
                if compiled.match_in is not None and match.group() not in compiled.match_in:
                    continue
                if compiled.outside_quotes:
                    quotes = quotes or QuoteSpans(text)
                    if quotes.overlaps(match.start(), match.end()):
                        continue
                if compiled.min_line_length and (
                    _line_length(text, match.start()) < compiled.min_line_length
                ):
                    continue
                after = match.group() if compiled.note else match.expand(compiled.template)
                if compiled.capitalize:
                    after = after[:1].upper() + after[1:]
                changes.append(
                    Change(match.start(), match.end(), after, rule.id, note=compiled.note)
                )
        return changes


class NarrowedList:
    """A rule's pattern with its `requires_words` list cut down to the words of a text.

    A word list of hundreds is tried at every position of a text; the two or
    three words a text has are tried many times quicker. The gate sees whole
    words, so a text whose list words all come inside longer words gets None.
    Patterns are compiled per set of words, and kept (a bounded number).
    """

    def __init__(self, pattern: regex.Pattern[str], name: str, gate: WordGate) -> None:
        self.pattern = pattern
        self.name = name
        self.gate = gate
        self._narrowed: dict[frozenset[str], QuickTest] = {}

    def for_text(self, text: str) -> QuickTest | None:
        present = self.gate.present_in(text)
        if not present:
            return None
        narrowed = self._narrowed.get(present)
        if narrowed is None:
            if len(self._narrowed) >= NARROWED_PATTERNS:
                self._narrowed.clear()  # bounded memory on endless streams
            lists = {name: sorted(words) for name, words in self.pattern.named_lists.items()}
            lists[self.name] = sorted(present)
            pattern = regex.compile(self.pattern.pattern, self.pattern.flags, **lists)
            narrowed = self._narrowed[present] = QuickTest.of(pattern)
        return narrowed


def _with_scan(
    compiled: list[_CompiledRule], database: ScanDatabase
) -> tuple[list[_CompiledRule], PatternScan]:
    """The rules, each knowing where its patterns are in one PatternScan of them.

    Hyperscan drops look-arounds (it answers for a wider pattern), so a pattern
    with look-arounds tells little: when the other side of a rule, its pattern
    or its prefilters, has none, only that side is scanned. The choice changes
    speed only: an unscanned side counts as found in every text.
    """
    patterns: list[regex.Pattern[str]] = []
    placed = []
    for rule in compiled:
        prefilters = [prefilter.pattern for prefilter in rule.prefilters]
        plain_pattern = not _LOOKAROUND.search(rule.pattern.pattern.pattern)
        plain_prefilters = not any(_LOOKAROUND.search(p.pattern) for p in prefilters)
        index = None
        if not prefilters or plain_pattern or not plain_prefilters:
            index = len(patterns)
            patterns.append(rule.pattern.pattern)
        scanned: frozenset[int] = frozenset()
        if prefilters and (plain_prefilters or not plain_pattern):
            scanned = frozenset(range(len(patterns), len(patterns) + len(prefilters)))
            patterns.extend(prefilters)
        placed.append(replace(rule, scan_index=index, scan_prefilters=scanned))
    return placed, PatternScan(patterns, database)


def _used(lists: dict[str, list[str]], source: str) -> dict[str, list[str]]:
    """The lists a pattern refers to (`regex` refuses lists a pattern does not use)."""
    return {name: lists[name] for name in LIST_REFERENCE.findall(source) if name in lists}


def _list_name(rule: Rule, key: str, lists: dict[str, list[str]]) -> str:
    name: str = rule.data[key]
    if name not in lists:
        raise RuleProblem(rule, f"{key!r} names no list of the rule: {name!r}")
    return name


def _prefilter_sources(rule: Rule) -> list[str]:
    sources = rule.data.get("prefilter", [])
    return [sources] if isinstance(sources, str) else list(sources)


def _list_references(rule: Rule) -> list[str]:
    """The names of the lists the rule's pattern and prefilters use as `\\L<name>`."""
    return [
        name
        for source in (rule.data["pattern"], *_prefilter_sources(rule))
        for name in LIST_REFERENCE.findall(source)
    ]


def _check_lists_used(rule: Rule, lists: dict[str, list[str]]) -> None:
    """Refuse a list in 'lists' that nothing uses: most likely a misspelt name."""
    unused = sorted(lists.keys() - {*_list_references(rule), rule.data.get("match_in")})
    if unused:
        raise RuleProblem(rule, f"'lists' has {unused[0]!r}, which nothing in the rule uses")


def check_prefilters(rule: Rule, prefilters: tuple[QuickTest, ...]) -> None:
    """Refuse prefilters that find nothing in an example the rule changes or notes."""
    if not prefilters:
        return
    for example in rule.examples:
        changes = example.output is not None or example.expects_note
        if changes and not any(_finds(rule, p, example) for p in prefilters):
            raise RuleProblem(
                rule,
                f"'prefilter' finds nothing in the example at line {example.line}, "
                "which the rule changes: the rule would never run there",
            )


def _finds(rule: Rule, prefilter: QuickTest, example: Example) -> bool:
    """Whether `prefilter` finds something in the example, searched within
    EXAMPLE_SECONDS: a prefilter that backtracks catastrophically is refused
    when the rules load, instead of holding them up for minutes."""
    try:
        return prefilter.pattern.search(example.input, timeout=EXAMPLE_SECONDS) is not None
    except TimeoutError:
        raise RuleProblem(
            rule,
            f"'prefilter' took more than {EXAMPLE_SECONDS:.0f}s on the example at line "
            f"{example.line} (a pattern that backtracks catastrophically?)",
        ) from None


def rule_list_value(rule: Rule, name: str, value: Any, action: Action) -> list[str]:
    """One entry of a rule's `lists`, resolved (inline, or a list file)."""
    if not isinstance(name, str) or not regex.fullmatch(r"\w+", name):
        raise RuleProblem(rule, f"list names are words, found {short_repr(name)}")
    return resolve_rule_list(rule, f"lists.{name}", value, action.resources.rules_dir)


def _line_length(text: str, position: int) -> int:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return (len(text) if end < 0 else end) - start
