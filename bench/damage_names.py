"""How well the names pass repairs misspelt names of people nobody wrote a rule for.

    .venv/bin/python bench/damage_names.py [--corpus news.jsonl.gz] [--step 4] [--people 300]

The seed documents' gazetteer covers the seeds' people; a user adds entries for
theirs. This script plays that user on the benchmark corpus: it counts the most
frequent full names ("Given Surname", the given name from the rules' name
lists) in every STEP-th article, writes a gazetteer of the top PEOPLE (the
canonical form only, no variants: what fuzzy matching must find alone) into a
copy of the rules folder, and then

1. runs the pipeline with it over the cleaned articles: every names edit there
   is a false correction of correct text (listed);
2. misspells one surname at a time (one letter of the middle changed, never
   into an English word or a real name of the name lists) in articles that
   name the person, and cleans again:
     - a full name ("Given Surnmae"): the given name agrees;
     - a later bare surname ("... Surnmae said"): the full name earlier in the
       article agrees, for surnames of `fuzzy_alone_min_length` letters or more.
   Outcomes as in bench/damage.py: repaired, left (a miss, no harm), other.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import regex
import yaml
from damage import BENCH_CORPUS, outcome_cells, read_texts, show

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalize.lexicon import load_lexicon, read_word_file  # noqa: E402
from normalize.names.real_names import read_name_lists  # noqa: E402
from normalize.pipeline import Normalizer  # noqa: E402
from normalize.rules import suggest_rule_id  # noqa: E402

NAMES_FILE = "50-names.yaml"
GIVEN_NAMES = ROOT / "rules" / "data" / "names" / "us-given-names.txt"
FULL_NAME = regex.compile(r"(?<![\p{L}.’'-])(\p{Lu}\p{Ll}+) (\p{Lu}\p{Ll}{4,})(?![\p{L}’'-])")
SAMPLES = 5


def frequent_people(texts: list[str], people: int) -> list[tuple[str, str]]:
    """The most frequent (given name, surname) pairs; surnames are no English words."""
    given = set(read_word_file(GIVEN_NAMES))
    lexicon = load_lexicon()
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        counts.update(
            pair
            for pair in set(FULL_NAME.findall(text))
            if pair[0].lower() in given and pair[1].lower() not in lexicon
        )
    chosen: list[tuple[str, str]] = []
    surnames: set[str] = set()
    for (first, last), count in counts.most_common():
        if len(chosen) == people or count < 3:
            break
        if last not in surnames:  # one person per surname: no rule can tell two apart
            chosen.append((first, last))
            surnames.add(last)
    return chosen


def write_rules(folder: Path, people: list[tuple[str, str]]) -> None:
    """A copy of the rules folder whose gazetteer holds `people` and nothing else."""
    shutil.copytree(ROOT / "rules", folder)
    names_yaml = yaml.safe_load((folder / NAMES_FILE).read_text("utf-8"))
    names_yaml["rules"] = [
        {
            "id": suggest_rule_id(f"NAME_{first}_{last}"),
            "canonical": f"{first} {last}",
            "message": "A frequent person of the benchmark corpus.",
        }
        for first, last in people
    ]
    (folder / NAMES_FILE).write_text(yaml.safe_dump(names_yaml, sort_keys=False), "utf-8")


def misspell(word: str, rng: random.Random, known: frozenset[str]) -> str | None:
    """`word` with one middle letter changed, unless every try is a known word or name."""
    for _ in range(10):
        i = rng.randrange(1, len(word) - 1)
        wrong = word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]
        if wrong != word and wrong.lower() not in known:
            return wrong
    return None


def spots(clean: str, first: str, last: str) -> Iterator[tuple[str, int]]:
    """(kind, position of the surname) for each place a misspelling fits."""
    full = f"{first} {last}"
    seen_full = clean.find(full)
    for match in regex.finditer(rf"(?<![\p{{L}}’'-]){last}(?![\p{{L}}’'-])", clean):
        start = match.start()
        if clean.startswith(full, start - len(first) - 1):
            yield "full name", start
        elif 0 <= seen_full < start and not clean[start - 2 : start - 1].isalpha():
            yield "later bare surname", start


def run(
    normalizer: Normalizer,
    texts: list[str],
    people: list[tuple[str, str]],
    known: frozenset[str],
    seed: int,
    out: IO[str],
) -> tuple[Counter[tuple[str, str]], int]:
    rng = random.Random(seed)
    counts: Counter[tuple[str, str]] = Counter()
    false_edits = 0
    finders = {last: regex.compile(rf"\b{last}\b") for _, last in people}
    for text in texts:
        result = normalizer.normalize_and_explain(text, as_file=True)
        clean = result.text
        for edit in normalizer.normalize_and_explain(clean, as_file=True).edits:
            if edit.pass_name == "names":
                false_edits += 1
                out.write(f"false\t{edit.before!r} -> {edit.after!r}\n")
                out.write(f"  ! {show(clean, edit.start, edit.end)}\n")
        here = [(f, last) for f, last in people if finders[last].search(clean)]
        for first, last in here:
            options = list(spots(clean, first, last))
            wrong = misspell(last, rng, known)
            if not options or wrong is None:
                continue
            for kind in {kind for kind, _ in options}:
                start = rng.choice([at for k, at in options if k == kind])
                damaged = clean[:start] + wrong + clean[start + len(last) :]
                again = normalizer.normalize(damaged, as_file=True)
                outcome = "repaired" if again == clean else "left" if again == damaged else "other"
                counts[kind, outcome] += 1
                if outcome == "other" or counts[kind, outcome] <= SAMPLES:
                    out.write(f"{outcome}\t{kind}: {last} -> {wrong}\n")
                    out.write(f"  - {show(damaged, start, start + len(wrong))}\n")
                    out.write(f"  + {show(again, start, start + len(wrong))}\n")
    return counts, false_edits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--step", type=int, default=4, help="read every STEP-th article")
    parser.add_argument("--people", type=int, default=300, help="gazetteer entries to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, default=Path("bench-damage-names.txt"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    texts = list(read_texts(args.corpus, args.step))
    people = frequent_people(texts, args.people)
    known = frozenset(load_lexicon().counts) | read_name_lists(ROOT / "rules")
    with tempfile.TemporaryDirectory() as tmp, args.output.open("w", encoding="utf-8") as out:
        rules = Path(tmp) / "rules"
        write_rules(rules, people)
        counts, false_edits = run(
            Normalizer.from_rules(rules), texts, people, known, args.seed, out
        )
    seconds = time.perf_counter() - started
    examples = "".join(f"{first} {last}, " for first, last in people[:3])
    print(
        f"{len(texts):,} articles, a gazetteer of {len(people)} frequent people "
        f"({examples}...), {seconds:.0f} s"
    )
    print(f"names edits on the cleaned articles (false corrections): {false_edits}")
    print("| misspelt | tried | repaired | left | other |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in ("full name", "later bare surname"):
        tried, shares = outcome_cells(counts, kind)
        if tried:
            print(f"| {kind} | {tried} | {' | '.join(shares)} |")
    print(f"listing: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
