"""Actions: the Python mechanisms that rule files configure.

An action reads its pass's rules once (compiling patterns, building tables) and
then, for each document, proposes Changes against the current text. It never
rewrites text itself: the pipeline chooses non-overlapping changes, applies them
with `apply_edits` and records them, so every action is explainable and
reversible by construction.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from normalize.document import Change
from normalize.lexicon import Lexicon, load_lexicon
from normalize.pattern_scan import ScanDatabase
from normalize.rules import Rule, RulesError, RuleSet
from normalize.schema import Field

# Word files that widen the shared English vocabulary, relative to the rules folder.
WORDS_DIR = Path("data") / "words"

T = TypeVar("T")


class RuleProblem(Exception):
    """A rule whose content the action cannot use (a broken regex, say)."""

    def __init__(self, rule: Rule, problem: str) -> None:
        super().__init__(f"{rule.where()}: {problem}")
        self.rule = rule


class OutOfTime(Exception):
    """The running pass has used up its time on this document (see DocContext)."""


@dataclass(slots=True)
class DocContext:
    """What passes know about the document besides its text.

    `is_file` is true for whole files (the CLI's inputs and stdin), false for
    strings such as a JSON field; only files get a final newline. `meta` lets a
    pass leave facts for later passes of the same document; `warnings` collects
    what a pass could not do (a rule that timed out, say) for the run's report.
    `deadline` is when the running pass must stop (a `time.perf_counter()`
    value, set by the pipeline): long loops call `check_time`, and the pipeline
    then leaves the text as the pass found it.
    """

    is_file: bool = False
    meta: dict[Hashable, Any] = field(default_factory=dict)  # keys such as (kind, pass name)
    warnings: list[str] = field(default_factory=list)
    deadline: float = math.inf

    def check_time(self) -> None:
        """Raise OutOfTime if the running pass is past its deadline (about 60 ns)."""
        if time.perf_counter() > self.deadline:
            raise OutOfTime

    def seconds_left(self) -> float:
        """Until the deadline: what a search of the running pass may take at most."""
        return self.deadline - time.perf_counter()


class Resources:
    """Everything loaded once per process and shared by the passes.

    Gives an action the other passes' rule sets (the glued-words pass reads the
    names gazetteer, for instance) and a cache for expensive shared tables.
    """

    def __init__(self, rulesets: list[RuleSet], rules_dir: Path) -> None:
        self.rulesets = {ruleset.pass_name: ruleset for ruleset in rulesets}
        self.rules_dir = rules_dir
        self._cache: dict[str, Any] = {}

    def shared(self, key: str, build: Callable[[], T]) -> T:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]  # type: ignore[no-any-return]

    def scan_database(self) -> ScanDatabase:
        """The one Hyperscan database of every pass's patterns (see normalize.pattern_scan)."""
        return self.shared("scan_database", ScanDatabase)

    def lexicon(self) -> Lexicon:
        """symspellpy's English words plus every `data/words/*.txt` of the rules folder."""
        return self.shared("lexicon", self._load_lexicon)

    def _load_lexicon(self) -> Lexicon:
        try:
            return load_lexicon(sorted((self.rules_dir / WORDS_DIR).glob("*.txt")))
        except ValueError as error:  # a word file that cannot be read or parsed
            raise RulesError([str(error)]) from error


class Action:
    """Base class of all actions; subclasses declare their keys and propose changes."""

    rule_fields: ClassVar[dict[str, Field]] = {}
    option_fields: ClassVar[dict[str, Field]] = {}
    # Whether a change may end before a combining accent, and so put it on another
    # character: only repairs of the characters themselves (encoding) should.
    moves_accents: ClassVar[bool] = False

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        self.ruleset = ruleset
        self.resources = resources
        self.options = ruleset.options
        self.rules = ruleset.enabled_rules()

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        """Changes this pass would make to `text`, possibly overlapping."""
        raise NotImplementedError

    def preload(self) -> None:
        """Build now what `propose` builds when a text first needs it.

        Called before worker processes fork, so that they share the tables
        instead of each building its own; a single process never needs to.
        """
