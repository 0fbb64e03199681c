"""Interrupted runs: `make clean-corpus` killed by a real signal mid-run leaves
complete files only (no truncated output, no temporary file), and the next run
completes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from normalize.edits import read_records, restore
from normalize.pipeline import Normalizer
from normalize.textio import AtomicFiles, Interrupted, graceful_termination

from .conftest import ROOT, raw_documents

DOCUMENTS = 3000  # enough for a run of a few seconds (two workers), so a signal lands mid-run

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A raw folder of DOCUMENTS copies of the corpus, and each one's expected output."""
    folder = tmp_path_factory.mktemp("raw")
    normalizer = Normalizer.from_rules()
    sources = raw_documents()
    expected = {}
    for i in range(DOCUMENTS):
        source = sources[i % len(sources)]
        name = f"doc{i:04d}.txt"
        shutil.copyfile(source, folder / name)
        if i < len(sources):
            expected[source.name] = normalizer.normalize(
                source.read_text(encoding="utf-8"), as_file=True
            )
        expected[name] = expected[source.name]
    return folder, expected


def start_make(raw: Path, clean: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["make", "--no-print-directory", "clean-corpus", f"RAW={raw}", f"CLEAN={clean}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's job would be
    )


def interrupt_mid_run(raw: Path, clean: Path, send: signal.Signals, group: bool) -> bytes:
    """Start the run, signal it once some outputs exist; its stderr.

    On a loaded machine the run may end between the last look and the signal
    (then it exits 0 with every file written): it is tried again, twice at most.
    """
    for _attempt in range(3):
        returncode, err = _signalled_run(raw, clean, send, group)
        if returncode != 0:
            return err
    raise AssertionError("three runs ended before the signal reached them")


def _signalled_run(raw: Path, clean: Path, send: signal.Signals, group: bool) -> tuple[int, bytes]:
    started = time.time_ns()
    process = start_make(raw, clean)
    deadline = time.monotonic() + 120
    while written_since(clean, started) < 10:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no output appeared"
        time.sleep(0.02)
    signalled = time.monotonic()
    if group:  # Ctrl-C in a terminal: the whole foreground job gets SIGINT
        os.killpg(process.pid, send)
    else:
        process.send_signal(send)  # make passes SIGTERM on to normalize
    _out, err = process.communicate(timeout=120)
    if process.returncode == 0:  # the end of the run, not a run that ignored the signal
        assert time.monotonic() - signalled < 3, f"the run went on after {send.name}"
    return process.returncode, err


def written_since(clean: Path, started: int) -> int:
    """How many outputs were (re)written since `started` (ns)."""
    if not clean.is_dir():
        return 0
    return sum(1 for p in clean.glob("*.txt") if p.stat().st_mtime_ns > started)


def check_complete(clean: Path, raw: Path, expected: dict[str, str]) -> int:
    """Every file in `clean` is complete and consistent; how many documents it holds."""
    names = sorted(p.name for p in clean.iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], "temporary files"
    texts = [n for n in names if not n.endswith(".edits.jsonl")]
    for name in texts:
        text = (clean / name).read_text(encoding="utf-8")
        assert text == expected[name], f"{name} is not the complete output"
        with (clean / f"{Path(name).stem}.edits.jsonl").open(encoding="utf-8") as stream:
            edits = [r for _, r in read_records(stream) if r.to_json()["kind"] == "edit"]
        assert restore(text, edits) == (raw / name).read_text(encoding="utf-8")
    assert len(names) == 2 * len(texts), "a text without its edits file, or the reverse"
    return len(texts)


def test_killed_runs_leave_complete_files_and_the_next_run_completes(
    tmp_path: Path, corpus: tuple[Path, dict[str, str]]
) -> None:
    raw, expected = corpus
    clean = tmp_path / "clean"

    err = interrupt_mid_run(raw, clean, signal.SIGTERM, group=False)
    assert b"normalize: stopped by SIGTERM; files already written are complete" in err
    first = check_complete(clean, raw, expected)
    assert 0 < first < DOCUMENTS

    err = interrupt_mid_run(raw, clean, signal.SIGINT, group=True)
    assert b"normalize: interrupted; files already written are complete" in err
    assert 0 < check_complete(clean, raw, expected) < DOCUMENTS

    finished = start_make(raw, clean)
    _out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err.decode()
    assert check_complete(clean, raw, expected) == DOCUMENTS


def test_sigterm_mid_write_removes_the_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(Interrupted), graceful_termination(), AtomicFiles() as files:
        files.open(tmp_path / "a.txt").write(b"half of it")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # not reached: the handler raises at once
    assert list(tmp_path.iterdir()) == []


def test_a_signal_during_the_renames_waits_until_all_files_are_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rename = os.replace

    def rename_then_signal(source: str, target: str) -> None:
        rename(source, target)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "replace", rename_then_signal)
    with pytest.raises(Interrupted), graceful_termination(), AtomicFiles() as files:
        files.open(tmp_path / "a.txt").write(b"text")
        files.open(tmp_path / "a.edits.jsonl", text=True).write("edits")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.edits.jsonl", "a.txt"]


def test_a_signal_while_files_are_renamed_waits_even_with_other_threads() -> None:
    import threading

    from normalize.textio import _signals_held

    # A worker pool's thread, say: the kernel may hand the signal to it.
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    finished_block = False
    try:
        with graceful_termination(), pytest.raises(Interrupted), _signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)  # long enough for a handler to have run
            finished_block = True
    finally:
        done.set()
        other.join()
    assert finished_block
