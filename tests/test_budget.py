"""Every pass works within bounds on each document: a time budget that covers its
Python work as well as its regex searches, and a limit on how much longer it may
make the text. Past either, the text is left as the pass found it, a warning says
so, and the other passes and documents go on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from normalize import pipeline
from normalize.actions.glued_words import CaseSplitter
from normalize.cli import main
from normalize.pipeline import Normalizer

from .test_hostile_rules import CATASTROPHIC_LAYOUT, rules_with

TEN_X = """\
- id: TEN_X
  pattern: 'x'
  replacement: 'xxxxxxxxxx'
  message: Makes ten of every x, and again in every round.
"""


def test_a_rule_that_multiplies_the_text_is_stopped_at_once(tmp_path: Path) -> None:
    normalizer = Normalizer.from_rules(rules_with(tmp_path, "20-layout.yaml", TEN_X))
    text = "".join(f"Fix x and x in line {i}.  \n" for i in range(1000))
    started = time.perf_counter()
    result = normalizer.normalize_and_explain(text, as_file=True)
    assert time.perf_counter() - started < 30  # not 10**9 x's
    assert result.text == text  # the whole layout pass was dropped
    assert not [e for e in result.edits if e.pass_name == "layout"]
    (warning,) = result.warnings
    assert warning.startswith("pass layout would have made this document ")
    assert f"characters long, from {len(text):,} (more than 2 times as long)" in warning


def test_an_edit_may_lengthen_the_text(tmp_path: Path) -> None:
    rule = "- id: MISTER\n  pattern: '\\bMr\\b'\n  replacement: Mister\n  message: M.\n"
    normalizer = Normalizer.from_rules(rules_with(tmp_path, "20-layout.yaml", rule))
    result = normalizer.normalize_and_explain("Mr Li met Mr Wu and Mr Ma.\n", as_file=True)
    assert result.text == "Mister Li met Mister Wu and Mister Ma.\n"
    assert not result.warnings


def test_a_pass_out_of_time_leaves_the_text_as_it_found_it(monkeypatch) -> None:
    normalizer = Normalizer.from_rules()
    decide = CaseSplitter.decide

    def slow_decide(self, match, scan):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # a Python loop nobody bounded, in a pass
        return decide(self, match, scan)

    monkeypatch.setattr(CaseSplitter, "decide", slow_decide)
    monkeypatch.setattr(pipeline, "PASS_SECONDS", 0.5)
    lefts = ["tensions", "rights", "talks", "markets", "prices", "leaders"]
    rights = ["The", "It", "He", "She", "They", "We", "This", "But", "However", "Meanwhile"]
    glued = " ".join(f"Over {left}{right} went on." for left in lefts for right in rights)
    text = f"{glued}  \n\nLeave a Reply\n"
    started = time.perf_counter()
    result = normalizer.normalize_and_explain(text, as_file=True)
    assert time.perf_counter() - started < 3  # 60 slow splits would take 3 s
    # The other passes did their work; the glued-words pass changed nothing.
    assert result.text == glued + "\n"
    assert {e.pass_name for e in result.edits} == {"layout", "boilerplate"}
    assert result.warnings == [
        "pass glued_words took more than 0.5s on this document and was stopped; "
        "the text is as the pass found it"
    ]
    # The next document gets its own time.
    monkeypatch.setattr(CaseSplitter, "decide", decide)
    assert normalizer.normalize("the tensionsThe talks.") == "the tensions. The talks."


def test_a_search_may_not_outlast_its_pass(tmp_path: Path, monkeypatch, capsys) -> None:
    # The rule may search for a minute; its pass has half a second: the pass is
    # stopped (and named), not the rule, and the next document is done.
    folder = rules_with(tmp_path, "20-layout.yaml", CATASTROPHIC_LAYOUT, timeout=60)
    monkeypatch.setattr(pipeline, "PASS_SECONDS", 0.5)
    slow, fine = tmp_path / "slow.txt", tmp_path / "fine.txt"
    slow.write_text("a" * 5000 + "!  \n", encoding="utf-8")
    fine.write_text("Fine.  \n", encoding="utf-8")
    started = time.perf_counter()
    code = main(["--rules", str(folder), str(slow), str(fine), "-o", str(tmp_path / "out"), "-q"])
    assert time.perf_counter() - started < 30
    assert code == 0
    assert (tmp_path / "out" / "slow.txt").read_text() == "a" * 5000 + "!  \n"  # as it came
    assert (tmp_path / "out" / "fine.txt").read_text() == "Fine.\n"
    (warning,) = capsys.readouterr().err.splitlines()
    assert warning.startswith("normalize: slow.txt: pass layout took more than 0.5s")


@pytest.mark.parametrize("length", [0, 1_000_000])
def test_the_budget_grows_with_the_document(length: int) -> None:
    assert pipeline.pass_allowance(length) == pytest.approx(
        pipeline.PASS_SECONDS + pipeline.PASS_SECONDS_PER_MILLION_CHARS * length / 1e6
    )
