"""JSON Lines: every row comes out, only the field's value changes, and restore undoes it.

Rows in = rows out, always; a line is rewritten only inside the value of
--field (and, with --stats-field, where the statistics go): numbers in every
JSON form, duplicate keys, key order, spacing, escapes, a byte order mark and
the line endings stay as they came. The property test builds rows of every kind
and checks that byte by byte, then restores the input from the output.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.clean import JsonBlock, clean_json_block
from normalize.cli import main
from normalize.jsonl import NOT_JSON, NULL, apply_splices, last_member_removal, read_row
from normalize.pipeline import Normalizer

NUMBERS = [
    "0", "-0", "1", "-1", "1E400", "-1e400", "1e-400", "1.0e10", "1.0E+10", "2.5e-3", "0.1",
    "3.14159265358979323846264338327950288419716939937510", "123456789012345678901234567890",
    "-9223372036854775809", "1.000000000000000000001",
]  # fmt: skip
TEXTS = [
    "Fine text.",
    "Hello  \nLeave a Reply\n",
    "Secretary Anthony Brinken arrived. on tuesday.",
    "tensionsThe talks",
    "it\u00e2\u20ac\u2122s the minister\u00e2\u20ac\u2122s view &amp; more",
    "caf\u00e9 \u2019quoted\u2019 \U0001f600 \u2028 line",
    "lone \ud83d high",
    "",
    'tab\tand "quotes" and \\ backslash',
]
SPACES = ["", " ", "  ", "\t"]


def json_string(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    """A JSON value as written: numbers in every form, literals, strings, nesting."""
    kinds = ["number", "literal", "string"] + (["array", "object"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "number":
        return draw(st.sampled_from(NUMBERS))
    if kind == "literal":
        return draw(st.sampled_from(["true", "false", "null"]))
    if kind == "string":
        return json_string(draw(st.sampled_from(TEXTS)), draw(st.booleans()))
    items = draw(st.lists(values(depth + 1), max_size=3))
    if kind == "array":
        return "[" + ", ".join(items) + "]"
    keys = draw(st.lists(st.sampled_from(["text", "a", "b"]), min_size=len(items)))
    members = [f"{json_string(k, False)}: {v}" for k, v in zip(keys, items, strict=False)]
    return "{" + ", ".join(members) + "}"


@st.composite
def rows(draw: st.DrawFn) -> str:
    """One line: an object whose 'text' is a string, null, missing, another type or
    repeated; or a line that is not an object, not JSON, or blank."""
    kind = draw(st.sampled_from(["object"] * 6 + ["array", "broken", "blank"]))
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\t"]))
    if kind == "broken":
        return draw(st.sampled_from(["{not json", '{"text": "unterminated', "[1, 2", "nan?"]))
    if kind == "array":
        return "[" + draw(values(1)) + "]"
    names = draw(
        st.lists(st.sampled_from(["id", "text", "text", "n", "meta", "title"]), max_size=6)
    )
    members = []
    for name in names:
        if name == "text":
            value = draw(
                st.one_of(
                    st.builds(json_string, st.sampled_from(TEXTS), st.booleans()),
                    st.just("null"),
                    values(1),
                )
            )
        elif name == "id":
            value = draw(st.sampled_from(['"a"', '"1"', "1", "1.0", "null", "[1]"]))
        else:
            value = draw(values(1))
        colon = draw(st.sampled_from(SPACES)) + ":" + draw(st.sampled_from(SPACES))
        members.append(json_string(name, False) + colon + value)
    inner = ("," + draw(st.sampled_from(SPACES))).join(members)
    edge = draw(st.sampled_from(SPACES))
    return "{" + edge + inner + edge + "}"


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    lines = [
        row.encode("utf-8", errors="surrogatepass") for row in draw(st.lists(rows(), max_size=8))
    ]
    data = b"\n".join(lines)
    if lines and draw(st.booleans()):
        data += b"\n"
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = data.replace(b"\n", ending)
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


def split_lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def outside(line: bytes, field: str) -> tuple[bytes, bytes] | None:
    """The bytes of a line before and after the field's value, if it has a text."""
    row = read_row(line.removesuffix(b"\r"), field)
    if row.text is None:
        return None
    member = row.member(field)
    assert member is not None
    return line[: member.value_start], line[member.value_end :]


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(data=documents(), stats=st.booleans())
def test_rows_in_equal_rows_out_and_only_the_field_changes(
    normalizer: Normalizer, data: bytes, stats: bool
) -> None:
    block = JsonBlock(data, 1, "text", True, "in.jsonl", "damage" if stats else None)
    done = clean_json_block(normalizer, block)
    before, after = split_lines(data), split_lines(done.output)
    assert len(before) == len(after)  # rows in = rows out, the last newline included
    for raw, out in zip(before, after, strict=True):
        sides = outside(raw, "text")
        if sides is None:
            assert out == raw  # no text: the line as it came
            continue
        head, tail = sides
        assert json.loads(out.lstrip(b"\xef\xbb\xbf"))  # still JSON
        if stats:  # the statistics come last in the object, nothing else moves
            row = read_row(out.removesuffix(b"\r"), "text")
            assert row.members[-1].key == "damage"
            out = apply_splices(out, [last_member_removal(row)])
        assert out.startswith(head) and out.endswith(tail)
    assert done.documents == sum(1 for raw in before if outside(raw, "text") is not None)


@settings(PROPERTY, max_examples=40)  # whole runs: the rules are loaded for each
@given(data=documents(), stats=st.booleans(), suffix=st.sampled_from(["", ".gz", ".bz2", ".xz"]))
def test_every_run_restores_to_its_input_byte_for_byte(
    tmp_path_factory, data, stats, suffix
) -> None:
    folder = tmp_path_factory.mktemp("rows")
    source = folder / f"in.jsonl{suffix}"
    source.write_bytes(compress(data, suffix))
    flags = ["--stats-field", "damage"] if stats else []
    code = main(["--jsonl", str(source), "-o", str(folder / "out"), "--edits", "-q", *flags])
    assert code in (0, 1)  # 1: some line was not JSON (it came out as it was)
    out = folder / "out" / source.name
    assert decompress(out.read_bytes(), suffix).count(b"\n") == data.count(b"\n")
    back = folder / f"back.jsonl{suffix}"
    assert main(["restore", str(out), "-o", str(back)]) == 0
    assert decompress(back.read_bytes(), suffix) == data


def compress(data: bytes, suffix: str) -> bytes:
    return {"": bytes, ".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix](
        data
    )


def decompress(data: bytes, suffix: str) -> bytes:
    return {"": bytes, ".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}[
        suffix
    ](data)


def test_numbers_duplicate_keys_spacing_and_escapes_stay_as_they_came(tmp_path, capsys) -> None:
    line = (
        '{"n": 1E400, "m": 1.0e10, "d": 3.14159265358979323846264338327950288, '
        '"big": 123456789012345678901234567890, "text": "first", "x" :  [1,2] ,'
        '"text": "Hello  \\u2019s\\nLeave a Reply\\n", "e": "\\u00e9\\/"}'
    )
    source = tmp_path / "in.jsonl"
    source.write_text(line + "\n", encoding="utf-8")
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out"), "-q"]) == 0
    written = (tmp_path / "out" / "in.jsonl").read_text(encoding="utf-8")
    # Only the last "text" (the one JSON parsers read) changed, in its own escaping style.
    assert (
        written == line.replace("Hello  \\u2019s\\nLeave a Reply\\n", "Hello  \\u2019s\\n") + "\n"
    )


def test_rows_without_text_are_kept_counted_and_reported_once_per_kind(tmp_path, capsys) -> None:
    lines = [
        '{"id": 1, "text": "Fine.  "}',
        '{"id": 2, "text": null}',
        '{"id": 3}',
        '{"id": 4, "text": 5}',
        "not json",
        '{"id": 6, "text": null}',
        "[1, 2]",
        "",
        '{"id": 9, "text": ["a"]}',
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out")]) == 1
    written = (tmp_path / "out" / "in.jsonl").read_text(encoding="utf-8").split("\n")
    assert written == ['{"id": 1, "text": "Fine."}', *lines[1:], ""]
    err = capsys.readouterr().err.splitlines()
    assert err[:5] == [
        f"normalize: {source}: 1 line is not valid JSON, written as it came "
        "(line 5: Expecting value: line 1 column 1 (char 0))",
        f"normalize: {source}: 1 line is not a JSON object, written as it came (line 7: an array)",
        f"normalize: {source}: 1 row has no field 'text', written as it came (line 3)",
        f"normalize: {source}: 2 rows have 'text' null, written as they came (lines 2, 6)",
        f"normalize: {source}: 2 rows have 'text' not a string, written as they came "
        "(lines 4, 9; line 4: a number)",
    ]
    assert err[5] == f"normalize: {source}: 1 line is blank, written as it came (line 8)"


def test_a_field_no_row_has_is_said_once_early(tmp_path, capsys) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(f'{{"id": {i}, "body": "x"}}\n' for i in range(3000)))
    assert main(["--jsonl", str(source), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"normalize: {source}: no row of the first 3000 has a field 'text' (the first has: id, "
        "body); rows without it are written as they came (choose the field with --field)"
    )
    assert sum("'text'" in line for line in err) == 2  # that, and the count at the end
    assert (tmp_path / "out" / "in.jsonl").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("ids", [["1", 1, None, "1"], ["a", "a", "b", "a"]])
def test_rows_are_named_by_line_with_their_id_beside_and_all_restore(tmp_path, ids) -> None:
    rows = [{"text": f"Row {i}.  "} if row_id is None else {"id": row_id, "text": f"Row {i}.  "}
            for i, row_id in enumerate(ids)]  # fmt: skip
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    explain = tmp_path / "explain.jsonl"
    assert (
        main(["--jsonl", str(source), "-o", str(tmp_path / "out"), "--explain", str(explain)]) == 0
    )
    heads = [r for r in map(json.loads, explain.read_text().splitlines()) if r["kind"] == "doc"]
    assert [h["line"] for h in heads] == [1, 2, 3, 4]
    assert [h.get("id") for h in heads] == ids  # "1" and 1 stay apart; a missing id is absent
    assert (
        main(
            [
                "restore",
                str(tmp_path / "out" / "in.jsonl"),
                str(explain),
                "-o",
                str(tmp_path / "back"),
            ]
        )
        == 0
    )
    assert (tmp_path / "back").read_bytes() == source.read_bytes()


def test_kinds_of_line_are_told_apart(normalizer: Normalizer) -> None:
    assert read_row(b'{"text": null}', "text").kind == NULL
    assert read_row(b"{nope", "text").kind == NOT_JSON
    assert read_row(b'{"text": "\\ud800"}', "text").text == "\ud800"  # orjson refuses; json reads
    assert read_row(b'{"t\\u0065xt": "escaped key"}', "text").text == "escaped key"


def test_stats_field_holds_each_rows_repairs_and_restore_takes_it_out(tmp_path, capsys) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "Hello  \\nLeave a Reply\\n"}\n{"text": null}\n{}\n')
    out = tmp_path / "out"
    assert main(["--jsonl", str(source), "-o", str(out), "--edits", "--stats-field", "dmg"]) == 0
    first, second, third = (out / "in.jsonl").read_text().splitlines()
    stats = json.loads(first)["dmg"]
    assert first.startswith('{"id": 1, "text": "Hello\\n", "dmg": {"chars": 22, "edits": 2')
    assert stats["passes"]["boilerplate"] == {"edits": 1, "notes": 0}
    assert (second, third) == ('{"text": null}', "{}")  # no text, no statistics
    # A second run over its own output replaces the statistics in place; both restore.
    again = tmp_path / "again"
    assert (
        main(
            ["--jsonl", str(out / "in.jsonl"), "-o", str(again), "--edits", "--stats-field", "dmg"]
        )
        == 0
    )
    assert json.loads((again / "in.jsonl").read_text().splitlines()[0])["dmg"]["edits"] == 0
    assert main(["restore", str(again / "in.jsonl"), "-o", str(tmp_path / "once.jsonl")]) == 0
    assert (tmp_path / "once.jsonl").read_bytes() == (out / "in.jsonl").read_bytes()
    assert main(["restore", str(out / "in.jsonl"), "-o", str(tmp_path / "raw.jsonl")]) == 0
    assert (tmp_path / "raw.jsonl").read_bytes() == source.read_bytes()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--stats-field", "s", "a.txt"], "--stats-field names a field of JSON Lines rows"),
        (["--jsonl", "--stats-field", "text"], "that is the field being normalised"),
    ],
)
def test_stats_field_usage_errors(args, message, capsys) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_row_a_pass_crashes_on_comes_out_as_it_came_and_restores(
    tmp_path, capsys, poisoned_pass
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(f'{{"text": "Fine.  "}}\n{{"text": "{poisoned_pass}  "}}\n')
    out = tmp_path / "out"
    args = ["--jsonl", str(source), "-o", str(out), "--edits", "--stats-field", "s", "-q"]
    assert main(args) == 1
    lines = (out / "in.jsonl").read_text().splitlines()
    assert lines[1] == f'{{"text": "{poisoned_pass}  ", "s": null}}'  # no statistics
    assert (
        "in.jsonl:2: internal error (ValueError: a bug met on an odd document); the row is "
        "written as it came" in capsys.readouterr().err
    )
    assert main(["restore", str(out / "in.jsonl"), "-o", str(tmp_path / "back")]) == 0
    assert (tmp_path / "back").read_bytes() == source.read_bytes()


def test_restore_without_an_edits_file_says_so_once(tmp_path, capsys) -> None:
    out = tmp_path / "a.txt"
    out.write_text("Text.\n")
    assert main(["restore", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"normalize: {tmp_path / 'a.edits.jsonl'}: No such file or directory\n"
    )
