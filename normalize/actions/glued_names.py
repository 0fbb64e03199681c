"""Names glued to the word next to them: `AncelottiReal`, `Palacein`, `AFPsaid`.

The `name` mechanism of the glued-words pass (rules/40-glued-words.yaml). The
`case` mechanism leaves a token alone when its first part is capitalised
(FoxNews, LinkedIn, CareNow are brands); this one splits such tokens only with
evidence that one side is a name, from three sources:

- the shared lists of organisations (`name_lists`: AFP, Xinhua, Rai...) and the
  names gazetteer (`gazetteer_words`);
- the document itself: the name stands on its own elsewhere in it ("Ancelotti:"
  in the title, "Planalto Palace" earlier in the text);
- the word before the token, which the left side completes into a listed name
  ("Iran PressIran News": "Iran Press").

A token that occurs twice, that the lexicon knows whole or that a `never_split`
entry or pattern keeps (McDonald, LaLiga, YouTube) stays, as do handles,
hashtags and addresses (the context the `case` tokens need). A side is a name
only if it is no common English word in lower case in the same document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import partial
from itertools import pairwise

import regex

from normalize.actions import Resources
from normalize.actions.glued_words import (
    _AFTER,
    _BEFORE,
    _CASE_CLASSES,
    Split,
    TextScan,
    _find_all,
    _Splitter,
    _standing_alone,
)
from normalize.names.shared import gazetteer_names
from normalize.rules import Rule
from normalize.safe_regex import DEFAULT_TIMEOUT_SECONDS, compile_rule_pattern
from normalize.wordlists import resolve_rule_list, rule_list

# A run of capitalised parts ("AncelottiReal", "RadioRaiGuest"), a capitalised
# word with a lower-case tail ("Palacein"), an acronym with one ("AFPsaid").
NAME_TOKEN = regex.compile(
    _BEFORE + r"(?:\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)+|\p{Lu}\p{Ll}{4,}|\p{Lu}{2,}\p{Ll}{3,})" + _AFTER
)
_PARTS = regex.compile(r"\p{Lu}\p{Ll}+")
_ACRONYM = regex.compile(r"(\p{Lu}{2,})(\p{Ll}{3,})")
_WORD_BEFORE = regex.compile(r"(\p{Lu}[\p{L}.-]*) $")
# An acronym run into a lower-case word: the seam "FPsai" of "AFPsaid", as
# letter classes of the text's byte copy (see TextScan).
_ACRONYM_SEAM = b"AAaaa"
_WORDS = regex.compile(r"[\p{L}\p{M}]+")
MIN_NAME = 5  # letters of the word before a glued function word ("Palacein", not "Forand")


class NameSplitter(_Splitter):
    """`AncelottiReal` → `Ancelotti Real`; `Palacein` → `Palace in`; `AFPsaid` → `AFP said`."""

    pattern = NAME_TOKEN
    seam = None  # capitalised unknown words may be in any text

    def __init__(self, rule: Rule, resources: Resources) -> None:
        super().__init__(rule, resources)
        self.min_count = int(rule.data.get("min_count", 100_000))
        patterns = rule.data.get("never_split_patterns") or []
        joined = "|".join(f"(?:{p})" for p in patterns)
        self.kept = (
            compile_rule_pattern(rule, "never_split_patterns", source=joined) if patterns else None
        )
        files = rule.data.get("name_lists") or []
        self.listed = frozenset(
            name.lower()
            for file in files
            for name in resolve_rule_list(rule, "name_lists", file, resources.rules_dir)
        ) | {name.lower() for name in gazetteer_names(resources)}
        # Real names that are one word ("Adamson", "Forand"): never split.
        self.not_names = _shared_words(rule, "not_names", resources)
        self.function = sorted(
            {w.lower() for w in rule_list(rule, "function_words", resources)}, key=len, reverse=True
        )
        self._words: tuple[str, Counter[str]] = ("", Counter())

    def _doc_words(self, text: str) -> Counter[str]:
        """The words of the text as written, counted: built once per text that
        has a candidate, so that evidence costs a look-up, not a search."""
        if self._words[0] is not text:
            self._words = (text, Counter(_WORDS.findall(text)))
        return self._words[1]

    def seams(self, scan: TextScan) -> list[int]:
        """Case seams ("iR" of "AncelottiReal") and acronym seams ("PSa" of "AFPsaid")."""
        acronyms = [
            at + 1 for at in _find_all(scan.as_bytes().translate(_CASE_CLASSES), _ACRONYM_SEAM)
        ]
        seams = scan.case_seams()
        return sorted(set(seams).union(acronyms)) if acronyms else seams

    def matches(self, text: str, scan: TextScan) -> Iterable[regex.Match[str]]:
        """Tokens at the seams, and capitalised words the lexicon does not know
        ("Palacein"), found as the `segment` mechanism finds its tokens."""
        found = {m.start(): m for m in self._tokens_at(self.seams(scan), text)}
        unknown = scan.long_words().difference(self.lexicon.counts)
        forms = [
            token
            for token in (word.capitalize() for word in unknown)
            if self.cached(f"tail:{token}", partial(self._may_tail, token))
        ]
        for token, starts in scan.long_word_places(forms).items():
            for start in starts:
                match = _standing_alone(token, start, text)
                if match is not None:
                    found.setdefault(match.start(), match)
        return [found[start] for start in sorted(found)]

    def _may_tail(self, token: str) -> bool:
        """Whether `token` ends with one of the function words (cheap, cached)."""
        return any(token.endswith(word) for word in self.function)

    def decide(self, match: regex.Match[str], scan: TextScan) -> Split | None:
        text = scan.text
        token = match.group()
        lower = token.lower()
        if token in self.never_split or lower in self.lexicon or lower in self.not_names:
            return None  # a word, or a real name as a whole ("Adamson", "Sheinbaum")
        if lower in self.listed or lower in self.names:
            return None  # a listed name as a whole ("Jinping" of Xi Jinping)
        words = self._doc_words(text)
        if words[token] > 1:
            return None  # the same form twice is a brand or a handle
        acronym = _ACRONYM.fullmatch(token)
        if acronym is not None:
            # Before the patterns, which keep acronyms run into a name (CNNMoney).
            return self._after_acronym(acronym.group(1), acronym.group(2))
        if self._kept_by_pattern(token):
            return None
        parts = _PARTS.findall(token)
        if len(parts) >= 2 and "".join(parts) == token:
            return self._between_names(parts, match, text, words)
        return self._before_function_word(token, words)

    def _kept_by_pattern(self, token: str) -> bool:
        """Whether a `never_split_patterns` entry (McDonald, duPlessis) matches the
        whole token; when it runs out of time, the token stays."""
        if self.kept is None:
            return False
        try:
            return self.kept.fullmatch(token, timeout=DEFAULT_TIMEOUT_SECONDS) is not None
        except TimeoutError:
            return True

    def _after_acronym(self, left: str, right: str) -> Split | None:
        """`AFPsaid`: a listed acronym and a common word."""
        if left.lower() in self.listed and self.is_word(right, self.min_count):
            return Split(len(left), " ", f"'{left}' is a listed name and '{right}' a word")
        return None

    def _between_names(
        self, parts: list[str], match: regex.Match[str], text: str, words: Counter[str]
    ) -> Split | None:
        """The first seam of a run of capitalised parts where a name ends."""
        before = _WORD_BEFORE.search(text, max(0, match.start() - 40), match.start())
        offset = 0
        for i, (left, right) in enumerate(pairwise(parts)):
            offset += len(left)
            previous = before.group(1) if i == 0 and before else None
            reason = self._name_ends(left, right, previous, words)
            if reason is not None:
                return Split(offset, " ", reason)  # a name may go on into the next word
        return None

    def _name_ends(
        self, left: str, right: str, previous: str | None, words: Counter[str]
    ) -> str | None:
        """Why a name ends between `left` and `right`, or None.

        Either the word before and `left` make a listed name ("Washington
        PostPolitically"), or `left` is no word of the lexicon and the document
        writes it, and `right`, on their own ("Ancelotti: ...", "Real Madrid"):
        two words of the lexicon run together are a brand (BellSouth, AppleTalk).
        """
        if previous is not None and f"{previous} {left}".lower() in self.listed:
            return f"'{previous} {left}' is a listed name"
        if (
            left.lower() not in self.lexicon
            and words[left] > 0
            and words[left.lower()] == 0
            and words[right] > 0
        ):
            return f"'{left}' and '{right}' each stand alone in the document"
        return None

    def _before_function_word(self, token: str, words: Counter[str]) -> Split | None:
        """`Palacein`: a word the document writes on its own, then a function word."""
        for word in self.function:
            left = token[: -len(word)]
            if token.endswith(word) and len(left) >= MIN_NAME and words[left] > 0:
                return Split(
                    len(left), " ", f"'{left}' stands alone in the document, '{word}' follows"
                )
        return None


def _shared_words(rule: Rule, key: str, resources: Resources) -> frozenset[str]:
    """The lower-cased entries of the list files under `key`, read once per process."""
    files = tuple(rule.data.get(key) or [])
    return resources.shared(
        f"glued_names:{key}:{files}",
        lambda: frozenset(
            entry.lower()
            for file in files
            for entry in resolve_rule_list(rule, key, file, resources.rules_dir)
        ),
    )
