"""Tables kept on disk between runs: read back when there, and a bad cache only costs time."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from normalize import disk_cache
from normalize.segmentation import BigramCounts, load_bigrams


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(folder))
    monkeypatch.setattr(disk_cache, "_in_process", {})
    return folder


def table(builds: list[int], inputs: list[bytes] | None = None) -> dict[str, int]:
    def build() -> dict[str, int]:
        builds.append(1)
        return {"hong kong": 37, "as well": 12}

    return disk_cache.cached("test", inputs or [b"v1"], build, marshal.dumps, marshal.loads)


def test_a_table_is_built_once_then_read_back(cache: Path, monkeypatch) -> None:
    builds: list[int] = []
    first = table(builds)
    monkeypatch.setattr(disk_cache, "_in_process", {})  # as in a new process
    assert table(builds) == first and builds == [1]
    assert len(list(cache.glob("test-*.bin"))) == 1
    table(builds, [b"v2"])  # other inputs, another entry
    assert builds == [1, 1] and len(list(cache.glob("test-*.bin"))) == 2


def test_a_damaged_entry_is_built_again(cache: Path, monkeypatch) -> None:
    builds: list[int] = []
    table(builds)
    (stored,) = cache.glob("test-*.bin")
    stored.write_bytes(b"not a table")
    monkeypatch.setattr(disk_cache, "_in_process", {})
    assert table(builds) == {"hong kong": 37, "as well": 12} and builds == [1, 1]


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(disk_cache, "_in_process", {})
    assert table([]) == {"hong kong": 37, "as well": 12}


def test_the_folder_keeps_the_latest_entries(cache: Path, monkeypatch) -> None:
    monkeypatch.setattr(disk_cache, "MAX_FILES", 3)
    for n in range(5):
        table([], [str(n).encode()])
        for path in cache.glob("*.bin"):  # mtimes one second apart, oldest first
            os.utime(path, (path.stat().st_mtime - 1,) * 2)
    assert len(list(cache.glob("*.bin"))) == 3
    assert not list(cache.glob(".entry-*"))  # no temporary file left behind


def test_a_table_from_files_follows_their_content(cache: Path, monkeypatch, tmp_path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("alpha\n")
    builds: list[str] = []

    def words() -> list[str]:
        builds.append(source.read_text())
        return source.read_text().split()

    assert disk_cache.cached_from_files("words", [source], words) == ["alpha"]
    monkeypatch.setattr(disk_cache, "_in_process", {})  # as in a new process
    assert disk_cache.cached_from_files("words", [source], words) == ["alpha"]
    assert len(builds) == 1
    stat = source.stat()
    source.write_text("omega\n")  # same size, and the same time stamp
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert disk_cache.cached_from_files("words", [source], words) == ["omega"]
    source.unlink()  # unreadable: `build` runs, and reports what it finds
    with pytest.raises(FileNotFoundError):
        disk_cache.cached_from_files("words", [source], words)


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NORMALIZE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert disk_cache.cache_dir() == tmp_path / "normalize"
    monkeypatch.setenv("NORMALIZE_CACHE_DIR", str(tmp_path / "mine"))
    assert disk_cache.cache_dir() == tmp_path / "mine"


def test_the_bigrams_read_back_equal_the_parsed_ones(cache: Path, monkeypatch) -> None:
    from importlib.resources import files

    from normalize.segmentation import SYMSPELL_BIGRAMS

    text = (files("symspellpy") / SYMSPELL_BIGRAMS).read_text(encoding="utf-8")
    pairs = {}  # the file as a plain dict, for reference
    for line in text.splitlines():
        pair, _, count = line.rpartition(" ")
        pairs[pair] = int(count)
    built = load_bigrams()  # and stored
    monkeypatch.setattr(disk_cache, "_in_process", {})
    read_back = load_bigrams()
    assert read_back.groups == built.groups == BigramCounts.parse(text).groups
    assert all(read_back.get(pair) == count for pair, count in pairs.items())
    assert read_back.get("hong kong") > 0 and "hong kong" in read_back
    for absent in ("hong", "hong kon", "hong kong 5", "kong hong", "zzz hong", ""):
        assert absent not in read_back and read_back.get(absent, 7) == 7, absent


def test_a_hyperscan_database_is_compiled_once_then_read_back(cache: Path, monkeypatch) -> None:
    hyperscan = pytest.importorskip("hyperscan", reason="no hyperscan wheel for this platform")
    from normalize.pattern_scan import compiled

    expressions = [(rb"\bsaid\b", hyperscan.HS_FLAG_SINGLEMATCH), (b"Leave a Reply", 0)]

    def matches(database: object, text: bytes) -> set[int]:
        found: set[int] = set()
        database.scan(  # type: ignore[attr-defined]
            text,
            match_event_handler=lambda i, *_: found.add(i),
            scratch=hyperscan.Scratch(database),  # a database read back comes without one
        )
        return found

    first = compiled(expressions)
    monkeypatch.setattr(disk_cache, "_in_process", {})  # as in a new process
    monkeypatch.setattr(hyperscan, "Database", None)  # compiling would fail now
    again = compiled(expressions)
    assert matches(first, b"she said Leave a Reply") == matches(again, b"she said") | {1} == {0, 1}
