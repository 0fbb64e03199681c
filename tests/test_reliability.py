"""Lossless, idempotent, contained: restore rebuilds the raw bytes, a second run
changes nothing, and nothing is written outside the output folder or left half
written."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from itertools import islice
from pathlib import Path
from unittest.mock import patch

import pytest

from normalize.cli import main
from normalize.edits import restore
from normalize.pipeline import MAX_SWEEPS, Normalizer
from normalize.textio import (
    AtomicFiles,
    InputError,
    remove_stale_temporaries,
    safe_output_path,
    temporary_name,
)

from .conftest import BENCH_CORPUS, raw_documents

BENCH_SAMPLE = 500

# Mojibake, an entity, trailing spaces, CRLF, a BOM, invalid bytes, blank-line
# runs and chrome lines, all crowded on the same few lines, so that the
# encoding, layout and boilerplate passes edit overlapping regions in turn.
CROWDED = (
    b"\xef\xbb\xbfChina\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s caf\xe9 &amp; talks  \r\n"
    b"\r\n\r\n\r\n"
    b"Leave a Reply \xc2\xa0\r\n"
    b"Home \xc2\xbb World \xc2\xbb Asia\t\r"
    b"Source: Reuters \x00\r\n"
    b"Talks ended.\xe2\x80\x9d\xff  \r\n\r\n"
)


def normalize_file(tmp_path: Path, data: bytes, name: str = "a.txt") -> Path:
    """`normalize FILE -o OUT --edits`; the output folder."""
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out"
    assert main([str(source), "-o", str(out), "--edits", "-q"]) == 0
    return out


def restore_cli(out: Path, name: str = "a.txt") -> bytes:
    stem = Path(name).stem
    restored = out.parent / f"{stem}.restored"
    args = ["restore", str(out / name), str(out / f"{stem}.edits.jsonl"), "-o", str(restored)]
    assert main(args) == 0
    return restored.read_bytes()


def test_what_a_later_pass_leaves_for_an_earlier_one_is_done_in_the_same_run(
    normalizer: Normalizer,
) -> None:
    raw = "Para one. He said. So.\n\nShare this. Stated.\n\nPara two said He went.\n"
    result = normalizer.normalize_and_explain(raw, as_file=True)
    # sentences drops the orphan "Stated.", then boilerplate the share prompt it uncovered
    assert result.text == "Para one. He said. So.\n\nPara two said He went.\n"
    assert [(e.pass_name, e.rule) for e in result.edits][-2:] == [
        ("sentences", "ORPHAN_ATTRIBUTION"),
        ("boilerplate", "SHARE_PROMPT"),
    ]
    assert restore(result.text, result.edits) == raw
    assert normalizer.normalize(result.text, as_file=True) == result.text
    notes = [(n.pass_name, n.rule, n.text) for n in result.notes]
    assert len(notes) == len(set(notes)) == 1  # the sentences pass ran twice, noted once


def test_passes_that_undo_each_other_stop_with_a_warning(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, before, after in (("10-ping.yaml", "ping", "pong"), ("20-pong.yaml", "pong", "ping")):
        (rules / name).write_text(
            f"""pass: {before}
action: regex_replace
description: {before} to {after}
rules:
  - id: {before.upper()}
    pattern: '\\b{before}\\b'
    replacement: {after}
    message: {before} is {after}.
    examples:
      - input: a {before}.
        output: a {after}.
      - input: a {before}er.
""",
            encoding="utf-8",
        )
    normalizer = Normalizer.from_rules(rules)
    result = normalizer.normalize_and_explain("ping")
    assert result.text == "ping" and len(result.edits) == 2 * MAX_SWEEPS
    assert result.warnings == [
        f"the passes were still changing each other's output after {MAX_SWEEPS} sweeps; "
        "a second run may change it again"
    ]
    assert restore(result.text, result.edits) == "ping"


def test_a_combining_accent_stays_on_its_letter(normalizer: Normalizer) -> None:
    raw = "Antony Blinke\u0144\u0301 and Anthony Brinken\u0308 arrived.\n"  # no n with diaeresis
    assert normalizer.normalize(raw, as_file=True) == raw  # no name repaired under an accent


def test_crowded_edits_of_three_passes_restore_exactly(normalizer: Normalizer) -> None:
    raw = CROWDED.decode("utf-8", errors="surrogateescape")
    result = normalizer.normalize_and_explain(raw, as_file=True)
    assert result.text == "China’s café & talks\n\nTalks ended.”ÿ\n"
    assert {e.pass_name for e in result.edits} == {"encoding", "layout", "boilerplate"}
    assert restore(result.text, result.edits) == raw


def test_crowded_bytes_restore_exactly_through_the_command_line(tmp_path: Path) -> None:
    out = normalize_file(tmp_path, CROWDED)
    assert (out / "a.txt").read_bytes() == "China’s café & talks\n\nTalks ended.”ÿ\n".encode()
    assert restore_cli(out) == CROWDED


@pytest.mark.parametrize("path", raw_documents(), ids=lambda p: p.stem)
def test_every_corpus_document_restores_through_the_command_line(tmp_path, path: Path) -> None:
    assert restore_cli(normalize_file(tmp_path, path.read_bytes(), path.name), path.name) == (
        path.read_bytes()
    )


def test_unrepaired_bytes_restore_exactly(tmp_path: Path) -> None:
    # With the repair of invalid bytes switched off they stay in the output as
    # they came, and restore still gives the same bytes back.
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "20-layout.yaml").write_text(
        (Path(__file__).parent.parent / "rules" / "20-layout.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    raw = b"The caf\xe9 on the corner  \r\nA\x00 li\x00ne.\r\n"
    source = tmp_path / "a.txt"
    source.write_bytes(raw)
    out = tmp_path / "out"
    assert main(["--rules", str(rules), str(source), "-o", str(out), "--edits", "-q"]) == 0
    assert (out / "a.txt").read_bytes() == b"The caf\xe9 on the corner\nA\x00 li\x00ne.\n"
    assert restore_cli(out) == raw


def test_restore_of_an_explain_file_picks_the_document(tmp_path: Path) -> None:
    docs = raw_documents()[:2]
    explain = tmp_path / "explain.jsonl"
    out = tmp_path / "out"
    assert main([*map(str, docs), "-o", str(out), "--explain", str(explain), "-q"]) == 0
    restored = tmp_path / "restored.txt"
    args = ["restore", str(out / docs[1].name), str(explain), "--doc", docs[1].name]
    assert main([*args, "-o", str(restored)]) == 0
    assert restored.read_bytes() == docs[1].read_bytes()


def test_restore_refuses_edits_of_another_document(tmp_path: Path, capsys) -> None:
    out = normalize_file(tmp_path, CROWDED)
    other = tmp_path / "other.txt"
    other.write_bytes(b"Something else entirely.\n")
    capsys.readouterr()
    assert main(["restore", str(other), str(out / "a.edits.jsonl")]) == 1
    assert capsys.readouterr().err == (
        f"normalize: {out / 'a.edits.jsonl'}: these edits belong to another output "
        "(its checksum differs)\n"
    )


@pytest.mark.parametrize("path", raw_documents(), ids=lambda p: p.stem)
def test_corpus_output_is_a_fixed_point(normalizer: Normalizer, path: Path) -> None:
    once = normalizer.normalize(path.read_text(encoding="utf-8"), as_file=True)
    again = normalizer.normalize_and_explain(once, as_file=True)
    assert again.text == once and not again.edits


def bench_texts(count: int) -> list[str]:
    with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as stream:
        return [json.loads(line)["text"] for line in islice(stream, count)]


@pytest.mark.skipif(not BENCH_CORPUS.exists(), reason=f"bench corpus absent ({BENCH_CORPUS})")
def test_bench_sample_restores_and_is_a_fixed_point(normalizer: Normalizer) -> None:
    problems = []
    for number, text in enumerate(bench_texts(BENCH_SAMPLE), start=1):
        for as_file in (False, True):
            result = normalizer.normalize_and_explain(text, as_file=as_file)
            if restore(result.text, result.edits) != text:
                problems.append(f"document {number}: restore differs")
            again = normalizer.normalize_and_explain(result.text, as_file=as_file)
            if again.edits:
                changes = [(e.rule, e.before, e.after) for e in again.edits[:3]]
                problems.append(f"document {number} (as_file={as_file}): second run {changes}")
    assert not problems, "\n".join(problems[:20])


# --- the output folder: nothing outside it, nothing half written ------------


@pytest.mark.parametrize("name", ["../x.txt", "a/../../x.txt", "/etc/x.txt", ".", "..", ""])
def test_output_names_cannot_leave_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="would leave the output folder"):
        safe_output_path(tmp_path / "out", name)


def test_a_symlink_in_the_output_folder_is_not_followed_outside(tmp_path: Path, capsys) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside.txt"
    out.mkdir()
    outside.write_text("precious\n", encoding="utf-8")
    (out / "a.txt").symlink_to(outside)
    source = tmp_path / "in" / "a.txt"
    source.parent.mkdir()
    source.write_text("Text.\n", encoding="utf-8")
    assert main([str(source), "-o", str(out), "-q"]) == 1
    assert outside.read_text(encoding="utf-8") == "precious\n"
    assert "would leave the output folder" in capsys.readouterr().err


def test_the_output_never_replaces_its_input(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"Text.  \n")
    (folder / "b.txt").write_bytes(b"More.  \n")
    assert main([str(folder), "-o", str(folder), "-q"]) == 2
    assert (folder / "a.txt").read_bytes() == b"Text.  \n"
    (line,) = capsys.readouterr().err.splitlines()  # once, not once per file
    assert (
        line
        == f"normalize: error: the output {folder / 'a.txt'} would overwrite the input "
        + str(folder / "a.txt")
    )


def test_json_ids_never_name_files(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = work / "in.jsonl"
    ids = ["../../escaped", "/tmp/escaped", "..", "a/../../b"]
    source.write_text(
        "".join(json.dumps({"id": i, "text": "Text.  "}) + "\n" for i in ids), encoding="utf-8"
    )
    out = work / "out"
    assert main(["--jsonl", str(source), "-o", str(out), "--edits", "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["in.edits.jsonl", "in.jsonl"]
    assert sorted(p.name for p in work.iterdir()) == ["in.jsonl", "out"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    records = map(json.loads, (out / "in.edits.jsonl").read_text(encoding="utf-8").splitlines())
    heads = [record for record in records if record["kind"] == "doc"]
    assert [(r["line"], r["id"]) for r in heads] == list(enumerate(ids, start=1))  # data only


def test_atomic_files_appear_together_or_not_at_all(tmp_path: Path) -> None:
    with AtomicFiles() as files:
        files.open(tmp_path / "a.txt").write(b"text")
        files.open(tmp_path / "a.edits.jsonl", text=True).write("edits")
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
    assert (tmp_path / "a.txt").read_bytes() == b"text"
    assert (tmp_path / "a.edits.jsonl").read_text() == "edits"
    with pytest.raises(KeyboardInterrupt), AtomicFiles() as files:
        files.open(tmp_path / "b.txt").write(b"half")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.edits.jsonl", "a.txt"]


def test_atomic_files_are_as_readable_as_any_new_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"text")
    with AtomicFiles() as files:
        files.open(tmp_path / "out.txt").write(b"text")
    assert (tmp_path / "out.txt").stat().st_mode == plain.stat().st_mode


def test_stale_temporary_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = int(finished.stdout)
    with patch("os.getpid", return_value=dead):
        stale = tmp_path / temporary_name(tmp_path / "a.txt")
    ours = tmp_path / temporary_name(tmp_path / "b.txt")  # a live writer's
    # A user's own files, however much they look like ours: a name of the old
    # scheme, one with a made-up check, and one whose check was copied from a
    # real name but with another file name.
    forged = stale.name.replace(".a.txt.", ".c.txt.")
    users = [
        f".a.txt.{dead}.k2j4h5g6.tmp",
        "notes.tmp",
        forged,
        f".x.{dead}.{'0' * 16}.{'1' * 16}.normalize-tmp",
    ]
    for path in (stale, ours, *(tmp_path / name for name in users)):
        path.write_bytes(b"partial")
    assert remove_stale_temporaries(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ours.name, *users])


def test_a_run_never_deletes_a_users_file_named_like_a_temporary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # What the temporary files of version 0.1 looked like, with a process id
    # that no process can have: the user's own file, kept.
    mine = out / ".a.txt.4194305.abcdefgh.tmp"
    mine.write_bytes(b"my notes")
    source = tmp_path / "a.txt"
    source.write_bytes(b"Text.\n")
    assert main([str(source), "-o", str(out), "-q"]) == 0
    assert mine.read_bytes() == b"my notes"
