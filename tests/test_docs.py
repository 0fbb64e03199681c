"""The README and docs/ say what is true: their links resolve and their examples run.

Every relative link of README.md and docs/*.md must name a file of the
repository, and an anchor (`file.md#section`) a heading of that file. Every
fenced `sh` block runs, as a user would type it, in a scratch folder holding a
copy of corpus/raw, `raw.txt`, `in.jsonl` and a `texts/` folder, with `.venv`
the environment running these tests; a block that cannot run there (it installs
packages, needs ../shared or a cluster, or is the set-up itself) says why on the
line above it: `<!-- not runnable: reason -->`. Python blocks must compile.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import RAW_DIR, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = {"sh", "bash", "shell"}
NOT_RUNNABLE = re.compile(r"<!--\s*not runnable:\s*(\S.*?)\s*-->")
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
EXTERNAL = re.compile(r"^[a-z][a-z+.-]*:", re.IGNORECASE)  # https:, mailto: ...


@dataclass(frozen=True, slots=True)
class Block:
    path: Path
    line: int
    language: str
    code: str
    not_runnable: str | None  # the reason given on the line above, if any

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def read_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        above = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        reason = NOT_RUNNABLE.search(above)
        blocks.append(
            Block(path, line, match.group(1), match.group(2), reason.group(1) if reason else None)
        )
    return blocks


def without_code(text: str) -> str:
    """The text with fenced blocks and inline code blanked (links there are not links)."""
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return re.sub(r"`[^`\n]*`", "``", text)


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub makes of the headings of a Markdown file."""
    anchors = set()
    for line in without_code(path.read_text(encoding="utf-8")).splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def _shell_blocks() -> list[object]:
    return [
        pytest.param(block, id=block.id)
        for path in DOCS
        for block in read_blocks(path)
        if block.language in SHELL and block.not_runnable is None
    ]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in LINK.findall(without_code(path.read_text(encoding="utf-8"))):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert not broken, f"{path.name}: " + "; ".join(broken)


def test_docs_link_their_pages() -> None:
    """Every page of docs/ is reachable from the README or the docs index."""
    linked = set()
    for path in (ROOT / "README.md", ROOT / "docs" / "README.md"):
        for target in LINK.findall(without_code(path.read_text(encoding="utf-8"))):
            linked.add((path.parent / target.partition("#")[0]).resolve())
    orphans = [p.name for p in DOCS[1:] if p.resolve() not in linked and p.name != "README.md"]
    assert not orphans, f"docs pages linked from nowhere: {orphans}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the examples run as a user's would: inputs, and the environment."""
    folder = tmp_path_factory.mktemp("docs-examples")
    (folder / ".venv").symlink_to(Path(sys.prefix))
    shutil.copytree(RAW_DIR, folder / "corpus" / "raw")
    raw = sorted(RAW_DIR.glob("*.txt"))
    shutil.copy(raw[0], folder / "raw.txt")
    (folder / "texts").mkdir()
    for path in raw[:2]:
        shutil.copy(path, folder / "texts" / path.name)
    rows = [{"id": path.stem, "text": path.read_text(encoding="utf-8")} for path in raw]
    (folder / "in.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("block", _shell_blocks())
def test_shell_example_runs(block: Block, scratch: Path) -> None:
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.code],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, (
        f"{block.id} exited {run.returncode}:\n{block.code}\n--- stderr:\n{run.stderr[-2000:]}"
    )


def test_every_block_is_runnable_or_says_why() -> None:
    """A `<!-- not runnable -->` mark needs a reason, and only shell blocks take one."""
    misplaced = [
        block.id
        for path in DOCS
        for block in read_blocks(path)
        if block.not_runnable is not None and block.language not in SHELL
    ]
    assert not misplaced, f"not-runnable marks on blocks that are not shell: {misplaced}"


def test_python_examples_compile() -> None:
    for path in DOCS:
        for block in read_blocks(path):
            if block.language == "python":
                compile(block.code, block.id, "exec")
