"""Remove web chrome: whole lines that belong to the page, not to the article.

A line is boilerplate when it is one of a rule's `lines` (compared ignoring case,
runs of spaces and trailing colons or full stops), when it fully matches one of
a rule's `patterns`, or, for a `repeated_line` rule, when it repeats the previous
non-blank line (a title printed twice, up to its quote marks). Only short lines
are considered: chrome is short, and a paragraph is never removed as a whole.
A rule's `not_after` pattern, found in the non-blank line above, keeps a line
(a source credit under a row of figures belongs to the figures). A rule with
`takes_list` removes the list its label introduces with it ("Related" and the
headlines of other stories under it), never the label alone above a list.

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
from normalize.pattern_scan import (
    PatternScan,
    PatternSource,
    ScanOnlyPattern,
    agreed_characters,
    character_class,
)
from normalize.rules import Rule, RuleSet
from normalize.safe_regex import DEFAULT_TIMEOUT_SECONDS, RegexBudget, compile_rule_pattern
from normalize.schema import Field

DEFAULT_MAX_LINE_LENGTH = 200
_SENTENCE_END = regex.compile(r"[.!?:;\"”’)\]]$")
# Constructs that tie a pattern to the start or end of its string, or look
# outside it: such patterns cannot be searched for over the whole text at once.
_STRING_BOUND = regex.compile(r"\\[AZzGbB]|\(\?<?[=!]|\(\?[a-zA-Z]*-|\(\?[R&+0-9]|\^|\$")
_TRAILING_CHARS = " :."
# Quote marks two printings of one title may differ in ("Blinken’s" / "Blinken's").
_QUOTE_CHARS = "\"'‘’“”«»„‚`´"
_QUOTES = str.maketrans("", "", _QUOTE_CHARS)
# A line of the list under a label (`takes_list`): a headline or a teaser,
# which ends with a letter, a figure, a question mark, a bracket or an
# ellipsis (not a stop, comma, colon or quote mark), holds no end of a
# sentence ("... a man. No one ...") and does not go on on the next line.
_LIST_ITEM_END = regex.compile(r"(?:[\p{L}\p{N})?»]|\.\.\.|…)$")
_SENTENCE_INSIDE = regex.compile(r"\p{Ll}{2}[.!?][\"”'’]? \p{Lu}")
# ... nor with a word after which a sentence goes on ("... a net loss of"), and
# is no newswire sign-off ("REUTER").
_ITEM_CUT = regex.compile(
    r"(?i:\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|that|as))$|^\p{Lu}+\p{P}*$"
)


def line_key(line: str) -> str:
    """How `lines` entries are compared: case, spacing, trailing ':' and '.' ignored."""
    return _collapse(line).rstrip(_TRAILING_CHARS).casefold()


def _collapse(line: str) -> str:
    """Runs of whitespace as one space, none at the ends."""
    return " ".join(line.split())


def repeat_key(line: str) -> str:
    """How `repeated_line` compares lines: spacing and quote marks ignored."""
    return _collapse(line.translate(_QUOTES))


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
        "not_after": Field(str, doc="a regex: lines under a line where it is found stay"),
        "takes_list": Field(bool, doc="also remove the list of short lines the label heads"),
        "not_first_line": Field(bool, doc="the text's first line (its title) stays"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "max_line_length": Field(int, doc="longer lines are never boilerplate"),
        "timeout": Field(
            (int, float),
            doc="seconds the patterns may take on one document (+1 s per million chars)",
            positive=True,
        ),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.max_length = int(self.options.get("max_line_length", DEFAULT_MAX_LINE_LENGTH))
        self.line_rule: dict[str, Rule] = {}
        self.patterns: list[tuple[Rule, regex.Pattern[str]]] = []
        self.repeat_rules: list[Rule] = []
        self.not_after: dict[str, regex.Pattern[str]] = {}
        for rule in self.rules:
            if not {"lines", "patterns", "repeated_line"} & set(rule.data):
                raise RuleProblem(rule, "needs 'lines', 'patterns' or 'repeated_line: true'")
            for line in rule.data.get("lines", []):
                self.line_rule.setdefault(line_key(line), rule)
            if rule.data.get("patterns"):
                joined = "|".join(f"(?:{p})" for p in rule.data["patterns"])
                pattern = compile_rule_pattern(
                    rule, "patterns", source=joined, flags=regex.IGNORECASE
                )
                self.patterns.append((rule, pattern))
            if rule.data.get("repeated_line"):
                self.repeat_rules.append(rule)
            if "not_after" in rule.data:
                self.not_after[rule.id] = compile_rule_pattern(rule, "not_after")
        self.timeout = float(self.options.get("timeout", DEFAULT_TIMEOUT_SECONDS))
        self.fused, self.fused_rules = _fuse(self.patterns)
        self.scan = _whole_text_scan(self.patterns)
        gate = _gate_patterns(self.line_rule)
        # Hyperscan gets each pattern on its own: in one expression, a pattern
        # it can only approximate (a counted repeat among many alternatives)
        # may turn the whole of it into "may match" for every text.
        first = len(gate)
        if self.scan is not None:
            sources = [source for rule, _ in self.patterns for source in rule.data["patterns"]]
            gate += [ScanOnlyPattern(_as_lines(source), regex.IGNORECASE) for source in sources]
        self.scan_indices = frozenset(range(first, len(gate)))
        self.gate = PatternScan(gate, resources.scan_database())
        # Without a whole-text scan, any line may match a rule's patterns.
        self.gate_complete = self.scan is not None or not self.patterns

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        lines = text.split("\n")
        found = self.gate.candidates(text) if self.gate_complete else None
        if found is not None and not found and not (self.repeat_rules and _may_repeat(lines)):
            return []  # no line of the text can be chrome: most texts
        budget = RegexBudget.of(doc, self.ruleset.pass_name, len(text), self.timeout)
        if found is not None and found.isdisjoint(self.scan_indices):
            patterns = False
        else:
            patterns = self._patterns_may_match(text, budget)
        verdicts = self._classify(lines, budget, patterns)
        if not any(verdicts):
            return []
        _extend_to_lists(lines, verdicts, self.max_length)
        return _removals(_split_lines(lines), verdicts, len(text))

    def _patterns_may_match(self, text: str, budget: RegexBudget) -> bool:
        """False when no line of `text` can match a rule's patterns.

        One search of the whole text instead of one call per line: most
        documents have no chrome at all. True when that cannot be known.
        """
        if self.scan is None:
            return bool(self.patterns)
        try:
            return budget.attempt(_SCAN, self.scan.search, text) is not None
        except TimeoutError:
            return True  # line by line, where the slow rule gets named

    def _classify(self, lines: list[str], budget: RegexBudget, patterns: bool) -> list[Rule | None]:
        verdicts: list[Rule | None] = [None] * len(lines)
        previous: str | None = None  # previous non-blank line, stripped, if short
        last = ""  # previous non-blank line, stripped, whatever its length
        above = ""  # the line right above, stripped
        for i, line in enumerate(lines):
            if i & 255 == 0:
                budget.doc.check_time()
            stripped = line.strip()
            if not stripped:
                above = ""
                continue
            if len(stripped) > self.max_length:
                # A line too long to be chrome is no title printed twice either.
                previous = None
            else:
                if not _continues(above, stripped):
                    rule = self._match(stripped, previous, budget, patterns)
                    if rule is not None and last and self._kept_after(rule, last, budget):
                        rule = None
                    if rule is not None and not last and rule.data.get("not_first_line"):
                        rule = None
                    verdicts[i] = rule
                previous = stripped
            # A sentence wraps onto the next line only from article text.
            above = "" if verdicts[i] is not None else stripped
            last = stripped
        return verdicts

    def _kept_after(self, rule: Rule, last: str, budget: RegexBudget) -> bool:
        """Whether the rule's `not_after` pattern keeps a line under `last`."""
        pattern = self.not_after.get(rule.id)
        return pattern is not None and budget.search_in(rule, pattern, last) is not None

    def _match(
        self, stripped: str, previous: str | None, budget: RegexBudget, patterns: bool
    ) -> Rule | None:
        rule = self.line_rule.get(line_key(stripped))
        if rule is not None:
            return rule
        if patterns:
            rule = self._match_patterns(stripped, budget)
            if rule is not None:
                return rule
        if previous is not None and _similar_ends(stripped, previous):
            collapsed = repeat_key(stripped)
            if collapsed == repeat_key(previous):
                words = len(collapsed.split())
                for rule in self.repeat_rules:
                    if words >= rule.data.get("min_words", 2):
                        return rule
        return None

    def _match_patterns(self, stripped: str, budget: RegexBudget) -> Rule | None:
        # One call of the fused pattern per line; if it runs out of time, rule by
        # rule for the rest of the document, so the slow rule is found and named.
        if self.fused is not None and _FUSED not in budget.exhausted:
            try:
                match = budget.attempt(_FUSED, self.fused.fullmatch, stripped)
            except TimeoutError:
                pass
            else:
                return self.fused_rules[match.lastgroup] if match and match.lastgroup else None
        for rule, pattern in self.patterns:
            if budget.fullmatch(rule, pattern, stripped):
                return rule
        return None


_FUSED = "boilerplate patterns"
_SCAN = "boilerplate patterns, whole text"


def _whole_text_scan(patterns: list[tuple[Rule, regex.Pattern[str]]]) -> regex.Pattern[str] | None:
    """One pattern that finds, in a whole text, every line some rule's pattern matches.

    It may find more (a pattern that matches across a newline), never fewer, so
    a text where it finds nothing has no line to try. Patterns whose meaning
    depends on the ends of the string they are matched against (anchors,
    look-arounds, scoped flags) or on their group numbers make it impossible:
    None, and every short line is tried.
    """
    sources = [pattern.pattern for _rule, pattern in patterns]
    if not sources or any(p.groups for _r, p in patterns):
        return None
    if any(_STRING_BOUND.search(source.replace("[^", "[")) for source in sources):
        return None
    body = "|".join(f"(?:{source})" for source in sources)
    return regex.compile(_as_lines(body), regex.IGNORECASE)


def _as_lines(body: str) -> str:
    """A pattern that finds the lines `body` matches (stripped) in a whole text."""
    # str.strip() also strips the separators U+001C..U+001F, which \s does not match.
    space = r"(?:[^\S\n]|[\x1c-\x1f])*"
    return f"(?m)^{space}(?:{body}){space}$"


def _gate_patterns(line_rules: dict[str, Rule]) -> list[PatternSource]:
    """Patterns that find, in a whole text, every line a rule's `lines` match.

    One pattern per listed line: its key's words in any case, separated by white
    space, with white space around and ':' or '.' after, as `line_key` would
    reduce the line. Case-insensitive matching is not case folding ("ß" folds
    to "ss"), so a last pattern finds the characters where the two differ;
    where it matches, every line is tried. Only the scan reads them: where it
    cannot answer, every line is looked up in `line_rule`.
    """
    space = character_class(agreed_characters(str.isspace).replace("\n", ""))
    folding = character_class(agreed_characters(_folds_otherwise))
    patterns: list[PatternSource] = []
    for key in line_rules:
        words = f"[{space}]+".join(regex.escape(word) for word in key.split(" "))
        patterns.append(
            ScanOnlyPattern(f"^[{space}]*{words}[{space}:.]*$", regex.IGNORECASE | regex.MULTILINE)
        )
    patterns.append(ScanOnlyPattern(f"[{folding}]", 0))
    return patterns


def _folds_otherwise(char: str) -> bool:
    return char.casefold() != char.lower()


def _may_repeat(lines: list[str]) -> bool:
    """Whether two successive non-blank lines may be the same up to spacing (a `repeated_line`)."""
    previous = ""
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if (
            previous
            and _similar_ends(stripped, previous)
            and repeat_key(stripped) == repeat_key(previous)
        ):
            return True
        previous = stripped
    return False


def _similar_ends(a: str, b: str) -> bool:
    """Cheap necessary condition for two stripped lines to be equal up to spacing
    and quote marks: the same first and last characters that are no quote marks."""
    if a[0] == b[0] and a[-1] == b[-1]:
        return True
    if not any(c in _QUOTE_CHARS for c in (a[0], a[-1], b[0], b[-1])):
        return False  # the common case, without copying the lines
    a, b = a.translate(_QUOTES), b.translate(_QUOTES)
    return bool(a) and bool(b) and a[0] == b[0] and a[-1] == b[-1]


def _extend_to_lists(lines: list[str], verdicts: list[Rule | None], max_length: int) -> None:
    """Give each `takes_list` label the list under it, the block whole or not at all.

    The list is the non-blank lines that follow the label as long as they are
    short headlines or teasers (chrome between them goes anyway), and it must
    end with a blank line, chrome or the end of the text: a list that runs
    straight into a paragraph may be that paragraph's own wrapped lines, and
    then the label and the list stay. A label with no list under it goes
    alone. One walk over the lines, whatever the number of labels.
    """
    if not any(rule is not None and rule.data.get("takes_list") for rule in verdicts):
        return
    label: int | None = None  # the line of the label whose list is being read
    items: list[int] = []
    ended = False  # a blank line or chrome since the last item
    following = _next_non_blank(lines)
    for i, rule in enumerate(verdicts):
        item = lines[i].strip()
        if rule is not None:
            if rule.data.get("takes_list"):
                label, items, ended = i, [], False
            elif items:
                ended = True
            continue
        if not item:
            ended = ended or bool(items)
            continue
        if label is None:
            continue
        if not ended and _list_item(item, following[i], max_length):
            items.append(i)
            verdicts[i] = verdicts[label]
            continue
        if items and not ended:
            for k in (label, *items):  # a list that runs into this line
                verdicts[k] = None
        label, items = None, []


def _list_item(item: str, after: str, max_length: int) -> bool:
    """Whether a stripped line can be an entry of a list of links."""
    return (
        len(item) <= max_length
        and _LIST_ITEM_END.search(item) is not None
        and _SENTENCE_INSIDE.search(item) is None
        and _ITEM_CUT.search(item) is None
        and not (after and (after[0].islower() or after[0].isdigit()))  # a wrapped sentence
    )


def _next_non_blank(lines: list[str]) -> list[str]:
    """For each line, the next non-blank line after it, stripped ("" at the end)."""
    following = [""] * len(lines)
    upcoming = ""
    for i in range(len(lines) - 1, -1, -1):
        following[i] = upcoming
        stripped = lines[i].strip()
        if stripped:
            upcoming = stripped
    return following


def _fuse(
    patterns: list[tuple[Rule, regex.Pattern[str]]],
) -> tuple[regex.Pattern[str] | None, dict[str, Rule]]:
    """All rules' patterns as one alternation, or None if a pattern has groups.

    An empty marker group closes each rule's branch, so the match's `lastgroup`
    names the first rule whose pattern matches the whole line, as trying them
    in order would. Capturing groups (and back-references to them) in a
    pattern would be renumbered by fusing, so such rules are tried one by one.
    """
    if not patterns or any(pattern.groups for _rule, pattern in patterns):
        return None, {}
    markers = {f"_rule{i}": rule for i, (rule, _pattern) in enumerate(patterns)}
    branches = [
        f"(?:{pattern.pattern})(?P<{marker}>)"
        for marker, (_rule, pattern) in zip(markers, patterns, strict=True)
    ]
    return regex.compile("|".join(branches), regex.IGNORECASE), markers


def _continues(above: str, line: str) -> bool:
    """True for the tail of a hard-wrapped sentence ("...declined further\ncomments.").

    Newswire text is often wrapped at 65 columns; a lower-case line under a line
    that does not end a sentence is part of a paragraph, never page chrome.
    """
    return bool(above) and line[0].islower() and not _SENTENCE_END.search(above)


def _split_lines(pieces: list[str]) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for piece in pieces:
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
