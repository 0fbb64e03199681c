"""The English vocabulary that passes use to tell words from non-words.

The base is symspellpy's bundled frequency list (82,765 words with counts). It
lacks everyday news words ("mln", "dlrs", "totaled"), so a word it does not know
is not thereby misspelled: passes widen it with word files from the rules folder
(one word per line, optionally followed by a count; `#` starts a comment).

A Lexicon is loaded once per process and shared through `Resources.shared`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from normalize import disk_cache
from normalize.rule_files import RuleFileError, read_rule_text

if TYPE_CHECKING:  # importlib.resources.abc is Python 3.11's
    from importlib.resources.abc import Traversable

SYMSPELL_WORDS = "frequency_dictionary_en_82_765.txt"
# Count given to a word from an extra word file that does not state one: about
# the frequency of an ordinary, not rare, English word in symspellpy's list.
DEFAULT_EXTRA_COUNT = 1_000_000


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Lower-case words and their corpus counts."""

    counts: Mapping[str, int]

    def count(self, word: str) -> int:
        """How common `word` is (0 when unknown); case is ignored."""
        return self.counts.get(word.lower(), 0)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word.lower() in self.counts

    def __len__(self) -> int:
        return len(self.counts)


def read_word_file(path: Path) -> dict[str, int]:
    """Words (and optional counts) from a word file; raises ValueError naming the line."""
    try:
        text = read_rule_text(path)
    except RuleFileError as error:
        raise ValueError(f"{path}: {error}") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason})") from error
    words: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.isalpha():  # a bare word, the most common line: nothing to parse
            words[line.lower()] = DEFAULT_EXTRA_COUNT
            continue
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        parts = content.split()
        if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
            raise ValueError(f"{path}:{number}: expected 'word' or 'word count', found {line!r}")
        words[parts[0].lower()] = int(parts[1]) if len(parts) == 2 else DEFAULT_EXTRA_COUNT
    return words


def load_lexicon(extra_files: Iterable[Path] = ()) -> Lexicon:
    """symspellpy's English list widened with `extra_files` (read back from the
    disk cache, normalize.disk_cache, once built)."""
    base = files("symspellpy") / SYMSPELL_WORDS
    extra = list(extra_files)
    return Lexicon(
        disk_cache.cached_from_files(
            "lexicon", [Path(str(base)), *extra], lambda: _read_counts(base, extra)
        )
    )


def _read_counts(base: Traversable, extra_files: list[Path]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in base.read_text(encoding="utf-8").splitlines():
        word, _, count_text = line.partition(" ")
        counts[word] = int(count_text)
    for path in extra_files:
        for word, count in read_word_file(path).items():
            counts[word] = max(count, counts.get(word, 0))
    return counts
