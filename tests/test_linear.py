"""No document shape makes the pipeline more than linear in its length.

Doubling a shape's size must not more than triple the time (a linear pass
doubles it, a quadratic one quadruples it). Times are the best of a few runs,
the two sizes interleaved, so that a busy machine slows both alike; each run
gets another document of the shape, so that no cache of a pass remembers it.
What the pipeline costs per megabyte of each shape is measured by `make bench`.
"""

from __future__ import annotations

import time

import pytest

from normalize.pipeline import Normalizer

from .conftest import raw_documents
from .degenerate_shapes import SHAPES

SIZE = 100_000  # characters of the smaller document
RUNS = 3
SLACK_SECONDS = 0.02  # timer noise: a few milliseconds either way


def ordinary_text() -> str:
    return "".join(path.read_text(encoding="utf-8") for path in raw_documents())


def best_seconds(normalizer: Normalizer, shape: str, sizes: list[int]) -> list[float]:
    """The best time of RUNS runs of the pipeline on a document of each size."""
    text = ordinary_text()
    best = [float("inf")] * len(sizes)
    for run in range(RUNS):
        for i, size in enumerate(sizes):
            document = SHAPES[shape](text, size, run * len(sizes) + i)
            started = time.perf_counter()
            normalizer.normalize_and_explain(document, as_file=True)
            best[i] = min(best[i], time.perf_counter() - started)
    return best


@pytest.mark.parametrize("shape", SHAPES)
def test_doubling_a_shape_at_most_triples_its_time(normalizer: Normalizer, shape: str) -> None:
    small, large = best_seconds(normalizer, shape, [SIZE, 2 * SIZE])
    assert large <= 3 * small + SLACK_SECONDS, (
        f"{shape}: {SIZE:,} characters took {small:.3f} s, {2 * SIZE:,} took {large:.3f} s"
    )
