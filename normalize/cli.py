"""The command line: a filter, a folder tool, and a few subcommands.

Exit status: 0 when everything was written, 1 when some input could not be
processed (the others still were), 2 for usage errors and broken rules, 141
when the reader of stdout went away, 128 + N when stopped by signal N.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

from normalize.clean import Options, RunReport, clean_jsonl, clean_texts, edits_path, file_size
from normalize.edits_file import EditsFileError, EditsWriter
from normalize.examples import check_example, coverage_problems, iter_examples
from normalize.inputs import (
    DEFAULT_GLOBS,
    Output,
    UsageError,
    check_outputs,
    find_inputs,
    plan_outputs,
    refuse_jsonl_as_text,
)
from normalize.parallel import DocumentPool, WorkersLost, count_cores
from normalize.pipeline import Normalizer
from normalize.restoring import RestoreError, edits_file_beside, restore_file, restore_folder
from normalize.rules import RulesError, SelectionError, load_rules
from normalize.textio import (
    Interrupted,
    graceful_termination,
    open_output,
    remove_stale_temporaries,
)

PROG = "normalize"
SIGPIPE_STATUS = 128 + 13  # what a shell reports for a filter killed by SIGPIPE

CLEAN_EPILOG = """\
examples:
  normalize < raw.txt > clean.txt                 filter stdin to stdout
  normalize corpus/raw -o corpus/clean --edits    a folder; edits next to each output
  normalize article.txt --explain edits.jsonl     see what changed and why
  normalize --jsonl --field text in.jsonl > out.jsonl
  normalize --rules my-rules/ article.txt         use another rules folder
  normalize corpus/ -o clean/ --glob '*.md'       every *.md under corpus/, the tree mirrored
  normalize --skip names --disable ECHOED_WORD a.txt   switch a pass or a rule off
  normalize -j 8 --progress big.jsonl --jsonl -o out/   8 workers, with a progress bar

subcommands:
  normalize check [--rules DIR]                   validate rules and run their examples
  normalize restore OUTPUT [EDITS] [-o RAW]       rebuild a run's input from output + edits
  normalize report FILE|DIR [-o report.html]      every edit in place, in one HTML page
  normalize suggest FILE|DIR ... [-o FILE]        propose name variants for review (YAML)
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command: Callable[[list[str]], int] = SUBCOMMANDS.get(argv[0], run_clean) if argv else run_clean
    args = argv[1:] if argv and argv[0] in SUBCOMMANDS else argv
    try:
        with graceful_termination():
            return command(args)
    except RulesError as error:
        for problem in error.problems:
            print(f"{PROG}: rules: {problem}", file=sys.stderr)
        return 2
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except Interrupted as stop:
        print(f"{PROG}: stopped by {stop}; files already written are complete", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; files already written are complete", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return end_quietly_on_closed_stdout()


def end_quietly_on_closed_stdout() -> int:
    """The reader of stdout went away (`normalize big.jsonl | head -1`): stop
    without a word, as a Unix filter killed by SIGPIPE does, and with its status.

    Outputs already renamed into place are complete; nothing half-written is
    left (the temporary files went with the exception). stdout now points at
    /dev/null so that the interpreter's last flush does not complain.
    """
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return SIGPIPE_STATUS


def clean_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Repair machine-translated and scraped news text with ordered, explained,\n"
            "reversible rule passes. With no FILE, reads stdin and writes stdout."
        ),
        epilog=CLEAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="FILE",
        type=Path,
        help="text files or folders of them (default: stdin)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        type=Path,
        help="write one output per input into DIR (atomically)",
    )
    parser.add_argument(
        "--rules", metavar="DIR", type=Path, help="rules folder (default: the package's own)"
    )
    parser.add_argument(
        "--explain",
        metavar="FILE",
        type=Path,
        help="write every edit and note as JSON Lines to FILE",
    )
    parser.add_argument(
        "--edits", action="store_true", help="with -o: write NAME.edits.jsonl next to each output"
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help="inputs are JSON Lines; normalise one field of each object",
    )
    parser.add_argument(
        "--field",
        metavar="NAME",
        help="the field to normalise in --jsonl mode (default: text)",
    )
    parser.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="in folders (walked recursively), read the files whose names match; may be "
        "repeated (default: *.txt, or *.jsonl with --jsonl)",
    )
    for option, metavar, text in SELECTION_OPTIONS:
        parser.add_argument(
            option, type=names_list, action="extend", default=[], metavar=metavar, help=text
        )
    parser.add_argument(
        "--stats-field",
        metavar="NAME",
        help="--jsonl: add each row's repair statistics (edits and notes per pass, edits "
        "per 1,000 characters) as field NAME",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help=f"worker processes for folders and JSON Lines (default: all {count_cores()} cores)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no per-document lines, bar or summary"
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}")
    return parser


# Passes and rules switched off for one run, as `enabled: false` in the files would.
SELECTION_OPTIONS = (
    ("--skip", "PASS[,PASS]", "do not run these passes (as `enabled: false` in their files)"),
    ("--only", "PASS[,PASS]", "run only these passes"),
    ("--disable", "RULE_ID[,RULE_ID]", "switch these rules off (ids as in rule files and edits)"),
)


def names_list(value: str) -> list[str]:
    """PASS,PASS or RULE,RULE as a list, blanks around the commas ignored."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("needs at least one name")
    return names


def package_version() -> str:
    """The installed distribution's version (pyproject.toml's, for an editable install)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("normalize")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def run_clean(argv: list[str]) -> int:
    args = clean_parser().parse_args(argv)
    check_clean_options(args)
    sources, skipped = find_inputs(
        args.inputs, args.glob or DEFAULT_GLOBS[args.jsonl], output=args.output
    )
    if skipped.counts and not args.quiet:
        print(f"{PROG}: {skipped.describe()}", file=sys.stderr)
    if args.inputs and not sources:
        raise UsageError("no input files found (see --glob)")
    if not args.jsonl:
        refuse_jsonl_as_text(source.path for source in sources)
    if len(sources) > 1 and args.output is None:
        raise UsageError("several inputs need -o DIR (stdout takes one document)")
    if args.output is not None and not sources:
        raise UsageError("-o DIR needs input files (stdin goes to stdout)")
    targets = plan_outputs(
        sources, args.output, edits_path=edits_path if args.edits else None, explain=args.explain
    )
    normalizer = load_normalizer(args)
    if args.output is not None:
        prepare_output_folder(args.output, targets.values())
    inputs = [source.path for source in sources]
    report = RunReport()
    with ExitStack() as stack:
        explain = open_explain(stack, args.explain)
        options = Options(
            args.output,
            explain,
            args.edits,
            args.field or "text",
            args.quiet,
            targets,
            args.stats_field,
        )
        pool: DocumentPool[Any, Any, Any] = stack.enter_context(
            DocumentPool(normalizer, args.jobs or count_cores())
        )
        show_bar = args.progress if args.progress is not None else sys.stderr.isatty()
        if show_bar and not args.quiet:
            report.show_progress(sum(file_size(p) for p in inputs) if inputs else None)
            stack.callback(report.close)
        try:
            if args.jsonl:
                paths: Sequence[Path | None] = inputs or [None]  # None: stdin
                for path in paths:
                    clean_jsonl(pool, path, options, report)
            else:
                clean_texts(pool, inputs, options, report)
        except WorkersLost as error:
            report.fail("workers", f"{error}; the run stopped")
        if explain is not None:
            explain.finish()
    if not args.quiet and (args.output is not None or show_bar):
        print(report.summary(), file=sys.stderr)
    return 1 if report.failures else 0


def check_clean_options(args: argparse.Namespace) -> None:
    """Options that contradict each other, or make no sense alone."""
    if args.edits and args.output is None:
        raise UsageError("--edits writes next to the outputs, so it needs -o DIR")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: needs at least one worker")
    if args.field is not None and not args.jsonl:
        raise UsageError("--field names a field of JSON Lines objects: it needs --jsonl")
    if args.output is not None and args.output.exists() and not args.output.is_dir():
        raise UsageError(f"-o {args.output}: not a folder")
    if args.stats_field is not None and not args.jsonl:
        raise UsageError("--stats-field names a field of JSON Lines rows: it needs --jsonl")
    if args.stats_field is not None and args.stats_field == (args.field or "text"):
        raise UsageError(f"--stats-field {args.stats_field}: that is the field being normalised")


def load_normalizer(args: argparse.Namespace) -> Normalizer:
    """The --rules folder less the passes and rules --skip, --only and --disable name."""
    try:
        return Normalizer.from_rules(
            args.rules, skip=args.skip, only=args.only, disable=args.disable
        )
    except SelectionError as error:
        raise UsageError(f"--{error}") from error


def prepare_output_folder(folder: Path, targets: Iterable[Path]) -> None:
    """Create the output folder, refuse one that cannot be written (once, not per
    document), and clear the temporary files that killed runs left in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"-o {folder}: {error.strerror or error}") from error
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"-o {folder}: cannot write into this folder")
    for parent in sorted({target.parent for target in targets} | {folder}):
        remove_stale_temporaries(parent)


def open_explain(stack: ExitStack, path: Path | None) -> EditsWriter | None:
    """The --explain file, written atomically (or through, for /dev/stderr and pipes)."""
    if path is None:
        return None
    try:
        return EditsWriter(stack.enter_context(open_output(path, text=True)))
    except OSError as error:
        raise UsageError(f"--explain {path}: {error.strerror or error}") from error


def run_check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} check",
        description="Validate a rules folder and run every rule's examples.",
    )
    parser.add_argument(
        "--rules",
        metavar="DIR",
        type=Path,
        help="rules folder to check (default: the package's own)",
    )
    args = parser.parse_args(argv)
    rulesets = load_rules(args.rules)
    normalizer = Normalizer.from_rules(args.rules)
    problems = coverage_problems(rulesets)
    count = 0
    for item in iter_examples(rulesets):
        count += 1
        problem = check_example(normalizer, item)
        if problem:
            problems.append(f"{item.rule.path}:{item.example.line}: {item.rule.id}: {problem}")
    for problem in problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    rules = sum(len(r.enabled_rules()) for r in rulesets if r.enabled)
    verdict = f"{len(problems)} problem(s)" if problems else "all hold"
    print(f"{len(rulesets)} rule files, {rules} rules, {count} examples: {verdict}")
    return 2 if problems else 0  # rules that fail their own examples are broken rules


RESTORE_EPILOG = """\
examples:
  normalize restore out/a.txt                         its edits beside it (out/a.edits.jsonl)
  normalize restore out/news.jsonl -o news.jsonl      a JSON Lines run, every row
  normalize restore clean.txt explain.jsonl           the output's own edits, found by checksum
  normalize restore out/ -o raw/                      every output of a folder run
  normalize restore out/ explain.jsonl -o raw/        the same, from the run's --explain file

The edits file must be complete, unaltered and made for this output (it holds
checksums of both); anything else is refused in one line and nothing is written.
"""


def run_restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} restore",
        description="Rebuild the input of a run, byte for byte, from its output and its edits.",
        epilog=RESTORE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "clean", type=Path, metavar="OUTPUT", help="an output file (text or JSON Lines) or folder"
    )
    parser.add_argument(
        "edits",
        type=Path,
        nargs="?",
        metavar="EDITS",
        help="its edits file, or the run's --explain file (default: the one beside the output)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="write here (default: stdout; a folder for a folder)",
    )
    parser.add_argument(
        "--doc",
        metavar="NAME",
        help="with an --explain file of several inputs: restore the input whose records have "
        "this 'doc' (its path under the output folder); without it, the input whose output "
        "this is is found by its checksum",
    )
    args = parser.parse_args(argv)
    if args.clean.is_dir():
        return restore_run_folder(args)
    edits = args.edits if args.edits is not None else edits_file_beside(args.clean)
    output = Output(args.output, "output") if args.output else Output(Path("-"), "stdout")
    check_outputs([args.clean, edits], [output])
    try:
        restore_file(args.clean, edits, args.output, args.doc, sys.stdout.buffer)
    except (EditsFileError, RestoreError) as error:
        return say_failure(f"{edits}: {error}")
    except OSError as error:
        return say_failure(f"{args.output}: cannot write: {error.strerror or error}")
    return 0


def restore_run_folder(args: argparse.Namespace) -> int:
    if args.output is None:
        raise UsageError("restoring a folder needs -o DIR for the restored files")
    try:
        problems = restore_folder(args.clean, args.edits, args.output)
    except RestoreError as error:
        raise UsageError(str(error)) from error
    for problem in problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    return 1 if problems else 0


def say_failure(problem: str) -> int:
    """An input that cannot be processed, said as the cleaning run says it: exit status 1."""
    print(f"{PROG}: {problem}", file=sys.stderr)
    return 1


def run_report(argv: list[str]) -> int:
    # Imported here: a cleaning run never pays for loading the report code.
    from normalize.report import main as report_main

    return report_main(argv)


def run_suggest(argv: list[str]) -> int:
    from normalize.suggest import main as suggest  # imported only when asked for

    return suggest(argv)


SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "check": run_check,
    "restore": run_restore,
    "report": run_report,
    "suggest": run_suggest,
}
