"""`normalize suggest`: name variants mined from a corpus, proposed for review."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from normalize.cli import main
from normalize.suggest import Miner

from .conftest import RAW_DIR, RULES_DIR


def variants_by_name(proposal: dict) -> dict[str, dict[str, dict]]:
    return {
        entry["name"]: {variant["word"]: variant for variant in entry["variants"]}
        for entry in proposal["proposals"]
    }


def test_the_corpus_yields_the_blinken_variants() -> None:
    texts = sorted(RAW_DIR.glob("*.txt"))
    proposal = Miner.from_rules(RULES_DIR).propose(lambda: (p.read_text("utf-8") for p in texts))
    found = variants_by_name(proposal)
    assert {"Brinken", "Blink"} <= set(found["Blinken"])
    brinken = found["Blinken"]["Brinken"]
    assert brinken["edits"] == 1 and brinken["count"] == 8
    assert "before both: Anthony ~ Antony" in brinken["evidence"]
    assert brinken["full_forms"] == {"Anthony Brinken": 2}
    assert brinken["notes"] == ["already listed in NAME_ANTONY_BLINKEN"]
    assert "Kreitenbrink" in found["Kritenbrink"]


def test_a_variant_needs_shared_evidence_and_is_not_a_plural(tmp_path: Path) -> None:
    texts = [
        "Minister Anna Kowalczyk spoke. Later Anna Kowalcyk spoke again.",
        *["Anna Kowalczyk met reporters on Monday." for _ in range(5)],
        "The Kowalczyks went home.",  # a plural, not a misspelling
        "Kowalcik won the race.",  # one edit, but nothing shared with Kowalczyk
    ]
    miner = Miner.from_rules(RULES_DIR, min_count=3)
    found = variants_by_name(miner.propose(lambda: iter(texts)))
    assert set(found) == {"Kowalczyk"}
    assert set(found["Kowalczyk"]) == {"Kowalcyk"}
    kowalcyk = found["Kowalczyk"]["Kowalcyk"]
    assert kowalcyk["evidence"] == ["before both: Anna", "documents with both: 1"]
    assert kowalcyk["examples"] == [
        "Minister Anna Kowalczyk spoke. Later Anna Kowalcyk spoke again."
    ]


def test_the_command_writes_a_reviewable_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "proposal.yaml"
    assert main(["suggest", str(RAW_DIR), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "# Proposed name variants, mined by `normalize suggest` from 5 documents."
    )
    assert "Brinken" in variants_by_name(yaml.safe_load(text))["Blinken"]


def test_the_command_reads_json_lines(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": p.stem, "text": p.read_text("utf-8")}) for p in RAW_DIR.glob("*.txt")
    ]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["suggest", "--jsonl", str(corpus)]) == 0
    assert "word: Brinken" in capsys.readouterr().out


def test_it_never_writes_into_the_rules(tmp_path: Path, capsys) -> None:
    before = {p: p.read_bytes() for p in RULES_DIR.rglob("*") if p.is_file()}
    status = main(["suggest", str(RAW_DIR), "-o", str(RULES_DIR / "50-names.yaml")])
    assert status == 2
    assert "never writes into the rules folder" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in RULES_DIR.rglob("*") if p.is_file()} == before
