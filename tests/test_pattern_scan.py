"""The one-scan gate (normalize.pattern_scan) must never hide a match.

Results may not depend on Hyperscan: where a rule's pattern matches, the scan
must report it (or answer "unknown"). Checked on the claims it rests on (both
engines read the AGREED characters alike, case included), on the translation of
patterns, on generated text, and by comparing whole runs with and without it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize import pattern_scan
from normalize.actions.boilerplate import BoilerplateAction
from normalize.actions.regex_replace import RegexReplaceAction
from normalize.pattern_scan import (
    AGREED,
    MAX_EXPRESSION_BYTES,
    PROPERTIES,
    PatternScan,
    is_agreed,
    list_is_required,
    to_hyperscan,
    to_hyperscan_expressions,
)
from normalize.pipeline import Normalizer
from normalize.safe_regex import QuickTest

from .conftest import bench_texts, raw_documents

hyperscan = pytest.importorskip("hyperscan", reason="no hyperscan wheel for this platform")

UCP = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP


def agreed_text() -> tuple[list[str], str, dict[int, str]]:
    """Every AGREED character, the text of them all, and each one's end offset in UTF-8."""
    chars = [chr(code) for low, high in AGREED for code in range(low, high + 1)]
    chars = [c for c in chars if not 0xD800 <= ord(c) < 0xE000]
    ends: dict[int, str] = {}
    offset = 0
    for char in chars:
        offset += len(char.encode("utf-8"))
        ends[offset] = char
    return chars, "".join(chars), ends


def hyperscan_chars(sources: list[str], flags: int, text: str, ends: dict[int, str]) -> list[set]:
    database = hyperscan.Database()
    database.compile(
        expressions=[s.encode() for s in sources],
        ids=list(range(len(sources))),
        flags=[flags] * len(sources),
    )
    found: list[set[str]] = [set() for _ in sources]
    database.scan(
        text.encode(), match_event_handler=lambda i, _s, end, _f, _c: found[i].add(ends[end])
    )
    return found


def test_both_engines_read_the_agreed_characters_alike() -> None:
    _chars, text, ends = agreed_text()
    classes = [r"\s", r"\S", r"\w", r"\W", r"\d", r"\D"]
    classes += [f"\\p{{{name}}}" for name in sorted(PROPERTIES)]
    classes += [f"\\P{{{name}}}" for name in sorted(PROPERTIES)]
    found = hyperscan_chars(classes, UCP, text, ends)
    for source, by_hyperscan in zip(classes, found, strict=True):
        by_regex = set(regex.findall(source, text))
        assert by_hyperscan == by_regex, (source, sorted(by_hyperscan ^ by_regex)[:20])


def test_both_engines_ignore_case_alike_on_the_agreed_characters() -> None:
    chars, text, ends = agreed_text()
    cased = [c for c in chars if c.lower() != c or c.upper() != c or c.casefold() != c]
    sources = [f"\\x{{{ord(c):x}}}" for c in cased]
    found = hyperscan_chars(sources, UCP | hyperscan.HS_FLAG_CASELESS, text, ends)
    for char, by_hyperscan in zip(cased, found, strict=True):
        by_regex = set(regex.findall(regex.escape(char), text, flags=regex.IGNORECASE))
        assert by_hyperscan == by_regex, char
        # The boilerplate gate's assumption: where folding is lower-casing,
        # a case-insensitive match of the lower-case form finds the character.
        if char.casefold() == char.lower() and len(char.lower()) == 1:
            assert char in set(regex.findall(regex.escape(char.lower()), text, regex.I)), char
    # Patterns whose letters are all ASCII are compiled without Unicode tables: no
    # other character may match an ASCII letter but for case.
    for letter in "abcdefghijklmnopqrstuvwxyz":
        assert set(regex.findall(letter, text, regex.I)) == {letter, letter.upper()}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\.\.", rb"\.\."),
        (r"(?r)\s\n\Z", rb"\s\n\z"),
        (r"(?ri:a)\Kb", rb"(?i:a)b"),
        (r"[\u2028\u2029]", rb"[\x{2028}\x{2029}]"),
        (r"\x41\p{Lu}", rb"\x{41}\p{Lu}"),
        (r"[]a]", rb"[\]a]"),
        (r"(?P<word>\w+) (?P=word)", rb"(?P<word>\S+) (?P=word)"),  # \w widened
        (r"[\w-][^\w]", rb"[\S-][^\w]"),  # but not where that would narrow it
        (r"a{2,3}", rb"a{2,3}"),
        (r"(?V1)[[a-z]--[aeiou]]", None),  # set operations
        (r"(?:cat){e<=1}", None),  # fuzzy matching
        (r"(?x) a b", None),
        (r"[[:alpha:]]", None),
        (r"\N{EM DASH}", None),
        (r"\p{S}", None),  # emoji are symbols to one engine, unassigned to the other
        (r"\g<1>(a)", None),  # recursion
        (r"(x)?(?(1)a|b)", None),  # a conditional
        ("İstanbul", None),  # a character outside AGREED
        (r"\u0130", None),
    ],
)
def test_patterns_are_translated_or_refused(source: str, expected: bytes | None) -> None:
    assert to_hyperscan(regex.compile(source)) == expected


def test_word_lists_become_alternations() -> None:
    pattern = regex.compile(r"\b\L<day>\b", day=["monday", "a.m"])
    assert to_hyperscan(pattern) == rb"\b(?:a\.m|monday)\b"


def test_unknown_without_hyperscan_or_outside_the_agreed_characters(monkeypatch) -> None:
    scan = PatternScan([regex.compile("said")])
    assert scan.candidates("He said.") == {0}
    assert scan.candidates("He left.") == set()
    assert scan.candidates("Ankara, İstanbul") is None
    assert scan.candidates("a lone \udc80 surrogate") is None
    monkeypatch.setattr(pattern_scan, "hyperscan", None)
    assert PatternScan([regex.compile("said")]).candidates("He said.") is None


def test_a_pattern_hyperscan_cannot_take_is_a_candidate_for_every_text() -> None:
    scan = PatternScan([regex.compile(r"(?V1)[[a-z]--[aeiou]]"), regex.compile("x")])
    assert scan.unscanned == {0}
    assert scan.candidates("nothing here") == {0}


def test_a_long_word_list_is_scanned_in_slices() -> None:
    # Hyperscan refuses expressions over 16,000 bytes: a 3,500-word list is split.
    words = [f"w{i:05d}q" for i in range(3500)]
    pattern = regex.compile(r"\bsaid \L<word>\b", word=words)
    expressions = to_hyperscan_expressions(pattern)
    assert len(expressions) >= 2
    assert all(len(expression) <= MAX_EXPRESSION_BYTES for expression in expressions)
    scan = PatternScan([pattern, regex.compile("zzz")])
    assert scan.unscanned == set()
    for word in (words[0], words[2500], words[-1]):
        assert scan.candidates(f"he said {word}.") == {0}
    assert scan.candidates("he said w00000 and w99999q") == set()
    assert scan.candidates(f"she wrote {words[0]}") == set()  # the whole pattern, sliced


def test_a_list_too_long_to_spell_out_is_scanned_for_its_words() -> None:
    # 10,000 words in alternations took Hyperscan minutes to compile; as
    # literals, under a second. The pattern then may match wherever a word is.
    words = [f"w{i:05d}q" for i in range(10_000)]
    pattern = regex.compile(r"\bsaid \L<word>\b", word=words)
    started = time.perf_counter()
    scan = PatternScan([pattern, regex.compile("zzz")])
    assert scan.unscanned == set()
    assert time.perf_counter() - started < 60  # about a second on a shared machine
    assert scan.candidates(f"he said {words[7000]}.") == {0}
    assert scan.candidates(f"she wrote {words[7000]}") == {0}  # the words only
    assert scan.candidates("he said w00000 and w99999q") == set()


@pytest.mark.parametrize(
    "source, required",
    [
        (r"\L<x>", True),
        (r"\bsaid (?:very )?\L<x>(?=\s)", True),
        (r"(?:^|[^\p{L}])\p{Ll}+ \L<x> \p{Ll}+", True),
        (r"(?i:\L<x>)[.,]", True),
        (r"a|\L<x>", False),
        (r"(?:a|\L<x>)b", False),
        (r"(?:\L<x>)?b", False),
        (r"\L<x>*b", False),
        (r"(?:\L<x> ){0,2}b", False),
        (r"b(?!\L<x>)", False),
        (r"(?<!\L<x> )b", False),
        (r"[|(]\L<x>[)|]", True),
    ],
)
def test_a_list_is_required_where_every_match_holds_one_of_its_words(
    source: str, required: bool
) -> None:
    assert list_is_required(source, "x") is required


def test_a_long_list_used_twice_is_not_split() -> None:
    # Slices would miss "w00000q or w04999q", whose words are in different slices.
    words = [f"w{i:05d}q" for i in range(5000)]
    pattern = regex.compile(r"\L<word> or \L<word>", word=words)
    assert len(to_hyperscan_expressions(pattern)) == 1
    scan = PatternScan([pattern])
    assert scan.unscanned == {0}
    assert scan.candidates("w00000q or w04999q") == {0}


def test_scratch_space_is_per_thread() -> None:
    scan = PatternScan([regex.compile(r"\bsaid\b")])
    results: list[set[int] | None] = []

    def work() -> None:
        results.extend(scan.candidates("she said " * 1000) for _ in range(200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{0}] * 800


def rule_patterns() -> Iterator[regex.Pattern[str]]:
    normalizer = Normalizer.from_rules()
    for pass_ in normalizer.passes:
        action = pass_.action
        if isinstance(action, RegexReplaceAction):
            for compiled in action.compiled:
                yield compiled.pattern.pattern
                yield from (prefilter.pattern for prefilter in compiled.prefilters)
        if isinstance(action, BoilerplateAction):
            yield from (pattern for _rule, pattern in action.patterns)


PATTERNS = list(rule_patterns())
SCAN = PatternScan(PATTERNS)
TRICKY = "aA .,;:\n\t \u00a0\u2028'’\"“”-–—.…?!()[]HeShesaid1²ßſKKıİ\u0301éÉ漢🙂"


# Pieces that make the rules' patterns match (and nearly match) more often than letters do.
PIECES = [
    "He ", "She ", "they ", ". ", ".. ", "added. ", "on tuesday.", "russian ", "\n", "\n\n\n",
    "  \n", "Leave a Reply\n", "Source: AP\n", "x", "A", "b.C", "tensionsThe ", "é", "’", "”.",
    ".,", "balloon Fly over ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=TRICKY, max_size=60)
    | st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
)
def test_the_scan_reports_every_pattern_that_matches(text: str) -> None:
    candidates = SCAN.candidates(text)
    if candidates is None:
        assert not is_agreed(text)  # "unknown" only for characters outside AGREED
        return
    for index, pattern in enumerate(PATTERNS):
        if pattern.search(text):
            assert index in candidates, (pattern.pattern, text)


def normalize_all(texts: list[str]) -> list[tuple[str, list]]:
    normalizer = Normalizer.from_rules()
    out = []
    for text in texts:
        result = normalizer.normalize_and_explain(text, as_file=True)
        out.append((result.text, [edit.to_json() for edit in result.edits]))
    return out


def test_runs_are_identical_without_hyperscan(monkeypatch) -> None:
    texts = [path.read_text(encoding="utf-8") for path in raw_documents()] + bench_texts(3000)
    with_scan = normalize_all(texts)
    monkeypatch.setattr(pattern_scan, "hyperscan", None)
    assert normalize_all(texts) == with_scan


def test_the_scan_reports_every_rule_that_matches_the_corpus_and_examples() -> None:
    from .test_quick_tests import sample_texts

    # A pattern with a long word list (QuickTest.scan_only) is compiled anew for
    # each text, a millisecond or two: those are checked on one text in four.
    slow = {i for i, pattern in enumerate(PATTERNS) if QuickTest.of(pattern).scan_only}
    checked = 0
    for number, text in enumerate(sample_texts()):
        candidates = SCAN.candidates(text)
        if candidates is None:
            continue
        for index, pattern in enumerate(PATTERNS):
            if (number % 4 == 0 or index not in slow) and pattern.search(text):
                checked += 1
                assert index in candidates, (pattern.pattern, text[:80])
    assert checked > 100


def test_the_boilerplate_gate_finds_every_listed_line_as_written() -> None:
    (pass_,) = [p for p in Normalizer.from_rules().passes if p.name == "boilerplate"]
    action = pass_.action
    assert isinstance(action, BoilerplateAction) and action.gate.available
    assert action.gate.candidates("An article.\n\nIt ends.\n") == set()
    for key in action.line_rule:
        for line in (key, key.upper(), " " + key.replace(" ", " \u00a0") + " :", key + "..."):
            assert action.gate.candidates(f"Text.\n\n{line}\n\nMore.\n"), line
    # Case folding that is not lower-casing: the gate cannot tell, every line is tried.
    assert action.gate.candidates("STRASSE\nstraße\n")


def test_the_boilerplate_gate_lets_few_texts_without_chrome_through() -> None:
    # A prefilter that says "may match" for every text costs nothing in results
    # and a tenfold slower pass (one long pattern Hyperscan could only
    # approximate once did that): most texts must be ruled out by the scan.
    from .test_quick_tests import sample_texts

    (pass_,) = [p for p in Normalizer.from_rules().passes if p.name == "boilerplate"]
    action = pass_.action
    assert isinstance(action, BoilerplateAction) and action.scan is not None
    texts = [text for text in sample_texts() if action.scan.search(text) is None]
    found = [action.gate.candidates(text) for text in texts]
    passed = [c for c in found if c is None or not action.scan_indices.isdisjoint(c)]
    assert len(texts) > 100 and len(passed) <= len(texts) // 20, (len(passed), len(texts))


def test_a_title_repeated_up_to_spacing_passes_the_boilerplate_gate() -> None:
    normalizer = Normalizer.from_rules()
    text = "US Plays Down  Chance Of Talks\n\n  US Plays Down Chance Of Talks\n\nThe talks.\n"
    assert normalizer.normalize(text) == "US Plays Down  Chance Of Talks\n\nThe talks.\n"


def repository_database() -> pattern_scan.ScanDatabase:
    database = Normalizer.from_rules().passes[0].action.resources.scan_database()
    database.compile()
    return database


DATABASE = repository_database()
ASCII_PIECES = [piece for piece in PIECES if piece.isascii()]


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=[chr(code) for code in range(128)], max_size=60)
    | st.lists(st.sampled_from(ASCII_PIECES), max_size=30).map("".join)
)
def test_an_ascii_text_gets_the_same_hits_from_both_databases(text: str) -> None:
    # Not only every pattern that matches (above): the very same hits, so that
    # the passes do the same work, whichever database a text is scanned with.
    hits = DATABASE._hits(DATABASE.ascii_database, text.encode("ascii"))
    assert hits == DATABASE.scan_as_utf8(text)


def test_the_corpus_gets_the_same_hits_from_both_databases() -> None:
    from .test_quick_tests import sample_texts

    texts = [text for text in sample_texts() if text.isascii()]
    assert len(texts) > 100
    for text in texts:
        hits = DATABASE._hits(DATABASE.ascii_database, text.encode("ascii"))
        assert hits == DATABASE.scan_as_utf8(text), text[:80]


@pytest.mark.parametrize(
    "source, expected",
    [
        (rb"\p{Nd}+", rb"[\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39]+"),
        (rb"[^\p{Nd}x]", rb"[^\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39x]"),
        (rb"\x{2028}|\x{41}", rb"\xff|\x41"),
        (rb"[\x{2028}\x{2029}]", rb"[\xff\xff]"),
        (rb"[]\p{Zl}]", rb"[\]\xff]"),
        ("—*’s".encode(), rb"\xff*\xffs"),  # a quantifier applies to the whole character
        ("[’—]".encode(), "[’—]".encode()),  # in a class its bytes can stay
    ],
)
def test_expressions_for_ascii_texts(source: bytes, expected: bytes) -> None:
    assert pattern_scan.to_ascii_expression(source) == expected
