"""Load a rules folder: one YAML file per pass, ordered by its numeric prefix.

Everything a person can get wrong in a rule file is reported here, each problem
as one line naming the file, the line and the rule id: YAML syntax, unknown or
missing keys, wrong types, unknown actions, duplicate rule ids, rules switched
off without a reason, malformed examples. Actions add their own checks (a regex
that does not compile, say) when the pipeline builds them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from normalize.registry import action_class, known_actions
from normalize.rule_files import RuleFileError, read_rule_text
from normalize.schema import Field, check_mapping, short_repr
from normalize.yaml_lines import LineDict, error_line, load_yaml

# The rules that come with the package. The repository keeps them in its
# top-level rules/ (where users edit them); a wheel carries that folder as the
# package data normalize/bundled_rules (pyproject.toml maps one to the other).
BUNDLED_RULES = "bundled_rules"


def find_default_rules() -> Path:
    """The package's own rules folder: its package data when installed from a
    wheel, the checkout's rules/ when run from the source tree (an editable
    install, or `python -m normalize` in the repository)."""
    packaged = resources.files("normalize") / BUNDLED_RULES
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


DEFAULT_RULES_DIR = find_default_rules()

RULE_FILE_NAME = re.compile(r"^(\d+)-[\w.-]+\.ya?ml$")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]*$")


def suggest_rule_id(text: str) -> str:
    """A valid rule id made from `text`: "name-Cristina Fernández" -> "NAME_CRISTINA_FERNANDEZ"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text)
    suggestion = "_".join(words).upper()
    return suggestion if RULE_ID.match(suggestion) else f"RULE_{suggestion}".rstrip("_")


FILE_FIELDS: dict[str, Field] = {
    "pass": Field(str, required=True, doc="name of the pass, shown in every edit"),
    "action": Field(str, required=True, doc="the mechanism that runs the rules"),
    "description": Field(str, required=True, doc="what the pass repairs"),
    "options": Field(dict, doc="settings of the action for this pass"),
    "rounds": Field(int, doc="how often the pass may re-run on its own output (default 3)"),
    "enabled": Field(bool, doc="false switches the whole pass off"),
    "reason": Field(str, doc="why the pass is switched off"),
    "rules": Field(list, required=True, doc="the rules, highest priority first"),
}

COMMON_RULE_FIELDS: dict[str, Field] = {
    "id": Field(str, required=True, doc="UPPER_SNAKE_CASE, unique across all rule files"),
    "message": Field(str, required=True, doc="why the edit is right, shown with every edit"),
    "enabled": Field(bool, doc="false switches the rule off"),
    "reason": Field(str, doc="why the rule is switched off (required with enabled: false)"),
    "examples": Field(list, doc="inputs with expected outputs; an input alone must not change"),
}

EXAMPLE_FIELDS: dict[str, Field] = {
    "input": Field(str, required=True, doc="text given to the pass"),
    "output": Field(str, doc="the exact expected output; absent means: must not change"),
    "as_file": Field(bool, doc="treat the input as a whole file (final-newline rules)"),
    "note": Field(bool, doc="the rule must leave a note here (and change nothing)"),
}

DEFAULT_ROUNDS = 3


class RulesError(Exception):
    """One or more problems in a rules folder, one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Example:
    input: str
    output: str | None
    as_file: bool
    expects_note: bool
    line: int


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    message: str
    enabled: bool
    reason: str
    examples: tuple[Example, ...]
    data: dict[str, Any]  # the action-specific keys
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}: rule {self.id}"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One rule file: a pass, the action that runs it and its rules."""

    path: Path
    order: int
    pass_name: str
    action: str
    description: str
    options: dict[str, Any]
    rounds: int
    enabled: bool
    reason: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def enabled_rules(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.enabled]


def load_rules(directory: Path | str | None = None) -> list[RuleSet]:
    """Load and validate every rule file of `directory`, in prefix order."""
    directory = Path(directory) if directory is not None else DEFAULT_RULES_DIR
    if not directory.is_dir():
        raise RulesError([f"{directory}: rules folder not found"])
    problems: list[str] = []
    rulesets: list[RuleSet] = []
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".yaml", ".yml"):
            continue
        match = RULE_FILE_NAME.match(path.name)
        if not match:
            problems.append(
                f"{path}: a rule file name starts with its order and a dash, "
                f"e.g. 35-{path.stem}.yaml"
            )
            continue
        ruleset = _load_file(path, int(match.group(1)), problems)
        if ruleset is not None:
            rulesets.append(ruleset)
    rulesets.sort(key=lambda r: (r.order, r.path.name))
    _check_unique(rulesets, problems)
    if problems:
        raise RulesError(problems)
    if not rulesets:
        raise RulesError([f"{directory}: no rule files (NN-name.yaml)"])
    return rulesets


def _load_file(path: Path, order: int, problems: list[str]) -> RuleSet | None:
    try:
        data = load_yaml(read_rule_text(path))
    except RuleFileError as error:
        problems.append(f"{path}: {error}")
        return None
    except UnicodeDecodeError as error:
        problems.append(f"{path}: not UTF-8 text ({error.reason})")
        return None
    except RecursionError:
        problems.append(f"{path}: invalid YAML: nested too deeply")
        return None
    except yaml.YAMLError as error:
        line = error_line(error)
        where = f"{path}:{line}" if line else str(path)
        detail = getattr(error, "problem", None) or str(error)
        problems.append(f"{where}: invalid YAML: {detail}")
        return None
    if not isinstance(data, LineDict):
        problems.append(f"{path}:1: a rule file is a mapping with pass, action, description, rules")
        return None
    before = len(problems)
    problems.extend(f"{path}:{data.line}: {p}" for p in check_mapping(data, FILE_FIELDS, "file"))
    if len(problems) > before:
        return None
    enabled = data.get("enabled", True)
    if not enabled and not data.get("reason"):
        problems.append(f"{path}:{data.line}: a pass switched off needs a 'reason'")
    if data["action"] not in known_actions():
        problems.append(
            f"{path}:{data.line}: unknown action {short_repr(data['action'])} "
            f"(known actions: {', '.join(known_actions())})"
        )
        return None
    action = action_class(data["action"])
    options = data.get("options") or {}
    problems.extend(
        f"{path}:{data.line}: {p}" for p in check_mapping(options, action.option_fields, "options")
    )
    rule_fields = {**COMMON_RULE_FIELDS, **action.rule_fields}
    rules: list[Rule] = []
    for item in data["rules"]:
        rule = _load_rule(item, path, data.line, rule_fields, problems)
        if rule is not None:
            rules.append(rule)
    return RuleSet(
        path=path,
        order=order,
        pass_name=data["pass"],
        action=data["action"],
        description=data["description"],
        options=dict(options),
        rounds=data.get("rounds", DEFAULT_ROUNDS),
        enabled=enabled,
        reason=data.get("reason", ""),
        rules=tuple(rules),
    )


def _load_rule(
    item: Any, path: Path, file_line: int, fields: dict[str, Field], problems: list[str]
) -> Rule | None:
    if not isinstance(item, LineDict):
        problems.append(
            f"{path}:{file_line}: every rule is a mapping with an id, found {short_repr(item)}"
        )
        return None
    rule_id = item.get("id")
    where = f"{path}:{item.line}: rule {rule_id if isinstance(rule_id, str) else '?'}"
    before = len(problems)
    problems.extend(f"{where}: {p}" for p in check_mapping(item, fields, "rule"))
    if isinstance(rule_id, str) and not RULE_ID.match(rule_id):
        problems.append(f"{where}: rule ids are UPPER_SNAKE_CASE, like {suggest_rule_id(rule_id)}")
    enabled = item.get("enabled", True)
    if enabled is False and not item.get("reason"):
        problems.append(f"{where}: a rule switched off needs a 'reason'")
    label = f"rule {rule_id if isinstance(rule_id, str) else '?'}"
    examples = tuple(_load_examples(item.get("examples") or [], path, label, problems))
    if len(problems) > before:
        return None
    data = {key: value for key, value in item.items() if key not in COMMON_RULE_FIELDS}
    return Rule(
        id=item["id"],
        message=item["message"],
        enabled=enabled,
        reason=item.get("reason", ""),
        examples=examples,
        data=data,
        path=path,
        line=item.line,
    )


def _load_examples(items: Any, path: Path, label: str, problems: list[str]) -> list[Example]:
    examples: list[Example] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, LineDict):
            problems.append(f"{path}: {label}: an example is a mapping with 'input' (and 'output')")
            continue
        found = check_mapping(item, EXAMPLE_FIELDS, "example")
        if item.get("note") and "output" in item:
            found.append("an example with 'note: true' changes nothing, so it has no 'output'")
        if found:
            problems.extend(f"{path}:{item.line}: {label}: example: {p}" for p in found)
            continue
        examples.append(
            Example(
                input=item["input"],
                output=item.get("output"),
                as_file=item.get("as_file", False),
                expects_note=item.get("note", False),
                line=item.line,
            )
        )
    return examples


def _check_unique(rulesets: list[RuleSet], problems: list[str]) -> None:
    first_rule: dict[str, Rule] = {}
    first_pass: dict[str, RuleSet] = {}
    for ruleset in rulesets:
        if ruleset.pass_name in first_pass:
            other = first_pass[ruleset.pass_name]
            problems.append(
                f"{ruleset.path}:1: pass {ruleset.pass_name!r} is also defined in {other.path}"
            )
        first_pass.setdefault(ruleset.pass_name, ruleset)
        for rule in ruleset.rules:
            if rule.id in first_rule:
                other_rule = first_rule[rule.id]
                problems.append(
                    f"{rule.where()}: duplicate rule id (first defined at "
                    f"{other_rule.path}:{other_rule.line})"
                )
            first_rule.setdefault(rule.id, rule)


class SelectionError(ValueError):
    """A pass or rule named to skip, keep or disable that the rules do not have."""


def select_rules(
    rulesets: list[RuleSet],
    *,
    skip: Iterable[str] = (),
    only: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> list[RuleSet]:
    """The rule sets with passes and rules switched off, as `enabled: false`
    in their files would: `skip` passes, keep `only` these passes, `disable`
    rules by id. SelectionError names an unknown pass or rule and the known ones."""
    skip, only, disable = set(skip), set(only), set(disable)
    passes = [ruleset.pass_name for ruleset in rulesets]
    rule_ids = {rule.id for ruleset in rulesets for rule in ruleset.rules}
    for option, names, known in (("skip", skip, passes), ("only", only, passes)):
        _check_known(option, "pass", names, known)
    _check_known("disable", "rule", disable, sorted(rule_ids))
    selected = []
    for ruleset in rulesets:
        switched_off = ruleset.pass_name in skip or (only and ruleset.pass_name not in only)
        rules = tuple(
            replace(rule, enabled=False, reason="switched off by disable")
            if rule.id in disable
            else rule
            for rule in ruleset.rules
        )
        selected.append(
            replace(ruleset, enabled=False, reason="switched off by skip/only", rules=rules)
            if switched_off
            else replace(ruleset, rules=rules)
        )
    return selected


def _check_known(option: str, kind: str, names: set[str], known: list[str]) -> None:
    unknown = sorted(names - set(known))
    if not unknown:
        return
    close = difflib.get_close_matches(unknown[0], known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    plural = "s" if len(unknown) > 1 else ""
    raise SelectionError(
        f"{option}: unknown {kind}{plural} {', '.join(unknown)} ({hint}known: {', '.join(known)})"
    )
