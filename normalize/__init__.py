"""Repair machine-translated and scraped English news text with ordered rule passes.

    >>> from normalize import Normalizer
    >>> normalizer = Normalizer.from_rules()          # the rules that come with the package
    >>> normalizer.normalize("Leave a Reply\\nHello.\\n", as_file=True)
    'Hello.\\n'

`normalize_text` and `normalize_and_explain` use a default Normalizer, loaded
once per process.
"""

from __future__ import annotations

from functools import cache

from normalize.document import Edit, Note, Result
from normalize.edits import apply_edits, restore
from normalize.edits_file import EditsFileError, restore_text
from normalize.pipeline import Normalizer
from normalize.repair_stats import repair_stats, too_damaged
from normalize.rules import RulesError

__all__ = [
    "Edit",
    "EditsFileError",
    "Normalizer",
    "Note",
    "Result",
    "RulesError",
    "apply_edits",
    "normalize_and_explain",
    "normalize_text",
    "repair_stats",
    "restore",
    "restore_text",
    "too_damaged",
]


@cache
def _default_normalizer() -> Normalizer:
    return Normalizer.from_rules()


def normalize_text(text: str, *, as_file: bool = False) -> str:
    """`text` normalised with the package's own rules."""
    return _default_normalizer().normalize(text, as_file=as_file)


def normalize_and_explain(text: str, *, as_file: bool = False) -> Result:
    """`text` normalised with the package's own rules, with its edits and notes."""
    return _default_normalizer().normalize_and_explain(text, as_file=as_file)
