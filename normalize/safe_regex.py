"""Rule patterns written by people, run so that a bad one cannot hang or sink a run.

Any action that compiles a pattern from a rule file uses this module:

- `compile_rule_pattern` refuses, naming the rule, a pattern that does not
  compile or whose counted repeats would unroll into a huge program
  (`(?:a{1000}){1000}` takes 300 MB to compile; a little more gets the process killed for memory);
- `check_template` refuses a replacement template that refers to a group the
  pattern does not have, at load time rather than on the first match;
- `RegexBudget` runs every search under a per-rule, per-document time budget (the
  `regex` module's timeout): a catastrophic pattern such as `(a+)+$` costs one
  warning naming the rule, and the rule is skipped for the rest of that document.
  Only a pattern that cannot backtrack (`has_no_choice`) is searched without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import regex

from normalize.actions import DocContext, OutOfTime, RuleProblem
from normalize.pattern_scan import class_end
from normalize.rules import Rule

# Seconds one rule may spend on one document, plus an allowance per million
# characters: ordinary patterns scan tens of megabytes a second, so a big but
# honest document never runs out, while a runaway pattern is stopped in seconds.
DEFAULT_TIMEOUT_SECONDS = 5.0
SECONDS_PER_MILLION_CHARS = 1.0
# Estimated size of a compiled pattern (see `pattern_size`) above which it is refused.
MAX_PATTERN_SIZE = 100_000
# A prefilter with a longer word list is left to the Hyperscan scan (QuickTest.scan_only).
LONG_LIST = 100
NOTHING = "\uffff"  # a noncharacter: stands in for an empty word list, matches no text

_QUANTIFIER = regex.compile(r"\{(\d*)(?:,(\d*))?\}")
_BRACED_ESCAPE = regex.compile(r"\\[pPNxXuUg]\{[^}]*\}")
_NAMED_ESCAPE = regex.compile(r"\\L<\w+>")  # a word list
_ESCAPES_WITH_ARGUMENT = frozenset("pPNxXuUL")
# Group openings that add no choice: non-capturing, capturing, named, atomic,
# look-arounds, a back-reference by name, and inline flags other than verbose.
_PLAIN_GROUP = regex.compile(r"\(\?(?:[:=!>]|<[=!]|P?<\w+>|P=\w+\)|[aimsurw]+[:)])")
T = TypeVar("T")


def compile_rule_pattern(
    rule: Rule,
    key: str = "pattern",
    *,
    source: str | None = None,
    flags: int = 0,
    lists: dict[str, list[str]] | None = None,
) -> regex.Pattern[str]:
    """Compile a rule's pattern (`re`-compatible syntax), naming the rule if it is unusable.

    `source` overrides `rule.data[key]` (for patterns an action assembles from
    several of the rule's entries); `key` still names the entry in messages.
    `lists` are the named word lists the pattern uses as `\\L<name>`.
    """
    pattern = rule.data[key] if source is None else source
    size = pattern_size(pattern)
    if size > MAX_PATTERN_SIZE:
        raise RuleProblem(
            rule,
            f"the regular expression in {key!r} is too big: its counted repeats unroll to "
            f"about {size:,} steps (limit {MAX_PATTERN_SIZE:,})",
        )
    try:
        return regex.compile(pattern, flags, **(lists or {}))
    except ValueError as error:
        if lists and "unused keyword" in str(error):  # `regex` refuses lists the pattern never uses
            raise RuleProblem(
                rule, f"{error} (a list in 'lists' that {key!r} never uses)"
            ) from error
        raise RuleProblem(rule, f"invalid regular expression in {key!r}: {error}") from error
    except (regex.error, RecursionError, OverflowError, TypeError) as error:
        detail = "nested too deeply" if isinstance(error, RecursionError) else error
        raise RuleProblem(rule, f"invalid regular expression in {key!r}: {detail}") from error


class LongListPattern:
    """A pattern with a long word list, compiled for each text with the words it contains.

    `regex` compiles a list word by word (80 ms for 3,500 words, at every
    start-up) and tries its words one by one at each position (3 ms for a short
    article). A prefilter with such a list is searched by the Hyperscan scan
    (QuickTest.scan_only), which needs only the source, the flags and the lists;
    `regex` searches it only where the scan cannot answer, or to check a rule's
    examples, and then with the few words of the text at hand.
    """

    def __init__(self, source: str, flags: int, lists: dict[str, list[str]]) -> None:
        self.pattern = source
        self.flags = flags
        self.named_lists = {name: frozenset(words) for name, words in lists.items()}

    def for_text(self, text: str) -> regex.Pattern[str]:
        """The pattern with each list cut down to the words that occur in `text`
        (all of them if case is ignored: a word may occur in another case)."""
        if self.flags & regex.IGNORECASE:
            return regex.compile(self.pattern, self.flags, **self.named_lists)
        lists = {
            name: [word for word in words if word in text] or [NOTHING]
            for name, words in self.named_lists.items()
        }
        return regex.compile(self.pattern, self.flags, **lists)

    def search(self, text: str, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        return self.for_text(text).search(text, *args, **kwargs)

    def finditer(self, text: str, *args: Any, **kwargs: Any) -> Iterator[regex.Match[str]]:
        return self.for_text(text).finditer(text, *args, **kwargs)


SearchPattern: TypeAlias = "regex.Pattern[str] | LongListPattern"


def compile_rule_prefilter(rule: Rule, source: str, lists: dict[str, list[str]]) -> SearchPattern:
    """A rule's prefilter, compiled; a LongListPattern if it uses a long word list."""
    if not any(len(words) > LONG_LIST for words in lists.values()):
        return compile_rule_pattern(rule, "prefilter", source=source, lists=lists)
    # Errors (and inline flags) are found as well with one word of each list.
    cut = {name: words[:1] for name, words in lists.items()}
    checked = compile_rule_pattern(rule, "prefilter", source=source, lists=cut)
    return LongListPattern(source, checked.flags, lists)


def pattern_size(pattern: str) -> int:
    """A rough upper estimate of a pattern's compiled size.

    Every atom counts one and a counted repeat `{m,n}` multiplies what it
    repeats; `*`, `+` and `?` do not unroll, so they multiply nothing. Precise
    enough to tell `.{0,500}x.{0,500}` (about 1,000) from `(?:a{1000}){1000}`
    (a million), without parsing the whole `regex` syntax.
    """
    sizes = [0]  # running size of each open group, outermost first
    last = 0  # size of the atom a quantifier would apply to
    i = 0
    while i < len(pattern):
        char = pattern[i]
        atom = 1
        if char == "\\":
            braced = _BRACED_ESCAPE.match(pattern, i)
            i = braced.end() if braced else i + 2
        elif char == "[":
            i = class_end(pattern, i)
        elif char == "(":
            sizes.append(0)
            i += 1
            continue
        elif char == ")" and len(sizes) > 1:
            atom = max(sizes.pop(), 1)
            i += 1
        elif char == "{" and (quantifier := _QUANTIFIER.match(pattern, i)):
            low, high = quantifier.group(1), quantifier.group(2)
            count = _count(high) if high else _count(low)
            sizes[-1] += last * (count - 1)
            last *= count
            i = quantifier.end()
            continue
        else:
            i += 1
        sizes[-1] += atom
        last = atom
    return sum(sizes)


def has_no_choice(source: str) -> bool:
    """Whether the pattern `source` surely has no repetition and no alternation.

    Such a pattern tries each position of a text in time bounded by its own
    length (it never backtracks, but over the few entry lengths of one word
    list), so a search is linear in the text and cannot run away: it needs no
    timeout, which costs about 2 microseconds a call, more than many such
    searches take.

    Conservative: a quantifier, a `|`, recursion, verbose mode or any construct
    not recognised here answers False.
    """
    if len(_NAMED_ESCAPE.findall(source)) > 1:
        return False  # each list may match a few lengths: two would multiply them
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            kind = source[i + 1 : i + 2]
            if kind == "g":
                return False  # a call of a group: recursion
            escape = (_NAMED_ESCAPE if kind == "L" else _BRACED_ESCAPE).match(source, i)
            if escape is None and kind in _ESCAPES_WITH_ARGUMENT:
                return False  # not in a form recognised here: no guess
            i = escape.end() if escape else i + 2
        elif char == "[":
            i = class_end(source, i)
        elif source.startswith("(?", i):
            group = _PLAIN_GROUP.match(source, i)
            if group is None:
                return False
            i = group.end()
        elif char in "*+?{|":
            return False
        else:
            i += 1
    return True


def _count(digits: str) -> int:
    # Long digit strings are huge counts (and Python refuses to parse very long ones).
    return int(digits) if 0 < len(digits) < 10 else (1 if not digits else 10**10)


def check_template(rule: Rule, pattern: regex.Pattern[str], template: str, key: str) -> None:
    """Refuse a replacement template with a bad escape or a group the pattern lacks."""
    # An empty-matching pattern with the same groups (numbers and names) expands
    # the template exactly as a real match would, without needing one.
    names = {number: name for name, number in pattern.groupindex.items()}
    groups = "".join(
        f"(?P<{names[n]}>)" if n in names else "()" for n in range(1, pattern.groups + 1)
    )
    dummy = regex.compile(groups).match("")
    assert dummy is not None
    try:
        dummy.expand(template)
    except (regex.error, IndexError) as error:
        raise RuleProblem(rule, f"invalid replacement in {key!r}: {error}") from error


class RegexBudget:
    """The time each rule's patterns may spend on one document.

    Get it with `RegexBudget.of(doc, pass_name, len(text), seconds)`: the budget
    lives in the document's context, so it spans all rounds of a pass. A rule that
    runs out is skipped for the rest of the document, with one warning.
    """

    def __init__(self, doc: DocContext, text_length: int, seconds: float) -> None:
        self.doc = doc
        self.allowance = seconds + SECONDS_PER_MILLION_CHARS * text_length / 1_000_000
        self.spent: dict[str, float] = {}
        self.exhausted: set[str] = set()
        self._prefilter_results: dict[str, tuple[str, bool]] = {}  # source -> (text, found)

    @classmethod
    def of(
        cls,
        doc: DocContext,
        pass_name: str,
        text_length: int,
        seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> RegexBudget:
        key = ("regex-budget", pass_name)
        budget = doc.meta.get(key)
        if budget is None:
            budget = doc.meta[key] = cls(doc, text_length, seconds)
        return budget  # type: ignore[no-any-return]

    def finditer(self, rule: Rule, test: QuickTest, text: str) -> list[regex.Match[str]]:
        """All matches of `test`'s pattern, or none if the rule runs out of time."""
        pattern = test.pattern
        if test.linear:
            return list(pattern.finditer(text))
        key = rule.id
        if key in self.exhausted:
            return []
        spent = self.spent.get(key, 0.0)
        started = time.perf_counter()
        try:
            # The timeout covers the whole scan only while the matches are listed here.
            return list(pattern.finditer(text, timeout=self._timeout(spent)))
        except TimeoutError:
            self._out_of_pass_time()
            self.exhausted.add(key)
            self._warn(rule)
            return []
        finally:
            self.spent[key] = spent + time.perf_counter() - started

    def _timeout(self, spent: float) -> float:
        """What a search of a rule that has `spent` seconds on the document may
        take: the rest of its allowance, and no more than its pass has left."""
        return max(min(self.allowance - spent, self.doc.seconds_left()), 0.001)

    def _out_of_pass_time(self) -> None:
        """After a timeout: raise OutOfTime if it was the pass's time that ran
        out, not the rule's (the pass is stopped then, not the rule blamed)."""
        if self.doc.seconds_left() <= 0:
            raise OutOfTime

    def any_found(self, tests: Iterable[QuickTest], text: str) -> bool:
        """Whether one of the quick `tests` (a rule's prefilters) finds something.

        No accounting per rule, which would cost more than these searches: each
        gets the whole allowance as its timeout, and one that runs out counts as
        found, so the rule itself runs, under its budget, and is named if slow.
        A `scan_only` test is not searched here (it counts as found): the
        Hyperscan scan, which answers for it quickly, has already had its say.
        """
        return any(self._found(test, text) for test in tests)

    def _found(self, test: QuickTest, text: str) -> bool:
        if not test.may_match(text):
            return False
        if test.complete or test.scan_only:
            return True
        # Rules of a pass may share a prefilter: it is searched once per text.
        source = test.pattern.pattern
        known = self._prefilter_results.get(source)
        if known is not None and known[0] is text:
            return known[1]
        if test.linear:
            found = test.pattern.search(text) is not None
        else:
            try:
                found = test.pattern.search(text, timeout=self._timeout(0.0)) is not None
            except TimeoutError:
                self._out_of_pass_time()
                found = True
        self._prefilter_results[source] = (text, found)
        return found

    def fullmatch(
        self, rule: Rule, pattern: regex.Pattern[str], text: str
    ) -> regex.Match[str] | None:
        return self._guarded(rule, pattern.fullmatch, text, None)

    def search_in(
        self, rule: Rule, pattern: regex.Pattern[str], text: str
    ) -> regex.Match[str] | None:
        return self._guarded(rule, pattern.search, text, None)

    def attempt(self, key: str, method: Callable[..., T], text: str) -> T:
        """`method(text, timeout=...)` with the time `key` has left; a TimeoutError
        marks `key` exhausted and propagates.

        For actions that run several rules' patterns as one regex and, when it
        times out, fall back to rule by rule to find the culprit.
        """
        spent = self.spent.get(key, 0.0)
        started = time.perf_counter()
        try:
            return method(text, timeout=self._timeout(spent))
        except TimeoutError:
            self._out_of_pass_time()
            self.exhausted.add(key)
            raise
        finally:
            self.spent[key] = spent + time.perf_counter() - started

    def _guarded(self, rule: Rule, method: Callable[..., T], text: str, default: T) -> T:
        if rule.id in self.exhausted:
            return default
        try:
            return self.attempt(rule.id, method, text)
        except TimeoutError:
            self._warn(rule)
            return default

    def _warn(self, rule: Rule) -> None:
        self.doc.warnings.append(
            f"rule {rule.id} ({rule.path.name}:{rule.line}) took more than "
            f"{self.allowance:.1f}s on this document and was skipped for it "
            "(a pattern that backtracks catastrophically?)"
        )


@dataclass(frozen=True, slots=True)
class QuickTest:
    """A pattern with the literal text every match of it starts with.

    `may_match` is a substring test, no regex search: for the many patterns led
    by a word or a punctuation mark, most texts are ruled out at that cost.
    """

    pattern: SearchPattern
    literal: str
    complete: bool  # the pattern is that literal and nothing more
    linear: bool  # searched without a timeout (see `has_no_choice`)
    scan_only: bool = False  # too slow for `regex`: only the Hyperscan scan searches it

    @classmethod
    def of(cls, pattern: SearchPattern) -> QuickTest:
        literal, complete = leading_literal(pattern.pattern)
        plain = pattern.flags & (regex.VERBOSE | regex.VERSION1) == 0
        return cls(
            pattern,
            literal,
            complete and pattern.flags & regex.IGNORECASE == 0,
            plain and has_no_choice(pattern.pattern),
            # `regex` tries a word list's words one by one at each position: with
            # 3,500 words a search of a short article takes 3 ms, a hundred times
            # a search with a letter class in the list's place.
            any(len(words) > LONG_LIST for words in pattern.named_lists.values()),
        )

    def may_match(self, text: str) -> bool:
        return not self.literal or self.literal in text


_ESCAPED_CHARS = {"n": "\n", "t": "\t", "r": "\r"}
_META = set(".^$*+?{}[]()|\\")


def leading_literal(source: str) -> tuple[str, bool]:
    """(text every match of the pattern `source` starts with, whether that is all of it).

    A document without that text cannot match, and `literal in text` costs far
    less than a regex search with a timeout; a pattern that is only a literal
    needs no search at all. Conservative: any top-level alternation or inline
    flag (which could make the pattern case-insensitive or verbose) gives "".
    """
    if "(?" in source and regex.search(r"\(\?[a-zA-Z]*[ixX]", source):
        return "", False
    if _has_top_level_alternation(source):
        return "", False
    literal: list[str] = []
    i = 0
    while i < len(source):
        char, step = source[i], 1
        if char == "\\" and i + 1 < len(source):
            escaped, step = source[i + 1], 2
            if escaped in _ESCAPED_CHARS:
                char = _ESCAPED_CHARS[escaped]
            elif not escaped.isascii() or escaped.isalnum():
                break  # a class (\d, \p{..}), an anchor (\A, \b) or a reference
            else:
                char = escaped
        elif char in _META:
            break
        following = source[i + step : i + step + 1]
        if following and following in "*?{+":
            if following == "+":
                literal.append(char)  # once at least, then we stop looking
            return "".join(literal), False
        literal.append(char)
        i += step
    return "".join(literal), i == len(source)


def _has_top_level_alternation(source: str) -> bool:
    depth = 0
    in_class = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":  # "[]...]": the first ] is literal
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False
