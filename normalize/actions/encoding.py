"""Encoding repairs with ftfy, one recorded edit per repaired line.

Each rule of the encoding pass switches one ftfy fixer on (or off, with a
reason), so the YAML file is the ftfy configuration. ftfy is the slowest part of
a naive pipeline, so a line goes to ftfy only when it contains something ftfy
could change under that configuration: a character one of the enabled fixers
acts on, text that ftfy's own mojibake detector (`is_bad`) flags, or text that
is not in the normalisation form. For any other line ftfy is a no-op, so the
shortcut changes no result (a property test checks this).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import ClassVar

import ftfy
import ftfy.bad_codecs
import regex
from ftfy.badness import is_bad
from ftfy.chardata import CONTROL_CHARS, LIGATURES, WIDTH_MAP

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.rules import Rule, RuleSet
from normalize.schema import Field

# ftfy's fixers (TextFixerConfig fields) and the code points each one can act on.
# `fix_encoding` and `normalization` are detected differently (see above).
_CODE_POINTS: dict[str, list[int] | range] = {
    "unescape_html": [ord("&")],
    "remove_terminal_escapes": [0x1B],
    "fix_c1_controls": range(0x80, 0xA0),
    "fix_latin_ligatures": sorted(LIGATURES),
    "fix_character_width": sorted(WIDTH_MAP),
    "uncurl_quotes": [0x2018, 0x2019, 0x201A, 0x201B, 0x201C, 0x201D, 0x201E, 0x201F],
    "fix_line_breaks": [0x0D, 0x85, 0x2028, 0x2029],
    "fix_surrogates": range(0xD800, 0xE000),
    "remove_control_chars": sorted(CONTROL_CHARS),
    # Undecodable input bytes arrive as lone surrogates U+DC80..U+DCFF (Python's
    # surrogateescape), so that nothing is lost; `invalid_bytes` reads each as
    # Windows-1252, the usual encoding of stray bytes in English web text.
    "invalid_bytes": range(0xDC80, 0xDD00),
}
FIXERS = frozenset(_CODE_POINTS) | {"fix_encoding", "normalization"}
# The fixers that are plain on/off switches of ftfy's TextFixerConfig.
_FTFY_SWITCHES = sorted(set(_CODE_POINTS) - {"unescape_html", "invalid_bytes"})
ESCAPED_BYTES = regex.compile("[\\udc80-\\udcff]+")
_LINE_BREAK = regex.compile("[\\n\\r\\u2028\\u2029]")


def _char_class(code_points: set[int]) -> regex.Pattern[str] | None:
    """A compiled character class matching any of `code_points` (as ranges)."""
    if not code_points:
        return None
    ranges: list[list[int]] = []
    for cp in sorted(code_points):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    return regex.compile(f"[{body}]")


class FtfyAction(Action):
    rule_fields: ClassVar[dict[str, Field]] = {
        "fixer": Field(str, required=True, doc=f"one of: {', '.join(sorted(FIXERS))}"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "normalization": Field(str, doc="Unicode form for the normalization rule (NFC)"),
        "unescape_html": Field(str, doc="'auto' (not in lines containing '<') or 'always'"),
        "restore_byte_a0": Field(bool, doc="ftfy: a space may stand for a lost U+A0 in mojibake"),
        "replace_lossy_sequences": Field(bool, doc="ftfy: mark partly lost mojibake with U+FFFD"),
        "decode_inconsistent_utf8": Field(bool, doc="ftfy: fix mixed-encoding mojibake"),
        "max_segment": Field(int, doc="longest piece of a line given to ftfy at once"),
    }

    def __init__(self, ruleset: RuleSet, resources: Resources) -> None:
        super().__init__(ruleset, resources)
        self.rule_for_fixer: dict[str, Rule] = {}
        for rule in self.rules:
            fixer = rule.data["fixer"]
            if fixer not in FIXERS:
                raise RuleProblem(
                    rule, f"unknown fixer {fixer!r} (known: {', '.join(sorted(FIXERS))})"
                )
            self.rule_for_fixer[fixer] = rule
        enabled = set(self.rule_for_fixer)
        self.form = self.options.get("normalization", "NFC")
        if self.form not in ("NFC", "NFKC", "NFD", "NFKD"):
            raise RuleProblem(ruleset.rules[0], f"unknown normalization form {self.form!r}")
        html = self.options.get("unescape_html", "auto")
        self.config = ftfy.TextFixerConfig(
            unescape_html=("auto" if html == "auto" else True)
            if "unescape_html" in enabled
            else False,
            fix_encoding="fix_encoding" in enabled,
            restore_byte_a0=self.options.get("restore_byte_a0", True),
            replace_lossy_sequences=self.options.get("replace_lossy_sequences", True),
            decode_inconsistent_utf8=self.options.get("decode_inconsistent_utf8", True),
            normalization=self.form if "normalization" in enabled else None,
            explain=True,
            **{name: name in enabled for name in _FTFY_SWITCHES},
        )
        self.suspect = _char_class(
            {cp for name in enabled & set(_CODE_POINTS) for cp in _CODE_POINTS[name]}
        )
        self.max_segment = int(self.options.get("max_segment", 100_000))

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        ascii_only = text.isascii()
        may_be_bad = not ascii_only and self.config.fix_encoding
        check_form = (
            not ascii_only
            and self.config.normalization is not None
            and not unicodedata.is_normalized(self.form, text)
        )
        if not (may_be_bad or check_form or (self.suspect and self.suspect.search(text))):
            return []
        changes: list[Change] = []
        for start, segment in _segments(text, self.max_segment):
            # A line is judged without its trailing spaces first: the layout pass
            # removes them, and ftfy's verdict must not change when it does, or a
            # second run would decide differently. The whole line is tried next,
            # for the mojibake whose space belongs to it ("Â " for a no-break space).
            content = segment.rstrip()
            for piece in (content, segment) if content != segment else (segment,):
                if self._suspicious(piece, may_be_bad, check_form):
                    change = self._fix_segment(start, piece)
                    if change is not None:
                        changes.append(change)
                        break
        return changes

    def _suspicious(self, segment: str, may_be_bad: bool, check_form: bool) -> bool:
        """Whether ftfy could change `segment`; False means it surely would not."""
        # `is_bad` runs on each line, never on the whole text: its patterns look
        # at the start of the string, so a line that is bad on its own ("Â 0")
        # can look fine after a newline, until a second run sees it first.
        return bool(
            (self.suspect is not None and self.suspect.search(segment))
            or (may_be_bad and not segment.isascii() and is_bad(segment))
            or (check_form and not unicodedata.is_normalized(self.form, segment))
        )

    def _fix_segment(self, start: int, segment: str) -> Change | None:
        steps: list[str] = []
        first_fixer: str | None = None
        fixed = segment
        if "invalid_bytes" in self.rule_for_fixer and ESCAPED_BYTES.search(fixed):
            fixed = ESCAPED_BYTES.sub(_decode_escaped_bytes, fixed)
            steps.append("invalid bytes read as windows-1252")
            first_fixer = "invalid_bytes"
        fixed, explanation = ftfy.fix_and_explain(fixed, self.config)
        explained = [(step.action, step.parameter) for step in explanation or []]
        fixers = _fixers_of(explained)
        first_fixer = first_fixer or (fixers[0] if fixers else None)
        steps.extend(f"{action} {parameter}" for action, parameter in explained)
        if fixed == segment or first_fixer is None:
            return None
        prefix, suffix = _common_affixes(segment, fixed)
        rule = self.rule_for_fixer.get(first_fixer) or next(iter(self.rule_for_fixer.values()))
        return Change(
            start + prefix,
            start + len(segment) - suffix,
            fixed[prefix : len(fixed) - suffix],
            rule.id,
            message=f"{rule.message} (ftfy: {'; '.join(steps)})",
        )


def _segments(text: str, max_segment: int) -> Iterator[tuple[int, str]]:
    """Lines without their line break, cut into pieces of at most `max_segment`.

    Every form of line break ends a line, not only "\n": the layout pass turns
    them all into newlines, and a line must be the same line before and after,
    or a second run could decide differently (an entity on the line of a "<").
    """
    pos = 0
    for line in _LINE_BREAK.split(text):
        for offset in range(0, max(len(line), 1), max_segment):
            yield pos + offset, line[offset : offset + max_segment]
        pos += len(line) + 1


def _fixers_of(explanation: list[tuple[str, str]]) -> list[str]:
    """The fixer (rule) behind each step of an ftfy explanation."""
    fixers: list[str] = []
    for i, (action, parameter) in enumerate(explanation):
        if action == "apply" and parameter != "decode_inconsistent_utf8":
            fixers.append(parameter)
        elif action == "normalize":
            fixers.append("normalization")
        elif action == "transcode" and parameter == "fix_c1_controls":
            fixers.append("fix_c1_controls")
        elif action == "encode" and explanation[i + 1 : i + 2] == [("decode", "windows-1252")]:
            # Latin-1 text read as Windows-1252: the C1 control repair for a whole line.
            fixers.append("fix_c1_controls")
        else:
            fixers.append("fix_encoding")  # encode/decode/transcode steps of mojibake repair
    return fixers


def _decode_escaped_bytes(match: regex.Match[str]) -> str:
    raw = bytes(ord(c) - 0xDC00 for c in match.group())
    return raw.decode("sloppy-windows-1252")


def _common_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of the common prefix and (non-overlapping) common suffix."""
    limit = min(len(a), len(b))
    prefix = 0
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix, suffix
