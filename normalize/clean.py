"""A cleaning run: documents in, normalised documents (and their edits) out.

Text files and JSON Lines streams are read one document at a time and handed
to a DocumentPool (one process, or several), whose results come back in input
order; this module writes them, atomically where they go to files, and keeps
the run's report: per-document lines, a progress bar, failures and the final
summary. Nothing here holds more than a few chunks of documents in memory.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from normalize.compression import (
    CompressionError,
    compressed_size_read,
    open_input,
    open_stdin,
    plain_name,
)
from normalize.document import Result
from normalize.edits_file import EditsWriter, Hasher, InputSummary, document_jsonl
from normalize.jsonl import (
    BLANK,
    BROKEN_KINDS,
    MISSING,
    NOT_JSON,
    NOT_OBJECT,
    NOT_STRING,
    NOT_UTF8,
    NULL,
    TOO_DEEP,
    Row,
    Splice,
    apply_splices,
    encode_string,
    member_insertion,
    read_row,
    value_style,
)
from normalize.parallel import DocumentPool, Failure, Task, normalize_task
from normalize.pipeline import Normalizer
from normalize.repair_stats import repair_stats
from normalize.textio import (
    AtomicFiles,
    InputError,
    decode_bytes,
    encode_text,
    read_input_bytes,
    safe_output_path,
)

PROG = "normalize"


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line asked of a cleaning run."""

    output: Path | None  # a folder, or None for stdout
    explain: EditsWriter | None  # every edit and note of the run (an edits file)
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

    stats_field: str | None = None  # JSON Lines: where each row's repair statistics go

    @property
    def with_records(self) -> bool:
        """Whether the run writes edits (and so checksums its inputs and outputs)."""
        return self.explain is not None or self.edits


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
    """Where the edits of `output` go: NAME.edits.jsonl beside it, compressed as
    the output is (`news.jsonl.gz`: `news.edits.jsonl.gz`)."""
    plain = plain_name(output.name)
    return output.with_name(Path(plain).stem + ".edits.jsonl" + output.name[len(plain) :])


# --- text files -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextJob:
    """Where a text document came from and where it goes."""

    path: Path | None  # None: stdin
    target: Path | None  # None: stdout
    size: int
    raw: str  # the decoded text (the same string the worker gets)
    doc: str | None  # the document's name in the records (None: stdin)
    input_sha256: str = ""  # of the bytes as read, when the run writes edits
    encoding: str = "utf-8"
    input_bytes: int = 0

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
            data = read_input_bytes(path) if path is not None else read_stdin()
            decoded = decode_bytes(data)
        except InputError as error:
            report.fail(path, str(error))
            report.advance(file_size(path))
            continue
        digest = hashlib.sha256(data).hexdigest() if options.with_records else ""
        doc = options.doc_name(path) if path is not None else None
        job = TextJob(
            path, target, file_size(path), decoded.text, doc, digest, decoded.encoding, len(data)
        )
        del data
        if decoded.note:
            report.say(f"{PROG}: {job.name}: {decoded.note}")
        yield job, Task(decoded.text, as_file=True)


def _write_text(job: TextJob, result: Result, options: Options, report: RunReport) -> None:
    for warning in result.warnings:
        report.say(f"{PROG}: {job.name}: {warning}")
    data = encode_text(result.text)
    records = ""
    summary = _input_summary(job.path, job.target, options, "text")
    if options.with_records:
        if result.edits or result.notes:
            records = document_jsonl(job.raw, result, job.doc)
            summary.documents = 1
        summary.input_bytes, summary.input_sha256 = job.input_bytes, job.input_sha256
        summary.output_bytes = len(data)
        summary.output_sha256 = hashlib.sha256(data).hexdigest()
        if job.encoding != "utf-8":
            summary.details["encoding"] = job.encoding
    if options.explain is not None:
        options.explain.write(records)
        options.explain.close_input(summary)
    if job.target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        with AtomicFiles() as files:  # the text and its edits appear together
            files.open(job.target).write(data)
            if options.edits:
                writer = EditsWriter(files.open(edits_path(job.target), text=True))
                writer.write(records)
                writer.close_input(summary)
                writer.finish()
    except OSError as error:
        report.fail(job.target, f"cannot write: {error.strerror or error}")
        return
    if not options.quiet:
        report.say(summary_line(job.name, result.edits_by_pass()))


def _input_summary(
    path: Path | None, target: Path | None, options: Options, kind: str
) -> InputSummary:
    """The input record of one input, its checksums to be filled in."""
    output = None
    if target is not None and options.output is not None:
        output = target.relative_to(options.output.resolve()).as_posix()
    return InputSummary(options.doc_name(path) if path is not None else None, kind, output)


def _close_input(
    summary: InputSummary, hashes: tuple[Hasher, Hasher], *writers: EditsWriter | None
) -> None:
    """The input record (and, in a file of its own, the end) after its documents."""
    summary.input_bytes, summary.input_sha256 = hashes[0].size, hashes[0].hexdigest()
    summary.output_bytes, summary.output_sha256 = hashes[1].size, hashes[1].hexdigest()
    explain, *own = writers
    if explain is not None:
        explain.close_input(summary)
    for writer in own:
        if writer is not None:
            writer.close_input(summary)
            writer.finish()


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
FIRST_LINES_SHOWN = 5  # line numbers given for each kind of line kept as it came


@dataclass(frozen=True, slots=True)
class JsonBlock:
    """Whole lines of a JSON Lines stream, as read: a worker splits, parses and writes them."""

    data: bytes
    first_line: int  # the line number of its first line
    field: str
    with_records: bool  # whether the run wants the edits and notes
    doc: str | None = None  # the input's name in the records
    stats_field: str | None = None  # where each row's repair statistics go

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(slots=True)
class LineKinds:
    """Lines written as they came, by kind: how many, the first line numbers, and
    what the first one was (the JSON error, the field's type)."""

    counts: Counter[str] = field(default_factory=Counter)
    first: dict[str, list[int]] = field(default_factory=dict)
    detail: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, number: int, detail: str) -> None:
        self.counts[kind] += 1
        lines = self.first.setdefault(kind, [])
        if len(lines) < FIRST_LINES_SHOWN:
            lines.append(number)
        self.detail.setdefault(kind, detail)

    def merge(self, other: LineKinds) -> None:
        for kind, count in other.counts.items():
            for number in other.first[kind]:
                self.add(kind, number, other.detail[kind])
            self.counts[kind] += count - len(other.first[kind])


@dataclass(frozen=True, slots=True)
class JsonBlockOutcome:
    """A block done: the lines to write, and what the report needs to know."""

    output: bytes
    records: str  # the documents' records (edits_file.document_jsonl)
    by_pass: dict[str, int]
    documents: int  # rows whose field was normalised
    documents_with_records: int
    kinds: LineKinds  # lines written as they came
    objects: int  # lines that are JSON objects
    first_keys: tuple[str, ...]  # the keys of the first object, for a field no row has
    problems: tuple[tuple[int, str], ...]  # (line number, a pass crashed on the row)
    warnings: tuple[tuple[int, str], ...]
    lines: int


@dataclass(slots=True)
class _BlockWork:
    """What clean_json_block gathers over the lines of one block."""

    records: list[str] = field(default_factory=list)
    by_pass: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    documents_with_records: int = 0
    kinds: LineKinds = field(default_factory=LineKinds)
    objects: int = 0
    first_keys: tuple[str, ...] = ()
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0


def clean_json_block(normalizer: Normalizer, block: JsonBlock) -> JsonBlockOutcome:
    """Normalise the field of each line of a block, every other byte as it came (in a worker).

    All the per-line work is here, so that with several workers the parent
    only reads and writes bytes. The block's newlines are kept as they are:
    rows in = rows out.
    """
    work = _BlockWork()
    lines = block.data.split(b"\n")
    last = lines.pop()  # b"" after a final newline; else a last line without one
    output = [
        clean_json_line(normalizer, block, number, line, work)
        for number, line in enumerate(lines, start=block.first_line)
    ]
    if last:
        output.append(clean_json_line(normalizer, block, block.first_line + len(lines), last, work))
    else:
        output.append(b"")
    return JsonBlockOutcome(
        b"\n".join(output),
        "".join(work.records),
        dict(work.by_pass),
        work.documents,
        work.documents_with_records,
        work.kinds,
        work.objects,
        work.first_keys,
        tuple(work.problems),
        tuple(work.warnings),
        work.lines,
    )


def clean_json_line(
    normalizer: Normalizer, block: JsonBlock, number: int, line: bytes, work: _BlockWork
) -> bytes:
    """One line with its field normalised, or the line as it came (and why, in `work`)."""
    row = read_row(line, block.field)
    work.lines += 1
    if row.close >= 0:  # a JSON object
        work.objects += 1
        if not work.first_keys:
            work.first_keys = tuple(row.keys())
    if row.kind is not None or row.text is None:
        work.kinds.add(row.kind or MISSING, number, row.detail)
        return line
    outcome = normalize_task(normalizer, Task(row.text, as_file=False))
    if isinstance(outcome, Failure):
        problem = outcome.problem.removesuffix("; skipped")  # a row is never skipped
        work.problems.append((number, f"{problem}; the row is written as it came"))
        if block.stats_field is None:
            return line
        # Every row with text gets the field (restore takes it out again): null, no statistics.
        return apply_splices(line, [_stats_splice(row, block.stats_field, None, {})])
    work.documents += 1
    work.by_pass.update(outcome.edits_by_pass())
    work.warnings.extend((number, warning) for warning in outcome.warnings)
    splices, extra = _text_splice(row, block.field, row.text, outcome.text, block.with_records)
    if block.stats_field is not None:
        stats = repair_stats(len(row.text), outcome, normalizer.pass_names)
        splices.append(_stats_splice(row, block.stats_field, stats, extra))
    if block.with_records and (outcome.edits or outcome.notes or extra.get("stats_before")):
        work.documents_with_records += 1
        row_id = _row_id(row)
        work.records.append(
            document_jsonl(row.text, outcome, block.doc, line=number, extra=extra, **row_id)
        )
    return apply_splices(line, splices)


def _text_splice(
    row: Row, field_name: str, raw: str, text: str, with_records: bool
) -> tuple[list[Splice], dict[str, Any]]:
    """The new value of the field (if the text changed), and how to write the raw
    value again for `restore`: in the same style, or as it came."""
    if text == raw:
        return [], {}
    member = row.member(field_name)
    assert member is not None  # read_row found the field
    value = row.line[member.value_start : member.value_end]
    style = value_style(value)
    extra: dict[str, Any] = {}
    if with_records:
        same = encode_string(raw, style) == value
        extra = {"json": style} if same else {"raw_value": value.decode("utf-8")}
    return [(member.value_start, member.value_end, encode_string(text, style))], extra


def _stats_splice(
    row: Row, stats_field: str, stats: dict[str, Any] | None, extra: dict[str, Any]
) -> Splice:
    """The statistics as the row's last member, or in place of the value the row
    has already under that name (kept in `extra` for `restore`)."""
    value = json.dumps(stats).encode("ascii")
    member = row.member(stats_field)
    if member is None:
        return member_insertion(row, stats_field, value)
    extra["stats_before"] = row.line[member.value_start : member.value_end].decode("utf-8")
    return member.value_start, member.value_end, value


def _row_id(row: Row) -> dict[str, Any]:
    """The row's `id` as data, for the records (the line number is its identity)."""
    value = row.value_bytes("id")
    if value is None:
        return {}
    try:
        return {"row_id": json.loads(value)}  # Python's json: a long integer stays exact
    except (ValueError, RecursionError):
        return {"row_id": value.decode("utf-8", errors="replace")}


def clean_jsonl(
    pool: DocumentPool[Any, Any, Any], path: Path | None, options: Options, report: RunReport
) -> None:
    """Normalise one field of every object of a JSON Lines file (or stdin), keeping the rest."""
    name = str(path) if path is not None else "<stdin>"
    try:
        target = options.target_for(path)
        source = open_input(path) if path is not None else open_stdin(sys.stdin.buffer)
    except (InputError, CompressionError, OSError) as error:
        report.fail(path, _reason(error))
        report.advance(file_size(path))
        return
    summary = _input_summary(path, target, options, "jsonl")
    summary.details.update(field=options.field, stats_field=options.stats_field)
    by_pass = Counter[str]()
    kinds = LineKinds()
    seen = _FieldWatch(name, options.field, report)
    hashes = (Hasher(), Hasher())
    rows = consumed = 0
    with_records = options.with_records
    try:
        with ExitStack() as stack:
            if path is not None:
                stack.enter_context(source)
            out, edits_out = _open_jsonl_outputs(stack, target, options.edits)
            blocks = read_jsonl_blocks(
                source, options.field, with_records, summary.doc, options.stats_field
            )
            for block, done in pool.map(clean_json_block, ((b, b) for b in blocks)):
                for number, problem in done.problems:
                    report.fail(f"{name}:{number}", problem)
                for number, warning in done.warnings:
                    report.say(f"{PROG}: {name}:{number}: {warning}")
                seen.check(done)
                out.write(done.output)
                if with_records:
                    hashes[0].update(block.data)
                    hashes[1].update(done.output)
                for writer in (options.explain, edits_out):
                    if writer is not None:
                        writer.write(done.records)
                summary.documents += done.documents_with_records
                read = compressed_size_read(source)
                size = block.size if read is None else read - consumed
                consumed = consumed if read is None else read
                report.add(done.by_pass, size, documents=done.documents)
                by_pass.update(done.by_pass)
                kinds.merge(done.kinds)
                rows += done.lines
            summary.details["rows"] = rows
            _close_input(summary, hashes, options.explain, edits_out)
    except (InputError, CompressionError) as error:
        report.fail(name, str(error))
        return
    except BrokenPipeError:
        raise  # the reader of stdout went away: the run ends (normalize.cli)
    except OSError as error:
        report.fail(target or name, f"cannot read or write: {error.strerror or error}")
        return
    report_line_kinds(name, options.field, kinds, report, options.quiet)
    if target is not None and not options.quiet:
        report.say(summary_line(Path(name).name, by_pass))


class _FieldWatch:
    """Says once, as soon as the first rows are in, that none of them has the field."""

    def __init__(self, name: str, field_name: str, report: RunReport) -> None:
        self.name, self.field, self.report = name, field_name, report
        self.done = False

    def check(self, outcome: JsonBlockOutcome) -> None:
        if self.done or not outcome.objects:
            return
        self.done = True
        absent = outcome.kinds.counts[MISSING] + outcome.kinds.counts[NOT_OBJECT]
        if absent == outcome.objects:
            keys = ", ".join(outcome.first_keys[:10]) or "none"
            self.report.say(
                f"{PROG}: {self.name}: no row of the first {outcome.objects} has a field "
                f"{self.field!r} (the first has: {keys}); rows without it are written as they "
                "came (choose the field with --field)"
            )


# How each kind of line written as it came is reported: noun, then what it is
# ({be}: is/are, {have}: has/have, {field}: the field's name).
_KIND_PHRASES = {
    NOT_UTF8: ("line", "{be} not valid UTF-8"),
    NOT_JSON: ("line", "{be} not valid JSON"),
    TOO_DEEP: ("line", "{be} nested too deeply to read"),
    NOT_OBJECT: ("line", "{be} not a JSON object"),
    MISSING: ("row", "{have} no field {field}"),
    NULL: ("row", "{have} {field} null"),
    NOT_STRING: ("row", "{have} {field} not a string"),
    BLANK: ("line", "{be} blank"),
}


def report_line_kinds(
    name: str, field_name: str, kinds: LineKinds, report: RunReport, quiet: bool
) -> None:
    """One line per kind of line written as it came, with the first line numbers.

    A broken line (not JSON, not UTF-8) is a failure (exit status 1), said even
    with -q; rows that merely have no text are said unless -q.
    """
    for kind, (noun, phrase) in _KIND_PHRASES.items():
        count = kinds.counts[kind]
        if not count:
            continue
        one = count == 1
        what = phrase.format(
            be="is" if one else "are", have="has" if one else "have", field=repr(field_name)
        )
        first = kinds.first[kind]
        where = f"{plural(len(first), 'line', bare=True)} " + ", ".join(map(str, first))
        where += ", ..." if count > len(first) else ""
        if kinds.detail[kind]:
            where += f"{':' if len(first) == 1 else f'; line {first[0]}:'} {kinds.detail[kind]}"
        message = (
            f"{plural(count, noun)} {what}, written as {'it' if one else 'they'} came ({where})"
        )
        if kind in BROKEN_KINDS:
            report.fail(name, message)
        elif not quiet:
            report.say(f"{PROG}: {name}: {message}")


def plural(count: int, noun: str, *, bare: bool = False) -> str:
    """'1 row', '3 rows'; with `bare`, the noun alone ('line', 'lines')."""
    word = noun if count == 1 else noun + "s"
    return word if bare else f"{count} {word}"


def read_stdin() -> bytes:
    """All of standard input, uncompressed if it starts as a compressed stream does."""
    try:
        return open_stdin(sys.stdin.buffer).read()
    except CompressionError as error:
        raise InputError(str(error)) from error


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _open_jsonl_outputs(
    stack: ExitStack, target: Path | None, with_edits: bool
) -> tuple[IO[bytes], EditsWriter | None]:
    """The output stream (stdout, or a file renamed into place when complete) and
    the edits file next to it."""
    if target is None:
        return sys.stdout.buffer, None
    files = stack.enter_context(AtomicFiles())
    out = files.open(target)
    edits = EditsWriter(files.open(edits_path(target), text=True)) if with_edits else None
    return out, edits


def read_jsonl_blocks(
    source: IO[bytes],
    field_name: str,
    with_records: bool,
    doc: str | None = None,
    stats_field: str | None = None,
) -> Iterator[JsonBlock]:
    """The stream in blocks of whole lines, about JSON_BLOCK_BYTES each (a longer
    line makes a block of its own), every byte as it came."""
    number = 1
    data = source.read(JSON_BLOCK_BYTES)
    check_jsonl_start(data)
    while data:
        if not data.endswith(b"\n"):
            data += source.readline()  # the rest of the last line
        yield JsonBlock(data, number, field_name, with_records, doc, stats_field)
        number += data.count(b"\n")
        data = source.read(JSON_BLOCK_BYTES)


def check_jsonl_start(start: bytes) -> None:
    """InputError for a stream that is not UTF-8 at all (UTF-16 or UTF-32 with a
    byte order mark): every line would fail."""
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        raise InputError("JSON Lines must be UTF-8; this is UTF-16 or UTF-32 (BOM)")


def iter_texts(source: IO[bytes], field_name: str) -> Iterator[tuple[int, Row]]:
    """(line number, row) for each line of a JSON Lines stream, for readers of a
    field (`suggest`, `report`)."""
    for number, line in enumerate(source, start=1):
        if number == 1:
            check_jsonl_start(line)
        yield number, read_row(line.rstrip(b"\n"), field_name)
