"""Run the passes of a rules folder over documents, recording every edit."""

from __future__ import annotations

import math
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from normalize.actions import Action, DocContext, OutOfTime, Resources, RuleProblem
from normalize.document import Change, Edit, Note, Result
from normalize.edits import apply_edits, select_non_overlapping
from normalize.edits_file import document_jsonl
from normalize.registry import action_class
from normalize.repair_stats import repair_stats
from normalize.rules import DEFAULT_RULES_DIR, RulesError, RuleSet, load_rules, select_rules

MAX_SWEEPS = 3  # runs of the whole sequence of passes over one document, at most
# The time each pass may spend on one document (all its rounds and sweeps):
# ordinary text takes a few hundredths of a second per megabyte, so only a
# runaway (a shape nobody foresaw, a rule that backtracks) ever runs out; then
# the text is left as the pass found it, with a warning, and the run goes on.
PASS_SECONDS = 10.0
PASS_SECONDS_PER_MILLION_CHARS = 5.0
# A pass may not make a document longer than this many times its length (plus
# GROWTH_SLACK characters): a rule that inserts text everywhere, or that keeps
# re-applying to its own output (x -> xxxxxxxxxx), is stopped at once.
MAX_GROWTH = 2
GROWTH_SLACK = 100


@dataclass(slots=True)
class Pass:
    """A rule file bound to its action, ready to run."""

    ruleset: RuleSet
    action: Action
    priority: dict[str, int]  # rule id -> position in the file (earlier wins)
    messages: dict[str, str]  # rule id -> the rule's message

    @property
    def name(self) -> str:
        return self.ruleset.pass_name


def build_passes(rulesets: list[RuleSet], rules_dir: Path) -> list[Pass]:
    """Instantiate the action of every enabled pass; report unusable rules."""
    resources = Resources(rulesets, rules_dir)
    passes: list[Pass] = []
    problems: list[str] = []
    for ruleset in rulesets:
        if not ruleset.enabled:
            continue
        try:
            action = action_class(ruleset.action)(ruleset, resources)
        except RuleProblem as problem:
            problems.append(str(problem))
            continue
        rules = ruleset.enabled_rules()
        passes.append(
            Pass(
                ruleset=ruleset,
                action=action,
                priority={rule.id: i for i, rule in enumerate(rules)},
                messages={rule.id: rule.message for rule in rules},
            )
        )
    if problems:
        raise RulesError(problems)
    resources.scan_database().compile()  # once all passes added their patterns
    return passes


def is_missing(value: object) -> bool:
    """None, NaN (Python's or NumPy's) and pandas' NA: a row that has no text.

    pandas is not imported for this: if it is not loaded, no value is its NA.
    """
    if value is None:
        return True
    if isinstance(value, float):  # NumPy's float64 is a float too
        return value != value
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def check_text(value: object, row: int, field: str | None = None) -> object:
    """`value` if it is a string or missing (see is_missing); TypeError otherwise.

    A number or a list has no normalised form; passing it on silently would
    hide a wrong column.
    """
    if isinstance(value, str) or is_missing(value):
        return value
    where = f"column {field!r}, row {row}" if field is not None else f"item {row}"
    raise TypeError(
        f"{where} is {type(value).__name__} ({value!r:.40}), not text; "
        "only strings are normalised (None and NaN pass through)"
    )


def _load_normalizer(rules_dir: str, selection: dict[str, list[str]]) -> Normalizer:
    """How a pickled Normalizer is rebuilt: its rules loaded again, with its selection."""
    return Normalizer.from_rules(rules_dir, **selection)


def describe_internal_error(error: Exception) -> str:
    """How a document that made a pass crash is reported (the run goes on)."""
    return f"internal error ({type(error).__name__}: {error})"


class Normalizer:
    """The whole pipeline: load a rules folder once, then normalise many documents.

    Pickling sends only the rules folder; the receiving process loads it again,
    so a Normalizer can be handed to process pools and distributed engines.
    """

    def __init__(
        self,
        passes: list[Pass],
        rules_dir: Path,
        selection: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.passes = passes
        self.rules_dir = rules_dir
        # from_rules' skip, only and disable, which a pickled copy applies again
        self.selection = dict(selection or {})
        self.counters: Counter[str] = Counter()  # "pass/RULE_ID" -> edits made so far
        self._seconds = [0.0] * len(passes)  # time each pass took so far

    @property
    def pass_names(self) -> list[str]:
        return [pass_.name for pass_ in self.passes]

    @property
    def seconds_by_pass(self) -> dict[str, float]:
        """Seconds each pass has taken so far, by pass name."""
        return {p.name: seconds for p, seconds in zip(self.passes, self._seconds, strict=True)}

    @classmethod
    def from_rules(
        cls,
        rules_dir: Path | str | None = None,
        *,
        skip: Iterable[str] = (),
        only: Iterable[str] = (),
        disable: Iterable[str] = (),
    ) -> Normalizer:
        """The passes of `rules_dir` (default: the package's own rules).

        `skip` passes, keep `only` the passes named, or `disable` rules by id,
        as `enabled: false` in the rule files would; a name the rules do not
        have raises SelectionError (a ValueError) listing the known ones.
        """
        directory = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
        selection = {"skip": list(skip), "only": list(only), "disable": list(disable)}
        rulesets = select_rules(load_rules(directory), **selection)
        selection = {key: names for key, names in selection.items() if names}
        return cls(build_passes(rulesets, directory), directory.resolve(), selection)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_load_normalizer, (str(self.rules_dir), self.selection))

    def preload(self) -> None:
        """Build every table the passes would build on first use (before forking workers)."""
        for pass_ in self.passes:
            pass_.action.preload()

    def normalize(self, text: str, *, as_file: bool = False) -> str:
        """The normalised text."""
        return self.normalize_and_explain(text, as_file=as_file).text

    def normalize_batch(self, texts: Iterable[Any], *, as_file: bool = False) -> list[Any]:
        """Each text normalised, in order: `df["text"] = normalizer.normalize_batch(df["text"])`.

        A missing value (None, NaN, pandas' NA) is a row without text: it comes
        back as it was. Anything else that is not a string raises TypeError.
        """
        return [
            text if is_missing(check_text(text, row)) else self.normalize(text, as_file=as_file)
            for row, text in enumerate(texts)
        ]

    def map_batch(
        self,
        batch: Mapping[str, Sequence[Any]],
        field: str = "text",
        *,
        edits_field: str | None = None,
        errors_field: str | None = None,
        stats_field: str | None = None,
    ) -> dict[str, list[Any]]:
        """A batch of columns with `field` normalised, the other columns kept.

        The shape `datasets.Dataset.map(..., batched=True)` and Ray Data's
        `map_batches` (batch_format="pandas" or "numpy" as dicts) pass around.
        A row whose `field` is missing (None, NaN, pandas' NA) keeps it as it
        was; one that holds anything else but a string raises TypeError.

        With `edits_field`, that column holds each row's edits and notes as a
        JSON Lines string ("" when nothing changed), which `restore_text` undoes.
        With `errors_field`, a row that makes a pass crash keeps its text and
        that column says why ("" for the others); without it, the error is raised.
        With `stats_field`, that column holds each row's repair statistics
        (`repair_stats`: edits and notes per pass, edits per 1,000 characters;
        None for a row without text).
        """
        columns = {name: list(values) for name, values in batch.items()}
        texts: list[Any] = []
        explained: list[str] = []
        errors: list[str] = []
        stats: list[dict[str, Any] | None] = []
        for row, text in enumerate(columns[field]):
            problem = ""
            result = Result(text=text)  # a row without text comes back as it was
            if not is_missing(check_text(text, row, field)):
                try:
                    result = self.normalize_and_explain(text)
                except Exception as error:
                    if errors_field is None:
                        raise
                    problem = describe_internal_error(error)
            done = isinstance(text, str) and not problem
            texts.append(result.text)
            errors.append(problem)
            explained.append(document_jsonl(text, result) if result.edits or result.notes else "")
            stats.append(repair_stats(len(text), result, self.pass_names) if done else None)
        columns[field] = texts
        for name, values in (
            (edits_field, explained),
            (errors_field, errors),
            (stats_field, stats),
        ):
            if name is not None:
                columns[name] = values
        return columns

    def normalize_and_explain(
        self, text: str, *, as_file: bool = False, only: str | None = None
    ) -> Result:
        """The normalised text with its edits and notes.

        `as_file` marks a whole file (it gets a final newline); `only` runs a
        single pass by name, as the rule examples do.
        """
        result = Result(text=text)
        doc = DocContext(is_file=as_file)
        seconds = self._seconds
        clock = time.perf_counter
        # A later pass can leave text that an earlier one would change ("Share
        # this. Stated." loses the orphan "Stated." and is a share prompt), and a
        # second run over the output would change it then. So passes run again,
        # in order, until each has seen the text as it is (for most documents
        # after one sweep): `seen` holds the number of edits there were when
        # each pass last looked.
        todo = [i for i, pass_ in enumerate(self.passes) if only is None or pass_.name == only]
        seen = dict.fromkeys(todo, -1)
        for _sweep in range(MAX_SWEEPS):
            for index in todo:
                if seen[index] != len(result.edits):
                    started = clock()
                    self._run_pass(self.passes[index], result, doc)
                    seconds[index] += clock() - started
                    seen[index] = len(result.edits)
            if all(count == len(result.edits) for count in seen.values()):
                break
        else:
            result.warnings.append(
                f"the passes were still changing each other's output after {MAX_SWEEPS} "
                "sweeps; a second run may change it again"
            )
        if result.edits:
            self.counters.update(f"{e.pass_name}/{e.rule}" for e in result.edits)
        return result

    def _run_pass(self, pass_: Pass, result: Result, doc: DocContext) -> None:
        """Run one pass within its time and growth bounds; past them, the text,
        edits and notes are left as the pass found them, with a warning."""
        spent = doc.meta.setdefault(("pass-seconds", pass_.name), [0.0, False])
        if spent[1]:
            return  # stopped on this document already: its warning was given
        allowance = pass_allowance(len(result.text))
        text, edit_count, notes = result.text, len(result.edits), list(result.notes)
        started = time.perf_counter()
        doc.deadline = started + allowance - spent[0]
        try:
            self._rounds(pass_, result, doc)
            doc.check_time()  # a pass with no loop of its own to check in
        except (OutOfTime, TooLong) as stopped:
            result.text, result.notes = text, notes
            del result.edits[edit_count:]
            result.warnings.extend(doc.warnings)
            doc.warnings.clear()
            result.warnings.append(_stopped_warning(pass_.name, stopped, allowance, len(text)))
            spent[1] = True
        finally:
            doc.deadline = math.inf
            spent[0] += time.perf_counter() - started

    def _rounds(self, pass_: Pass, result: Result, doc: DocContext) -> None:
        # A pass re-runs on its own output (up to `rounds` times) so that changes
        # that overlapped a higher-priority one, or that only appear after it, are
        # made too; this is what keeps a second run over the output a no-op.
        # Notes are taken from the round that settles, so they are not repeated.
        if result.notes:  # those of an earlier sweep of this pass give way to the new ones
            result.notes = [note for note in result.notes if note.pass_name != pass_.name]
        longest = MAX_GROWTH * len(result.text) + GROWTH_SLACK
        proposed = pass_.action.propose(result.text, doc)
        if not proposed and not doc.warnings:
            return  # the common case: nothing to do here
        for _round in range(pass_.ruleset.rounds):
            changes = _real_changes(proposed, result.text, pass_.action.moves_accents)
            if not changes:
                break
            step = _next_step(result)
            kept = select_non_overlapping(changes, pass_.priority)
            length = len(result.text) + sum(len(c.after) - (c.end - c.start) for c in kept)
            if length > longest:
                raise TooLong(length)
            doc.check_time()
            edits = [_to_edit(pass_, c, result.text, step) for c in kept]
            result.text = apply_edits(result.text, edits)
            result.edits.extend(edits)
            proposed = pass_.action.propose(result.text, doc)
        else:
            if _real_changes(proposed, result.text, pass_.action.moves_accents):
                result.warnings.append(
                    f"pass {pass_.name} was still changing the text after "
                    f"{pass_.ruleset.rounds} rounds; a second run may change it again"
                )
        step = _next_step(result)
        result.notes.extend(_to_note(pass_, c, result.text, step) for c in proposed if c.note)
        result.warnings.extend(doc.warnings)
        doc.warnings.clear()


class TooLong(Exception):
    """A pass would make the document longer than MAX_GROWTH allows."""

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length


def pass_allowance(length: int) -> float:
    """The seconds a pass may spend on a document of `length` characters."""
    return PASS_SECONDS + PASS_SECONDS_PER_MILLION_CHARS * length / 1_000_000


def _stopped_warning(name: str, stopped: Exception, allowance: float, length: int) -> str:
    if isinstance(stopped, TooLong):
        return (
            f"pass {name} would have made this document {stopped.length:,} characters long, "
            f"from {length:,} (more than {MAX_GROWTH} times as long); its edits were dropped "
            "for it"
        )
    return (
        f"pass {name} took more than {allowance:.1f}s on this document and was stopped; "
        "the text is as the pass found it"
    )


def _real_changes(proposed: list[Change], text: str, moves_accents: bool) -> list[Change]:
    """The proposals that change something (notes and no-op changes dropped) and,
    unless the action `moves_accents`, leave every combining mark on the
    character it was written on."""
    return [
        c
        for c in proposed
        if not c.note
        and text[c.start : c.end] != c.after
        and (moves_accents or not _mark_at(text, c.end))
    ]


def _mark_at(text: str, position: int) -> bool:
    """Whether a combining mark (an accent written as a character of its own)
    stands at `position`: a change that ends there would put it on another
    letter ("Blinkeń" + U+0301 made into "Blinken" + U+0301, which is "Blinkeń")."""
    return position < len(text) and unicodedata.category(text[position]).startswith("M")


def _next_step(result: Result) -> int:
    return result.edits[-1].step + 1 if result.edits else 0


def _to_edit(pass_: Pass, change: Change, text: str, step: int) -> Edit:
    return Edit(
        pass_name=pass_.name,
        rule=change.rule,
        start=change.start,
        end=change.end,
        before=text[change.start : change.end],
        after=change.after,
        message=change.message or pass_.messages.get(change.rule, ""),
        step=step,
    )


def _to_note(pass_: Pass, change: Change, text: str, step: int) -> Note:
    return Note(
        pass_name=pass_.name,
        rule=change.rule,
        start=change.start,
        end=change.end,
        text=text[change.start : change.end],
        message=change.message or pass_.messages.get(change.rule, ""),
        step=step,
    )
