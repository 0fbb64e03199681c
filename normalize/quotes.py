"""Where the quotations of a text are, so that rules can leave quoted words alone.

Quoted speech is the speaker's wording: a rule may repair its spacing and stops,
never its words. Only double quotes count (single ones double as apostrophes).
Curly quotes say which way they face; straight ones pair up in order within a
paragraph. A quotation left open runs to the end of its paragraph (line), and a
closing quote with no opening one closes a quotation that began at the start of
the paragraph: when unsure, more text counts as quoted, never less. A straight
quote with no opening one before it closes too when it faces that way, right
after a word or a stop and before a space, a stop or the line end: text wrapped
at a fixed width ends a quotation on the line after it began ("...too badly,"
he added.).
"""

from __future__ import annotations

import bisect

import regex

_QUOTE_MARKS = regex.compile(r'[“”"\n]')
# A straight quote that can only close: after a letter, digit or punctuation
# mark, and before white space, punctuation or the end of the text.
_CLOSING_STRAIGHT = regex.compile(r'(?<=[\p{L}\p{N}\p{P}])"(?=[\s\p{P}]|\Z)')


class QuoteSpans:
    """The quoted spans of one text, answering "is this position inside a quotation?"."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        line_start = 0
        open_at: int | None = None
        for match in _QUOTE_MARKS.finditer(text):
            mark, pos = match.group(), match.start()
            if mark == "\n":
                if open_at is not None:
                    self._add(open_at, pos)
                open_at, line_start = None, pos + 1
            elif open_at is None:
                if mark == "”" or (mark == '"' and _CLOSING_STRAIGHT.match(text, pos)):
                    self._add(line_start, pos + 1)
                else:
                    open_at = pos
            elif mark != "“":
                self._add(open_at, pos + 1)
                open_at = None
        if open_at is not None:
            self._add(open_at, len(text))

    def _add(self, start: int, end: int) -> None:
        if self.ends and start < self.ends[-1]:
            start = self.ends[-1]
        self.starts.append(start)
        self.ends.append(end)

    def __contains__(self, position: object) -> bool:
        """True when `position` lies inside a quotation (quote marks included)."""
        if not isinstance(position, int):
            return False
        i = bisect.bisect_right(self.starts, position) - 1
        return i >= 0 and position < self.ends[i]

    def overlaps(self, start: int, end: int) -> bool:
        """True when any of text[start:end] (or the position `start`) is quoted."""
        if start in self:
            return True
        i = bisect.bisect_right(self.starts, start)
        return i < len(self.starts) and self.starts[i] < end
