"""Edits files: every edit and note of a run, with the proof that they are all there.

An edits file (`--edits`, `--explain`) is JSON Lines, one record a line:

    {"kind": "header", "format": "normalize-edits", "version": 2}
    {"kind": "doc", "doc": "a.txt", "edits": 2, "notes": 1, "raw_sha256": ..., "output_sha256": ...}
    {"kind": "edit", "doc": "a.txt", "pass": ..., "rule": ..., "step": ..., "start": ..., ...}
    ... the document's other edits, then its notes ...
    {"kind": "input", "doc": "a.txt", "format": "text", "output": "a.txt", "documents": 1,
     "input_bytes": ..., "input_sha256": ..., "output_bytes": ..., "output_sha256": ...}
    ... the documents and input records of more inputs (an --explain file of a folder run) ...
    {"kind": "end", "inputs": 1, "sha256": <SHA-256 of every byte before this line>}

A `doc` record opens each document that has edits or notes: how many of each
follow, and the SHA-256 of its raw and its output text (UTF-8, lone surrogates
as they are). A JSON Lines row is a document too, named by its `line` number
(with its `id` beside it, as data: ids may be missing, repeated or of any
type). An `input` record closes each input file with the checksums of its
bytes as read and as written. The `end` record counts the inputs and
checksums the whole file, so a truncated, reordered or altered file is
refused as a whole, in one line, before anything is restored; the per-document
checksums then prove each restored text, and the input's checksum the bytes.

`map_batch(edits_field=...)` and datatrove's metadata hold one document's
records (its `doc` record first) without header, inputs or end; `restore_text`
undoes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from normalize.compression import CompressionError, open_input
from normalize.document import Edit, Note, Result, count_from_json, text_from_json
from normalize.edits import EditMismatchError, dumps_json_line, restore

FORMAT = "normalize-edits"
VERSION = 2
HEADER = {"kind": "header", "format": FORMAT, "version": VERSION}
_NO_ID = object()


class EditsFileError(ValueError):
    """An edits file (or record string) that cannot be trusted; the message is one line."""


def text_digest(text: str) -> str:
    """SHA-256 of a text, lone surrogates included (as UTF-8 would write them)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def document_jsonl(
    raw: str,
    result: Result,
    doc: str | None = None,
    *,
    line: int | None = None,
    row_id: Any = _NO_ID,
    extra: dict[str, Any] | None = None,
) -> str:
    """A document's records: its `doc` record, then its edits and notes."""
    tag: dict[str, Any] = {}
    if doc is not None:
        tag["doc"] = doc
    if line is not None:
        tag["line"] = line
    head: dict[str, Any] = {"kind": "doc", **tag}
    if row_id is not _NO_ID:
        head["id"] = row_id
    head.update(
        edits=len(result.edits),
        notes=len(result.notes),
        raw_sha256=text_digest(raw),
        output_sha256=text_digest(result.text),
    )
    if extra:
        head.update(extra)
    lines = [dumps_json_line(head)]
    lines.extend(dumps_json_line({**tag, **record.to_json()}) for record in result.edits)
    lines.extend(dumps_json_line({**tag, **record.to_json()}) for record in result.notes)
    return "".join(lines)


@dataclass(slots=True)
class DocumentRecords:
    """One document's records, as read back."""

    doc: str | None
    line: int | None
    raw_sha256: str
    output_sha256: str
    records: list[Edit | Note]
    head: dict[str, Any]  # the whole `doc` record (id, JSON style, ...)

    @property
    def edits(self) -> list[Edit]:
        return [record for record in self.records if isinstance(record, Edit)]

    def restore(self, text: str) -> str:
        """The raw text from the output `text`; EditsFileError unless both checksums hold."""
        where = describe(self.doc, self.line)
        if text_digest(text) != self.output_sha256:
            raise EditsFileError(f"{where}: the text is not the output these edits were made for")
        try:
            raw = restore(text, self.edits)
        except EditMismatchError as error:
            raise EditsFileError(f"{where}: {error}") from error
        if text_digest(raw) != self.raw_sha256:
            raise EditsFileError(f"{where}: the restored text fails its checksum")
        return raw


def describe(doc: str | None, line: int | None) -> str:
    name = doc if doc is not None else "document"
    return f"{name}, line {line}" if line is not None else name


def restore_text(text: str, records: str) -> str:
    """The raw text of one document from its output and its records, as
    `map_batch(edits_field=...)` and datatrove's step store them ("" when
    nothing changed). EditsFileError (one line) if they do not prove it."""
    # Split at newlines only: str.splitlines() also cuts at U+0085, U+2028 and
    # others, which records written with ensure_ascii=False hold as they are.
    numbered = list(_parse_lines(enumerate(records.split("\n"), start=1)))
    if not numbered:
        return text
    documents = list(read_documents(iter(numbered)))
    if len(documents) != 1:
        raise EditsFileError(f"{len(documents)} documents in the records of one text")
    return documents[0].restore(text)


def _parse_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise EditsFileError(f"line {number}: not JSON ({error})") from error
        except RecursionError as error:
            raise EditsFileError(f"line {number}: not usable JSON (nested too deeply)") from error
        if not isinstance(data, dict):
            raise EditsFileError(f"line {number}: not a record")
        yield number, data


def read_documents(records: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[DocumentRecords]:
    """Documents from (line number, record) pairs that hold only `doc` records
    and the edits and notes they announce."""
    for number, head in records:
        yield _read_document(number, head, records)


def _read_document(
    number: int, head: dict[str, Any], records: Iterator[tuple[int, dict[str, Any]]]
) -> DocumentRecords:
    if head.get("kind") != "doc":
        raise EditsFileError(
            f"line {number}: a {head.get('kind')!r} record where a document starts"
        )
    try:
        doc, line = _tag(head)
        edits, notes = count_from_json(head, "edits"), count_from_json(head, "notes")
        raw_sha256, output_sha256 = _digest(head, "raw_sha256"), _digest(head, "output_sha256")
    except ValueError as error:
        raise EditsFileError(f"line {number}: {error}") from error
    read: list[Edit | Note] = []
    for _ in range(edits + notes):
        next_number, data = next(records, (number, None))
        if data is None:
            raise EditsFileError(
                f"line {number}: {describe(doc, line)} announces {edits} edits and {notes} "
                f"notes; the records end after {len(read)}"
            )
        read.append(_read_record(next_number, data, doc, line, edits_due=len(read) < edits))
    return DocumentRecords(doc, line, raw_sha256, output_sha256, read, head)


def _read_record(
    number: int, data: dict[str, Any], doc: str | None, line: int | None, *, edits_due: bool
) -> Edit | Note:
    kind = "edit" if edits_due else "note"
    if data.get("kind") != kind:
        raise EditsFileError(f"line {number}: a {data.get('kind')!r} record where an {kind} is due")
    try:
        if _tag(data) != (doc, line):
            raise ValueError(f"belongs to {describe(*_tag(data))}, not {describe(doc, line)}")
        return Edit.from_json(data) if edits_due else Note.from_json(data)
    except ValueError as error:
        raise EditsFileError(f"line {number}: {kind}: {error}") from error


def _tag(data: dict[str, Any]) -> tuple[str | None, int | None]:
    doc = text_from_json(data, "doc") if "doc" in data else None
    line = count_from_json(data, "line") if "line" in data else None
    return doc, line


def _digest(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not (isinstance(value, str) and len(value) == 64 and value.isalnum()):
        raise ValueError(f"{name!r} is not a SHA-256")
    return value


# --- writing a whole file ------------------------------------------------------------


class EditsWriter:
    """Writes an edits file: the header now, documents and inputs as they come,
    and the `end` record (with the checksum of all the rest) on `finish`."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.inputs = 0
        self._hash = hashlib.sha256()
        self.write(dumps_json_line(HEADER))

    def write(self, lines: str) -> None:
        """Records as JSON Lines (document_jsonl's), written and checksummed."""
        if lines:
            self.stream.write(lines)
            self._hash.update(lines.encode("utf-8"))

    def close_input(self, summary: InputSummary) -> None:
        self.write(dumps_json_line(summary.to_json()))
        self.inputs += 1

    def finish(self) -> None:
        end = {"kind": "end", "inputs": self.inputs, "sha256": self._hash.hexdigest()}
        self.stream.write(dumps_json_line(end))
        self.stream.flush()


@dataclass(slots=True)
class InputSummary:
    """What the `input` record says of one input file: enough to check and rebuild it."""

    doc: str | None  # the input's name, as the run's records name it
    format: str  # "text" or "jsonl"
    output: str | None  # the output's path within the output folder (None: stdout)
    documents: int = 0  # documents with records
    input_bytes: int = 0
    input_sha256: str = ""
    output_bytes: int = 0
    output_sha256: str = ""
    details: dict[str, Any] = field(default_factory=dict)  # field, encoding, rows...

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": "input"}
        if self.doc is not None:
            data["doc"] = self.doc
        data.update(
            format=self.format,
            output=self.output,
            documents=self.documents,
            input_bytes=self.input_bytes,
            input_sha256=self.input_sha256,
            output_bytes=self.output_bytes,
            output_sha256=self.output_sha256,
            **self.details,
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InputSummary:
        fixed = {"kind", "doc", "format", "output", "documents"} | {
            f"{side}_{what}" for side in ("input", "output") for what in ("bytes", "sha256")
        }
        output = data.get("output")
        if output is not None and not isinstance(output, str):
            raise ValueError("'output' is not a path")
        if data.get("format") not in ("text", "jsonl"):
            raise ValueError(f"unknown format {data.get('format')!r}")
        return cls(
            doc=text_from_json(data, "doc") if "doc" in data else None,
            format=data["format"],
            output=output,
            documents=count_from_json(data, "documents"),
            input_bytes=count_from_json(data, "input_bytes"),
            input_sha256=_digest(data, "input_sha256"),
            output_bytes=count_from_json(data, "output_bytes"),
            output_sha256=_digest(data, "output_sha256"),
            details={key: value for key, value in data.items() if key not in fixed},
        )


class Hasher:
    """Bytes counted and checksummed as they stream past."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self.size += len(data)
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


# --- reading a whole file ------------------------------------------------------------


@dataclass(slots=True)
class EditsFile:
    """An edits file that proved complete: its inputs, and their documents on demand."""

    path: Path
    inputs: list[InputSummary]
    _offsets: list[tuple[int, int]]  # per input: (byte offset, line number) of its first record

    @classmethod
    def open(cls, path: Path) -> EditsFile:
        """Read `path` once to check it whole; EditsFileError (one line) if it is not
        a complete, unaltered edits file."""
        try:
            with open_input(path) as stream:
                return cls._check(path, stream)
        except CompressionError as error:
            raise EditsFileError(str(error)) from error
        except OSError as error:
            raise EditsFileError(error.strerror or str(error)) from error

    @classmethod
    def _check(cls, path: Path, stream: IO[bytes]) -> EditsFile:
        digest = hashlib.sha256()
        inputs: list[InputSummary] = []
        offsets: list[tuple[int, int]] = []
        end: dict[str, Any] | None = None
        offset, number, start = 0, 0, (0, 1)
        for number, raw in enumerate(stream, start=1):
            if end is not None:
                if raw.strip():
                    raise EditsFileError(f"line {number}: records after the end record")
                continue
            data = _parse_record(number, raw)
            if number == 1:
                _check_header(data)
                start = (len(raw), 2)
            elif data.get("kind") == "end":
                end = data
            elif data.get("kind") == "input":
                try:
                    inputs.append(InputSummary.from_json(data))
                except (ValueError, KeyError) as error:
                    raise EditsFileError(f"line {number}: input record: {error}") from error
                offsets.append(start)
                start = (offset + len(raw), number + 1)
            if end is None:
                digest.update(raw)
            offset += len(raw)
        if number == 0:
            raise EditsFileError("empty: an edits file starts with its header")
        if end is None:
            raise EditsFileError("no end record: the file is incomplete (cut short?)")
        if end.get("sha256") != digest.hexdigest() or end.get("inputs") != len(inputs):
            raise EditsFileError("the checksum of its records fails: the file was altered")
        return cls(path, inputs, offsets)

    def documents(self, index: int) -> Iterator[DocumentRecords]:
        """The documents of input `index`, in the order they were written."""
        offset, first = self._offsets[index]
        try:
            with open_input(self.path) as stream:
                _skip(stream, offset)
                numbered = (
                    (number, _parse_record(number, raw))
                    for number, raw in enumerate(stream, start=first)
                )
                records = iter(_until_input(numbered))
                yield from read_documents(records)
        except CompressionError as error:
            raise EditsFileError(str(error)) from error
        except OSError as error:
            raise EditsFileError(error.strerror or str(error)) from error

    def choose(self, output_sha256: str, doc: str | None = None) -> int:
        """The input whose output has this checksum (or is named `doc`)."""
        for index, summary in enumerate(self.inputs):
            if (doc is None or summary.doc == doc) and summary.output_sha256 == output_sha256:
                return index
        named = [s for s in self.inputs if doc is None or s.doc == doc]
        if doc is not None and not named:
            raise EditsFileError(f"no input named {doc!r} in it")
        if len(named) == 1:
            raise EditsFileError("these edits belong to another output (its checksum differs)")
        raise EditsFileError(f"none of its {len(named)} outputs has this file's checksum")


def _skip(stream: IO[bytes], offset: int) -> None:
    """Move to `offset`: a seek, or reading past what comes before (compressed files)."""
    if stream.seekable():
        stream.seek(offset)
        return
    while offset > 0:
        skipped = len(stream.read(min(offset, 1 << 20)))
        if not skipped:
            return
        offset -= skipped


def _until_input(
    numbered: Iterator[tuple[int, dict[str, Any]]],
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, data in numbered:
        if data.get("kind") in ("input", "end"):
            return
        yield number, data


def _parse_record(number: int, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EditsFileError(f"line {number}: not valid UTF-8") from error
    ((_, data),) = list(_parse_lines([(number, text)])) or [(number, {})]
    return data


def _check_header(data: dict[str, Any]) -> None:
    if data.get("kind") != "header" or data.get("format") != FORMAT:
        raise EditsFileError(
            "no header: not an edits file of this program (or one older than version 2)"
        )
    if data.get("version") != VERSION:
        raise EditsFileError(f"version {data.get('version')!r}; this program reads {VERSION}")


def read_all_records(path: Path) -> Sequence[DocumentRecords]:
    """Every document of every input of an edits file (for small files: a report)."""
    edits_file = EditsFile.open(path)
    return [doc for index in range(len(edits_file.inputs)) for doc in edits_file.documents(index)]
