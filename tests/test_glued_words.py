"""The glued-words pass: it only ever inserts separators, and only where guarded."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path
from unittest.mock import patch

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from symspellpy import SymSpell

from normalize.actions.glued_words import (
    _AFTER,
    _CODE_LINE,
    _WORD_BEFORE,
    CACHE_LIMIT,
    CASE_TOKEN,
    FEW_WORDS,
    CaseSplitter,
    SegmentSplitter,
    TextScan,
    repeated_forms,
)
from normalize.lexicon import load_lexicon
from normalize.pipeline import Normalizer
from normalize.rules import RulesError
from normalize.segmentation import Segmenter, edits1, highest_count, inserts1

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


def test_segmenter_splits_as_symspellpy_with_the_whole_lexicon() -> None:
    """Given only the words inside each token, symspellpy segments it the same."""
    lexicon = load_lexicon(sorted((RULES_DIR / "data" / "words").glob("*.txt")))
    whole = SymSpell(max_dictionary_edit_distance=0, prefix_length=1)
    for word, count in lexicon.counts.items():
        whole.create_dictionary_entry(word, count)
    segmenter = Segmenter(lexicon)
    assert segmenter.longest == whole._max_length
    words = sorted(w for w in lexicon.counts if w.isascii() and w.isalpha())
    generator = random.Random(7)
    tokens = ["thethe", "technologyamong", "kongas", "forthe", "abcdefghijklmnopqrstuvwxyzab"]
    tokens += ["".join(generator.choices(words, k=generator.randint(2, 3))) for _ in range(300)]
    for token in tokens:
        expected = whole.word_segmentation(token, max_edit_distance=0).segmented_string.split()
        split = expected if len(expected) > 1 and "".join(expected) == token else None
        assert segmenter.pieces(token) == split, token


def test_typo_helpers() -> None:
    assert "believe" in inserts1("belive") and "belive" in edits1("believe")
    assert highest_count({"believe", "belive", "xqzv"}, {"believe": 7, "belive": 2}) == 7
    assert highest_count({"xqzv"}, {"believe": 7}) == 0


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
        (
            "- id: A\n  split: case\n  never_split_patterns: ['(?:a{1000}){1000}']\n  message: m\n",
            "steps (limit",
        ),
        ("- id: A\n  split: case\n  proper_words: data/none.txt\n  message: m\n", "not found"),
    ],
)  # fmt: skip
def test_unusable_rules_are_reported(tmp_path: Path, rule: str, problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        Normalizer.from_rules(write_pass(tmp_path, rule))
    assert any(problem in p and "rule A" in p for p in caught.value.problems)


def test_never_split_patterns_match_whole_tokens(tmp_path: Path) -> None:
    rule = "- id: A\n  split: case\n  never_split_patterns: ['(?:a|aa)+']\n  message: m\n"
    normalizer = Normalizer.from_rules(write_pass(tmp_path, rule))
    (pass_,) = normalizer.passes
    (splitter,) = pass_.action.splitters
    assert splitter._kept_by_pattern("aaaa")
    assert not splitter._kept_by_pattern("tensionsThe")


def test_the_rules_folder_loads_with_its_lists() -> None:
    assert Normalizer.from_rules(RULES_DIR).passes


# The scans of `TextScan` must find exactly what the patterns they replace
# would: seams as `\p{Ll}\p{Lu}` and `\p{Ll}\.\p{Lu}` (letters outside ASCII,
# title case and "?" included), run-together tokens as the word regexes did.
LETTERS = st.sampled_from(
    [
        *"aZz.A ?-'’\n", "é", "É", "ß", "ǅ", "Ω", "ω", "ﬁ", "\u0301", "Ⅻ", "中", "\udce9",
        "s.T", "sT", "é.É", "a.É", "é.A", "ω.Ω", "ǅ.A", "éÉ", "aÉ", "éA", "ǅA", "aǅ",
    ]
)  # fmt: skip


@given(st.lists(LETTERS, max_size=20).map("".join))
@settings(max_examples=1000, deadline=None)
def test_seams_are_where_the_letter_patterns_match(text: str) -> None:
    scan = TextScan(text)
    assert scan.case_seams() == [m.start() for m in regex.finditer(r"\p{Ll}\p{Lu}", text)]
    assert scan.stop_seams() == [m.start() for m in regex.finditer(r"\p{Ll}\.\p{Lu}", text)]


def segment_splitter(normalizer: Normalizer) -> SegmentSplitter:
    (action,) = [p.action for p in normalizer.passes if p.name == PASS]
    (splitter,) = [s for s in action.splitters if isinstance(s, SegmentSplitter)]  # type: ignore[attr-defined]
    return splitter


def candidates_by_word_regexes(splitter: SegmentSplitter, text: str) -> list[tuple[int, int]]:
    """The run-together tokens as the pass first found them: every unknown word
    of the text, and each place where one that splits stands on its own."""
    known = frozenset(splitter.lexicon.counts)
    unknown = set(re.findall(r"[a-z]{6,}", text)) - known
    unknown.update(w for w in re.findall(r"[A-Z][a-z]{5,}", text) if w.lower() not in known)
    spans = []
    for token in sorted(unknown):
        if len(token) >= splitter.min_length and splitter._pieces(token):
            pattern = _WORD_BEFORE + regex.escape(token) + _AFTER
            spans.extend(m.span() for m in regex.finditer(pattern, text))
    return spans


WORDS = st.sampled_from(
    [
        "technologyamong", "Kongas", "Hong", "forthe", "saidon", "Hassan", "King", "theyre",
        "robustas", "Forthe", "FORTHE", "forthé", "éforthe", "forthe’s", "anti-forthe",
        "forthe.com", "@forthe", "technology", "among", " ", "  ", ".", "\n", ",", "x", "5",
    ]
)  # fmt: skip


@given(st.lists(WORDS, max_size=12).map("".join), st.sampled_from([0, FEW_WORDS]))
@settings(max_examples=500, deadline=None)
def test_run_together_tokens_are_those_the_word_regexes_found(
    normalizer: Normalizer, text: str, few: int
) -> None:
    # Words located one search each, and (with `few` 0) every long word listed.
    splitter = segment_splitter(normalizer)
    with patch("normalize.actions.glued_words.FEW_WORDS", few):
        found = [m.span() for m in splitter.matches(text, TextScan(text))]
    assert found == candidates_by_word_regexes(splitter, text)


def test_a_run_of_letters_is_not_cut_into_pieces(normalizer: Normalizer) -> None:
    splitter = segment_splitter(normalizer)
    longest = max(map(len, splitter.lexicon.counts))
    assert not splitter._too_long("x" * 2 * longest)
    assert splitter._too_long("x" * (2 * longest + 1))


def test_words_that_cannot_split_are_remembered_within_bounds(normalizer: Normalizer) -> None:
    splitter = segment_splitter(normalizer)
    for i in range(CACHE_LIMIT + 10):
        splitter._may_split(f"qxzvbn{i}")
    assert 0 < len(splitter._unsplittable) <= CACHE_LIMIT


def in_code_line_by_search(text: str, position: int) -> bool:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return bool(_CODE_LINE.search(text, start, len(text) if end < 0 else end))


@given(st.lists(st.sampled_from(["a", "{", " var ", "==", "\n", "x);", " "]), max_size=15))
@settings(max_examples=300, deadline=None)
def test_code_lines_are_judged_as_before(pieces: list[str]) -> None:
    text = "".join(pieces)
    scan = TextScan(text)
    positions = [*range(len(text)), *reversed(range(len(text)))]  # forwards, then back
    assert [scan.in_code_line(p) for p in positions] == [
        in_code_line_by_search(text, p) for p in positions
    ]


def test_a_one_line_document_is_judged_once(normalizer: Normalizer) -> None:
    # Documents that are one long line used to be searched whole for each split.
    text = " ".join(["It ended.Then it began."] * 2000)
    result = normalizer.normalize_and_explain(text, only=PASS)
    assert result.text == text.replace(".Then", ". Then")
    scan = TextScan(text)
    assert not any(scan.in_code_line(m.start()) for m in re.finditer(r"\.T", text))
    assert scan._code_lines == {0: (len(text), False)}


# What `CaseSplitter` now works out once per text must be what it used to
# search the whole text for, once per token.
CASE_PIECES = st.sampled_from(
    [
        "news", "News", "Today", "today", "good", "goodnews", "sThe", "The", "Thes", "s", "aB",
        "é", "É", "ǅ", "İ", " ", ", ", "; ", ".", "-", "/", "@", "’", "'", ".com", "\n",
    ]
)  # fmt: skip


def case_tokens(text: str) -> list[regex.Match[str]]:
    return [m for m in regex.finditer(CASE_TOKEN, text) if len(m.group("left")) >= 2]


@given(st.lists(CASE_PIECES, max_size=16).map("".join), st.integers(1, 30))
@settings(max_examples=1000, deadline=None)
def test_repeated_forms_are_those_text_count_finds(text: str, window: int) -> None:
    tokens = case_tokens(text)
    expected = {
        m.start()
        for m in tokens
        if text.count(m.group(), max(0, m.start() - window), m.start() + window) > 1
    }
    assert repeated_forms(text, TextScan(text).case_seams(), tokens, window) == expected


@given(st.lists(CASE_PIECES, max_size=16).map("".join))
@settings(max_examples=1000, deadline=None)
def test_words_written_lower_are_those_the_searches_found(text: str) -> None:
    scan = TextScan(text)
    for right in {m.group("right") for m in regex.finditer(CASE_TOKEN, text)} | {"Today", "The"}:
        lower = right.lower()
        if not regex.fullmatch(r"\p{L}+", lower):
            continue  # no evidence taken from such a word
        plain = regex.search(rf"(?<![\p{{L}}'’./@-]){lower}(?![\p{{L}}'’/@-]|\.\p{{L}})", text)
        capitalised = regex.search(rf"\p{{Ll}}[,;]? {right}(?![\p{{L}}'’-])", text)
        assert (lower in scan.plain_words()) == bool(plain)
        assert (right in scan.capitalised_after_lower()) == bool(capitalised)


def tokens_at_each_seam(splitter: CaseSplitter, text: str) -> list[tuple[int, int]]:
    """The tokens as `_tokens_at` first found them: the pattern tried at the
    start of the word around each seam, walking back the whole word."""
    done, spans = 0, []
    for start in TextScan(text).case_seams():
        while start > done and text[start - 1].isalpha():
            start -= 1
        match = splitter.pattern.match(text, start)
        if match is not None:
            done = match.end()
            spans.append(match.span())
    return spans


@given(st.lists(CASE_PIECES, max_size=20).map("".join))
@settings(max_examples=1000, deadline=None)
def test_case_tokens_are_those_found_walking_back_each_word(
    normalizer: Normalizer, text: str
) -> None:
    (action,) = [p.action for p in normalizer.passes if p.name == PASS]
    (splitter,) = [s for s in action.splitters if isinstance(s, CaseSplitter)]  # type: ignore[attr-defined]
    found = [m.span() for m in splitter.matches(text, TextScan(text))]
    assert found == tokens_at_each_seam(splitter, text)
