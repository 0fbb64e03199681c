"""The corpus documents against their hand-reviewed golden files.

A golden file is what a careful editor accepts for the raw document, reviewed
line by line; it is the target, never a snapshot of today's output. Documents
whose repairs need passes that do not exist yet are strict expected failures:
the reason says how many lines still differ, and the test fails as soon as the
document matches, so the mark cannot outlive its cause.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from normalize.pipeline import Normalizer

from .conftest import GOLDEN_DIR, RULES_DIR, raw_documents

# Document stem -> the work still missing before it can match its golden file.
NOT_YET: dict[str, str] = {}


def differing_lines(actual: str, expected: str) -> int:
    """How many lines differ, counting a replaced block by its longer side."""
    matcher = difflib.SequenceMatcher(
        a=actual.splitlines(), b=expected.splitlines(), autojunk=False
    )
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def _normalize_file(normalizer: Normalizer, path: Path) -> str:
    return normalizer.normalize(path.read_text(encoding="utf-8"), as_file=True)


def _params() -> list[object]:
    normalizer = Normalizer.from_rules(RULES_DIR)
    params: list[object] = []
    for path in raw_documents():
        if path.stem in NOT_YET:
            expected = (GOLDEN_DIR / path.name).read_text(encoding="utf-8")
            count = differing_lines(_normalize_file(normalizer, path), expected)
            reason = f"{count} lines still differ; needs {NOT_YET[path.stem]}"
            params.append(
                pytest.param(
                    path, id=path.stem, marks=pytest.mark.xfail(strict=True, reason=reason)
                )
            )
        else:
            params.append(pytest.param(path, id=path.stem))
    return params


@pytest.mark.parametrize("raw_path", _params())
def test_document_matches_its_golden_file(normalizer: Normalizer, raw_path: Path) -> None:
    expected = (GOLDEN_DIR / raw_path.name).read_text(encoding="utf-8")
    actual = _normalize_file(normalizer, raw_path)
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), "golden", "normalized", lineterm="", n=0
            )
        )
        count = differing_lines(actual, expected)
        pytest.fail(f"{count} lines differ from tests/golden/{raw_path.name}:\n{diff}")


def test_every_raw_document_has_a_golden_file() -> None:
    missing = [p.name for p in raw_documents() if not (GOLDEN_DIR / p.name).exists()]
    assert not missing
    assert len(raw_documents()) == 5


@pytest.mark.parametrize("stem", ["002_80314923cb317ff3", "003_08dd639a47279972"])
def test_clean_documents_lose_only_whole_lines(stem: str) -> None:
    # The near-clean documents may lose boilerplate lines, nothing else: every
    # line of the golden file is a line of the raw document, in the same order.
    raw = (raw_documents()[0].parent / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    golden = (GOLDEN_DIR / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    it = iter(raw)
    assert all(any(line == candidate for candidate in it) for line in golden)
    assert len(golden) < len(raw)
