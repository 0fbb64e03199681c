"""Compiled Hyperscan databases are kept on disk, and a bad cache only costs time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

hyperscan = pytest.importorskip("hyperscan", reason="no hyperscan wheel for this platform")

from normalize import hyperscan_cache  # noqa: E402

EXPRESSIONS = [(rb"\bsaid\b", hyperscan.HS_FLAG_SINGLEMATCH), (b"Leave a Reply", 0)]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(folder))
    monkeypatch.setattr(hyperscan_cache, "_in_process", {})
    return folder


def matches(database: object, text: bytes) -> set[int]:
    found: set[int] = set()
    database.scan(  # type: ignore[attr-defined]
        text,
        match_event_handler=lambda i, *_: found.add(i),
        scratch=hyperscan.Scratch(database),  # a database read back comes without one
    )
    return found


def test_a_database_is_compiled_once_then_read_back(cache: Path, monkeypatch) -> None:
    first = hyperscan_cache.compiled(EXPRESSIONS)
    (stored,) = cache.glob("hyperscan-*.db")
    monkeypatch.setattr(hyperscan_cache, "_in_process", {})  # a new process
    monkeypatch.setattr(hyperscan, "Database", None)  # compiling would fail now
    again = hyperscan_cache.compiled(EXPRESSIONS)
    assert matches(first, b"she said Leave a Reply") == matches(again, b"she said Leave a Reply")
    assert matches(again, b"she said Leave a Reply") == {0, 1}
    assert stored.exists()


def test_a_damaged_file_is_compiled_again(cache: Path, monkeypatch) -> None:
    hyperscan_cache.compiled(EXPRESSIONS)
    (stored,) = cache.glob("hyperscan-*.db")
    stored.write_bytes(b"not a database")
    monkeypatch.setattr(hyperscan_cache, "_in_process", {})
    assert matches(hyperscan_cache.compiled(EXPRESSIONS), b"he said") == {0}


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(blocker / "cache"))
    assert matches(hyperscan_cache.compiled(EXPRESSIONS), b"he said") == {0}


def test_the_folder_keeps_the_latest_databases(cache: Path, monkeypatch) -> None:
    monkeypatch.setattr(hyperscan_cache, "MAX_FILES", 3)
    for n in range(5):
        hyperscan_cache.compiled([(f"word{n}".encode(), 0)])
        for path in cache.glob("hyperscan-*.db"):  # mtimes one second apart, oldest first
            os.utime(path, (path.stat().st_mtime - 1,) * 2)
    assert len(list(cache.glob("hyperscan-*.db"))) == 3
    assert not list(cache.glob(".hyperscan-*"))  # no temporary file left behind


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NORMALIZE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert hyperscan_cache.cache_dir() == tmp_path / "normalize"
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(tmp_path / "mine"))
    assert hyperscan_cache.cache_dir() == tmp_path / "mine"
