"""Count, in a news corpus, the common words that news almost never capitalises in mid-sentence.

    .venv/bin/python bench/rarely_capitalised.py   # -> rules/data/lists/rarely-capitalised.txt
    .venv/bin/python bench/rarely_capitalised.py --corpus news.jsonl.gz -o /tmp/list.txt

The sentences pass notes such a word when it stands capitalised between two
lower-case words ("reconnaissance balloon Fly over", "commercial success The
apple farming"): a full stop or a line break lost by a scraper, or a capital
added by a translation. What "almost never" means is counted, not guessed: a
word qualifies when the corpus has it at least --min-count times in lower case
and capitalised in that position in at most --max-share of its uses. Given
names ("Will", "Mark"), words that are always capitalised (weekdays) and
the pronouns, which a rule of their own notes, are left out.
The list is data like any other: edit it by hand, or count again on another
corpus. Reads ../shared/bench/news.jsonl.gz by default (never committed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import regex

from normalize.lexicon import read_word_file
from normalize.wordlists import read_list_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"
OUTPUT = ROOT / "rules" / "data" / "lists" / "rarely-capitalised.txt"
# A lower-case word, one space, a capitalised word, one space, a lower-case word.
MID_SENTENCE = regex.compile(r"(?<![\w.'’@#-])[a-z][a-z'’-]+ ([A-Z][a-z]{2,})(?= [a-z])")
LOWER_WORD = regex.compile(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])")
# PRONOUN_IN_MID_SENTENCE notes the first four; "His" and "Him" are capitalised
# on purpose in religious writing.
PRONOUNS = {"he", "she", "they", "we", "his", "him"}


def read_texts(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)["text"]


def excluded_words(rules_dir: Path) -> set[str]:
    """Words that may well be capitalised anywhere: given names, weekdays and the like."""
    words = set(PRONOUNS) | set(read_word_file(rules_dir / "data" / "names" / "us-given-names.txt"))
    listed = read_list_file(rules_dir / "data" / "lists" / "always-capitalised.txt")
    return words | {word.lower() for word in listed}


def count(texts: Iterator[str]) -> tuple[Counter[str], Counter[str]]:
    """(uses in lower case, uses capitalised between two lower-case words), by lower-case word."""
    lower: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for text in texts:
        lower.update(LOWER_WORD.findall(text))
        capitalised.update(word.lower() for word in MID_SENTENCE.findall(text))
    return lower, capitalised


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="gzipped JSON Lines, 'text'")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    parser.add_argument("--min-count", type=int, default=100, help="uses in lower case, at least")
    parser.add_argument(
        "--max-share", type=float, default=0.002, help="share capitalised in mid-sentence, at most"
    )
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus} is absent; nothing to count", file=sys.stderr)
        return 1
    lower, capitalised = count(read_texts(args.corpus))
    excluded = excluded_words(ROOT / "rules")
    chosen = sorted(
        word
        for word, uses in lower.items()
        if uses >= args.min_count
        and capitalised[word] <= args.max_share * uses
        and word not in excluded
    )
    header = [
        "# Common words that news almost never capitalises between two lower-case words;",
        "# the sentences pass notes them there (CAPITALISED_WORD_IN_MID_SENTENCE) for a",
        "# reviewer, and the glued-words pass puts a full stop before them when it splits",
        "# one off a glued word (sentence_words). Counted by bench/rarely_capitalised.py",
        f"# on {args.corpus.name}",
        f"# ({sum(lower.values()):,} lower-case words): at least {args.min_count} uses in lower",
        f"# case, at most {args.max_share:.1%} of them capitalised in that position. Edit freely.",
    ]
    args.output.write_text(
        "\n".join(header + [word.capitalize() for word in chosen]) + "\n", encoding="utf-8"
    )
    print(f"{len(chosen)} words written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
