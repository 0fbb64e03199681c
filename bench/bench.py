"""The pipeline's speed and memory over real news, against ftfy in the same run.

    make bench                      # or: .venv/bin/python bench/bench.py [--limit N]

Reads ../shared/bench/news.jsonl.gz (never committed; the benchmark says so and
stops if it is absent) and reports, as a Markdown table:

- throughput of the whole pipeline and of each pass, in process, one core, and
  ftfy.fix_text alone over the same texts, interleaved chunk by chunk with the
  pipeline so that both see the same machine load (the ratio is what counts);
- the command line over JSON Lines with 1 and 2 worker processes (wall time,
  scaling; the best of 5 runs each, alternating), beside the scaling of a loop
  that does nothing but compute, which is the most any program gets from two
  workers on this machine at the time;
- peak resident memory of the command line over the first 10 MB and over all
  of it (one worker: a flat figure means memory does not grow with the corpus);
- start-up time of the command line on one short document (best of 5).
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import json
import multiprocessing
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import ftfy

from normalize.parallel import count_cores
from normalize.pipeline import Normalizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"
CLI = [sys.executable, "-m", "normalize"]
CHUNK = 200  # documents per interleaved timing slice
ROUNDS = 5  # command-line runs per number of workers; the best counts
SUMMARY_SECONDS = re.compile(r"^total: .* in ([\d.]+) s", re.MULTILINE)


@dataclass
class Run:
    seconds: float  # wall time of the whole command
    peak_rss_mb: float
    run_seconds: float | None  # the run itself, from the command's summary (after start-up)


def best(runs: list[Run]) -> Run:
    """The quickest run's times, with the highest peak memory of them all."""
    quickest = min(runs, key=lambda run: run.seconds)
    steady = [run.run_seconds for run in runs if run.run_seconds is not None]
    return Run(
        quickest.seconds, max(run.peak_rss_mb for run in runs), min(steady) if steady else None
    )


def read_lines(corpus: Path, limit: int | None) -> list[bytes]:
    with gzip.open(corpus, "rb") as stream:
        return [line for number, line in enumerate(stream) if limit is None or number < limit]


def time_in_process(texts: list[str]) -> tuple[float, float, dict[str, float]]:
    """(pipeline seconds, ftfy seconds, seconds per pass), interleaved by chunk."""
    normalizer = Normalizer.from_rules()
    normalizer.normalize("Warm up: load every lazily built table. tensionsThe Brinken.\n")
    warm_up = normalizer.seconds_by_pass
    pipeline = reference = 0.0
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        began = time.perf_counter()
        for text in chunk:
            ftfy.fix_text(text)
        reference += time.perf_counter() - began
        began = time.perf_counter()
        for text in chunk:
            normalizer.normalize_and_explain(text)
        pipeline += time.perf_counter() - began
    by_pass = {name: s - warm_up[name] for name, s in normalizer.seconds_by_pass.items()}
    return pipeline, reference, by_pass


# The command line runs under this small launcher, which times it and reads its
# peak memory. Linux counts in a process's peak RSS the memory of the process it
# was forked from, so a command started from this one, which holds the whole
# corpus, would seem to need as much.
LAUNCHER = """
import resource, subprocess, sys, time
began = time.perf_counter()
status = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - began
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status)
"""


def run_cli(args: list[str]) -> Run:
    """Wall time and peak RSS (the largest of the process and its workers)."""
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *CLI, *args], capture_output=True, cwd=ROOT, check=False
    )
    errors = result.stderr.decode(errors="replace")
    try:
        seconds, peak_kb, status = result.stdout.split()
    except ValueError:
        sys.exit(f"bench: the launcher failed:\n{errors}")
    if int(status) != 0:
        sys.exit(f"bench: {' '.join(args)} failed:\n{errors}")
    summary = SUMMARY_SECONDS.search(errors)
    run_seconds = float(summary.group(1)) if summary else None
    return Run(float(seconds), int(peak_kb) / 1024, run_seconds)  # ru_maxrss: kilobytes on Linux


def spin(iterations: int) -> None:
    """Work that needs nothing but one core."""
    total = 0
    for number in range(iterations):
        total += number * number


def time_spinning(iterations: int, workers: int) -> float:
    """Seconds for `workers` processes to spin `iterations` each."""
    context = multiprocessing.get_context("fork")
    began = time.perf_counter()
    processes = [context.Process(target=spin, args=(iterations,)) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return time.perf_counter() - began


def machine_scaling(rounds: int, iterations: int = 10_000_000) -> float:
    """How much faster two processes do twice the work of one: the machine's
    ceiling for two workers (2.00 on two idle cores), best of `rounds` each."""
    one = min(time_spinning(2 * iterations, 1) for _ in range(rounds))
    two = min(time_spinning(iterations, 2) for _ in range(rounds))
    return one / two


def write_jsonl(lines: list[bytes], path: Path) -> float:
    path.write_bytes(b"".join(lines))
    return sum(len(json.loads(line)["text"].encode("utf-8")) for line in lines) / 1e6


def first_megabytes(lines: list[bytes], megabytes: float) -> list[bytes]:
    """The first lines, about `megabytes` of them, and the longest line of all.

    A run's peak memory follows the longest document it meets (a few times its
    size), not the number of documents; with the same longest document in both
    runs, equal peaks show that nothing else grows with the corpus.
    """
    taken, size = [], 0
    for line in lines:
        if size >= megabytes * 1e6:
            break
        taken.append(line)
        size += len(line)
    longest = max(lines, key=len)
    return taken if longest in taken else [*taken, longest]


def steady_rows(one: Run, two: Run, megabytes: float) -> list[tuple[str, str, str]]:
    """The same two runs without start-up (loading the rules), from their summaries."""
    if not (one.run_seconds and two.run_seconds):  # no summary, or a run too short to time
        return []
    return [
        ("  after start-up, 1 worker", f"{megabytes / one.run_seconds:.2f} MB/s", ""),
        (
            "  after start-up, 2 workers",
            f"{megabytes / two.run_seconds:.2f} MB/s",
            f"{one.run_seconds / two.run_seconds:.2f} × 1 worker",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="gzipped JSON Lines, 'text'")
    parser.add_argument("--limit", type=int, help="only the first N documents")
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help=f"runs of each timing, the best counts ({ROUNDS})",
    )
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"bench: {args.corpus} is absent; nothing to measure", file=sys.stderr)
        return 0
    # The package's bytecode, as a regular install has it: with PYTHONDONTWRITEBYTECODE
    # set (as on the machine of the figures in docs/speed-and-memory.md) an editable install would
    # otherwise compile every module from source at each start-up (40 ms of 300).
    compileall.compile_dir(ROOT / "normalize", quiet=1)
    lines = read_lines(args.corpus, args.limit)
    texts = [json.loads(line)["text"] for line in lines]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts):,} documents, {megabytes:.1f} MB of text", file=sys.stderr)

    pipeline, reference, by_pass = time_in_process(texts)
    rows = [
        ("ftfy.fix_text alone (reference)", f"{megabytes / reference:.2f} MB/s", "1.00"),
        (
            "whole pipeline, in process",
            f"{megabytes / pipeline:.2f} MB/s",
            f"{reference / pipeline:.2f}",
        ),
    ]
    for name, seconds in by_pass.items():
        rows.append((f"  pass {name}", f"{megabytes / seconds:.1f} MB/s", ""))

    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "news.jsonl"
        write_jsonl(lines, full)
        small = Path(folder) / "news-10mb.jsonl"
        small_mb = write_jsonl(first_megabytes(lines, 10), small)
        out = Path(folder) / "out"
        # Into a folder, so that the command prints its summary (the run's own time).
        # Best of --rounds, the two alternating: the machine is shared, and a run
        # slowed by a neighbour says nothing about the code.
        runs: dict[str, list[Run]] = {"1": [], "2": []}
        for _round in range(args.rounds):
            for jobs, done in runs.items():
                done.append(
                    run_cli(["--jsonl", str(full), "-o", str(out), "--no-progress", "-j", jobs])
                )
        one, two = best(runs["1"]), best(runs["2"])
        ceiling = machine_scaling(args.rounds)
        ten = run_cli(["--jsonl", str(small), "-o", str(out), "--no-progress", "-j", "1"])
        short = Path(folder) / "short.txt"
        short.write_text("Secretary of State Anthony Brinken arrived on tuesday.\n")
        start_up = min(run_cli([str(short)]).seconds for _ in range(args.rounds))

    rows += [
        ("command line, 1 worker", f"{megabytes / one.seconds:.2f} MB/s", ""),
        (
            "command line, 2 workers",
            f"{megabytes / two.seconds:.2f} MB/s",
            f"{one.seconds / two.seconds:.2f} × 1 worker",
        ),
        *steady_rows(one, two, megabytes),
        ("  a loop that only computes, 2 processes", "", f"{ceiling:.2f} × 1 process"),
        (
            f"peak RSS, first {small_mb:.0f} MB with the longest document, 1 worker",
            f"{ten.peak_rss_mb:.0f} MB",
            "",
        ),
        (f"peak RSS, all {megabytes:.1f} MB, 1 worker", f"{one.peak_rss_mb:.0f} MB", ""),
        (f"peak RSS, all {megabytes:.1f} MB, 2 workers", f"{two.peak_rss_mb:.0f} MB", "largest"),
        ("start-up + one short document", f"{start_up:.2f} s", ""),
    ]
    print(f"\n{platform.processor() or platform.machine()}, {count_cores()} cores, ", end="")
    print(f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}\n")
    print("| measure | result | ratio |\n| --- | ---: | ---: |")
    for measure, result, ratio in rows:
        print(f"| {measure} | {result} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
