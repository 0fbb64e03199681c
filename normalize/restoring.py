"""`normalize restore`: any output of a run back to its input, byte for byte.

    normalize restore OUT [EDITS] [-o RAW]     a text or JSON Lines output (EDITS: its
                                               NAME.edits.jsonl, or the run's --explain file)
    normalize restore OUTDIR [EXPLAIN] -o DIR  every output of a folder run

An edits file proves itself before anything is written (edits_file.EditsFile):
complete, unaltered, and made for this very output (the output's checksum is
in it). Each document's restored text is then checked against its checksum,
and the restored bytes against the input's. Anything that fails is refused in
one line, and no file is written for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from normalize.compression import CompressionError, open_input, plain_name
from normalize.edits_file import (
    DocumentRecords,
    EditsFile,
    EditsFileError,
    Hasher,
    InputSummary,
)
from normalize.jsonl import (
    ASCII,
    UTF8,
    Row,
    Splice,
    apply_splices,
    encode_string,
    last_member_removal,
    read_row,
)
from normalize.textio import atomic_writer, encode_as


class RestoreError(Exception):
    """An output that cannot be restored; the message is one line for the user."""


def edits_file_beside(output: Path) -> Path:
    """The edits file a run writes next to `output` (--edits)."""
    from normalize.clean import edits_path  # the cleaning run decides the name

    return edits_path(output)


def restore_file(
    output: Path, edits: Path, target: Path | None, doc: str | None, sink: IO[bytes]
) -> None:
    """Restore one output into `target` (atomically), or into `sink` when None."""
    edits_file = EditsFile.open(edits)
    digest = _file_digest(output)
    index = edits_file.choose(digest, doc)
    if target is None:
        restore_input(output, edits_file, index, sink)
        return
    with atomic_writer(target) as stream:  # removed again if the restore fails
        restore_input(output, edits_file, index, stream)


def restore_folder(folder: Path, explain: Path | None, target: Path) -> list[str]:
    """Restore every output of a folder run into `target`, mirroring the tree.

    The edits files are the `--explain` file if given, else every
    NAME.edits.jsonl in the folder. Returns one line per output that could not
    be restored (the others are).
    """
    if target.resolve() == folder.resolve() or folder.resolve() in target.resolve().parents:
        raise RestoreError("-o must be outside the output folder")
    paths = [explain] if explain is not None else edits_files_in(folder)
    if not paths:
        raise RestoreError(
            f"{folder}: no edits files (NAME.edits.jsonl) in it; give the --explain file"
        )
    problems: list[str] = []
    for path in paths:
        try:
            edits_file = EditsFile.open(path)
        except EditsFileError as error:
            problems.append(f"{path}: {error}")
            continue
        for index, summary in enumerate(edits_file.inputs):
            try:
                _restore_into(folder, edits_file, index, summary, target)
            except (EditsFileError, RestoreError, OSError) as error:
                name = summary.output or summary.doc or "?"
                problems.append(f"{folder / name}: {_reason(error)}")
    return problems


def edits_files_in(folder: Path) -> list[Path]:
    """The edits files a run with --edits left in `folder` and below it (compressed too)."""
    found = (path for path in folder.rglob("*.edits.jsonl*") if path.is_file())
    return sorted(path for path in found if plain_name(path.name).endswith(".edits.jsonl"))


def _restore_into(
    folder: Path, edits_file: EditsFile, index: int, summary: InputSummary, target: Path
) -> None:
    if summary.output is None:
        raise RestoreError("this output went to stdout; restore it with its own file")
    relative = Path(summary.output)
    if relative.is_absolute() or ".." in relative.parts:
        raise RestoreError(f"output name {summary.output!r} would leave the folder")
    destination = target / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(destination) as stream:
        restore_input(folder / relative, edits_file, index, stream)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _file_digest(path: Path) -> str:
    hasher = Hasher()
    try:
        with open_input(path) as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                hasher.update(block)
    except CompressionError as error:
        raise RestoreError(f"{path}: {error}") from error
    except OSError as error:
        raise RestoreError(f"{path}: {error.strerror or error}") from error
    return hasher.hexdigest()


def restore_input(output: Path, edits_file: EditsFile, index: int, sink: IO[bytes]) -> None:
    """Write the input that `output` was made from into `sink`; RestoreError or
    EditsFileError, before `sink` is complete, when it cannot be proved."""
    summary = edits_file.inputs[index]
    documents = _counted(edits_file.documents(index), summary.documents)
    try:
        with open_input(output) as source:
            if summary.format == "text":
                written = _restore_text(source.read(), summary, documents)
                sink.write(written)
                digest, size = hashlib.sha256(written).hexdigest(), len(written)
            else:
                hasher = Hasher()
                _restore_jsonl(source, summary, documents, sink, hasher)
                digest, size = hasher.hexdigest(), hasher.size
    except CompressionError as error:
        raise RestoreError(f"{output}: {error}") from error
    except OSError as error:
        raise RestoreError(f"{output}: {error.strerror or error}") from error
    if (digest, size) != (summary.input_sha256, summary.input_bytes):
        raise RestoreError("the restored bytes fail the input's checksum")


def _counted(documents: Iterator[DocumentRecords], expected: int) -> Iterator[DocumentRecords]:
    count = 0
    for document in documents:
        count += 1
        yield document
    if count != expected:
        raise EditsFileError(f"{count} documents where the input record says {expected}")


def _restore_text(
    data: bytes, summary: InputSummary, documents: Iterator[DocumentRecords]
) -> bytes:
    if hashlib.sha256(data).hexdigest() != summary.output_sha256:
        raise RestoreError("these edits belong to another output (its checksum differs)")
    text = data.decode("utf-8", errors="surrogateescape")
    for document in documents:
        text = document.restore(text)  # one document at most: _counted checks
    encoding = summary.details.get("encoding", "utf-8")
    try:
        return encode_as(text, encoding)
    except (KeyError, LookupError) as error:
        raise EditsFileError(f"unknown encoding {encoding!r}") from error


def _restore_jsonl(
    source: IO[bytes],
    summary: InputSummary,
    documents: Iterator[DocumentRecords],
    sink: IO[bytes],
    hasher: Hasher,
) -> None:
    field = summary.details.get("field")
    stats_field = summary.details.get("stats_field")
    if not isinstance(field, str) or not (stats_field is None or isinstance(stats_field, str)):
        raise EditsFileError("the input record names no field")
    pending = next(documents, None)
    for number, line in enumerate(source, start=1):
        body, ending = (line[:-1], b"\n") if line.endswith(b"\n") else (line, b"")
        document = None
        if pending is not None and pending.line == number:
            document, pending = pending, next(documents, None)
        restored = restore_json_line(body, field, stats_field, document, number) + ending
        sink.write(restored)
        hasher.update(restored)
    if pending is not None:
        raise EditsFileError(f"records for line {pending.line}, which the output does not have")


def restore_json_line(
    line: bytes,
    field: str,
    stats_field: str | None,
    document: DocumentRecords | None,
    number: int,
) -> bytes:
    """One JSON Lines row as it came: its field's raw text back, its statistics out."""
    if document is None and stats_field is None:
        return line
    row = read_row(line, field)
    if row.kind is not None:
        if document is not None:
            raise RestoreError(
                f"line {number}: the edits are for a row with text; this one has none"
            )
        return line  # a row without text was written as it came
    assert row.text is not None
    splices: list[Splice] = []
    if stats_field is not None:
        splices.append(_unstats(row, stats_field, document, number))
    if document is not None:
        raw = document.restore(row.text)
        if raw != row.text:
            member = row.member(field)
            assert member is not None
            splices.append((member.value_start, member.value_end, _raw_value(raw, document)))
    return apply_splices(line, splices)


def _unstats(row: Row, stats_field: str, document: DocumentRecords | None, number: int) -> Splice:
    """Where the statistics were written, and what was there before."""
    member = row.member(stats_field)
    if member is None:
        raise RestoreError(f"line {number}: no {stats_field!r} field, which the run added")
    before = document.head.get("stats_before") if document is not None else None
    if before is not None:
        if not isinstance(before, str):
            raise EditsFileError(f"line {number}: 'stats_before' is not JSON text")
        return member.value_start, member.value_end, before.encode("utf-8")
    if member is not row.members[-1]:
        raise RestoreError(f"line {number}: the {stats_field!r} field is not the one the run added")
    return last_member_removal(row)


def _raw_value(raw: str, document: DocumentRecords) -> bytes:
    """The field's value as it came: written again in its style, or as recorded."""
    head = document.head
    if isinstance(head.get("raw_value"), str):
        return str(head["raw_value"]).encode("utf-8")
    style = head.get("json")
    if style not in (UTF8, ASCII):
        raise EditsFileError(f"line {document.line}: no JSON style for the row's text")
    return encode_string(raw, str(style))
