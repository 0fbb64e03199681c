"""The names gazetteer: people (or organisations) with their right and wrong forms.

Each rule of the names pass is one person: the `canonical` form, other correct
forms (`aliases`), wrong full forms (`variants`), wrong full forms that are also
someone else's real name (`context_variants`, corrected only beside a title of
the person), wrong surnames alone (`surname_variants`), titles and roles
(`context`) and other people's names that must never change (`look_alikes`).

This module turns those rules into an index keyed by token, so finding names
costs the same with twenty entries or ten thousand. It is shared by the names
pass, `normalize suggest` and any pass that wants the canonical names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from normalize.lexicon import Lexicon
from normalize.names.forms import NAME_TOKEN, NameForm, parse_name
from normalize.rules import Rule

# The punctuation that split() most often leaves on a word ("“qin", "gang,").
_OPENERS = ("", '"', "“", "(")
_CLOSERS = ("", ",", ".", "’s", "'s")


class Kind(Enum):
    """What a full form is, and so what finding it in a text means."""

    CORRECT = "correct form"  # canonical or alias: never changed (except its case)
    VARIANT = "variant"  # a wrong full form: corrected wherever it occurs
    CONTEXT_VARIANT = "context variant"  # wrong here, someone else's name elsewhere
    LOOK_ALIKE = "look-alike"  # a different person: protected from every rule


class GazetteerProblem(Exception):
    """A names rule whose content cannot be used; names the rule."""

    def __init__(self, rule: Rule, problem: str) -> None:
        super().__init__(problem)
        self.rule = rule


@dataclass(eq=False, slots=True)
class Person:
    """One gazetteer entry, parsed."""

    rule_id: str
    canonical: NameForm
    surname_index: int
    correct: tuple[NameForm, ...]  # the canonical form first, then the aliases
    variants: tuple[NameForm, ...]
    context_variants: tuple[NameForm, ...]
    surname_variants: tuple[str, ...]
    look_alikes: tuple[NameForm, ...]
    context: tuple[tuple[tuple[str, ...], str], ...]  # (lower-case tokens, as written)
    fuzzy: bool
    # Per token position of the canonical form: the tokens that are right there
    # (from the canonical form and same-length aliases, e.g. Dan for Daniel) and
    # the wrong ones seen there in same-length variants (e.g. Anthony for Antony).
    right_at: tuple[frozenset[str], ...] = field(default=())
    wrong_at: tuple[frozenset[str], ...] = field(default=())
    # The last words of the titles ("state" of "Secretary of State"): right
    # before a surname they are no one else's name.
    title_ends: frozenset[str] = field(default=frozenset())
    # The words of the person's full forms other than surnames, in lower case
    # ("antony", "anthony", "dan", "j"): between a title and a surname they
    # keep the title the person's.
    given_names: frozenset[str] = field(default=frozenset())

    @property
    def surname(self) -> str:
        return self.canonical.tokens[self.surname_index]


@dataclass(frozen=True, slots=True)
class FormEntry:
    form: NameForm
    person: Person
    kind: Kind
    lower_case_repair: bool  # the form written in lower case may be capitalised


@dataclass(slots=True)
class Gazetteer:
    """The persons and the token-keyed tables the names pass looks things up in."""

    persons: list[Person] = field(default_factory=list)
    # (first word, second word or "") in lower case -> the forms starting so,
    # longest first: a common given name leads to its few forms, not to all.
    forms_by_start: dict[tuple[str, str], list[FormEntry]] = field(default_factory=dict)
    first_words: frozenset[str] = frozenset()  # lower case
    surname_variants: dict[str, Person] = field(default_factory=dict)
    known_tokens: frozenset[str] = frozenset()  # lower case, every token of every form
    action_triggers: frozenset[str] = frozenset()  # cased words that may lead to an edit
    # A split() word of a lower-case form -> the first words of the forms to look at.
    lower_triggers: dict[str, frozenset[str]] = field(default_factory=dict)
    lower_words: frozenset[str] = frozenset()  # the keys of lower_triggers


def build_gazetteer(rules: Iterable[Rule], lexicon: Lexicon) -> Gazetteer:
    """Parse and index the rules; raise GazetteerProblem for unusable content.

    The lexicon tells ordinary English words: they may not be surname variants,
    and a form made only of them is never capitalised from lower case ("bill
    gates" may be about bills and gates).
    """
    rules = list(rules)
    is_word = lexicon.__contains__
    gazetteer = Gazetteer()
    claimed: dict[tuple[tuple[str, ...], tuple[str, ...]], FormEntry] = {}
    for rule in rules:
        person = _parse_person(rule)
        gazetteer.persons.append(person)
        forms = [
            *((f, Kind.CORRECT) for f in person.correct),
            *((f, Kind.VARIANT) for f in person.variants),
            *((f, Kind.CONTEXT_VARIANT) for f in person.context_variants),
            *((f, Kind.LOOK_ALIKE) for f in person.look_alikes),
        ]
        for form, kind in forms:
            repairable = len(form.tokens) > 1 and not all(is_word(t) for t in form.keys)
            _claim(claimed, FormEntry(form, person, kind, repairable), rule)
    for entry in claimed.values():
        start = (entry.form.keys[0], entry.form.keys[1] if len(entry.form.keys) > 1 else "")
        gazetteer.forms_by_start.setdefault(start, []).append(entry)
    gazetteer.first_words = frozenset(first for first, _ in gazetteer.forms_by_start)
    for entries in gazetteer.forms_by_start.values():
        entries.sort(key=lambda e: -len(e.form.tokens))  # longest form first
    known = {key for entry in claimed.values() for key in entry.form.keys}
    right = {
        key
        for entry in claimed.values()
        if entry.kind in (Kind.CORRECT, Kind.LOOK_ALIKE)
        for key in entry.form.keys
    }
    for rule, person in zip(rules, gazetteer.persons, strict=True):
        for variant in person.surname_variants:
            _check_surname_variant(rule, variant, right, is_word, gazetteer)
            gazetteer.surname_variants[variant.lower()] = person
    gazetteer.known_tokens = frozenset(known | set(gazetteer.surname_variants))
    _build_triggers(gazetteer, claimed.values(), lexicon)
    return gazetteer


def _parse_person(rule: Rule) -> Person:
    data = rule.data

    def forms(key: str) -> tuple[NameForm, ...]:
        try:
            return tuple(parse_name(text) for text in data.get(key, []))
        except ValueError as error:
            raise GazetteerProblem(rule, f"{key}: {error}") from error

    try:
        canonical = parse_name(data["canonical"])
    except ValueError as error:
        raise GazetteerProblem(rule, f"canonical: {error}") from error
    surname = data.get("surname", canonical.tokens[-1])
    if surname not in canonical.tokens:
        raise GazetteerProblem(rule, f"surname {surname!r} is not a word of {canonical.text!r}")
    context: list[tuple[tuple[str, ...], str]] = []
    for phrase in data.get("context", []):
        tokens = tuple(NAME_TOKEN.findall(phrase.lower()))
        if not tokens:
            raise GazetteerProblem(rule, f"context {phrase!r} has no words")
        context.append((tokens, phrase))
    context_variants = forms("context_variants")
    if context_variants and not context:
        raise GazetteerProblem(rule, "context_variants are only corrected next to a 'context'")
    for variant in data.get("surname_variants", []):
        if len(NAME_TOKEN.findall(variant)) != 1 or not NAME_TOKEN.fullmatch(variant):
            raise GazetteerProblem(rule, f"surname variant {variant!r} must be one word")
    aliases = forms("aliases")
    variants = forms("variants")
    person = Person(
        rule_id=rule.id,
        canonical=canonical,
        surname_index=canonical.tokens.index(surname),
        correct=(canonical, *aliases),
        variants=variants,
        context_variants=context_variants,
        surname_variants=tuple(data.get("surname_variants", [])),
        look_alikes=forms("look_alikes"),
        context=tuple(context),
        fuzzy=data.get("fuzzy", True),
    )
    size = len(canonical.tokens)
    same_length = [f for f in person.correct if len(f.tokens) == size]
    right = [frozenset(f.tokens[i] for f in same_length) for i in range(size)]
    wrong_forms = [f for f in (*variants, *context_variants) if len(f.tokens) == size]
    person.right_at = tuple(right)
    person.title_ends = frozenset(tokens[-1] for tokens, _ in context)
    person.wrong_at = tuple(
        frozenset(f.tokens[i] for f in wrong_forms) - right[i] for i in range(size)
    )
    surnames = {person.surname.lower(), *(v.lower() for v in person.surname_variants)}
    surnames.update(f.keys[person.surname_index] for f in (*same_length, *wrong_forms))
    every = (*person.correct, *variants, *context_variants)
    person.given_names = frozenset(key for f in every for key in f.keys) - surnames
    return person


def _claim(claimed: dict, entry: FormEntry, rule: Rule) -> None:
    """Register a form; two entries may share it only if neither changes it."""
    other = claimed.get(entry.form.key)
    if other is None:
        claimed[entry.form.key] = entry
        return
    protected = (Kind.CORRECT, Kind.LOOK_ALIKE)
    if entry.kind in protected and other.kind in protected:
        if entry.kind is Kind.CORRECT and other.kind is Kind.LOOK_ALIKE:
            claimed[entry.form.key] = entry  # the person's own entry wins
        return
    raise GazetteerProblem(
        rule,
        f"{entry.form.text!r} is a {entry.kind.value} here but a {other.kind.value} "
        f"of {other.person.rule_id}",
    )


def _check_surname_variant(
    rule: Rule,
    variant: str,
    right: set[str],
    is_word: Callable[[str], bool],
    gazetteer: Gazetteer,
) -> None:
    key = variant.lower()
    if is_word(key):
        raise GazetteerProblem(
            rule,
            f"surname variant {variant!r} is an English word; list the wrong full name "
            "under 'variants' instead",
        )
    if key in right:
        raise GazetteerProblem(rule, f"surname variant {variant!r} is a word of a right name")
    other = gazetteer.surname_variants.get(key)
    if other is not None:
        raise GazetteerProblem(rule, f"surname variant {variant!r} is also one of {other.rule_id}")


def _build_triggers(gazetteer: Gazetteer, entries: Iterable[FormEntry], lexicon: Lexicon) -> None:
    """The words whose presence in a document makes the pass look closer.

    A variant is found by its most distinctive word (the rarest wrong one:
    "Brinken" of "Anthony Brinken", not "Anthony"), so a document that merely
    mentions common given names costs no more than one without names.
    """
    action: set[str] = set()
    lower: dict[str, set[str]] = {}
    for entry in entries:
        form = entry.form
        if entry.kind in (Kind.VARIANT, Kind.CONTEXT_VARIANT):
            key = form.tokens[_key_index(entry, lexicon)]
            action.update((key, key.upper()))
        if entry.lower_case_repair and entry.kind is not Kind.LOOK_ALIKE:
            # split() leaves punctuation on words: "“qin", "gang,".
            rare = min(range(len(form.keys)), key=lambda i: lexicon.count(form.keys[i]))
            openers = _OPENERS if rare == 0 else ("",)
            closers = _CLOSERS if rare == len(form.keys) - 1 else ("",)
            for opener in openers:
                for closer in closers:
                    lower.setdefault(opener + form.keys[rare] + closer, set()).add(form.keys[0])
    for person in gazetteer.persons:
        for variant in person.surname_variants:
            action.update((variant, variant.upper()))
    gazetteer.action_triggers = frozenset(action)
    gazetteer.lower_triggers = {word: frozenset(firsts) for word, firsts in lower.items()}
    gazetteer.lower_words = frozenset(lower)


def _key_index(entry: FormEntry, lexicon: Lexicon) -> int:
    """The position of the rarest word of a variant among those that are wrong."""
    form, person = entry.form, entry.person
    positions = list(range(len(form.tokens)))
    if len(form.tokens) == len(person.right_at):
        positions = [i for i in positions if form.tokens[i] not in person.right_at[i]] or positions
    return min(positions, key=lambda i: (lexicon.count(form.keys[i]), -len(form.keys[i])))
