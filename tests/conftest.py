"""Shared fixtures: the repository's rules, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

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
