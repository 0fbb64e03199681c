"""Repaired rate per family over the real damaged pages, and every edit made to them.

    .venv/bin/python bench/realworld.py              # the table of tests/realworld/*.yaml
    .venv/bin/python bench/realworld.py --edits      # and every edit and note, page by page

The pages are read from ../shared/realworld/pages.jsonl (never committed); the
expectations from tests/realworld/ (format: tests/realworld_pages.py). A defect
counts as repaired when its entry passes; look-alikes (`stays`) are counted apart.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.realworld_pages; this folder is on the path already

from list_edits import report, texts_by_step  # noqa: E402

from normalize.pipeline import Normalizer  # noqa: E402
from tests.realworld_pages import PAGES, all_expectations, read_pages  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, default=ROOT / "rules", help="rules folder")
    parser.add_argument("--edits", action="store_true", help="also list every edit and note")
    args = parser.parse_args(argv)
    pages = read_pages()
    if not pages:
        print(f"realworld: {PAGES} is absent; nothing to measure", file=sys.stderr)
        return 0
    normalizer = Normalizer.from_rules(args.rules)
    results = {page: normalizer.normalize_and_explain(text) for page, text in pages.items()}
    if args.edits:
        for page, result in results.items():
            records = sorted([*result.edits, *result.notes], key=lambda r: (r.step, r.start))
            steps = texts_by_step(pages[page], result.edits)
            for record in records:
                report(record, steps[record.step], page, sys.stdout)
    print("| family | defects | repaired | rate | look-alikes kept |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for families, entries in all_expectations():
        found: Counter[str] = Counter()
        repaired: Counter[str] = Counter()
        guards: Counter[str] = Counter()
        kept: Counter[str] = Counter()
        covered = set()
        for entry in entries:
            ok = not entry.problems_in(results[entry.page].text)
            covered.add(entry.page)
            if entry.is_defect:
                found[entry.family] += 1
                repaired[entry.family] += ok
            else:
                guards[entry.family] += 1
                kept[entry.family] += ok
        for family in families:
            rate = f"{100 * repaired[family] / found[family]:.0f}%" if found[family] else "-"
            print(
                f"| {family} | {found[family]} | {repaired[family]} | {rate} "
                f"| {kept[family]}/{guards[family]} |"
            )
        print(f"({len(covered)} pages have expectations in this file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
