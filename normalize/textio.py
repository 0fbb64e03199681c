"""Bytes in, text out, and files written so that a crash never leaves half of one.

Input bytes that are not valid UTF-8 are kept as lone surrogates (Python's
`surrogateescape`): nothing is lost, the encoding pass repairs them as recorded
edits, and a byte-exact restore stays possible.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Share of NUL and other C0 control bytes above which a file is taken for binary.
_BINARY_CONTROL_SHARE = 0.10
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class InputError(Exception):
    """An input that cannot be read as text; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    note: str | None = None  # e.g. "3 bytes were not valid UTF-8"


def decode_bytes(data: bytes) -> DecodedText:
    """Decode an input file's bytes for the pipeline, or refuse a binary file."""
    for bom, encoding in _WIDE_BOMS:  # UTF-32 first: its LE BOM starts like UTF-16's
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(encoding), f"decoded as {encoding.upper()} (BOM)")
            except UnicodeDecodeError:
                break
    if looks_binary(data):
        raise InputError("looks like a binary file, not text")
    text = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for c in text if "\udc80" <= c <= "\udcff")
    note = f"{invalid} byte(s) were not valid UTF-8 and were repaired" if invalid else None
    return DecodedText(text, note)


def looks_binary(data: bytes) -> bool:
    """True for data that is clearly not text: NULs or many control bytes up front."""
    head = data[:8192]
    if not head:
        return False
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return b"\x00\x00" in head or controls / len(head) > _BINARY_CONTROL_SHARE


def encode_text(text: str) -> bytes:
    """UTF-8 bytes; unrepaired input bytes (lone surrogates) are written back as they came."""
    return text.encode("utf-8", errors="surrogateescape")


def read_text_file(path: Path) -> DecodedText:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(error.strerror or str(error)) from error
    return decode_bytes(data)


@contextmanager
def atomic_writer(path: Path, *, text: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file next to `path`; rename it to `path` on success.

    Readers see the old file or the complete new one, never a truncated one, even
    if the process is killed half-way; on an error the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(
            fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (see atomic_writer)."""
    with atomic_writer(path) as handle:
        handle.write(data)


def safe_output_path(directory: Path, name: str) -> Path:
    """`directory/name`, refusing names that would land outside `directory`."""
    candidate = (directory / name).resolve()
    root = directory.resolve()
    if candidate == root or root not in candidate.parents or name.startswith("/"):
        raise InputError(f"output name {name!r} would leave the output folder")
    return candidate
