"""Real people's names that no fuzzy match may turn into someone else's.

The rules folder's `data/names/*.txt` (one name a line: US Census given names
and surnames, public domain) tell a real name from a misspelling: `Connally` is
not a misspelt `Connolly`.
"""

from __future__ import annotations

from pathlib import Path

from normalize import disk_cache
from normalize.lexicon import read_word_file

# Lists of real names (one a line), relative to the rules folder.
NAME_LISTS_DIR = Path("data") / "names"


def read_name_lists(rules_dir: Path) -> frozenset[str]:
    """Real people's names (lower case) from the rules folder's data/names/*.txt
    (read back from the disk cache, normalize.disk_cache, once built)."""
    paths = sorted((rules_dir / NAME_LISTS_DIR).glob("*.txt"))
    return disk_cache.cached_from_files(
        "name-lists",
        paths,
        lambda: frozenset(word for path in paths for word in read_word_file(path)),
    )
