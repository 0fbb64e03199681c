"""The glued-words pass: it only ever inserts separators, and only where guarded."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.actions.glued_words import CACHE_LIMIT
from normalize.pipeline import Normalizer
from normalize.rules import RulesError
from normalize.segmentation import Segmenter, commonest, edits1, inserts1

from .conftest import RULES_DIR, raw_documents

PASS = "glued_words"
# Pieces that make glued tokens, look-alikes, abbreviations, URLs and code.
PIECES = st.sampled_from(
    [
        "tensions", "The", "rights", "Chinese", "on", "Thursday", "technology", "among",
        "other", "Hong", "Kong", "as", "well", "China", ".", " ", "\n", "U.S.", "e.g.",
        "iPhone", "McCarthy", "www.", "com", "/", "@", "(", ")", "=", "’s", "Police", "police",
        "forthe", "year", "it", "On", "Sunday", "One.Tel", "3.5",
    ]
)  # fmt: skip


def glued(normalizer: Normalizer, text: str) -> str:
    return normalizer.normalize_and_explain(text, only=PASS).text


@given(st.lists(PIECES, max_size=14).map("".join))
@settings(max_examples=300, deadline=None)
def test_only_separators_are_inserted(normalizer: Normalizer, text: str) -> None:
    result = normalizer.normalize_and_explain(text, only=PASS)
    # Never a letter changed, removed or added: insertions of a separator only.
    for edit in result.edits:
        assert edit.before == "" and edit.after in (" ", ". ")
    assert glued(normalizer, result.text) == result.text  # settles in one run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deepening tensionsThe announcement.", "deepening tensions. The announcement."),
        ("human rightsChinese military aggression", "human rights Chinese military aggression"),
        ("a poll released onThursday found", "a poll released on Thursday found"),
        ("Source: Washington PostThis report comes", "Source: Washington Post. This report comes"),
        ("in Cuba.Beijing accuses", "in Cuba. Beijing accuses"),
        ("trade with Taiwan to Hong Kongas well as", "trade with Taiwan to Hong Kong as well as"),
        ("Chinese technologyamong other actions", "Chinese technology among other actions"),
        ("13 cents forthe year against 15", "13 cents for the year against 15"),
    ],
)  # fmt: skip
def test_splits(normalizer: Normalizer, text: str, expected: str) -> None:
    assert glued(normalizer, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "McCarthy, MacGill, DeSantis, duPlessis, iPhone, eBay, YouTube, PayPal, LinkedIn",
        "JavaScript and BankSA, deGrasse Tyson and alBaghdadi",
        "U.S. officials, e.g. Ph.D. holders, paid 3.5 pct to One.Tel and Amazon.Com",
        "see www.example.com/newsRoom or mail john.Smith@example.org",
        "var randomNumber = Math.floor(Math.random()); el.insertBefore(x);",
        "#WhiteHouse @realDonaldTrump FoxNews CareNow",
        "The King Hassan and Bill Haslam; John Toshack; What Herter said; The Costan name",
        "the cyberattack on workgroups, onboard memory, we belive, forsee, withold",
        "Patients at CareNow; the CareNow clinic closed.",  # twice in a text: a brand
        "Ciena, Kritenbrink, Kongas and Andover: names, not glue",
    ],
)
def test_look_alikes_stay(normalizer: Normalizer, text: str) -> None:
    assert glued(normalizer, text) == text


def test_separator_follows_document_evidence(normalizer: Normalizer) -> None:
    # "policemen" is written in lower case elsewhere, so "Policemen" starts a sentence;
    # "Reuters" never is, so it is a name and gets a plain space.
    text = "The policemen came. Crowds gathered until the galleryPolicemen said so, he toldReuters."
    assert glued(normalizer, text) == (
        "The policemen came. Crowds gathered until the gallery. Policemen said so, he told Reuters."
    )


def test_ambiguous_separator_is_a_note_not_an_edit(normalizer: Normalizer) -> None:
    result = normalizer.normalize_and_explain("Things got violent whenHe punched a man.")
    assert not [e for e in result.edits if e.pass_name == PASS]
    (note,) = [n for n in result.notes if n.pass_name == PASS]
    assert note.text == "whenHe" and "separator" in note.message


def test_clean_documents_get_no_split(normalizer: Normalizer) -> None:
    for path in raw_documents():
        if path.stem.startswith(("002", "003")):
            result = normalizer.normalize_and_explain(path.read_text(encoding="utf-8"))
            assert not [e for e in result.edits if e.pass_name == PASS]


def test_segmenter_never_respells() -> None:
    segmenter = Segmenter.__new__(Segmenter)  # pieces() refuses before symspellpy is needed
    for token in ("Kongas", "hong-kong", "naïvebut", "two words", ""):
        assert segmenter.pieces(token) is None


def test_typo_helpers() -> None:
    assert "believe" in inserts1("belive") and "belive" in edits1("believe")
    assert commonest({"believe", "xqzv"}, {"believe": 7}) == ("believe", 7)
    assert commonest({"xqzv"}, {"believe": 7}) is None


def test_cache_is_bounded(normalizer: Normalizer) -> None:
    (action,) = [p.action for p in normalizer.passes if p.name == PASS]
    splitter = action.splitters[0]  # type: ignore[attr-defined]
    for i in range(CACHE_LIMIT + 10):
        splitter.cached(f"token{i}", lambda: None)
    assert len(splitter._cache) <= CACHE_LIMIT


def write_pass(tmp_path: Path, rule: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    text = "pass: glued\naction: glued_words\ndescription: d\nrules:\n" + textwrap.indent(
        textwrap.dedent(rule), "  "
    )
    (folder / "40-glued.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("- id: A\n  split: hyphen\n  message: m\n", "unknown split 'hyphen'"),
        ("- id: A\n  split: stop\n  min_count: 5\n  message: m\n", "stop does not use min_count"),
        ("- id: A\n  split: segment\n  message: m\n", "needs 'junction_words'"),
        ("- id: A\n  split: case\n  never_split_patterns: ['(']\n  message: m\n", "invalid regul"),
        ("- id: A\n  split: case\n  proper_words: data/none.txt\n  message: m\n", "not found"),
    ],
)  # fmt: skip
def test_unusable_rules_are_reported(tmp_path: Path, rule: str, problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        Normalizer.from_rules(write_pass(tmp_path, rule))
    assert any(problem in p and "rule A" in p for p in caught.value.problems)


def test_the_rules_folder_loads_with_its_lists() -> None:
    assert Normalizer.from_rules(RULES_DIR).passes
