"""Compressed files in and out, by extension (.gz, .bz2, .xz; .zst with zstandard)."""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import json
import lzma
import subprocess
import sys

import pytest

from normalize.cli import main

from .conftest import ROOT, raw_documents

FORMATS = {".gz": gzip, ".bz2": bz2, ".xz": lzma}
ROWS = b"".join(
    json.dumps({"id": i, "text": text}).encode() + b"\n"
    for i, text in enumerate(["Hello  \nLeave a Reply\n", "Fine.", "tensionsThe talks"])
)


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_json_lines_are_read_and_written_compressed_and_restore(tmp_path, suffix) -> None:
    module = FORMATS[suffix]
    source = tmp_path / "in" / f"news.jsonl{suffix}"
    source.parent.mkdir()
    source.write_bytes(module.compress(ROWS))
    out = tmp_path / "out"
    assert main(["--jsonl", str(tmp_path / "in"), "-o", str(out), "--edits", "-q"]) == 0
    written = module.decompress((out / source.name).read_bytes())
    assert written.splitlines()[0] == b'{"id": 0, "text": "Hello\\n"}'
    assert written.count(b"\n") == 3
    assert module.decompress((out / f"news.edits.jsonl{suffix}").read_bytes()).startswith(
        b'{"kind": "header"'
    )
    assert main(["restore", str(out), "-o", str(tmp_path / "raw")]) == 0
    assert module.decompress((tmp_path / "raw" / source.name).read_bytes()) == ROWS


def test_text_files_compressed_in_a_folder(tmp_path) -> None:
    raw = raw_documents()[0]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"{raw.name}.gz").write_bytes(gzip.compress(raw.read_bytes()))
    (folder / raw.name).write_bytes(raw.read_bytes())
    out = tmp_path / "out"
    assert main([str(folder), "-o", str(out), "--edits", "-q"]) == 0
    assert gzip.decompress((out / f"{raw.name}.gz").read_bytes()) == (out / raw.name).read_bytes()
    assert main(["restore", str(out / f"{raw.name}.gz"), "-o", str(tmp_path / "back.txt")]) == 0
    assert (tmp_path / "back.txt").read_bytes() == raw.read_bytes()


def test_gzip_output_is_the_same_bytes_every_run(tmp_path) -> None:
    source = tmp_path / "news.jsonl.gz"
    source.write_bytes(gzip.compress(ROWS))
    for run in ("a", "b"):
        assert main(["--jsonl", str(source), "-o", str(tmp_path / run), "-q"]) == 0
    assert (tmp_path / "a" / source.name).read_bytes() == (
        tmp_path / "b" / source.name
    ).read_bytes()


def test_compressed_standard_input_is_recognised() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "normalize", "--jsonl"],
        input=gzip.compress(ROWS),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == b'{"id": 0, "text": "Hello\\n"}'  # stdout: not compressed


def test_corrupt_or_cut_compressed_input_is_one_line_and_nothing_is_written(
    tmp_path, capsys
) -> None:
    source = tmp_path / "news.jsonl.gz"
    rows = b"".join(b'{"id": %d, "text": "Row %d."}\n' % (i, i * i) for i in range(5000))
    whole = gzip.compress(rows)
    source.write_bytes(whole[: len(whole) // 2])
    text = tmp_path / "a.txt.xz"
    text.write_bytes(b"not xz at all")
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out"), "-q"]) == 1
    assert main([str(text), "-o", str(tmp_path / "out2"), "-q"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"normalize: {source}: not valid gzip data (")
    assert err[1].startswith(f"normalize: {text}: not valid xz data (")
    assert not (tmp_path / "out" / source.name).exists()


@pytest.mark.skipif(importlib.util.find_spec("zstandard") is not None, reason="zstandard present")
def test_zst_without_zstandard_says_what_to_install(tmp_path, capsys) -> None:
    source = tmp_path / "news.jsonl.zst"
    source.write_bytes(b"\x28\xb5\x2f\xfd anything")
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out"), "-q"]) == 1
    assert capsys.readouterr().err == (
        f"normalize: {source}: .zst needs the zstandard package (pip install zstandard)\n"
    )


@pytest.mark.skipif(importlib.util.find_spec("zstandard") is None, reason="zstandard absent")
def test_zst_with_zstandard(tmp_path) -> None:
    import zstandard

    source = tmp_path / "news.jsonl.zst"
    source.write_bytes(zstandard.ZstdCompressor().compress(ROWS))
    out = tmp_path / "out"
    assert main(["--jsonl", str(source), "-o", str(out), "--edits", "-q"]) == 0
    assert main(["restore", str(out / source.name), "-o", str(tmp_path / "back.jsonl.zst")]) == 0
    back = zstandard.ZstdDecompressor().stream_reader((tmp_path / "back.jsonl.zst").open("rb"))
    assert back.read() == ROWS
