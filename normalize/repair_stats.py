"""A document's damage score: how much the passes had to repair, per pass and per rule.

Machine-translated corpora are filtered as much as they are repaired: a document
that needed many repairs per thousand characters is likely worse than its
repairs can fix. `repair_stats` gives each document a small record:

    {"chars": 5120, "edits": 7, "notes": 1, "edits_per_1000_chars": 1.37,
     "passes": {"encoding": {"edits": 0, "notes": 0}, "layout": {"edits": 4, "notes": 0},
                ..., "sentences": {"edits": 3, "notes": 1}}}

(with `by_rule`, also "rules": {"TRAILING_WHITESPACE": {"edits": 4, "notes": 0}, ...}),
and `too_damaged` says whether it is above a threshold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from normalize.document import Result


def repair_stats(
    raw_chars: int, result: Result, pass_names: Sequence[str] = (), *, by_rule: bool = False
) -> dict[str, Any]:
    """The repairs of one document whose raw text had `raw_chars` characters.

    Every pass of `pass_names` is listed, repairs or not, so that the records
    of one run all have the same shape (a column type for Arrow and pandas).
    """
    passes: dict[str, dict[str, int]] = {name: {"edits": 0, "notes": 0} for name in pass_names}
    rules: dict[str, dict[str, int]] = {}
    for kind, records in (("edits", result.edits), ("notes", result.notes)):
        for record in records:
            _count(passes, record.pass_name, kind)
            if by_rule:
                _count(rules, record.rule, kind)
    stats: dict[str, Any] = {
        "chars": raw_chars,
        "edits": len(result.edits),
        "notes": len(result.notes),
        "edits_per_1000_chars": edits_per_1000_chars(len(result.edits), raw_chars),
        "passes": passes,
    }
    if by_rule:
        stats["rules"] = rules
    return stats


def _count(table: dict[str, dict[str, int]], name: str, kind: str) -> None:
    counts = table.setdefault(name, {"edits": 0, "notes": 0})
    counts[kind] += 1


def edits_per_1000_chars(edits: int, chars: int) -> float:
    return round(1000 * edits / chars, 2) if chars else 0.0


def too_damaged(
    stats: Mapping[str, Any] | None,
    max_edits_per_1000_chars: float,
    passes: Collection[str] | None = None,
) -> bool:
    """Whether a document's repairs are above the threshold; counted over `passes`
    only when given (say, without the layout pass's whitespace repairs). A
    document without stats (no text) is not judged."""
    if not stats:
        return False
    if passes is None:
        edits = int(stats["edits"])
    else:
        edits = sum(
            int(counts["edits"]) for name, counts in stats["passes"].items() if name in passes
        )
    return edits_per_1000_chars(edits, int(stats["chars"])) > max_edits_per_1000_chars
