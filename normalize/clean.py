"""A cleaning run: documents in, normalised documents (and their edits) out.

Text files and JSON Lines streams are read one document at a time and handed
to a DocumentPool (one process, or several), whose results come back in input
order; this module writes them, atomically where they go to files, and keeps
the run's report: per-document lines, a progress bar, failures and the final
summary. Nothing here holds more than a few chunks of documents in memory.
"""

from __future__ import annotations

import codecs
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from normalize.document import Edit, Note, Result
from normalize.edits import dumps_json_line, records_as_jsonl, write_records
from normalize.parallel import DocumentPool, Failure, Task, normalize_task
from normalize.pipeline import Normalizer
from normalize.textio import (
    AtomicFiles,
    InputError,
    decode_bytes,
    encode_text,
    read_text_file,
    safe_output_path,
)

PROG = "normalize"


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line asked of a cleaning run."""

    output: Path | None  # a folder, or None for stdout
    explain: IO[str] | None  # every edit and note of the run, as JSON Lines
    edits: bool  # NAME.edits.jsonl beside each output
    field: str  # the field of a JSON Lines object to normalise
    quiet: bool
    targets: Mapping[Path, Path]  # each input's output under `output`

    def doc_name(self, path: Path) -> str:
        """How records name the document of `path`: its path under the output
        folder (unique in the run, `sub/a.txt`), or its file name."""
        target = self.targets.get(path)
        if self.output is None or target is None:
            return path.name
        return target.relative_to(self.output).as_posix()

    def target_for(self, path: Path | None) -> Path | None:
        """Where the output of `path` goes (None: stdout). InputError if a link
        in the output folder would take it outside."""
        if self.output is None or path is None:
            return None
        return safe_output_path(self.output, self.targets[path].relative_to(self.output).as_posix())


@dataclass
class RunReport:
    """What a run did: per-document lines, failures, progress and the summary."""

    documents: int = 0
    failures: int = 0
    bytes_in: int = 0
    edits_by_pass: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)
    bar: Any = None  # a tqdm progress bar while one is shown

    def add(self, by_pass: Mapping[str, int], size: int, documents: int = 1) -> None:
        """Documents done (of `size` bytes), with their edits per pass."""
        self.documents += documents
        self.edits_by_pass.update(by_pass)
        self.advance(size)

    def advance(self, size: int) -> None:
        self.bytes_in += size
        if self.bar is not None:
            self.bar.update(size)

    def say(self, message: str) -> None:
        """A line on stderr that does not tear the progress bar."""
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def fail(self, where: object, problem: str) -> None:
        """Report one input (or line) that could not be processed; the run goes on."""
        self.say(f"{PROG}: {where}: {problem}")
        self.failures += 1

    def show_progress(self, total_bytes: int | None) -> None:
        from tqdm import tqdm  # imported only when a bar is shown

        # No monitor thread: worker processes are forked later, and a fork
        # copies a process with threads badly.
        tqdm.monitor_interval = 0
        self.bar = tqdm(
            total=total_bytes,
            unit="B",
            unit_scale=True,
            unit_divisor=1000,
            desc=PROG,
            file=sys.stderr,
            dynamic_ncols=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self) -> str:
        seconds = time.perf_counter() - self.started
        megabytes = self.bytes_in / 1e6
        rate = megabytes / seconds if seconds > 0 else 0.0
        extra = (
            f"{self.documents} documents, {megabytes:.2f} MB in {seconds:.2f} s ({rate:.2f} MB/s)"
        )
        return summary_line("total", self.edits_by_pass, extra)


def summary_line(name: str, by_pass: Counter[str], extra: str = "") -> str:
    total = sum(by_pass.values())
    parts = ", ".join(f"{name_} {count}" for name_, count in by_pass.items() if count)
    head = f"{name}: {extra + ', ' if extra else ''}{total} edit{'s' if total != 1 else ''}"
    return f"{head} ({parts})" if parts else head


def edits_path(output: Path) -> Path:
    """Where the edits of `output` go: NAME.edits.jsonl beside it."""
    return output.with_name(output.stem + ".edits.jsonl")


# --- text files -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextJob:
    """Where a text document came from and where it goes."""

    path: Path | None  # None: stdin
    target: Path | None  # None: stdout
    size: int

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "<stdin>"


def clean_texts(
    pool: DocumentPool[Any, Any, Any], inputs: list[Path], options: Options, report: RunReport
) -> None:
    """Normalise text files (or stdin when `inputs` is empty), in order."""
    for job, outcome in pool.map(normalize_task, _read_texts(inputs, options, report)):
        if isinstance(outcome, Failure):
            report.fail(job.path or job.name, outcome.problem)
            report.advance(job.size)
            continue
        report.add(outcome.edits_by_pass(), job.size)
        _write_text(job, outcome, options, report)


def _read_texts(
    inputs: list[Path], options: Options, report: RunReport
) -> Iterator[tuple[TextJob, Task]]:
    paths: Sequence[Path | None] = inputs or [None]  # None: stdin
    for path in paths:
        try:
            target = options.target_for(path)
            decoded = (
                read_text_file(path) if path is not None else decode_bytes(sys.stdin.buffer.read())
            )
        except InputError as error:
            report.fail(path, str(error))
            report.advance(file_size(path))
            continue
        job = TextJob(path, target, file_size(path))
        if decoded.note:
            report.say(f"{PROG}: {job.name}: {decoded.note}")
        yield job, Task(decoded.text, as_file=True)


def _write_text(job: TextJob, result: Result, options: Options, report: RunReport) -> None:
    for warning in result.warnings:
        report.say(f"{PROG}: {job.name}: {warning}")
    doc_id = options.doc_name(job.path) if job.path is not None else None
    records: list[Edit | Note] = [*result.edits, *result.notes]
    if options.explain is not None:
        write_records(options.explain, records, doc_id)
    if job.target is None:
        sys.stdout.buffer.write(encode_text(result.text))
        sys.stdout.buffer.flush()
        return
    try:
        with AtomicFiles() as files:  # the text and its edits appear together
            files.open(job.target).write(encode_text(result.text))
            if options.edits:
                write_records(files.open(edits_path(job.target), text=True), records, doc_id)
    except OSError as error:
        report.fail(job.target, f"cannot write: {error.strerror or error}")
        return
    if not options.quiet:
        report.say(summary_line(job.name, result.edits_by_pass()))


def file_size(path: Path | None) -> int:
    """Bytes in `path` (0 for stdin or a file that cannot be read)."""
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


# --- JSON Lines ---------------------------------------------------------------


# Whole lines go to a worker in blocks of about this size: the parent's only
# work per block is two reads and a count of newlines, so with several workers
# it takes next to nothing from their cores.
JSON_BLOCK_BYTES = 256_000


@dataclass(frozen=True, slots=True)
class JsonBlock:
    """Whole lines of a JSON Lines stream, as read: a worker splits, parses and writes them."""

    data: bytes
    first_line: int  # the line number of its first line
    field: str
    with_records: bool  # whether the run wants the edits and notes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class JsonBlockOutcome:
    """A block done: the lines to write, and what the report needs to know."""

    output: bytes
    records: str  # the edits and notes, as JSON Lines tagged with each document's id
    by_pass: dict[str, int]
    documents: int
    problems: tuple[tuple[int, str], ...]  # (line number, why the line was left out)
    warnings: tuple[tuple[int, str], ...]


def clean_json_block(normalizer: Normalizer, block: JsonBlock) -> JsonBlockOutcome:
    """Parse each JSON line, normalise its field, write it again (in a worker).

    All the per-line work is here, so that with several workers the parent
    only reads and writes bytes.
    """
    output: list[str] = []
    records: list[str] = []
    by_pass: Counter[str] = Counter()
    problems: list[tuple[int, str]] = []
    warnings: list[tuple[int, str]] = []
    for number, raw in enumerate(block.data.split(b"\n"), start=block.first_line):
        if not raw.strip():
            continue
        record, problem = parse_json_line(raw, block.field)
        if problem is not None:
            problems.append((number, f"{problem}; line skipped"))
            continue
        outcome = normalize_task(normalizer, Task(record[block.field], as_file=False))
        if isinstance(outcome, Failure):
            problems.append((number, outcome.problem))
            continue
        record[block.field] = outcome.text
        output.append(dumps_json_line(record))
        if block.with_records:
            doc_id = str(record.get("id", number))
            records.append(records_as_jsonl([*outcome.edits, *outcome.notes], doc_id))
        by_pass.update(outcome.edits_by_pass())
        warnings.extend((number, warning) for warning in outcome.warnings)
    return JsonBlockOutcome(
        "".join(output).encode("utf-8"),
        "".join(records),
        dict(by_pass),
        len(output),
        tuple(problems),
        tuple(warnings),
    )


def clean_jsonl(
    pool: DocumentPool[Any, Any, Any], path: Path | None, options: Options, report: RunReport
) -> None:
    """Normalise one field of every object of a JSON Lines file (or stdin), keeping the rest."""
    name = str(path) if path is not None else "<stdin>"
    try:
        target = options.target_for(path)
        source = path.open("rb") if path is not None else sys.stdin.buffer
    except (InputError, OSError) as error:
        report.fail(path, _reason(error))
        report.advance(file_size(path))
        return
    by_pass = Counter[str]()
    with_records = options.explain is not None or options.edits
    try:
        with ExitStack() as stack:
            if path is not None:
                stack.enter_context(source)
            out, edits_out = _open_jsonl_outputs(stack, target, options.edits)
            blocks = read_jsonl_blocks(source, options.field, with_records)
            for size, done in pool.map(clean_json_block, ((b.size, b) for b in blocks)):
                for number, problem in done.problems:
                    report.fail(f"{name}:{number}", problem)
                for number, warning in done.warnings:
                    report.say(f"{PROG}: {name}:{number}: {warning}")
                out.write(done.output)
                if options.explain is not None:
                    options.explain.write(done.records)
                if edits_out is not None:
                    edits_out.write(done.records)
                report.add(done.by_pass, size, documents=done.documents)
                by_pass.update(done.by_pass)
    except InputError as error:
        report.fail(name, str(error))
        return
    except BrokenPipeError:
        raise  # the reader of stdout went away: the run ends (normalize.cli)
    except OSError as error:
        report.fail(target or name, f"cannot read or write: {error.strerror or error}")
        return
    if target is not None and not options.quiet:
        report.say(summary_line(Path(name).name, by_pass))


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _open_jsonl_outputs(
    stack: ExitStack, target: Path | None, with_edits: bool
) -> tuple[IO[bytes], IO[str] | None]:
    """The output stream (stdout, or a file renamed into place when complete) and
    the edits stream next to it."""
    if target is None:
        return sys.stdout.buffer, None
    files = stack.enter_context(AtomicFiles())
    return files.open(target), files.open(edits_path(target), text=True) if with_edits else None


def read_jsonl_blocks(
    source: IO[bytes], field_name: str, with_records: bool
) -> Iterator[JsonBlock]:
    """The stream in blocks of whole lines, about JSON_BLOCK_BYTES each (a longer
    line makes a block of its own)."""
    number = 1
    data = _strip_utf8_bom(source.read(JSON_BLOCK_BYTES))
    while data:
        if not data.endswith(b"\n"):
            data += source.readline()  # the rest of the last line
        yield JsonBlock(data, number, field_name, with_records)
        number += data.count(b"\n")
        data = source.read(JSON_BLOCK_BYTES)


def read_jsonl_lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for each non-empty line."""
    for number, raw in enumerate(source, start=1):
        if number == 1:
            raw = _strip_utf8_bom(raw)
        if raw.strip():
            yield number, raw


def _strip_utf8_bom(start: bytes) -> bytes:
    """The start of a JSON Lines stream without its UTF-8 byte order mark, if any.

    InputError for a stream that is not UTF-8 at all (UTF-16 or UTF-32 with a
    byte order mark): every line would fail.
    """
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        raise InputError("JSON Lines must be UTF-8; this is UTF-16 or UTF-32 (BOM)")
    return start.removeprefix(codecs.BOM_UTF8)


def read_jsonl(
    source: IO[bytes], field_name: str
) -> Iterator[tuple[int, dict[str, Any], str | None]]:
    """(line number, object, problem) for each non-empty line: for readers of a
    field (`suggest`) that have no use for the raw bytes."""
    for number, raw in read_jsonl_lines(source):
        record, problem = parse_json_line(raw, field_name)
        yield number, record, problem


def parse_json_line(raw: bytes, field_name: str) -> tuple[dict[str, Any], str | None]:
    try:
        record = json.loads(raw)
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        return {}, f"not valid UTF-8 (byte 0x{byte:02x} at byte {error.start + 1})"
    except ValueError as error:
        return {}, f"not valid JSON ({error})"
    except RecursionError:
        return {}, "not usable JSON (nested too deeply)"
    if not isinstance(record, dict):
        return {}, "not a JSON object"
    if not isinstance(record.get(field_name), str):
        return {}, f"field {field_name!r} is missing or not a string"
    return record, None
