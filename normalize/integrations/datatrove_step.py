"""A datatrove pipeline step that normalises the text of each document.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from normalize.integrations.datatrove_step import NormalizeStep

    LocalPipelineExecutor(
        [JsonlReader("in/"), NormalizeStep(), JsonlWriter("out/")], tasks=4, workers=2
    ).run()

The step holds only its settings until it runs: executors pickle it (with dill
for Slurm and the local pool, with cloudpickle for Ray) and each task loads the
rules once, in the process that runs it.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from normalize.document import Result
from normalize.edits_file import document_jsonl
from normalize.integrations.common import resolve_rules_dir
from normalize.pipeline import Normalizer, describe_internal_error
from normalize.repair_stats import repair_stats, too_damaged

EDITS_KEY = "normalize_edits"  # metadata: the document's edits and notes, JSON Lines
ERROR_KEY = "normalize_error"  # metadata: why the document was left as it was
STATS_KEY = "normalize_stats"  # metadata: the document's repairs per pass and per rule


class NormalizeStep(PipelineStep):
    """Normalise `document.text` of every document; id, media and metadata are kept.

    Args:
        rules_dir: the rules folder (default: the package's own). It is
            read by each task, so on a cluster it must be at this path on every node.
        keep_edits: also store the edits and notes as a JSON Lines string in
            `document.metadata["normalize_edits"]` (empty when nothing changed),
            for `normalize.restore_text` or a review.
        keep_stats: also store the document's repair statistics in
            `document.metadata["normalize_stats"]` (`normalize.repair_stats`,
            per pass and per rule), which `DropDamaged` filters on.

    Stats: `changed` (documents with at least one edit), `edits_<pass>` per
    document for every pass, `rule_<RULE_ID>` for every rule that made an edit
    (its mean is per document it edited), `notes`, `warnings`, `errors` and
    `no_text` (documents whose text is None or NaN, passed on as they are). A document that
    makes a pass crash is passed on unchanged with `metadata["normalize_error"]`
    and logged, so one odd document does not fail its task (and every retry).
    To normalise another input field, name it as the reader's `text_key`.
    """

    name = "🧹 Normalize"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        rules_dir: Path | str | None = None,
        *,
        keep_edits: bool = False,
        keep_stats: bool = False,
    ) -> None:
        super().__init__()
        self.rules_dir = resolve_rules_dir(rules_dir)
        self.keep_edits = keep_edits
        self.keep_stats = keep_stats
        self._normalizer: Normalizer | None = None

    def __getstate__(self) -> dict[str, Any]:
        # A loaded Normalizer would pickle as "load the rules again" (its
        # __reduce__); dropping it keeps the step cheap to ship and each task
        # loads the rules once, lazily, wherever it runs.
        state = self.__dict__.copy()
        state["_normalizer"] = None
        return state

    def load_normalizer(self) -> Normalizer:
        """The Normalizer of this process, loaded on first use."""
        if self._normalizer is None:
            self._normalizer = Normalizer.from_rules(self.rules_dir)
        return self._normalizer

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        # Loaded before the first document so that broken rules fail the task
        # at once instead of marking every document as an error.
        normalizer = self.load_normalizer()
        pass_names = normalizer.pass_names
        for document in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                self.normalize_document(normalizer, document, pass_names)
            yield document

    def normalize_document(
        self, normalizer: Normalizer, document: Document, pass_names: list[str]
    ) -> None:
        """Replace the document's text by its normalised form and count the edits."""
        if not isinstance(document.text, str):  # None or NaN: nothing to normalise
            self.stat_update("no_text")
            return
        try:
            result = normalizer.normalize_and_explain(document.text)
        except Exception as error:
            self.stat_update("errors")
            document.metadata[ERROR_KEY] = describe_internal_error(error)
            logger.warning(f"normalize: document {document.id}: {document.metadata[ERROR_KEY]}")
            return
        raw, document.text = document.text, result.text
        if self.keep_edits:
            changed = result.edits or result.notes
            document.metadata[EDITS_KEY] = document_jsonl(raw, result) if changed else ""
        if self.keep_stats:
            stats = repair_stats(len(raw), result, pass_names, by_rule=True)
            document.metadata[STATS_KEY] = stats
        self.count_result(result, pass_names, document.id)

    def count_result(self, result: Result, pass_names: list[str], doc_id: str) -> None:
        """Update the stats; every pass is counted for every document, so the
        stats' means are edits per document."""
        if result.edits:
            self.stat_update("changed")
        by_pass = result.edits_by_pass()
        for pass_name in pass_names:
            self.stat_update(f"edits_{pass_name}", value=by_pass.get(pass_name, 0))
        for rule, count in result.edits_by_rule().items():
            self.stat_update(f"rule_{rule}", value=count)
        if result.notes:
            self.stat_update("notes", value=len(result.notes))
        for warning in result.warnings:
            self.stat_update("warnings")
            logger.warning(f"normalize: document {doc_id}: {warning}")


class DropDamaged(BaseFilter):
    """Drop the documents that needed too many repairs: more than
    `max_edits_per_1000_chars` edits per 1,000 characters of their raw text,
    counted over `passes` only when given (e.g. without "layout").

    Runs after `NormalizeStep(keep_stats=True)`, whose statistics it reads; a
    document without them (no text, or a pass crashed on it) is kept. Dropped
    documents are counted as `dropped_too_damaged` and go to `exclusion_writer`
    if one is given.
    """

    name = "🩹 Drop damaged"

    def __init__(
        self,
        max_edits_per_1000_chars: float,
        passes: Collection[str] | None = None,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer)
        self.max_edits_per_1000_chars = max_edits_per_1000_chars
        self.passes = None if passes is None else frozenset(passes)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if STATS_KEY not in doc.metadata and ERROR_KEY not in doc.metadata and doc.text:
            raise ValueError(
                f"document {doc.id} has no {STATS_KEY!r}: run NormalizeStep(keep_stats=True) first"
            )
        stats = doc.metadata.get(STATS_KEY)
        if too_damaged(stats, self.max_edits_per_1000_chars, self.passes):
            return False, "too_damaged"
        return True
