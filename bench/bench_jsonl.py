"""JSON Lines end to end: the command line against an ftfy loop, and the JSON layer alone.

    make bench-jsonl               # or: .venv/bin/python bench/bench_jsonl.py [--megabytes 20]

Cuts the first --megabytes of ../shared/bench/news.jsonl.gz into a plain JSON
Lines file and times, as whole commands (start-up included, best of --rounds,
alternating so that both see the same machine load):

- an ftfy loop: read each line, `json.loads`, `ftfy.fix_text` the text,
  `json.dumps`, write; what a user would write without this tool;
- `normalize --jsonl FILE -o DIR` with one worker and with two.

Then the JSON layer alone, in process: the rows through the command line's
per-line code (`clean_json_block`) with a Normalizer that has no passes, so
that only reading, locating the field and writing the line are timed.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from normalize.clean import JSON_BLOCK_BYTES, JsonBlock, clean_json_block
from normalize.pipeline import Normalizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"

FTFY_LOOP = """
import json, sys, ftfy
with open(sys.argv[1], encoding="utf-8") as lines, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in lines:
        row = json.loads(line)
        row["text"] = ftfy.fix_text(row["text"])
        out.write(json.dumps(row, ensure_ascii=False) + "\\n")
"""


def cut(corpus: Path, megabytes: float, target: Path) -> int:
    """The first `megabytes` of the corpus's lines into `target`; returns the bytes."""
    size = 0
    with gzip.open(corpus, "rb") as lines, target.open("wb") as out:
        for line in lines:
            if size >= megabytes * 1e6:
                break
            out.write(line)
            size += len(line)
    return size


def wall(command: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{done.stderr.decode(errors='replace')}")
    return seconds


def time_json_layer(data: bytes, rounds: int) -> float:
    """Best seconds to run every block of `data` through clean_json_block, no passes."""
    empty = Normalizer([], ROOT)
    blocks = []
    for start in range(0, len(data), JSON_BLOCK_BYTES):
        blocks.append(data[start : start + JSON_BLOCK_BYTES])
    # Whole lines per block, as read_jsonl_blocks makes them.
    whole = []
    carry = b""
    for block in blocks:
        block = carry + block
        cut_at = block.rfind(b"\n") + 1
        whole.append(block[:cut_at])
        carry = block[cut_at:]
    if carry:
        whole.append(carry)
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for chunk in whole:
            clean_json_block(empty, JsonBlock(chunk, 1, "text", True))
        best = min(best, time.perf_counter() - began)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"bench: {args.corpus} is absent; nothing to measure", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "news.jsonl"
        size = cut(args.corpus, args.megabytes, source)
        megabytes = size / 1e6
        commands = {
            "ftfy loop": [sys.executable, "-c", FTFY_LOOP, str(source), f"{folder}/ftfy.jsonl"],
            "normalize, 1 worker": [
                *(sys.executable, "-m", "normalize", "--jsonl", str(source)),
                *("-o", f"{folder}/out", "-q", "-j", "1"),
            ],
            "normalize, 2 workers": [
                *(sys.executable, "-m", "normalize", "--jsonl", str(source)),
                *("-o", f"{folder}/out", "-q", "-j", "2"),
            ],
        }
        times: dict[str, float] = dict.fromkeys(commands, float("inf"))
        for _round in range(args.rounds):
            for name, command in commands.items():
                times[name] = min(times[name], wall(command))
        layer = time_json_layer(source.read_bytes(), args.rounds)
    reference = times["ftfy loop"]
    print(f"{megabytes:.1f} MB of JSON Lines, best of {args.rounds}, {time.strftime('%Y-%m-%d')}\n")
    print("| command, end to end | seconds | MB/s | × ftfy loop |\n| --- | ---: | ---: | ---: |")
    for name, seconds in times.items():
        print(f"| {name} | {seconds:.2f} | {megabytes / seconds:.2f} | {reference / seconds:.2f} |")
    print(f"| JSON layer alone, in process | {layer:.2f} | {megabytes / layer:.1f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
