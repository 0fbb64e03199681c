"""`normalize report`: one self-contained HTML page to review every edit of a run.

Inputs are what a run leaves or what it starts from: a cleaned `NAME.txt` with
its `NAME.edits.jsonl` beside it is shown as it is (the raw text is rebuilt from
the two); any other `.txt` file (or, with --jsonl, each JSON line's field) is
normalised first with the rules folder. Each document is replayed from its raw
text with `trace_edits`, so every edit of every step shows where it happened in
the cleaned text, removed text struck through and inserted text highlighted.

Documents are rendered one at a time into a temporary file and the index is
written once all are counted, so memory does not grow with the corpus; the page
holds the text of at most --max-docs documents that have edits or notes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO
from urllib.parse import quote

from normalize.clean import iter_texts
from normalize.compression import CompressionError, open_input
from normalize.document import Edit, Note
from normalize.edits import EditMismatchError, trace_edits
from normalize.edits_file import EditsFile
from normalize.inputs import (
    DEFAULT_GLOBS,
    Output,
    UsageError,
    check_outputs,
    find_inputs,
    refuse_jsonl_as_text,
)
from normalize.jsonl import BROKEN_KINDS
from normalize.pipeline import Normalizer
from normalize.report_html import (
    DocumentRenderer,
    esc,
    json_for_script,
    narrow_edit,
    pass_css,
)
from normalize.rules import DEFAULT_RULES_DIR, Rule, load_rules
from normalize.textio import InputError, atomic_writer, read_input_bytes, read_text_file

PROG = "normalize report"
DEFAULT_MAX_DOCS = 1000
UNCHANGED_NAMES_SHOWN = 50


class ReportError(Exception):
    """A command line that cannot be run; one line for the user."""


@dataclass(slots=True)
class ReportDocument:
    """One document of the report: its raw text and the records that cleaned it."""

    name: str
    raw: str
    records: list[Edit | Note]  # in the order of its edits file
    source: str  # where the edits come from, for the reader
    warnings: list[str] = field(default_factory=list)
    problem: str | None = None  # set when the document cannot be shown


@dataclass(slots=True)
class Totals:
    """What the index shows, counted over every document (shown or not)."""

    listed: int = 0  # documents with edits, notes, warnings or problems
    unchanged: list[str] = field(default_factory=list)
    unchanged_count: int = 0
    edits_by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes_by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)
    docs_by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_by_rule: dict[tuple[str, str], str] = field(default_factory=dict)
    shown: int = 0
    not_shown: int = 0
    problems: int = 0

    @property
    def documents(self) -> int:
        return self.listed + self.unchanged_count

    def add_unchanged(self, name: str) -> None:
        self.unchanged_count += 1
        if len(self.unchanged) < UNCHANGED_NAMES_SHOWN:
            self.unchanged.append(name)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        inputs = list_inputs(args)
    except (ReportError, UsageError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    rules_dir = Path(args.rules) if args.rules else DEFAULT_RULES_DIR
    rulesets = load_rules(rules_dir)
    # Every rule gets its link (an old edits file may name one switched off since).
    rule_index = {rule.id: (r.pass_name, rule) for r in rulesets for rule in r.rules}
    pass_order = [r.pass_name for r in rulesets if r.enabled]
    documents = iter_documents(inputs, LazyNormalizer(rules_dir), args.jsonl, args.field or "text")
    try:
        totals = write_report(
            documents,
            args.output,
            rule_index=rule_index,
            pass_order=pass_order,
            max_docs=args.max_docs,
            title=args.title,
        )
    except OSError as error:
        print(f"{PROG}: {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    if not args.quiet:
        edits = sum(totals.edits_by_rule.values())
        notes = sum(totals.notes_by_rule.values())
        print(
            f"{args.output}: {plural(totals.documents, 'document')}, {plural(edits, 'edit')}, "
            f"{plural(notes, 'note')}"
            f" ({totals.shown} documents shown"
            f"{f', {totals.not_shown} over --max-docs' if totals.not_shown else ''})",
            file=sys.stderr,
        )
    return 1 if totals.problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Write one self-contained HTML page showing every edit and note of a run in\n"
            "place. A cleaned NAME.txt with NAME.edits.jsonl beside it is shown as it is;\n"
            "other .txt files (or JSON Lines with --jsonl) are normalised first."
        ),
        epilog=(
            "examples:\n"
            "  normalize report corpus/clean -o build/report.html   review a run (make report)\n"
            "  normalize report corpus/raw -o build/report.html     run the pipeline, then review\n"
            "  normalize report --jsonl news.jsonl -o review.html   only documents with edits\n\n"
            "keys in the page: n/j next edit, p/k previous, Enter details, Esc close"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="FILE|DIR",
        help="a run's outputs or texts to normalise; folders are walked recursively",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("report.html"),
        metavar="FILE",
        help="the HTML file to write (default: report.html)",
    )
    parser.add_argument(
        "--rules",
        metavar="DIR",
        help="rules folder: runs the pipeline and gives the rule links "
        "(default: the package's own)",
    )
    parser.add_argument(
        "--jsonl", action="store_true", help="inputs are JSON Lines; normalise one field of each"
    )
    parser.add_argument(
        "--field",
        metavar="NAME",
        help="with --jsonl: the field of each object that holds the text (default: text)",
    )
    parser.add_argument(
        "--max-docs",
        type=int,
        default=DEFAULT_MAX_DOCS,
        metavar="N",
        help="show the text of at most N documents with edits; 0: all "
        f"(default: {DEFAULT_MAX_DOCS})",
    )
    parser.add_argument("--title", default="normalize: review report", help="the page's title")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    return parser


def list_inputs(args: argparse.Namespace) -> list[Path]:
    """The files to show: as given, and those of folders (walked recursively);
    ReportError or UsageError for what cannot be meant."""
    if args.field is not None and not args.jsonl:
        raise UsageError("--field names a field of JSON Lines objects: it needs --jsonl")
    for path in args.inputs:
        if not path.exists():
            raise ReportError(f"{path}: no such file or folder")
    sources, _skipped = find_inputs(args.inputs, DEFAULT_GLOBS[args.jsonl])
    paths = [source.path for source in sources]
    if not args.jsonl:
        refuse_jsonl_as_text(paths)
    check_outputs(paths, [Output(args.output, "report")])
    return paths


class LazyNormalizer:
    """Loads the rules only when a document needs the pipeline."""

    def __init__(self, rules_dir: Path) -> None:
        self.rules_dir = rules_dir
        self._normalizer: Normalizer | None = None

    def get(self) -> Normalizer:
        if self._normalizer is None:
            self._normalizer = Normalizer.from_rules(self.rules_dir)
        return self._normalizer


def iter_documents(
    inputs: Sequence[Path], normalizer: LazyNormalizer, jsonl: bool, field_name: str
) -> Iterator[ReportDocument]:
    """The documents of the inputs, one at a time."""
    for path in inputs:
        if jsonl:
            yield from read_jsonl_documents(path, normalizer, field_name)
            continue
        edits_file = path.with_name(path.stem + ".edits.jsonl")
        if edits_file.is_file():
            yield read_cleaned_document(path, edits_file)
        else:
            yield normalize_document(path, normalizer)


def read_cleaned_document(path: Path, edits_file: Path) -> ReportDocument:
    """A cleaned document and its edits file, with the raw text rebuilt from the two
    (and the edits file proved complete and made for this text: edits_file.EditsFile)."""
    source = f"cleaned text with edits from {edits_file.name}"
    try:
        data = read_input_bytes(path)
        edits = EditsFile.open(edits_file)
        documents = list(edits.documents(edits.choose(hashlib.sha256(data).hexdigest())))
        text = data.decode("utf-8", errors="surrogateescape")
        records = documents[0].records if documents else []
        raw = documents[0].restore(text) if documents else text
    except (InputError, ValueError) as error:
        # EditsFileError is a ValueError: the edits are incomplete, altered or another text's.
        return ReportDocument(path.name, "", [], source, problem=f"{edits_file.name}: {error}")
    return ReportDocument(path.name, raw, records, source)


def normalize_document(path: Path, normalizer: LazyNormalizer) -> ReportDocument:
    source = f"normalised now with {normalizer.rules_dir}"
    try:
        decoded = read_text_file(path)
    except InputError as error:
        return ReportDocument(path.name, "", [], source, problem=str(error))
    result = normalizer.get().normalize_and_explain(decoded.text, as_file=True)
    warnings = [decoded.note, *result.warnings] if decoded.note else list(result.warnings)
    return ReportDocument(path.name, decoded.text, [*result.edits, *result.notes], source, warnings)


def read_jsonl_documents(
    path: Path, normalizer: LazyNormalizer, field_name: str
) -> Iterator[ReportDocument]:
    """Each line's `field_name`, normalised; named FILE:LINE (with the row's id, if any).

    Rows without text are passed over; lines that are not JSON are listed with why.
    """
    source = f"field {field_name!r} normalised now with {normalizer.rules_dir}"
    try:
        stream = open_input(path)
    except OSError as error:
        yield ReportDocument(path.name, "", [], source, problem=error.strerror or str(error))
        return
    with stream:
        try:
            for number, row in iter_texts(stream, field_name):
                name = f"{path.name}:{number}"
                if row.kind in BROKEN_KINDS:
                    problem = f"line skipped: {row.kind} {row.detail}".rstrip()
                    yield ReportDocument(name, "", [], source, problem=problem)
                if row.text is None:
                    continue
                row_id = row.value_bytes("id")
                if row_id is not None:
                    name += f" (id {row_id.decode('utf-8')})"
                result = normalizer.get().normalize_and_explain(row.text)
                records: list[Edit | Note] = [*result.edits, *result.notes]
                yield ReportDocument(name, row.text, records, source, list(result.warnings))
        except (InputError, CompressionError) as error:
            yield ReportDocument(path.name, "", [], source, problem=str(error))


def write_report(
    documents: Iterator[ReportDocument],
    output: Path,
    *,
    rule_index: dict[str, tuple[str, Rule]],
    pass_order: list[str],
    max_docs: int = DEFAULT_MAX_DOCS,
    title: str = "normalize: review report",
) -> Totals:
    """Render every document, then the page around them; write it atomically."""
    totals = Totals()
    pass_index = {name: i for i, name in enumerate(pass_order)}
    output.parent.mkdir(parents=True, exist_ok=True)
    # Lone surrogates (input bytes that were not UTF-8) are written as escapes.
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="backslashreplace") as body,
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="backslashreplace") as rows,
    ):
        for number, document in enumerate(documents):
            render_document(document, f"d{number}", body, rows, totals, pass_index, max_docs)
        with atomic_writer(output, text=True) as page:
            assert isinstance(page, io.TextIOWrapper)  # what os.fdopen gives in text mode
            page.reconfigure(errors="backslashreplace")
            write_head(page, title, totals, pass_index)
            write_index(page, totals, pass_index, rule_index, output, rows)
            page.write('<main id="documents">\n')
            body.seek(0)
            shutil.copyfileobj(body, page)
            page.write("</main>\n")
            write_tail(page, rule_index, output)
    return totals


def render_document(
    document: ReportDocument,
    doc_id: str,
    body: IO[str],
    rows: IO[str],
    totals: Totals,
    pass_index: dict[str, int],
    max_docs: int,
) -> None:
    """Count one document and, when it has something to review, write its section
    to `body` and its line of the documents table to `rows`."""
    if document.problem is None and not document.records and not document.warnings:
        totals.add_unchanged(document.name)
        return
    count_document(document, totals, pass_index)
    text_html, problem = None, document.problem
    if problem is None and max_docs and totals.shown >= max_docs:
        totals.not_shown += 1
    elif problem is None:
        try:
            text_html = render_text(document, doc_id, pass_index)
        except EditMismatchError as error:
            problem = f"edits do not replay: {error}"
    if problem is not None:
        totals.problems += 1
        print(f"{PROG}: {document.name}: {problem}", file=sys.stderr)
    edits = Counter(r.pass_name for r in document.records if isinstance(r, Edit))
    notes = sum(isinstance(r, Note) for r in document.records)
    by_pass = ", ".join(f"{name} {count}" for name, count in edits.items())
    if text_html is None:
        reason = problem or "not shown (over --max-docs)"
        name_cell = f'{esc(document.name)} <span class="warning">{esc(reason)}</span>'
    else:
        name_cell = f'<a href="#{doc_id}">{esc(document.name)}</a>'
    rows.write(
        f"<tr><td>{name_cell}</td><td>{edits.total()}</td><td>{esc(by_pass)}</td>"
        f"<td>{notes}</td></tr>\n"
    )
    if text_html is None:
        return
    totals.shown += 1
    for index, record in enumerate(document.records):
        totals.first_by_rule.setdefault((record.pass_name, record.rule), f"{doc_id}-r{index}")
    heading = plural(edits.total(), "edit") + (f" ({by_pass})" if by_pass else "")
    if notes:
        heading += f", {plural(notes, 'note')}"
    body.write(
        f'<article class="doc" id="{doc_id}" data-doc="{esc(document.name)}">\n'
        f"<h2>{esc(document.name)} <small>{esc(heading)}</small></h2>\n"
        f'<p class="source">{esc(document.source)}</p>\n'
    )
    for warning in document.warnings:
        body.write(f'<p class="warning">{esc(warning)}</p>\n')
    body.write(f'<div class="text">{text_html}</div>\n</article>\n')


def count_document(document: ReportDocument, totals: Totals, pass_index: dict[str, int]) -> None:
    totals.listed += 1
    for record in document.records:
        pass_index.setdefault(record.pass_name, len(pass_index))
        key = (record.pass_name, record.rule)
        counter = totals.edits_by_rule if isinstance(record, Edit) else totals.notes_by_rule
        counter[key] += 1
    for key in {(r.pass_name, r.rule) for r in document.records}:
        totals.docs_by_rule[key] += 1


def render_text(document: ReportDocument, doc_id: str, pass_index: dict[str, int]) -> str:
    """The document's text with its history in place (EditMismatchError if it won't replay)."""
    edits = [(i, r) for i, r in enumerate(document.records) if isinstance(r, Edit)]
    notes = [(i, r) for i, r in enumerate(document.records) if isinstance(r, Note)]
    pieces = trace_edits(document.raw, [narrow_edit(e) for _, e in edits], [n for _, n in notes])
    renderer = DocumentRenderer(
        doc_id, document.records, [i for i, _ in edits], [i for i, _ in notes], pass_index
    )
    return renderer.render(pieces)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def read_asset(name: str) -> str:
    # One name per step: Traversable.joinpath takes several only from Python 3.11.
    return (resources.files("normalize") / "report_assets" / name).read_text(encoding="utf-8")


def write_head(page: IO[str], title: str, totals: Totals, pass_index: dict[str, int]) -> None:
    edits = sum(totals.edits_by_rule.values())
    notes = sum(totals.notes_by_rule.values())
    count = totals.documents
    page.write(
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No network: everything is inline, and the policy forbids any fetch.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{esc(title)}</title>\n<style>\n{read_asset('report.css')}\n"
        f"{pass_css(list(pass_index))}\n</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{esc(title)}</h1>\n"
        f'<p class="meta">{plural(count, "document")}, {plural(edits, "edit")}, '
        f"{plural(notes, 'note')}; {totals.shown} shown below"
        + (f", {totals.not_shown} more not shown (--max-docs)" if totals.not_shown else "")
        + (f", <strong>{totals.problems} could not be shown</strong>" if totals.problems else "")
        + "</p>\n"
        '<p class="keys">Keys: <kbd>n</kbd>/<kbd>j</kbd> next edit, <kbd>p</kbd>/<kbd>k</kbd> '
        "previous, <kbd>Enter</kbd> keep the details open, <kbd>Esc</kbd> close them. "
        "Struck-through text was removed, highlighted text inserted; "
        'a <mark class="note sample">wavy underline</mark> is a note: a suspicious spot left alone.'
        "</p>\n</header>\n"
    )


def write_index(
    page: IO[str],
    totals: Totals,
    pass_index: dict[str, int],
    rule_index: dict[str, tuple[str, Rule]],
    output: Path,
    rows: IO[str],
) -> None:
    """Filters, the rules table and the documents table (its `rows` written before)."""
    by_pass: Counter[str] = Counter()
    for (pass_name, _rule), count in totals.edits_by_rule.items():
        by_pass[pass_name] += count
    notes_by_pass: Counter[str] = Counter()
    for (pass_name, _rule), count in totals.notes_by_rule.items():
        notes_by_pass[pass_name] += count
    page.write(
        '<nav id="filters" aria-label="Filters and position">\n<fieldset><legend>Passes</legend>\n'
    )
    for name, number in pass_index.items():
        notes = f" · {plural(notes_by_pass[name], 'note')}" if notes_by_pass[name] else ""
        page.write(
            f'<label class="p{number}"><input type="checkbox" checked data-filter="pass" '
            f'value="{esc(name)}"><span class="swatch"></span>{esc(name)} '
            f"<small>{by_pass[name]}{notes}</small></label>\n"
        )
    page.write(
        "</fieldset>\n<fieldset><legend>Show</legend>\n"
        '<label><input type="checkbox" checked data-filter="kind" value="edit">edits</label>\n'
        '<label><input type="checkbox" checked data-filter="kind" value="note">notes</label>\n'
        '</fieldset>\n<p id="status" role="status">no edit selected</p>\n</nav>\n'
    )
    page.write(
        '<section id="rules-index"><h2>Rules</h2>\n<table>\n<thead><tr><th scope="col">show</th>'
        '<th scope="col">pass</th><th scope="col">rule</th><th scope="col">edits</th>'
        '<th scope="col">notes</th><th scope="col">documents</th><th scope="col">rule file</th>'
        "</tr></thead>\n<tbody>\n"
    )
    keys = sorted(
        set(totals.edits_by_rule) | set(totals.notes_by_rule),
        key=lambda k: (pass_index.get(k[0], len(pass_index)), k[1]),
    )
    for pass_name, rule_id in keys:
        number = pass_index[pass_name]
        first = totals.first_by_rule.get((pass_name, rule_id))
        rule_cell = f'<a href="#{first}">{esc(rule_id)}</a>' if first else esc(rule_id)
        page.write(
            f'<tr class="p{number}"><td><input type="checkbox" checked data-filter="rule" '
            f'value="{esc(rule_id)}" aria-label="show {esc(rule_id)}"></td>'
            f'<td><span class="swatch"></span>{esc(pass_name)}</td><td>{rule_cell}</td>'
            f"<td>{totals.edits_by_rule[(pass_name, rule_id)]}</td>"
            f"<td>{totals.notes_by_rule[(pass_name, rule_id)]}</td>"
            f"<td>{totals.docs_by_rule[(pass_name, rule_id)]}</td>"
            f"<td>{rule_link(rule_index.get(rule_id), output)}</td></tr>\n"
        )
    page.write("</tbody>\n</table>\n</section>\n")
    page.write(
        '<section id="documents-index"><h2>Documents</h2>\n<table>\n<thead><tr>'
        '<th scope="col">document</th><th scope="col">edits</th><th scope="col">by pass</th>'
        '<th scope="col">notes</th></tr></thead>\n<tbody>\n'
    )
    rows.seek(0)
    shutil.copyfileobj(rows, page)
    page.write("</tbody>\n</table>\n")
    if totals.unchanged_count:
        names = ", ".join(esc(n) for n in totals.unchanged)
        more = totals.unchanged_count - len(totals.unchanged)
        page.write(
            f'<p class="unchanged">{plural(totals.unchanged_count, "document")} '
            "without edits or notes: "
            f"{names}{f' and {more} more' if more else ''}.</p>\n"
        )
    page.write("</section>\n")


def rule_link(entry: tuple[str, Rule] | None, output: Path) -> str:
    """A relative link from the page to the rule's YAML file, with its line."""
    if entry is None:
        return '<span class="warning">not in the rules folder</span>'
    rule = entry[1]
    href, where = rule_href(rule, output)
    return f'<a href="{esc(href)}" title="line {rule.line}">{esc(where)}</a>'


def rule_href(rule: Rule, output: Path) -> tuple[str, str]:
    relative = Path(os.path.relpath(rule.path.resolve(), output.resolve().parent)).as_posix()
    return f"{quote(relative)}#L{rule.line}", f"{rule.path.name}:{rule.line}"


def write_tail(page: IO[str], rule_index: dict[str, tuple[str, Rule]], output: Path) -> None:
    rules = {}
    for rule_id, (_pass_name, rule) in rule_index.items():
        href, where = rule_href(rule, output)
        rules[rule_id] = {"href": href, "where": where}
    page.write(
        '<aside id="details" aria-live="polite" hidden></aside>\n'
        f'<script type="application/json" id="report-data">{json_for_script({"rules": rules})}'
        f"</script>\n<script>\n{read_asset('report.js')}\n</script>\n</body>\n</html>\n"
    )
