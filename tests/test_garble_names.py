"""bench/garble_names.py: the names benchmark's independent garbler of names."""

from __future__ import annotations

import importlib.util
import random
import sys

from .conftest import ROOT

SPEC = importlib.util.spec_from_file_location("garble_names", ROOT / "bench" / "garble_names.py")
assert SPEC and SPEC.loader
garble_names = importlib.util.module_from_spec(SPEC)
sys.modules["garble_names"] = garble_names  # dataclasses look their module up here
SPEC.loader.exec_module(garble_names)

NAMES = (
    *garble_names.SAMPLE_NAMES,
    "Olaf Scholz",
    "Vladimir Putin",
    "Qasem Soleimani",
    "Chung Eui-yong",
    "Narendra Modi",
    "Jair Bolsonaro",
    "Mevlüt Çavuşoğlu",
    "KIM JONG UN",
    "Mayawati",
    "A. K. Antony",
)


def all_variants(seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    return [
        (name, variant, kind) for name in NAMES for variant, kind in garble_names.garble(name, rng)
    ]


def test_the_same_seed_gives_the_same_variants():
    assert all_variants(7) == all_variants(7)
    assert all_variants(7) != all_variants(8)


def test_every_variant_is_damage_not_a_case_or_accent_alternate():
    for seed in range(20):
        for name, variant, kind in all_variants(seed):
            assert variant != name, (name, kind)
            assert garble_names.fold(variant) != garble_names.fold(name), (name, variant, kind)
            assert variant.strip() == variant and "  " not in variant, (name, variant, kind)


def test_variants_of_one_name_are_distinct():
    rng = random.Random(3)
    for name in NAMES:
        variants = [garble_names.fold(v) for v, _ in garble_names.garble(name, rng)]
        assert len(variants) == len(set(variants)), name


def test_every_kind_of_the_table_is_produced():
    produced = {kind for seed in range(5) for _, _, kind in all_variants(seed)}
    assert produced == set(garble_names.CONFUSIONS)


def test_the_table_describes_every_kind_with_examples_that_are_damage():
    for kind, confusion in garble_names.CONFUSIONS.items():
        assert confusion.description and confusion.examples, kind
        for right, garbled in confusion.examples:
            assert garble_names.fold(right) != garble_names.fold(garbled), (kind, right)


def test_kinds_that_need_a_kind_of_name_keep_to_it():
    rng = random.Random(1)
    western = {kind for _, kind in garble_names.garble("Antony Blinken", rng)}
    assert not western & {"name_order", "korean_romanisation", "chinese_romanisation"}
    japanese = {kind for _, kind in garble_names.garble("Shigeru Ishiba", rng)}
    assert "name_order" not in japanese  # both orders are correct for Japanese names
    assert ("Jinping Xi", "name_order") in garble_names.garble("Xi Jinping", rng)
    assert ("Tayyip Recep Erdoğan", "given_order") in garble_names.garble(
        "Recep Tayyip Erdoğan", rng, kinds=("given_order",)
    )
    assert garble_names.garble("Christian Horner", rng, kinds=("english_given_name",)) == [
        ("Christina Horner", "english_given_name")
    ]
    assert garble_names.garble("", rng) == []


def test_the_samples_print():
    from .test_bench_scripts import run_script

    out = run_script("garble_names.py", "Bui Thanh Son", "--seed", "2")
    assert "Pei Qingshan" in out and "read_through_chinese" in out
