"""The corpus report in a real browser: headless Chromium runs the page's script.

A small harness page loads the report in a frame, reads every edit and note the
browser shows, drives the keyboard and the filters, and writes what it saw into
its own DOM, which `--dump-dom` prints. The report and a screenshot are kept in
build/artifacts/. Without Chromium the test is skipped (`.ci/run` installs it and
sets NORMALIZE_REQUIRE_CHROMIUM=1, which turns the skip into a failure).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from normalize.cli import main

from .conftest import RAW_DIR, ROOT, raw_documents, rewrite_edits_file

ARTIFACTS = ROOT / "build" / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # The harness reads the report's frame; both are local files.
    "--allow-file-access-from-files",
    "--virtual-time-budget=10000",
]

SYNTHETIC = "zz_synthetic.txt"
SYNTHETIC_RAW = (
    "Breaking <script>document.title = 'PWNED'</script> news  \r\n"
    "Said said the minister.\n\n\n\nLeave a Reply\n"
)

HARNESS = """<!doctype html>
<html><body style="margin:0">
<iframe id="frame" src="%(src)s" style="border:0;width:1280px;height:900px"></iframe>
<pre id="out"></pre>
<script>
const frame = document.getElementById("frame");
frame.addEventListener("load", () => {
  const win = frame.contentWindow, doc = frame.contentDocument;
  const result = {ready: doc.documentElement.dataset.ready, title: doc.title, docs: {}, keys: []};
  for (const article of doc.querySelectorAll("article")) {
    const marks = Array.from(article.querySelectorAll("[data-kind]")).map(
      (el) => Object.assign({id: el.id}, el.dataset));
    const text = article.querySelector(".text");
    const without = (selector) => {
      const copy = text.cloneNode(true);
      copy.querySelectorAll(selector).forEach((el) => el.remove());
      return copy.textContent;
    };
    result.docs[article.dataset.doc] = {marks, clean: without("del"), raw: without("ins")};
  }
  const press = (key) => {
    doc.dispatchEvent(new win.KeyboardEvent("keydown", {key, bubbles: true}));
    const details = doc.getElementById("details");
    result.keys.push({key, focus: doc.activeElement.id,
      details: details.hidden ? null : details.textContent,
      status: doc.getElementById("status").textContent});
  };
  ["n", "n", "p", "Enter", "Escape"].forEach(press);
  // Hide one pass: navigation skips its edits and they read as plain text.
  doc.querySelector('input[data-filter="pass"][value="layout"]').click();
  for (let i = 0; i < 4; i++) press("j");
  result.layoutOff = Array.from(doc.querySelectorAll('main [data-pass="layout"]')).every(
    (el) => el.classList.contains("off"));
  document.getElementById("out").textContent = JSON.stringify(result);
});
</script>
</body></html>
"""


def find_chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("NORMALIZE_REQUIRE_CHROMIUM"):
            pytest.fail("NORMALIZE_REQUIRE_CHROMIUM is set but chromium is not installed")
        pytest.skip("chromium not installed (apt-get install chromium); .ci/run installs it")
    return path


def run_chromium(chromium: str, profile: Path, *args: str) -> str:
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def build_corpus_run(folder: Path) -> None:
    """corpus/raw cleaned as `make clean-corpus` does, plus a synthetic document
    with markup in it and a note whose message holds markup (the page must show it as text)."""
    assert main([str(RAW_DIR), "-o", str(folder), "--edits", "-q"]) == 0
    raw = folder.parent / SYNTHETIC
    raw.write_text(SYNTHETIC_RAW, encoding="utf-8", newline="")
    assert main([str(raw), "-o", str(folder), "--edits", "-q"]) == 0
    clean = (folder / SYNTHETIC).read_text(encoding="utf-8")
    edits_file = folder / SYNTHETIC.replace(".txt", ".edits.jsonl")
    records = [json.loads(line) for line in edits_file.read_text().splitlines()]
    last_step = max(record.get("step", 0) for record in records)
    start = clean.index("Said said")
    note = {
        "doc": SYNTHETIC,
        "kind": "note",
        "pass": "sentences",
        "rule": "REPEATED_WORD",
        "step": last_step + 1,
        "start": start,
        "end": start + len("Said said"),
        "text": "Said said",
        "message": "A word printed twice <b>here</b>?",
    }

    def add_note(body: list[dict]) -> None:
        body[0]["notes"] += 1  # the document's record counts it
        body.insert(len(body) - 1, note)  # before the input record

    rewrite_edits_file(edits_file, add_note)


def test_the_corpus_report_shows_every_edit_in_chromium(tmp_path: Path) -> None:
    chromium = find_chromium()
    folder = tmp_path / "clean"
    build_corpus_run(folder)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / "report.html"
    assert main(["report", str(folder), "-o", str(report), "-q"]) == 0
    harness = tmp_path / "harness.html"
    harness.write_text(HARNESS % {"src": report.as_uri()}, encoding="utf-8")

    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", harness.as_uri())
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found and found.group(1), "the harness script did not finish:\n" + dom[-1000:]
    seen = json.loads(html.unescape(found.group(1)))

    assert seen["title"] != "PWNED" and "PWNED" not in dom.split('<pre id="out">')[0]
    names = [p.name for p in raw_documents()] + [SYNTHETIC]
    total = 0
    for name in names:
        lines = (folder / name.replace(".txt", ".edits.jsonl")).read_text().splitlines()
        records = [r for r in map(json.loads, lines) if r["kind"] in ("edit", "note")]
        shown = sorted(seen["docs"][name]["marks"], key=lambda m: int(m["i"]))
        assert len(shown) == len(records), name
        for index, (mark, record) in enumerate(zip(shown, records, strict=True)):
            assert int(mark["i"]) == index
            assert (mark["kind"], mark["pass"], mark["rule"]) == (
                record["kind"],
                record["pass"],
                record["rule"],
            )
            assert (int(mark["step"]), int(mark["start"]), int(mark["end"])) == (
                record["step"],
                record["start"],
                record["end"],
            )
            assert mark["msg"] == record["message"]
            if record["kind"] == "edit":
                assert (mark["before"], mark["after"]) == (record["before"], record["after"])
            else:
                assert mark["text"] == record["text"]
        assert seen["docs"][name]["clean"] == (folder / name).read_text(encoding="utf-8")
        total += len(records)
    assert int(seen["ready"]) == total
    assert seen["docs"][SYNTHETIC]["raw"] == SYNTHETIC_RAW

    first, second, back, enter, escape, *filtered = seen["keys"]
    assert first["focus"] and second["focus"] and first["focus"] != second["focus"]
    assert back["focus"] == first["focus"]
    assert first["details"] and seen_rule(seen, first["focus"]) in first["details"]
    assert enter["details"] and "Kept open" in enter["details"]
    assert escape["details"] is None
    assert all(k["focus"] and seen_pass(seen, k["focus"]) != "layout" for k in filtered), filtered
    assert seen["layoutOff"]

    # The artefact: the frame scrolled to the first boilerplate edit, its details open.
    target = next(
        m["id"] for doc in seen["docs"].values() for m in doc["marks"] if m["pass"] == "boilerplate"
    )
    shot_page = tmp_path / "shot.html"
    shot_page.write_text(
        HARNESS.split("<pre")[0] % {"src": f"{report.as_uri()}#{target}"} + "</body></html>",
        encoding="utf-8",
    )
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    run_chromium(
        chromium,
        tmp_path / "profile-shot",
        "--window-size=1280,900",
        f"--screenshot={screenshot}",
        shot_page.as_uri(),
    )
    # A blank page compresses to a few kilobytes; text and colours take far more.
    assert screenshot.stat().st_size > 30_000
    print(f"\nreport: {report}\nscreenshot: {screenshot}")


def seen_mark(seen: dict, mark_id: str) -> dict:
    return next(m for doc in seen["docs"].values() for m in doc["marks"] if m["id"] == mark_id)


def seen_pass(seen: dict, mark_id: str) -> str:
    return seen_mark(seen, mark_id)["pass"]


def seen_rule(seen: dict, mark_id: str) -> str:
    return seen_mark(seen, mark_id)["rule"]
