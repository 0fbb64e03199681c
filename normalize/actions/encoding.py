"""Encoding repairs with ftfy, one recorded edit per repaired line.

Each rule of the encoding pass switches one ftfy fixer on (or off, with a
reason), so the YAML file is the ftfy configuration. ftfy is the slowest part of
a naive pipeline, so a line goes to ftfy only when it contains something ftfy
could change under that configuration: a character one of the enabled fixers
acts on, an HTML entity, text that ftfy's own mojibake detector (`is_bad`)
flags, or text that is not in the normalisation form. For any other line ftfy
is a no-op, so the shortcut changes no result (a property test checks this).

Most documents have nothing of the kind, and one scan of the whole text for
the characters that could make a line suspicious settles it; only the lines
around a hit are looked at one by one. `is_bad` only ever fires on a line
with a character of ftfy's mojibake categories other than the quotes, dashes
and spaces of correct typography (see `mojibake_code_points`), so lines with
only those never reach it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import ClassVar

import ftfy
import ftfy.bad_codecs
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES, WIDTH_MAP
from ftfy.fixes import unescape_html

from normalize.actions import Action, DocContext, Resources, RuleProblem
from normalize.document import Change
from normalize.pattern_scan import character_class
from normalize.rules import Rule, RuleSet
from normalize.schema import Field
from normalize.wordlists import ListError, resolve_list

# ftfy's fixers (TextFixerConfig fields) and the code points each one can act on.
# `fix_encoding` and `normalization` are detected differently (see above), and
# `unescape_html` only acts on what ftfy's own HTML_ENTITY_RE matches.
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
ESCAPED_BYTES = re.compile("[\\udc80-\\udcff]+")
_LINE_BREAK = re.compile("[\\n\\r\\u2028\\u2029]")
_LINE_BREAKS = "\n\r\u2028\u2029"
# ftfy's mojibake categories whose characters are correct typography (curly
# quotes, dashes, the ellipsis, the no-break space...): every alternative of
# ftfy's BADNESS_RE needs at least one character of another category, so a
# line with only these never makes `is_bad` true (tests/test_encoding.py
# checks this against the installed ftfy).
HARMLESS_CATEGORIES = frozenset({"common", "start_punctuation", "end_punctuation"})
# The HTML elements whose tags are markup (the `html_elements` option names a
# list): "&lt;b&gt;" is escaped markup, and decoding it would make raw tags
# inside plain text, whereas "<TXN.N>" or "<B>" in a Reuters line are tickers.
DEFAULT_HTML_ELEMENTS = [
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "div",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "nobr",
    "ol",
    "p",
    "script",
    "span",
    "strong",
    "table",
    "td",
    "tr",
    "u",
    "ul",
]
# ftfy results remembered per line: scraped pages repeat their damaged lines
# (a footer, the same article twice). Bounded in entries and in characters.
FIX_CACHE_ENTRIES = 4096
FIX_CACHE_CHARS = 2_000_000


def mojibake_code_points() -> frozenset[int]:
    """The characters of which a string needs one for `ftfy.badness.is_bad` to be true.

    Taken from ftfy's own `MOJIBAKE_CATEGORIES` (regex character-class bodies),
    so that an ftfy upgrade that adds characters is followed.
    """
    bodies = [body for name, body in MOJIBAKE_CATEGORIES.items() if name not in HARMLESS_CATEGORIES]
    # A class of literal characters and ranges never matches above its largest
    # character; with an escape or a negation, every code point is tried.
    plain = all(body and "\\" not in body and not body.startswith("^") for body in bodies)
    limit = max(ord(c) for body in bodies for c in body) + 1 if plain else 0x110000
    candidates = "".join(map(chr, range(limit)))
    # Each category is read as a class of its own, so that no range can form
    # across two of them.
    return frozenset(ord(c) for body in bodies for c in re.findall(f"[{body}]", candidates))


def _char_class(code_points: set[int] | frozenset[int]) -> re.Pattern[str] | None:
    """A compiled character class matching any of `code_points` (as ranges)."""
    if not code_points:
        return None
    return re.compile(f"[{character_class(''.join(map(chr, code_points)))}]")


class FtfyAction(Action):
    moves_accents = True  # a repaired character takes the accents of the damaged one
    rule_fields: ClassVar[dict[str, Field]] = {
        "fixer": Field(str, required=True, doc=f"one of: {', '.join(sorted(FIXERS))}"),
    }
    option_fields: ClassVar[dict[str, Field]] = {
        "normalization": Field(str, doc="Unicode form for the normalization rule (NFC)"),
        "unescape_html": Field(str, doc="'auto' (not in lines with an HTML tag) or 'always'"),
        "restore_byte_a0": Field(bool, doc="ftfy: a space may stand for a lost U+A0 in mojibake"),
        "replace_lossy_sequences": Field(bool, doc="ftfy: mark partly lost mojibake with U+FFFD"),
        "decode_inconsistent_utf8": Field(bool, doc="ftfy: fix mixed-encoding mojibake"),
        "max_segment": Field(int, doc="longest piece of a line given to ftfy at once"),
        "html_elements": Field(
            (list, str), items=str, doc="HTML element names (or a list file): tags of markup"
        ),
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
        # Entities are decoded by `_unescape` (which keeps escaped markup), not by ftfy.
        self.unescape = "unescape_html" in enabled
        self.unescape_in_markup = html != "auto"
        self.escaped_tag, self.real_tag = _markup_patterns(self._html_elements())
        self.config = ftfy.TextFixerConfig(
            unescape_html=False,
            fix_encoding="fix_encoding" in enabled,
            restore_byte_a0=self.options.get("restore_byte_a0", True),
            replace_lossy_sequences=self.options.get("replace_lossy_sequences", True),
            decode_inconsistent_utf8=self.options.get("decode_inconsistent_utf8", True),
            normalization=self.form if "normalization" in enabled else None,
            explain=True,
            **{name: name in enabled for name in _FTFY_SWITCHES},
        )
        self.max_segment = int(self.options.get("max_segment", 100_000))
        self._build_triggers(enabled)
        self._fixed: dict[str, tuple[int, int, str, str, str] | None] = {}
        self._fixed_chars = 0

    def _html_elements(self) -> list[str]:
        value = self.options.get("html_elements")
        if value is None:
            return DEFAULT_HTML_ELEMENTS
        try:
            return resolve_list(value, self.resources.rules_dir)
        except ListError as error:
            raise RuleProblem(self.ruleset.rules[0], f"'html_elements': {error}") from error

    def _build_triggers(self, enabled: set[str]) -> None:
        """The patterns that tell which lines ftfy could change."""
        # Characters one enabled fixer acts on; an "&" only matters at the start
        # of an entity (AT&T stays as it is), so lines are searched for entities.
        fixed_chars = {
            cp
            for name in enabled - {"unescape_html"} & set(_CODE_POINTS)
            for cp in _CODE_POINTS[name]
        }
        self.fixed_chars = _char_class(fixed_chars)
        self.entities = HTML_ENTITY_RE if "unescape_html" in enabled else None
        mojibake = mojibake_code_points() if self.config.fix_encoding else frozenset()
        self.mojibake_chars = _char_class(mojibake)
        # Whole-text scans: any line without one of these characters is left
        # alone. ASCII text can only hold the ASCII ones (and is never mojibake).
        hints = fixed_chars | ({ord("&")} if self.entities else set())
        ascii_hints = {cp for cp in hints if cp < 0x80}
        self.ascii_hint = _char_class(ascii_hints)
        self.ascii_hint_bytes = bytes(sorted(ascii_hints))
        self.hint = _char_class(hints)
        self.mojibake_hint = _char_class(hints | mojibake)

    def propose(self, text: str, doc: DocContext) -> list[Change]:
        if text.isascii():
            # Deleting the hint characters from a byte copy is three times
            # quicker than searching for them; most texts have none.
            raw = text.encode("ascii")
            if len(raw.translate(None, self.ascii_hint_bytes)) == len(raw):
                return []
            may_be_bad = check_form = False
            hint = self.ascii_hint
        else:
            may_be_bad = self.config.fix_encoding
            check_form = self.config.normalization is not None and not unicodedata.is_normalized(
                self.form, text
            )
            hint = self.mojibake_hint if may_be_bad else self.hint
        if check_form:
            segments = _segments(text, 0, len(text), self.max_segment)
        elif hint is None or (first := hint.search(text)) is None:
            return []
        else:
            segments = self._hinted_segments(text, hint, first)
        return self._fix_segments(segments, may_be_bad, check_form, doc)

    def _fix_segments(
        self,
        segments: Iterable[tuple[int, str]],
        may_be_bad: bool,
        check_form: bool,
        doc: DocContext,
    ) -> list[Change]:
        """The changes ftfy makes to `segments` (start, text), each judged on its own."""
        changes: list[Change] = []
        for start, segment in segments:
            doc.check_time()
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

    def _hinted_segments(
        self, text: str, hint: re.Pattern[str], found: re.Match[str] | None
    ) -> Iterator[tuple[int, str]]:
        """The segments of the lines in which `hint` finds something, in order,
        from its `found` first match on."""
        breaks = [c for c in _LINE_BREAKS if c in text]
        line_start = 0  # where the line after the last one yielded starts
        while found is not None:
            at = found.start()
            # The line around the hit starts after the last line break before it.
            start = max(text.rfind(c, line_start, at) for c in breaks) + 1 if breaks else 0
            start = max(start, line_start)
            after = _LINE_BREAK.search(text, at)
            end = after.start() if after is not None else len(text)
            yield from _segments(text, start, end, self.max_segment)
            line_start = end + 1
            found = hint.search(text, line_start)

    def _suspicious(self, segment: str, may_be_bad: bool, check_form: bool) -> bool:
        """Whether ftfy could change `segment`; False means it surely would not."""
        # `is_bad` runs on each line, never on the whole text: its patterns look
        # at the start of the string, so a line that is bad on its own ("Â 0")
        # can look fine after a newline, until a second run sees it first.
        return bool(
            (self.fixed_chars is not None and self.fixed_chars.search(segment))
            or (self.entities is not None and self.entities.search(segment))
            or (
                may_be_bad
                and not segment.isascii()
                and self.mojibake_chars is not None
                and self.mojibake_chars.search(segment)
                and is_bad(segment)
            )
            or (check_form and not unicodedata.is_normalized(self.form, segment))
        )

    def _fix_segment(self, start: int, segment: str) -> Change | None:
        if segment in self._fixed:
            fix = self._fixed[segment]
        else:
            fix = self._fix_piece(segment)
            self._remember(segment, fix)
        if fix is None:
            return None
        prefix, end, after, rule_id, message = fix
        return Change(start + prefix, start + end, after, rule_id, message=message)

    def _remember(self, segment: str, fix: tuple[int, int, str, str, str] | None) -> None:
        """Keep ftfy's answer for a line, within FIX_CACHE_ENTRIES and FIX_CACHE_CHARS."""
        if len(segment) > FIX_CACHE_CHARS // 100:
            return  # a huge line is rarely repeated, and would crowd out the others
        if len(self._fixed) >= FIX_CACHE_ENTRIES or self._fixed_chars > FIX_CACHE_CHARS:
            self._fixed.clear()  # bounded memory on endless streams
            self._fixed_chars = 0
        self._fixed[segment] = fix
        self._fixed_chars += len(segment)

    def fix_and_explain(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """ftfy's repair of `text` under this configuration, with its steps.

        Entities are decoded first, by `_unescape` (ftfy would also decode
        escaped markup), and not at all in a line with real markup, unless the
        `unescape_html` option is 'always'.
        """
        explained: list[tuple[str, str]] = []
        if self.unescape and (self.unescape_in_markup or not self.real_tag.search(text)):
            unescaped = _unescape(text, self.escaped_tag)
            if unescaped != text:
                text = unescaped
                explained.append(("apply", "unescape_html"))
        text, explanation = ftfy.fix_and_explain(text, self.config)
        explained += [(step.action, step.parameter) for step in explanation or []]
        return text, explained

    def _fix_piece(self, segment: str) -> tuple[int, int, str, str, str] | None:
        """ftfy's repair of one line as (start, end, replacement, rule id, message)."""
        steps: list[str] = []
        first_fixer: str | None = None
        fixed = segment
        if "invalid_bytes" in self.rule_for_fixer and ESCAPED_BYTES.search(fixed):
            fixed = ESCAPED_BYTES.sub(_decode_escaped_bytes, fixed)
            steps.append("invalid bytes read as windows-1252")
            first_fixer = "invalid_bytes"
        fixed, explained = self.fix_and_explain(fixed)
        fixers = _fixers_of(explained)
        first_fixer = first_fixer or (fixers[0] if fixers else None)
        steps.extend(f"{action} {parameter}" for action, parameter in explained)
        if fixed == segment or first_fixer is None:
            return None
        prefix, suffix = _common_affixes(segment, fixed)
        rule = self.rule_for_fixer.get(first_fixer) or next(iter(self.rule_for_fixer.values()))
        return (
            prefix,
            len(segment) - suffix,
            fixed[prefix : len(fixed) - suffix],
            rule.id,
            f"{rule.message} (ftfy: {'; '.join(steps)})",
        )


def _markup_patterns(elements: list[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An escaped tag ("&lt;b&gt;", "&lt;A HREF=...&gt;") and real markup on a line.

    Real markup is a closing tag, a comment, a tag with attributes or a bare
    lower-case tag; ftfy's own "auto" asks only for a "<", which a ticker such
    as "<AAPL.O>" also has.
    """
    names = "|".join(re.escape(name) for name in sorted(elements, key=len, reverse=True))
    escaped = re.compile(rf"&lt;\s*/?\s*(?:{names})(?![\w.-])[^<>&\n]{{0,300}}&gt;", re.I)
    real = re.compile(rf"<\s*(?:[/!]|(?i:{names})\s+[\w-]+\s*=|(?:{names})\s*/?>)")
    return escaped, real


def _unescape(text: str, escaped_tag: re.Pattern[str]) -> str:
    """HTML entities decoded as ftfy does, to a fixed point ("&amp;quot;" is a quote),
    except the "&lt;" and "&gt;" of escaped markup ("&lt;b&gt;" stays)."""
    while True:  # each round shortens the text, as ftfy's own loop does
        pieces: list[str] = []
        done = 0
        for tag in escaped_tag.finditer(text):
            pieces += [unescape_html(text[done : tag.start()]), tag.group()]
            done = tag.end()
        pieces.append(unescape_html(text[done:]))
        decoded = "".join(pieces)
        if decoded == text:
            break
        text = decoded
    return text


def _segments(text: str, start: int, end: int, max_segment: int) -> Iterator[tuple[int, str]]:
    """The lines of text[start:end] without their line break, cut into pieces of
    at most `max_segment`; `start` must be where a line starts.

    Every form of line break ends a line, not only "\n": the layout pass turns
    them all into newlines, and a line must be the same line before and after,
    or a second run could decide differently (an entity on the line of a "<").
    """
    pos = start
    for line in _LINE_BREAK.split(text[start:end]):
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


def _decode_escaped_bytes(match: re.Match[str]) -> str:
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
