"""Throughput of the names pass with the corpus gazetteer and with a large generated one.

    python bench/bench_names.py [--corpus news.jsonl.gz] [--docs N] [--entries 10000]

Runs the names pass alone over the benchmark corpus (../shared/bench/news.jsonl.gz,
or corpus/raw when it is absent) twice: with rules/50-names.yaml and with a
generated gazetteer of --entries people (common given names, invented surnames,
variants and titles). Prints one table row per gazetteer, for a first (cold) and a
second (warm) run over the same documents: the first pays once per distinct word
for its cached fuzzy verdict. The cost per document should barely move with the
gazetteer's size: names are found by hashing words, not by one pattern per entry.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalize.lexicon import load_lexicon, read_word_file  # noqa: E402
from normalize.pipeline import Normalizer  # noqa: E402

BENCH_CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"
NAMES_FILE = "50-names.yaml"
NAME_LIST = ROOT / "rules" / "data" / "names" / "us-given-names.txt"
# The most common given names (from the rules' name lists), so that generated
# names occur in real text as often as a real gazetteer's ("John ..." is frequent).
GIVEN_NAMES = [name.capitalize() for name in list(read_word_file(NAME_LIST))[:50]]
TITLES = ["Minister", "Senator", "Governor", "Ambassador", "Chairman", "Secretary", "General"]
SYLLABLES = [consonant + vowel for consonant in "bdgklmnprstvz" for vowel in "aeiou"]


def read_documents(path: Path | None, limit: int) -> list[str]:
    """Texts of the benchmark corpus, or of corpus/raw when it is missing."""
    if path is not None and path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            texts = (json.loads(line)["text"] for line in stream)
            return [text for _, text in zip(range(limit), texts, strict=False)]
    print(f"note: {path} not found; using corpus/raw", file=sys.stderr)
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "raw").glob("*.txt"))]


def invented_surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def misspell(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("aeiourn") + word[i + 1 :]


def generated_rules(entries: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """`entries` people with common given names and distinct invented surnames.

    A misspelt surname is never an English word here ("Some"): real variants
    seldom are, and a variant that is one costs a closer look at many texts.
    """
    rng = random.Random(seed)
    lexicon = load_lexicon()
    used: set[str] = set()  # every surname, right or wrong, is used once
    while len(used) < 2 * entries:
        surname = invented_surname(rng)
        wrong = misspell(surname, rng)
        if surname in used or wrong in used or wrong == surname or wrong in lexicon:
            continue
        used.update((surname, wrong))
        given = rng.choice(GIVEN_NAMES)
        yield {
            "id": f"NAME_GEN_{len(used) // 2:05d}",
            "canonical": f"{given} {surname}",
            "variants": [f"{given} {wrong}"],
            "context": [rng.choice(TITLES)],
            "message": "A generated person.",
        }


def write_rules(folder: Path, names_yaml: dict[str, object]) -> None:
    folder.mkdir()
    (folder / NAMES_FILE).write_text(yaml.safe_dump(names_yaml, sort_keys=False), "utf-8")
    shutil.copytree(ROOT / "rules" / "data", folder / "data")


def measure(label: str, rules_dir: Path, documents: list[str]) -> list[str]:
    started = time.perf_counter()
    normalizer = Normalizer.from_rules(rules_dir)
    build = time.perf_counter() - started
    entries = len(normalizer.passes[0].ruleset.rules)
    normalizer.normalize_and_explain(documents[0], only="names")  # warm the lexicon
    megabytes = sum(len(text.encode("utf-8")) for text in documents) / 1e6
    row = [label, f"{entries:,}", f"{build:.1f}", f"{len(documents):,}", f"{megabytes:.1f}"]
    # The first run pays once per distinct word (the fuzzy verdict is cached);
    # the second shows the steady cost per document of a long stream.
    for _run in ("cold", "warm"):
        edits = 0
        started = time.perf_counter()
        for text in documents:
            edits += len(normalizer.normalize_and_explain(text, only="names").edits)
        seconds = time.perf_counter() - started
        row += [f"{megabytes / seconds:.1f}", f"{seconds / len(documents) * 1e6:.0f}"]
    return [*row, f"{edits:,}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--docs", type=int, default=100_000, help="at most this many documents")
    parser.add_argument("--entries", type=int, default=10_000, help="size of the generated one")
    args = parser.parse_args()
    documents = read_documents(args.corpus, args.docs)
    corpus_names = yaml.safe_load((ROOT / "rules" / NAMES_FILE).read_text("utf-8"))
    generated = {**corpus_names, "rules": list(generated_rules(args.entries))}
    header = "gazetteer entries load_s docs MB cold_MB/s µs/doc warm_MB/s µs/doc edits"
    rows = [header.split()]
    with tempfile.TemporaryDirectory() as tmp:
        for label, names_yaml in (("corpus", corpus_names), ("generated", generated)):
            folder = Path(tmp) / label
            write_rules(folder, names_yaml)
            rows.append(measure(label, folder, documents))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
