"""The benchmark scripts still run (on a small corpus made of corpus/raw, in seconds).

What they measure is read by people (`make bench`, `make bench-names`,
`make bench-edits`, `make bench-damage`); these tests only keep them from
breaking unnoticed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, raw_documents


def run_script(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), *args],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def small_corpus(folder: Path) -> Path:
    path = folder / "news.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for copy in range(3):
            for raw in raw_documents():
                text = raw.read_text(encoding="utf-8")
                stream.write(json.dumps({"id": f"{raw.stem}-{copy}", "text": text}) + "\n")
    return path


def test_bench_prints_its_table(tmp_path: Path) -> None:
    table = run_script("bench.py", "--corpus", str(small_corpus(tmp_path)), "--rounds", "1")
    for measure in (
        "| ftfy.fix_text alone (reference) |",
        "| whole pipeline, in process |",
        "| command line, 2 workers |",
        "a loop that only computes, 2 processes",
        "| peak RSS, all",
        "| start-up + one short document |",
    ):
        assert measure in table, measure


def test_list_edits_lists_edits(tmp_path: Path) -> None:
    listing = run_script("list_edits.py", "--corpus", str(small_corpus(tmp_path)))
    assert "glued_words/" in listing and "sentences/" in listing


def test_bench_names_compares_two_gazetteers(tmp_path: Path) -> None:
    table = run_script(
        "bench_names.py", "--corpus", str(small_corpus(tmp_path)), "--entries", "200"
    )
    assert "corpus" in table and "generated" in table


def test_rarely_capitalised_counts_a_word_list(tmp_path: Path) -> None:
    output = tmp_path / "rarely.txt"
    corpus = small_corpus(tmp_path)
    run_script(
        "rarely_capitalised.py", "--corpus", str(corpus), "-o", str(output), "--min-count", "5"
    )
    words = [line for line in output.read_text().splitlines() if not line.startswith("#")]
    # Frequent in lower case and never capitalised mid-sentence in the seeds.
    assert "Visit" in words and "The" in words
    assert all(word[:1].isupper() and word[1:].islower() for word in words)
    assert "He" not in words  # pronouns have a rule of their own


def test_bench_damage_sorts_every_injected_damage(tmp_path: Path) -> None:
    listing = tmp_path / "damage.txt"
    corpus = str(small_corpus(tmp_path))
    table = run_script("damage.py", "--corpus", corpus, "--step", "1", "-o", str(listing))
    lines = table.splitlines()
    rows = [line.split(" | ") for line in lines if line.startswith("| ") and "`" in line]
    assert rows and any(row[0] == "| repeated stop" for row in rows)
    for row in rows:  # tried, then three shares that add up to the whole
        shares = [float(cell.strip(" |%")) for cell in row[3:]]
        assert int(row[2]) > 0 and abs(sum(shares) - 100) < 0.2, row
    assert "repaired\trepeated stop" in listing.read_text(encoding="utf-8")


def test_bench_damage_names_writes_a_gazetteer_and_counts(tmp_path: Path) -> None:
    listing = tmp_path / "names.txt"
    corpus = str(small_corpus(tmp_path))
    table = run_script("damage_names.py", "--corpus", corpus, "--step", "1", "-o", str(listing))
    assert "a gazetteer of" in table and "false corrections" in table
    assert "| full name |" in table  # the seeds name people often enough to try
    assert "\tfull name: " in listing.read_text(encoding="utf-8")


def test_bench_jsonl_compares_the_command_line_with_an_ftfy_loop(tmp_path: Path) -> None:
    table = run_script("bench_jsonl.py", "--corpus", str(small_corpus(tmp_path)), "--rounds", "1")
    for measure in (
        "| ftfy loop |",
        "| normalize, 2 workers |",
        "| JSON layer alone, in process |",
    ):
        assert measure in table, measure
