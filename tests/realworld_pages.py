"""Expectations about the real damaged pages of ../shared/realworld (read, not copied).

The 79 pages stay in ../shared/realworld/pages.jsonl; what the project expects of
them lives in `tests/realworld/*.yaml`, one file per group of repair families:

    families:                       # the families this file measures, with a line each
      spacing: space before a comma, a stop or a closing bracket; ...
    expectations:
      - page: p025                  # the page's id in pages.jsonl
        family: spacing
        defect: a space before the comma of a dateline        # what a reader sees
        absent: ["Saturday , April 17"]    # must be gone after the pipeline
        present: ["Saturday, April 17"]    # must be there after the pipeline
        stays: ["Javier Milei"]            # strings of the raw page that must come out as they are
      - page: p013
        family: spacing
        defect: ...
        missed: why the pipeline leaves it   # a defect not repaired yet (counts against the rate)

An entry with `absent` or `present` is a defect; one with only `stays` is a
look-alike that must survive. Every `absent` and `stays` string must occur in the
raw page, so that no expectation can pass without the pipeline doing something.
`bench/realworld.py` prints the repaired rate per family; tests/test_realworld.py
checks every entry (a `missed` one is a strict expected failure: it fails when the
defect gets repaired, so the mark cannot outlive its cause).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "realworld" / "pages.jsonl"
EXPECTATIONS_DIR = Path(__file__).resolve().parent / "realworld"
ALLOWED_KEYS = {"page", "family", "defect", "absent", "present", "stays", "missed"}


@dataclass(frozen=True, slots=True)
class Expectation:
    file: str  # the YAML file's stem: the group of families
    index: int  # position in that file
    page: str
    family: str
    defect: str
    absent: tuple[str, ...]
    present: tuple[str, ...]
    stays: tuple[str, ...]
    missed: str | None

    @property
    def is_defect(self) -> bool:
        return bool(self.absent or self.present)

    @property
    def id(self) -> str:
        return f"{self.file}-{self.page}-{self.family}-{self.index}"

    def problems_in(self, output: str) -> list[str]:
        """What the pipeline's output of this page gets wrong for this entry."""
        problems = [f"still there: {s!r}" for s in self.absent if s in output]
        problems += [f"missing: {s!r}" for s in self.present if s not in output]
        problems += [f"changed: {s!r}" for s in self.stays if s not in output]
        return problems


class ExpectationError(ValueError):
    """An expectations file that cannot be used as it is."""


@cache
def read_pages() -> dict[str, str]:
    """Page id -> raw text; empty when ../shared/realworld is absent."""
    if not PAGES.exists():
        return {}
    with PAGES.open(encoding="utf-8") as lines:
        return {row["id"]: row["text"] for row in map(json.loads, lines)}


def expectation_files() -> list[Path]:
    return sorted(EXPECTATIONS_DIR.glob("*.yaml"))


def read_expectations(
    path: Path, pages: dict[str, str]
) -> tuple[dict[str, str], list[Expectation]]:
    """The families and the checked entries of one expectations file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    families = data.get("families") or {}
    entries: list[Expectation] = []
    for index, raw in enumerate(data.get("expectations") or []):
        where = f"{path.name}: entry {index}"
        unknown = set(raw) - ALLOWED_KEYS
        if unknown:
            raise ExpectationError(f"{where}: unknown keys {sorted(unknown)}")
        entry = Expectation(
            file=path.stem,
            index=index,
            page=str(raw.get("page", "")),
            family=str(raw.get("family", "")),
            defect=str(raw.get("defect", "")),
            absent=tuple(raw.get("absent") or ()),
            present=tuple(raw.get("present") or ()),
            stays=tuple(raw.get("stays") or ()),
            missed=raw.get("missed"),
        )
        _check(entry, where, families, pages)
        entries.append(entry)
    return families, entries


def _check(entry: Expectation, where: str, families: dict[str, str], pages: dict[str, str]) -> None:
    if entry.family not in families:
        raise ExpectationError(f"{where}: family {entry.family!r} is not in `families`")
    if not (entry.is_defect or entry.stays):
        raise ExpectationError(f"{where}: neither absent, present nor stays")
    if entry.is_defect and not entry.defect:
        raise ExpectationError(f"{where}: a defect needs a `defect` line saying what it is")
    raw = pages.get(entry.page)
    if raw is None:
        raise ExpectationError(f"{where}: no page {entry.page!r} in {PAGES}")
    for text in (*entry.absent, *entry.stays):
        if text not in raw:
            raise ExpectationError(f"{where}: {text!r} is not on page {entry.page}")
    if entry.is_defect and not entry.absent and all(s in raw for s in entry.present):
        raise ExpectationError(f"{where}: every `present` string is already on the page")


def all_expectations() -> Iterator[tuple[dict[str, str], list[Expectation]]]:
    pages = read_pages()
    for path in expectation_files():
        yield read_expectations(path, pages)
