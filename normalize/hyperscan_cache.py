"""Compiled Hyperscan databases, kept between runs.

Compiling the rules' patterns takes a few tenths of a second, more than all
else a run does before its first document. A database depends only on its
expressions, the Hyperscan version and the machine, so it is compiled once and
then read back, in microseconds, from a cache folder: $NORMALIZE_CACHE_DIR, else
$XDG_CACHE_HOME/normalize, else ~/.cache/normalize. A folder that cannot be
read or written costs only the compile time, and it keeps the MAX_FILES most
recently written databases.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

import hyperscan

MAX_FILES = 64
_in_process: dict[str, bytes] = {}  # the same rules loaded again (tests, tools)


def cache_dir() -> Path:
    explicit = os.environ.get("NORMALIZE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "normalize"


def compiled(expressions: list[tuple[bytes, int]]) -> Any:
    """A block-mode database of `expressions` (source, flags), ids by position.

    Raises hyperscan.error if an expression does not compile.
    """
    key = _key(expressions)
    serialized = _in_process.get(key) or _read(key)
    if serialized is not None:
        try:
            return hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
        except hyperscan.error:
            pass  # damaged, or from another build: compiled again below
    database = hyperscan.Database()
    database.compile(
        expressions=[source for source, _flags in expressions],
        ids=list(range(len(expressions))),
        flags=[flags for _source, flags in expressions],
    )
    serialized = hyperscan.dumpb(database)
    if len(_in_process) >= MAX_FILES:
        _in_process.clear()
    _in_process[key] = serialized
    _write(key, serialized)
    return database


def _key(expressions: list[tuple[bytes, int]]) -> str:
    digest = hashlib.sha256()
    for part in (hyperscan.__version__, platform.machine(), platform.system()):
        digest.update(part.encode() + b"\0")
    for source, flags in expressions:
        digest.update(source + b"\0" + str(flags).encode() + b"\0")
    return digest.hexdigest()[:32]


def _path(key: str) -> Path:
    return cache_dir() / f"hyperscan-{key}.db"


def _read(key: str) -> bytes | None:
    try:
        return _path(key).read_bytes()
    except OSError:
        return None


def _write(key: str, serialized: bytes) -> None:
    """Store atomically (a reader never sees half a file); give up quietly."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".hyperscan-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(serialized)
            os.replace(temporary, _path(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("hyperscan-*.db"), key=lambda path: path.stat().st_mtime)
    for old in files[:-MAX_FILES]:
        old.unlink(missing_ok=True)
