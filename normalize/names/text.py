"""Text-level helpers of the names pass: words, neighbours, name forms, case.

Nothing here knows about evidence; action.py decides, these functions look.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from normalize.names.forms import NAME_TOKEN, NameForm, normalize_gap
from normalize.names.gazetteer import FormEntry, Person

_UPPER_LATIN = "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isupper())
# Capitalised or all-capital words, found at C speed; boundaries are checked later.
CAP_WORD = re.compile(f"[A-Z{_UPPER_LATIN}][^\\W\\d_]+")
_NAME_GAP = re.compile(r"(?:\s|[-'’.]){1,3}")
_PREV_WORD = re.compile(r"([^\W\d_]+)(\.?)([ \t\u00a0]*\n?[ \t\u00a0]*|[-'’])\Z")
_NEXT_WORD = re.compile(r"([ \t\u00a0]*\n?[ \t\u00a0]*|[-'’])([^\W\d_]+)")
_ANY_CAPITAL = re.compile(f"[A-Z{_UPPER_LATIN}]")
_SOCIAL = re.compile(r"(?<![\w.])[@#][^\W\d_]|pic\.twitter\.com|://")
_LINE_REACH = 2000  # characters either side of a name in which its line is looked at
_POST_LENGTH = 280  # the longest post on X (Twitter)
_OPEN_QUOTES = "\"“‘'«"
_CLOSE_QUOTES = "\"”’'»"
_SENTENCE_OPENERS = " \t\u00a0\"“‘'(["
_SENTENCE_ENDS = "\n.!?:"


class Case(Enum):
    """How a name is written: as in the rule, in capitals, or in lower case."""

    AS_WRITTEN = "as written"
    UPPER = "upper"
    LOWER = "lower"


def _fits(word: str, token: str, case: Case) -> bool:
    if case is Case.AS_WRITTEN:
        return word == token
    return word == (token.upper() if case is Case.UPPER else token.lower())


def render(word: str, case: Case) -> str:
    return word.upper() if case is Case.UPPER else word


@lru_cache(maxsize=4096)
def _finder(word: str) -> re.Pattern[str]:
    """A pattern for `word` as a whole word (no letter on either side)."""
    return re.compile(f"(?<![^\\W\\d_]){re.escape(word)}(?![^\\W\\d_])")


@dataclass(frozen=True, slots=True)
class Word:
    """A word next to a name word, and the separator between them."""

    start: int
    end: int
    text: str
    gap: str  # the separator between it and the name word


@dataclass(frozen=True, slots=True)
class FullMatch:
    """A full form of the gazetteer found in a text."""

    entry: FormEntry
    start: int
    end: int
    gaps: tuple[str, ...]  # the separators as found in the text
    case: Case


def inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether `position` falls in one of `spans` (sorted, not overlapping)."""
    i = bisect.bisect_right(spans, (position, sys.maxsize)) - 1
    return i >= 0 and position < spans[i][1]


def locate(text: str, word: str) -> list[int]:
    return [m.start() for m in _finder(word).finditer(text)]


def match_form(text: str, start: int, word: str, entry: FormEntry) -> FullMatch | None:
    """The form `entry` at `start` (where its first word, `word`, was found), or None."""
    form = entry.form
    words, gaps = [word], []
    pos = start + len(word)
    for form_gap, token in zip(form.gaps, form.tokens[1:], strict=True):
        gap = _NAME_GAP.match(text, pos)
        if gap is None or normalize_gap(gap.group()) != form_gap or gap.group().count("\n") > 1:
            return None
        found = NAME_TOKEN.match(text, gap.end())
        if found is None or found.group().lower() != token.lower():
            return None
        words.append(found.group())
        gaps.append(gap.group())
        pos = found.end()
    for case in Case:
        if all(_fits(w, t, case) for w, t in zip(words, form.tokens, strict=True)):
            return FullMatch(entry, start, pos, tuple(gaps), case)
    return None


def next_name_word(text: str, pos: int) -> str:
    """The word after a name separator at `pos` ("" if none)."""
    gap = _NAME_GAP.match(text, pos)
    found = NAME_TOKEN.match(text, gap.end()) if gap is not None else None
    return found.group() if found is not None else ""


def join_form(form: NameForm, match: FullMatch) -> str:
    return _join_tokens(form.tokens, form.gaps, match)


def join_corrected(person: Person, form: NameForm, match: FullMatch) -> str:
    """The canonical name in the match's case, keeping right given names (Dan)."""
    canonical = person.canonical
    if len(form.tokens) != len(canonical.tokens):
        return _join_tokens(canonical.tokens, canonical.gaps, match)
    tokens = tuple(
        token if i != person.surname_index and token in person.right_at[i] else canonical.tokens[i]
        for i, token in enumerate(form.tokens)
    )
    return _join_tokens(tokens, canonical.gaps, match)


def _join_tokens(tokens: tuple[str, ...], gaps: tuple[str, ...], match: FullMatch) -> str:
    # The text's own separators are kept where they fit (a line break inside a
    # name stays a line break).
    if len(match.gaps) == len(gaps) and all(
        normalize_gap(raw) == gap for raw, gap in zip(match.gaps, gaps, strict=True)
    ):
        gaps = match.gaps
    pieces = [render(tokens[0], match.case)]
    for gap, token in zip(gaps, tokens[1:], strict=True):
        pieces.append(gap)
        pieces.append(render(token, match.case))
    return "".join(pieces)


def prev_word(text: str, start: int) -> Word | None:
    window = text[max(0, start - 60) : start]
    found = _PREV_WORD.search(window)
    if found is None or not found.group(2) + found.group(3):
        return None
    offset = start - len(window)
    gap = found.group(2) + found.group(3)
    return Word(offset + found.start(1), offset + found.end(1), found.group(1), gap)


def next_word(text: str, end: int) -> Word | None:
    found = _NEXT_WORD.match(text, end)
    if found is None or not found.group(1):
        return None
    return Word(found.start(2), found.end(2), found.group(2), found.group(1))


def sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _SENTENCE_OPENERS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_ENDS


def may_capitalise(text: str, start: int, end: int) -> bool:
    """Whether a name written in lower case at text[start:end] is a slip to repair.

    Not on an all-lower-case line (a deliberately lower-cased text stays so), not
    near a handle, hashtag or link (a quoted post: "I think mike seidel was...",
    see `near_social`), not in quotes of its own (a user name: “paul manafort”).
    """
    if _ANY_CAPITAL.search(_line_at(text, start)) is None or near_social(text, start):
        return False
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return not (before in _OPEN_QUOTES and after in _CLOSE_QUOTES)


def near_social(text: str, pos: int) -> bool:
    """Whether a handle, hashtag or link stands on the same line within a post's
    length (280 characters) of `pos`: the name may be in a quoted post or be a
    display name ("Michael Heilemann (@Heilemann)"), which stay as written. A
    scraped article that is one long line is not one post."""
    start, end = _line_bounds(text, pos, _POST_LENGTH)
    return _SOCIAL.search(text, start, end) is not None


def _line_bounds(text: str, pos: int, reach: int) -> tuple[int, int]:
    """Where the line holding `pos` starts and ends (its newline excluded), looked
    for at most `reach` characters away: a document that is one long line costs
    the same per name as any other."""
    low, high = max(0, pos - reach), min(len(text), pos + reach)
    line_start = text.rfind("\n", low, pos) + 1
    line_end = text.find("\n", pos, high)
    return max(line_start, low), line_end if line_end >= 0 else high


def _line_at(text: str, pos: int) -> str:
    """The line holding `pos`; of a line longer than that, the `_LINE_REACH`
    characters either side of `pos`."""
    start, end = _line_bounds(text, pos, _LINE_REACH)
    return text[start:end]
