"""JSON Lines rows as they came: read one field of a line, and write a new value in its place.

A line is rewritten only inside the value of the field that is normalised:
keys, the other values (numbers such as `1E400`, `1.0e10` or long decimals),
duplicate keys, key order, spacing, escapes, a byte order mark and the line
ending stay byte for byte as they came. A line that has no text to normalise
(not JSON, not an object, the field missing, null or not a string) is written
exactly as it came; its `kind` says why.

Validation parses the whole line (orjson where it is installed, Python's json
for what orjson refuses: NaN, numbers too large for a double, lone surrogates),
so a line counts as JSON exactly when `json.loads` accepts it. The field's
value is then located by a scan of the line's top-level members, which skips
strings with one regular expression, so its cost follows the number of keys
and brackets, not the length of the text.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

try:  # the fast parser and writer, where it is installed
    import orjson

    _fast_loads: Callable[[bytes], Any] | None = orjson.loads
    _fast_dumps: Callable[[str], bytes] | None = orjson.dumps
except ImportError:  # pragma: no cover - orjson comes with the datatrove extra
    _fast_loads = _fast_dumps = None

# The kinds of line that are written as they came, in the order they are reported.
NOT_UTF8 = "not valid UTF-8"
NOT_JSON = "not valid JSON"
TOO_DEEP = "not usable JSON (nested too deeply)"
NOT_OBJECT = "not a JSON object"
MISSING = "missing"
NULL = "null"
NOT_STRING = "not a string"
BLANK = "blank"
# Kinds that mean the input is broken, not merely without text: the run's exit
# status is 1 when a line of one of these kinds was met.
BROKEN_KINDS = frozenset({NOT_UTF8, NOT_JSON, TOO_DEEP})

# A JSON string (escapes included), or one structural character.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[][{},:]')
_WHITESPACE = b" \t\r\n"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Member:
    """One top-level `"key": value` of an object line: byte offsets in the line."""

    key: str
    key_start: int
    value_start: int
    value_end: int


@dataclass(frozen=True, slots=True)
class Row:
    """One line, read for one field."""

    line: bytes  # as it came, without its newline
    text: str | None  # the field's value; None when the line is written as it came
    kind: str | None  # why there is no text (one of the kinds above); None when there is
    detail: str = ""  # more about the kind: the JSON error, the value's type
    members: tuple[Member, ...] = ()  # the object's top-level members, when it is one
    close: int = -1  # the offset of the object's closing brace

    def member(self, key: str) -> Member | None:
        """The last member named `key` (the one JSON parsers keep), if any."""
        for member in reversed(self.members):
            if member.key == key:
                return member
        return None

    def value_bytes(self, key: str) -> bytes | None:
        member = self.member(key)
        return None if member is None else self.line[member.value_start : member.value_end]

    def keys(self) -> list[str]:
        return list(dict.fromkeys(member.key for member in self.members))


def parse_line(line: bytes) -> tuple[Any, str | None, str]:
    """(value, kind, detail): the parsed line, or why it is not usable JSON."""
    body = line[3:] if line.startswith(codecs.BOM_UTF8) else line
    if _fast_loads is not None:
        try:
            return _fast_loads(body), None, ""
        except ValueError:
            pass  # what orjson refuses, Python's json may accept (NaN, 1E400, "\ud800")
    try:
        # Decoded first, strictly: json.loads(bytes) would let encoded surrogates
        # through (it decodes with 'surrogatepass') and guess UTF-16 and UTF-32.
        return json.loads(body.decode("utf-8")), None, ""
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        offset = error.start + len(line) - len(body)
        return None, NOT_UTF8, f"byte 0x{byte:02x} at byte {offset + 1}"
    except ValueError as error:
        return None, NOT_JSON, str(error)
    except RecursionError:
        return None, TOO_DEEP, ""


def read_row(line: bytes, field: str) -> Row:
    """The line read for `field`: its text, or the kind of line it is."""
    if not line.strip():
        return Row(line, None, BLANK)
    value, kind, detail = parse_line(line)
    if kind is not None:
        return Row(line, None, kind, detail)
    if not isinstance(value, dict):
        return Row(line, None, NOT_OBJECT, json_type(value))
    members, close = scan_members(line)
    text = value.get(field)
    if isinstance(text, str):
        return Row(line, text, None, "", members, close)
    if field not in value:
        return Row(line, None, MISSING, "", members, close)
    if text is None:
        return Row(line, None, NULL, "", members, close)
    return Row(line, None, NOT_STRING, json_type(text), members, close)


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def scan_members(line: bytes) -> tuple[tuple[Member, ...], int]:
    """The top-level members of a line that holds one valid JSON object, and
    the offset of its closing brace.

    Only strings and structural characters are visited; nested values are
    skipped by counting brackets. A key with escapes is decoded; others are
    read as they are.
    """
    members: list[Member] = []
    depth = 0
    key: tuple[str, int] | None = None  # the current member's key and its offset
    value_start = -1
    for token in _TOKEN.finditer(line):
        char = line[token.start()]
        if char in b"{[":
            depth += 1
        elif char in b"}]":
            depth -= 1
            if depth == 0:
                if key is not None:
                    members.append(_member(line, key, value_start, token.start()))
                return tuple(members), token.start()
        elif depth != 1:
            continue
        elif char == 0x22 and key is None:  # a string where a key is due
            key = (_decode_key(token.group()), token.start())
        elif char == 0x3A:  # ':'
            value_start = token.end()
        elif char == 0x2C and key is not None:  # ','
            members.append(_member(line, key, value_start, token.start()))
            key = None
    raise ValueError("not a JSON object line")  # validated lines never get here


def _member(line: bytes, key: tuple[str, int], value_start: int, value_end: int) -> Member:
    while line[value_start] in _WHITESPACE:
        value_start += 1
    while line[value_end - 1] in _WHITESPACE:
        value_end -= 1
    return Member(key[0], key[1], value_start, value_end)


def _decode_key(token: bytes) -> str:
    if b"\\" in token:
        return str(json.loads(token))
    return token[1:-1].decode("utf-8")


# --- writing a value -----------------------------------------------------------------

UTF8 = "utf8"  # non-ASCII characters as they are (json.dumps(..., ensure_ascii=False))
ASCII = "ascii"  # non-ASCII characters as \\u escapes (json.dumps' default)


def value_style(raw: bytes) -> str:
    """How a JSON string as it came writes non-ASCII characters."""
    if raw.isascii() and b"\\u" in raw:
        return ASCII
    return UTF8


def encode_string(text: str, style: str) -> bytes:
    """`text` as a JSON string in `style`; lone surrogates as escapes in either."""
    if style == ASCII:
        return json.dumps(text).encode("ascii")
    if _fast_dumps is not None:
        try:
            return _fast_dumps(text)  # the same bytes as json.dumps(..., ensure_ascii=False)
        except TypeError:
            pass  # lone surrogates: orjson refuses them
    written = json.dumps(text, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", written).encode("utf-8")


Splice = tuple[int, int, bytes]  # replace line[start:end] with these bytes


def member_insertion(row: Row, key: str, value: bytes) -> Splice:
    """`"key": value` added as the object's last member."""
    last = row.members[-1] if row.members else None
    at = last.value_end if last is not None else row.close
    separator = b", " if last is not None else b""
    member = separator + json.dumps(key, ensure_ascii=False).encode("utf-8") + b": " + value
    return at, at, member


def last_member_removal(row: Row) -> Splice:
    """The object's last member taken out again, as `member_insertion` added it."""
    last = row.members[-1]
    previous = row.members[-2] if len(row.members) > 1 else None
    start = previous.value_end if previous is not None else last.key_start
    return start, last.value_end, b""


def apply_splices(line: bytes, splices: list[Splice]) -> bytes:
    """The line with non-overlapping splices made, the rightmost first so offsets hold."""
    for start, end, value in sorted(splices, reverse=True):
        line = line[:start] + value + line[end:]
    return line
