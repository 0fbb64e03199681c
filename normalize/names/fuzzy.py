"""Fuzzy candidates for the names pass: capitalised words close to a known name.

Only a capitalised word that is neither an English word, nor a word of a name in
the gazetteer, nor a real name from the name lists (rules/data/names/) is looked
up, with symspellpy, among the words of the canonical names; the names pass then
accepts a candidate only with agreeing evidence. Each distinct
word is classified once per process and the verdict cached (a bounded cache), so
the per-document cost is two set operations, whatever the gazetteer's size.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass

from symspellpy import SymSpell, Verbosity

from normalize.names.gazetteer import Gazetteer, Person

# Distinct words remembered before the cache starts afresh; bounds memory.
_CACHE_LIMIT = 500_000
# symspellpy's prefix length; it must exceed the largest edit distance.
_PREFIX_LENGTH = 7


@dataclass(frozen=True, slots=True)
class Candidate:
    """`word` may be token `index` of `person`'s canonical name, `distance` edits away."""

    person: Person
    index: int
    distance: int
    target: str  # the canonical token, as written


class FuzzyNames:
    def __init__(
        self,
        gazetteer: Gazetteer,
        is_word: Callable[[str], bool],
        real_names: Set[str],
        *,
        max_distance: int,
        min_length: int,
        two_edits_min_length: int,
    ) -> None:
        self.is_word = is_word
        self.real_names = real_names  # lower case: other people's names, never fuzzy
        self.known = gazetteer.known_tokens
        self.max_distance = max_distance
        self.min_length = min_length
        self.two_edits_min_length = two_edits_min_length
        self.symspell = SymSpell(
            max_dictionary_edit_distance=max_distance,
            prefix_length=max(_PREFIX_LENGTH, max_distance + 1),
        )
        self.targets: dict[str, list[tuple[Person, int]]] = {}
        for person in gazetteer.persons:
            if not person.fuzzy:
                continue
            for index, token in enumerate(person.canonical.tokens):
                if len(token) >= min_length:
                    key = token.lower()
                    self.targets.setdefault(key, []).append((person, index))
                    self.symspell.create_dictionary_entry(key, 1)
        self._checked: set[str] = set()
        self._found: dict[str, tuple[Candidate, ...]] = {}

    def candidates(self, words: Set[str]) -> dict[str, tuple[Candidate, ...]]:
        """The words of `words` that may be misspelt names, with their candidates."""
        if not self.targets:
            return {}
        new = words - self._checked
        if new:
            if len(self._checked) + len(new) > _CACHE_LIMIT:
                self._checked.clear()
                self._found.clear()
                new = set(words)
            for word in new:
                found = self._classify(word)
                if found:
                    self._found[word] = found
            self._checked |= new
        return {word: self._found[word] for word in self._found.keys() & words}

    def _classify(self, word: str) -> tuple[Candidate, ...]:
        # Title-case words only: an all-capitals word may be an acronym, and a
        # lower-case one is not a name.
        if len(word) < self.min_length or not word[0].isupper() or word.isupper():
            return ()
        key = word.lower()
        if key in self.known or key in self.real_names or self.is_word(key):
            return ()
        distance = self.max_distance if len(word) >= self.two_edits_min_length else 1
        suggestions = self.symspell.lookup(key, Verbosity.CLOSEST, max_edit_distance=distance)
        return tuple(
            Candidate(person, index, suggestion.distance, person.canonical.tokens[index])
            for suggestion in suggestions
            if _plausible_slip(key, suggestion.term)
            for person, index in self.targets[suggestion.term]
        )


def _plausible_slip(word: str, target: str) -> bool:
    """A misspelling keeps the first letter, and is not the name plus or minus an
    ending: "Bransons" is a plural, "Raimond" and "Haine" are names of their own."""
    return (
        word != target
        and word[0] == target[0]
        and not word.startswith(target)
        and not target.startswith(word)
    )
