"""The engine side of test_integrations.py, run in a process of its own.

    python -m tests.integration_jobs JOB WORK_DIR

numpy (its OpenBLAS thread), pyarrow and Ray start threads that do not block
signals, and Ray leaves a SIGTERM handler and environment variables behind. In
pytest's process a signal that the main thread holds back would then be taken
by another thread and handled at once, which breaks the signal tests of
test_interrupt.py. So datatrove, Ray, numpy and pandas are only ever imported
here: each job reads WORK_DIR/documents.jsonl (or WORK_DIR/units-input.json),
runs the engine for real and writes what came out under WORK_DIR, as JSON that
the tests read and check.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from normalize.pipeline import Normalizer

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SHARDS = 3  # input files: with 2 tasks, both get some (datatrove shards by file)


def read_documents(work: Path) -> list[dict[str, Any]]:
    lines = (work / "documents.jsonl").read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def write_jsonl_shards(folder: Path, records: list[dict[str, Any]]) -> Path:
    """Interleaved parts, so that each holds corpus, odd and bulk documents."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(SHARDS):
        part = records[number::SHARDS]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part)
        (folder / f"part-{number}.jsonl").write_text(text, encoding="utf-8")
    return folder


def write_parquet_shards(folder: Path, records: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for number in range(SHARDS):
        table = pa.Table.from_pylist(records[number::SHARDS])
        pq.write_table(table, folder / f"part-{number}.parquet")
    return folder


# --- datatrove ----------------------------------------------------------------------


def datatrove_pipeline(source: Path, target: Path) -> list[Any]:
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from normalize.integrations.datatrove_step import NormalizeStep

    return [
        JsonlReader(str(source)),
        NormalizeStep(RULES_DIR, keep_edits=True),
        JsonlWriter(str(target), compression=None),
    ]


def write_step_stats(logs: Path, target: Path) -> None:
    """The merged stats of the NormalizeStep as {name: total}, read with
    datatrove's own MetricStats (a stat of all ones is stored as a bare number)."""
    from datatrove.utils.stats import MetricStats

    (step,) = [s for s in json.loads((logs / "stats.json").read_text()) if "Normalize" in s["name"]]
    totals = {name: MetricStats.from_dict(value).total for name, value in step["stats"].items()}
    write_json(target, totals)


def run_datatrove_local(work: Path) -> None:
    from datatrove.executor import LocalPipelineExecutor

    source = write_jsonl_shards(work / "in", read_documents(work))
    LocalPipelineExecutor(
        datatrove_pipeline(source, work / "out"),
        tasks=2,
        workers=2,
        logging_dir=str(work / "logs"),
    ).run()
    write_step_stats(work / "logs", work / "step-stats.json")


FAKE_SBATCH = """\
import os, re, subprocess, sys
# Stands in for Slurm's sbatch: runs each array task of the script now, here.
script = open(sys.argv[-1]).read()
first, last = map(int, re.search(r"^#SBATCH --array=(\\d+)-(\\d+)", script, re.M).groups())
env = dict(os.environ, SLURM_NODELIST="localhost", RUN_OFFSET="0")
log = open(os.environ["FAKE_SLURM_LOG"], "a")
tasks = [
    subprocess.Popen(["bash", "-c", script], env=dict(env, SLURM_ARRAY_TASK_ID=str(i)),
                     stdout=log, stderr=log)
    for i in range(first, last + 1)
]
codes = [task.wait() for task in tasks]
if any(codes):
    sys.exit(f"fake sbatch: array task exit codes {codes}")
print("Submitted batch job 42")
"""

FAKE_SRUN = """\
import os, sys
# Stands in for `srun [--opt=value] -l -n 1 COMMAND...`: one task, run in place.
args = sys.argv[1:]
while args[0].startswith("-"):
    if args.pop(0) in ("-n", "-N"):
        args.pop(0)
os.execvp(args[0], args)
"""


def install_fake_slurm(folder: Path) -> Path:
    """`sbatch`, `srun` and `scontrol show hostnames` first on PATH; returns the tasks' log."""
    folder.mkdir(parents=True)
    (folder / "sbatch").write_text(f"#!{sys.executable}\n{FAKE_SBATCH}")
    (folder / "srun").write_text(f"#!{sys.executable}\n{FAKE_SRUN}")
    (folder / "scontrol").write_text('#!/bin/sh\necho "$3"\n')  # one node: the list itself
    for tool in ("sbatch", "srun", "scontrol"):
        (folder / tool).chmod(0o755)
    # The launch script calls `launch_pickled_pipeline`, installed beside this Python.
    os.environ["PATH"] = os.pathsep.join(
        [str(folder), str(Path(sys.executable).parent), os.environ["PATH"]]
    )
    log = folder / "tasks.log"
    os.environ["FAKE_SLURM_LOG"] = str(log)
    return log


def run_datatrove_slurm(work: Path) -> None:
    """The real launch script and pickled executor; only sbatch and srun are stand-ins."""
    import subprocess

    from datatrove.executor import SlurmPipelineExecutor

    log = install_fake_slurm(work / "bin")
    source = write_jsonl_shards(work / "in", read_documents(work))
    executor = SlurmPipelineExecutor(
        datatrove_pipeline(source, work / "out"),
        tasks=2,
        time="00:10:00",
        partition="test",
        logging_dir=str(work / "logs"),
    )
    try:
        executor.run()  # writes executor.pik and the sbatch script, then "submits" them
    except subprocess.CalledProcessError as error:
        tasks = log.read_text() if log.exists() else ""
        raise RuntimeError(f"fake sbatch failed; its tasks said:\n{tasks[-5000:]}") from error
    write_step_stats(work / "logs", work / "step-stats.json")


# --- Ray ----------------------------------------------------------------------------


def run_ray(work: Path) -> None:
    """One local Ray for three jobs; each job's failure goes to its error.txt."""
    import ray

    documents = read_documents(work)
    ray.init(
        address="local",  # always a fresh cluster, never one someone else started
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=256 * 2**20,
        logging_level="warning",
    )
    try:
        for name, job in RAY_JOBS.items():
            with error_recorded(work / name / "error.txt"):
                job(work / name, documents)
    finally:
        ray.shutdown()


@contextmanager
def error_recorded(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except Exception:
        path.write_text(traceback.format_exc())


def run_ray_json_lines(work: Path, documents: list[dict[str, Any]]) -> None:
    import ray

    from normalize.integrations.ray_data import normalize_dataset

    source = write_jsonl_shards(work / "in", documents)
    # Four blocks, so that both actors get work (three small files make one block).
    ds = ray.data.read_json(str(source)).repartition(4)
    # Two actors on half a CPU each: on this 2-CPU cluster the read and write
    # tasks need the rest (actors holding every CPU would wait for them forever).
    normalized = normalize_dataset(
        ds, "text", RULES_DIR, batch_format="pandas", concurrency=2, num_cpus=0.5
    )
    normalized.write_json(str(work / "out"))


def run_ray_parquet_command_line(work: Path, documents: list[dict[str, Any]]) -> None:
    import pyarrow.parquet as pq

    from normalize.integrations.ray_data import main

    source = write_parquet_shards(work / "in", documents)
    args = [str(source), str(work / "out"), "--format", "parquet", "--edits-field", "edits"]
    if main([*args, "--concurrency", "2", "--num-cpus", "0.5"]) != 0:
        raise RuntimeError("the command line failed")
    rows = [row for path in sorted((work / "out").glob("*.parquet")) for row in read_rows(pq, path)]
    write_json(work / "rows.json", rows)


def read_rows(pq: Any, path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path).to_pylist()


def run_datatrove_ray_executor(work: Path, documents: list[dict[str, Any]]) -> None:
    from datatrove.executor import RayPipelineExecutor

    source = write_jsonl_shards(work / "in", documents)
    RayPipelineExecutor(
        datatrove_pipeline(source, work / "out"),
        tasks=2,
        workers=2,
        logging_dir=str(work / "logs"),
        mem_per_cpu_gb=0.5,
    ).run()
    write_step_stats(work / "logs", work / "step-stats.json")


RAY_JOBS: dict[str, Callable[[Path, list[dict[str, Any]]], None]] = {
    "ray-json": run_ray_json_lines,
    "ray-parquet": run_ray_parquet_command_line,
    "datatrove-ray": run_datatrove_ray_executor,
}


# --- single pieces, without an executor ---------------------------------------------


def run_units(work: Path) -> None:
    texts = json.loads((work / "units-input.json").read_text(encoding="utf-8"))
    write_json(
        work / "units.json",
        {
            "pickling": observe_pickling(texts),
            "crash": observe_crash(),
            "edits": observe_edits(texts),
            "batches": {kind: observe_batch(kind, texts) for kind in ("pandas", "numpy")},
            "damage": observe_damage(texts),
        },
    )


def run_step(step: Any, texts: list[str], **metadata: Any) -> list[Any]:
    from datatrove.data import Document

    documents = (
        Document(text=t, id=str(i), metadata={k: v[i] for k, v in metadata.items()})
        for i, t in enumerate(texts)
    )
    return list(step.run(documents))


def observe_pickling(texts: list[str]) -> dict[str, Any]:
    """When the step loads its rules: built from a relative path, run, pickled
    with pickle and with dill (what the executors do), and run again."""
    import dill

    from normalize.integrations.datatrove_step import NormalizeStep

    loads: list[str | None] = []
    original = Normalizer.__dict__["from_rules"]
    from_rules = Normalizer.from_rules

    def counting_from_rules(rules_dir: str | None = None) -> Normalizer:
        loads.append(rules_dir)
        return from_rules(rules_dir)

    Normalizer.from_rules = staticmethod(counting_from_rules)  # type: ignore[method-assign]
    os.chdir(RULES_DIR.parent)
    try:
        step = NormalizeStep("rules")
        first = [d.text for d in run_step(step, texts)]
        observed: dict[str, Any] = {"rules_dir": step.rules_dir, "loads": list(loads)}
        observed["first"] = first
        for name, dumps, undumps in (
            ("pickle", pickle.dumps, pickle.loads),
            ("dill", dill.dumps, dill.loads),
        ):
            before = len(loads)
            copy = undumps(dumps(step))
            unpickled = len(loads)
            copy_texts = [d.text for d in run_step(copy, texts)]
            observed[name] = {
                "loads_on_unpickling": unpickled - before,
                "loads_on_running": len(loads) - unpickled,
                "texts": copy_texts,
            }
    finally:
        Normalizer.from_rules = original  # type: ignore[method-assign]
    return observed


def observe_crash() -> dict[str, Any]:
    """A pass that crashes on one document (as test_hostile_input.py makes one)."""
    from normalize.actions.boilerplate import BoilerplateAction
    from normalize.integrations.datatrove_step import NormalizeStep

    propose = BoilerplateAction.propose

    def crash_on_poison(self: BoilerplateAction, text: str, doc: Any) -> Any:
        if "poison" in text:
            raise ValueError("a bug met on an odd document")
        return propose(self, text, doc)

    import pandas as pd

    from normalize.integrations.ray_data import NormalizeBatch

    texts = ["Fine.  ", "poison  ", "Also fine.  "]
    BoilerplateAction.propose = crash_on_poison  # type: ignore[method-assign]
    try:
        step = NormalizeStep(RULES_DIR)
        out = run_step(step, texts, k=[0, 1, 2])
        batch = NormalizeBatch(rules_dir=RULES_DIR)(pd.DataFrame({"text": texts}))
        try:
            NormalizeBatch(rules_dir=RULES_DIR, errors_field=None)(pd.DataFrame({"text": texts}))
            strict = "nothing raised"
        except ValueError as error:
            strict = str(error)
    finally:
        BoilerplateAction.propose = propose  # type: ignore[method-assign]
    return {
        "texts": [d.text for d in out],
        "metadata": [d.metadata for d in out],
        "errors": step.stats["errors"].total,
        "changed": step.stats["changed"].total,
        "ray": {name: list(batch[name]) for name in batch.columns},
        "ray_strict": strict,
    }


def observe_edits(texts: list[str]) -> dict[str, Any]:
    from normalize.integrations.datatrove_step import EDITS_KEY, NormalizeStep

    out = run_step(NormalizeStep(RULES_DIR, keep_edits=True), texts)
    step = NormalizeStep(RULES_DIR, keep_edits=True)
    missing = run_step(step, [None, float("nan"), "Fine.  "])  # type: ignore[list-item]
    return {
        "texts": [d.text for d in out],
        "edits": [d.metadata[EDITS_KEY] for d in out],
        "missing": [repr(d.text) for d in missing],
        "missing_metadata": [sorted(d.metadata) for d in missing],
        "no_text": step.stats["no_text"].total,
    }


def observe_batch(kind: str, texts: list[str]) -> dict[str, Any]:
    """NormalizeBatch called as map_batches calls it, with pandas or NumPy batches."""
    import numpy as np
    import pandas as pd

    from normalize.integrations.ray_data import NormalizeBatch

    def make(columns: dict[str, list[Any]]) -> Any:
        if kind == "pandas":
            return pd.DataFrame(columns)
        return {name: np.array(values, dtype=object) for name, values in columns.items()}

    normalize = NormalizeBatch(rules_dir=RULES_DIR, edits_field="e")
    out = normalize(make({"text": texts, "n": list(range(len(texts)))}))
    missing = normalize(make({"text": ["Fine.  ", None, float("nan")]}))
    try:
        NormalizeBatch(rules_dir=RULES_DIR)(make({"text": ["Fine.", 5]}))
        refusal = None
    except TypeError as error:
        refusal = str(error)
    return {
        "type": type(out).__name__,
        "text": [str(t) for t in out["text"]],
        "n": [int(n) for n in out["n"]],
        "e": [str(e) for e in out["e"]],
        "missing": [repr(t) for t in missing["text"]],
        "missing_edits": [str(e) for e in missing["e"]],
        "refusal": refusal,
    }


def observe_damage(texts: list[str]) -> dict[str, Any]:
    """The repair statistics in datatrove's metadata and Ray's column, and the
    filters that drop documents above a threshold."""
    import numpy as np

    from normalize.integrations.datatrove_step import STATS_KEY, DropDamaged, NormalizeStep
    from normalize.integrations.ray_data import NormalizeBatch, drop_damaged

    step = NormalizeStep(RULES_DIR, keep_stats=True)
    documents = run_step(step, texts)
    kept = list(DropDamaged(max_edits_per_1000_chars=20).run(iter(documents)))
    glued_only = DropDamaged(max_edits_per_1000_chars=0, passes=["glued_words"])
    kept_glued = list(glued_only.run(iter(documents)))
    batch = NormalizeBatch(rules_dir=RULES_DIR, stats_field="s")({"text": np.array(texts)})

    class Rows:  # what drop_damaged needs of a Ray Dataset: filter(fn)
        def __init__(self, rows: list[dict[str, Any]]) -> None:
            self.rows = rows

        def filter(self, keep: Callable[[dict[str, Any]], bool]) -> Rows:
            return Rows([row for row in self.rows if keep(row)])

    rows = Rows([{"id": i, "s": stats} for i, stats in enumerate(batch["s"])])
    return {
        "stats": [d.metadata[STATS_KEY] for d in documents],
        "kept": [d.id for d in kept],
        "kept_glued": [d.id for d in kept_glued],
        "dropped": step_stats_total(glued_only, "dropped_too_damaged"),
        "rule_stats": sorted(k for k in step.stats.stats if k.startswith("rule_")),
        "ray_stats": list(batch["s"]),
        "ray_kept": [row["id"] for row in drop_damaged(rows, 20, stats_field="s").rows],  # type: ignore[arg-type]
    }


def step_stats_total(step: Any, name: str) -> int:
    # step.stats.stats, the dict: `in` on datatrove's Stats itself would probe
    # keys 0, 1, 2... through __getitem__ (a defaultdict) and never end.
    return int(step.stats[name].total) if name in step.stats.stats else 0


JOBS: dict[str, Callable[[Path], None]] = {
    "datatrove-local": run_datatrove_local,
    "datatrove-slurm": run_datatrove_slurm,
    "ray": run_ray,
    "units": run_units,
}


def main(argv: list[str]) -> int:
    job, work = argv
    JOBS[job](Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
