"""The shortcuts that let clean text skip the slow searches must never skip a match.

A prefilter, a leading literal and the boilerplate pass's whole-text scan are
necessary conditions: wherever the real pattern matches, they must find
something. Checked on crafted cases, generated text, the corpus and (when
present) the first documents of the benchmark corpus.
"""

from __future__ import annotations

import gzip
import json
from itertools import islice

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.actions.boilerplate import BoilerplateAction
from normalize.actions.regex_replace import RegexReplaceAction
from normalize.examples import iter_examples
from normalize.pipeline import Normalizer
from normalize.rules import RulesError, load_rules
from normalize.safe_regex import LONG_LIST, LongListPattern, QuickTest, leading_literal

from .conftest import BENCH_CORPUS, RULES_DIR, raw_documents


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\.\.", ("..", True)),
        (r"He (?<=\p{L} He )\p{Ll}", ("He ", False)),
        (r"\r\n?", ("\r", False)),
        (r"ab+c", ("ab", False)),
        (r"ab*c", ("a", False)),
        (r"ab{2}", ("a", False)),
        (r"\\x", ("\\x", True)),
        (r"\x41b", ("", False)),
        (r"a|b", ("", False)),
        (r"(?:a|b)c", ("", False)),
        (r"x(?:a|b)", ("x", False)),
        (r"[|]x", ("", False)),
        (r"(?i)abc", ("", False)),
        (r"abc(?i)", ("", False)),
        (r"(?x)a b", ("", False)),
        (r"\L<verb>\.", ("", False)),
        (r"\bword", ("", False)),
    ],
)
def test_leading_literal(source: str, expected: tuple[str, bool]) -> None:
    assert leading_literal(source) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab.|()*+?\\[]{}2", max_size=8),
    st.text(alphabet="ab.|x\n", max_size=30),
)
def test_a_text_without_the_literal_never_matches(source: str, text: str) -> None:
    try:
        pattern = regex.compile(source)
    except (regex.error, ValueError, OverflowError):
        return
    test = QuickTest.of(pattern)
    if pattern.search(text) is not None:
        assert test.may_match(text)
        if test.complete:
            assert test.literal in text


def sample_texts() -> list[str]:
    """The corpus, every rule example, and the benchmark corpus's first documents."""
    texts = [path.read_text(encoding="utf-8") for path in raw_documents()]
    texts += [
        example.input for item in iter_examples(load_rules(RULES_DIR)) for example in [item.example]
    ]
    if BENCH_CORPUS.exists():
        with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in islice(lines, 3000)]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return sample_texts()


def test_prefilters_find_something_wherever_their_rule_matches(texts, normalizer) -> None:
    checked = 0
    for pass_ in normalizer.passes:
        if not isinstance(pass_.action, RegexReplaceAction):
            continue
        for compiled in pass_.action.compiled:
            for text in texts:
                # A match counts only if `match_in` keeps it.
                if not any(
                    compiled.match_in is None or match.group() in compiled.match_in
                    for match in compiled.pattern.pattern.finditer(text)
                ):
                    continue
                checked += 1
                assert compiled.pattern.may_match(text), compiled.rule.id
                if compiled.prefilters:
                    assert any(p.pattern.search(text) for p in compiled.prefilters), (
                        f"{compiled.rule.id}: prefilter misses a match in {text[:80]!r}"
                    )
    assert checked > 50


def boilerplate_action(normalizer: Normalizer) -> BoilerplateAction:
    (pass_,) = [p for p in normalizer.passes if p.name == "boilerplate"]
    assert isinstance(pass_.action, BoilerplateAction)
    return pass_.action


def test_the_boilerplate_scan_finds_every_line_a_pattern_matches(texts, normalizer) -> None:
    action = boilerplate_action(normalizer)
    assert action.scan is not None  # the repository's patterns allow it
    lines = [line.strip() for text in texts for line in text.split("\n")]
    lines += ["Source: theguardian", "  Home » World » Asia  ", "← Previous Post", "3 Comments"]
    hits = 0
    for line in lines:
        if any(pattern.fullmatch(line) for _rule, pattern in action.patterns):
            hits += 1
            assert action.scan.search(f"Some text.\n \t{line} \nMore text.") is not None, line
    assert hits >= 4


@pytest.mark.parametrize(
    "pattern",
    [r"\AHome.*", r"(?<=x)Share", r"Post(?=\n)", r"Next(?-i:Post)", r"(Home)\1", r"^Home$"],
)
def test_patterns_tied_to_their_string_are_tried_line_by_line(tmp_path, pattern: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "10-chrome.yaml").write_text(
        "pass: boilerplate\naction: boilerplate\ndescription: Chrome.\nrules:\n"
        f"  - id: CHROME\n    message: Chrome.\n    patterns: ['{pattern}']\n"
        "    examples:\n      - input: 'Text.\\n'\n",
        encoding="utf-8",
    )
    assert boilerplate_action(Normalizer.from_rules(rules)).scan is None


def test_a_prefilter_that_misses_its_own_example_is_refused(tmp_path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "10-stops.yaml").write_text(
        "pass: stops\naction: regex_replace\ndescription: Stops.\nrules:\n"
        "  - id: DOUBLE_STOP\n    message: Two stops.\n    pattern: '\\.\\.(?!\\.)'\n"
        "    replacement: '.'\n    prefilter: ', '\n    examples:\n"
        "      - input: 'Done.. Next.'\n        output: 'Done. Next.'\n"
        "      - input: 'Wait...'\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as error:
        Normalizer.from_rules(rules)
    assert "'prefilter' finds nothing in the example at line 11" in str(error.value)


@pytest.mark.parametrize("words", [["tuesday", "american"], ["tuesday", "american", "québécois"]])
def test_the_word_gate_finds_whole_words_only(words: list[str]) -> None:
    from normalize.wordlists import WordGate

    gate = WordGate(words)
    assert gate.ascii == all(w.isascii() for w in words)
    assert gate.found_in("Talks on tuesday.")
    assert gate.found_in("the pro-american vote") and gate.found_in("(american)")
    assert not gate.found_in("Tuesday, the American said; tuesdays")
    assert not gate.found_in("")


@pytest.mark.parametrize("words", [["tuesday", "american"], ["tuesday", "american", "québécois"]])
def test_the_word_gate_lists_the_words_present(words: list[str]) -> None:
    from normalize.wordlists import WordGate

    gate = WordGate(words)
    assert gate.present_in("the american said on tuesday, then tuesday") == {"american", "tuesday"}
    assert gate.present_in("Tuesday") == frozenset()


def test_a_list_cut_down_to_the_words_of_the_text_finds_the_same(texts, normalizer) -> None:
    from normalize.actions.regex_replace import NarrowedList

    narrowing = [
        c.required
        for p in normalizer.passes
        if isinstance(p.action, RegexReplaceAction)
        for c in p.action.compiled
        if c.required is not None
    ]
    assert narrowing  # CAPITALISE_DAYS_MONTHS_NATIONALITIES
    found = 0
    for required in narrowing:
        assert isinstance(required, NarrowedList)
        for text in [*texts, "a russian and a polish envoy met on tuesday in may.\n"]:
            whole = [m.span() for m in required.pattern.finditer(text)]
            narrowed = required.for_text(text)
            cut = [m.span() for m in narrowed.pattern.finditer(text)] if narrowed else []
            assert cut == whole, text[:80]
            found += len(whole)
    assert found >= 4


def test_a_long_list_pattern_finds_what_the_whole_list_finds(texts) -> None:
    words = ["Fly", "The", "A.M.", "über", "Over"] + [f"Filler{i}" for i in range(LONG_LIST)]
    source = r"(?<=\p{Ll} )\L<rare>(?= \p{Ll})"
    whole = regex.compile(source, rare=words)
    long_list = LongListPattern(source, whole.flags, {"rare": words})
    assert QuickTest.of(long_list).scan_only
    found = 0
    for text in [*texts[:300], "a balloon Fly over it, at A.M. and said The über x", "", "Fly"]:
        expected = [m.span() for m in whole.finditer(text)]
        assert [m.span() for m in long_list.finditer(text)] == expected, text[:80]
        assert (long_list.search(text) is None) == (not expected)
        found += len(expected)
    assert found >= 3
    ignoring_case = LongListPattern("(?i)" + source, regex.IGNORECASE, {"rare": words})
    assert ignoring_case.search("a balloon fly over it")


@pytest.mark.parametrize(
    ("source", "linear"),
    [
        (r"\.\.", True),
        (r"\p{L} He \p{Ll}", True),
        (r"He (?<=\p{L} He )\p{Ll}", True),
        (r"\L<verb>\.", True),
        (r"(?r)[^\S\r\n]\Z", True),
        (r"(?i:ab)(?P<x>c)(?P=x)", True),
        (r"[*+?{|]x", True),  # metacharacters inside a class are literals
        (r"a+", False),
        (r"a?", False),
        (r"a{2}", False),
        (r"a|b", False),
        (r"(?R)", False),  # recursion
        (r"(?P>x)", False),
        (r"(a)\g<1>", False),
        (r"(?x)a b", False),  # verbose: not read here
        (r"(?-i:a)", False),
        (r"\L<a>\L<b>", False),  # two lists multiply their choices
        (r"\x41", False),  # an escape not recognised: no guess
    ],
)
def test_patterns_without_choice_are_recognised(source: str, linear: bool) -> None:
    from normalize.safe_regex import has_no_choice

    assert has_no_choice(source) is linear


def test_rules_dir_is_the_repositorys(normalizer) -> None:
    assert normalizer.rules_dir == RULES_DIR.resolve()
