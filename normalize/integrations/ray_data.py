"""Normalise one column of a Ray Dataset, one Normalizer per actor.

    import ray
    from normalize.integrations.ray_data import normalize_dataset

    ds = ray.data.read_json("in/")                 # or read_parquet
    normalize_dataset(ds, field="text").write_json("out/")

or from the shell (`ray.init(address=...)` with `--address auto` on a cluster):

    python -m normalize.integrations.ray_data in/ out/ --format parquet --concurrency 4

Rows come out in no guaranteed order (Ray may reorder blocks); join on an id.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeAlias

import pandas as pd
import ray
import ray.data

from normalize.integrations.common import resolve_rules_dir
from normalize.pipeline import Normalizer
from normalize.repair_stats import too_damaged

Batch: TypeAlias = pd.DataFrame | dict[str, Any]
# The column that says why a row was left as it was (a pass crashed on it), as
# datatrove's step says it in the document's metadata; "" for every other row.
ERRORS_FIELD = "normalize_error"
STATS_FIELD = "normalize_stats"  # the usual name of the repair statistics' column
Concurrency = int | tuple[int, int]


class NormalizeBatch:
    """A `map_batches` callable class: the rules are loaded once per actor.

        ds.map_batches(
            NormalizeBatch,
            fn_constructor_kwargs={"field": "text", "edits_field": "normalize_edits"},
            batch_format="pandas",                  # or "numpy" (the default)
            compute=ray.data.ActorPoolStrategy(size=4),  # `concurrency=4` before Ray 2.51
        )

    Batches are pandas DataFrames or dicts of NumPy arrays; every column but
    `field` (and `edits_field`, `errors_field` and `stats_field`, which are
    added; see Normalizer.map_batch) is passed
    through untouched, and so is a row whose `field` is None or NaN (any
    other value that is not a string raises TypeError, naming the row). A row
    that makes a pass crash keeps its text, and `errors_field` says why,
    instead of failing the whole job; with `errors_field=None` the job fails.
    """

    def __init__(
        self,
        field: str = "text",
        rules_dir: Path | str | None = None,
        edits_field: str | None = None,
        errors_field: str | None = ERRORS_FIELD,
        stats_field: str | None = None,
    ) -> None:
        self.field = field
        self.edits_field = edits_field
        self.errors_field = errors_field
        self.stats_field = stats_field
        self.normalizer = Normalizer.from_rules(rules_dir)

    def __call__(self, batch: Batch) -> Batch:
        texts = batch[self.field]
        # Only the one column goes through map_batch: the others stay as Ray
        # handed them (zero-copy arrays, pandas dtypes) instead of becoming lists.
        normalized = self.normalizer.map_batch(
            {self.field: texts},
            self.field,
            edits_field=self.edits_field,
            errors_field=self.errors_field,
            stats_field=self.stats_field,
        )
        added = (self.field, self.edits_field, self.errors_field, self.stats_field)
        new_columns = [name for name in added if name]
        if isinstance(batch, pd.DataFrame):
            out = batch.copy(deep=False)
            for name in new_columns:
                out[name] = normalized[name]
            return out
        if isinstance(batch, dict):
            return {**batch, **{name: normalized[name] for name in new_columns}}
        raise TypeError(
            f"NormalizeBatch takes pandas or numpy batches, not {type(batch).__name__}; "
            'use batch_format="pandas" or "numpy"'
        )


def actor_pool(concurrency: Concurrency | None) -> ray.data.ActorPoolStrategy:
    """A fixed pool of `n` actors, an autoscaling one for `(min, max)`, or one
    that grows from 1 with the cluster for None."""
    if concurrency is None:
        return ray.data.ActorPoolStrategy(min_size=1, max_size=None)
    if isinstance(concurrency, int):
        return ray.data.ActorPoolStrategy(size=concurrency)
    low, high = concurrency
    return ray.data.ActorPoolStrategy(min_size=low, max_size=high)


def normalize_dataset(
    ds: ray.data.Dataset,
    field: str = "text",
    rules_dir: Path | str | None = None,
    *,
    edits_field: str | None = None,
    errors_field: str | None = ERRORS_FIELD,
    stats_field: str | None = None,
    concurrency: Concurrency | None = None,
    batch_size: int | None = 256,
    batch_format: Literal["numpy", "pandas"] = "numpy",
    num_cpus: float = 1,
) -> ray.data.Dataset:
    """`ds` with column `field` normalised (lazily, like every Ray transform).

    `edits_field` adds a column with each row's edits and notes as JSON Lines;
    `errors_field` one that says why a row was left as it was (see NormalizeBatch);
    `stats_field` one with each row's repair statistics (for `drop_damaged`);
    `concurrency` is the number of actors, each with `num_cpus` CPUs and its own
    Normalizer (an int, a `(min, max)` range, or None to follow the cluster).
    Leave CPUs for the read and write tasks: a fixed pool that takes every CPU
    of the cluster waits forever for the blocks that no read task can produce.
    """
    return ds.map_batches(
        NormalizeBatch,
        fn_constructor_kwargs={
            "field": field,
            "rules_dir": resolve_rules_dir(rules_dir),
            "edits_field": edits_field,
            "errors_field": errors_field,
            "stats_field": stats_field,
        },
        batch_size=batch_size,
        batch_format=batch_format,
        compute=actor_pool(concurrency),
        num_cpus=num_cpus,
    )


def drop_damaged(
    ds: ray.data.Dataset,
    max_edits_per_1000_chars: float,
    *,
    stats_field: str = STATS_FIELD,
    passes: Sequence[str] | None = None,
) -> ray.data.Dataset:
    """`ds` without the rows that needed more than `max_edits_per_1000_chars`
    edits per 1,000 characters (counted over `passes` only, when given), as
    `normalize_dataset(..., stats_field=...)` recorded them. Rows without
    statistics (no text, or a pass crashed on them) are kept.

        ds = normalize_dataset(ds, stats_field="normalize_stats")
        ds = drop_damaged(ds, max_edits_per_1000_chars=5, passes=["glued_words", "sentences"])
    """
    chosen = None if passes is None else frozenset(passes)

    def keep(row: dict[str, Any]) -> bool:
        return not too_damaged(row.get(stats_field), max_edits_per_1000_chars, chosen)

    return ds.filter(keep)


def read_dataset(path: str, file_format: str) -> ray.data.Dataset:
    if file_format == "parquet":
        return ray.data.read_parquet(path)
    return ray.data.read_json(path)


def write_dataset(ds: ray.data.Dataset, path: str, file_format: str) -> None:
    if file_format == "parquet":
        ds.write_parquet(path)
    else:
        ds.write_json(path)


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line (the usage itself is in --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m normalize.integrations.ray_data",
        description=(
            "Normalise one field of JSON Lines or Parquet files with Ray Data. "
            "OUTPUT is a folder of files in the same format; row order is not kept."
        ),
    )
    parser.add_argument("input", help="a file or folder (local path or a URI Ray can read)")
    parser.add_argument("output", help="the folder to write into")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    parser.add_argument("--field", default="text", help="the column to normalise (default: text)")
    parser.add_argument("--rules", metavar="DIR", help="rules folder (default: the package's own)")
    parser.add_argument("--edits-field", metavar="NAME", help="add a column with each row's edits")
    parser.add_argument(
        "--errors-field",
        metavar="NAME",
        default=ERRORS_FIELD,
        help=f"the column that says why a row was left as it was (default: {ERRORS_FIELD}; "
        "'' fails the job instead)",
    )
    parser.add_argument(
        "--stats-field", metavar="NAME", help="add a column with each row's repair statistics"
    )
    parser.add_argument(
        "--max-edits-per-1000-chars",
        type=float,
        metavar="X",
        help="drop the rows that needed more repairs than this (needs --stats-field)",
    )
    parser.add_argument("--concurrency", type=int, help="actors (default: grow with the cluster)")
    parser.add_argument(
        "--num-cpus",
        type=float,
        default=1,
        help="CPUs reserved per actor (default 1; leave some for reading and writing)",
    )
    parser.add_argument(
        "--address", help="Ray cluster to join (`auto` on a cluster node; default: a local one)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    problem = check_input_format(args.input, args.format)
    if problem:
        parser.error(problem)  # one usage line, exit status 2, before Ray starts
    if args.max_edits_per_1000_chars is not None and not args.stats_field:
        parser.error("--max-edits-per-1000-chars needs --stats-field")
    if not ray.is_initialized():  # a caller (or a test) may have started Ray already
        ray.init(address=args.address)
    try:
        ds = normalize_dataset(
            read_dataset(args.input, args.format),
            field=args.field,
            rules_dir=args.rules,
            edits_field=args.edits_field,
            errors_field=args.errors_field or None,
            stats_field=args.stats_field,
            concurrency=args.concurrency,
            num_cpus=args.num_cpus,
        )
        if args.max_edits_per_1000_chars is not None:
            ds = drop_damaged(ds, args.max_edits_per_1000_chars, stats_field=args.stats_field)
        write_dataset(ds, args.output, args.format)
    except Exception as error:  # Ray's errors carry remote tracebacks: one line is enough
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"{parser.prog}: {type(error).__name__}: {first_line}", file=sys.stderr)
        return 1
    return 0


# The file name endings Ray's readers look for, by --format.
FORMAT_SUFFIXES = {"jsonl": (".jsonl", ".json"), "parquet": (".parquet",)}


def _without_compression(name: str) -> str:
    stem, _, suffix = name.rpartition(".")
    return stem if suffix in ("gz", "bz2", "xz", "zst", "lz4", "snappy") else name


def check_input_format(location: str, file_format: str) -> str | None:
    """Why a local input cannot be read as `file_format` (None when it can, or
    when it is a URI that only Ray can list)."""
    path = Path(location)
    if "://" in location:
        return None
    if not path.exists():
        return f"{location}: no such file or folder"
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    wanted = FORMAT_SUFFIXES[file_format]
    if any(_without_compression(p.name.lower()).endswith(wanted) for p in files):
        return None
    others = sorted({p.suffix for p in files if p.suffix})
    found = f" (found: {', '.join(others)})" if others else ""
    return f"{location}: no {' or '.join(wanted)} files for --format {file_format}{found}"


if __name__ == "__main__":
    sys.exit(main())
