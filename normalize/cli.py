"""The command line: a filter, a folder tool, and a few subcommands.

Exit status: 0 when everything was written, 1 when some input could not be
processed (the others still were), 2 for usage errors and broken rules.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from normalize.document import Edit, Result
from normalize.edits import EditMismatchError, dumps_json_line, read_records, restore, write_records
from normalize.examples import check_example, coverage_problems, iter_examples
from normalize.pipeline import Normalizer
from normalize.rules import RulesError, load_rules
from normalize.textio import (
    AtomicFiles,
    InputError,
    Interrupted,
    decode_bytes,
    encode_text,
    graceful_termination,
    open_output,
    output_path_for,
    read_text_file,
    read_written_text,
    remove_stale_temporaries,
    write_atomic,
)

PROG = "normalize"

CLEAN_EPILOG = """\
examples:
  normalize < raw.txt > clean.txt                 filter stdin to stdout
  normalize corpus/raw -o corpus/clean --edits    a folder; edits next to each output
  normalize article.txt --explain edits.jsonl     see what changed and why
  normalize --jsonl --field text in.jsonl > out.jsonl
  normalize --rules my-rules/ article.txt         use another rules folder

subcommands:
  normalize check [--rules DIR]                   validate rules and run their examples
  normalize restore CLEAN EDITS [-o RAW]          rebuild the raw text from output + edits
  normalize report FILE|DIR [-o report.html]      every edit in place, in one HTML page
  normalize suggest FILE|DIR ... [-o FILE]        propose name variants for review (YAML)
"""


class UsageError(Exception):
    """A command line that cannot be run; reported in one line, exit status 2."""


@dataclass
class RunReport:
    """What a clean run did, for the summary and the exit status."""

    documents: int = 0
    failures: int = 0
    edits_by_pass: Counter[str] = field(default_factory=Counter)

    def add(self, result: Result) -> None:
        self.documents += 1
        self.edits_by_pass.update(result.edits_by_pass())


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
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-document summary lines")
    return parser


def run_clean(argv: list[str]) -> int:
    args = clean_parser().parse_args(argv)
    if args.edits and args.output is None:
        raise UsageError("--edits writes next to the outputs, so it needs -o DIR")
    inputs = expand_inputs(args.inputs, ".jsonl" if args.jsonl else ".txt")
    if len(inputs) > 1 and args.output is None:
        raise UsageError("several inputs need -o DIR (stdout takes one document)")
    if args.output is not None and not inputs:
        raise UsageError("-o DIR needs input files (stdin goes to stdout)")
    if args.output is not None and args.output.exists() and not args.output.is_dir():
        raise UsageError(f"-o {args.output}: not a folder")
    normalizer = Normalizer.from_rules(args.rules)
    report = RunReport()
    if args.output is not None:
        remove_stale_temporaries(args.output)
    with ExitStack() as stack:
        explain = None
        if args.explain is not None:
            try:
                explain = stack.enter_context(open_output(args.explain, text=True))
            except OSError as error:
                raise UsageError(f"--explain {args.explain}: {error.strerror or error}") from error
        process = process_jsonl if args.jsonl else process_text
        if not inputs:
            process(normalizer, None, None, args, explain, report)
        for path in inputs:
            try:
                target = output_path_for(args.output, path) if args.output else None
            except InputError as error:
                fail(report, path, str(error))
                continue
            process(normalizer, path, target, args, explain, report)
    if args.output is not None and not args.quiet:
        print(
            summary_line("total", report.edits_by_pass, f"{report.documents} documents"),
            file=sys.stderr,
        )
    return 1 if report.failures else 0


def expand_inputs(paths: list[Path], suffix: str) -> list[Path]:
    """Files as given; folders become their `suffix` files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix == suffix and p.is_file()))
        else:
            files.append(path)
    names = Counter(p.name for p in files)
    clashes = sorted(name for name, count in names.items() if count > 1)
    if clashes:
        raise UsageError(f"two inputs share the name {clashes[0]!r}; outputs would collide")
    return files


def fail(report: RunReport, where: object, problem: str) -> None:
    """Report one input (or line) that could not be processed; the run goes on."""
    print(f"{PROG}: {where}: {problem}", file=sys.stderr)
    report.failures += 1


def normalize_guarded(
    normalizer: Normalizer, text: str, as_file: bool, where: object, report: RunReport
) -> Result | None:
    """The result, or None after a one-line report if a pass crashed on this document.

    A bug in one pass, met on one odd document, must not cost the output of all
    the others.
    """
    try:
        return normalizer.normalize_and_explain(text, as_file=as_file)
    except Exception as error:
        fail(report, where, f"internal error ({type(error).__name__}: {error}); skipped")
        return None


def process_text(
    normalizer: Normalizer,
    path: Path | None,
    target: Path | None,
    args: argparse.Namespace,
    explain: IO[str] | None,
    report: RunReport,
) -> None:
    """Normalise one text document (a file, or stdin when `path` is None)."""
    name = path.name if path is not None else "<stdin>"
    try:
        decoded = (
            read_text_file(path) if path is not None else decode_bytes(sys.stdin.buffer.read())
        )
    except InputError as error:
        fail(report, path, str(error))
        return
    if decoded.note:
        print(f"{PROG}: {name}: {decoded.note}", file=sys.stderr)
    result = normalize_guarded(normalizer, decoded.text, True, path or name, report)
    if result is None:
        return
    report.add(result)
    for warning in result.warnings:
        print(f"{PROG}: {name}: {warning}", file=sys.stderr)
    doc_id = path.name if path is not None else None
    if explain is not None:
        write_records(explain, [*result.edits, *result.notes], doc_id)
    if target is None:
        sys.stdout.buffer.write(encode_text(result.text))
        sys.stdout.buffer.flush()
        return
    try:
        with AtomicFiles() as files:  # the text and its edits appear together
            files.open(target).write(encode_text(result.text))
            if args.edits:
                edits = files.open(edits_path(target), text=True)
                write_records(edits, [*result.edits, *result.notes], doc_id)
    except OSError as error:
        fail(report, target, f"cannot write: {error.strerror or error}")
        return
    if not args.quiet:
        print(summary_line(name, result.edits_by_pass()), file=sys.stderr)


def process_jsonl(
    normalizer: Normalizer,
    path: Path | None,
    target: Path | None,
    args: argparse.Namespace,
    explain: IO[str] | None,
    report: RunReport,
) -> None:
    """Normalise one field of every object of a JSON Lines stream, keeping the rest."""
    name = str(path) if path is not None else "<stdin>"
    try:
        source = path.open("rb") if path is not None else sys.stdin.buffer
    except OSError as error:
        fail(report, path, error.strerror or str(error))
        return
    pending = Counter[str]()
    try:
        with ExitStack() as stack:
            if path is not None:
                stack.enter_context(source)
            out, edits_out = open_jsonl_outputs(stack, target, args.edits)
            for number, record, problem in read_jsonl(source, args.field):
                if problem is not None:
                    fail(report, f"{name}:{number}", f"{problem}; line skipped")
                    continue
                where = f"{name}:{number}"
                result = normalize_guarded(normalizer, record[args.field], False, where, report)
                if result is None:
                    continue
                report.add(result)
                pending.update(result.edits_by_pass())
                record[args.field] = result.text
                doc_id = str(record.get("id", number))
                for warning in result.warnings:
                    print(f"{PROG}: {where}: {warning}", file=sys.stderr)
                out.write(dumps_json_line(record).encode("utf-8"))
                records = [*result.edits, *result.notes]
                if explain is not None:
                    write_records(explain, records, doc_id)
                if edits_out is not None:
                    write_records(edits_out, records, doc_id)
    except InputError as error:
        fail(report, name, str(error))
        return
    except OSError as error:
        fail(report, target or name, f"cannot read or write: {error.strerror or error}")
        return
    if target is not None and not args.quiet:
        print(summary_line(Path(name).name, pending), file=sys.stderr)


def open_jsonl_outputs(
    stack: ExitStack, target: Path | None, with_edits: bool
) -> tuple[IO[bytes], IO[str] | None]:
    """The output stream (stdout, or a file renamed into place when complete) and
    the edits stream next to it."""
    if target is None:
        return sys.stdout.buffer, None
    files = stack.enter_context(AtomicFiles())
    return files.open(target), files.open(edits_path(target), text=True) if with_edits else None


def read_jsonl(source: IO[bytes], field_name: str) -> Iterator[tuple[int, dict, str | None]]:
    """(line number, object, problem) for each non-empty line.

    InputError for a stream that is not UTF-8 at all (UTF-16 or UTF-32 with a
    byte order mark): every line would fail.
    """
    for number, raw in enumerate(source, start=1):
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
                raise InputError("JSON Lines must be UTF-8; this is UTF-16 or UTF-32 (BOM)")
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except UnicodeDecodeError as error:
            byte = error.object[error.start]
            yield number, {}, f"not valid UTF-8 (byte 0x{byte:02x} at byte {error.start + 1})"
            continue
        except ValueError as error:
            yield number, {}, f"not valid JSON ({error})"
            continue
        except RecursionError:
            yield number, {}, "not usable JSON (nested too deeply)"
            continue
        if not isinstance(record, dict):
            yield number, {}, "not a JSON object"
        elif not isinstance(record.get(field_name), str):
            yield number, {}, f"field {field_name!r} is missing or not a string"
        else:
            yield number, record, None


def edits_path(output: Path) -> Path:
    """Where the edits of `output` go: NAME.edits.jsonl beside it."""
    return output.with_name(output.stem + ".edits.jsonl")


def summary_line(name: str, by_pass: Counter[str], extra: str = "") -> str:
    total = sum(by_pass.values())
    parts = ", ".join(f"{name_} {count}" for name_, count in by_pass.items() if count)
    head = f"{name}: {extra + ', ' if extra else ''}{total} edit{'s' if total != 1 else ''}"
    return f"{head} ({parts})" if parts else head


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


def run_restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} restore",
        description="Rebuild the raw text, byte for byte, from a normalised text and its edits.",
    )
    parser.add_argument("clean", type=Path, metavar="CLEAN", help="the normalised text")
    parser.add_argument("edits", type=Path, metavar="EDITS", help="its edits (JSON Lines)")
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write here (default: stdout)"
    )
    parser.add_argument("--doc", help="with an edits file of several documents: this one's")
    args = parser.parse_args(argv)
    try:
        text = read_written_text(args.clean)
        with args.edits.open(encoding="utf-8") as stream:
            edits = [
                record
                for doc, record in read_records(stream)
                if isinstance(record, Edit) and (args.doc is None or doc == args.doc)
            ]
    except (InputError, OSError, ValueError) as error:
        raise UsageError(str(error)) from error
    try:
        raw = restore(text, edits)
    except EditMismatchError as error:
        print(
            f"{PROG}: {args.edits}: these edits do not belong to {args.clean}: {error}",
            file=sys.stderr,
        )
        return 1
    data = encode_text(raw)
    if args.output is None:
        sys.stdout.buffer.write(data)
        return 0
    try:
        write_atomic(args.output, data)
    except OSError as error:
        raise UsageError(f"-o {args.output}: {error.strerror or error}") from error
    return 0


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
