"""The command line: a filter, a folder tool, and a few subcommands.

Exit status: 0 when everything was written, 1 when some input could not be
processed (the others still were), 2 for usage errors and broken rules.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from normalize.clean import Options, RunReport, clean_jsonl, clean_texts, file_size
from normalize.compression import plain_name
from normalize.edits_file import EditsFileError, EditsWriter
from normalize.examples import check_example, coverage_problems, iter_examples
from normalize.parallel import DocumentPool, WorkersLost, count_cores
from normalize.pipeline import Normalizer
from normalize.restoring import RestoreError, edits_file_beside, restore_file, restore_folder
from normalize.rules import RulesError, load_rules
from normalize.textio import (
    Interrupted,
    graceful_termination,
    open_output,
    remove_stale_temporaries,
)

PROG = "normalize"

CLEAN_EPILOG = """\
examples:
  normalize < raw.txt > clean.txt                 filter stdin to stdout
  normalize corpus/raw -o corpus/clean --edits    a folder; edits next to each output
  normalize article.txt --explain edits.jsonl     see what changed and why
  normalize --jsonl --field text in.jsonl > out.jsonl
  normalize --rules my-rules/ article.txt         use another rules folder
  normalize -j 8 --progress big.jsonl --jsonl -o out/   8 workers, with a progress bar

subcommands:
  normalize check [--rules DIR]                   validate rules and run their examples
  normalize restore OUTPUT [EDITS] [-o RAW]       rebuild a run's input from output + edits
  normalize report FILE|DIR [-o report.html]      every edit in place, in one HTML page
  normalize suggest FILE|DIR ... [-o FILE]        propose name variants for review (YAML)
"""


class UsageError(Exception):
    """A command line that cannot be run; reported in one line, exit status 2."""


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
        # The reader went away (`normalize big.txt | head`); that is not an error.
        sys.stderr.close()
        return 0


def clean_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Repair machine-translated and scraped news text with ordered, explained, "
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
        "--rules", metavar="DIR", type=Path, help="rules folder (default: the repository's rules/)"
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
        default="text",
        metavar="NAME",
        help="the field to normalise in --jsonl mode (default: text)",
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
    return parser


def run_clean(argv: list[str]) -> int:
    args = clean_parser().parse_args(argv)
    if args.edits and args.output is None:
        raise UsageError("--edits writes next to the outputs, so it needs -o DIR")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: needs at least one worker")
    check_stats_field(args)
    inputs = expand_inputs(args.inputs, ".jsonl" if args.jsonl else ".txt")
    if len(inputs) > 1 and args.output is None:
        raise UsageError("several inputs need -o DIR (stdout takes one document)")
    if args.output is not None and not inputs:
        raise UsageError("-o DIR needs input files (stdin goes to stdout)")
    if args.output is not None and args.output.exists() and not args.output.is_dir():
        raise UsageError(f"-o {args.output}: not a folder")
    normalizer = Normalizer.from_rules(args.rules)
    if args.output is not None:
        remove_stale_temporaries(args.output)
    report = RunReport()
    with ExitStack() as stack:
        explain = open_explain(stack, args.explain)
        options = Options(
            args.output, explain, args.edits, args.field, args.quiet, args.stats_field
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


def check_stats_field(args: argparse.Namespace) -> None:
    if args.stats_field is None:
        return
    if not args.jsonl:
        raise UsageError("--stats-field names a field of JSON Lines rows; it needs --jsonl")
    if args.stats_field == args.field:
        raise UsageError(f"--stats-field {args.stats_field}: that is the field being normalised")


def open_explain(stack: ExitStack, path: Path | None) -> EditsWriter | None:
    """The --explain file, written atomically (or through, for /dev/stderr and pipes)."""
    if path is None:
        return None
    try:
        return EditsWriter(stack.enter_context(open_output(path, text=True)))
    except OSError as error:
        raise UsageError(f"--explain {path}: {error.strerror or error}") from error


def expand_inputs(paths: list[Path], suffix: str) -> list[Path]:
    """Files as given; folders become their `suffix` files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if Path(plain_name(p.name)).suffix == suffix
                    and not plain_name(p.name).endswith(".edits.jsonl")
                    and p.is_file()
                )
            )
        else:
            files.append(path)
    names = Counter(p.name for p in files)
    clashes = sorted(name for name, count in names.items() if count > 1)
    if clashes:
        raise UsageError(f"two inputs share the name {clashes[0]!r}; outputs would collide")
    return files


def run_check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} check",
        description="Validate a rules folder and run every rule's examples.",
    )
    parser.add_argument("--rules", metavar="DIR", type=Path, help="rules folder to check")
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
    return 1 if problems else 0


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
    parser.add_argument("--doc", help="with an --explain file of several inputs: this input's")
    args = parser.parse_args(argv)
    if args.clean.is_dir():
        return restore_run_folder(args)
    edits = args.edits if args.edits is not None else edits_file_beside(args.clean)
    try:
        restore_file(args.clean, edits, args.output, args.doc, sys.stdout.buffer)
    except (EditsFileError, RestoreError) as error:
        print(f"{PROG}: {edits}: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        raise UsageError(f"-o {args.output}: {error.strerror or error}") from error
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
