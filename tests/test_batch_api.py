"""The batch API other pipelines call: lists, column dicts (datasets, Ray), pandas."""

from __future__ import annotations

import json
import pickle

import pytest

from normalize.edits import read_records, restore
from normalize.pipeline import Normalizer
from normalize.repair_stats import too_damaged

from .conftest import raw_documents

TEXTS = ["Mr. Brinken met Anthony Brinken.", "Nothing to do here.", "he added. added. Yes."]


def test_normalize_batch_equals_one_by_one(normalizer: Normalizer) -> None:
    assert normalizer.normalize_batch(TEXTS) == [normalizer.normalize(t) for t in TEXTS]
    assert normalizer.normalize_batch(iter(TEXTS)) == normalizer.normalize_batch(TEXTS)


def test_map_batch_keeps_other_columns_and_can_carry_edits(normalizer: Normalizer) -> None:
    batch = {"id": [1, 2, 3], "text": TEXTS, "lang": ["en"] * 3}
    out = normalizer.map_batch(batch, edits_field="edits")
    assert out["id"] == [1, 2, 3] and out["lang"] == ["en"] * 3
    assert out["text"] == normalizer.normalize_batch(TEXTS)
    assert batch["text"] == TEXTS  # the caller's batch is not modified
    assert out["edits"][1] == ""
    for raw, clean, edits in zip(TEXTS, out["text"], out["edits"], strict=True):
        records = [r for _doc, r in read_records(edits.splitlines(keepends=True))]
        assert restore(clean, [r for r in records if r.to_json()["kind"] == "edit"]) == raw
        assert all(json.loads(line) for line in edits.splitlines())


def test_map_batch_on_another_field(normalizer: Normalizer) -> None:
    out = normalizer.map_batch({"body": ["tensionsThe talks"]}, field="body")
    assert out == {"body": ["tensions. The talks"]}


def test_a_row_that_crashes_a_pass_keeps_its_text_when_asked(poisoned_pass: str) -> None:
    normalizer = Normalizer.from_rules()  # built after the pass was poisoned
    texts = ["Fine.  ", f"{poisoned_pass}  ", "Also fine.  "]
    out = normalizer.map_batch({"text": texts}, edits_field="e", errors_field="error")
    assert out["text"] == ["Fine.", f"{poisoned_pass}  ", "Also fine."]
    assert out["error"] == ["", "internal error (ValueError: a bug met on an odd document)", ""]
    assert out["e"][1] == ""
    with pytest.raises(ValueError, match="a bug met on an odd document"):
        normalizer.map_batch({"text": texts})


def test_a_pickled_normalizer_normalises_the_same(normalizer: Normalizer) -> None:
    clone = pickle.loads(pickle.dumps(normalizer))
    texts = [path.read_text(encoding="utf-8") for path in raw_documents()]
    assert clone.normalize_batch(texts) == normalizer.normalize_batch(texts)


def test_pandas_column(normalizer: Normalizer) -> None:
    pd = pytest.importorskip("pandas", reason="pandas comes with the Ray extra")
    df = pd.DataFrame({"text": TEXTS, "n": range(3)})
    df["text"] = normalizer.normalize_batch(df["text"])
    assert list(df["text"]) == normalizer.normalize_batch(TEXTS)
    assert list(df["n"]) == [0, 1, 2]


def test_none_and_nan_pass_through_every_batch_api(normalizer: Normalizer) -> None:
    nan = float("nan")
    out = normalizer.normalize_batch(["Fine.  ", None, nan])
    assert out[0] == "Fine." and out[1] is None and out[2] is nan
    batch = normalizer.map_batch(
        {"text": [None, "Fine.  ", nan], "n": [1, 2, 3]}, edits_field="e", errors_field="x"
    )
    assert batch["text"][0] is None and batch["text"][1] == "Fine." and batch["text"][2] is nan
    assert batch["e"][0] == batch["e"][2] == "" and batch["e"][1]
    assert batch["x"] == ["", "", ""] and batch["n"] == [1, 2, 3]


def test_a_pandas_series_with_missing_values(normalizer: Normalizer) -> None:
    pd = pytest.importorskip("pandas", reason="pandas comes with the Ray extra")
    np = pytest.importorskip("numpy")
    series = pd.Series(["x  ", None, np.nan, pd.NA], dtype=object)
    out = normalizer.normalize_batch(series)
    assert out[0] == "x" and out[1] is None and out[3] is pd.NA
    assert isinstance(out[2], float) and out[2] != out[2]
    issue = pd.Series(["x  ", None])  # pandas 3 holds the None of a string column as NaN
    out = normalizer.normalize_batch(issue)
    assert out[0] == "x" and out[1] is issue[1]


@pytest.mark.parametrize("value", [5, b"bytes", ["a list"]])
def test_values_that_are_not_text_are_refused_naming_the_row(normalizer, value) -> None:
    with pytest.raises(TypeError, match=r"item 1 is \w+ .*, not text"):
        normalizer.normalize_batch(["fine", value])
    with pytest.raises(TypeError, match=r"column 'body', row 0 is \w+"):
        normalizer.map_batch({"body": [value]}, field="body")


def test_map_batch_gives_each_row_its_repair_statistics(normalizer: Normalizer) -> None:
    texts = ["Hello  \nLeave a Reply\n", None, "Fine."]
    stats = normalizer.map_batch({"text": texts}, stats_field="s")["s"]
    assert stats[1] is None
    assert stats[0]["edits"] == 2 and stats[0]["chars"] == len(texts[0])
    assert stats[0]["edits_per_1000_chars"] == round(2000 / len(texts[0]), 2)
    assert stats[0]["passes"]["layout"] == {"edits": 1, "notes": 0}
    assert list(stats[2]["passes"]) == normalizer.pass_names  # every pass, repairs or not
    assert too_damaged(stats[0], 50) and not too_damaged(stats[0], 100)
    assert not too_damaged(stats[0], 0, passes=["names"])  # counted over those passes only
    assert not too_damaged(None, 0)  # no text, no verdict
