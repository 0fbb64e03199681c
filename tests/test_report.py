"""normalize report: the page holds every edit in place, escapes everything, links rules."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from normalize.cli import main
from normalize.document import Edit
from normalize.report_html import narrow_edit

from .conftest import RAW_DIR, RULES_DIR, raw_documents


@dataclass
class Article:
    """What a reader of one document's section gets from the page."""

    name: str
    clean: list[str] = field(default_factory=list)  # text outside <del>
    raw: list[str] = field(default_factory=list)  # text outside <ins>
    marks: list[dict[str, str]] = field(default_factory=list)  # attributes of each anchor


class PageParser(HTMLParser):
    """Reads the report as a browser's DOM would hold it (before any script runs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.articles: list[Article] = []
        self.scripts: list[dict[str, str | None]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.stack: list[str] = []
        self.in_text = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {k: v or "" for k, v in attrs}
        if "id" in data:
            assert data["id"] not in self.ids, f"duplicate id {data['id']}"
            self.ids.add(data["id"])
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "a" and "href" in data:
            self.links.append(data["href"])
        if tag == "article":
            self.articles.append(Article(data["data-doc"]))
        if tag == "div" and data.get("class") == "text":
            self.in_text += 1
        elif self.in_text:
            self.stack.append(tag)
            if "data-kind" in data:
                self.articles[-1].marks.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.in_text and not self.stack and tag == "div":
            self.in_text -= 1
        elif self.in_text:
            assert self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        if not self.in_text:
            return
        if "del" not in self.stack:
            self.articles[-1].clean.append(data)
        if "ins" not in self.stack:
            self.articles[-1].raw.append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def load_records(path: Path) -> list[dict]:
    """The edits and notes of an edits file (one document's), in order."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["kind"] in ("edit", "note")]


def expected_attrs(record: dict) -> dict[str, str]:
    keys = {"kind": "data-kind", "pass": "data-pass", "rule": "data-rule", "step": "data-step"}
    keys |= {"start": "data-start", "end": "data-end", "message": "data-msg"}
    keys |= {"before": "data-before", "after": "data-after", "text": "data-text"}
    return {attr: str(record[key]) for key, attr in keys.items() if key in record}


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    """corpus/raw cleaned with edits files, as `make clean-corpus` leaves it."""
    folder = tmp_path_factory.mktemp("clean")
    assert main([str(RAW_DIR), "-o", str(folder), "--edits", "-q"]) == 0
    return folder


def test_every_edit_is_in_the_page_in_place(cleaned: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(cleaned), "-o", str(out), "-q"]) == 0
    page = parse_page(out)
    articles = {a.name: a for a in page.articles}
    for raw in raw_documents():
        records = load_records(cleaned / f"{raw.stem}.edits.jsonl")
        article = articles[raw.name]
        # Without the struck text it reads as the output, without the inserted text as the input.
        assert "".join(article.clean) == (cleaned / raw.name).read_text(encoding="utf-8")
        assert "".join(article.raw) == raw.read_text(encoding="utf-8")
        by_index = {int(m["data-i"]): m for m in article.marks}
        assert sorted(by_index) == list(range(len(records)))
        for index, record in enumerate(records):
            mark = by_index[index]
            assert mark["id"].endswith(f"-r{index}")
            assert {k: mark[k] for k in expected_attrs(record)} == expected_attrs(record)


def test_running_the_pipeline_gives_the_same_edits_as_reading_a_run(
    cleaned: Path, tmp_path: Path
) -> None:
    from_run = tmp_path / "run.html"
    from_raw = tmp_path / "raw.html"
    assert main(["report", str(cleaned), "-o", str(from_run), "-q"]) == 0
    assert main(["report", str(RAW_DIR), "-o", str(from_raw), "-q"]) == 0
    run, raw = parse_page(from_run), parse_page(from_raw)
    assert [a.marks for a in run.articles] == [a.marks for a in raw.articles]
    assert [a.clean for a in run.articles] == [a.clean for a in raw.articles]


def test_rules_link_to_their_yaml_file_and_line(cleaned: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.html"
    assert main(["report", str(cleaned), "-o", str(out), "-q"]) == 0
    yaml_links = [urlsplit(href) for href in parse_page(out).links if ".yaml" in href]
    assert yaml_links
    for link in yaml_links:
        target = (out.parent / unquote(link.path)).resolve()
        assert target.parent == RULES_DIR.resolve() and target.is_file()
        line = int(link.fragment.removeprefix("L"))
        rule_line = target.read_text(encoding="utf-8").splitlines()[line - 1]
        assert rule_line.lstrip().startswith("- id:")


HOSTILE = (
    'Title\n\n<script>document.title="PWNED"</script> and <img src=x onerror="alert(1)">\n'
    'A "quoted" </textarea></div></article> line.  \n\n\n\nLeave a Reply\n'
    "<b>Bold</b> &amp; \u2028 ok\r\nend"
)


def test_document_text_is_escaped_everywhere(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "hostile <script>.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(source), "-o", str(out), "-q"]) == 0
    page = parse_page(out)
    # Only the page's own two scripts: the data block and the code.
    assert [s.get("type") for s in page.scripts] == ["application/json", None]
    (article,) = page.articles
    assert article.name == "hostile <script>.txt"
    assert "".join(article.raw) == HOSTILE
    assert "<script>" in "".join(article.clean)  # shown as text
    assert article.marks, "the hostile document has edits"


def test_notes_are_marked_apart_from_edits(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)  # with rules/data/, which the passes read
    (rules / "90-review.yaml").write_text(
        "pass: review\naction: regex_replace\ndescription: Spots for a reviewer.\nrules:\n"
        "  - id: DOUBLE_WORD\n    pattern: '\\b(\\w+) \\1\\b'\n    note: true\n"
        "    message: A word printed twice.\n"
        "    examples:\n      - input: the the end\n        note: true\n      - input: the end\n",
        encoding="utf-8",
    )
    source = tmp_path / "doc.txt"
    source.write_text("He said said it.  \nLeave a Reply\n", encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(source), "--rules", str(rules), "-o", str(out), "-q"]) == 0
    (article,) = parse_page(out).articles
    notes = [m for m in article.marks if m["data-kind"] == "note"]
    assert len(notes) == 1
    assert notes[0]["data-text"] == "said said" and "note" in notes[0]["class"].split()
    assert "".join(article.clean) == "He said said it.\n"


def test_a_run_whose_edits_do_not_match_is_reported_and_the_others_still_shown(
    cleaned: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "clean"
    folder.mkdir()
    for path in cleaned.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    broken = raw_documents()[2]
    clean = folder / broken.name
    clean.write_text("Another text altogether.\n", encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(folder), "-o", str(out), "-q"]) == 1
    assert broken.name in capsys.readouterr().err
    page = parse_page(out)
    assert broken.name not in {a.name for a in page.articles}
    assert len(page.articles) == len(raw_documents()) - 1
    assert "could not be shown" in out.read_text(encoding="utf-8")


def test_max_docs_limits_the_texts_but_not_the_counts(cleaned: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(cleaned), "-o", str(out), "--max-docs", "2", "-q"]) == 0
    page = parse_page(out)
    assert len(page.articles) == 2
    assert "not shown (over --max-docs)" in out.read_text(encoding="utf-8")


def test_jsonl_input_reports_only_documents_with_edits(tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    lines = [{"id": "a", "text": "Fine text."}, {"id": "b", "text": "Leave a Reply\nText  \n"}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines) + "{broken\n", encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", "--jsonl", str(source), "-o", str(out), "-q"]) == 1
    (article,) = parse_page(out).articles
    assert article.name == 'news.jsonl:2 (id "b")'
    assert "".join(article.clean) == "Text\n"
    text = out.read_text(encoding="utf-8")
    assert "1 document without edits or notes: news.jsonl:1 (id &quot;a&quot;)" in text
    assert "news.jsonl:3" in text  # the broken line, listed with its problem


def test_a_missing_input_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [
        ("\n\n\n", "\n\n", ("\n", "")),
        ("Anthony Brinken said", "Antony Blinken said", ("Anthony Brinken", "Antony Blinken")),
        ("he added. added.", "he added.", ("added. added.", "added.")),
        ("tensionsThe", "tensions The", ("tensionsThe", "tensions The")),
        ("a b", "a c", ("b", "c")),
    ],
)
def test_narrow_edit_shows_whole_changed_words(before, after, shown) -> None:
    edit = Edit("p", "R", 10, 10 + len(before), before, after, "", 0)
    narrow = narrow_edit(edit)
    assert (narrow.before, narrow.after) == shown
    assert before[narrow.start - 10 : narrow.end - 10] == narrow.before
