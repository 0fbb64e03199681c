"""Bytes in, text out, and files written so that a crash never leaves half of one.

Input bytes that are not valid UTF-8 are kept as lone surrogates (Python's
`surrogateescape`): nothing is lost, the encoding pass repairs them as recorded
edits, and a byte-exact restore stays possible. Outputs are written to a
temporary file and renamed into place; SIGTERM and SIGHUP are turned into
KeyboardInterrupt (see `graceful_termination`) so that an interrupted run removes
its temporary files, and `remove_stale_temporaries` clears those of a run that
was killed outright.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from normalize.compression import CompressionError, compressing, compression_of, read_bytes

# Share of NUL and other C0 control bytes above which a file is taken for binary.
_BINARY_CONTROL_SHARE = 0.10
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
_WIDE_BOMS = {  # UTF-32 first: its little-endian BOM starts like UTF-16's
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# Temporary output files are named .NAME.PID.RANDOM.CHECK.normalize-tmp (see
# temporary_name): CHECK is a digest of the rest, so that no file of the user's
# is ever taken for one of ours, whatever its name.
_TEMPORARY_NAME = re.compile(r"^(\..*\.(\d+)\.[0-9a-f]{16})\.([0-9a-f]{16})\.normalize-tmp$")
_TEMPORARY_STEM_CHARS = 100  # of NAME, so that a long name still makes a legal one
_TERMINATING = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])


class InputError(Exception):
    """An input that cannot be read as text; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    note: str | None = None  # e.g. "3 bytes were not valid UTF-8"
    encoding: str = "utf-8"  # what the bytes were: "utf-8", or "utf-16-le" and the like


def decode_bytes(data: bytes) -> DecodedText:
    """Decode an input file's bytes for the pipeline, or refuse a binary file.

    UTF-8 (with or without a byte order mark, which is kept as U+FEFF for the
    encoding pass to remove as an edit) is read losslessly. UTF-16 and UTF-32
    need a byte order mark; they are decoded (the output is UTF-8, and the note
    says so), and `encode_as` writes the text in them again for `restore`.
    """
    for encoding, bom in _WIDE_BOMS.items():
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                break
            name = encoding[:6].upper()
            return DecodedText(
                text, f"decoded from {name} (byte order mark); output is UTF-8", encoding
            )
    if looks_binary(data):
        raise InputError("looks like a binary file, not text")
    try:
        return DecodedText(data.decode("utf-8"))
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for _ in _ESCAPED_BYTE.finditer(text))
    return DecodedText(text, f"{invalid} byte(s) were not valid UTF-8 and were repaired")


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


def encode_as(text: str, encoding: str) -> bytes:
    """`text` in the encoding `decode_bytes` found (UTF-16 and UTF-32 with their BOM)."""
    if encoding == "utf-8":
        return encode_text(text)
    return _WIDE_BOMS[encoding] + text.encode(encoding, errors="surrogatepass")


def read_input_bytes(path: Path) -> bytes:
    """The bytes of an input file, uncompressed if its extension says it is
    compressed; InputError (one line) if it cannot be read."""
    try:
        return read_bytes(path)
    except CompressionError as error:
        raise InputError(str(error)) from error
    except OSError as error:
        raise InputError(error.strerror or str(error)) from error


def read_text_file(path: Path) -> DecodedText:
    """An input file, decoded by `decode_bytes`; InputError if it cannot be read."""
    return decode_bytes(read_input_bytes(path))


def read_written_text(path: Path) -> str:
    """A file this program wrote (UTF-8, unrepaired bytes escaped), read back exactly.

    No byte order mark or binary sniffing: `restore` must see the text exactly as
    it was written, whatever it holds.
    """
    try:
        return path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def graceful_termination() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Interrupted (main thread only).

    Without this a terminated process dies on the spot, leaving its temporary
    files behind. Signals that are ignored (`nohup`) stay ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = {}
    for signum in _TERMINATING:
        if signal.getsignal(signum) == signal.SIG_DFL:
            previous[signum] = signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and termination signals back until the block is done.

    The handlers only note a signal meanwhile; it is raised again once the
    block is over. Blocking the signal instead (pthread_sigmask) would hold it
    back from this thread only: with other threads in the process (a worker
    pool's, numpy's), the signal would reach one of them and Python would run
    its handler here anyway, in the middle of the block.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers run in the main thread only; it decides
        return
    noted: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        noted.append(signum)

    previous = {}
    for signum in (signal.SIGINT, *_TERMINATING):
        if signal.getsignal(signum) not in (signal.SIG_IGN, None):
            previous[signum] = signal.signal(signum, note)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if noted:
            signal.raise_signal(noted[0])


@functools.cache
def _new_file_mode() -> int:
    """The mode open() gives a new file: 0666 less the process's umask."""
    umask = os.umask(0o022)  # reading the umask means setting it: put it back at once
    os.umask(umask)
    return 0o666 & ~umask


def temporary_name(target: Path) -> str:
    """A fresh name for a temporary file beside `target` that only this tool makes."""
    stem = f".{target.name[:_TEMPORARY_STEM_CHARS]}.{os.getpid()}.{secrets.token_hex(8)}"
    return f"{stem}.{_name_check(stem)}.normalize-tmp"


def _name_check(stem: str) -> str:
    return hashlib.blake2b(stem.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def _create_temporary(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside `target` (never an existing one)."""
    for _attempt in range(100):
        name = target.parent / temporary_name(target)
        try:
            # As readable as any file the user writes (0644 under the usual umask).
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _new_file_mode()), name
        except FileExistsError:
            continue
    raise FileExistsError(f"{target.parent}: no free temporary name")


class AtomicFiles:
    """Output files that appear complete, all together, or not at all.

    `open` gives a temporary file beside each target. Leaving the `with` block
    normally renames them into place, with signals held back for those few
    renames so that a text and its edits file are never split by Ctrl-C or
    SIGTERM; leaving it by an exception (KeyboardInterrupt included) removes them.
    """

    def __init__(self) -> None:
        # temporary, target, the file, and what is written to it (a compressor, or the file)
        self._pending: list[tuple[Path, Path, IO[Any], IO[Any]]] = []

    def open(self, path: Path, *, text: bool = False) -> IO[Any]:
        """A temporary file for `path`, compressed if its extension says so
        (compression.EXTENSIONS); in text mode, UTF-8."""
        path.parent.mkdir(parents=True, exist_ok=True)
        compressed = compression_of(path) is not None
        # Held signals: an interruption between creating the temporary file and
        # registering it would leave the file behind.
        with _signals_held():
            fd, name = _create_temporary(path)
            try:
                handle: IO[Any] = (
                    os.fdopen(fd, "w", encoding="utf-8")
                    if text and not compressed
                    else os.fdopen(fd, "wb")
                )
            except BaseException:
                os.close(fd)
                name.unlink(missing_ok=True)
                raise
            stream = handle
            if compressed:
                stream = compressing(handle, path)
                stream = io.TextIOWrapper(stream, encoding="utf-8") if text else stream
            self._pending.append((name, path, handle, stream))
        return stream

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self._discard()

    def _commit(self) -> None:
        for _temporary, _target, handle, stream in self._pending:
            if stream is not handle:
                stream.close()  # the end of the compressed data; the file stays open
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        with _signals_held():
            for temporary, target, _handle, _stream in self._pending:
                os.replace(temporary, target)
            self._pending.clear()

    def _discard(self) -> None:
        for temporary, _target, handle, stream in self._pending:
            for opened in (stream, handle):
                with suppress(OSError, ValueError):
                    opened.close()
            temporary.unlink(missing_ok=True)
        self._pending.clear()


@contextmanager
def atomic_writer(path: Path, *, text: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file next to `path`; rename it to `path` on success.

    Readers see the old file or the complete new one, never a truncated one, even
    if the process is killed half-way; on an error the temporary file is removed.
    """
    with AtomicFiles() as files:
        yield files.open(path, text=text)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (see atomic_writer)."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextmanager
def open_output(path: Path, *, text: bool = False) -> Iterator[IO[Any]]:
    """atomic_writer for a regular file; a plain open for /dev/stdout, pipes and symlinks.

    Replacing a special file or a symlink by renaming would break it (think of
    `--explain /dev/stderr`), so those are written through.
    """
    if path.is_symlink() or (path.exists() and not path.is_file()):
        with path.open("w", encoding="utf-8") if text else path.open("wb") as handle:
            yield handle
    else:
        with atomic_writer(path, text=text) as handle:
            yield handle


def remove_stale_temporaries(directory: Path) -> int:
    """Remove the temporary files that killed runs (SIGKILL, power loss) left in `directory`.

    A file is removed only if it is certainly one of ours: its name carries the
    check digest of the rest of it, it belongs to this user, and the process
    that wrote it is gone (so a run writing into the same folder at the same
    time keeps its own). Returns how many were removed.
    """
    if os.name != "posix" or not directory.is_dir():
        return 0
    removed = 0
    with suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if _is_stale_temporary(entry):
                with suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _is_stale_temporary(entry: os.DirEntry[str]) -> bool:
    match = _TEMPORARY_NAME.match(entry.name)
    if not match or _name_check(match[1]) != match[3]:
        return False
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not _alive(int(match[2]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or a number no process can have)
    return True


def safe_output_path(directory: Path, name: str) -> Path:
    """`directory/name`, refusing names that would land outside `directory`."""
    candidate = (directory / name).resolve()
    root = directory.resolve()
    if candidate == root or root not in candidate.parents or name.startswith("/"):
        raise InputError(f"output name {name!r} would leave the output folder")
    return candidate
