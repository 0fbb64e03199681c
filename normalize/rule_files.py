"""Reading the files of a rules folder: regular files only, of bounded size.

A rules folder is input written by people and can hold anything: a named pipe
would block a plain read for ever, a link may point nowhere or at itself, a
folder may carry a rule file's name, a device never ends. Each of these is
refused in one line (RuleFileError), before anything is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_BYTES = 256 * 1024 * 1024  # far beyond any rule or list file; a device never ends

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


class RuleFileError(Exception):
    """A file of a rules folder that cannot be read; the message says why, in words."""


def read_rule_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The contents of the regular file `path`, or RuleFileError."""
    try:
        # Opening a named pipe without O_NONBLOCK waits for a writer.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if error.errno == errno.ENOENT and os.path.islink(path):
            raise RuleFileError("is a link to a file that does not exist") from error
        raise RuleFileError(f"cannot be read: {error.strerror or error}") from error
    kind = stat.S_IFMT(os.fstat(handle).st_mode)
    if kind != stat.S_IFREG:
        os.close(handle)
        raise RuleFileError(f"is {_KINDS.get(kind, 'not a regular file')}, not a file")
    with os.fdopen(handle, "rb") as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise RuleFileError(f"cannot be read: {error.strerror or error}") from error
    if len(data) > limit:
        raise RuleFileError(f"is larger than {limit // (1024 * 1024)} MB")
    return data


def read_rule_text(path: Path) -> str:
    """The UTF-8 text of the regular file `path`; RuleFileError or UnicodeDecodeError."""
    return read_rule_bytes(path).decode("utf-8")
