"""Which of many patterns may match a text, found in one scan with Hyperscan.

A pass with a dozen regex rules would otherwise search each text a dozen times
(each search under a timeout), although clean text matches none of them.
Hyperscan (Intel's multi-pattern engine) compiles all the patterns into one
automaton and scans the text once, in C, at gigabytes a second.

It is asked a necessary condition only: patterns are compiled in Hyperscan's
prefilter mode, which answers "may match" wherever the pattern matches (and
sometimes elsewhere: look-arounds and back-references are approximated), and
the `regex` module then does the real search where Hyperscan found something.
So results never depend on Hyperscan, with two guards. Hyperscan's Unicode
tables are older than `regex`'s: a text with a character outside AGREED (where
tests/test_pattern_scan.py checks that both read every construct passed on
alike: \\w, \\s, \\p{L}, case) gets None, "unknown", as does any text when the
`hyperscan` package is missing (a platform with no wheel); the caller then uses
its own gates, as it would have anyway. And a pattern Hyperscan cannot take (a
construct it lacks) is a candidate for every text.

Most texts are pure ASCII: they are scanned with a second database of the same
expressions read as bytes, with ASCII classes for Unicode ones, which finds the
same (checked on the whole benchmark corpus and by the tests) 1.5 times faster.
"""

from __future__ import annotations

import functools
import platform
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

import regex

from normalize import disk_cache

# None without a wheel. mypy cannot spell "this module or None", so any module it is.
hyperscan: ModuleType | None
try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without a wheel
    hyperscan = None

# The escapes that mean the same to `regex` and to Hyperscan (with UCP), and
# those translated: \uXXXX, \UXXXXXXXX, \L<list>.
_ESCAPE = regex.compile(
    r"""\\(?:
        u(?P<code>[0-9a-fA-F]{4})|U(?P<code>[0-9a-fA-F]{8})|L<(?P<list>\w+)>
        |x(?P<code>[0-9a-fA-F]{2})|x\{(?P<code>[0-9a-fA-F]{1,6})\}
        |[pP]\{(?P<property>\w+)\}|[1-9]
        |[dDwWsSbBAZzntrfvaeK]|[^0-9A-Za-z]
    )""",
    regex.VERBOSE,
)
# Code point ranges on which `regex` and Hyperscan (UTF-8, UCP) agree: Latin,
# Greek, Cyrillic, punctuation, symbols, CJK, Hangul and emoji, less what one of
# them reads otherwise: superscript digits, fractions, dotted and dotless i, the
# long s and the Kelvin sign (s and k but for case), combining marks of Cyrillic
# and Japanese, and code points new since Hyperscan's Unicode tables (the tail
# of the CJK block, the currency signs after the rouble sign).
AGREED = (
    (0x0000, 0x00B1), (0x00B4, 0x00B8), (0x00BA, 0x00BB), (0x00BF, 0x012F),
    (0x0132, 0x017E), (0x0180, 0x0294), (0x0296, 0x02FF), (0x0370, 0x0482),
    (0x048A, 0x04FF), (0x1E00, 0x1EFF), (0x2000, 0x200B), (0x200E, 0x203E),
    (0x2041, 0x2053), (0x2055, 0x206F), (0x20A0, 0x20BD), (0x2100, 0x2129),
    (0x212B, 0x214F), (0x2190, 0x23FA), (0x2500, 0x26FF), (0x2700, 0x2775),
    (0x2794, 0x27BF), (0x3000, 0x3029), (0x3030, 0x3098), (0x309B, 0x30FF),
    (0x4E00, 0x9FCC), (0xAC00, 0xD7AF), (0xFF00, 0xFF3E), (0xFF40, 0xFFEF),
    (0x1F300, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF), (0x1FA70, 0x1FAFF),
)  # fmt: skip
_DISAGREED = "[^" + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in AGREED) + "]"
_OUTSIDE_AGREED = regex.compile(  # the same class in `regex`'s spelling
    "[^" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in AGREED) + "]"
)
# The Unicode properties checked to agree on AGREED (\\p{S} does not: emoji).
PROPERTIES = frozenset({"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "N", "Nd", "P", "Z"})
_NEEDS_UNICODE = regex.compile(rb"\\[wWsSdDbBpP]|[^\x00-\x7f]")
_QUANTIFIER = regex.compile(r"\{\d+(?:,\d*)?\}")
LIST_REFERENCE = regex.compile(r"\\L<(\w+)>")  # a word list in a pattern; group 1 its name
_ASCII_PUNCTUATION = regex.compile(r"[^0-9A-Za-z\x80-\U0010ffff]")  # escaped in a word of a list
# Hyperscan refuses an expression longer than 16,000 bytes.
MAX_EXPRESSION_BYTES = 15_000
# Bytes of word lists spelled out as alternations, in one pattern and in all the
# patterns of a database together (the rules of this repository need 28,000 and
# 31,000): Hyperscan compiles an alternation in time that grows faster than its
# length (1,600 random words between two \b: 28 s on a busy machine), each word a
# literal of its own far quicker (10,000 in under a second). A pattern whose
# lists do not fit is scanned for the words of its longest list as literals, if
# every match holds one of them, or else not scanned at all.
MAX_PATTERN_LIST_BYTES = 32_000
MAX_LIST_BYTES = 64_000
_INLINE_CASELESS = regex.compile(r"\(\?[a-zA-Z]*i[a-zA-Z]*[:)]")
# Group openings both read alike; inline flags (r dropped) in group "flags".
_GROUP = regex.compile(r"\(\?(?:[:=!>]|<[=!]|P?<\w+>|P=\w+\)|(?P<flags>[imsr]+)(?P<end>[:)]))")


class PatternSource(Protocol):
    """What the scan reads of a pattern: a compiled `regex` pattern has it all, and
    so has safe_regex.LongListPattern, which is not compiled until it must search."""

    @property
    def pattern(self) -> str: ...
    @property
    def flags(self) -> int: ...
    @property
    def named_lists(self) -> Mapping[str, frozenset[str]]: ...


@dataclass(frozen=True, slots=True)
class ScanOnlyPattern:
    """A pattern only the scan reads: its source and flags, never compiled by
    `regex` (which took 36 ms at every start-up for the boilerplate pass's
    gate: a pattern per listed line and per line pattern, searched by no one
    else)."""

    pattern: str
    flags: int
    named_lists: Mapping[str, frozenset[str]] = field(default_factory=dict)


def is_agreed(text: str) -> bool:
    """Whether every character of `text` is in AGREED."""
    return _OUTSIDE_AGREED.search(text) is None


def agreed_characters(accept: Callable[[str], bool]) -> str:
    """The characters of AGREED's Basic Multilingual Plane that `accept`, in order."""
    return "".join(filter(accept, _agreed_bmp()))


@functools.cache
def _agreed_bmp() -> str:
    return "".join(
        "".join(map(chr, range(low, min(high, 0xFFFF) + 1)))
        for low, high in AGREED
        if low <= 0xFFFF
    )


def character_class(chars: str) -> str:
    """`chars` as the inside of a `regex` character class, runs as ranges, escaped."""
    codes = sorted(set(map(ord, chars)))
    parts = []
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[i - 1] + 1:
            low, high = codes[start], codes[i - 1]
            parts.append(f"\\U{low:08x}" + (f"-\\U{high:08x}" if high > low else ""))
            start = i
    return "".join(parts)


class ScanDatabase:
    """The patterns of every pass of a run in one Hyperscan database.

    Compiled when the last pass has added its patterns (`compile`, or the first
    scan), and scanned once per text: the passes that leave a text as it was,
    for most texts all of them, share one scan of it. Each pass that added
    patterns (an "owner") gets its answer as indices into its own patterns.
    """

    def __init__(self) -> None:
        self.patterns: list[PatternSource] = []
        self.owners: list[range] = []  # owner -> ids of its patterns
        self.database: Any = None
        # The same expressions read as bytes, for texts that are pure ASCII (most):
        # scanned half again as fast as in UTF-8 with Unicode classes.
        self.ascii_database: Any = None
        # expression id -> (owner, index among the owner's patterns) of its patterns
        self.members: list[list[tuple[int, int]]] = []
        self.unscanned: list[frozenset[int]] = []  # owner -> candidates for every text
        self._compiled = False
        self._disagreed = -1  # the expression that finds characters outside AGREED
        self._local = threading.local()  # a Hyperscan scratch space is one thread's
        self._lock = threading.Lock()
        self._last: tuple[str | None, list[set[int]] | None] = (None, None)

    def add(self, patterns: Sequence[PatternSource]) -> int:
        """Take `patterns`; the owner number their answers come under."""
        if self._compiled:
            raise RuntimeError("patterns added after the database was compiled")
        self.owners.append(range(len(self.patterns), len(self.patterns) + len(patterns)))
        self.patterns.extend(patterns)
        return len(self.owners) - 1

    def compile(self) -> None:
        if self._compiled:
            return
        with self._lock:  # threads that scan first wait for one compile
            if not self._compiled:
                self._compile()
                self._compiled = True

    def _compile(self) -> None:
        place = [(owner, i) for owner, ids in enumerate(self.owners) for i in range(len(ids))]
        scanned: set[int] = set()
        if hyperscan is not None and self.patterns:
            # Rules often share a prefilter: each distinct expression is compiled once.
            members: dict[tuple[bytes, int], list[int]] = {}
            parts: dict[int, list[tuple[bytes, int]]] = {}  # pattern -> its expressions
            room = ListRoom(MAX_LIST_BYTES)
            for index, pattern in enumerate(self.patterns):
                for source in to_hyperscan_expressions(pattern, room):
                    expression = (source, _flags(pattern, source))
                    members.setdefault(expression, []).append(index)
                    parts.setdefault(index, []).append(expression)
            expressions = list(members)
            disagreed = (_DISAGREED.encode(), hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP)
            try:
                self.database = compiled([*expressions, disagreed])
            except hyperscan.error:  # one expression (or more) Hyperscan cannot take
                expressions = [e for e in expressions if _compiles(e)]
                self.database = compiled([*expressions, disagreed])
            self.ascii_database = _ascii_database(expressions)
            self.members = [[place[i] for i in members[e]] for e in expressions]
            # A pattern is answered for only if all its expressions are in.
            kept = set(expressions)
            scanned = {i for i, needed in parts.items() if kept.issuperset(needed)}
            self._disagreed = len(expressions)
        self.unscanned = [
            frozenset(i - ids.start for i in ids if i not in scanned) for ids in self.owners
        ]

    def found(self, text: str) -> list[set[int]] | None:
        """For each owner, the indices of its patterns that may match `text`;
        None if that is unknown."""
        last_text, last_found = self._last
        if text is last_text:
            return last_found
        self.compile()
        found = self._scan(text) if self.database is not None else None
        self._last = (text, found)
        return found

    def _scan(self, text: str) -> list[set[int]] | None:
        if self.ascii_database is not None and text.isascii():
            hits = self._hits(self.ascii_database, text.encode("ascii"))
        else:
            hits = self.scan_as_utf8(text)
        if hits is None:
            return None
        found = [set(unscanned) for unscanned in self.unscanned]
        for expression in hits:
            for owner, index in self.members[expression]:
                found[owner].add(index)
        return found

    def scan_as_utf8(self, text: str) -> set[int] | None:
        """The expressions that may match `text`, read as UTF-8 with Unicode classes
        (None if that is unknown): what `_scan` asks for texts that are not ASCII."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None  # lone surrogates: not UTF-8, which Hyperscan requires
        hits = self._hits(self.database, data)
        return None if hits is None or self._disagreed in hits else hits

    def _hits(self, database: Any, data: bytes) -> set[int] | None:
        assert hyperscan is not None  # only _compile sets the databases, and only with Hyperscan
        hits: set[int] = set()
        try:
            database.scan(
                data, match_event_handler=_note_match, context=hits, scratch=self._scratch(database)
            )
        except hyperscan.error:  # pragma: no cover - Hyperscan refused the text
            return None
        return hits

    def _scratch(self, database: Any) -> Any:
        scratches = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {}
        scratch = scratches.get(id(database))
        if scratch is None:
            assert hyperscan is not None  # called by _hits, which checked
            scratch = scratches[id(database)] = hyperscan.Scratch(database)
        return scratch

    def __getstate__(self) -> dict[str, object]:
        raise TypeError("a ScanDatabase is rebuilt from the rules in each process, not pickled")


class PatternScan:
    """Which of `patterns` may match a text, by index: one action's share of a
    ScanDatabase (its own one if none is given)."""

    def __init__(
        self, patterns: Sequence[PatternSource], database: ScanDatabase | None = None
    ) -> None:
        self.database = database if database is not None else ScanDatabase()
        self.owner = self.database.add(patterns)

    @property
    def available(self) -> bool:
        self.database.compile()
        return self.database.database is not None

    @property
    def unscanned(self) -> set[int]:
        """The patterns the scan cannot answer for: candidates for every text."""
        self.database.compile()
        return set(self.database.unscanned[self.owner])

    def candidates(self, text: str) -> set[int] | None:
        """Indices of the patterns that may match `text`; None if that is unknown.

        The set is shared: read it, do not change it.
        """
        found = self.database.found(text)
        return None if found is None else found[self.owner]


def _note_match(index: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    found.add(index)


@dataclass(slots=True)
class ListRoom:
    """The bytes of word lists a database may still spell out (see MAX_LIST_BYTES)."""

    left: int


def to_hyperscan_expressions(
    pattern: PatternSource, list_room: ListRoom | None = None
) -> list[bytes]:
    """Hyperscan expressions that together match wherever `pattern` does; [] if unsure.

    One, unless the pattern is longer than Hyperscan takes because of a long
    word list it uses once: then one for each slice of the list. When its lists
    do not fit in `list_room`, the words of its longest list as literals, or none.
    """
    if list_room is not None:
        spelled = _list_bytes(pattern)
        if spelled > min(list_room.left, MAX_PATTERN_LIST_BYTES):
            return _list_literals(pattern)
        list_room.left -= spelled
    source = to_hyperscan(pattern)
    if source is None or len(source) <= MAX_EXPRESSION_BYTES:
        return [] if source is None else [source]
    lists = pattern.named_lists
    references = LIST_REFERENCE.findall(pattern.pattern)
    references = [reference for reference in references if reference in lists]
    if not references:
        return [source]  # too long all the same: refused at compile time, left unscanned
    name = max(references, key=lambda reference: len(lists[reference]))
    if references.count(name) > 1:
        return [source]  # slices would miss matches with words of two slices
    words = sorted(lists[name])
    sizes = [len(_escape(word).encode()) + 1 for word in words]  # with its "|" or ")"
    # Each slice's alternation "(?:a|b)" gets the room the rest of the pattern leaves.
    room = MAX_EXPRESSION_BYTES - (len(source) - 3 - sum(sizes)) - 3
    if room < max(sizes):
        return [source]  # the rest alone is too long: refused at compile time, left unscanned
    slices: list[list[str]] = [[]]
    used = 0
    for word, size in zip(words, sizes, strict=True):
        if used + size > room:
            slices.append([])
            used = 0
        slices[-1].append(word)
        used += size
    sources = [to_hyperscan(pattern, {**lists, name: frozenset(part)}) for part in slices]
    return [] if None in sources else sources  # type: ignore[return-value]


def _list_bytes(pattern: PatternSource) -> int:
    """What the word lists `pattern` uses take spelled out as alternations."""
    lists = pattern.named_lists
    return sum(
        len(_escape(word).encode()) + 1
        for name in LIST_REFERENCE.findall(pattern.pattern)
        if name in lists
        for word in lists[name]
    )


def _list_literals(pattern: PatternSource) -> list[bytes]:
    """The words of the longest list `pattern` uses, each an expression of its own,
    if every match of the pattern holds one of them; [] (not scanned) otherwise."""
    lists = pattern.named_lists
    names = [name for name in LIST_REFERENCE.findall(pattern.pattern) if name in lists]
    if not names:
        return []
    name = max(names, key=lambda name: len(lists[name]))
    if names.count(name) > 1 or not list_is_required(pattern.pattern, name):
        return []
    if not is_agreed("".join(lists[name])):
        return []
    caseless = "(?i)" if _INLINE_CASELESS.search(pattern.pattern) else ""
    return [f"{caseless}{_escape(word)}".encode() for word in sorted(lists[name]) if word]


def list_is_required(source: str, name: str) -> bool:
    """Whether every match of the pattern `source` holds a word of the list
    `name`, which it uses once: the reference is in no alternation, in no group
    that may be skipped (?, *, {0,...}) and in no negative look-around.

    Conservative: a construct not understood here answers False.
    """
    reference = f"\\L<{name}>"
    # Each open group: (has an alternation, is a negative look-around, holds the reference).
    groups: list[list[bool]] = [[False, False, False]]
    skippable: list[bool] = []  # for each closed group that held the reference
    i = 0
    while i < len(source):
        char = source[i]
        if source.startswith(reference, i):
            groups[-1][2] = True
            i += len(reference)
            skippable.append(_optional_at(source, i))
            continue
        if char == "\\":
            i += 2
        elif char == "[":
            i = class_end(source, i)
        elif char == "(":
            negative = source.startswith(("(?!", "(?<!"), i)
            groups.append([False, negative, False])
            i += 1
        elif char == ")" and len(groups) > 1:
            alternation, negative, holds = groups.pop()
            i += 1
            if holds:
                groups[-1][2] = True
                skippable.append(alternation or negative or _optional_at(source, i))
        elif char == "|":
            groups[-1][0] = True
            i += 1
        else:
            i += 1
    alternation, _negative, holds = groups[0]
    return holds and not alternation and not any(skippable) and len(groups) == 1


def _optional_at(source: str, i: int) -> bool:
    """Whether a quantifier at `i` lets what comes before it match zero times."""
    return source.startswith(("?", "*", "{0", "{,"), i)


def class_end(source: str, start: int) -> int:
    """The index after the character class that opens at `start` in the pattern `source`."""
    i = start + 1
    if source[i : i + 1] == "^":
        i += 1
    if source[i : i + 1] == "]":  # a leading ']' is a literal
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


def to_hyperscan(
    pattern: PatternSource, lists: Mapping[str, frozenset[str]] | None = None
) -> bytes | None:
    """`pattern` in Hyperscan's syntax, with no fewer matches; None if unsure.

    Word lists (`\\L<name>`) become alternations, `\\uXXXX` becomes `\\x{XXXX}`,
    `\\Z` (the very end in Python) becomes `\\z`, `\\w` becomes `\\S` (more
    matches, a far smaller automaton), and what changes where a match is
    reported but not whether there is one is dropped: the reverse flag `(?r)`
    and `\\K`. Anything `regex` may read differently from Hyperscan (fuzzy
    matching, set operations, verbose mode, an unfamiliar escape) gives None.
    """
    if pattern.flags & (regex.VERSION1 | regex.VERBOSE | regex.ASCII):
        return None
    source = pattern.pattern
    lists = pattern.named_lists if lists is None else lists
    words = [word for entries in lists.values() for word in entries]
    if not is_agreed(source + "".join(words)):
        return None  # a character the two engines may read, or case-fold, otherwise
    out: list[str] = []
    in_class = negated = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            escape = _ESCAPE.match(source, i)
            if escape is None or escape.group("property") not in (None, *PROPERTIES):
                return None
            if escape.group("code") and not is_agreed(chr(int(escape.group("code"), 16))):
                return None
            out.append(_translate_escape(escape, lists, in_class, negated))
            i = escape.end()
            continue
        if in_class:
            if char == "[" and source[i + 1 : i + 2] == ":":
                return None  # a POSIX class: spelt alike, but no need to find out
            in_class = char != "]"
        elif char == "[":
            in_class = True
            negated = source[i + 1 : i + 2] == "^"
            out.append(char)
            i += 1
            if negated:
                out.append("^")
                i += 1
            if source[i : i + 1] == "]":  # a leading ] is a literal
                out.append("\\]")
                i += 1
            continue
        elif char == "{":
            quantifier = _QUANTIFIER.match(source, i)
            if quantifier is None:
                return None  # fuzzy matching, or a brace Hyperscan may read otherwise
        elif source.startswith("(?", i):
            group = _GROUP.match(source, i)
            if group is None:
                return None
            flags, end = group.group("flags"), group.group("end")
            if flags is None:
                out.append(group.group())
            elif end == ":":
                out.append(f"(?{flags.replace('r', '')}:")
            elif flags.replace("r", ""):
                out.append(f"(?{flags.replace('r', '')})")
            i = group.end()
            continue
        out.append(char)
        i += 1
    return "".join(out).encode("utf-8")


def _translate_escape(
    escape: regex.Match[str], lists: Mapping[str, frozenset[str]], in_class: bool, negated: bool
) -> str:
    text = escape.group()
    if text == "\\w" and not (in_class and negated):
        return "\\S"  # a superset: Unicode's word characters make a slow, large automaton
    if escape.group("code"):
        return "\\x{" + escape.group("code") + "}"
    if escape.group("list"):
        return "(?:" + "|".join(_escape(word) for word in sorted(lists[escape.group("list")])) + ")"
    if text == "\\Z" and not in_class:
        return "\\z"
    if text == "\\K":
        return ""
    return text


def _escape(word: str) -> str:
    return word if word.isalnum() else _ASCII_PUNCTUATION.sub(r"\\\g<0>", word)


def _flags(pattern: PatternSource, source: bytes) -> int:
    assert hyperscan is not None
    flags = (
        hyperscan.HS_FLAG_PREFILTER
        | hyperscan.HS_FLAG_UTF8
        | hyperscan.HS_FLAG_SINGLEMATCH
        | hyperscan.HS_FLAG_ALLOWEMPTY
    )
    # Unicode tables cost compile time. Only \w, \s, \d, \b, \p and, when case
    # is ignored, letters outside ASCII need them: AGREED has no character that
    # matches an ASCII letter but for case (the Kelvin sign and the long s are out).
    if _NEEDS_UNICODE.search(source):
        flags |= hyperscan.HS_FLAG_UCP
    if pattern.flags & regex.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if pattern.flags & regex.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    if pattern.flags & regex.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    return flags


def compiled(expressions: list[tuple[bytes, int]]) -> Any:
    """A block-mode database of `expressions` (source, flags), ids by position.

    Compiling takes about half a second, so the database is kept in the disk
    cache (normalize.disk_cache) for the Hyperscan build and machine that made
    it. Raises hyperscan.error if an expression does not compile.
    """
    assert hyperscan is not None

    def build() -> Any:
        database = hyperscan.Database()
        database.compile(
            expressions=[source for source, _flags in expressions],
            ids=list(range(len(expressions))),
            flags=[flags for _source, flags in expressions],
        )
        return database

    inputs = [hyperscan.__version__.encode(), platform.machine().encode()]
    inputs += [source + b"\0" + str(flags).encode() for source, flags in expressions]
    return disk_cache.cached(
        "hyperscan",
        inputs,
        build,
        hyperscan.dumpb,
        lambda stored: hyperscan.loadb(stored, hyperscan.HS_MODE_BLOCK),
    )


def _ascii_database(expressions: list[tuple[bytes, int]]) -> Any:
    """A database of `expressions` (ids by position) for texts of ASCII only.

    Each expression is read as bytes, without Unicode tables: a property
    (`\\p{L}`) becomes the ASCII characters that have it, a code point outside
    ASCII a byte no ASCII text has (`\\xff`); characters outside ASCII written
    as such (UTF-8 bytes, in a class or not) can match no ASCII text either
    way. On such a text, each finds exactly what it finds in UTF-8 (checked
    on the benchmark corpus and by the tests); one that does not compile so
    is taken as it is.
    """
    assert hyperscan is not None
    if not expressions:
        return None
    unicode = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
    as_bytes = [(to_ascii_expression(source), flags & ~unicode) for source, flags in expressions]
    try:
        return compiled(as_bytes)
    except hyperscan.error:
        pairs = zip(as_bytes, expressions, strict=True)
        return compiled([byte if _compiles(byte) else utf8 for byte, utf8 in pairs])


_PROPERTY = regex.compile(rb"\\([pP])\{(\w+)\}")
_CODE_POINT = regex.compile(rb"\\x\{([0-9a-fA-F]+)\}")


def to_ascii_expression(source: bytes) -> bytes:
    """`source` (a Hyperscan expression for UTF-8 text) for text of ASCII only:
    Unicode properties as the ASCII characters that have them, characters
    outside ASCII as `\\xff`, which no ASCII text holds. In a class, those
    written as UTF-8 bytes stay: no ASCII character is among their bytes, and
    a range from an ASCII character to one of them still ends above ASCII."""
    out = bytearray()
    in_class = False
    i = 0
    while i < len(source):
        char = source[i : i + 1]
        if char == b"\\":
            found = _PROPERTY.match(source, i)
            if found:
                members = _ascii_members(found.group(2).decode(), negated=found.group(1) == b"P")
                out += members if in_class else b"[" + members + b"]"
                i = found.end()
                continue
            found = _CODE_POINT.match(source, i)
            if found:
                code = int(found.group(1), 16)
                out += f"\\x{code:02x}".encode() if code < 0x80 else b"\\xff"
                i = found.end()
                continue
            out += source[i : i + 2]
            i += 2
            continue
        if in_class:
            in_class = char != b"]"
        elif char[0] >= 0x80:
            # A character outside ASCII, one byte for the many of its UTF-8 form:
            # a quantifier after it must apply to all of it ("—*").
            out += b"\\xff"
            i += _utf8_length(char[0])
            continue
        elif char == b"[":
            in_class = True
            out += char
            i += 1
            for opening in (b"^", b"]"):  # a negation, then a leading ] (a literal)
                if source[i : i + 1] == opening:
                    out += opening if opening == b"^" else b"\\]"
                    i += 1
            continue
        out += char
        i += 1
    return bytes(out)


def _utf8_length(lead: int) -> int:
    """The number of bytes of the UTF-8 character that starts with the byte `lead`."""
    return 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2


@functools.cache
def _ascii_members(name: str, negated: bool) -> bytes:
    """The ASCII characters with the Unicode property `name` (or without it),
    escaped for a character class; a property none has gives \xff."""
    has = regex.compile(rf"\p{{{name}}}")
    members = [code for code in range(128) if (has.match(chr(code)) is None) == negated]
    return b"".join(f"\\x{code:02x}".encode() for code in members) or b"\\xff"


def _compiles(expression: tuple[bytes, int]) -> bool:
    assert hyperscan is not None
    try:
        source, flags = expression
        hyperscan.Database().compile(expressions=[source], flags=flags)
    except hyperscan.error:
        return False
    return True
