"""Documents of degenerate shapes, for the linearity test and `make bench`.

Each shape is a function of ordinary text (to cut from, where the shape is
made of real words) and a length in characters: what a scraper can hand the
pipeline besides articles (a minified script, a base64 blob, a table without
spaces, a page on one line, glued words, runs of blank lines).
"""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Callable

_PUNCTUATION = "-=*_#.,;:!?|/+~"


def _letters(size: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))


def _camel_case(size: int, seed: int) -> str:
    """Humps of one to six letters, each but the first capitalised: 'aBcdEfgH...'."""
    rng = random.Random(seed)
    letters = _letters(size, seed)
    humps, at = [], 0
    while at < size:
        hump = letters[at : at + rng.randint(1, 6)]
        humps.append(hump.capitalize() if humps else hump)
        at += len(hump)
    return "".join(humps)


def _repeat(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


def cut(text: str, size: int) -> str:
    """`size` characters of `text`, repeated as often as needed, ending at a line end."""
    out = _repeat(text if text.endswith("\n") else text + "\n", size)
    end = out.rfind("\n")
    return out[: end + 1] if end > size // 2 else out


def _one_line(text: str, size: int) -> str:
    return _repeat(" ".join(text.split()) + " ", size) + "\n"


def _glued_capitals(text: str, size: int) -> str:
    """A page on one line whose links were dropped: no space before a capital."""
    return _repeat(re.sub(r"(?<=[a-z]) (?=[A-Z])", "", " ".join(text.split()) + " "), size) + "\n"


def _no_spaces(text: str, size: int) -> str:
    """Words with no space between them (a table scraped cell by cell)."""
    return _repeat(text.replace(" ", ""), size) + "\n"


def _base64(_text: str, size: int, seed: int) -> str:
    blob = base64.b64encode(random.Random(seed).randbytes(size * 3 // 4)).decode("ascii")
    return blob[:size] + "\n"


def _rotated(text: str, seed: int) -> str:
    """`text` begun at another place for each seed: the same words, other documents."""
    at = text.find(" ", random.Random(seed).randrange(max(1, len(text))))
    return text[at + 1 :] + " " + text[: at + 1] if at >= 0 else text


# name -> (ordinary text, length, seed) -> document. A seed gives another
# document of the same shape, so that no cache of a pass remembers it.
SHAPES: dict[str, Callable[[str, int, int], str]] = {
    "letter run": lambda _, size, seed: f"It read: {_letters(size, seed)} and no more.\n",
    "CamelCase run": lambda _, size, seed: f"It read: {_camel_case(size, seed)} and no more.\n",
    "'aB' repeated": lambda _, size, seed: _letters(3, seed) + _repeat("aB", size),
    "tensionsThe…": lambda _, size, seed: (
        f"Months of {_letters(3, seed)}tensions{_repeat('The', size)}\n"
    ),
    "glued capitals on one line": lambda text, size, seed: _glued_capitals(
        _rotated(text, seed), size
    ),
    "one line": lambda text, size, seed: _one_line(_rotated(text, seed), size),
    "no spaces": lambda text, size, seed: _no_spaces(_rotated(text, seed), size),
    "punctuation line": lambda _, size, seed: _repeat(_PUNCTUATION[seed % 7 :], size) + "\n",
    "newlines after a sentence": lambda _, size, seed: "Start.\n" + "\n" * size,
    "spaces inside a line": lambda _, size, seed: "Start." + " " * size + "x \n",
    "blank lines of a space": lambda _, size, seed: "Start.\n" + " \n" * (size // 2),
    "base64": _base64,
}
