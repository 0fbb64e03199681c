"""The shared English vocabulary and its word files."""

from __future__ import annotations

from pathlib import Path

import pytest

from normalize.lexicon import DEFAULT_EXTRA_COUNT, load_lexicon, read_word_file


def test_base_vocabulary_is_symspellpy_with_counts() -> None:
    lexicon = load_lexicon()
    assert len(lexicon) > 80_000
    assert lexicon.count("The") > lexicon.count("tensions") > 0
    assert "kongas" not in lexicon and lexicon.count("mln") == 0


def test_word_files_widen_it(tmp_path: Path) -> None:
    words = tmp_path / "news.txt"
    words.write_text("# news words\nmln\ndlrs 5000  # dollars\n", encoding="utf-8")
    lexicon = load_lexicon([words])
    assert lexicon.count("MLN") == DEFAULT_EXTRA_COUNT and lexicon.count("dlrs") == 5000


def test_a_malformed_word_file_line_is_named(tmp_path: Path) -> None:
    words = tmp_path / "bad.txt"
    words.write_text("ok\ntwo words here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:2: expected"):
        read_word_file(words)
