"""`normalize restore`: every output the tool writes comes back to its input with one
command, and an edits file that is not complete, intact and this output's own is
refused in one line, with nothing written.

The mutation test takes real edits files (a folder run, a JSON Lines run with
statistics, a multi-document --explain file) and damages them at random in every
way a file gets damaged: cut short, a line lost, doubled or moved, a byte
changed, a value changed (also with the file's checksum written again, as a
program that knows the format would). Every mutation must be refused in one
line, or restore exactly.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from normalize.cli import main

from .conftest import RAW_DIR, raw_documents, rewrite_edits_file

ROWS = [
    {"id": 1, "text": "Secretary Anthony Brinken arrived. on tuesday.  ", "n": 1.0e10},
    {"id": "1", "text": None},
    {"text": "it\u00e2\u20ac\u2122s the view &amp; more\nLeave a Reply\n"},
    {"id": 4, "text": "Nothing to repair."},
    {"id": 5, "text": "tensionsThe talks \ud83d broke down"},
]


def run(*args: str) -> int:
    return main([*args])


def write_rows(path: Path) -> bytes:
    data = "".join(json.dumps(row) + "\n" for row in ROWS).encode("utf-8")
    path.write_bytes(data + b"not json\n")
    return path.read_bytes()


def test_a_folder_run_restores_with_one_command(tmp_path: Path) -> None:
    assert run(str(RAW_DIR), "-o", str(tmp_path / "out"), "--edits", "-q") == 0
    assert run("restore", str(tmp_path / "out"), "-o", str(tmp_path / "raw")) == 0
    for path in raw_documents():
        assert (tmp_path / "raw" / path.name).read_bytes() == path.read_bytes()


def test_a_json_lines_run_restores_with_one_command(tmp_path: Path, capsysbinary) -> None:
    source = tmp_path / "in.jsonl"
    data = write_rows(source)
    out = tmp_path / "out"
    assert run("--jsonl", str(source), "-o", str(out), "--edits", "--stats-field", "dmg") == 1
    capsysbinary.readouterr()
    # As the issue typed it: the output and the edits file beside it, to stdout.
    assert run("restore", str(out / "in.jsonl"), str(out / "in.edits.jsonl")) == 0
    assert capsysbinary.readouterr().out == data


def test_a_multi_document_explain_file_restores_without_doc(tmp_path: Path) -> None:
    explain = tmp_path / "explain.jsonl"
    out = tmp_path / "out"
    assert run(str(RAW_DIR), "-o", str(out), "--explain", str(explain), "-q") == 0
    for path in raw_documents():  # each output finds its own input by its checksum
        target = tmp_path / f"{path.stem}.back"
        assert run("restore", str(out / path.name), str(explain), "-o", str(target)) == 0
        assert target.read_bytes() == path.read_bytes()
    assert run("restore", str(out), str(explain), "-o", str(tmp_path / "all")) == 0
    for path in raw_documents():
        assert (tmp_path / "all" / path.name).read_bytes() == path.read_bytes()


def test_stdout_runs_restore_from_their_explain_file(tmp_path: Path, capsysbinary) -> None:
    source = tmp_path / "in.jsonl"
    data = write_rows(source)
    explain = tmp_path / "explain.jsonl"
    assert run("--jsonl", str(source), "--explain", str(explain), "-q") == 1
    (tmp_path / "out.jsonl").write_bytes(capsysbinary.readouterr().out)
    assert run("restore", str(tmp_path / "out.jsonl"), str(explain)) == 0
    assert capsysbinary.readouterr().out == data


@pytest.mark.parametrize(
    "edits, problem",
    [
        (b"", "empty: an edits file starts with its header"),
        (b'{"kind": "edit"}\n', "no header: not an edits file of this program"),
        (
            b'{"kind": "header", "format": "normalize-edits", "version": 2}\n',
            "no end record: the file is incomplete (cut short?)",
        ),
    ],
)
def test_empty_and_headless_edits_files_are_refused(tmp_path, capsys, edits, problem) -> None:
    clean = tmp_path / "a.txt"
    clean.write_text("Text.\n")
    (tmp_path / "e.jsonl").write_bytes(edits)
    assert run("restore", str(clean), str(tmp_path / "e.jsonl"), "-o", str(tmp_path / "r")) == 1
    assert capsys.readouterr().err.startswith(f"normalize: {tmp_path / 'e.jsonl'}: {problem}")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "field, value",
    [("start", 1e400), ("after", 5), ("before", None), ("step", -1), ("end", "9")],
)
def test_bad_values_are_refused_by_restore_and_report(tmp_path, capsys, field, value) -> None:
    source = tmp_path / "raw" / "a.txt"
    source.parent.mkdir()
    source.write_text("Hello  \nLeave a Reply\n")
    out = tmp_path / "out"
    assert run(str(source), "-o", str(out), "--edits", "-q") == 0
    edits = out / "a.edits.jsonl"

    def spoil(body: list[dict]) -> None:
        next(r for r in body if r["kind"] == "edit")[field] = value

    rewrite_edits_file(edits, spoil)  # checksummed again: only the value is wrong
    assert run("restore", str(out / "a.txt"), "-o", str(tmp_path / "r")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"'{field}' is " in err and "Traceback" not in err
    assert run("report", str(out), "-o", str(tmp_path / "r.html"), "-q") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"'{field}' is " in err and "Traceback" not in err


def test_edits_of_a_truncated_copy_are_refused(tmp_path, capsys) -> None:
    # The repro: `head -n11 X.edits.jsonl > e; normalize restore X.txt e`.
    raw = max(raw_documents(), key=lambda p: p.stat().st_size)
    assert run(str(raw), "-o", str(tmp_path), "--edits", "-q") == 0
    lines = (tmp_path / f"{raw.stem}.edits.jsonl").read_bytes().splitlines(keepends=True)
    (tmp_path / "e").write_bytes(b"".join(lines[:11]))
    assert run("restore", str(tmp_path / raw.name), str(tmp_path / "e")) == 1
    assert capsys.readouterr().err == (
        f"normalize: {tmp_path / 'e'}: no end record: the file is incomplete (cut short?)\n"
    )


# --- the mutation test ---------------------------------------------------------------


def mutate(data: bytes, rng: random.Random) -> bytes:
    """The edits file damaged in one random way."""
    lines = data.splitlines(keepends=True)
    how = rng.choice(["cut", "drop", "double", "swap", "byte", "digit", "empty"])
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if how == "cut":
        return data[: rng.randrange(len(data))]
    if how == "drop":
        del lines[i]
    elif how == "double":
        lines.insert(i, lines[i])
    elif how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "byte":
        at = rng.randrange(len(data))
        return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
    elif how == "digit":
        digits = [k for k, char in enumerate(data) if chr(char).isdigit()]
        at = rng.choice(digits)
        return data[:at] + str((int(chr(data[at])) + 1) % 10).encode() + data[at + 1 :]
    else:
        return b""
    return b"".join(lines)


def resign(path: Path, rng: random.Random) -> None:
    """A value changed and the file's checksum written again: only the
    per-document and per-input checksums can tell."""

    def change(body: list[dict]) -> None:
        record = rng.choice(body)
        key = rng.choice([k for k in record if k not in ("kind",)])
        value = record[key]
        if isinstance(value, bool) or value is None:
            record[key] = not value
        elif isinstance(value, int):
            record[key] = value + rng.choice([-1, 1])
        elif isinstance(value, str):
            record[key] = value[:-1] + "x" if value else "x"
        else:
            record[key] = None

    rewrite_edits_file(path, change)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[tuple[str, Path, Path, Path, Path]]:
    """(name, output, edits file, raw input, work folder) of real runs."""
    work = tmp_path_factory.mktemp("runs")
    made = []
    folder = work / "folder"
    assert main([str(RAW_DIR), "-o", str(folder), "--edits", "-q"]) == 0
    for path in raw_documents()[:3]:
        made.append((path.name, folder / path.name, folder / f"{path.stem}.edits.jsonl", path))
    source = work / "in.jsonl"
    write_rows(source)
    rows = work / "rows"
    main(["--jsonl", str(source), "-o", str(rows), "--edits", "--stats-field", "dmg", "-q"])
    made.append(("jsonl", rows / "in.jsonl", rows / "in.edits.jsonl", source))
    explain = work / "explain.jsonl"
    assert main([str(RAW_DIR), "-o", str(work / "ex"), "--explain", str(explain), "-q"]) == 0
    last = raw_documents()[-1]
    made.append(("explain", work / "ex" / last.name, explain, last))
    return [(name, out, edits, raw, work) for name, out, edits, raw in made]


MUTATIONS = 60  # per run: 300 in all


@pytest.mark.parametrize("index", range(5), ids=["doc0", "doc1", "doc2", "jsonl", "explain"])
def test_every_mutation_of_a_real_edits_file_is_refused_or_restores_exactly(
    runs, index, tmp_path, capsys
) -> None:
    name, output, edits, raw, _work = runs[index]
    rng = random.Random(f"mutations-{name}")
    original = edits.read_bytes()
    refused = 0
    for number in range(MUTATIONS):
        damaged = tmp_path / f"{number}.edits.jsonl"
        if number % 4 == 3:
            shutil.copy(edits, damaged)
            resign(damaged, rng)
        else:
            damaged.write_bytes(mutate(original, rng))
        target = tmp_path / f"{number}.restored"
        code = main(["restore", str(output), str(damaged), "-o", str(target)])
        err = capsys.readouterr().err
        if code == 0:
            assert target.read_bytes() == raw.read_bytes(), f"mutation {number} restored wrong"
            continue
        refused += 1
        assert code == 1 and err.count("\n") == 1, f"mutation {number}: {err!r}"
        assert err.startswith(f"normalize: {damaged}: ") and "Traceback" not in err
        assert not target.exists(), "a refused restore wrote a file"
    # What restores exactly is a change that does not matter to the bytes: a
    # message, a rule's or a pass's name, a note, an id, another input's records.
    assert refused >= MUTATIONS * 0.75
