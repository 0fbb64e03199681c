"""Every example of every rule, one test each, named after the rule."""

from __future__ import annotations

import pytest

from normalize.examples import RuleExample, check_example, coverage_problems, iter_examples
from normalize.pipeline import Normalizer
from normalize.rules import load_rules

from .conftest import RULES_DIR

EXAMPLES = list(iter_examples(load_rules(RULES_DIR)))


@pytest.mark.parametrize("item", EXAMPLES, ids=[item.test_id for item in EXAMPLES])
def test_rule_example(normalizer: Normalizer, item: RuleExample) -> None:
    problem = check_example(normalizer, item)
    assert problem is None, f"{item.rule.path.name}:{item.example.line}: {problem}"


def test_every_rule_has_a_change_and_a_look_alike(rulesets) -> None:
    problems = coverage_problems(rulesets)
    assert not problems, "\n".join(problems)


def test_examples_were_collected() -> None:
    # A loader bug that silently drops examples would make the suite vacuous.
    assert len(EXAMPLES) >= 50
