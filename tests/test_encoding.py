"""The encoding pass: ftfy, configured for news, behind an exact pre-check."""

from __future__ import annotations

import gzip
import json
import string
import unicodedata
from typing import Any

import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from hypothesis import example, given, settings
from hypothesis import strategies as st

from normalize.actions import DocContext
from normalize.actions.encoding import (
    FIX_CACHE_ENTRIES,
    HARMLESS_CATEGORIES,
    FtfyAction,
    _segments,
    mojibake_code_points,
)
from normalize.document import Change
from normalize.pipeline import Normalizer

from .conftest import BENCH_CORPUS

try:
    from re import _parser as re_parser  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_parse as re_parser

# Characters that exercise every fixer: mojibake material, entities, controls,
# ligatures, fullwidth forms, surrogates, combining marks, curly quotes, NBSP.
ALPHABET = st.sampled_from(
    [
        *"ab ’“”–…&;#x0123Ã©â€™\x80\x9d\x00\x1b[m\ufeffﬁＡ１\u0301\u00a0\u3000é",
        *["&amp;", "&#8217;", "â€œ", "Ã©", "\ud83d\ude00", "\ud800"],
    ]
)


def encoding_action(normalizer: Normalizer) -> FtfyAction:
    (action,) = [p.action for p in normalizer.passes if p.name == "encoding"]
    assert isinstance(action, FtfyAction)
    return action


def ftfy_on_a_line(line: str, action: FtfyAction) -> str:
    """What the pass means to do to one line: ftfy (behind the action's own
    entity decoding) on the line without its trailing spaces (which the layout
    pass removes), else on the whole line; repeated, as the pass's rounds are,
    until it settles."""
    for _round in range(3):
        content = line.rstrip()
        fixed = action.fix_and_explain(content)[0] + line[len(content) :]
        if fixed == line:
            fixed = action.fix_and_explain(line)[0]
        if fixed == line:
            break
        line = fixed
    return line


@given(st.lists(ALPHABET, max_size=12).map("".join))
@example(line="\ufeff\u0301")  # ftfy drops the BOM, and the accent stays alone
@settings(max_examples=500, deadline=None)
def test_pass_equals_ftfy_on_every_line(normalizer: Normalizer, line: str) -> None:
    # The pre-check that skips most lines must never skip one ftfy would change.
    expected = ftfy_on_a_line(line, encoding_action(normalizer))
    assert normalizer.normalize_and_explain(line, only="encoding").text == expected


def test_typography_and_no_break_spaces_are_kept(normalizer: Normalizer) -> None:
    text = "“Quotes” – dashes… and 18\u00a0June stay.\n"
    assert normalizer.normalize(text, as_file=True) == text


def test_edit_names_the_ftfy_steps(normalizer: Normalizer) -> None:
    result = normalizer.normalize_and_explain("The â€œthawâ€\x9d never came.")
    (edit,) = result.edits
    assert edit.rule == "MOJIBAKE" and "ftfy: encode sloppy-windows-1252" in edit.message
    assert (edit.before, edit.after) == ("â€œthawâ€\x9d", "“thaw”")


def test_invalid_bytes_are_read_as_windows_1252(normalizer: Normalizer) -> None:
    raw = b"Caf\xe9 society\n".decode("utf-8", errors="surrogateescape")
    result = normalizer.normalize_and_explain(raw, as_file=True)
    assert result.text == "Café society\n"
    assert [e.rule for e in result.edits] == ["INVALID_UTF8_BYTES"]


# The pre-check that spares most lines ftfy's mojibake detector rests on a
# property of the installed ftfy: `is_bad` needs a character of its mojibake
# categories other than the typographic ones. These tests fail if an ftfy
# upgrade breaks it (then `HARMLESS_CATEGORIES` must shrink).
MOJIBAKE = mojibake_code_points()
HARMLESS = "".join(MOJIBAKE_CATEGORIES[name] for name in sorted(HARMLESS_CATEGORIES))
HARMLESS_TEXT = st.text(
    alphabet=st.sampled_from([*string.printable, *HARMLESS, "\u00a0"]), max_size=40
)
# Characters from every category, correct typography and ASCII around them.
MIXED_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from([chr(cp) for cp in sorted(MOJIBAKE)]),
        st.sampled_from([*string.ascii_letters, " ", "\n", ".", "’", "“", "”", "–", "…", "Â"]),
    ),
    max_size=12,
)


def _required_sets(items: list[tuple[Any, Any]]) -> list[set[int] | None]:
    """For each element a match of `items` (a parsed regex sequence) must contain,
    the characters it can be (None when not a finite set of characters)."""
    required: list[set[int] | None] = []
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            required.append({value})
        elif name == "IN":
            chars: set[int] | None = set()
            for kind, item in value:
                if str(kind) == "LITERAL":
                    chars.add(item)  # type: ignore[union-attr]
                elif str(kind) == "RANGE":
                    chars.update(range(item[0], item[1] + 1))  # type: ignore[union-attr]
                else:
                    chars = None  # a negation or a category: not a finite set
                    break
            required.append(chars)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and value[0] >= 1:
            required.extend(_required_sets(list(value[2])))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            required.extend(_required_sets(list(value[-1])))
    return required


def test_every_alternative_of_badness_re_needs_a_mojibake_character() -> None:
    # A proof over ftfy's own pattern: each of its top-level alternatives has an
    # element that must match, and that element only matches MOJIBAKE characters.
    parsed = re_parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    [(op, (_, alternatives))] = parsed.data
    assert str(op) == "BRANCH"
    for alternative in alternatives:
        sets = _required_sets(list(alternative))
        assert any(s is not None and s <= MOJIBAKE for s in sets), alternative


@given(HARMLESS_TEXT)
@settings(max_examples=1000, deadline=None)
def test_typography_alone_is_never_bad(text: str) -> None:
    assert not is_bad(text)


@given(MIXED_TEXT)
@settings(max_examples=1000, deadline=None)
def test_is_bad_implies_a_mojibake_character(text: str) -> None:
    if is_bad(text):
        assert any(ord(c) in MOJIBAKE for c in text)


@pytest.mark.skipif(not BENCH_CORPUS.exists(), reason=f"benchmark corpus {BENCH_CORPUS} absent")
def test_bad_bench_lines_have_a_mojibake_character() -> None:
    checked = 0
    with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as lines:
        for record in lines:
            for line in json.loads(record)["text"].splitlines():
                if not line.isascii() and is_bad(line):
                    checked += 1
                    assert any(ord(c) in MOJIBAKE for c in line), line
    assert checked > 0


def ftfy_action(normalizer: Normalizer) -> FtfyAction:
    (action,) = [p.action for p in normalizer.passes if p.name == "encoding"]
    assert isinstance(action, FtfyAction)
    return action


def propose_on_every_line(action: FtfyAction, text: str) -> list[Change]:
    """The pass without its whole-text shortcut: every line is judged."""
    may_be_bad = not text.isascii() and action.config.fix_encoding
    check_form = not text.isascii() and not unicodedata.is_normalized(action.form, text)
    segments = _segments(text, 0, len(text), action.max_segment)
    return action._fix_segments(segments, may_be_bad, check_form, DocContext())


# Lines of every kind: clean, typographic, mojibake, entities, controls, and
# every form of line break.
LINES = st.lists(
    st.sampled_from(
        [
            "Clean text.", "“Quoted” – fine…", "Chinaâ€™s", "Ã  la", "AT&T", "&amp; it&#8217;s",
            "<p>&amp;</p>", "ofﬁcial", "5\x80", "\x00", "café", "Cafe\u0301", "Â ", "  ", "",
            "\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\udce9", "Ångström",
        ]
    ),
    max_size=10,
).map("".join)  # fmt: skip


@given(LINES)
@settings(max_examples=500, deadline=None)
def test_whole_text_scan_finds_every_line_ftfy_would_change(
    normalizer: Normalizer, text: str
) -> None:
    action = ftfy_action(normalizer)
    assert action.propose(text, DocContext()) == propose_on_every_line(action, text)


def test_lines_far_apart_in_one_long_text(normalizer: Normalizer) -> None:
    action = ftfy_action(normalizer)
    text = "\n".join(["Plain line."] * 500 + ["Chinaâ€™s view"] + ["Plain."] * 500 + ["&amp;"])
    changes = action.propose(text, DocContext())
    assert [(c.after, text[c.start - 1 : c.end]) for c in changes] == [("’", "aâ€™"), ("", "&amp;")]
    assert changes == propose_on_every_line(action, text)


def test_repeated_lines_are_fixed_once_and_the_memory_is_bounded(normalizer: Normalizer) -> None:
    action = ftfy_action(normalizer)
    text = "Chinaâ€™s view\nChinaâ€™s view\n"
    first, second = action.propose(text, DocContext())
    assert (first.after, second.after) == ("’", "’") and second.start == first.start + 15
    for i in range(FIX_CACHE_ENTRIES + 10):
        action.propose(f"{i} Chinaâ€™s view", DocContext())
    assert len(action._fixed) <= FIX_CACHE_ENTRIES
