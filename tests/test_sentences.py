"""The sentences pass and the regex_replace keys it is written with."""

from __future__ import annotations

import gzip
import itertools
import json
import textwrap
from pathlib import Path

import pytest

from normalize import pattern_scan
from normalize.document import Result
from normalize.edits import apply_edits
from normalize.examples import check_example, iter_examples
from normalize.pipeline import Normalizer
from normalize.quotes import QuoteSpans
from normalize.rules import RulesError, load_rules

from .conftest import BENCH_CORPUS, raw_documents

PASS = "sentences"
# Rules that may change text inside a quotation: spacing and stops only.
STOP_RULES = {
    "SPACED_REPEATED_STOP",
    "DOUBLE_FULL_STOP",
    "STOP_AFTER_QUOTED_STOP",
    "STOP_BEFORE_COMMA",
}


def sentences(normalizer: Normalizer, text: str) -> str:
    return normalizer.normalize_and_explain(text, only=PASS).text


def test_quote_spans() -> None:
    text = 'He said “a. b” and "c" then ‘d’ “open\nnext” end'
    quotes = QuoteSpans(text)
    inside = [i for i in range(len(text)) if i in quotes]
    assert text[inside[0]] == "“" and "a. b”" in "".join(text[i] for i in inside)
    assert text.index("c") in quotes and text.index("d") not in quotes  # single quotes ignored
    assert text.index("open") in quotes  # an open quotation runs to the end of the line
    assert text.index("next") in quotes  # a closing quote alone closes from the line start
    assert text.index("end") not in quotes and text.index("said") not in quotes
    assert quotes.overlaps(text.index("said"), text.index("a."))
    assert not quotes.overlaps(0, 2)


def test_a_straight_quote_closes_a_quotation_wrapped_from_the_line_before() -> None:
    text = '    "The rains have not made the\nsituation too badly," he added. "We will" so "'
    quotes = QuoteSpans(text)
    assert text.index("rains") in quotes and text.index("too") in quotes
    assert text.index("he added") not in quotes and text.index("so") not in quotes
    assert text.index("We") in quotes
    assert len(text) - 1 in quotes  # a quote opening at the line end: more quoted, never less


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("think tank. Stated. Lu told NBC", "think tank. Lu told NBC"),
        ("in Cuba. . Beijing accuses", "in Cuba. Beijing accuses"),
        ("“We will,” he added. added. To many", "“We will,” he added. To many"),
        ("creating,” he said. on tuesday. “But", "creating,” he said on Tuesday. “But"),
        ("South China Sea and russian ukrainian war", "South China Sea and Russian Ukrainian war"),
        ("relations.”. Even so", "relations.” Even so"),
        ("the U.S.. He added", "the U.S. He added"),
        ("minorities., saying", "minorities, saying"),
    ],
)
def test_repairs(normalizer: Normalizer, text: str, expected: str) -> None:
    assert sentences(normalizer, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Inside quotations nothing is reworded (000 and 004).
        "“they want to communicate. are creating,” he said.",
        "“at the expense of U.S. interests. become.”",
        # Not clearly fixable (004).
        "Treasury Secretary Janet Yellen. said there is. and John Kerry, the envoy.",
        # Capitalised common words stay; only pronouns get a note (000, 001, 004).
        "Canceled due to suspected Chinese reconnaissance balloon Fly over installations.",
        "US and Chinese aircraft and Ships in the South China Sea For Russia’s war.",
        "Visit to Taiwan by Nancy Pelosi Last August. Both agreed to academic exchange Efforts.",
        # Quotations ending a sentence (001, 004) and other stops that are right.
        "as “far-fetched and unprofessional”. Both were “candid” and “constructive”.",
        "Pelosi and his successors. Kevin McCarthy. Alongside the G20 summit.",
        "Less than 6% level before the pandemic. He paused . . . then spoke. Etc., etc.",
        # A paragraph ending in a comma (003).
        "raised concerns they might clash over the self-ruled island of Taiwan, which China "
        "claims as its own,\n",
        "See rt.com/russian, #russian, lang=russian and “a russian doll”.",
    ],
)
def test_look_alikes_stay(normalizer: Normalizer, text: str) -> None:
    result = normalizer.normalize_and_explain(text, only=PASS)
    assert result.text == text and not result.edits


def test_a_pronoun_in_mid_sentence_is_a_note(normalizer: Normalizer) -> None:
    text = "of Top US diplomats visit Beijing He was scheduled to meet officials."
    result = normalizer.normalize_and_explain(text, only=PASS)
    assert result.text == text
    (note,) = result.notes
    assert (note.rule, note.text) == ("PRONOUN_IN_MID_SENTENCE", "He")


def test_dangling_fragment_needs_a_paragraph(normalizer: Normalizer) -> None:
    long = "China is frustrated with the approach to exports, citing security and human rights."
    assert sentences(normalizer, long + " continues to express\nNext.") == long + "\nNext."
    # A short line is hard-wrapped newswire text: the sentence goes on below.
    wrapped = "The company said. it will\nbuy the plant.\n"
    assert sentences(normalizer, wrapped) == wrapped
    # A lower-case sentence that only lost its capital is not a fragment.
    lost_capital = long + " he has since found a new mate\n"
    assert sentences(normalizer, lost_capital) == lost_capital


def test_clean_documents_get_no_sentence_edit(normalizer: Normalizer) -> None:
    for path in raw_documents():
        if path.stem.startswith(("002", "003")):
            result = normalizer.normalize_and_explain(path.read_text(encoding="utf-8"))
            assert not [e for e in result.edits if e.pass_name == PASS]


def test_whole_pipeline_is_idempotent_on_the_corpus(normalizer: Normalizer) -> None:
    for path in raw_documents():
        once = normalizer.normalize(path.read_text(encoding="utf-8"), as_file=True)
        again = normalizer.normalize_and_explain(once, as_file=True)
        assert again.text == once and not again.edits, path.name


def write_rules(tmp_path: Path, rule: str, files: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, content in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    text = "pass: demo\naction: regex_replace\ndescription: d\nrules:\n" + textwrap.indent(
        textwrap.dedent(rule), "  "
    )
    (folder / "10-demo.yaml").write_text(text, encoding="utf-8")
    return folder


def test_lists_from_files_case_and_quotes(tmp_path: Path) -> None:
    rule = """\
        - id: DAYS
          pattern: '\\b\\L<day>\\b'
          replacement: '\\g<0>'
          case: capitalize
          outside_quotes: true
          requires_words: day
          lists: {day: data/days.txt}
          message: m
        """
    folder = write_rules(tmp_path, rule, {"data/days.txt": "# days\nmonday\ntuesday\n"})
    normalizer = Normalizer.from_rules(folder)
    assert normalizer.normalize("on monday, “on tuesday”") == "on Monday, “on tuesday”"
    assert normalizer.normalize("no day here") == "no day here"


def test_match_in_keeps_only_matches_that_are_words_of_the_list(tmp_path: Path) -> None:
    rule = """\
        - id: CAPITAL
          pattern: '(?<=\\p{Ll} )\\p{Lu}\\p{Ll}+'
          match_in: rare
          note: true
          lists: {rare: [Fly, Over]}
          message: m
        """
    normalizer = Normalizer.from_rules(write_rules(tmp_path, rule))
    result = normalizer.normalize_and_explain("a balloon Fly over a Bird and Flyer seen Over there")
    assert [note.text for note in result.notes] == ["Fly", "Over"]
    assert result.text == "a balloon Fly over a Bird and Flyer seen Over there"


@pytest.mark.parametrize("hyperscan_present", [True, False])
def test_a_prefilter_with_a_long_list_is_left_to_the_scan(
    tmp_path: Path, monkeypatch, hyperscan_present: bool
) -> None:
    # `regex` is slow with long lists, so only Hyperscan searches such a
    # prefilter; without Hyperscan it counts as found and the rule decides.
    words = [f"Word{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(200)]
    rule = f"""\
        - id: CAPITAL
          pattern: '(?<=\\p{{Ll}} )\\p{{Lu}}\\p{{Ll}}+'
          match_in: rare
          prefilter: '\\p{{Ll}} \\L<rare>'
          note: true
          lists: {{rare: [{", ".join(words)}]}}
          message: m
        """
    if not hyperscan_present:
        monkeypatch.setattr(pattern_scan, "hyperscan", None)
    normalizer = Normalizer.from_rules(write_rules(tmp_path, rule))
    (demo,) = normalizer.passes
    (compiled,) = demo.action.compiled  # type: ignore[attr-defined]
    assert compiled.prefilters[0].scan_only
    assert demo.action.scan.available == hyperscan_present  # type: ignore[attr-defined]
    for text, noted in [(f"it saw {words[-1]} fly", [words[-1]]), ("it saw Word fly", [])]:
        assert [note.text for note in normalizer.normalize_and_explain(text).notes] == noted


def test_a_look_alike_that_gets_a_note_fails_its_check(tmp_path: Path) -> None:
    rule = """\
        - id: FLY
          pattern: 'Fly'
          note: true
          message: m
          examples:
            - input: a Fly
              note: true
            - input: a Fly too
        """
    folder = write_rules(tmp_path, rule)
    normalizer = Normalizer.from_rules(folder)
    first, second = (check_example(normalizer, item) for item in iter_examples(load_rules(folder)))
    assert first is None
    assert second == "look-alike must not be noted, but FLY noted 'Fly'"


def test_min_line_length(tmp_path: Path) -> None:
    rule = """\
        - id: X
          pattern: 'x'
          replacement: 'y'
          min_line_length: 5
          message: m
        """
    normalizer = Normalizer.from_rules(write_rules(tmp_path, rule))
    assert normalizer.normalize("x\nxxxxx") == "x\nyyyyy"


def test_an_empty_gazetteer_matches_nothing(tmp_path: Path) -> None:
    rule = """\
        - id: X
          pattern: '(?<!\\L<gazetteer>) He\\b'
          replacement: ''
          message: m
        - id: Y
          pattern: '\\L<gazetteer>'
          replacement: 'Z'
          message: m
        """
    normalizer = Normalizer.from_rules(write_rules(tmp_path, rule))
    assert normalizer.normalize("so He said") == "so said"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("pattern: '\\L<w>'\n  replacement: ''", "'lists' has no 'w'"),
        ("pattern: '\\L<w>'\n  replacement: ''\n  lists: {w: [yes, 'no']}", "quote such words"),
        ("pattern: '\\L<w>'\n  replacement: ''\n  lists: {w: nowhere.txt}", "not found"),
        ("pattern: 'a'\n  replacement: ''\n  case: shout", "unknown case 'shout'"),
        ("pattern: 'a'\n  replacement: ''\n  requires_words: w", "names no list"),
        ("pattern: 'a'\n  replacement: ''\n  lists: {w: [x]}", "nothing in the rule uses"),
        ("pattern: 'a'\n  note: true\n  match_in: w", "names no list"),
        (
            "pattern: 'a'\n  replacement: ''\n  requires_words: w\n  lists: {w: [x]}",
            "the pattern never uses",
        ),
    ],
)
def test_unusable_list_rules_are_reported(tmp_path: Path, rule: str, problem: str) -> None:
    folder = write_rules(tmp_path, f"- id: X\n  {rule}\n  message: m\n")
    with pytest.raises(RulesError) as caught:
        Normalizer.from_rules(folder)
    assert any(problem in p and "rule X" in p for p in caught.value.problems), caught.value


@pytest.mark.skipif(not BENCH_CORPUS.exists(), reason=f"benchmark corpus {BENCH_CORPUS} absent")
def test_bench_sample_keeps_quotes_and_settles(normalizer: Normalizer) -> None:
    # Real news: no rewording inside quotations, and a second run changes nothing.
    with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as lines:
        docs = [json.loads(line)["text"] for line in itertools.islice(lines, 0, 35_000, 20)]
    for text in docs:
        result = normalizer.normalize_and_explain(text)
        for edit in result.edits:
            if edit.pass_name == PASS and edit.rule not in STOP_RULES:
                assert not _quoted(text, result, edit.step, edit.start, edit.end), edit
        assert normalizer.normalize(result.text) == result.text


def _quoted(raw: str, result: Result, step: int, start: int, end: int) -> bool:
    text = raw
    for s in sorted({e.step for e in result.edits if e.step < step}):
        text = apply_edits(text, [e for e in result.edits if e.step == s])
    return QuoteSpans(text).overlaps(start, end)
