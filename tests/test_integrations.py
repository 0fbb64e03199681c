"""The normaliser inside datatrove and Ray Data, run for real and compared with the CLI.

The documents (the five corpus documents, about 300 of the bench corpus or text
made from the corpus, and a few odd ones) go through `python -m normalize --jsonl`
once; every engine's output must hold the same texts, matched by id (engines may
reorder documents), with the other fields kept.

- datatrove: LocalPipelineExecutor (2 tasks, 2 workers); SlurmPipelineExecutor
  through its real launch script and pickled executor, with stand-ins for
  `sbatch` and `srun` that run the array tasks here; RayPipelineExecutor.
- Ray Data: one local cluster (2 CPUs, no dashboard, no usage stats) for the
  three Ray jobs; map_batches over JSON Lines (pandas batches) and over Parquet
  (NumPy batches, through the module's command line).

The engines run in child processes (`tests/integration_jobs.py` says why: their
threads would break the signal tests of test_interrupt.py); the checks run here.
Without ray or datatrove the tests are skipped; `.ci/run` sets
NORMALIZE_REQUIRE_INTEGRATIONS=1, which turns the skip into a failure.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from normalize.document import Edit
from normalize.edits import read_records, restore
from normalize.pipeline import Normalizer

from .conftest import BENCH_CORPUS, ROOT, RULES_DIR, raw_documents

BENCH_LINES = 300
EXTRA_FIELDS = ("source", "n")  # kept by every engine; `n` checks a non-string column

ODD_DOCUMENTS = [
    "Windows line endings  \r\nand a trailing space.  \r\n",
    "Emoji 👩‍👩‍👧 and a line\u2028separator, RTL \u05e9\u05dc\u05d5\u05dd.",
    "Mojibake: it\u00e2\u20ac\u2122s the minister\u00e2\u20ac\u2122s view &amp; more.",
    "Secretary Anthony Brinken arrived in Beijing. on tuesday.\n\n\n\nLeave a Reply",
]


JOB_TIMEOUT = 600  # seconds; a job that waits on resources must fail, not hang CI


def require(extra: str, *modules: str) -> None:
    """Skip (fail, when required) unless the modules are installed; imports none
    of them here (see the docstring)."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if not missing:
        return
    if os.environ.get("NORMALIZE_REQUIRE_INTEGRATIONS"):
        pytest.fail(f"NORMALIZE_REQUIRE_INTEGRATIONS is set but {missing} are not installed")
    pytest.skip(f"{', '.join(missing)} not installed (pip install -e '.[{extra}]'); .ci/run does")


def run_job(job: str, work: Path) -> None:
    """Run one job of tests/integration_jobs.py in a child process; fail with its stderr."""
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}  # no usage reports (no network here)
    env.pop("RAY_ADDRESS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration_jobs", job, str(work)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _out, err = process.communicate(timeout=JOB_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.terminate()  # Ray's handler shuts its cluster down on SIGTERM
        try:
            _out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
        pytest.fail(f"job {job} still running after {JOB_TIMEOUT} s:\n{err[-5000:]}")
    assert process.returncode == 0, f"job {job} failed:\n{err[-5000:]}"


# --- the documents and the reference run --------------------------------------------


def bench_documents() -> list[dict[str, Any]]:
    with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in islice(stream, BENCH_LINES)]


def generated_documents() -> list[dict[str, Any]]:
    """Documents stitched from the corpus's paragraphs, when the bench corpus is absent."""
    paragraphs = [
        block
        for path in raw_documents()
        for block in path.read_text(encoding="utf-8").split("\n\n")
        if block.strip()
    ]
    return [
        {
            "id": f"gen{k:04d}",
            "source": "generated",
            "text": "\n\n".join(paragraphs[(k * step) % len(paragraphs)] for step in (1, 7, 13)),
        }
        for k in range(BENCH_LINES)
    ]


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    corpus = [
        {"id": path.stem, "source": "corpus", "text": path.read_text(encoding="utf-8")}
        for path in raw_documents()
    ]
    odd = [{"id": f"odd{i}", "source": "odd", "text": t} for i, t in enumerate(ODD_DOCUMENTS)]
    bulk = bench_documents() if BENCH_CORPUS.exists() else generated_documents()
    records = [*corpus, *odd, *bulk]
    for number, record in enumerate(records):
        record["n"] = number
    assert len({r["id"] for r in records}) == len(records)
    return records


def json_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text. Not str.splitlines(): it also breaks at
    U+2028 and friends, which JSON written with ensure_ascii=False holds as is."""
    return [line for line in text.split("\n") if line.strip()]


class Reference:
    """What the CLI made of the documents: records by id, edits per pass, changed ids."""

    def __init__(self, out: str, explain: str) -> None:
        self.records = {r["id"]: r for r in map(json.loads, json_lines(out))}
        self.edits_by_pass: Counter[str] = Counter()
        self.changed: set[str] = set()
        for record in map(json.loads, json_lines(explain)):
            if record["kind"] == "doc" and record["edits"]:  # a row, by line, its id beside
                self.changed.add(str(record["id"]))
            elif record["kind"] == "edit":
                self.edits_by_pass[record["pass"]] += 1


@pytest.fixture(scope="module")
def reference(documents, tmp_path_factory) -> Reference:
    folder = tmp_path_factory.mktemp("cli")
    source, explain = folder / "all.jsonl", folder / "explain.jsonl"
    write_jsonl(source, documents)
    command = ["-m", "normalize", "--jsonl", "--field", "text", "--explain", str(explain)]
    done = subprocess.run(
        [sys.executable, *command, str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Reference(done.stdout, explain.read_text(encoding="utf-8"))


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def read_jsonl_folder(folder: Path) -> list[dict[str, Any]]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".json" in p.name)
    return [json.loads(line) for path in files for line in json_lines(path.read_text("utf-8"))]


def edits_of(jsonl: str) -> list[Edit]:
    """The edits (not the notes) of a JSON Lines string."""
    return [record for _, record in read_records(json_lines(jsonl)) if isinstance(record, Edit)]


def assert_same_as_cli(
    outputs: list[dict[str, Any]], reference: Reference, documents: list[dict[str, Any]]
) -> None:
    """Every document once, with the CLI's text and its other fields unchanged."""
    ids = [str(r["id"]) for r in outputs]
    assert len(ids) == len(set(ids)), "a document came out twice"
    assert set(ids) == set(reference.records)
    raw = {d["id"]: d for d in documents}
    for record in outputs:
        expected = reference.records[str(record["id"])]
        assert record["text"] == expected["text"], f"document {record['id']} differs"
        for name in EXTRA_FIELDS:
            assert record[name] == raw[str(record["id"])][name]


def test_the_reference_run_repairs_the_corpus(documents, reference) -> None:
    # Without edits to compare, "the same output as the CLI" would prove nothing.
    corpus_ids = {path.stem for path in raw_documents()}
    assert corpus_ids <= reference.changed
    assert len(reference.changed) >= len(corpus_ids) + 2
    for document in documents:
        changed = reference.records[document["id"]]["text"] != document["text"]
        assert changed == (document["id"] in reference.changed)


def test_importing_normalize_imports_neither_ray_nor_datatrove() -> None:
    code = (
        "import sys, normalize, normalize.cli, normalize.integrations.common\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "assert not loaded & {'ray', 'datatrove'}, sorted(loaded & {'ray', 'datatrove'})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def write_documents(work: Path, documents: list[dict[str, Any]]) -> Path:
    write_jsonl(work / "documents.jsonl", documents)
    return work


def check_datatrove_run(work: Path, reference: Reference, documents: list[dict[str, Any]]) -> None:
    """The output matches the CLI, the stored edits restore the input, and the
    merged stats count what the CLI counted."""
    written = read_jsonl_folder(work / "out")
    outputs = [{"id": r["id"], "text": r.get("text", ""), **r["metadata"]} for r in written]
    assert_same_as_cli(outputs, reference, documents)
    raw = {d["id"]: d["text"] for d in documents}
    for record in outputs:
        assert restore(record["text"], edits_of(record["normalize_edits"])) == raw[record["id"]]
    totals = json.loads((work / "step-stats.json").read_text())
    assert totals["total"] == len(documents)
    assert totals["changed"] == len(reference.changed)
    for pass_name, count in reference.edits_by_pass.items():
        assert totals[f"edits_{pass_name}"] == count
    assert "errors" not in totals


# --- datatrove ----------------------------------------------------------------------


def test_datatrove_local_executor_matches_the_cli(documents, reference, tmp_path) -> None:
    require("datatrove", "datatrove", "orjson")
    run_job("datatrove-local", write_documents(tmp_path, documents))
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 2  # both tasks had files
    check_datatrove_run(tmp_path, reference, documents)


def test_datatrove_slurm_executor_runs_the_step_from_its_pickle(
    documents, reference, tmp_path
) -> None:
    require("datatrove", "datatrove", "orjson")
    run_job("datatrove-slurm", write_documents(tmp_path, documents))
    assert (tmp_path / "logs" / "executor.pik").exists()
    assert "launch_pickled_pipeline" in (tmp_path / "logs" / "launch_script.slurm").read_text()
    check_datatrove_run(tmp_path, reference, documents)


UNIT_TEXTS = [*ODD_DOCUMENTS, "Leave a Reply\nHello.", "Nothing to repair here."]


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> dict[str, Any]:
    """What the step and NormalizeBatch did on their own (one child process)."""
    require("datatrove", "datatrove", "orjson")
    require("ray", "ray", "pandas", "numpy")
    work = tmp_path_factory.mktemp("units")
    (work / "units-input.json").write_text(json.dumps(UNIT_TEXTS), encoding="utf-8")
    run_job("units", work)
    return json.loads((work / "units.json").read_text(encoding="utf-8"))


def test_the_step_pickles_without_its_rules_and_loads_them_once(units) -> None:
    seen = units["pickling"]
    assert seen["rules_dir"] == str(RULES_DIR.resolve())  # relative: resolved where built
    assert seen["loads"] == [seen["rules_dir"]]  # once for all documents
    assert seen["first"] == Normalizer.from_rules(RULES_DIR).normalize_batch(UNIT_TEXTS)
    for pickler in ("pickle", "dill"):  # dill: what Slurm and the local pool use
        assert seen[pickler]["loads_on_unpickling"] == 0  # shipped without a Normalizer
        assert seen[pickler]["loads_on_running"] == 1
        assert seen[pickler]["texts"] == seen["first"]


def test_a_document_that_crashes_a_pass_goes_on_unchanged_and_marked(units) -> None:
    seen = units["crash"]
    assert seen["texts"] == ["Fine.", "poison  ", "Also fine."]
    error = "internal error (ValueError: a bug met on an odd document)"
    assert seen["metadata"] == [{"k": 0}, {"k": 1, "normalize_error": error}, {"k": 2}]
    assert (seen["errors"], seen["changed"]) == (1, 2)
    # Ray's map_batches callable: the same, in a column; or the job fails if asked to.
    assert seen["ray"] == {"text": seen["texts"], "normalize_error": ["", error, ""]}
    assert seen["ray_strict"] == "a bug met on an odd document"


def test_the_step_stores_the_same_edits_as_map_batch(units) -> None:
    expected = Normalizer.from_rules(RULES_DIR).map_batch({"text": UNIT_TEXTS}, edits_field="e")
    seen = units["edits"]
    assert {"texts": seen["texts"], "edits": seen["edits"]} == {
        "texts": expected["text"],
        "edits": expected["e"],
    }
    assert expected["e"][-1] == ""  # nothing changed, nothing stored
    assert all(expected["e"][:-1])


def test_the_step_passes_documents_without_text_on_as_they_are(units) -> None:
    seen = units["edits"]
    assert seen["missing"] == ["None", "nan", "'Fine.'"]
    assert seen["missing_metadata"] == [[], [], ["normalize_edits"]]
    assert seen["no_text"] == 2


@pytest.mark.parametrize("kind", ["pandas", "numpy"])
def test_normalize_batch_keeps_the_other_columns_and_refuses_non_text(units, kind) -> None:
    seen = units["batches"][kind]
    expected = Normalizer.from_rules(RULES_DIR).map_batch({"text": UNIT_TEXTS}, edits_field="e")
    assert seen["type"] == ("DataFrame" if kind == "pandas" else "dict")
    assert seen["text"] == expected["text"] and seen["e"] == expected["e"]
    assert seen["n"] == list(range(len(UNIT_TEXTS)))
    # None and NaN pass through (pandas' string columns hold both as NaN)
    assert seen["missing"][0] == "'Fine.'" and set(seen["missing"][1:]) <= {"None", "nan"}
    assert seen["missing_edits"][1:] == ["", ""]
    assert "column 'text', row 1 is int (5), not text" in seen["refusal"]


# --- Ray ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_work(documents, tmp_path_factory) -> Path:
    """One local Ray cluster for the three Ray jobs: starting one takes seconds."""
    require("ray", "ray", "pyarrow", "pandas")
    require("datatrove", "datatrove", "orjson")
    work = write_documents(tmp_path_factory.mktemp("ray"), documents)
    run_job("ray", work)
    return work


def job_error(folder: Path) -> str:
    error = folder / "error.txt"
    return error.read_text() if error.exists() else ""


def test_ray_map_batches_over_json_lines_matches_the_cli(ray_work, documents, reference) -> None:
    assert not job_error(ray_work / "ray-json"), job_error(ray_work / "ray-json")
    assert_same_as_cli(read_jsonl_folder(ray_work / "ray-json" / "out"), reference, documents)


def test_ray_command_line_over_parquet_matches_the_cli(ray_work, documents, reference) -> None:
    work = ray_work / "ray-parquet"
    assert not job_error(work), job_error(work)
    rows = json.loads((work / "rows.json").read_text(encoding="utf-8"))
    assert_same_as_cli(rows, reference, documents)
    raw = {d["id"]: d["text"] for d in documents}
    for row in rows:
        assert restore(row["text"], edits_of(row["edits"])) == raw[row["id"]]


def test_datatrove_ray_executor_matches_the_cli(ray_work, documents, reference) -> None:
    work = ray_work / "datatrove-ray"
    assert not job_error(work), job_error(work)
    check_datatrove_run(work, reference, documents)


def test_repair_statistics_and_the_filters_that_drop_damaged_documents(units) -> None:
    seen = units["damage"]
    normalizer = Normalizer.from_rules(RULES_DIR)
    expected = normalizer.map_batch({"text": UNIT_TEXTS}, stats_field="s")["s"]
    assert seen["ray_stats"] == expected  # Ray's column is map_batch's
    for stats, plain in zip(seen["stats"], expected, strict=True):
        rules = stats.pop("rules")  # datatrove's metadata also counts per rule
        assert stats == plain
        assert sum(counts["edits"] for counts in rules.values()) == plain["edits"]
    assert set(expected[0]["passes"]) == set(normalizer.pass_names)  # one shape for all rows
    over = [str(i) for i, s in enumerate(expected) if s["edits_per_1000_chars"] > 20]
    assert over and len(over) < len(UNIT_TEXTS)
    assert seen["kept"] == [str(i) for i in range(len(UNIT_TEXTS)) if str(i) not in over]
    assert seen["ray_kept"] == [int(i) for i in seen["kept"]]
    glued = [str(i) for i, s in enumerate(expected) if s["passes"]["glued_words"]["edits"]]
    assert seen["kept_glued"] == [str(i) for i in range(len(UNIT_TEXTS)) if str(i) not in glued]
    assert seen["dropped"] == len(glued)
    assert "rule_TRAILING_WHITESPACE" in seen["rule_stats"]
