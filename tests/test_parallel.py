"""Several worker processes: the same output as one, in input order, with bounded memory."""

from __future__ import annotations

import codecs
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from normalize import clean, parallel
from normalize.cli import main
from normalize.parallel import DocumentPool, Failure, Outcome, Task, normalize_task
from normalize.pipeline import Normalizer

from .conftest import ROOT, raw_documents

# More documents than one chunk holds, so that worker processes really start.
COPIES = parallel.CHUNK_DOCUMENTS * 2 + 7


def corpus_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in raw_documents()]


def write_folder(folder: Path) -> None:
    folder.mkdir()
    texts = corpus_texts()
    for i in range(COPIES):
        # Each copy a little different, so that a reordering would show.
        (folder / f"doc{i:04d}.txt").write_text(f"Copy {i}.\n{texts[i % 5]}", encoding="utf-8")


def test_a_folder_with_two_workers_equals_one_worker(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_folder(raw)
    for jobs in ("1", "2"):
        assert main([str(raw), "-o", str(tmp_path / jobs), "--edits", "-q", "-j", jobs]) == 0
    one = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert len(one) == 2 * COPIES
    for name in one:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_json_lines_keep_their_order_and_line_numbers_across_blocks_and_workers(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(clean, "JSON_BLOCK_BYTES", 3_000)  # many blocks...
    monkeypatch.setattr(parallel, "CHUNK_CHARS", 10_000)  # ...in many chunks
    started = []
    start_workers = parallel._start_workers
    monkeypatch.setattr(
        parallel, "_start_workers", lambda *args: started.append(1) or start_workers(*args)
    )
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": i, "text": f"Item {i}. {t}"}) for i, t in enumerate(corpus_texts())]
    lines = (lines * (COPIES // 5 + 1))[:COPIES]
    lines.insert(50, json.dumps({"id": "long", "text": "A long line.  " * 1_000}))  # > a block
    lines.insert(100, "{not json")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for jobs in ("1", "2"):
        assert main(["--jsonl", str(source), "-o", str(tmp_path / jobs), "-q", "-j", jobs]) == 1
        err = capsys.readouterr().err
        assert err.count("1 line is not valid JSON, written as it came (line 101:") == 1
    assert started == [1]  # two workers really ran
    one, two = ((tmp_path / jobs / "in.jsonl").read_bytes() for jobs in ("1", "2"))
    assert one == two
    assert two.decode().split("\n")[100] == "{not json"  # every line comes out, in its place
    ids = [json.loads(line)["id"] for line in two.splitlines() if line != b"{not json"]
    assert ids == [json.loads(line)["id"] for line in lines if line != "{not json"]


def test_json_lines_are_read_in_blocks_of_whole_lines(monkeypatch) -> None:
    monkeypatch.setattr(clean, "JSON_BLOCK_BYTES", 10)
    source = io.BytesIO(
        codecs.BOM_UTF8 + b'{"a": 1}\n\n{"b": "a line longer than a block"}\n{"c": 3}'
    )
    blocks = list(clean.read_jsonl_blocks(source, "text", with_records=False))
    assert [(block.first_line, block.data) for block in blocks] == [
        (1, codecs.BOM_UTF8 + b'{"a": 1}\n'),  # the line is completed, every byte as it came
        (2, b'\n{"b": "a line longer than a block"}\n'),
        (4, b'{"c": 3}'),
    ]


def test_the_pool_yields_in_input_order_and_reads_ahead_only_a_few_chunks() -> None:
    normalizer = Normalizer.from_rules()
    pulled = 0
    first_result_after: list[int] = []

    def items():
        nonlocal pulled
        for i in range(parallel.CHUNK_DOCUMENTS * 20):
            pulled += 1
            yield i, Task(f"Line {i}  \n", as_file=True)

    with DocumentPool[int, Task, Outcome](normalizer, jobs=2) as pool:
        seen = []
        for i, outcome in pool.map(normalize_task, items()):
            if not first_result_after:
                first_result_after.append(pulled)
            assert not isinstance(outcome, Failure)
            assert outcome.text == f"Line {i}\n"
            seen.append(i)
    assert seen == list(range(parallel.CHUNK_DOCUMENTS * 20))
    window = 2 * parallel.CHUNKS_PER_WORKER * parallel.CHUNK_DOCUMENTS
    assert first_result_after[0] <= window  # memory stays flat: no reading far ahead


def test_one_chunk_of_work_starts_no_workers_and_builds_no_tables_for_them() -> None:
    normalizer = Normalizer.from_rules()
    items = [(i, Task(f"Line {i}  \n", as_file=True)) for i in range(3)]
    with DocumentPool[int, Task, Outcome](normalizer, jobs=2) as pool:
        results = list(pool.map(normalize_task, items))
        assert pool._executor is None
    assert [outcome.text for _i, outcome in results] == [f"Line {i}\n" for i in range(3)]
    assert "symspell_bigrams" not in normalizer.passes[0].action.resources._cache


def test_tables_are_built_before_workers_fork() -> None:
    normalizer = Normalizer.from_rules()
    resources = normalizer.passes[0].action.resources
    assert "symspell_bigrams" not in resources._cache
    normalizer.preload()
    assert {"symspell_bigrams", "segmenter", "lexicon"} <= set(resources._cache)


def test_a_crash_in_a_worker_costs_only_that_document(
    tmp_path: Path, capsys, poisoned_pass: str
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(COPIES):
        (raw / f"d{i:03d}.txt").write_text(f"{poisoned_pass}\n" if i == 99 else f"Fine {i}.\n")
    assert main([str(raw), "-o", str(tmp_path / "out"), "-q", "-j", "2"]) == 1
    assert len(list((tmp_path / "out").glob("*.txt"))) == COPIES - 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("d099.txt: internal error (ValueError: a bug met on an odd document); skipped")
    )


def clean_corpus_into(folder: Path, *flags: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "normalize", str(ROOT / "corpus" / "raw"), "-o", str(folder)]
    return subprocess.run(
        [*command, *flags], capture_output=True, cwd=ROOT, timeout=120, check=False
    )


def test_progress_bar_and_summary_on_request(tmp_path: Path) -> None:
    result = clean_corpus_into(tmp_path)
    assert "%|" not in result.stderr.decode()  # not a terminal: no bar by default
    result = clean_corpus_into(tmp_path, "--progress")
    err = result.stderr.decode()
    assert result.returncode == 0 and "100%|" in err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("total: 5 documents, 0.03 MB in ")
    assert "MB/s)" in summary and "names 15" in summary


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_must_be_positive(jobs: str, capsys) -> None:
    assert main(["--jobs", jobs, str(ROOT / "corpus" / "raw"), "-o", "/tmp/unused"]) == 2
    assert "needs at least one worker" in capsys.readouterr().err


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_parent_killed_outright() -> None:
    # `normalize --jsonl -j 2` reading a pipe that stays open: the workers are
    # busy or waiting when the parent is killed with SIGKILL, which no handler sees.
    process = subprocess.Popen(
        [sys.executable, "-m", "normalize", "--jsonl", "-j", "2", "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        assert process.stdin is not None
        line = (json.dumps({"text": "Fine text, nothing to repair. " * 40}) + "\n").encode()
        process.stdin.write(line * (3_000_000 // len(line)))  # several chunks: workers start
        process.stdin.flush()
        assert wait_until(lambda: len(children_of(process.pid)) >= 2), "no workers started"
        workers = children_of(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), seconds=10), (
            f"workers {[pid for pid in workers if alive(pid)]} outlived their parent"
        )
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


WATCHED_WORKER = """
import multiprocessing, sys, time
from normalize import parallel
parallel._ask_kernel_for_death_signal = lambda: False  # as on a system without prctl
parallel.PARENT_POLL_SECONDS = 0.05
def worker(parent):
    parallel.die_with_parent(parent)
    time.sleep(60)
import os
child = multiprocessing.get_context("fork").Process(target=worker, args=(os.getpid(),))
child.start()
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_without_prctl_a_thread_ends_the_worker_when_its_parent_is_gone() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", WATCHED_WORKER], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert process.stdout is not None
    worker = int(process.stdout.readline())
    assert alive(worker)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert wait_until(lambda: not alive(worker), seconds=10)
