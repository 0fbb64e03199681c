"""List every edit and note of some passes over the benchmark corpus, for reading.

    .venv/bin/python bench/list_edits.py                       # glued_words and sentences
    .venv/bin/python bench/list_edits.py --passes sentences --limit 2000 -o /tmp/edits.txt

Each edit is printed with its document id, rule and some context, raw text on
the first line and the repaired text on the second, so that a reader can judge
every one; a summary gives the counts per rule and per 10,000 words. The corpus
is read from ../shared/bench/news.jsonl.gz (it is never committed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from normalize.document import Edit, Note
from normalize.edits import apply_edits
from normalize.pipeline import Normalizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"
CONTEXT = 50


def read_documents(path: Path, limit: int | None) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            yield json.loads(line)


def show(text: str, start: int, end: int, replacement: str) -> tuple[str, str]:
    """The raw context and the repaired context of one edit, one line each."""
    left = text[max(0, start - CONTEXT) : start]
    right = text[end : end + CONTEXT]
    before = f"{left}[{text[start:end]}]{right}"
    after = f"{left}[{replacement}]{right}"
    return before.replace("\n", "⏎"), after.replace("\n", "⏎")


def report(record: Edit | Note, text_at_step: str, doc_id: str, out: IO[str]) -> None:
    if isinstance(record, Edit):
        before, after = show(text_at_step, record.start, record.end, record.after)
        out.write(f"{doc_id}\t{record.pass_name}/{record.rule}\n  - {before}\n  + {after}\n")
    else:
        context, _ = show(text_at_step, record.start, record.end, record.text)
        out.write(f"{doc_id}\tNOTE {record.pass_name}/{record.rule}\n  ? {context}\n")


def texts_by_step(raw: str, edits: list[Edit]) -> dict[int, str]:
    """The text as each step saw it (edits are numbered by step, in order)."""
    texts: dict[int, str] = {}
    text = raw
    steps = sorted({e.step for e in edits})
    for step in steps:
        texts[step] = text
        text = apply_edits(text, [e for e in edits if e.step == step])
    texts[max(steps, default=-1) + 1] = text
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rules", type=Path, default=ROOT / "rules", help="the rules folder")
    parser.add_argument("--passes", default="glued_words,sentences")
    parser.add_argument("--limit", type=int, default=None, help="read only the first N documents")
    parser.add_argument("-o", "--output", type=Path, help="write the listing here (default stdout)")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus}: benchmark corpus not found", file=sys.stderr)
        return 2
    passes = set(args.passes.split(","))
    normalizer = Normalizer.from_rules(args.rules)
    counts: Counter[str] = Counter()
    words = documents = 0
    started = time.perf_counter()
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    with out:
        for doc in read_documents(args.corpus, args.limit):
            documents += 1
            words += len(doc["text"].split())
            result = normalizer.normalize_and_explain(doc["text"])
            mine = [e for e in result.edits if e.pass_name in passes]
            notes = [n for n in result.notes if n.pass_name in passes]
            if not mine and not notes:
                continue
            texts = texts_by_step(doc["text"], result.edits)
            for record in [*mine, *notes]:
                report(record, texts[record.step], doc["id"], out)
                kind = "note" if isinstance(record, Note) else "edit"
                counts[f"{kind}\t{record.pass_name}/{record.rule}"] += 1
    seconds = time.perf_counter() - started
    print(f"{documents} documents, {words} words, {seconds:.1f} s", file=sys.stderr)
    for key, count in sorted(counts.items()):
        print(
            f"{count:7d}  {count * 10_000 / max(words, 1):7.3f} per 10k words  {key}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
