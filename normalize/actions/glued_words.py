"""Split words that a scraper ran together where a link or a bold span was dropped.

Each rule picks one of three mechanisms with its `split` key:

- `case`: a lower-case letter followed by an upper-case one inside a token
  (`tensionsThe`, `rightsChinese`), when both sides are words;
- `stop`: a full stop between two words with no space after it (`China.On`);
- `segment`: an unknown lower-case token that symspellpy splits into two
  common words with a function word at the seam (`technologyamong`, `Kongas`
  after `Hong`), when the neighbouring words agree.

Candidates are found cheaply (a regex for the seam, or set operations on the
text's words) and the expensive checks run once per distinct token (cached),
only on the rare tokens that get that far. Every split only inserts text (a
space, or a full stop and a space); no letter of the document is ever changed.
See rules/40-glued-words.yaml for why each separator is chosen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.lexicon import Lexicon
from normalize.rules import Rule, RuleSet
from normalize.schema import Field
from normalize.segmentation import Segmenter, commonest, edits1, inserts1, load_bigrams
from normalize.wordlists import gazetteer_words, rule_list

# Characters that, next to a token, make it part of a URL, handle, path or code.
_BEFORE = r"(?<![\p{L}\p{M}\p{N}_@#$/\\.&=+])"
_AFTER = r"(?![\p{L}\p{M}\p{N}_@#/\\=(+™®©]|\.[\p{L}\p{N}])"
CASE_TOKEN = regex.compile(_BEFORE + r"(?P<left>\p{Lu}?\p{Ll}+)(?P<right>\p{Lu}\p{Ll}+)" + _AFTER)
STOP_TOKEN = regex.compile(_BEFORE + r"(?P<left>\p{L}*\p{Ll})\.(?P<right>\p{Lu}\p{Ll}+)" + _AFTER)
_WORD_BEFORE = r"(?<![\p{L}\p{M}\p{N}_@#$/\\.&=+'’-])"
# Cheap first sieve for run-together tokens (ASCII letters, as symspellpy's list):
# the standard `re` runs these twice as fast; boundaries are checked afterwards.
_LOWER_WORD = re.compile(r"[a-z]{6,}")
_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]{5,}")
# The word right before / after a token, separated by one space and nothing else.
_PREVIOUS_WORD = regex.compile(r"(?:^|[^\p{L}'’-])(\p{L}+) $")
_NEXT_WORD = regex.compile(r" (\p{L}+)")
_CODE_LINE = regex.compile(r"[{}]|\);|\bvar |\bfunction\s*\(|==|=>|</?[a-z]+[ >]")
SPLITS = ("case", "stop", "segment")
CACHE_LIMIT = 50_000  # distinct tokens remembered per rule before the cache starts over

KEYS_BY_SPLIT: dict[str, set[str]] = {
    "case": {
        "never_split",
        "never_split_patterns",
        "sentence_openers",
        "openers_after_capital",
        "closed_class",
        "proper_words",
        "min_count",
    },
    "stop": {"never_split", "keep_right"},
    "segment": {
        "junction_words",
        "min_count",
        "min_piece_length",
        "min_length",
        "min_junction_length",
        "rival_ratio",
        "min_typo_count",
    },
}


@dataclass(frozen=True, slots=True)
class Split:
    """Where a token is cut (offset into the token) and what goes in between."""

    offset: int
    separator: str
    reason: str


class GluedWordsAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "split": Field(str, required=True, doc=f"the mechanism: {', '.join(SPLITS)}"),
        "never_split": Field((list, str), doc="tokens kept as they are (list or list file)"),
        "never_split_patterns": Field(list, items=str, doc="regexes a kept token fully matches"),
        "sentence_openers": Field((list, str), doc="words that, capitalised, start a sentence"),
        "openers_after_capital": Field(
            (list, str), doc="case: the openers split off a capitalised word (NY TimesThe)"
        ),
        "closed_class": Field((list, str), doc="words a sentence cannot end with"),
        "proper_words": Field((list, str), doc="words always written with a capital"),
        "keep_right": Field((list, str), doc="stop: right sides kept (domains, file types)"),
        "junction_words": Field((list, str), doc="segment: one piece must be one of these"),
        "min_count": Field(int, doc="a piece must be at least this common in the lexicon"),
        "min_piece_length": Field(int, doc="segment: shortest piece"),
        "min_length": Field(int, doc="segment: shortest token considered"),
        "min_junction_length": Field(int, doc="segment: shortest function word at the seam"),
        "rival_ratio": Field(
            (int, float), doc="segment: how much commoner the pair must be than a near word"
        ),
        "min_typo_count": Field(int, doc="segment: a word this common one letter longer wins"),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.splitters: list[_Splitter] = []
        for rule in self.rules:
            kind = rule.data["split"]
            if kind not in SPLITS:
                raise RuleProblem(rule, f"unknown split {kind!r} (known: {', '.join(SPLITS)})")
            stray = set(rule.data) - KEYS_BY_SPLIT[kind] - {"split"}
            if stray:
                raise RuleProblem(rule, f"split: {kind} does not use {', '.join(sorted(stray))}")
            factory: Callable[[Rule, Resources], _Splitter] = {
                "case": CaseSplitter,
                "stop": StopSplitter,
                "segment": SegmentSplitter,
            }[kind]
            self.splitters.append(factory(rule, resources))

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        changes: list[Change] = []
        for splitter in self.splitters:
            changes.extend(splitter.propose(text))
        return changes


class _Splitter:
    """One rule's mechanism: finds candidate tokens and decides on each."""

    pattern: ClassVar[regex.Pattern[str]]  # the whole candidate token, with its context
    trigger: ClassVar[regex.Pattern[str]]  # the seam inside it, cheap to scan for

    def __init__(self, rule: Rule, resources: Resources) -> None:
        self.rule = rule
        self.resources = resources
        self.never_split = set(rule_list(rule, "never_split", resources))
        self._cache: dict[str, object] = {}
        self._lexicon: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = self.resources.lexicon()
        return self._lexicon

    @property
    def names(self) -> frozenset[str]:
        return self.resources.shared("gazetteer_words", lambda: gazetteer_words(self.resources))

    def is_word(self, word: str, min_count: int) -> bool:
        lower = word.lower()
        return self.lexicon.count(lower) >= min_count or lower in self.names

    def cached(self, key: str, decide: Callable[[], object]) -> object:
        if key not in self._cache:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()  # bounded memory on endless streams
            self._cache[key] = decide()
        return self._cache[key]

    def matches(self, text: str) -> Iterator[regex.Match[str]]:
        """The candidate tokens of `text`.

        Scanning for the seam ("sT", "s.T") is ten times faster than trying the
        whole token pattern at every position; the pattern is then tried only
        at the start of the word around each seam.
        """
        done = 0
        for seam in self.trigger.finditer(text):
            start = seam.start()
            while start > done and text[start - 1].isalpha():
                start -= 1
            match = self.pattern.match(text, start)
            if match is not None:
                done = match.end()
                yield match

    def propose(self, text: str) -> Iterator[Change]:
        for match in self.matches(text):
            split = self.decide(match, text)
            if split is None or _in_code_line(text, match.start()):
                continue
            at = match.start() + split.offset
            if split.separator:
                yield Change(at, at, split.separator, self.rule.id, message=split.reason)
            else:
                yield Change(
                    match.start(),
                    match.end(),
                    match.group(),
                    self.rule.id,
                    message=split.reason,
                    note=True,
                )

    def decide(self, match: regex.Match[str], text: str) -> Split | None:
        raise NotImplementedError


class CaseSplitter(_Splitter):
    """`tensionsThe` → `tensions. The`; `rightsChinese` → `rights Chinese`."""

    pattern = CASE_TOKEN
    trigger = regex.compile(r"\p{Ll}\p{Lu}")

    def __init__(self, rule: Rule, resources: Resources) -> None:
        super().__init__(rule, resources)
        self.min_count = int(rule.data.get("min_count", 100_000))
        self.openers = {w.lower() for w in rule_list(rule, "sentence_openers", resources)}
        self.openers_after_capital = {
            w.lower() for w in rule_list(rule, "openers_after_capital", resources)
        }
        self.closed = {w.lower() for w in rule_list(rule, "closed_class", resources)}
        self.proper = {w.lower() for w in rule_list(rule, "proper_words", resources)}
        patterns = rule.data.get("never_split_patterns") or []
        try:
            self.kept = regex.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        except regex.error as error:
            raise RuleProblem(rule, f"invalid regular expression: {error}") from error

    def decide(self, match: regex.Match[str], text: str) -> Split | None:
        token, left, right = match.group(), match.group("left"), match.group("right")
        if not self.cached(token, lambda: self._both_words(token, left, right)):
            return None
        if text.count(token, max(0, match.start() - 100_000), match.start() + 100_000) > 1:
            return None  # the same glued form twice is a brand or a handle, not an accident
        offset = len(left)
        if right.lower() in self.openers:
            if left.lower() in self.closed:
                return Split(
                    offset,
                    "",
                    f"'{left}' cannot end a sentence and '{right}' "
                    "usually starts one: glued words, but which separator?",
                )
            return Split(offset, ". ", f"'{right}' starts a sentence: '{left}' ended one")
        if left.lower() in self.closed:
            return Split(offset, " ", f"'{left}' cannot end a sentence")
        if self._sentence_starts(right, match.end(), text):
            return Split(
                offset,
                ". ",
                f"'{right}' is written in lower case elsewhere in the "
                "document, so its capital starts a sentence",
            )
        return Split(offset, " ", f"'{right}' is a name or is not known to start a sentence")

    def _both_words(self, token: str, left: str, right: str) -> bool:
        if token in self.never_split or (self.kept and self.kept.fullmatch(token)):
            return False
        if token.lower() in self.lexicon or len(left) < 2:
            return False  # "PayPal" is one word; "iPhone", "eBay" have a one-letter prefix
        if left[0].isupper() and (len(left) < 3 or right.lower() not in self.openers_after_capital):
            return False  # FoxNews, LinkedIn, CareNow: brands; "NY TimesThe" is split
        right_ok = right.lower() in self.proper or self.is_word(right, self.min_count)
        return right_ok and self.is_word(left, self.min_count)

    def _sentence_starts(self, right: str, end: int, text: str) -> bool:
        """Document evidence that `right` is a common word capitalised by a sentence start."""
        lower = right.lower()
        if lower in self.proper:
            return False
        after = _NEXT_WORD.match(text, end)
        if after and after.group(1)[0].isupper():
            return False  # "overthrowPresident Olusegun": the start of a name
        if not regex.search(rf"(?<![\p{{L}}'’-]){lower}(?![\p{{L}}'’-])", text):
            return False
        return not regex.search(rf"\p{{Ll}}[,;]? {right}(?![\p{{L}}'’-])", text)


class StopSplitter(_Splitter):
    """`China.On` → `China. On`, but `One.Tel`, `Amazon.Com`, `U.S.` stay."""

    pattern = STOP_TOKEN
    trigger = regex.compile(r"\p{Ll}\.\p{Lu}")

    def __init__(self, rule: Rule, resources: Resources) -> None:
        super().__init__(rule, resources)
        self.keep_right = {w.lower() for w in rule_list(rule, "keep_right", resources)}

    def decide(self, match: regex.Match[str], text: str) -> Split | None:
        token, right = match.group(), match.group("right")
        if token in self.never_split or right.lower() in self.keep_right:
            return None
        return Split(len(match.group("left")) + 1, " ", "a full stop between two words")


class SegmentSplitter(_Splitter):
    """`technologyamong` → `technology among`; `Hong Kongas` → `Hong Kong as`."""

    def __init__(self, rule: Rule, resources: Resources) -> None:
        super().__init__(rule, resources)
        self.min_count = int(rule.data.get("min_count", 1_000_000))
        self.min_piece = int(rule.data.get("min_piece_length", 2))
        self.min_length = int(rule.data.get("min_length", 6))
        self.min_junction = int(rule.data.get("min_junction_length", 3))
        self.rival_ratio = float(rule.data.get("rival_ratio", 10))
        self.min_typo_count = int(rule.data.get("min_typo_count", 10_000))
        self.junction = {w.lower() for w in rule_list(rule, "junction_words", resources)}
        if not self.junction:
            raise RuleProblem(rule, "split: segment needs 'junction_words'")

    @property
    def bigrams(self) -> dict[str, int]:
        return self.resources.shared("symspell_bigrams", load_bigrams)

    @property
    def known(self) -> frozenset[str]:
        return self.resources.shared("lexicon_words", lambda: frozenset(self.lexicon.counts))

    def matches(self, text: str) -> Iterator[regex.Match[str]]:
        # Set operations run in C: only the few distinct tokens the lexicon does
        # not know reach Python, and only those that split are searched again.
        unknown = set(_LOWER_WORD.findall(text)) - self.known
        capitalised = set(_CAPITALISED_WORD.findall(text))
        unknown.update(w for w in capitalised if w.lower() not in self.known)
        for token in sorted(unknown):
            if len(token) < self.min_length:
                continue
            if self.cached(token, lambda t=token: self._pieces(t)):
                yield from regex.finditer(_WORD_BEFORE + regex.escape(token) + _AFTER, text)

    def decide(self, match: regex.Match[str], text: str) -> Split | None:
        token = match.group()
        splits = self.cached(token, lambda: self._pieces(token))
        if not isinstance(splits, list):
            return None
        before = _PREVIOUS_WORD.search(text[max(0, match.start() - 40) : match.start()])
        after = _NEXT_WORD.match(text, match.end())
        previous = before.group(1) if before else None
        following = after.group(1) if after else None
        for first, last in splits:
            if self._agrees(token, first, last, previous, following) and self._confirmed(
                token, first, last
            ):
                left, right = token[: len(first)], token[len(first) :]
                return Split(len(first), " ", f"'{left}' and '{right}' are words run together")
        return None

    def _agrees(
        self, token: str, first: str, last: str, previous: str | None, following: str | None
    ) -> bool:
        """Do the neighbouring words agree with the split?"""
        if token[0].isupper():
            # A capitalised token is a name unless it completes the name before
            # it and a function word follows: "Hong Kongas" (hong kong), but not
            # "King Hassan" (has san) or "The Costan" (the is no name).
            return (
                previous is not None
                and previous[0].isupper()
                and previous.lower() not in self.junction
                and first not in self.junction
                and last in self.junction
                and self._known(previous, first)
            )
        return (previous is not None and self._known(previous, first)) or (
            following is not None and self._known(last, following)
        )

    def _confirmed(self, token: str, first: str, last: str) -> bool:
        """symspellpy's best segmentation of the token is this split, exactly."""
        segmenter = self.resources.shared("segmenter", lambda: Segmenter(self.lexicon))
        pieces = self.cached(f"segmented:{token}", lambda: segmenter.pieces(token.lower()))
        return pieces == [first, last]

    def _known(self, left: str, right: str) -> bool:
        return f"{left.lower()} {right.lower()}" in self.bigrams

    def _pieces(self, token: str) -> list[tuple[str, str]] | None:
        """The splits of `token` into a function word and a common word, or None.

        Only lexicon look-ups here: the bigram table and symspellpy are loaded
        when a token gets past these checks, which clean text rarely does.
        """
        lower = token.lower()
        if lower in self.names:
            return None
        # Short function words ("as", "or", "be") are also common word endings
        # and beginnings (robustas, grantor, beheads); they count at the seam of
        # a capitalised token only, where the name context decides.
        shortest = 1 if token[0].isupper() else self.min_junction
        splits = []
        for cut in range(self.min_piece, len(lower) - self.min_piece + 1):
            first, last = lower[:cut], lower[cut:]
            if not any(p in self.junction and len(p) >= shortest for p in (first, last)):
                continue
            if min(self.lexicon.count(first), self.lexicon.count(last)) >= self.min_count:
                splits.append((first, last))
        if not splits:
            return None  # "cyberattack", "workgroups": compounds, not glue
        counts = self.lexicon.counts
        dropped = commonest(inserts1(lower), counts)
        if dropped and dropped[1] >= self.min_typo_count:
            return None  # "forsee" is "foresee" with a letter dropped, not "for see"
        rival = commonest(edits1(lower), counts) if token[0].islower() else None
        if rival:
            # "theyre" is one edit from "there": the pair must be far commoner.
            floor = self.rival_ratio * rival[1]
            splits = [s for s in splits if self.bigrams.get(" ".join(s), 0) >= floor]
        return splits or None


def _in_code_line(text: str, position: int) -> bool:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return bool(_CODE_LINE.search(text, start, len(text) if end < 0 else end))
