"""The tool around the documents, as a user types it: folders walked and
mirrored, outputs that never overwrite an input, a closed pipe, --version,
--skip/--only/--disable, and errors that say in one line what to do."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from normalize.cli import main
from normalize.pipeline import Normalizer
from normalize.rules import SelectionError

from .conftest import ROOT, RULES_DIR


def run(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess[bytes]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(
        [sys.executable, "-m", "normalize", *args], cwd=cwd, timeout=300, check=False, **streams
    )


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --- folders (item 5) -----------------------------------------------------------


def test_folders_are_walked_and_the_tree_is_mirrored(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus"
    write_tree(
        corpus,
        {
            "a.txt": "Top.  \n",
            "sub/x.txt": "Below.  \n",
            "sub/deeper/y.txt": "Deeper.  \n",
            "notes.md": "Not text for us.\n",
            "c.TXT": "Upper case.\n",
            ".hidden.txt": "Hidden.\n",
        },
    )
    out = tmp_path / "out"
    assert main([str(corpus), "-o", str(out), "--edits"]) == 0
    assert listing(out) == [
        "a.edits.jsonl",
        "a.txt",
        "sub/deeper/y.edits.jsonl",
        "sub/deeper/y.txt",
        "sub/x.edits.jsonl",
        "sub/x.txt",
    ]
    assert (out / "sub" / "deeper" / "y.txt").read_text(encoding="utf-8") == "Deeper.\n"
    err = capsys.readouterr().err.splitlines()
    skipped = [line for line in err if "skipped" in line]
    assert skipped == [
        f"normalize: skipped 3 in the input folders: 1 hidden ({corpus / '.hidden.txt'}); "
        f"2 not matching *.txt ({corpus / 'c.TXT'}, {corpus / 'notes.md'})"
    ]


def test_documents_of_subfolders_are_named_by_their_path(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_tree(corpus, {"a/x.txt": "One.  \n", "b/x.txt": "Two.  \n"})
    out, explain = tmp_path / "out", tmp_path / "e.jsonl"
    assert main([str(corpus), "-o", str(out), "--explain", str(explain), "-q"]) == 0
    heads = [r for r in read_lines(explain) if r["kind"] in ("doc", "input")]
    assert [(r["kind"], r["doc"]) for r in heads] == [
        ("doc", "a/x.txt"),
        ("input", "a/x.txt"),
        ("doc", "b/x.txt"),
        ("input", "b/x.txt"),
    ]
    restored = tmp_path / "x.txt"
    for doc in ([], ["--doc", "b/x.txt"]):  # found by its checksum, or named
        args = ["restore", str(out / "b" / "x.txt"), str(explain), *doc]
        assert main([*args, "-o", str(restored)]) == 0
        assert restored.read_text(encoding="utf-8") == "Two.  \n"
    assert main(["restore", str(out), str(explain), "-o", str(tmp_path / "back")]) == 0
    assert (tmp_path / "back" / "a" / "x.txt").read_text(encoding="utf-8") == "One.  \n"


def test_glob_chooses_the_files_of_folders(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_tree(corpus, {"a.txt": "A.\n", "b.md": "B.  \n", "sub/c.TXT": "C.  \n"})
    out = tmp_path / "out"
    assert main([str(corpus), "-o", str(out), "--glob", "*.md", "--glob", "*.TXT", "-q"]) == 0
    assert listing(out) == ["b.md", "sub/c.TXT"]
    assert (out / "b.md").read_text(encoding="utf-8") == "B.\n"


def test_a_folder_without_matching_files_is_an_error(tmp_path: Path, capsys) -> None:
    write_tree(tmp_path / "corpus", {"a.md": "A.\n"})
    assert main([str(tmp_path / "corpus"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "1 not matching *.txt" in err and "no input files found (see --glob)" in err


def test_an_output_folder_inside_the_input_folder_is_not_read_again(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus"
    write_tree(corpus, {"a.txt": "Text.  \n"})
    clean = corpus / "clean"
    assert main([str(corpus), "-o", str(clean), "--edits", "-q"]) == 0
    assert main([str(corpus), "-o", str(clean), "--edits"]) == 0  # a second run, the same
    assert listing(clean) == ["a.edits.jsonl", "a.txt"]
    assert f"1 in the output folder ({clean})" in capsys.readouterr().err


def test_json_lines_folders_leave_edits_files_out(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    row = json.dumps({"text": "Text.  "}) + "\n"
    write_tree(data, {"a.jsonl": row, "part/b.jsonl": row, "a.edits.jsonl": "{}\n"})
    out = tmp_path / "out"
    assert main(["--jsonl", str(data), "-o", str(out), "--edits"]) == 0
    assert listing(out) == ["a.edits.jsonl", "a.jsonl", "part/b.edits.jsonl", "part/b.jsonl"]
    assert "1 edits files" in capsys.readouterr().err


def test_two_inputs_with_one_output_name_are_refused(tmp_path: Path, capsys) -> None:
    write_tree(tmp_path, {"one/a.txt": "A.\n", "two/a.txt": "B.\n"})
    code = main([str(tmp_path / "one"), str(tmp_path / "two"), "-o", str(tmp_path / "out")])
    assert code == 2
    assert "two inputs share the name 'a.txt'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- nothing the run writes may be an input (items 6 and 13) ----------------------


def test_writing_into_the_input_folder_is_refused_once(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    files = {f"{n}.txt": f"Text {n}.  \n" for n in range(5)}
    write_tree(docs, files)
    done = run(["docs", "-o", "docs"], cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.decode().splitlines()
    assert line == "normalize: error: the output docs/0.txt would overwrite the input docs/0.txt"
    assert listing(docs) == sorted(files)  # nothing written, nothing changed
    assert all((docs / n).read_text(encoding="utf-8") == t for n, t in files.items())


@pytest.mark.parametrize("jsonl", [False, True])
def test_explain_never_overwrites_an_input(tmp_path: Path, jsonl: bool) -> None:
    name = "v.jsonl" if jsonl else "v.txt"
    data = "".join(json.dumps({"text": f"Row {n}.  "}) + "\n" for n in range(50))
    source = tmp_path / name
    source.write_text(data if jsonl else "Text.  \n", encoding="utf-8")
    before = source.read_bytes()
    done = run([*(["--jsonl"] if jsonl else []), name, "--explain", name], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"normalize: error: the --explain {name} would overwrite the input {name}\n"
    )
    assert source.read_bytes() == before and done.stdout == b""


def test_stdout_never_overwrites_an_input(tmp_path: Path) -> None:
    source = tmp_path / "v.txt"
    source.write_bytes(b"Text.  \n")
    with source.open("ab") as appended:  # `normalize v.txt >> v.txt`
        done = run(["v.txt"], cwd=tmp_path, stdout=appended)
    assert done.returncode == 2
    assert b"stdout would overwrite the input v.txt" in done.stderr
    assert source.read_bytes() == b"Text.  \n"


def test_an_output_linked_to_an_input_is_refused(tmp_path: Path, capsys) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"Text.  \n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").hardlink_to(source)
    assert main([str(source), "-o", str(out)]) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert source.read_bytes() == b"Text.  \n"


def test_edits_files_of_two_inputs_never_collide(tmp_path: Path, capsys) -> None:
    row = json.dumps({"text": "Text.  "}) + "\n"
    write_tree(tmp_path, {"news.jsonl": row, "news.edits.jsonl": row})
    out = tmp_path / "out"
    inputs = [str(tmp_path / "news.jsonl"), str(tmp_path / "news.edits.jsonl")]
    assert main(["--jsonl", *inputs, "-o", str(out), "--edits"]) == 2
    assert capsys.readouterr().err == (
        f"normalize: error: the edits file {out / 'news.edits.jsonl'} and the output "
        f"{out / 'news.edits.jsonl'} would be the same file\n"
    )
    assert not out.exists()


def test_explain_into_an_output_is_refused(tmp_path: Path, capsys) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"Text.\n")
    out = tmp_path / "out"
    assert main([str(source), "-o", str(out), "--explain", str(out / "a.txt")]) == 2
    assert "would be the same file" in capsys.readouterr().err


def test_restore_never_overwrites_its_inputs(tmp_path: Path, capsys) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"Text.  \n")
    out = tmp_path / "out"
    assert main([str(source), "-o", str(out), "--edits", "-q"]) == 0
    clean, edits = out / "a.txt", out / "a.edits.jsonl"
    assert main(["restore", str(clean), str(edits), "-o", str(clean)]) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert clean.read_bytes() == b"Text.\n"


# --- a closed stdout (item 7) --------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_closed_stdout_ends_the_run_quietly(tmp_path: Path, jobs: str) -> None:
    source = tmp_path / "big.jsonl"
    row = json.dumps({"text": "A line of news text that goes on.  " * 20}) + "\n"
    source.write_text(row * 4000, encoding="utf-8")  # 3 MB: far more than a pipe holds
    # `normalize --jsonl big.jsonl --explain e.jsonl | head -1`
    process = subprocess.Popen(
        [sys.executable, "-m", "normalize", "--jsonl", "big.jsonl", "-j", jobs],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=300) == 141  # as a filter killed by SIGPIPE
    assert err == b""


def test_a_closed_stdout_leaves_no_file_half_written(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    row = json.dumps({"text": "A line of news text that goes on.  " * 20}) + "\n"
    source.write_text(row * 4000, encoding="utf-8")
    done = subprocess.run(
        f"{sys.executable} -m normalize --jsonl big.jsonl --explain e.jsonl | head -n 1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.stdout.count(b"\n") == 1 and done.stderr == b""
    # The run stopped: its --explain file would be incomplete, so there is none.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]


# --- small things a user meets (item 9) ----------------------------------------------


def test_version(tmp_path: Path) -> None:
    done = run(["--version"], cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.decode().startswith("normalize 0.")


def test_a_failing_rule_example_is_a_broken_rule(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    layout = rules / "20-layout.yaml"
    text = layout.read_text(encoding="utf-8")
    wrong = text.replace("output:", 'output: "not what the rule makes"\n        #', 1)
    layout.write_text(wrong, encoding="utf-8")
    assert main(["check", "--rules", str(rules)]) == 2
    captured = capsys.readouterr()
    assert "1 problem(s)" in captured.out and "20-layout.yaml" in captured.err


@pytest.mark.parametrize("command", [[], ["report"]])
def test_json_lines_given_as_text_are_refused_with_what_to_add(
    tmp_path: Path, command: list[str], capsys
) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text(json.dumps({"text": "Text."}) + "\n", encoding="utf-8")
    out = tmp_path / ("out.html" if command else "out")
    assert main([*command, str(source), "-o", str(out)]) == 2
    assert f"{source} is JSON Lines: add --jsonl" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("command", [[], ["report"], ["suggest"]])
def test_field_without_jsonl_is_an_error(tmp_path: Path, command: list[str], capsys) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Text.\n", encoding="utf-8")
    assert main([*command, str(source), "--field", "body"]) == 2
    assert "--field names a field of JSON Lines objects: it needs --jsonl" in (
        capsys.readouterr().err
    )


def test_restore_says_what_is_wrong_as_the_main_command_does(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Text.\n", encoding="utf-8")
    done = run(["restore", "a.txt", "missing.edits.jsonl"], cwd=tmp_path)
    cleaning = run(["missing.txt"], cwd=tmp_path)
    assert done.returncode == cleaning.returncode == 1
    assert done.stderr == b"normalize: missing.edits.jsonl: No such file or directory\n"
    assert cleaning.stderr == b"normalize: missing.txt: No such file or directory\n"


@pytest.mark.parametrize("command", [[], ["check"], ["restore"], ["report"], ["suggest"]])
def test_every_option_of_every_command_is_explained(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = capsys.readouterr().out
    lines = text.splitlines()
    for number, line in enumerate(lines):
        # An option or argument line: its help follows on the line or just below.
        if re.match(r"^  \S", line) and not line.startswith("  normalize"):
            below = lines[number + 1] if number + 1 < len(lines) else ""
            explained = re.search(r"\S  +\S", line.strip()) or below.startswith(" " * 10)
            assert explained, f"{' '.join(command) or 'normalize'} --help: {line.strip()}"
    if command == ["restore"]:
        assert "restore the input whose records have this 'doc'" in " ".join(text.split())


# --- switching passes and rules off (item 10) -----------------------------------------

TEXT = "Leave a Reply\nHello  world.  \n"


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def explained(tmp_path: Path, *options: str) -> tuple[str, set[str]]:
    source = tmp_path / "a.txt"
    source.write_text(TEXT, encoding="utf-8")
    explain = tmp_path / "e.jsonl"
    done = run(["a.txt", "--explain", "e.jsonl", *options], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [r for r in read_lines(explain) if r["kind"] in ("edit", "note")]
    return done.stdout.decode(), {f"{r['pass']}/{r['rule']}" for r in records}


def test_skip_only_and_disable(tmp_path: Path) -> None:
    everything = {"boilerplate/COMMENT_FORM", "layout/TRAILING_WHITESPACE"}
    assert explained(tmp_path) == ("Hello  world.\n", everything)
    assert explained(tmp_path, "--skip", "boilerplate") == (
        "Leave a Reply\nHello  world.\n",
        {"layout/TRAILING_WHITESPACE"},
    )
    assert explained(tmp_path, "--skip", "boilerplate, layout")[1] == set()
    assert explained(tmp_path, "--only", "boilerplate")[1] == {"boilerplate/COMMENT_FORM"}
    assert explained(tmp_path, "--disable", "TRAILING_WHITESPACE") == (
        "Hello  world.  \n",
        {"boilerplate/COMMENT_FORM"},
    )


@pytest.mark.parametrize(
    "option, name, kind",
    [("--skip", "nmaes", "pass"), ("--only", "layout,x", "pass"), ("--disable", "NOPE", "rule")],
)
def test_an_unknown_pass_or_rule_lists_the_known_ones(
    option: str, name: str, kind: str, capsys
) -> None:
    assert main([option, name]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"normalize: error: {option}: unknown {kind}")
    assert "known: " in line and ("TRAILING_WHITESPACE" in line if kind == "rule" else True)
    assert "encoding, lookalikes, debris, layout, boilerplate" in line or kind == "rule"


def test_from_rules_takes_the_same_choices() -> None:
    normalizer = Normalizer.from_rules(RULES_DIR, skip=["boilerplate"], disable=["FINAL_NEWLINE"])
    assert "boilerplate" not in [p.name for p in normalizer.passes]
    assert (
        normalizer.normalize(TEXT.rstrip("\n") + "  ", as_file=True)
        == "Leave a Reply\nHello  world."
    )
    only = Normalizer.from_rules(RULES_DIR, only=["layout"])
    assert [p.name for p in only.passes] == ["layout"]
    with pytest.raises(SelectionError, match=r"only: unknown pass nmaes \(did you mean names\?"):
        Normalizer.from_rules(RULES_DIR, only=["nmaes"])


def test_a_pickled_normalizer_keeps_its_choices() -> None:
    import pickle

    normalizer = Normalizer.from_rules(RULES_DIR, skip=["boilerplate"])
    copy = pickle.loads(pickle.dumps(normalizer))
    assert [p.name for p in copy.passes] == [p.name for p in normalizer.passes]
    assert copy.normalize(TEXT) == normalizer.normalize(TEXT)


def test_workers_run_the_chosen_passes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_tree(folder, {f"{n:03}.txt": TEXT * 2000 for n in range(3)})
    out = tmp_path / "out"
    done = run(["in", "-o", "out", "-j", "2", "-q", "--skip", "boilerplate"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (out / "000.txt").read_text(encoding="utf-8").startswith("Leave a Reply\n")


# --- the Ray command line (item 11) ------------------------------------------------------


def test_the_ray_command_says_a_wrong_format_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    (tmp_path / "in.jsonl").write_text(json.dumps({"text": "x"}) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "normalize.integrations.ray_data", "in.jsonl", "out"]
    for args, message in (
        (["--format", "parquet"], "no .parquet files for --format parquet (found: .jsonl)"),
        (["--format", "csv"], "invalid choice: 'csv'"),
    ):
        done = subprocess.run(
            [*command, *args], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 2
        (line,) = done.stderr.splitlines()
        assert message in line, line
    assert not (tmp_path / "out").exists()


def test_suggest_into_a_read_only_folder_says_so_in_one_line(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    import errno

    from normalize import textio

    def read_only(target: Path) -> tuple[int, Path]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(textio, "_create_temporary", read_only)
    source = tmp_path / "a.txt"
    source.write_text("Text.\n", encoding="utf-8")
    target = tmp_path / "proposal.yaml"
    assert main(["suggest", str(source), "-o", str(target)]) == 2
    assert capsys.readouterr().err == (f"normalize: error: -o {target}: Read-only file system\n")


def test_an_editable_install_reads_the_checkouts_rules(tmp_path: Path) -> None:
    # From another folder the package comes through the editable install's
    # finder, not the current folder: its rules are the checkout's rules/, as edited.
    script = (
        "import normalize, normalize.rules as r; print(normalize.__file__, r.DEFAULT_RULES_DIR)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    module, rules_dir = done.stdout.split()
    assert Path(module) == ROOT / "normalize" / "__init__.py"
    assert Path(rules_dir) == ROOT / "rules"
