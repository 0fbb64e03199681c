"""The glued-words and sentences passes together with the names gazetteer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from normalize.pipeline import Normalizer

from .conftest import RULES_DIR


def test_a_pronoun_echoing_a_known_name_goes(normalizer: Normalizer) -> None:
    result = normalizer.normalize_and_explain("Beijing: Antony Blinken He arrived on Sunday.")
    assert result.text == "Beijing: Antony Blinken arrived on Sunday."
    assert [e.rule for e in result.edits] == ["PRONOUN_ECHOED_AFTER_NAME"]


@pytest.mark.parametrize(
    "text",
    [
        "Blinken met He Lifeng on Monday.",
        "The talks with Liu He ended.",
        "Former vice premier Liu He said the talks went well.",
        "Top US diplomats visit Beijing He was scheduled to meet officials.",
    ],
)
def test_names_with_he_and_places_stay(normalizer: Normalizer, text: str) -> None:
    result = normalizer.normalize_and_explain(text)
    assert result.text == text and not result.edits
    # At most a note for a reviewer: "He" after a capitalised word may be a lost full stop.
    assert all(note.rule == "PRONOUN_IN_MID_SENTENCE" for note in result.notes)


def test_gazetteer_names_are_words_for_the_splitter(normalizer: Normalizer, tmp_path: Path) -> None:
    text = "Talks with the diplomatsKritenbrink said, were frank."
    assert normalizer.normalize(text) == "Talks with the diplomats Kritenbrink said, were frank."
    # A variant is a name too: split first, spelt right by the names pass after.
    assert (
        normalizer.normalize("Antony Blinken arrived amid tensionsBrinken said.")
        == "Antony Blinken arrived amid tensions Blinken said."
    )
    without_names = tmp_path / "rules"
    shutil.copytree(RULES_DIR, without_names)
    (without_names / "50-names.yaml").unlink()
    # Without the gazetteer "Kritenbrink" is no word of the lexicon, so nothing is split.
    assert Normalizer.from_rules(without_names).normalize(text) == text
