"""symspellpy's word segmentation, guarded so that it can only insert spaces.

symspellpy's `word_segmentation` lower-cases, folds Unicode, drops hyphens and,
at an edit distance above 0, respells. Here it runs at edit distance 0 on a
lower-case ASCII-letter token, and its answer is used only when the pieces
concatenate back to exactly that token; the caller cuts the original token at
the same offsets, so case and letters are never changed.

symspellpy gets, for each token, only the lexicon words inside it (see
`Segmenter._symspell_for`). The bigram counts are read on first use and shared
by the whole process; they are also kept in the disk cache.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from symspellpy import SymSpell

from normalize import disk_cache
from normalize.lexicon import Lexicon

SYMSPELL_BIGRAMS = "frequency_bigramdictionary_en_243_342.txt"
_LETTERS = string.ascii_lowercase


class Segmenter:
    """Exact splits of a run-together token into lexicon words."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.counts = lexicon.counts
        self.longest = max(
            (len(word) for word, count in self.counts.items() if count > 0), default=0
        )

    def pieces(self, token: str) -> list[str] | None:
        """symspellpy's best split of `token` (lower-case letters), if it is exact."""
        if not (token.isascii() and token.isalpha() and token.islower()):
            return None
        result = self._symspell_for(token).word_segmentation(
            token, max_edit_distance=0, max_segmentation_word_length=self.longest
        )
        pieces = result.segmented_string.split()
        if "".join(pieces) != token or len(pieces) < 2:
            return None
        return pieces

    def _symspell_for(self, token: str) -> SymSpell:
        """symspellpy with just the lexicon words found inside `token`.

        At edit distance 0, segmentation looks up only pieces of the token, so
        it comes out the same as with the whole lexicon (given the lexicon's
        longest word as the longest piece), without first indexing 80,000 words
        (0.07 s, and memory) for the few tokens a corpus ever needs split.
        """
        found: dict[str, int] = {}  # each piece once: symspellpy adds up repeated entries
        for start in range(len(token)):
            for end in range(start + 1, min(len(token), start + self.longest) + 1):
                count = self.counts.get(token[start:end])
                if count:
                    found[token[start:end]] = count
        symspell = SymSpell(max_dictionary_edit_distance=0, prefix_length=1)
        for word, count in found.items():
            symspell.create_dictionary_entry(word, count)
        return symspell


class BigramCounts:
    """symspellpy's English bigrams with counts: `get("hong kong")` is 37172800.

    The pairs are kept as one string per first word ("\nkong 37172800\n..."),
    searched at each look-up: 16,600 entries read back from the disk cache in
    5 ms, where a dict of the 240,000 pairs takes 60 ms, which workers would
    wait for before they start, for the few hundred look-ups a corpus needs.
    """

    def __init__(self, groups: dict[str, str]) -> None:
        self.groups = groups

    @classmethod
    def parse(cls, text: str) -> BigramCounts:
        """From symspellpy's file: "first second count" lines (other lines are skipped)."""
        pairs: dict[str, dict[str, int]] = {}
        for line in text.splitlines():
            pair, _, count = line.rpartition(" ")
            if pair.count(" ") == 1 and count.isdigit():
                first, _, second = pair.partition(" ")
                pairs.setdefault(first, {})[second] = int(count)
        return cls(
            {
                first: "".join(f"\n{second} {count}" for second, count in seconds.items()) + "\n"
                for first, seconds in pairs.items()
            }
        )

    def get(self, pair: str, default: int = 0) -> int:
        """The count of `pair` ("first second"), or `default` if it is not listed."""
        first, _, second = pair.partition(" ")
        group = self.groups.get(first)
        if group is None:
            return default
        at = group.find(f"\n{second} ")
        if at < 0:
            return default
        start = at + len(second) + 2
        return int(group[start : group.index("\n", start)])

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, str) and self.get(pair, -1) >= 0


def load_bigrams() -> BigramCounts:
    """symspellpy's English bigram counts, parsed once, then read back from the
    disk cache (normalize.disk_cache)."""
    source = files("symspellpy") / SYMSPELL_BIGRAMS
    return BigramCounts(
        disk_cache.cached_from_files(
            "bigram-groups",
            [Path(str(source))],
            lambda: BigramCounts.parse(source.read_text(encoding="utf-8")).groups,
        )
    )


def inserts1(word: str) -> set[str]:
    """Every string with one letter more than `word`: what `word` is, if a typist dropped one."""
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _LETTERS}


def edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    return deletes | transposes | replaces | inserts1(word)


def highest_count(candidates: set[str], counts: Mapping[str, int]) -> int:
    """The highest count in `counts` of any of `candidates` (0 if none is known)."""
    # The intersection runs in C: `edits1` makes hundreds of candidates.
    return max((counts[c] for c in candidates & counts.keys()), default=0)
