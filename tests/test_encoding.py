"""The encoding pass: ftfy, configured for news, behind an exact pre-check."""

from __future__ import annotations

import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.pipeline import Normalizer

# Characters that exercise every fixer: mojibake material, entities, controls,
# ligatures, fullwidth forms, surrogates, combining marks, curly quotes, NBSP.
ALPHABET = st.sampled_from(
    [
        *"ab ’“”–…&;#x0123Ã©â€™\x80\x9d\x00\x1b[m\ufeffﬁＡ１\u0301\u00a0\u3000é",
        *["&amp;", "&#8217;", "â€œ", "Ã©", "\ud83d\ude00", "\ud800"],
    ]
)


def encoding_config(normalizer: Normalizer) -> ftfy.TextFixerConfig:
    (action,) = [p.action for p in normalizer.passes if p.name == "encoding"]
    return action.config  # type: ignore[attr-defined, no-any-return]


def ftfy_on_a_line(line: str, config: ftfy.TextFixerConfig) -> str:
    """What the pass means to do to one line: ftfy on the line without its trailing
    spaces (which the layout pass removes), else on the whole line; repeated,
    as the pass's rounds are, until it settles."""
    for _round in range(3):
        content = line.rstrip()
        fixed = ftfy.fix_and_explain(content, config).text + line[len(content) :]
        if fixed == line:
            fixed = ftfy.fix_and_explain(line, config).text
        if fixed == line:
            break
        line = fixed
    return line


@given(st.lists(ALPHABET, max_size=12).map("".join))
@settings(max_examples=500, deadline=None)
def test_pass_equals_ftfy_on_every_line(normalizer: Normalizer, line: str) -> None:
    # The pre-check that skips most lines must never skip one ftfy would change.
    expected = ftfy_on_a_line(line, encoding_config(normalizer))
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
