"""The command-line contract: filter, folders, explain, JSON Lines, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from normalize.cli import main
from normalize.edits import read_records, restore

from .conftest import ROOT, raw_documents


def run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "normalize", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_stdin_to_stdout_equals_the_folder_output(tmp_path: Path) -> None:
    assert main([*map(str, raw_documents()), "-o", str(tmp_path), "-q"]) == 0
    for path in raw_documents():
        piped = run([], stdin=path.read_bytes())
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout == (tmp_path / path.name).read_bytes()


def test_folder_run_writes_text_edits_and_a_summary(tmp_path: Path, capsys) -> None:
    assert main([str(ROOT / "corpus" / "raw"), "-o", str(tmp_path), "--edits"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith("002_80314923cb317ff3.txt: ") and "boilerplate 3" in line for line in err
    )
    assert err[-1].startswith("total: 5 documents")
    for path in raw_documents():
        clean = (tmp_path / path.name).read_text(encoding="utf-8")
        with (tmp_path / f"{path.stem}.edits.jsonl").open(encoding="utf-8") as stream:
            edits = [
                record for _, record in read_records(stream) if record.to_json()["kind"] == "edit"
            ]
        assert restore(clean, edits) == path.read_text(encoding="utf-8")


def test_explain_writes_json_lines(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Leave a Reply\nHello  \n", encoding="utf-8")
    explain = tmp_path / "edits.jsonl"
    result = run([str(source), "--explain", str(explain)])
    assert result.returncode == 0 and result.stdout == b"Hello\n"
    lines = [json.loads(line) for line in explain.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in lines] == ["header", "doc", "edit", "edit", "input", "end"]
    records = lines[2:4]
    assert {(r["pass"], r["rule"]) for r in records} == {
        ("layout", "TRAILING_WHITESPACE"),
        ("boilerplate", "COMMENT_FORM"),
    }
    assert all(r["doc"] == "a.txt" and r["kind"] == "edit" for r in records)


def test_restore_subcommand_rebuilds_the_raw_bytes(tmp_path: Path) -> None:
    raw = raw_documents()[1]
    assert main([str(raw), "-o", str(tmp_path), "--edits", "-q"]) == 0
    out = tmp_path / "restored.txt"
    assert (
        main(
            [
                "restore",
                str(tmp_path / raw.name),
                str(tmp_path / f"{raw.stem}.edits.jsonl"),
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes() == raw.read_bytes()


def test_jsonl_cleans_one_field_keeps_the_rest_and_every_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Hello  \nLeave a Reply\n", "source": "x"}),
        "{not json",
        json.dumps({"id": "b", "body": "no text field"}),
        json.dumps({"id": "c", "text": "Fine."}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(["--jsonl", "--field", "text", str(source)])
    assert result.returncode == 1  # a line that is not JSON could not be processed
    out = result.stdout.decode().splitlines()
    assert out == [json.dumps({"id": "a", "text": "Hello\n", "source": "x"}), *lines[1:]]
    err = result.stderr.decode().splitlines()
    assert err == [
        f"normalize: {source}: 1 line is not valid JSON, written as it came (line 2: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        f"normalize: {source}: 1 row has no field 'text', written as it came (line 3)",
    ]


def test_empty_input_gives_empty_output() -> None:
    result = run([])
    assert result.returncode == 0 and result.stdout == b"" and result.stderr == b""


def test_invalid_utf8_is_repaired_and_reported() -> None:
    result = run([], stdin=b"Caf\xe9 au lait\n")
    assert result.returncode == 0
    assert result.stdout == "Café au lait\n".encode()
    assert b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr


def test_binary_input_is_refused_in_one_line(tmp_path: Path) -> None:
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    result = run([str(image)])
    assert result.returncode == 1
    assert (
        result.stderr.decode().strip() == f"normalize: {image}: looks like a binary file, not text"
    )


def test_one_unreadable_file_does_not_stop_the_others(tmp_path: Path, capsys) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("Fine.\n", encoding="utf-8")
    bad.symlink_to(tmp_path / "gone.txt")  # a dangling link: opening it fails
    out = tmp_path / "out"
    assert main([str(good), str(bad), "-o", str(out), "-q"]) == 1
    assert (out / "good.txt").read_text() == "Fine.\n"
    assert not (out / "bad.txt").exists()
    assert "bad.txt" in capsys.readouterr().err


def test_help_shows_examples() -> None:
    result = run(["--help"])
    assert result.returncode == 0
    assert b"examples:" in result.stdout and b"--jsonl --field text" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["a.txt", "b.txt"], "several inputs need -o DIR"),
        (["--edits"], "--edits writes next to the outputs"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], message: str, capsys) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    assert main([str(raw_documents()[0]), "-o", str(tmp_path), "--edits", "-q"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "000_8ab4c30249cbedf2.edits.jsonl",
        "000_8ab4c30249cbedf2.txt",
    ]


def test_check_subcommand_runs_every_example(capsys) -> None:
    assert main(["check"]) == 0
    assert "examples: all hold" in capsys.readouterr().out
