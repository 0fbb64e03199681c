"""The names gazetteer's mechanisms on small rule sets: validation, triggers, guards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from normalize.actions import DocContext
from normalize.names.action import NamesAction
from normalize.pipeline import Normalizer
from normalize.rules import RulesError

BLINKEN: dict[str, Any] = {
    "id": "NAME_ANTONY_BLINKEN",
    "canonical": "Antony Blinken",
    "aliases": ["Tony Blinken"],
    "variants": ["Anthony Brinken"],
    "surname_variants": ["Brinken"],
    "context": ["Secretary of State"],
    "message": "Antony Blinken.",
}


def make_rules(tmp_path: Path, *rules: dict[str, Any], names: str = "", **options: Any) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(parents=True)
    document = {
        "pass": "names",
        "action": "names",
        "description": "Names.",
        "options": {"honorifics": ["Mr", "Mrs", "Ms"], **options},
        "rules": list(rules),
    }
    (folder / "50-names.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    if names:
        (folder / "data" / "names").mkdir(parents=True)
        (folder / "data" / "names" / "real.txt").write_text(names, encoding="utf-8")
    return folder


def run(folder: Path, text: str) -> tuple[str, list[str]]:
    result = Normalizer.from_rules(folder).normalize_and_explain(text, only="names")
    return result.text, [edit.message for edit in result.edits]


def problems(folder: Path) -> str:
    with pytest.raises(RulesError) as caught:
        Normalizer.from_rules(folder)
    return "\n".join(caught.value.problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"surname_variants": ["Blink"]}, "surname variant 'Blink' is an English word"),
        ({"surname_variants": ["Anthony Brinken"]}, "must be one word"),
        ({"surname": "Smith"}, "surname 'Smith' is not a word of 'Antony Blinken'"),
        ({"context_variants": ["Anthony Blink"], "context": []}, "only corrected next to"),
        ({"variants": ["Anthony 2Brinken"]}, "only spaces, hyphens, apostrophes"),
        (
            {"aliases": ["Anthony Brinken"]},
            "'Anthony Brinken' is a variant here but a correct form",
        ),
    ],
)
def test_unusable_entries_are_reported_with_their_rule(tmp_path, change, expected) -> None:
    report = problems(make_rules(tmp_path, {**BLINKEN, **change}))
    assert "rule NAME_ANTONY_BLINKEN" in report and expected in report


def test_a_variant_of_one_person_may_not_be_anothers_name(tmp_path) -> None:
    other = {"id": "NAME_ANTHONY_BRINKEN", "canonical": "Anthony Brinken", "message": "x"}
    report = problems(make_rules(tmp_path, BLINKEN, other))
    assert "'Anthony Brinken' is a correct form here but a variant of NAME_ANTONY_BLINKEN" in report


def test_variants_are_found_by_their_rarest_wrong_word(tmp_path) -> None:
    # A document that only mentions "Anthony" must not cost a closer look.
    folder = make_rules(tmp_path, BLINKEN)
    action = Normalizer.from_rules(folder).passes[0].action
    assert isinstance(action, NamesAction)
    triggers = action.gazetteer.action_triggers
    assert {"Brinken", "BRINKEN"} <= triggers and "Anthony" not in triggers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anthony Brinken's visit.", "Antony Blinken's visit."),
        ("Secretary of State Brinken's visit.", "Secretary of State Blinken's visit."),
        ("Tony Brinken said so.", "Tony Blinken said so."),  # a right given name stays
        ("ANTHONY\nBRINKEN", "ANTONY\nBLINKEN"),  # a line break inside a name stays
        ("Reporters met anthony brinken.", "Reporters met Antony Blinken."),
    ],
)
def test_forms(tmp_path, text, expected) -> None:
    assert run(make_rules(tmp_path, BLINKEN), text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "i think antony blinken was right",  # an all-lower-case line is left so
        "A user named “antony blinken” wrote it.",  # a quoted literal (a user name)
        "Great talk antony blinken (@SecBlinken) pic.twitter.com/x",  # a quoted post
        "Mr. Brinken’s shop opened.",  # no evidence that this Brinken is Blinken
        "Hans Brinken met Tony Blinken, and Brinken said little.",  # another Brinken
        "The Brinken family met Tony Blinken.",  # part of another name
    ],
)
def test_left_alone(tmp_path, text) -> None:
    assert run(make_rules(tmp_path, BLINKEN), text) == (text, [])


def test_one_round_finds_every_name_whatever_the_order(tmp_path) -> None:
    action = Normalizer.from_rules(make_rules(tmp_path, BLINKEN)).passes[0].action
    text = "Mr Brinken met Tony Blinken. Anthony Brinken left."
    changes = sorted((c.start, c.after) for c in action.propose(text, DocContext()))
    assert changes == [(3, "Blinken"), (29, "Antony Blinken")]


def test_fuzzy_needs_agreeing_evidence(tmp_path) -> None:
    folder = make_rules(tmp_path, BLINKEN)
    assert run(folder, "Antony Blinkem spoke.")[0] == "Antony Blinken spoke."
    assert run(folder, "Mr. Blinkem spoke.")[0] == "Mr. Blinkem spoke."  # nothing agrees
    text, (message,) = run(folder, "Blinken and Blinkem spoke.")
    assert text == "Blinken and Blinken spoke."
    assert message == (
        "fuzzy: 'Blinkem' is 1 edit from 'Blinken'; 'Blinken' appears elsewhere in the document"
    )


def test_a_post_is_left_alone_but_not_a_whole_line_with_one(tmp_path) -> None:
    folder = make_rules(tmp_path, BLINKEN)
    post = "Great talk by Antony Blinkem and antony blinken (@SecBlinken) November 8, 2017"
    assert run(folder, post)[0] == post  # a post's words, as the poster wrote them
    article = post + " and more. " + "The talks went on for hours. " * 10
    article += "Antony Blinkem spoke, and antony blinken left."
    expected = article[: -len("Antony Blinkem spoke, and antony blinken left.")]
    assert run(folder, article)[0] == expected + "Antony Blinken spoke, and Antony Blinken left."


def test_a_short_surname_alone_needs_the_name_in_the_document(tmp_path) -> None:
    doruri = {
        "id": "NAME_IZZAT_DORURI",
        "canonical": "Izzat Doruri",
        "context": ["General"],
        "message": "A test person.",
    }
    folder = make_rules(tmp_path, doruri, fuzzy_alone_min_length=5)
    assert run(folder, "Izzat Doruri spoke. On Monday, Dorri said no.")[0] == (
        "Izzat Doruri spoke. On Monday, Doruri said no."  # five letters, one edit, named before
    )
    for text in ("On Monday, Dorri said no.", "General al-Douri spoke."):  # nothing agrees; a name
        assert run(folder, text) == (text, [])


def test_fuzzy_never_touches_a_real_name_or_another_first_letter(tmp_path) -> None:
    folder = make_rules(tmp_path, BLINKEN, names="blinkem\n")
    assert run(folder, "Antony Blinkem spoke.")[0] == "Antony Blinkem spoke."
    assert run(folder, "Antony Klinken spoke.")[0] == "Antony Klinken spoke."


def test_fuzzy_can_be_switched_off(tmp_path) -> None:
    folder = make_rules(tmp_path, BLINKEN, max_edit_distance=0)
    assert run(folder, "Antony Blinkem spoke.")[0] == "Antony Blinkem spoke."
    folder = make_rules(tmp_path / "per-entry", {**BLINKEN, "fuzzy": False})
    assert run(folder, "Antony Blinkem spoke.")[0] == "Antony Blinkem spoke."


def test_fuzzy_verdicts_are_cached_per_word(tmp_path) -> None:
    action = Normalizer.from_rules(make_rules(tmp_path, BLINKEN)).passes[0].action
    assert isinstance(action, NamesAction) and action.fuzzy is not None
    for _ in range(3):
        action.propose("Antony Blinkem and Zebulon Quux spoke.", DocContext())
    assert {"Blinkem", "Zebulon", "Quux", "Antony"} <= action.fuzzy._checked
    assert set(action.fuzzy._found) == {"Blinkem"}


def test_a_document_alias_needs_the_full_variant_first(tmp_path) -> None:
    qin = {
        "id": "NAME_QIN_GANG",
        "canonical": "Qin Gang",
        "surname": "Qin",
        "context_variants": ["Chen Gang"],
        "context": ["Foreign Minister"],
        "message": "Qin Gang.",
    }
    folder = make_rules(tmp_path, qin)
    text = "Chen said so. Foreign Minister Chen Gang came. China said Chen left."
    assert run(folder, text)[0] == (
        "Chen said so. Foreign Minister Qin Gang came. China said Qin left."
    )
    # Seen inside another name in the same document, the bare surname is ambiguous.
    text = "Foreign Minister Chen Gang met Chen Jining. China said Chen left."
    assert (
        run(folder, text)[0] == "Foreign Minister Qin Gang met Chen Jining. China said Chen left."
    )
