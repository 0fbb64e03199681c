"""Real damaged pages (../shared/realworld) against the expectations in tests/realworld/.

Needs ../shared/realworld/pages.jsonl; skipped in one line without it. See
tests/realworld_pages.py for the format; `make realworld` prints the rates.
"""

from __future__ import annotations

import pytest

from normalize.edits import restore
from normalize.pipeline import Normalizer

from .realworld_pages import PAGES, Expectation, all_expectations, read_pages

pytestmark = pytest.mark.skipif(not PAGES.exists(), reason=f"needs {PAGES} (absent here)")


def _params() -> list[object]:
    if not PAGES.exists():
        return [pytest.param(None, id="no-pages")]
    params: list[object] = []
    for _families, entries in all_expectations():
        for entry in entries:
            marks = []
            if entry.missed:
                marks.append(pytest.mark.xfail(strict=True, reason=f"missed: {entry.missed}"))
            params.append(pytest.param(entry, id=entry.id, marks=marks))
    return params


@pytest.fixture(scope="module")
def outputs(normalizer: Normalizer) -> dict[str, str]:
    """Each page as the pipeline leaves it (a JSON field: no final newline)."""
    return {page: normalizer.normalize(text) for page, text in read_pages().items()}


@pytest.mark.parametrize("entry", _params())
def test_page_meets_expectation(entry: Expectation, outputs: dict[str, str]) -> None:
    problems = entry.problems_in(outputs[entry.page])
    assert not problems, f"{entry.page} ({entry.family}: {entry.defect}): " + "; ".join(problems)


def test_pages_are_fixed_points_and_restorable(normalizer: Normalizer) -> None:
    for page, text in read_pages().items():
        result = normalizer.normalize_and_explain(text)
        assert normalizer.normalize(result.text) == result.text, f"{page}: a second run changes it"
        assert restore(result.text, result.edits) == text, f"{page}: not restorable"
