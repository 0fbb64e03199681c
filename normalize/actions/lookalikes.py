"""Fold letters that only look like Latin ones back to plain letters.

Styled text ("𝚃𝚑𝚎 𝚖𝚊𝚗", "𝗦𝗼𝘂𝗿𝗰𝗲") is written with mathematical alphanumeric
symbols and other compatibility characters that Unicode's NFKC maps to plain
letters; spoofed or carelessly typed words put a Cyrillic or Greek letter in a
Latin word ("Мoscow", "Insтιтuto"), which NFKC leaves alone, so a table of
look-alikes (a list file of the rules folder) says which Latin letter each is.

Each rule picks its mechanism:

- `ranges`: characters of these code point ranges whose NFKC form is a single
  letter or digit are folded to it; with `standalone: false` only inside a word
  of two letters or more (a lone "ℓ" may be a litre).
- `table`: inside a word that has Latin letters, letters of another script are
  folded when every one of them is in the table, the Latin letters are at least
  as many, and the case agrees: a lower-case Greek letter after capitals is a
  scientific name ("TNFα", "NFκB"), and a word written wholly in another
  script ("Москва", "Αθήνα") is never touched.

One change per word, so an edit shows the word before and after; letters with
correct accents keep them, since only the look-alike characters are replaced.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.pattern_scan import character_class
from normalize.rules import Rule, RuleSet
from normalize.schema import Field
from normalize.wordlists import rule_list

_WORD_CHARS = r"\p{L}\p{M}\p{Nd}"
_LATIN = regex.compile(r"\p{Latin}")
_RANGE = regex.compile(r"([0-9A-Fa-f]{1,6})(?:-([0-9A-Fa-f]{1,6}))?")


class _Folding:
    """One rule: which characters it folds, to what, and where."""

    def __init__(self, rule: Rule, mapping: dict[str, str], standalone: bool, mixed: bool) -> None:
        self.rule = rule
        self.mapping = mapping
        self.standalone = standalone
        self.mixed = mixed  # the table's rule: only in Latin words, with the checks above
        self.chars = regex.compile(f"[{character_class(''.join(sorted(mapping)))}]")

    def fold(self, word: str) -> str | None:
        """The word with its look-alikes folded, or None when it must stay."""
        if self.mixed:
            return self._fold_mixed(word)
        letters = sum(1 for c in word if c.isalpha() or c in self.mapping)
        if not self.standalone and letters < 2:
            return None
        folded = "".join(self.mapping.get(c, c) for c in word)
        return folded if folded != word else None

    def _fold_mixed(self, word: str) -> str | None:
        foreign = [c for c in word if c.isalpha() and not _LATIN.match(c)]
        latin = [c for c in word if _LATIN.match(c)]
        if not latin or not foreign or len(latin) < len(foreign):
            return None
        if any(c not in self.mapping for c in foreign):
            return None  # a letter of another script that no Latin letter looks like
        lower_latin = any(c.islower() for c in latin)
        if not lower_latin and any(c.islower() for c in foreign):
            return None  # "TNFα", "NFκB": a Greek letter in a scientific name
        return "".join(self.mapping.get(c, c) for c in word)


class LookalikeLettersAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "ranges": Field(
            list, items=str, doc="code point ranges (hex, '1D400-1D7FF') folded by NFKC"
        ),
        "standalone": Field(bool, doc="ranges: also a character that is a word alone"),
        "table": Field(
            (list, str), items=str, doc="'char latin' pairs (or a list file): look-alikes"
        ),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.foldings = [self._folding(rule) for rule in self.rules]
        chars = {c for f in self.foldings for c in f.mapping}
        self.chars = frozenset(chars)
        every = character_class("".join(sorted(chars)))
        # A class of the few blocks around those characters: a class of every
        # one of them (hundreds of ranges) is searched twenty times slower.
        self.candidates = re.compile(f"[{_enclosing_ranges(chars)}]")
        # A word: letters, marks and digits, and the styled symbols (circled
        # letters are symbols, not letters, for Unicode).
        self.word_char = regex.compile(f"[{_WORD_CHARS}{every}]")
        self.word = regex.compile(f"[{_WORD_CHARS}{every}]+")

    def _folding(self, rule: Rule) -> _Folding:
        has_ranges, has_table = "ranges" in rule.data, "table" in rule.data
        if has_ranges == has_table:
            raise RuleProblem(rule, "needs either 'ranges' or 'table'")
        if has_ranges:
            mapping = _nfkc_letters(rule, rule.data["ranges"])
            return _Folding(rule, mapping, bool(rule.data.get("standalone", True)), mixed=False)
        return _Folding(rule, _table(rule, rule_list(rule, "table", self.resources)), True, True)

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        if text.isascii():
            return []
        changes: list[Change] = []
        done = 0
        for hit in self.candidates.finditer(text):
            if hit.start() < done or hit.group() not in self.chars:
                continue
            word = self.word.match(text, self._word_start(text, hit.start()))
            if word is None:
                continue
            done = word.end()
            change = self._fold(word)
            if change is not None:
                changes.append(change)
        return changes

    def _word_start(self, text: str, position: int) -> int:
        """Where the word around `position` starts."""
        start = position
        while start > 0 and self.word_char.match(text, start - 1):
            start -= 1
        return start

    def _fold(self, word: regex.Match[str]) -> Change | None:
        """The first rule's folding of a word, applied again until it settles
        (a styled Greek letter becomes a Greek letter, then a Latin one)."""
        text = word.group()
        rule: Rule | None = None
        for _ in range(len(self.foldings)):
            for folding in self.foldings:
                if folding.chars.search(text):
                    folded = folding.fold(text)
                    if folded is not None:
                        text, rule = folded, rule or folding.rule
                        break
            else:
                break
        if rule is None:
            return None
        return Change(word.start(), word.end(), text, rule.id)


def _nfkc_letters(rule: Rule, ranges: list[str]) -> dict[str, str]:
    """The characters of `ranges` whose NFKC form is one letter or digit."""
    mapping: dict[str, str] = {}
    for item in ranges:
        match = _RANGE.fullmatch(item.strip())
        if match is None:
            raise RuleProblem(rule, f"'ranges': {item!r} is not a hex code point or range")
        first = int(match.group(1), 16)
        last = int(match.group(2) or match.group(1), 16)
        if last < first or last > 0x10FFFF:
            raise RuleProblem(rule, f"'ranges': {item!r} is not a range of code points")
        for code in range(first, last + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            if folded != char and len(folded) == 1 and folded.isalnum():
                mapping[char] = folded
    if not mapping:
        raise RuleProblem(rule, "'ranges' hold no character that NFKC folds to a letter")
    return mapping


def _table(rule: Rule, entries: list[str]) -> dict[str, str]:
    """'а a' entries: a letter of another script and the Latin letter it looks like."""
    mapping: dict[str, str] = {}
    for entry in entries:
        parts = entry.split()
        if (
            len(parts) != 2
            or len(parts[0]) != 1
            or len(parts[1]) != 1
            or not parts[0].isalpha()
            or _LATIN.match(parts[0])
            or not _LATIN.match(parts[1])
        ):
            raise RuleProblem(
                rule, f"'table': {entry!r} is not a letter of another script and a Latin letter"
            )
        mapping[parts[0]] = parts[1]
    return mapping


def _enclosing_ranges(chars: set[str], gap: int = 256) -> str:
    """A character class body of ranges that hold every one of `chars`, with
    runs closer than `gap` code points merged into one range."""
    points = sorted(map(ord, chars))
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point - ranges[-1][1] <= gap:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
