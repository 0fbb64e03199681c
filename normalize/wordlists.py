"""Word lists that rules name.

A rule gives a list inline (a YAML list) or as the path of a list file under the
rules folder (one entry per line, `#` starts a comment), so long lists such as
nationalities live in `rules/data/lists/` and several passes can share them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from normalize.actions import Resources, RuleProblem
from normalize.rule_files import RuleFileError, read_rule_text
from normalize.rules import Rule
from normalize.schema import short_repr

_LETTERS = re.compile(r"[^\W\d_]+")  # runs of letters; `re` finds them twice as fast as `regex`
# Lower-case ASCII letters stay, every other byte becomes a space.
_LOWER_ASCII_ONLY = bytes(
    byte if chr(byte) in string.ascii_lowercase else ord(" ") for byte in range(256)
)


class WordGate:
    """Whether a text contains one of some words as a whole run of letters.

    A quick necessary condition for a rule that looks for a long word list: no
    per-word Python work. For plain lower-case ASCII words (weekdays, months,
    nationalities), the text is mapped in C to its runs of lower-case ASCII
    letters and split, several times faster than finding runs of any letter.
    """

    def __init__(self, words: Iterable[str]) -> None:
        listed = frozenset(words)
        self.ascii = all(w.isascii() and w.isalpha() and w.islower() for w in listed)
        self.words: frozenset[str] | frozenset[bytes] = (
            frozenset(w.encode("ascii") for w in listed) if self.ascii else listed
        )

    def found_in(self, text: str) -> bool:
        return not self.words.isdisjoint(self._runs(text))

    def present_in(self, text: str) -> frozenset[str]:
        """The words that `text` contains."""
        found = self.words.intersection(self._runs(text))
        if self.ascii:
            return frozenset(word.decode("ascii") for word in found)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    def _runs(self, text: str) -> list[bytes] | list[str]:
        if self.ascii:
            return text.encode("ascii", "replace").translate(_LOWER_ASCII_ONLY).split()
        return _LETTERS.findall(text)


class ListError(ValueError):
    """A list value that is neither a list of strings nor a readable list file."""


def read_list_file(path: Path) -> list[str]:
    """The entries of a list file: one a line, blank lines and `#` comments skipped."""
    entries: list[str] = []
    for line in read_rule_text(path).splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(entry)
    return entries


def resolve_list(value: Any, rules_dir: Path) -> list[str]:
    """An inline list of strings, or the entries of the list file `value` names."""
    if isinstance(value, str):
        path = rules_dir / value
        if not path.exists():
            raise ListError(f"list file {short_repr(value)} not found under {rules_dir}")
        try:
            return read_list_file(path)
        except RuleFileError as error:
            raise ListError(f"list file {short_repr(value)} {error}") from error
        except UnicodeDecodeError as error:
            reason = f"is not UTF-8 ({error.reason})"
            raise ListError(f"list file {short_repr(value)} {reason}") from error
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, list) and any(isinstance(item, bool) for item in value):
        raise ListError(
            "YAML reads unquoted no, yes, on, off as true/false: quote such words ('no', 'on')"
        )
    raise ListError(
        f"a list is a YAML list of strings or a list file path, found {short_repr(value)}"
    )


def rule_list(rule: Rule, key: str, resources: Resources) -> list[str]:
    """The list under `key` of `rule` (empty when absent); RuleProblem when unusable."""
    if key not in rule.data:
        return []
    return resolve_rule_list(rule, key, rule.data[key], resources.rules_dir)


def resolve_rule_list(rule: Rule, label: str, value: Any, rules_dir: Path) -> list[str]:
    """`value` resolved as a list of `rule`; a RuleProblem names the rule and `label`."""
    try:
        return resolve_list(value, rules_dir)
    except ListError as error:
        raise RuleProblem(rule, f"{label!r}: {error}") from error
