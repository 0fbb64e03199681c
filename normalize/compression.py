"""Compressed inputs and outputs, by extension: .gz, .bz2, .xz, and .zst where
`zstandard` is installed.

A file named `news.jsonl.gz` is read through gzip and its output (`-o DIR`)
written through gzip again, under the same name; everything else of the run
(line numbers, checksums in the edits file, restore) sees the uncompressed
bytes. Standard input is recognised by its first bytes instead, as `zcat`
would; standard output is never compressed. Gzip output carries no name or
time, so the same input gives the same bytes.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from pathlib import Path
from typing import IO, Any

# Extension -> format name; the magic bytes that start each format.
EXTENSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
GZIP_LEVEL = 6  # gzip's own default: most of level 9's size at a fraction of its time


class CompressionError(Exception):
    """A compressed file that cannot be read (or written); one line for the user."""


def compression_of(path: Path | str) -> str | None:
    """The format a file name says it is compressed with, if any."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def plain_name(name: str) -> str:
    """The name without its compression extension: `news.jsonl.gz` -> `news.jsonl`."""
    suffix = Path(name).suffix
    return name[: -len(suffix)] if suffix.lower() in EXTENSIONS else name


def sniff(start: bytes) -> str | None:
    """The compression format that bytes start with, if any (for standard input)."""
    for magic, kind in _MAGIC.items():
        if start.startswith(magic):
            return kind
    return None


def _zstandard() -> Any:
    try:
        import zstandard
    except ImportError as error:
        raise CompressionError(
            ".zst needs the zstandard package (pip install zstandard)"
        ) from error
    return zstandard


def _errors() -> tuple[type[BaseException], ...]:
    """What a decompressor raises on data that is not what it says it is."""
    errors: list[type[BaseException]] = [OSError, EOFError, zlib.error, lzma.LZMAError]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(errors)


class DecompressingReader(io.RawIOBase):
    """A binary stream of the uncompressed bytes, whose errors (corrupt or cut
    data) are CompressionError; `consumed` counts the compressed bytes read."""

    def __init__(self, raw: IO[bytes], kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._raw = raw
        self._stream: Any
        if kind == "gzip":
            self._stream = gzip.GzipFile(fileobj=raw, mode="rb")
        elif kind == "bz2":
            self._stream = bz2.BZ2File(raw, mode="rb")
        elif kind == "xz":
            self._stream = lzma.LZMAFile(raw, mode="rb")  # noqa: SIM115 (closed in close())
        else:
            self._stream = _zstandard().ZstdDecompressor().stream_reader(raw, closefd=False)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._stream.read(len(buffer))
        except _errors() as error:
            raise CompressionError(f"not valid {self.kind} data ({error})") from error
        buffer[: len(data)] = data
        return len(data)

    def consumed(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if not self.closed:
            try:
                self._stream.close()
            finally:
                self._raw.close()
        super().close()


def open_input(path: Path) -> IO[bytes]:
    """`path` for reading, decompressed if its extension says so. OSError as open()
    raises it; CompressionError for .zst without zstandard, or bad data on reading."""
    kind = compression_of(path)
    raw = path.open("rb")
    if kind is None:
        return raw
    try:
        return io.BufferedReader(DecompressingReader(raw, kind), buffer_size=1 << 16)
    except BaseException:
        raw.close()
        raise


def open_stdin(stream: IO[bytes]) -> IO[bytes]:
    """Standard input, decompressed if its first bytes are those of a compressed stream."""
    peek = getattr(stream, "peek", None)
    kind = sniff(peek(8)[:8]) if peek is not None else None
    if kind is None:
        return stream
    return io.BufferedReader(DecompressingReader(stream, kind), buffer_size=1 << 16)


def read_bytes(path: Path) -> bytes:
    """The (uncompressed) bytes of a file."""
    with open_input(path) as stream:
        return stream.read()


def compressed_size_read(stream: IO[bytes]) -> int | None:
    """How many bytes of the file a decompressing stream has read (for progress)."""
    raw = getattr(stream, "raw", None)
    return raw.consumed() if isinstance(raw, DecompressingReader) else None


class CompressingWriter(io.RawIOBase):
    """A binary stream that compresses into `raw` (left open: its owner closes it)."""

    def __init__(self, raw: IO[bytes], kind: str) -> None:
        super().__init__()
        self._raw = raw
        self._stream: Any
        if kind == "gzip":
            self._stream = gzip.GzipFile(
                filename="", fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0
            )
        elif kind == "bz2":
            self._stream = bz2.BZ2File(raw, mode="wb")
        elif kind == "xz":
            self._stream = lzma.LZMAFile(raw, mode="wb")  # noqa: SIM115 (closed in close())
        else:
            writer = _zstandard().ZstdCompressor().stream_writer(raw, closefd=False)
            self._stream = writer

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._stream.write(data)
        return len(data)

    def close(self) -> None:
        """Finish the compressed stream (its trailer), not the file under it."""
        if not self.closed:
            self._stream.close()
        super().close()


def compressing(raw: IO[bytes], path: Path) -> IO[bytes]:
    """A stream that writes into `raw` compressed as `path`'s extension says (or
    `raw` itself). Closing it finishes the compressed data; `raw` stays open."""
    kind = compression_of(path)
    if kind is None:
        return raw
    return io.BufferedWriter(CompressingWriter(raw, kind), buffer_size=1 << 16)
