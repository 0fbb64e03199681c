"""Tables derived from fixed inputs, kept on disk between runs.

Some tables take longer to build than everything else a run does before its
first document: the Hyperscan database of the rules' patterns (half a second to
compile), symspellpy's bigram counts (a fifth of a second to parse), the
lexicon and the name lists (a few hundredths each). Each
depends only on its inputs and the software that built it, so it is built
once, stored under a key made of those, and read back in a fraction of the
time: from $NORMALIZE_CACHE_DIR, else $XDG_CACHE_HOME/normalize, else
~/.cache/normalize. A folder that cannot be read or written costs only the
building time, an entry that cannot be read back is built again, and the folder
keeps the MAX_FILES most recently written entries.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from normalize.rule_files import RuleFileError, read_rule_bytes

MAX_FILES = 64
T = TypeVar("T")
_in_process: dict[str, bytes] = {}  # the same tables asked for again (tests, tools)


def cache_dir() -> Path:
    explicit = os.environ.get("NORMALIZE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "normalize"


def cached(
    kind: str,
    inputs: Iterable[bytes],
    build: Callable[[], T],
    dump: Callable[[T], bytes],
    load: Callable[[bytes], T],
) -> T:
    """`build()`, or what `load` reads back from the entry `dump` wrote for the same inputs.

    `inputs` must name everything the table depends on, versions included.
    Errors of `build` propagate; nothing is stored then.
    """
    digest = hashlib.sha256(kind.encode())
    for part in inputs:
        digest.update(len(part).to_bytes(8, "little"))  # no two lists of parts alike
        digest.update(part)
    key = f"{kind}-{digest.hexdigest()[:32]}"
    stored = _in_process.get(key) or _read(key)
    if stored is not None:
        try:
            return load(stored)
        except Exception:
            pass
    table = build()
    stored = dump(table)
    if len(_in_process) >= MAX_FILES:
        _in_process.clear()
    _in_process[key] = stored
    _write(key, stored)
    return table


def cached_from_files(kind: str, paths: Sequence[Path], build: Callable[[], T]) -> T:
    """`build()`, a table of plain data (what marshal stores) made from the files
    `paths` alone, kept under their contents (in order), not their names: a copy
    of the rules folder shares the entries of the original. Reading and hashing
    a file costs a small part of parsing it, and unlike its modification time,
    which the clock only updates every few milliseconds, cannot miss a change.
    A file that cannot be read is left to `build` to report."""
    try:
        contents = [read_rule_bytes(path) for path in paths]
    except RuleFileError:
        return build()
    # marshal's format follows Python's version
    return cached(kind, [sys.version.encode(), *contents], build, marshal.dumps, marshal.loads)


def _path(key: str) -> Path:
    return cache_dir() / f"{key}.bin"


def _read(key: str) -> bytes | None:
    try:
        return _path(key).read_bytes()
    except OSError:
        return None


def _write(key: str, stored: bytes) -> None:
    """Store atomically (a reader never sees half a file); give up quietly."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(stored)
            os.replace(temporary, _path(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.bin"), key=lambda path: path.stat().st_mtime)
    for old in entries[:-MAX_FILES]:
        old.unlink(missing_ok=True)
