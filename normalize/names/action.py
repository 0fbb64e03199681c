"""Repair misspelt and mistranslated names from a YAML gazetteer (rules/50-names.yaml).

Most certain first:

1. Full forms, found by hashing words (never one pattern per entry): a listed
   `variant` is corrected wherever it occurs ("Anthony Brinken" -> "Antony
   Blinken"); a `context_variant`, someone else's real name too ("Chen Gang"),
   only next to one of the person's titles ("Foreign Minister Chen Gang"). Correct
   forms and `look_alikes` are protected spans; a correct form written in lower
   case is capitalised ("qin gang" -> "Qin Gang"), all capitals stay capitals.
2. Single words, only with agreeing evidence: the person's neighbouring name word
   ("Dan Krittenbrink"), one of the person's titles nearby ("Secretary
   Brinken's"), or the person's surname elsewhere in the document. A capitalised
   word next to them that is not a title, a word of `not_given_names` ("But",
   "Monday") or the person's own name makes them part of someone else's name
   ("Jessica Chen Weiss"), and then nothing changes.
   - `surname_variants`: listed wrong surnames ("Brinken");
   - document aliases: once a full variant was corrected ("Chen Gang" -> "Qin
     Gang"), its wrong surname later in that document follows ("Chen held");
   - fuzzy: a capitalised word that is neither an English word nor a listed
     name, within a small edit distance of a name word (symspellpy).

Every change's message names the evidence it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

import regex

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.names.forms import NAME_TOKEN, NameForm
from normalize.names.fuzzy import Candidate, FuzzyNames
from normalize.names.gazetteer import (
    GazetteerProblem,
    Kind,
    Person,
    build_gazetteer,
)
from normalize.names.real_names import read_name_lists
from normalize.names.text import (
    CAP_WORD,
    Case,
    FullMatch,
    Word,
    inside,
    join_corrected,
    join_form,
    locate,
    match_form,
    may_capitalise,
    near_social,
    next_name_word,
    next_word,
    prev_word,
    render,
    sentence_initial,
)
from normalize.pattern_scan import PatternScan, agreed_characters, character_class
from normalize.rules import RuleSet
from normalize.schema import Field

DEFAULT_MAX_EDIT_DISTANCE = 2
DEFAULT_FUZZY_MIN_LENGTH = 5
DEFAULT_TWO_EDITS_MIN_LENGTH = 10
DEFAULT_FUZZY_ALONE_MIN_LENGTH = 5
DEFAULT_CONTEXT_WINDOW = 3


class Side(Enum):
    """What sits right next to a single name word."""

    NONE = "none"  # nothing joined to it: punctuation, a line edge, a lower-case word
    TITLE = "title"  # a title or role word: Mr., Secretary, State (of Secretary of State)
    AGREE = "agree"  # the person's own neighbouring name word: Dan before Kritenbrink
    WRONG = "wrong"  # a listed wrong form of that word (Anthony): corrected along
    CONFLICT = "conflict"  # another capitalised word: part of someone else's name


@dataclass(frozen=True, slots=True)
class _Single:
    """A single word that may be a misspelt name, with its neighbours."""

    start: int
    end: int
    word: str
    prev: Word | None
    next: Word | None


@dataclass(frozen=True, slots=True)
class _Alias:
    """A correction that later occurrences in the same document follow."""

    active_from: int
    person: Person
    variant: str  # the corrected full variant, as written in the rule
    corrected: str


FoundBy = str | _Alias | Candidate  # "surname variant", a document alias, a fuzzy candidate


@dataclass(frozen=True, slots=True)
class _Option:
    """One reading of a single word: token `index` of `person`'s canonical name."""

    person: Person
    index: int
    found_by: FoundBy
    before: Side
    after: Side

    @property
    def conflicts(self) -> bool:
        return Side.CONFLICT in (self.before, self.after)


class NamesAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "canonical": Field(str, required=True, doc="the right form of the name"),
        "surname": Field(str, doc="the word of canonical that is the surname (default: last)"),
        "aliases": Field(list, items=str, doc="other correct forms, never changed (Tony Blinken)"),
        "variants": Field(list, items=str, doc="wrong full forms, corrected wherever they occur"),
        "context_variants": Field(
            list, items=str, doc="wrong full forms that are also real names: need a context title"
        ),
        "surname_variants": Field(
            list, items=str, doc="wrong surnames alone, corrected with agreeing evidence"
        ),
        "context": Field(list, items=str, doc="titles and roles of the person"),
        "look_alikes": Field(list, items=str, doc="other people's names, never changed"),
        "fuzzy": Field(bool, doc="allow fuzzy matching of this name (default: true)"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "honorifics": Field(list, items=str, doc="words that may precede anyone's name (Mr, Dr)"),
        "not_given_names": Field(
            list, items=str, doc="capitalised words before a name that are no part of it (But)"
        ),
        "max_edit_distance": Field(int, doc="fuzzy: most edits between a word and a name (0: off)"),
        "fuzzy_min_length": Field(int, doc="fuzzy: shorter words are never looked up"),
        "two_edits_min_length": Field(int, doc="fuzzy: shorter words may be one edit away only"),
        "context_window": Field(int, doc="words allowed between a name and its context title"),
        "fuzzy_alone_min_length": Field(
            int, doc="fuzzy: shorter words need the rest of the name next to them"
        ),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        lexicon = resources.lexicon()
        self.is_word = lexicon.__contains__
        try:
            self.gazetteer = build_gazetteer(self.rules, lexicon)
        except GazetteerProblem as problem:
            raise RuleProblem(problem.rule, str(problem)) from problem
        self.lower_scan = PatternScan(
            [_spaced_words(self.gazetteer.lower_words)], resources.scan_database()
        )
        self.honorifics = frozenset(
            word.lower().rstrip(".") for word in self.options.get("honorifics", [])
        )
        self.not_given_names = frozenset(
            word.lower() for word in self.options.get("not_given_names", [])
        )
        self.real_names: frozenset[str] = resources.shared(
            "names.real", lambda: read_name_lists(resources.rules_dir)
        )
        self.window = int(self.options.get("context_window", DEFAULT_CONTEXT_WINDOW))
        self.weak_min_length = int(
            self.options.get("fuzzy_alone_min_length", DEFAULT_FUZZY_ALONE_MIN_LENGTH)
        )
        max_distance = int(self.options.get("max_edit_distance", DEFAULT_MAX_EDIT_DISTANCE))
        self.fuzzy = (
            FuzzyNames(
                self.gazetteer,
                self.is_word,
                self.real_names,
                max_distance=max_distance,
                min_length=int(self.options.get("fuzzy_min_length", DEFAULT_FUZZY_MIN_LENGTH)),
                two_edits_min_length=int(
                    self.options.get("two_edits_min_length", DEFAULT_TWO_EDITS_MIN_LENGTH)
                ),
            )
            if max_distance > 0
            else None
        )

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        gazetteer = self.gazetteer
        caps = set(CAP_WORD.findall(text))
        hits = caps & gazetteer.action_triggers
        lower_firsts: set[str] = set()
        # Splitting every text into words costs more than one scan for the few
        # lower-case name words (None: the scan cannot tell, split anyway).
        if gazetteer.lower_triggers and self.lower_scan.candidates(text) != set():
            for word in gazetteer.lower_words.intersection(text.split()):
                lower_firsts |= gazetteer.lower_triggers[word]
        fuzzy = self.fuzzy.candidates(caps) if self.fuzzy is not None else {}
        if not (hits or lower_firsts or fuzzy):
            return []  # the common case: nothing here could change
        return _Scan(self, text, caps, fuzzy, doc).run(lower_firsts)


class _Scan:
    """One document: full forms first, then single words, in text order."""

    def __init__(
        self,
        action: NamesAction,
        text: str,
        caps: set[str],
        fuzzy: dict[str, tuple[Candidate, ...]],
        doc: DocContext,
    ) -> None:
        self.action = action
        self.text = text
        self.check_time = doc.check_time  # in the loops over words: the pass's time budget
        self.caps = caps
        self.fuzzy = fuzzy
        self.changes: list[Change] = []
        self.mentioned: set[Person] = set()  # persons named by a full form here
        self.taken: set[str] = set()  # words seen inside someone else's name here
        self.aliases: dict[str, _Alias] = {}
        self.form_aliases: dict[tuple[tuple[str, ...], tuple[str, ...]], _Alias] = {}

    def run(self, lower_firsts: set[str]) -> list[Change]:
        text = self.text
        # Every capitalised word once (CAP_WORD may start inside "iPhone": skip
        # those), and the first words of the lower-case forms that may be here.
        occurrences = [
            (m.start(), m.group())
            for m in CAP_WORD.finditer(text)
            if m.start() == 0 or not text[m.start() - 1].isalpha()
        ]
        for first in lower_firsts:
            occurrences.extend((start, first) for start in locate(text, first))
        occurrences.sort()
        spans = self._full_forms(occurrences)
        singles = [
            (start, word)
            for start, word in occurrences
            if self._is_single(word) and not inside(spans, start)
        ]
        self._single_words(singles)
        return self.changes

    # -- full forms ---------------------------------------------------------

    def _full_forms(self, occurrences: list[tuple[int, str]]) -> list[tuple[int, int]]:
        gazetteer = self.action.gazetteer
        spans: list[tuple[int, int]] = []
        covered_until = -1
        for start, word in occurrences:
            if start < covered_until:
                continue
            first = word.lower()
            if first not in gazetteer.first_words:
                continue
            self.check_time()
            second = next_name_word(self.text, start + len(word))
            entries = [
                *gazetteer.forms_by_start.get((first, second.lower()), ()),
                *gazetteer.forms_by_start.get((first, ""), ()),
            ]
            for entry in entries:
                match = match_form(self.text, start, word, entry)
                if match is not None:
                    self._on_full_form(match)
                    spans.append((match.start, match.end))
                    covered_until = match.end
                    break
        return spans

    def _on_full_form(self, match: FullMatch) -> None:
        entry, person = match.entry, match.entry.person
        if entry.kind is Kind.LOOK_ALIKE:
            self.taken.update(entry.form.tokens)
            return
        if match.case is Case.LOWER and not (
            entry.lower_case_repair and may_capitalise(self.text, match.start, match.end)
        ):
            return
        if entry.kind is Kind.CORRECT:
            self.mentioned.add(person)
            if match.case is Case.LOWER:
                self._change(
                    match.start,
                    match.end,
                    join_form(entry.form, match),
                    person,
                    "a known name written in lower case",
                )
            return
        evidence: str | None
        if entry.kind is Kind.VARIANT:
            evidence = f"exact variant {entry.form.text!r} of {person.canonical.text}"
        else:
            evidence = self._context_variant_evidence(match)
            if evidence is None:
                self.taken.update(entry.form.tokens)  # someone else's real name, it seems
                return
        self.mentioned.add(person)
        corrected = join_corrected(person, entry.form, match)
        self._change(match.start, match.end, corrected, person, evidence)
        self._register_aliases(person, entry.form, match.end, corrected)

    def _context_variant_evidence(self, match: FullMatch) -> str | None:
        form, person = match.entry.form, match.entry.person
        title = self._context_near(match.start, match.end, person)
        if title is not None:
            return f"variant {form.text!r} next to the title {title!r} is {person.canonical.text}"
        alias = self.form_aliases.get(form.key)
        if alias is not None and alias.active_from <= match.start:
            return _alias_message(alias)
        return None

    def _register_aliases(self, person: Person, form: NameForm, end: int, corrected: str) -> None:
        """Later in the document, the same variant and its wrong surname alone follow."""
        alias = _Alias(end, person, form.text, corrected)
        self.form_aliases.setdefault(form.key, alias)
        if len(form.tokens) == len(person.canonical.tokens):
            wrong = form.tokens[person.surname_index]
            if wrong != person.surname:
                self.aliases.setdefault(wrong, alias)

    # -- single words -------------------------------------------------------

    def _is_single(self, word: str) -> bool:
        key = word.lower()
        return (
            key in self.action.gazetteer.surname_variants
            or word in self.aliases
            or word in self.fuzzy
        )

    def _single_words(self, singles: list[tuple[int, str]]) -> None:
        # First every occurrence's neighbours, so that a word seen in someone
        # else's name anywhere in the document ("Hans Brinken") is known before
        # a bare occurrence of it is judged.
        judged: list[tuple[_Single, list[_Option]]] = []
        for start, word in singles:
            self.check_time()
            end = start + len(word)
            prev, next_ = prev_word(self.text, start), next_word(self.text, end)
            single = _Single(start, end, word, prev, next_)
            options = [
                _Option(person, index, found_by, *self._sides(single, person, index))
                for person, index, found_by in self._found_as(single)
            ]
            if options and all(option.conflicts for option in options):
                self.taken.add(word)
            judged.append((single, options))
        for single, options in judged:
            accepted = []
            for option in options:
                evidence = None if option.conflicts else self._evidence(single, option)
                if evidence is not None:
                    accepted.append((option, evidence))
            if len({option.person for option, _ in accepted}) == 1:
                self._change_single(single, *accepted[0])

    def _found_as(self, single: _Single) -> list[tuple[Person, int, FoundBy]]:
        """(person, word index in the canonical name, how) for a single word."""
        word = single.word
        person = self.action.gazetteer.surname_variants.get(word.lower())
        if person is not None and (word.isupper() or word in person.surname_variants):
            return [(person, person.surname_index, "surname variant")]
        alias = self.aliases.get(word)
        if alias is not None and single.start >= alias.active_from:
            return [(alias.person, alias.person.surname_index, alias)]
        return [(c.person, c.index, c) for c in self.fuzzy.get(word, ())]

    def _sides(self, single: _Single, person: Person, index: int) -> tuple[Side, Side]:
        upper = single.word.isupper()
        return (
            self._side(single.prev, person, index - 1, upper, before=True),
            self._side(single.next, person, index + 1, upper, before=False),
        )

    def _side(
        self, neighbour: Word | None, person: Person, index: int, upper: bool, *, before: bool
    ) -> Side:
        if neighbour is None:
            return Side.NONE
        word, gap = neighbour.text, neighbour.gap
        key = word.lower()
        in_name = 0 <= index < len(person.canonical.tokens)
        right = person.right_at[index] if in_name else frozenset()
        wrong = person.wrong_at[index] if in_name else frozenset()
        joined = gap in ("-", "'", "’")  # al-Douri, Jean-Bernard, O'Brien: one name
        if before and joined and not _among(word, right, upper):
            return Side.CONFLICT
        if before and gap.startswith("."):
            if key in self.action.honorifics:
                return Side.TITLE
            # "J. Brinken" has an initial; "China. Brinken" starts a sentence.
            return Side.CONFLICT if len(word) == 1 and word.isupper() else Side.NONE
        if not before and gap in ("'", "’") and word in ("s", "S"):
            return Side.NONE  # a possessive
        if not word[0].isupper() or (before and key in self.action.not_given_names):
            return Side.NONE
        if _among(word, right, upper):
            return Side.AGREE
        if _among(word, wrong, upper):
            return Side.WRONG
        # A title that is not the person's ("Senator Yellin") disagrees like a name.
        if before and (key in self.action.honorifics or key in person.title_ends):
            return Side.TITLE
        if upper and self.action.is_word(key):
            return Side.NONE  # in capitals, a capital says nothing
        return Side.CONFLICT

    def _evidence(self, single: _Single, option: _Option) -> str | None:
        """Why the word is the person's, or None when the evidence does not agree."""
        person, found_by, word = option.person, option.found_by, single.word
        if isinstance(found_by, _Alias):
            if word in self.taken:
                return None
            if self._english_word_opening(single):
                return None  # "Blink and you miss it", but "Chen said" follows "Chen Gang"
            return _alias_message(found_by)
        reasons = []
        for side, neighbour, index in (
            (option.before, single.prev, option.index - 1),
            (option.after, single.next, option.index + 1),
        ):
            if neighbour is None:
                continue
            role = "surname" if index == person.surname_index else "given name"
            if side is Side.AGREE:
                reasons.append(f"{role} {neighbour.text} agrees")
            elif side is Side.WRONG:
                reasons.append(f"{neighbour.text} is a listed wrong {role}")
        name_agrees = bool(reasons)
        is_surname = option.index == person.surname_index
        title = self._context_near(single.start, single.end, person) if is_surname else None
        if title is not None:
            reasons.append(f"title {title!r}")
        elsewhere = is_surname and word not in self.taken and self._is_mentioned(person)
        if elsewhere:
            reasons.append(f"{person.surname!r} appears elsewhere in the document")
        if isinstance(found_by, Candidate):
            if not self._fuzzy_agrees(single, found_by, name_agrees, title, elsewhere):
                return None
            edits = f"{found_by.distance} edit{'s' if found_by.distance > 1 else ''}"
            return f"fuzzy: {word!r} is {edits} from {found_by.target!r}; " + "; ".join(reasons)
        if not reasons:
            return None
        return f"surname variant {word!r} of {person.canonical.text}; " + "; ".join(reasons)

    def _english_word_opening(self, single: _Single) -> bool:
        """Whether the word is an English word, not also a real name, opening a sentence."""
        key = single.word.lower()
        return (
            self.action.is_word(key)
            and key not in self.action.real_names
            and sentence_initial(self.text, single.start)
        )

    def _fuzzy_agrees(
        self,
        single: _Single,
        candidate: Candidate,
        name_agrees: bool,
        title: str | None,
        elsewhere: bool,
    ) -> bool:
        """A near miss needs the rest of the name next to it; a title or the surname
        elsewhere in the document do only for longer words (short names are dense:
        "General al-Douri" is not "General Doruri"), the latter one edit away."""
        long_enough = len(single.word) >= self.action.weak_min_length
        agrees = name_agrees or (
            long_enough and (title is not None or (elsewhere and candidate.distance == 1))
        )
        # A post's display name ("Michael Heilemann (@Heilemann)") is quoted as it is.
        return agrees and not near_social(self.text, single.start)

    def _change_single(self, single: _Single, option: _Option, evidence: str) -> None:
        person, index = option.person, option.index
        case = Case.UPPER if single.word.isupper() else Case.AS_WRITTEN
        tokens = person.canonical.tokens
        start, end, corrected = single.start, single.end, render(tokens[index], case)
        prev, next_ = single.prev, single.next
        if option.before is Side.WRONG and prev is not None:
            start, corrected = prev.start, render(tokens[index - 1], case) + prev.gap + corrected
        if option.after is Side.WRONG and next_ is not None:
            end, corrected = next_.end, corrected + next_.gap + render(tokens[index + 1], case)
        self._change(start, end, corrected, person, evidence)
        self.mentioned.add(person)  # later bare occurrences may lean on this one

    # -- shared -------------------------------------------------------------

    def _change(self, start: int, end: int, after: str, person: Person, message: str) -> None:
        # Full forms never overlap each other, nor single words full forms; should
        # a corrected neighbour make two changes touch, the pipeline keeps one
        # and proposes the other again in the next round.
        self.changes.append(Change(start, end, after, person.rule_id, message))

    def _is_mentioned(self, person: Person) -> bool:
        surname = person.surname
        return person in self.mentioned or surname in self.caps or surname.upper() in self.caps

    def _context_near(self, start: int, end: int, person: Person) -> str | None:
        """One of the person's titles within `window` words of the name, on its line.

        A title is someone else's when another name stands between it and
        this one ("President Biden met Bidan") or right after it ("Bidan met
        President Biden"). After the name, the words before the title may be
        anything ("Chen Gang, China's foreign minister").
        """
        if not person.context:
            return None
        text, window = self.text, self.action.window
        # Only 200 characters either side matter: searching no further for the
        # line's ends keeps a document that is one long line linear.
        reach_start, reach_end = max(0, start - 200), min(len(text), end + 200)
        line_start = text.rfind("\n", reach_start, start) + 1
        line_end = text.find("\n", end, reach_end)
        before = NAME_TOKEN.findall(text[max(line_start, reach_start) : start])
        after = NAME_TOKEN.findall(text[end : reach_end if line_end < 0 else line_end])
        before_keys = [word.lower() for word in before]
        after_keys = [word.lower() for word in after]
        for tokens, phrase in person.context:
            size = len(tokens)
            for k in range(max(0, len(before) - size - window), len(before) - size + 1):
                if tuple(before_keys[k : k + size]) == tokens and self._nobody_else(
                    before[k + size :], person
                ):
                    return phrase
            for k in range(min(window + 1, len(after) - size + 1)):
                if tuple(after_keys[k : k + size]) == tokens and self._nobody_else(
                    after[k + size : k + size + 1], person
                ):
                    return phrase
        return None

    def _nobody_else(self, words: list[str], person: Person) -> bool:
        """Whether none of `words` names someone (a capitalised word, not in capitals,
        that is neither one of the person's given names nor an honorific)."""
        for word in words:
            if word[0].isupper() and not word.isupper():
                key = word.lower()
                if key not in person.given_names and key not in self.action.honorifics:
                    return False
        return True


def _among(word: str, tokens: frozenset[str], upper: bool) -> bool:
    return word in tokens if not upper else any(word == t.upper() for t in tokens)


def _alias_message(alias: _Alias) -> str:
    return f"document alias: {alias.variant!r} was corrected to {alias.corrected!r} earlier"


def _spaced_words(words: frozenset[str]) -> regex.Pattern[str]:
    """A pattern for `words` as they come out of `str.split()`: between white space."""
    space = character_class(agreed_characters(str.isspace))
    return regex.compile(
        f"(?:^|[{space}])\\L<words>(?:[{space}]|$)", words=sorted(words) or ["\uffff"]
    )
