"""How a name is written: its letter tokens and the separators between them.

A form such as "Jean-Yves Le Drian" or "Antony J. Blinken" is parsed once into
tokens ("Jean", "Yves", ...) and normalised separators ("-", " ", ...), so that
the names pass can compare a text with it word by word, whatever the spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A name token is a run of letters; separators (space, hyphen, apostrophe, the
# dot of an initial) sit between tokens and must match where a form has them.
NAME_TOKEN = re.compile(r"[^\W\d_]+")
_SPACES = re.compile(r"\s+")
_ALLOWED_GAP = re.compile(r"(?:\s|[-'’.])+")


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name as written in a rule: its tokens and the separators between them."""

    text: str
    tokens: tuple[str, ...]
    gaps: tuple[str, ...]  # normalised separators, one fewer than tokens
    keys: tuple[str, ...]  # the tokens in lower case

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.keys, self.gaps


def normalize_gap(gap: str) -> str:
    """Separators compare with spaces collapsed and curly apostrophes straightened."""
    return _SPACES.sub(" ", gap).replace("’", "'")


def parse_name(text: str) -> NameForm:
    """Split a name into tokens and separators; ValueError says what is wrong."""
    tokens: list[str] = []
    gaps: list[str] = []
    pos = 0
    for match in NAME_TOKEN.finditer(text):
        gap = text[pos : match.start()]
        if tokens and not _ALLOWED_GAP.fullmatch(gap):
            raise ValueError(f"{text!r}: only spaces, hyphens, apostrophes and dots join names")
        if not tokens and gap:
            raise ValueError(f"{text!r}: a name starts with a letter")
        if tokens:
            gaps.append(normalize_gap(gap))
        tokens.append(match.group())
        pos = match.end()
    if not tokens:
        raise ValueError(f"{text!r}: a name needs letters")
    if text[pos:] not in ("", "."):
        raise ValueError(f"{text!r}: a name ends with a letter")
    return NameForm(text, tuple(tokens), tuple(gaps), tuple(t.lower() for t in tokens))
