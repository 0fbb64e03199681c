"""What a run reads and writes, settled before it reads a byte.

Folders are walked recursively for the files whose names match `--glob`; each
input keeps its path under the folder it was found in, so that `-o DIR` mirrors
the tree. Everything the run would write (outputs, edits files, the --explain
file, stdout when it is a file) is checked against the inputs and against each
other first: a run that would overwrite an input, or write two things to one
place, is refused once, before it starts.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from normalize.compression import plain_name

# The --glob of a run that does not give one: plain text, or JSON Lines.
DEFAULT_GLOBS = {False: ("*.txt",), True: ("*.jsonl",)}
# What the run writes beside each output with --edits; never taken as an input
# from a folder (a second run over a first run's output reads its texts only).
EDITS_SUFFIX = ".edits.jsonl"
# Suffixes of JSON Lines files, which a text run would take for one huge document.
JSONL_SUFFIXES = (".jsonl", ".ndjson")
EXAMPLES_SHOWN = 3


class UsageError(Exception):
    """A command line that cannot be run; reported in one line, exit status 2."""


@dataclass(frozen=True, slots=True)
class Source:
    """An input file and where its output goes, relative to the output folder."""

    path: Path
    name: PurePath  # the path under the folder it was found in, or the file's own name


@dataclass(slots=True)
class Skipped:
    """Files (and folders) the walk of the input folders passed over, by reason."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, path: Path) -> None:
        self.counts[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES_SHOWN:
            shown.append(str(path))

    def describe(self) -> str:
        """One line: how many of each, with the first few of each."""
        total = sum(self.counts.values())
        parts = []
        for reason, count in self.counts.items():
            shown = self.examples[reason]
            more = ", …" if count > len(shown) else ""
            parts.append(f"{count} {reason} ({', '.join(shown)}{more})")
        return f"skipped {total} in the input folders: {'; '.join(parts)}"


def find_inputs(
    paths: Sequence[Path], globs: Sequence[str], *, output: Path | None = None
) -> tuple[list[Source], Skipped]:
    """Files as given; folders walked recursively for files matching `globs`.

    Hidden files and folders, edits files the tool wrote, folder links (which
    could loop) and anything inside the output folder are passed over and
    counted. Two inputs with the same output name are refused.
    """
    sources: list[Source] = []
    skipped = Skipped()
    exclude = output.resolve() if output is not None else None
    for path in paths:
        if path.is_dir():
            # The output folder inside an input folder is passed over (it holds
            # a previous run's outputs); the output folder itself given as input
            # is walked, and the run refused by check_outputs.
            sources.extend(_walk(path, globs, exclude, skipped))
        else:
            sources.append(Source(path, PurePath(path.name)))
    _refuse_shared_names(sources)
    return sources, skipped


def _walk(
    folder: Path, globs: Sequence[str], exclude: Path | None, skipped: Skipped
) -> list[Source]:
    found: list[Source] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            skipped.add(f"unreadable folder ({error.strerror})", current)
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                skipped.add("hidden", path)
            elif entry.is_dir(follow_symlinks=False):
                if exclude is not None and path.resolve() == exclude:
                    skipped.add("in the output folder", path)
                else:
                    pending.append(path)
            elif entry.is_dir():
                skipped.add("links to folders", path)
            elif plain_name(entry.name).endswith(EDITS_SUFFIX):
                skipped.add("edits files", path)
            elif not matches(entry.name, globs):
                skipped.add(f"not matching {' or '.join(globs)}", path)
            else:
                found.append(Source(path, PurePath(path.relative_to(folder))))
    return sorted(found, key=lambda source: source.path.parts)


def matches(name: str, globs: Sequence[str]) -> bool:
    """Whether a file name matches one of the globs, as it is or without its
    compression extension (`a.txt.gz` is read by `*.txt`, through gzip)."""
    plain = plain_name(name)
    return any(
        fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(plain, glob) for glob in globs
    )


def _refuse_shared_names(sources: list[Source]) -> None:
    names = Counter(source.name for source in sources)
    clashes = sorted(str(name) for name, count in names.items() if count > 1)
    if clashes:
        raise UsageError(f"two inputs share the name {clashes[0]!r}; outputs would collide")


def refuse_jsonl_as_text(paths: Iterable[Path]) -> None:
    """A JSON Lines file read as text would be one document of all its lines:
    say what to add instead of making it."""
    for path in paths:
        if plain_name(path.name).lower().endswith(JSONL_SUFFIXES):
            raise UsageError(
                f"{path} is JSON Lines: add --jsonl (and --field NAME if the text is not in 'text')"
            )


@dataclass(frozen=True, slots=True)
class Output:
    """Something the run writes: a path, and what it is, for the message."""

    path: Path
    role: str  # "output", "edits file", "--explain", "stdout"


def check_outputs(inputs: Iterable[Path], outputs: Sequence[Output]) -> None:
    """Refuse a run that would overwrite one of its inputs, or write two things
    to one file. Existing files are compared by device and inode, so links and
    other spellings of a path are caught too."""
    identities = {_identity(path): path for path in inputs}
    identities.pop(None, None)
    seen: dict[Path, Output] = {}
    for output in outputs:
        identity = _identity(output)
        if identity is not None and identity in identities:
            label = "stdout" if output.role == "stdout" else f"the {output.role} {output.path}"
            raise UsageError(f"{label} would overwrite the input {identities[identity]}")
        if output.role == "stdout":
            continue
        where = output.path.resolve()
        if where in seen:
            first = seen[where]
            raise UsageError(
                f"the {output.role} {output.path} and the {first.role} {first.path} "
                "would be the same file"
            )
        seen[where] = output


def _identity(output: Output | Path) -> tuple[int, int] | None:
    """Device and inode of an existing file (of stdout, for the stdout output)."""
    try:
        if isinstance(output, Output) and output.role == "stdout":
            info = os.fstat(sys.stdout.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None  # a terminal or a pipe: nothing to overwrite
        else:
            info = (output.path if isinstance(output, Output) else output).stat()
    except (OSError, ValueError, AttributeError):
        return None
    return info.st_dev, info.st_ino


def plan_outputs(
    sources: Sequence[Source],
    output: Path | None,
    *,
    edits_path: Callable[[Path], Path] | None,
    explain: Path | None,
) -> dict[Path, Path]:
    """Each input's output file under `output` (none without -o), after checking
    that nothing the run writes is an input or written twice."""
    targets = {source.path: output / source.name for source in sources} if output else {}
    planned = [Output(target, "output") for target in targets.values()]
    if edits_path is not None:
        planned += [Output(edits_path(target), "edits file") for target in targets.values()]
    if explain is not None:
        planned.append(Output(explain, "--explain"))
    if output is None:
        planned.append(Output(Path("-"), "stdout"))
    check_outputs((source.path for source in sources), planned)
    return targets
