"""Rules written by colleagues: a bad one is named in one line; it never hangs,
crashes or exhausts the run."""

from __future__ import annotations

import os
import shutil
import textwrap
import time
from pathlib import Path

import pytest

from normalize.cli import main
from normalize.pipeline import Normalizer
from normalize.rules import RulesError
from normalize.safe_regex import MAX_PATTERN_SIZE, pattern_size

from .conftest import RULES_DIR


def rules_with(tmp_path: Path, file_name: str, rule: str, timeout: float | None = None) -> Path:
    """A copy of the repository's rules with `rule` put first in `file_name`."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    if timeout is not None:
        if "\noptions:\n" in text:
            text = text.replace("\noptions:\n", f"\noptions:\n  timeout: {timeout}\n", 1)
        else:
            text = text.replace("\nrules:\n", f"\noptions: {{timeout: {timeout}}}\nrules:\n", 1)
    text = text.replace("\nrules:\n", "\nrules:\n" + textwrap.indent(rule, "  "), 1)
    path.write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(RulesError) as caught:
        Normalizer.from_rules(folder)
    return caught.value.problems


# The look-ahead matters: a pattern Hyperscan can read whole, such as (a+)+$,
# never reaches the real search on a text it does not match (see pattern_scan).
CATASTROPHIC_LAYOUT = """\
- id: RUNAWAY
  pattern: '(a+)+(?=b)'
  replacement: ''
  message: Backtracks catastrophically on a run of a's with no b after it.
"""


def test_a_catastrophic_pattern_is_stopped_and_named(tmp_path: Path, capsys) -> None:
    folder = rules_with(tmp_path, "20-layout.yaml", CATASTROPHIC_LAYOUT, timeout=0.5)
    slow, fine = tmp_path / "slow.txt", tmp_path / "fine.txt"
    slow.write_text("a" * 5000 + "!  \n", encoding="utf-8")  # the trailing spaces still go
    fine.write_text("Fine.  \n", encoding="utf-8")
    started = time.perf_counter()
    code = main(["--rules", str(folder), str(slow), str(fine), "-o", str(tmp_path / "out"), "-q"])
    assert time.perf_counter() - started < 60  # a hang guard; the budget is 0.5 s
    assert code == 0
    assert (tmp_path / "out" / "slow.txt").read_text() == "a" * 5000 + "!\n"
    assert (tmp_path / "out" / "fine.txt").read_text() == "Fine.\n"
    (warning,) = capsys.readouterr().err.splitlines()
    assert warning.startswith("normalize: slow.txt: rule RUNAWAY (20-layout.yaml:")
    assert "took more than 0.5s on this document and was skipped for it" in warning


@pytest.mark.parametrize("capturing", [False, True], ids=["fused", "alone"])
def test_a_catastrophic_boilerplate_pattern_is_named(tmp_path: Path, capturing: bool) -> None:
    # Group-free patterns run fused into one regex; when that runs out of time
    # the rules are tried one by one, so the culprit is still the one named.
    body = "(b|b)+$" if capturing else "(?:b|b)+$"
    rule = f"- id: RUNAWAY_LINE\n  patterns: ['{body}']\n  message: Backtracks.\n"
    folder = rules_with(tmp_path, "30-boilerplate.yaml", rule, timeout=0.3)
    text = "Talks ended.\n\n" + "b" * 150 + "!\n\nSource: Reuters\n"
    result = Normalizer.from_rules(folder).normalize_and_explain(text, as_file=True)
    assert result.text == "Talks ended.\n\n" + "b" * 150 + "!\n"  # the other rules still work
    (warning,) = result.warnings
    assert warning.startswith("rule RUNAWAY_LINE (30-boilerplate.yaml:")


def test_the_time_budget_grows_with_the_document() -> None:
    from normalize.actions import DocContext
    from normalize.safe_regex import RegexBudget

    small = RegexBudget.of(DocContext(), "layout", 1_000, 5.0)
    big = RegexBudget.of(DocContext(), "layout", 50_000_000, 5.0)
    assert small.allowance == pytest.approx(5.0, abs=0.01) and big.allowance == 55.0


@pytest.mark.parametrize(
    "pattern, size",
    [
        ("abc", 3),
        (r"\d{4}-\d{2}-\d{2}", 10),
        (".{0,500}said.{0,500}", 1004),
        ("(?:a{1000}){1000}", 1_002_000),
        ("((a{100}){100}){100}", 1_000_000),
        ("[{}]{3}", 3),
        (r"\p{Lu}{2}", 2),
        ("a{,5}|b{2,}", 8),
        ("a{99999999999}", 10**10),
    ],
)
def test_pattern_size_estimates(pattern: str, size: int) -> None:
    assert pattern_size(pattern) == size


def test_a_pattern_too_big_to_compile_is_refused_by_name(tmp_path: Path) -> None:
    rule = "- id: HUGE\n  pattern: '(?:a{1000}){1000}'\n  replacement: ''\n  message: Huge.\n"
    started = time.perf_counter()
    (problem,) = problems_of(rules_with(tmp_path, "20-layout.yaml", rule))
    assert time.perf_counter() - started < 10  # refused before compiling it
    assert "rule HUGE: the regular expression in 'pattern' is too big" in problem
    assert f"limit {MAX_PATTERN_SIZE:,}" in problem


def test_a_pattern_nested_too_deeply_is_refused_by_name(tmp_path: Path) -> None:
    rule = f"- id: DEEP\n  pattern: '{'(' * 5000}a{')' * 5000}'\n  replacement: ''\n  message: D.\n"
    (problem,) = problems_of(rules_with(tmp_path, "20-layout.yaml", rule))
    assert "rule DEEP: invalid regular expression in 'pattern': nested too deeply" in problem


@pytest.mark.parametrize("template", [r"\2", r"\g<missing>", r"\q"])
def test_a_replacement_with_a_bad_group_is_refused_at_load_time(
    tmp_path: Path, template: str
) -> None:
    rule = f"- id: BAD_TEMPLATE\n  pattern: '(a)'\n  replacement: '{template}'\n  message: B.\n"
    (problem,) = problems_of(rules_with(tmp_path, "20-layout.yaml", rule))
    assert "rule BAD_TEMPLATE: invalid replacement in 'replacement'" in problem


def test_a_good_replacement_with_named_and_numbered_groups_loads(tmp_path: Path) -> None:
    rule = (
        "- id: SWAP\n  pattern: '(?P<first>x)(y)'\n  replacement: '\\2\\g<first>'\n  message: S.\n"
    )
    normalizer = Normalizer.from_rules(rules_with(tmp_path, "20-layout.yaml", rule))
    assert normalizer.normalize("xy") == "yx"


def test_a_yaml_alias_bomb_is_reported_quickly_and_briefly(tmp_path: Path, capsys) -> None:
    # Nine levels of nine aliases: 387 million strings if anything expanded them.
    lines = ["pass: demo", "action: regex_replace", "description: d", "options:"]
    previous = None
    for name in "abcdefghi":
        item = '"lol"' if previous is None else f"*{previous}"
        lines.append(f"  {name}: &{name} [{', '.join([item] * 9)}]")
        previous = name
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "10-demo.yaml").write_text("\n".join([*lines, "rules: *i", ""]), encoding="utf-8")
    started = time.perf_counter()
    assert main(["check", "--rules", str(folder)]) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err.splitlines()
    assert err and all(len(line) < 300 for line in err)
    assert any("every rule is a mapping with an id, found [[[" in line for line in err)


# Each hostile rules folder: built in `folder` (a copy of the repository's
# rules), then the one problem line `normalize check` must print.
def fifo(folder: Path) -> str:
    os.mkfifo(folder / "70-x.yaml")  # reading it would wait for a writer for ever
    return "70-x.yaml: is a named pipe, not a file"


def fifo_word_file(folder: Path) -> str:
    os.mkfifo(folder / "data" / "words" / "zz.txt")
    return "zz.txt: is a named pipe, not a file"


def bad_word_file(folder: Path) -> str:
    (folder / "data" / "words" / "zz.txt").write_text("two words\n")
    return "zz.txt:1: expected 'word' or 'word count', found 'two words'"


def nan_timeout(folder: Path) -> str:
    path = folder / "20-layout.yaml"
    path.write_text(path.read_text().replace("\nrules:\n", "\noptions: {timeout: .nan}\nrules:\n"))
    return "'timeout' in options must be a finite number, not nan"


def zero_timeout(folder: Path) -> str:
    path = folder / "30-boilerplate.yaml"
    path.write_text(path.read_text().replace("\noptions:\n", "\noptions:\n  timeout: 0\n"))
    return "'timeout' in options must be more than 0, not 0"


def catastrophic_prefilter(folder: Path) -> str:
    rule = """\
- id: SLOW_PREFILTER
  pattern: 'aa'
  prefilter: '(a|aa)+c'
  replacement: 'b'
  message: Its prefilter backtracks catastrophically on its own example.
  examples:
    - input: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      output: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
"""
    rules_into(folder, "20-layout.yaml", rule)
    return "rule SLOW_PREFILTER: 'prefilter' took more than 1s on the example at line"


def symlink_loop(folder: Path) -> str:
    (folder / "70-loop.yaml").symlink_to("70-loop.yaml")
    return "70-loop.yaml: cannot be read: Too many levels of symbolic links"


def dangling_link(folder: Path) -> str:
    (folder / "70-gone.yaml").symlink_to("nowhere.yaml")
    return "70-gone.yaml: is a link to a file that does not exist"


def folder_named_like_a_rule_file(folder: Path) -> str:
    (folder / "70-dir.yaml").mkdir()
    return "70-dir.yaml: is a folder, not a file"


def unhashable_key(folder: Path) -> str:
    header = "pass: x\naction: regex_replace\ndescription: d\nrules:\n"
    rule = "  - {id: A, message: m, pattern: a, replacement: b, [x]: 1}\n"
    (folder / "70-x.yaml").write_text(header + rule)
    return "70-x.yaml:5: invalid YAML: found a key that is a list or a mapping; keys are words"


def deep_nesting(folder: Path) -> str:
    header = "pass: x\naction: regex_replace\ndescription: d\nrules: "
    (folder / "70-x.yaml").write_text(header + "[" * 100_000 + "]" * 100_000 + "\n")
    return "70-x.yaml: invalid YAML: nested too deeply"


def billion_laughs_in_lists(folder: Path) -> str:
    # Nine levels of nine aliases, defined where the list is: a billion strings.
    value = '"lol"'
    for name in "abcdefghi":
        value = f"&{name} [{value}, " + ", ".join([f"*{name}"] * 8) + "]"
    rule = f"""\
- id: LOL
  pattern: '\\L<x>'
  replacement: y
  lists: {{x: {value}}}
  message: m.
"""
    rules_into(folder, "60-sentences.yaml", rule)
    return "rule LOL: 'lists.x': a list is a YAML list of strings or a list file path, found [["


def rules_into(folder: Path, file_name: str, rule: str) -> None:
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nrules:\n", "\nrules:\n" + textwrap.indent(rule, "  "), 1))


HOSTILE = [
    fifo,
    fifo_word_file,
    bad_word_file,
    nan_timeout,
    zero_timeout,
    catastrophic_prefilter,
    symlink_loop,
    dangling_link,
    folder_named_like_a_rule_file,
    unhashable_key,
    deep_nesting,
    billion_laughs_in_lists,
]


@pytest.mark.parametrize("make", HOSTILE, ids=[make.__name__ for make in HOSTILE])
def test_a_hostile_rules_folder_is_refused_in_one_line(tmp_path: Path, capsys, make) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    expected = make(folder)
    started = time.perf_counter()
    code = main(["check", "--rules", str(folder)])
    assert time.perf_counter() - started < 60  # the loop guard; each takes seconds
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2
    assert expected in line and len(line) < 400


def test_a_10000_word_list_loads_in_bounded_time(tmp_path: Path, monkeypatch) -> None:
    # Spelled out as one alternation for Hyperscan, 10,000 words took minutes to
    # compile; past the room for lists, they are scanned for as literals.
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(tmp_path / "cache"))  # compiled afresh
    words = [f"zq{a}{b}{c}" for a in "bcdfghjklmnp" for b in "aeiou" for c in "bcdfghjklmnprstvwz"]
    words = [f"{w}{suffix}" for w in words for suffix in ("", "s", "ly", "er", "est", "ed", "en")]
    words = words[:10_000]
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    (folder / "data" / "lists" / "long.txt").write_text("\n".join(words) + "\n")
    rule = f"""\
- id: LONG_LIST
  pattern: '\\b\\L<long>\\b'
  replacement: X
  lists: {{long: data/lists/long.txt}}
  message: m.
  examples:
    - input: a {words[-1]} b
      output: a X b
    - input: nothing here
"""
    rules_into(folder, "60-sentences.yaml", rule)
    started = time.perf_counter()
    normalizer = Normalizer.from_rules(folder)
    assert time.perf_counter() - started < 120  # about 3 s on a shared machine
    assert normalizer.normalize(f"one {words[0]} and {words[5000]}.") == "one X and X."
    assert main(["check", "--rules", str(folder)]) == 0
