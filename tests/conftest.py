"""Shared fixtures: the repository's rules, loaded once per test session."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from normalize.edits import dumps_json_line
from normalize.edits_file import EditsWriter
from normalize.pipeline import Normalizer
from normalize.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "corpus" / "raw"
GOLDEN_DIR = ROOT / "tests" / "golden"
RULES_DIR = ROOT / "rules"
BENCH_CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"


@pytest.fixture(scope="session")
def normalizer() -> Normalizer:
    return Normalizer.from_rules(RULES_DIR)


@pytest.fixture(scope="session")
def rulesets() -> list[RuleSet]:
    return load_rules(RULES_DIR)


def raw_documents() -> list[Path]:
    return sorted(RAW_DIR.glob("*.txt"))


def bench_texts(limit: int) -> list[str]:
    """The first `limit` texts of the benchmark corpus; none when it is absent."""
    if not BENCH_CORPUS.exists():
        return []
    with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in islice(lines, limit)]


@pytest.fixture
def poisoned_pass(monkeypatch: pytest.MonkeyPatch) -> str:
    """A pass that crashes on any document containing the returned word.

    For the tests of "one bad document costs only itself". Worker processes
    forked after this run the patched pass too.
    """
    from normalize.actions.boilerplate import BoilerplateAction

    propose = BoilerplateAction.propose

    def crash_on_poison(self: BoilerplateAction, text: str, doc: object) -> object:
        if "poison" in text:
            raise ValueError("a bug met on an odd document")
        return propose(self, text, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(BoilerplateAction, "propose", crash_on_poison)
    return "poison"


def rewrite_edits_file(path: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
    """Change the records of an edits file in place and write it again with a
    fresh end record, as a program that knows the format would (the per-document
    and per-input checksums are left as they are)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert records[0]["kind"] == "header" and records[-1]["kind"] == "end"
    body = records[1:-1]
    change(body)
    with path.open("w", encoding="utf-8") as stream:
        writer = EditsWriter(stream)
        for record in body:
            writer.write(dumps_json_line(record))
        writer.inputs = sum(1 for record in body if record["kind"] == "input")
        writer.finish()
