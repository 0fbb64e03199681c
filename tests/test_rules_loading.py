"""A rules folder with a mistake gives one readable line per problem: file, line, rule."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from normalize.cli import main
from normalize.pipeline import Normalizer
from normalize.rules import RulesError, load_rules

from .conftest import RULES_DIR

GOOD_RULE = """\
pass: demo
action: regex_replace
description: A demo pass.
rules:
  - id: DOUBLE_SPACE
    pattern: '  +'
    replacement: ' '
    message: Two spaces became one.
    examples:
      - input: "a  b"
        output: "a b"
      - input: "a b"
"""


def write_rules(tmp_path: Path, text: str, name: str = "10-demo.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(RulesError) as caught:
        Normalizer.from_rules(folder)
    return caught.value.problems


def test_a_good_file_loads(tmp_path: Path) -> None:
    normalizer = Normalizer.from_rules(write_rules(tmp_path, GOOD_RULE))
    assert normalizer.normalize("a  b") == "a b"


def test_unknown_rule_key_names_file_line_rule_and_allowed_keys(tmp_path: Path) -> None:
    folder = write_rules(tmp_path, GOOD_RULE.replace("    pattern:", "    patern:"))
    (problem,) = [p for p in problems_of(folder) if "patern" in p]
    assert problem.startswith(f"{folder / '10-demo.yaml'}:5: rule DOUBLE_SPACE:")
    assert "unknown key 'patern'" in problem and "allowed:" in problem and "pattern" in problem


def test_invalid_regex_names_the_rule(tmp_path: Path) -> None:
    (problem,) = problems_of(write_rules(tmp_path, GOOD_RULE.replace("'  +'", "'(  +'")))
    assert ":5: rule DOUBLE_SPACE: invalid regular expression" in problem


def test_unknown_action_lists_the_known_ones(tmp_path: Path) -> None:
    (problem,) = problems_of(write_rules(tmp_path, GOOD_RULE.replace("regex_replace", "regexp")))
    assert "unknown action 'regexp'" in problem
    assert "regex_replace" in problem and "boilerplate" in problem and "ftfy" in problem


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    folder = write_rules(tmp_path, GOOD_RULE)
    write_rules(tmp_path, GOOD_RULE.replace("pass: demo", "pass: other"), "20-other.yaml")
    (problem,) = problems_of(folder)
    assert "20-other.yaml:5: rule DOUBLE_SPACE: duplicate rule id" in problem
    assert "10-demo.yaml:5" in problem


@pytest.mark.parametrize(
    ("rule_id", "suggested"),
    [("double-space", "DOUBLE_SPACE"), ("NAME_CRISTINA_FERNÁNDEZ", "NAME_CRISTINA_FERNANDEZ")],
)
def test_a_bad_id_gets_a_valid_one_suggested(tmp_path: Path, rule_id, suggested) -> None:
    folder = write_rules(tmp_path, GOOD_RULE.replace("id: DOUBLE_SPACE", f"id: {rule_id}"))
    (problem,) = problems_of(folder)
    assert problem.endswith(f"rule ids are UPPER_SNAKE_CASE, like {suggested}")


def test_switched_off_rule_needs_a_reason(tmp_path: Path) -> None:
    folder = write_rules(
        tmp_path, GOOD_RULE.replace("    message:", "    enabled: false\n    message:")
    )
    (problem,) = problems_of(folder)
    assert "rule DOUBLE_SPACE: a rule switched off needs a 'reason'" in problem


def test_switched_off_rule_with_reason_does_nothing(tmp_path: Path) -> None:
    text = GOOD_RULE.replace(
        "    message:", "    enabled: false\n    reason: testing\n    message:"
    )
    assert Normalizer.from_rules(write_rules(tmp_path, text)).normalize("a  b") == "a  b"


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    (problem,) = problems_of(write_rules(tmp_path, GOOD_RULE.replace("rules:\n", "rules: [\n")))
    assert "10-demo.yaml:" in problem and "invalid YAML" in problem


def test_yaml_cannot_construct_python_objects(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("A demo pass.", "!!python/object/apply:os.system ['echo owned']")
    (problem,) = problems_of(write_rules(tmp_path, text))
    assert "invalid YAML" in problem and "python/object" in problem


def test_duplicate_key_in_a_mapping(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("    message: Two", "    pattern: 'x'\n    message: Two")
    (problem,) = problems_of(write_rules(tmp_path, text))
    assert "duplicate key 'pattern'" in problem


def test_wrong_type_and_missing_key(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("    message: Two spaces became one.\n", "").replace("' '", "[1]")
    problems = problems_of(write_rules(tmp_path, text))
    assert any("missing key 'message'" in p for p in problems)
    assert any("'replacement' in rule must be str, not list" in p for p in problems)


def test_file_name_must_carry_its_order(tmp_path: Path) -> None:
    (problem,) = problems_of(write_rules(tmp_path, GOOD_RULE, name="demo.yaml"))
    assert "demo.yaml: a rule file name starts with its order" in problem


def test_malformed_example(tmp_path: Path) -> None:
    (problem,) = problems_of(write_rules(tmp_path, GOOD_RULE.replace("output:", "outptu:")))
    assert "10-demo.yaml:10: rule DOUBLE_SPACE: example: unknown key 'outptu'" in problem


def test_missing_rules_folder(tmp_path: Path) -> None:
    assert "rules folder not found" in problems_of(tmp_path / "nowhere")[0]


def test_cli_reports_each_problem_in_one_line_without_traceback(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    path = folder / "20-layout.yaml"
    path.write_text(path.read_text().replace('replacement: ""', 'replacment: ""', 1))
    assert main(["--rules", str(folder), str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "20-layout.yaml:" in err and "rule TRAILING_WHITESPACE: unknown key 'replacment'" in err


def test_rules_load_in_prefix_order() -> None:
    names = [r.pass_name for r in load_rules(RULES_DIR)]
    order = [
        "encoding",
        "lookalikes",
        "debris",
        "layout",
        "boilerplate",
        "glued_words",
        "names",
        "sentences",
    ]
    assert [name for name in names if name in order] == order
