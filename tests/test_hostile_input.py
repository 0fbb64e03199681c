"""Whatever a scraper produced: each input gets a correct result or one clear line,
in bounded time and memory, and never costs another document its output."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from normalize import cli
from normalize.cli import main
from normalize.edits import read_records, restore

from .conftest import ROOT, raw_documents

BOUND_SECONDS = 300  # a hang guard, not a speed test: see the numbers in docs/reliability.md


def clean_folder(tmp_path: Path, files: dict[str, bytes], *args: str) -> tuple[int, Path]:
    """Write `files` into a folder, run `normalize FOLDER -o OUT --edits` on it."""
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    for name, data in files.items():
        (source / name).write_bytes(data)
    return main([str(source), "-o", str(out), "--edits", "-q", *args]), out


def restored_bytes(out: Path, name: str) -> bytes:
    """`normalize restore` of one output, as the raw bytes it rebuilds."""
    stem = Path(name).stem
    target = out / f"{stem}.restored"
    code = main(["restore", str(out / name), str(out / f"{stem}.edits.jsonl"), "-o", str(target)])
    assert code == 0
    return target.read_bytes()


def measured_run(args: list[str]) -> tuple[subprocess.CompletedProcess[bytes], float, int]:
    """Run the CLI in a fresh process: (result, seconds, peak RSS in MB)."""
    probe = (
        "import resource, sys; from normalize.cli import main; code = main(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr); "
        "sys.exit(code)"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        cwd=ROOT,
        timeout=BOUND_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_mb = int(result.stderr.decode().strip().splitlines()[-1])
    return result, seconds, peak_mb


def test_invalid_utf8_is_repaired_reported_and_restored_byte_for_byte(tmp_path, capsys) -> None:
    raw = b"Caf\xe9 society, na\xefve \xff\xfe? \x93quoted\x94.\n"
    code, out = clean_folder(tmp_path, {"a.txt": raw})
    assert code == 0
    assert (out / "a.txt").read_text(encoding="utf-8") == "Café society, naïve ÿþ? “quoted”.\n"
    assert "a.txt: 6 byte(s) were not valid UTF-8 and were repaired" in capsys.readouterr().err
    assert restored_bytes(out, "a.txt") == raw


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom_are_decoded(tmp_path, capsys, encoding: str) -> None:
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[encoding]
    text = "“Talks” in Zürich ended.\r\nLeave a Reply\r\n"
    code, out = clean_folder(tmp_path, {"a.txt": bom + text.encode(encoding)})
    assert code == 0
    assert (out / "a.txt").read_bytes() == "“Talks” in Zürich ended.\n".encode()
    name = encoding[:6].upper()
    err = capsys.readouterr().err
    assert f"a.txt: decoded from {name} (byte order mark); output is UTF-8" in err
    # Restore writes the text in its encoding again, byte order mark first.
    assert restored_bytes(out, "a.txt") == bom + text.encode(encoding)


def test_utf8_bom_is_removed_and_restored(tmp_path) -> None:
    raw = codecs.BOM_UTF8 + b"Talks ended.\n"
    code, out = clean_folder(tmp_path, {"a.txt": raw})
    assert code == 0 and (out / "a.txt").read_bytes() == b"Talks ended.\n"
    assert restored_bytes(out, "a.txt") == raw


def test_nul_bytes_in_text_are_removed_and_restored(tmp_path) -> None:
    raw = b"Beijing\x00 said on\x00 Monday.\n"
    code, out = clean_folder(tmp_path, {"a.txt": raw})
    assert code == 0 and (out / "a.txt").read_bytes() == b"Beijing said on Monday.\n"
    assert restored_bytes(out, "a.txt") == raw


def test_utf16_without_bom_is_refused_as_binary(tmp_path, capsys) -> None:
    code, out = clean_folder(tmp_path, {"a.txt": "Talks ended.\n".encode("utf-16-le")})
    assert code == 1 and not (out / "a.txt").exists()
    assert capsys.readouterr().err.strip().endswith("a.txt: looks like a binary file, not text")


def test_an_image_is_refused_in_one_line_and_the_others_are_written(tmp_path, capsys) -> None:
    image = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64
    code, out = clean_folder(tmp_path, {"a.txt": b"Fine.\n", "photo.txt": image})
    assert code == 1
    assert (out / "a.txt").read_bytes() == b"Fine.\n" and not (out / "photo.txt").exists()
    err = [line for line in capsys.readouterr().err.splitlines() if "photo.txt" in line]
    assert len(err) == 1 and err[0].endswith("photo.txt: looks like a binary file, not text")


def test_crlf_and_lone_cr_become_newlines_and_are_restored(tmp_path) -> None:
    raw = b"One.\r\nTwo.\rThree.  \r\n\r\n\r\n\r\nFour.\r"
    code, out = clean_folder(tmp_path, {"a.txt": raw})
    assert code == 0 and (out / "a.txt").read_bytes() == b"One.\nTwo.\nThree.\n\nFour.\n"
    assert restored_bytes(out, "a.txt") == raw


@pytest.mark.slow
def test_a_50_mb_single_line_in_bounded_time_and_memory(tmp_path) -> None:
    words = raw_documents()[0].read_text(encoding="utf-8").split()
    line = " ".join(words * (50_000_000 // len(" ".join(words)) + 1))[:50_000_000].rstrip()
    source = tmp_path / "line.txt"
    source.write_text(line, encoding="utf-8")
    out = tmp_path / "out"
    result, seconds, peak_mb = measured_run([str(source), "-o", str(out), "--edits", "-q"])
    assert result.returncode == 0, result.stderr
    # Whatever the passes repair in it, nothing is lost: the edits rebuild the input.
    assert (out / "line.txt").read_text(encoding="utf-8").count("\n") == 1
    assert restored_bytes(out, "line.txt") == line.encode("utf-8")
    print(f"50 MB single line: {seconds:.1f} s, peak RSS {peak_mb} MB")
    assert peak_mb < 1500  # measured about 330 MB: memory is a few times the input


def test_a_million_tiny_lines_in_bounded_time_and_memory(tmp_path) -> None:
    text = "".join(f"Line {i % 997}.\n" for i in range(1_000_000))
    source = tmp_path / "lines.txt"
    source.write_text(text, encoding="utf-8")
    result, seconds, peak_mb = measured_run([str(source), "-o", str(tmp_path / "out"), "-q"])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "lines.txt").read_text(encoding="utf-8") == text
    print(f"a million tiny lines: {seconds:.1f} s, peak RSS {peak_mb} MB")
    assert peak_mb < 1500  # measured about 240 MB


@pytest.mark.parametrize(
    "text",
    [
        "He said \u200fשלום עולם\u200f and \u202bمرحبا بالعالم\u202c today.\n",  # RTL, bidi marks
        "Family 👨\u200d👩\u200d👧\u200d👦, flag 🇺🇸, thumbs 👍🏽, heart ❤️, keycap 1️⃣.\n",  # emoji
        "Zalgo Z\u0335\u0321a\u0334\u0322l\u0336, Vietnamese Nguyễn Tấn Dũng.\n",  # stacked marks
    ],
    ids=["right-to-left", "emoji-sequences", "stacked-combining-marks"],
)
def test_correct_text_in_any_script_comes_out_byte_identical(tmp_path, text: str) -> None:
    code, out = clean_folder(tmp_path, {"a.txt": text.encode()})
    assert code == 0 and (out / "a.txt").read_text(encoding="utf-8") == text


def test_decomposed_accents_are_composed_and_restored(tmp_path) -> None:
    raw = "Cafe\u0301 owner Jose\u0301 Nin\u0303o.\n".encode()
    code, out = clean_folder(tmp_path, {"a.txt": raw})
    assert code == 0 and (out / "a.txt").read_text(encoding="utf-8") == "Café owner José Niño.\n"
    assert restored_bytes(out, "a.txt") == raw


def test_lone_surrogates_in_json_lines(tmp_path) -> None:
    lines = [
        '{"id": "a", "text": "lone \\ud83d high and \\ude00 low"}',
        '{"id": "b", "text": "a pair \\ud83d\\ude00 is an emoji"}',
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--jsonl", str(source), "-o", str(out), "--edits", "-q"]) == 0
    written = (out / "in.jsonl").read_text("utf-8").splitlines()
    # The repaired value is written in the style it came in (escapes), the pair untouched.
    assert written == ['{"id": "a", "text": "lone \\ufffd high and \\ufffd low"}', lines[1]]
    with (out / "in.edits.jsonl").open(encoding="utf-8") as stream:
        edits = [record for doc, record in read_records(stream) if doc == "in.jsonl"]
    assert restore(json.loads(written[0])["text"], edits) == json.loads(lines[0])["text"]
    assert restored_bytes(out, "in.jsonl") == source.read_bytes()


def test_json_lines_with_a_bom_bad_bytes_and_deep_nesting(tmp_path, capsys) -> None:
    data = (
        codecs.BOM_UTF8
        + b'{"id": "a", "text": "Fine.  "}\n'
        + b'{"id": "b", "text": "caf\xe9"}\n'
        + b"[" * 100_000
        + b"\n"
        + b'{"id": "c", "text": "Also fine."}\n'
    )
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out"), "-q"]) == 1
    # Every line comes out, the broken ones as they came.
    assert (tmp_path / "out" / "in.jsonl").read_bytes() == data.replace(b"Fine.  ", b"Fine.")
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"normalize: {source}: 1 line is not valid UTF-8, written as it came "
        "(line 2: byte 0xe9 at byte 25)",
        f"normalize: {source}: 1 line is nested too deeply to read, written as it came (line 3)",
    ]


def test_json_lines_in_utf16_are_refused_in_one_line(tmp_path, capsys) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(codecs.BOM_UTF16_LE + '{"text": "x"}\n'.encode("utf-16-le"))
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0] == f"normalize: {source}: JSON Lines must be UTF-8; this is UTF-16 or UTF-32 (BOM)"
    )
    assert not (tmp_path / "out" / "in.jsonl").exists()


def test_an_empty_file_gives_an_empty_output(tmp_path) -> None:
    code, out = clean_folder(tmp_path, {"empty.txt": b""})
    assert code == 0 and (out / "empty.txt").read_bytes() == b""
    assert restored_bytes(out, "empty.txt") == b""
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert main(["--jsonl", str(empty), "-o", str(tmp_path / "jsonl"), "--edits", "-q"]) == 0
    assert (tmp_path / "jsonl" / "empty.jsonl").read_bytes() == b""
    assert main(["restore", str(tmp_path / "jsonl" / "empty.jsonl"), "-o", str(empty)]) == 0


def test_a_file_that_vanishes_mid_run(tmp_path, capsys, monkeypatch) -> None:
    # Listed with its folder, deleted before it is read (another process
    # cleaning up): one line, exit 1, every other document written.
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_text(f"Text {name}.\n", encoding="utf-8")
    list_inputs = cli.find_inputs

    def list_then_delete(*args, **kwargs):
        found = list_inputs(*args, **kwargs)
        (source / "b.txt").unlink()
        return found

    monkeypatch.setattr(cli, "find_inputs", list_then_delete)
    out = tmp_path / "out"
    assert main([str(source), "-o", str(out), "-q"]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "c.txt"]
    assert capsys.readouterr().err.splitlines() == [
        f"normalize: {source / 'b.txt'}: No such file or directory"
    ]


def test_a_pass_crashing_on_one_document_costs_only_that_document(
    tmp_path, capsys, poisoned_pass
) -> None:
    files = {"a.txt": b"Fine.\n", "b.txt": poisoned_pass.encode() + b"\n", "c.txt": b"Also fine.\n"}
    code, out = clean_folder(tmp_path, files)
    assert code == 1
    assert sorted(p.name for p in out.glob("*.txt")) == ["a.txt", "c.txt"]
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith(
        "b.txt: internal error (ValueError: a bug met on an odd document); skipped"
    )


def test_an_output_that_cannot_be_written_costs_only_that_document(tmp_path, capsys) -> None:
    (tmp_path / "out" / "b.txt").mkdir(parents=True)  # a folder where the output should go
    files = {"a.txt": b"Fine.\n", "b.txt": b"Blocked.\n"}
    code, out = clean_folder(tmp_path, files)
    assert code == 1 and (out / "a.txt").read_bytes() == b"Fine.\n"
    assert capsys.readouterr().err.strip().endswith("b.txt: cannot write: Is a directory")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
