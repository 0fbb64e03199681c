"""Split words that a scraper ran together where a link or a bold span was dropped.

Each rule picks one of three mechanisms with its `split` key:

- `case`: a lower-case letter followed by an upper-case one inside a token
  (`tensionsThe`, `rightsChinese`), when both sides are words;
- `stop`: a full stop between two words with no space after it (`China.On`);
- `segment`: an unknown lower-case token that symspellpy splits into two
  common words with a function word at the seam (`technologyamong`, `Kongas`
  after `Hong`), when the neighbouring words agree.

Candidates are found with a few scans of the whole text in C, shared by the
rules of the pass (`TextScan`): "sT" seams with `bytes.find` on a copy of the
text mapped to letter classes, "s.T" seams with a regex that only stops at full
stops, unknown words with one regex and set operations on a lower-cased copy.
Python only sees the rare seams and unknown words, and the expensive checks run
once per distinct token (cached). The work is bounded per character whatever
the shape of the text: each word is tried once however many seams it has (a
CamelCase run), a token longer than two words of the lexicon is not cut into
pieces (a run of letters), and what a decision needs from the rest of the text
(the same glued form again, the word written in lower case) is worked out once
per text, not searched for per token. Every split only inserts text (a space,
or a full stop and a space); no letter of the document is ever changed.
See rules/40-glued-words.yaml for why each separator is chosen.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from string import ascii_letters, ascii_lowercase, ascii_uppercase
from typing import ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.lexicon import Lexicon
from normalize.names.shared import gazetteer_words
from normalize.pattern_scan import PatternScan
from normalize.rules import Rule, RuleSet
from normalize.safe_regex import DEFAULT_TIMEOUT_SECONDS, compile_rule_pattern
from normalize.schema import Field
from normalize.segmentation import (
    BigramCounts,
    Segmenter,
    edits1,
    highest_count,
    inserts1,
    load_bigrams,
)
from normalize.wordlists import rule_list

# Characters that, next to a token, make it part of a URL, handle, path or code.
_BEFORE = r"(?<![\p{L}\p{M}\p{N}_@#$/\\.&=+])"
_AFTER = r"(?![\p{L}\p{M}\p{N}_@#/\\=(+™®©]|\.[\p{L}\p{N}])"
CASE_TOKEN = regex.compile(_BEFORE + r"(?P<left>\p{Lu}?\p{Ll}+)(?P<right>\p{Lu}\p{Ll}+)" + _AFTER)
STOP_TOKEN = regex.compile(_BEFORE + r"(?P<left>\p{L}*\p{Ll})\.(?P<right>\p{Lu}\p{Ll}+)" + _AFTER)
_WORD_BEFORE = r"(?<![\p{L}\p{M}\p{N}_@#$/\\.&=+'’-])"
# A whole word in the context a segment token needs. Matched where a token
# (letters) occurs, it ends right after the token exactly when
# `_WORD_BEFORE + token + _AFTER` would match there.
_BOUNDED_WORD = regex.compile(_WORD_BEFORE + r"\p{L}+" + _AFTER)
# A seam inside a token: "sT" as letter classes (see `TextScan`), "s.T" in the text.
_CASE_SEAM = b"aA"
_ASCII_STOP_SEAM = re.compile(r"\.(?<=[a-z]\.)(?=[A-Z])")
# The same seams where a letter outside ASCII takes part. The scan stops only
# at characters outside ASCII, so it is quick; `left` marks a match on the
# lower-case letter of the seam, otherwise the match is on its capital.
_NON_ASCII_CASE_SEAM = regex.compile(
    r"[^\x00-\x7f](?:(?<=\p{Ll})(?=\p{Lu})(?P<left>)|(?<=\p{Ll}\p{Lu}))"
)
_NON_ASCII_STOP_SEAM = regex.compile(
    r"[^\x00-\x7f](?:(?<=\p{Ll})(?=\.\p{Lu})(?P<left>)|(?<=\p{Ll}\.\p{Lu}))"
)
# A word of LONG_WORD letters or more, lower-cased, in the words copy (see
# `TextScan`): every token `SegmentSplitter` can split ([a-z]{6,} or
# [A-Z][a-z]{5,} between non-letters) is one of these.
LONG_WORD = 6
_LONG_WORD = re.compile(rf" ([a-z]{{{LONG_WORD},}})")
# The word right before / after a token, separated by one space and nothing else.
_PREVIOUS_WORD = regex.compile(r"(?:^|[^\p{L}'’-])(\p{L}+) $")
_NEXT_WORD = regex.compile(r" (\p{L}+)")
_CAPITAL_OR_DIGIT_NEXT = regex.compile(r" [\p{Lu}\p{N}]")
# A word standing on its own, not in a link or an address ("gawker.com").
_PLAIN_WORD = regex.compile(r"(?<![\p{L}'’./@-])\p{L}++(?![\p{L}'’/@-]|\.\p{L})")
# A capitalised word in mid-sentence: after a lower-case letter and a space.
_CAPITALISED_AFTER_LOWER = regex.compile(r"(?<=\p{Ll}[,;]? )\p{Lu}\p{L}*+(?![\p{L}'’-])")
_LETTERS_ONLY = regex.compile(r"\p{L}+")
# The letters on either side of a seam that a case token's sides can be.
_LEFT_SIDE = regex.compile(r"(?r)\p{Lu}?\p{Ll}+")
_RIGHT_SIDE = regex.compile(r"\p{Lu}\p{Ll}+")
_CODE_LINE = regex.compile(r"[{}]|\);|\bvar |\bfunction\s*\(|==|=>|</?[a-z]+[ >]")
SPLITS = ("case", "stop", "segment", "name")
CACHE_LIMIT = 50_000  # distinct tokens remembered per rule before the cache starts over
MAX_CACHED_TOKEN = 200  # longer tokens are judged each time: the cache's memory stays bounded
# segment: tokens this long or shorter are never too long to split (the lexicon's
# longest word has 28 letters; `_too_long` reads it only for longer tokens).
SURELY_SPLITTABLE_LENGTH = 40
FEW_WORDS = 64  # segment: words located one search each; more, by listing every long word
# A glued form seen again this close (in characters) is a brand or a handle.
REPEAT_WINDOW = 100_000


def _name_splitter(rule: Rule, resources: Resources) -> _Splitter:
    """The `name` mechanism (normalize/actions/glued_names.py), imported on use."""
    from normalize.actions.glued_names import NameSplitter

    return NameSplitter(rule, resources)


def _byte_table(mapping: dict[str, str]) -> bytes:
    """A `bytes.translate` table: each key of `mapping` to its value, any other byte to a space."""
    table = bytearray(b" " * 256)
    for key, value in mapping.items():
        table[ord(key)] = ord(value)
    return bytes(table)


_CASE_CLASSES = _byte_table(
    {**dict.fromkeys(ascii_lowercase, "a"), **dict.fromkeys(ascii_uppercase, "A")}
)
_LOWERED_WORDS = _byte_table({letter: letter.lower() for letter in ascii_letters})
_ASCII_WORDS = _byte_table({letter: letter for letter in ascii_letters})
# A word of LONG_WORD letters or more in lower case or capitalised, in the
# copy with only ASCII letters (see `TextScan.long_word_places`).
_LONG_WORD_AS_WRITTEN = re.compile(rf" ([a-z]{{{LONG_WORD},}}|[A-Z][a-z]{{{LONG_WORD - 1},}})(?= )")

KEYS_BY_SPLIT: dict[str, set[str]] = {
    "case": {
        "never_split",
        "never_split_patterns",
        "sentence_openers",
        "openers_after_capital",
        "sentence_words",
        "closed_class",
        "name_before",
        "proper_words",
        "min_count",
    },
    "stop": {"never_split", "keep_right"},
    "name": set(),  # filled in below
    "segment": {
        "junction_words",
        "min_count",
        "min_piece_length",
        "min_length",
        "min_junction_length",
        "rival_ratio",
        "min_typo_count",
        "min_pair_count",
    },
}
KEYS_BY_SPLIT["name"] = {
    "never_split",
    "never_split_patterns",
    "min_count",
    "name_lists",
    "not_names",
    "function_words",
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
        "sentence_words": Field(
            (list, str), doc="case: words that, capitalised, can only start a sentence"
        ),
        "closed_class": Field((list, str), doc="words a sentence cannot end with"),
        "name_before": Field(
            (list, str), doc="case: words a name often follows (said, chairman): then a space"
        ),
        "proper_words": Field((list, str), doc="words always written with a capital"),
        "keep_right": Field((list, str), doc="stop: right sides kept (domains, file types)"),
        "name_lists": Field(list, items=str, doc="name: list files of names (organisations)"),
        "function_words": Field((list, str), doc="name: words that may follow a name glued"),
        "not_names": Field(list, items=str, doc="name: list files of one-word real names"),
        "junction_words": Field((list, str), doc="segment: one piece must be one of these"),
        "min_count": Field(int, doc="a piece must be at least this common in the lexicon"),
        "min_piece_length": Field(int, doc="segment: shortest piece"),
        "min_length": Field(int, doc="segment: shortest token considered"),
        "min_junction_length": Field(int, doc="segment: shortest function word at the seam"),
        "rival_ratio": Field(
            (int, float), doc="segment: how much commoner the pair must be than a near word"
        ),
        "min_typo_count": Field(int, doc="segment: a word this common one letter longer wins"),
        "min_pair_count": Field(
            int, doc="segment: a pair this common in the bigram list needs no neighbour (0: off)"
        ),
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
                "name": _name_splitter,
            }[kind]
            self.splitters.append(factory(rule, resources))
        seams = [splitter.seam for splitter in self.splitters if splitter.seam is not None]
        self.seam_scan = PatternScan(seams, resources.scan_database())
        # Each splitter's index in seam_scan; None for those any text may need.
        indices = iter(range(len(seams)))
        self.seam_index = [
            next(indices) if splitter.seam is not None else None for splitter in self.splitters
        ]

    def preload(self) -> None:
        for splitter in self.splitters:
            splitter.preload()

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        changes: list[Change] = []
        scan = TextScan(text)
        # One Hyperscan pass rules out the seams most texts lack (None: unknown).
        seams = self.seam_scan.candidates(text)
        for splitter, index in zip(self.splitters, self.seam_index, strict=True):
            if seams is not None and index is not None and index not in seams:
                continue
            found = splitter.propose(text, scan, doc)
            if found:
                changes.extend(found)
        return changes


class TextScan:
    """What the rules of the pass need to know about one text, each worked out
    on first use with a scan in C and shared by all the rules.

    Most scans run on a byte copy of the text with one byte per character
    (characters outside ASCII become "?", neither a letter nor a full stop),
    so offsets are the text's own; seams with letters outside ASCII are
    searched for in the text itself, and only in texts that have such letters.
    """

    __slots__ = (
        "_bytes",
        "_capitalised_after_lower",
        "_case_seams",
        "_code_lines",
        "_line",
        "_line_starts",
        "_long_word_places",
        "_long_words",
        "_plain_words",
        "_written_words",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self._bytes: bytes | None = None
        self._case_seams: list[int] | None = None
        self._long_words: set[str] | None = None
        self._long_word_places: dict[str, list[int]] | None = None
        self._written_words: str | None = None
        self._plain_words: set[str] | None = None
        self._capitalised_after_lower: set[str] | None = None
        self._code_lines: dict[int, tuple[int, bool]] | None = None  # start -> (end, is code)
        self._line_starts: list[int] = []  # the keys of _code_lines, in order
        self._line = (0, -1, False)  # the line last asked about: start, end, looks like code

    def as_bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = self.text.encode("ascii", "replace")
        return self._bytes

    def case_seams(self) -> list[int]:
        """Where `\\p{Ll}\\p{Lu}` matches ("sT"), in order."""
        if self._case_seams is None:
            classes = self.as_bytes().translate(_CASE_CLASSES)
            seams = _find_all(classes, _CASE_SEAM)
            if not self.text.isascii():
                seams = _with_non_ascii(seams, _NON_ASCII_CASE_SEAM, self.text, 1)
            self._case_seams = seams
        return self._case_seams

    def stop_seams(self) -> list[int]:
        """Where `\\p{Ll}\\.\\p{Lu}` matches ("s.T"), in order."""
        seams = [found.start() - 1 for found in _ASCII_STOP_SEAM.finditer(self.text)]
        if not self.text.isascii():
            seams = _with_non_ascii(seams, _NON_ASCII_STOP_SEAM, self.text, 2)
        return seams

    def long_words(self) -> set[str]:
        """Every run of LONG_WORD ASCII letters or more between other characters, lower-cased."""
        if self._long_words is None:
            lowered = (b" " + self.as_bytes().translate(_LOWERED_WORDS)).decode("ascii")
            self._long_words = set(_LONG_WORD.findall(lowered))
        return self._long_words

    def long_word_places(self, forms: Collection[str]) -> dict[str, list[int]]:
        """Where each of `forms` (long words, in lower case or capitalised) stands
        as a run of ASCII letters of its own, in order.

        A few forms are found by a search in C each; for more, every long word
        of the text is listed once (a Python loop over the whole text, kept for
        the text): either way bounded work per character.
        """
        if self._written_words is None:  # ASCII letters as written, other characters spaces
            self._written_words = f" {self.as_bytes().translate(_ASCII_WORDS).decode('ascii')} "
        written = self._written_words  # offsets one more than the text's
        if len(forms) > FEW_WORDS and self._long_word_places is None:
            present = set(_LONG_WORD_AS_WRITTEN.findall(written))  # in C
            forms = [form for form in forms if form in present]
        if self._long_word_places is None and len(forms) <= FEW_WORDS:
            places: dict[str, list[int]] = {}
            for form in forms:
                found = places[form] = []
                needle = f" {form} "
                at = written.find(needle)
                while at >= 0:
                    found.append(at)
                    at = written.find(needle, at + len(needle) - 1)
            return places
        if self._long_word_places is None:
            every: dict[str, list[int]] = {}
            for match in _LONG_WORD_AS_WRITTEN.finditer(written):
                every.setdefault(match.group(1), []).append(match.start())
            self._long_word_places = every
        return {form: self._long_word_places.get(form, []) for form in forms}

    def plain_words(self) -> set[str]:
        """The runs of letters that stand as words, not in a link or an address
        ("gawker" of "gawker.com" is not one)."""
        if self._plain_words is None:
            self._plain_words = set(_PLAIN_WORD.findall(self.text))
        return self._plain_words

    def capitalised_after_lower(self) -> set[str]:
        """The capitalised words that follow a lower-case letter and a space
        (a comma or a semicolon between them allowed): in mid-sentence."""
        if self._capitalised_after_lower is None:
            self._capitalised_after_lower = set(_CAPITALISED_AFTER_LOWER.findall(self.text))
        return self._capitalised_after_lower

    def in_code_line(self, position: int) -> bool:
        """Whether the line around `position` looks like program code.

        Decided once per line, and each line is read once to find its ends:
        documents that are one long line, or positions out of order, would
        otherwise cost a scan of the whole text for every candidate.
        """
        start, end, is_code = self._line
        if start <= position <= end:
            return is_code
        if self._code_lines is None:
            self._code_lines = {}
        starts = self._line_starts
        before = bisect.bisect_right(starts, position) - 1
        if before >= 0:
            start = starts[before]
            end, is_code = self._code_lines[start]
            if position <= end:
                self._line = (start, end, is_code)
                return is_code
        text = self.text
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        if end < 0:
            end = len(text)
        is_code = bool(_CODE_LINE.search(text, start, end))
        self._code_lines[start] = (end, is_code)
        bisect.insort(starts, start)
        self._line = (start, end, is_code)
        return is_code


def _find_all(haystack: bytes, needle: bytes) -> list[int]:
    """The offsets of `needle` in `haystack` (occurrences that may not overlap)."""
    found: list[int] = []
    at = haystack.find(needle)
    while at >= 0:
        found.append(at)
        at = haystack.find(needle, at + len(needle))
    return found


def _with_non_ascii(
    seams: list[int], pattern: regex.Pattern[str], text: str, capital: int
) -> list[int]:
    """`seams` (the ASCII ones) with those `pattern` finds, in order.

    A match is on the lower-case letter of the seam (group `left`) or on its
    capital, `capital` characters after the seam's start.
    """
    found = [
        m.start() if m.group("left") is not None else m.start() - capital
        for m in pattern.finditer(text)
    ]
    return sorted(set(seams).union(found)) if found else seams


class _Splitter:
    """One rule's mechanism: finds candidate tokens and decides on each."""

    pattern: ClassVar[regex.Pattern[str]]  # the whole candidate token, with its context
    # Where `seams` finds something, this finds something: None if any text may have one.
    seam: ClassVar[regex.Pattern[str] | None] = None

    def __init__(self, rule: Rule, resources: Resources) -> None:
        self.rule = rule
        self.resources = resources
        self.never_split = set(rule_list(rule, "never_split", resources))
        self._cache: dict[str, object] = {}
        self._lexicon: Lexicon | None = None
        self._names: frozenset[str] | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = self.resources.lexicon()
        return self._lexicon

    @property
    def names(self) -> frozenset[str]:
        if self._names is None:
            self._names = self.resources.shared(
                "gazetteer_words", lambda: gazetteer_words(self.resources)
            )
        return self._names

    def is_word(self, word: str, min_count: int) -> bool:
        lower = word.lower()
        return self.lexicon.count(lower) >= min_count or lower in self.names

    def cached(self, key: str, decide: Callable[[], object]) -> object:
        if key not in self._cache:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()  # bounded memory on endless streams
            self._cache[key] = decide()
        return self._cache[key]

    def preload(self) -> None:
        self.lexicon  # noqa: B018 - loads the shared table

    def seams(self, scan: TextScan) -> list[int]:
        """Where the seams inside candidate tokens are ("sT", "s.T"), in order."""
        raise NotImplementedError

    def matches(self, text: str, scan: TextScan) -> Iterable[regex.Match[str]]:
        """The candidate tokens of `text`.

        Scanning for the seam is far faster than trying the whole token pattern
        at every position; the pattern is then tried only at the start of the
        word around each seam.
        """
        seams = self.seams(scan)
        return self._tokens_at(seams, text) if seams else ()

    def _tokens_at(self, seams: list[int], text: str) -> Iterator[regex.Match[str]]:
        """The token around each seam: the pattern tried where its word starts.

        Each word is tried once, and the walk back to its start stops at the
        previous seam: a run of letters with a seam every other letter
        ('aB' * 20000) costs no more per letter than ordinary text.
        """
        done = 0  # the end of the last token found
        previous = -1  # the last seam
        for seam in seams:
            start = seam
            while start > done and start > previous and text[start - 1].isalpha():
                start -= 1
            in_previous_word = start == previous
            previous = seam
            if in_previous_word:
                continue  # the word of the previous seam: tried already
            match = self.pattern.match(text, start)
            if match is not None:
                done = match.end()
                yield match

    def splits(self, text: str, scan: TextScan) -> Iterable[tuple[regex.Match[str], Split | None]]:
        """Each candidate token with the split decided for it (None: left alone)."""
        return ((match, self.decide(match, scan)) for match in self.matches(text, scan))

    def propose(self, text: str, scan: TextScan, doc: DocContext) -> list[Change]:
        changes: list[Change] = []
        for match, split in self.splits(text, scan):
            doc.check_time()
            if split is None or scan.in_code_line(match.start()):
                continue
            at = match.start() + split.offset
            if split.separator:
                changes.append(Change(at, at, split.separator, self.rule.id, message=split.reason))
            else:
                changes.append(
                    Change(
                        match.start(),
                        match.end(),
                        match.group(),
                        self.rule.id,
                        message=split.reason,
                        note=True,
                    )
                )
        return changes

    def decide(self, match: regex.Match[str], scan: TextScan) -> Split | None:
        raise NotImplementedError


class CaseSplitter(_Splitter):
    """`tensionsThe` → `tensions. The`; `rightsChinese` → `rights Chinese`."""

    pattern = CASE_TOKEN
    seam = regex.compile(r"\p{Ll}\p{Lu}")

    def __init__(self, rule: Rule, resources: Resources) -> None:
        super().__init__(rule, resources)
        self.min_count = int(rule.data.get("min_count", 100_000))
        self.openers = {w.lower() for w in rule_list(rule, "sentence_openers", resources)}
        self.openers_after_capital = {
            w.lower() for w in rule_list(rule, "openers_after_capital", resources)
        }
        self.sentence_words = {w.lower() for w in rule_list(rule, "sentence_words", resources)}
        self.closed = {w.lower() for w in rule_list(rule, "closed_class", resources)}
        self.name_before = {w.lower() for w in rule_list(rule, "name_before", resources)}
        self.proper = {w.lower() for w in rule_list(rule, "proper_words", resources)}
        patterns = rule.data.get("never_split_patterns") or []
        # Compiled like every rule pattern: a broken or huge one names its rule.
        joined = "|".join(f"(?:{p})" for p in patterns)
        key = "never_split_patterns"
        self.kept = compile_rule_pattern(rule, key, source=joined) if patterns else None

    def seams(self, scan: TextScan) -> list[int]:
        return scan.case_seams()

    def splits(self, text: str, scan: TextScan) -> Iterable[tuple[regex.Match[str], Split | None]]:
        glued = [match for match in self.matches(text, scan) if self._glued(match)]
        if not glued:
            return ()
        # The same glued form twice is a brand or a handle, not an accident.
        repeated = repeated_forms(text, scan.case_seams(), glued, REPEAT_WINDOW)
        return (
            (match, None if match.start() in repeated else self.decide(match, scan))
            for match in glued
        )

    def _glued(self, match: regex.Match[str]) -> bool:
        """Whether the token is two words run together, by its own letters."""
        token, left, right = match.group(), match.group("left"), match.group("right")
        if len(token) > MAX_CACHED_TOKEN:
            return self._both_words(token, left, right)
        return bool(self.cached(token, lambda: self._both_words(token, left, right)))

    def decide(self, match: regex.Match[str], scan: TextScan) -> Split | None:
        """The separator for a glued token (see `_glued`) found once near it."""
        text = scan.text
        left, right = match.group("left"), match.group("right")
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
        if self._name_or_date_follows(match.end(), text):
            return Split(offset, " ", f"'{right}' starts a name or a date")
        if right.lower() in self.sentence_words:
            return Split(
                offset, ". ", f"'{right}' is a word news capitalises only to start a sentence"
            )
        if self._written_lower(right, scan):
            return Split(
                offset,
                ". ",
                f"'{right}' is written in lower case elsewhere in the "
                "document, so its capital starts a sentence",
            )
        return Split(offset, " ", f"'{right}' is a name or is not known to start a sentence")

    def _kept_by_pattern(self, token: str) -> bool:
        """Whether a `never_split_patterns` entry matches the whole token.

        A pattern that runs out of time on it keeps the token whole: when in
        doubt, no edit (the verdict is cached per token, so it costs once).
        """
        if self.kept is None:
            return False
        try:
            return self.kept.fullmatch(token, timeout=DEFAULT_TIMEOUT_SECONDS) is not None
        except TimeoutError:
            return True

    def _both_words(self, token: str, left: str, right: str) -> bool:
        if token in self.never_split or self._kept_by_pattern(token):
            return False
        if token.lower() in self.lexicon or len(left) < 2:
            return False  # "PayPal" is one word; "iPhone", "eBay" have a one-letter prefix
        if left[0].isupper() and (len(left) < 3 or right.lower() not in self.openers_after_capital):
            return False  # FoxNews, LinkedIn, CareNow: brands; "NY TimesThe" is split
        if not self.is_word(left, self.min_count):
            return False
        # After a function word ("withVaritronic", "andSeabrook") or a word a name
        # often follows ("saidAndreotti", "chairmanGiannino") any capitalised word
        # is a name that lost its space: such words start no brand.
        before_name = left.lower() in self.closed or left.lower() in self.name_before
        return (
            right.lower() in self.proper
            or self.is_word(right, self.min_count)
            or (before_name and len(right) >= 3)
        )

    @staticmethod
    def _name_or_date_follows(end: int, text: str) -> bool:
        """Whether a capitalised word or a number follows: "overthrowPresident
        Olusegun", "payableMay 1"."""
        return _CAPITAL_OR_DIGIT_NEXT.match(text, end) is not None

    def _written_lower(self, right: str, scan: TextScan) -> bool:
        """Document evidence that `right` is a common word capitalised by a sentence start:
        the text writes it in lower case as a word of its own (not in a link or an
        address: "gawker.com" says nothing about "Gawker"), and never capitalised
        in mid-sentence."""
        lower = right.lower()
        if lower in self.proper or not _LETTERS_ONLY.fullmatch(lower):
            return False  # a capital whose lower case is no letter ('İ'): no evidence
        return lower in scan.plain_words() and right not in scan.capitalised_after_lower()


class StopSplitter(_Splitter):
    """`China.On` → `China. On`, but `One.Tel`, `Amazon.Com`, `U.S.` stay."""

    pattern = STOP_TOKEN
    seam = regex.compile(r"\p{Ll}\.\p{Lu}")

    def __init__(self, rule: Rule, resources: Resources) -> None:
        super().__init__(rule, resources)
        self.keep_right = {w.lower() for w in rule_list(rule, "keep_right", resources)}

    def seams(self, scan: TextScan) -> list[int]:
        return scan.stop_seams()

    def decide(self, match: regex.Match[str], scan: TextScan) -> Split | None:
        token, right = match.group(), match.group("right")
        if token in self.never_split or right.lower() in self.keep_right:
            return None
        if _written_as_one(match, scan.text):
            return None
        return Split(len(match.group("left")) + 1, " ", "a full stop between two words")


_CAMEL = regex.compile(r"\p{Ll}\p{Lu}")
_OPENING_QUOTES = {"'": "'", "‘": "’", '"': '"', "“": "”"}


def _written_as_one(match: regex.Match[str], text: str) -> bool:
    """A dotted name, not two sentences: a Reuters ticker ("<eric.St>"), a
    brand whose first part is camel-cased ("iGen.Fr"), or a token quoted on
    its own ("'Crio.Do'")."""
    start, end = match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before == "<":
        return True
    if _CAMEL.search(match.group("left")):
        return True
    return before in _OPENING_QUOTES and after == _OPENING_QUOTES[before]


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
        self.min_pair_count = int(rule.data.get("min_pair_count", 0))
        self.junction = {w.lower() for w in rule_list(rule, "junction_words", resources)}
        if not self.junction:
            raise RuleProblem(rule, "split: segment needs 'junction_words'")
        # Unknown words (lower-cased) that `_may_split` turned down.
        self._unsplittable: set[str] = set()

    @property
    def bigrams(self) -> BigramCounts:
        return self.resources.shared("symspell_bigrams", load_bigrams)

    @property
    def segmenter(self) -> Segmenter:
        return self.resources.shared("segmenter", lambda: Segmenter(self.lexicon))

    def preload(self) -> None:
        super().preload()
        self.bigrams  # noqa: B018 - loads the shared table
        self.segmenter  # noqa: B018

    def matches(self, text: str, scan: TextScan) -> Iterable[regex.Match[str]]:
        # Set operations run in C (`set.difference` looks the words up in the
        # lexicon's own dict, which the names pass reads right after): only the
        # distinct words that neither the lexicon nor an earlier text settled
        # reach Python. A token is such a word as it is written, in lower case
        # or capitalised; only the forms that split are searched for.
        words = scan.long_words().difference(self.lexicon.counts)
        if words:
            words -= self._unsplittable
        splittable = [
            word
            for word in words
            if len(word) >= self.min_length and not self._too_long(word) and self._may_split(word)
        ]
        forms = [form for word in splittable for form in (word, word.capitalize())]
        found: list[tuple[str, int]] = []  # (token, where) for each token that may split
        for token, starts in scan.long_word_places(forms).items():
            if starts and self.cached(token, partial(self._pieces, token)):
                found.extend((token, start) for start in starts)
        found.sort()
        return [match for token, start in found if (match := _standing_alone(token, start, text))]

    def _too_long(self, word: str) -> bool:
        """Whether `word` is longer than two words of the lexicon can be: such a
        token (a run of letters with no spaces) is not even cut into pieces."""
        if len(word) <= SURELY_SPLITTABLE_LENGTH:
            return False  # the common case: no need to know the longest word
        longest = self.resources.shared(
            "longest_word", lambda: max(map(len, self.lexicon.counts), default=0)
        )
        return len(word) > 2 * longest

    def _may_split(self, lower: str) -> bool:
        """Whether `_pieces` could split the token `lower` (lower-cased), in either case.

        The first, cheap half of `_pieces`, with the weaker of its two length
        conditions; a word it turns down is remembered, so that the next text
        skips it in C.
        """
        if lower not in self.names:
            counts = self.lexicon.counts
            for cut in range(self.min_piece, len(lower) - self.min_piece + 1):
                first, last = lower[:cut], lower[cut:]
                if (first in self.junction or last in self.junction) and min(
                    counts.get(first, 0), counts.get(last, 0)
                ) >= self.min_count:
                    return True
        if len(self._unsplittable) >= CACHE_LIMIT:
            self._unsplittable.clear()  # bounded memory on endless streams
        self._unsplittable.add(lower)
        return False

    def decide(self, match: regex.Match[str], scan: TextScan) -> Split | None:
        token, text = match.group(), scan.text
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
        """Do the neighbouring words agree with the split, or is the pair itself
        so common ("underthe", "comparedwith") that it needs no neighbour?"""
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
        return (
            (previous is not None and self._known(previous, first))
            or (following is not None and self._known(last, following))
            or 0 < self.min_pair_count <= self.bigrams.get(f"{first} {last}", 0)
        )

    def _confirmed(self, token: str, first: str, last: str) -> bool:
        """symspellpy's best segmentation of the token is this split, exactly."""
        pieces = self.cached(f"segmented:{token}", lambda: self.segmenter.pieces(token.lower()))
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
        dropped = highest_count(inserts1(lower), counts)
        if dropped and dropped >= self.min_typo_count:
            return None  # "forsee" is "foresee" with a letter dropped, not "for see"
        rival = highest_count(edits1(lower), counts) if token[0].islower() else 0
        if rival:
            # "theyre" is one edit from "there": the pair must be far commoner.
            floor = self.rival_ratio * rival
            splits = [s for s in splits if self.bigrams.get(" ".join(s), 0) >= floor]
        return splits or None


def repeated_forms(
    text: str, seams: list[int], glued: list[regex.Match[str]], window: int
) -> set[int]:
    """The starts of the `glued` tokens (case tokens: `left` + `right`, each of two
    letters or more) that occur again, as part of any word, less than `window`
    characters away: where `text.count(token, start - window, start + window) > 1`.

    Every occurrence of such a token has its seam (a lower-case letter, then a
    capital) at one of `seams` (`TextScan.case_seams`), so each seam is looked
    at once instead of the text being searched again for each token: the
    letters before it end with a left side, those after it start with a right.
    """
    forms = {(match.group("left"), match.group("right")) for match in glued}
    lefts = {left for left, _ in forms}
    rights = {right for _, right in forms}
    longest_left = max(map(len, lefts), default=0)
    longest_right = max(map(len, rights), default=0)
    # The left sides that end a run of letters, the right sides that start one.
    endings: dict[str, list[str]] = {}
    beginnings: dict[str, list[str]] = {}
    places: dict[tuple[str, str], list[int]] = {}  # form -> where it occurs, in order
    for seam in seams:
        capital = seam + 1
        before = _LEFT_SIDE.match(text, max(0, capital - longest_left), capital)
        after = _RIGHT_SIDE.match(text, capital, capital + longest_right)
        if before is None or after is None:
            continue
        run = before.group()
        ending = endings.get(run)
        if ending is None:
            ending = endings[run] = [run[-n:] for n in range(2, len(run) + 1) if run[-n:] in lefts]
        if not ending:
            continue
        run = after.group()
        beginning = beginnings.get(run)
        if beginning is None:
            beginning = beginnings[run] = [
                run[:n] for n in range(2, len(run) + 1) if run[:n] in rights
            ]
        for left in ending:
            for right in beginning:
                if (left, right) in forms:
                    places.setdefault((left, right), []).append(capital - len(left))
    repeated = set()
    for match in glued:
        start, token = match.start(), match.group()
        found = places[match.group("left"), match.group("right")]
        low, high = max(0, start - window), start + window - len(token)
        if bisect.bisect_right(found, high) - bisect.bisect_left(found, low) > 1:
            repeated.add(start)
    return repeated


def _standing_alone(token: str, start: int, text: str) -> regex.Match[str] | None:
    """The match of `token` at `start` if it stands there as a word of its own
    (see `_BOUNDED_WORD`), as `regex.match(_WORD_BEFORE + token + _AFTER, text, start)`
    would find it, without compiling a pattern per token."""
    match = _BOUNDED_WORD.match(text, start)
    return match if match is not None and match.end() == start + len(token) else None
