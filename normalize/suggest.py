"""`normalize suggest`: mine a corpus for likely variants of frequent names.

Proposals are for a person to review, never applied: the command writes YAML
(stdout or -o FILE) and refuses to write into a rules folder.

A *name* is a capitalised word that is not an English word and occurs at least
--min-count times, or a surname of the gazetteer. A *variant* is a rarer
capitalised word within --max-distance edits of a name that shares evidence with
it: a given name right before both (Anthony Brinken, Antony Blinken), a title
right before both (Secretary), or, one edit away, documents in which both occur.
Two passes over the inputs: the first counts words, the second gathers evidence
and examples for the candidate pairs only, so memory follows the number of
distinct words, not the size of the corpus.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import yaml
from symspellpy import SymSpell, Verbosity

from normalize.actions import Resources
from normalize.lexicon import Lexicon
from normalize.names.gazetteer import build_gazetteer
from normalize.names.real_names import read_name_lists
from normalize.names.text import CAP_WORD
from normalize.rules import DEFAULT_RULES_DIR, load_rules

DEFAULT_MIN_COUNT = 5
DEFAULT_MAX_DISTANCE = 2
MIN_WORD_LENGTH = 4
EXAMPLES = 3
EXAMPLE_WIDTH = 70
# Words before a name that say nothing about which person it is.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir"})
# English words at least this frequent (symspellpy's counts: "state", "general",
# "of", "to") are function or everyday words, not titles or given names.
COMMON_WORD_COUNT = 200_000_000

_BEFORE = re.compile(r"([^\W\d_]+)(\.?)[ \t\u00a0]+\Z")
Texts = Callable[[], Iterable[str]]  # called once per pass: the corpus, again
Pairs = dict[str, list[tuple[str, int]]]  # rarer word -> [(name, edit distance)]


@dataclass
class _Evidence:
    """What a candidate variant shares with its name, and where it was seen."""

    count: int = 0
    documents: int = 0
    shared_documents: int = 0
    before: Counter[str] = field(default_factory=Counter)  # words right before it
    full_forms: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Miner:
    """The vocabulary a corpus is mined against."""

    lexicon: Lexicon
    real_names: frozenset[str]
    listed: dict[str, str]  # lower-case word listed in the gazetteer -> its rule id
    gazetteer_surnames: dict[str, str]  # surname as written -> rule id
    min_count: int = DEFAULT_MIN_COUNT
    max_distance: int = DEFAULT_MAX_DISTANCE

    @classmethod
    def from_rules(cls, rules_dir: Path, **settings: int) -> Miner:
        rulesets = load_rules(rules_dir)
        resources = Resources(rulesets, rules_dir)
        lexicon = resources.lexicon()
        listed: dict[str, str] = {}
        surnames: dict[str, str] = {}
        names = resources.rulesets.get("names")
        if names is not None:
            gazetteer = build_gazetteer(names.enabled_rules(), lexicon)
            for entries in gazetteer.forms_by_start.values():
                for entry in entries:
                    for key in entry.form.keys:
                        listed.setdefault(key, entry.person.rule_id)
            for word, person in gazetteer.surname_variants.items():
                listed.setdefault(word, person.rule_id)
            surnames = {p.surname: p.rule_id for p in gazetteer.persons}
        return cls(lexicon, read_name_lists(rules_dir), listed, surnames, **settings)

    def is_name_like(self, word: str) -> bool:
        return len(word) >= MIN_WORD_LENGTH and word[0].isupper() and not word.isupper()

    def propose(self, texts: Texts) -> dict[str, object]:
        """The proposal for a corpus (read twice through `texts`)."""
        counts: Counter[str] = Counter()
        documents = 0
        for text in texts():
            documents += 1
            counts.update(w for _, w in _capitalised(text) if self.is_name_like(w))
        pairs = self._candidate_pairs(counts)
        evidence = self._gather(texts, pairs)
        return self._render(documents, counts, pairs, evidence)

    def _candidate_pairs(self, counts: Counter[str]) -> Pairs:
        """Rarer word -> [(name, edit distance)] for the words near a frequent name."""
        names = {
            word
            for word, count in counts.items()
            if (count >= self.min_count and word not in self.lexicon)
            or word in self.gazetteer_surnames
        }
        if not names:
            return {}
        spell = SymSpell(max_dictionary_edit_distance=self.max_distance, prefix_length=7)
        by_key: dict[str, list[str]] = defaultdict(list)
        for name in names:
            spell.create_dictionary_entry(name.lower(), counts[name] or 1)
            by_key[name.lower()].append(name)
        pairs: Pairs = {}
        for word, count in counts.items():
            key = word.lower()
            for item in spell.lookup(key, Verbosity.ALL, self.max_distance):
                if not _may_be_variant(key, item.term, item.distance):
                    continue
                for name in by_key[item.term]:
                    if count < counts[name]:
                        pairs.setdefault(word, []).append((name, item.distance))
        return pairs

    def _gather(self, texts: Texts, pairs: Pairs) -> dict[str, _Evidence]:
        targets = {name for found in pairs.values() for name, _ in found}
        watched = set(pairs) | targets
        evidence: dict[str, _Evidence] = defaultdict(_Evidence)
        for text in texts():
            seen: set[str] = set()
            for start, word in _capitalised(text):
                if word not in watched:
                    continue
                seen.add(word)
                item = evidence[word]
                item.count += 1
                before = _word_before(text, start)
                if before:
                    item.before[before] += 1
                    if self._is_given_name(before):
                        item.full_forms[f"{before} {word}"] += 1
                if word in pairs and len(item.examples) < EXAMPLES:
                    item.examples.append(_snippet(text, start, start + len(word)))
            for word in seen:
                evidence[word].documents += 1
                if word in pairs and any(name in seen for name, _ in pairs[word]):
                    evidence[word].shared_documents += 1
        return evidence

    def _render(
        self,
        documents: int,
        counts: Counter[str],
        pairs: Pairs,
        evidence: dict[str, _Evidence],
    ) -> dict[str, object]:
        by_name: dict[str, list[dict[str, object]]] = defaultdict(list)
        for word, found in pairs.items():
            name, distance = min(found, key=lambda pair: (pair[1], -counts[pair[0]]))
            shared = self._shared(evidence[word], evidence[name])
            if not shared.convincing(distance) or (
                word.lower() in self.lexicon and not shared.name_before
            ):
                continue  # too little agrees; or an English word without a given name
            item = evidence[word]
            proposal: dict[str, object] = {
                "word": word,
                "count": counts[word],
                "edits": distance,
                "evidence": shared.labels(),
            }
            if item.full_forms:
                proposal["full_forms"] = dict(item.full_forms.most_common(3))
            notes = []
            if word.lower() in self.listed:
                notes.append(f"already listed in {self.listed[word.lower()]}")
            if word.lower() in self.real_names:
                notes.append("a real name in data/names: maybe someone else")
            if word.lower() in self.lexicon:
                notes.append("an English word: list a full variant, not the word")
            if notes:
                proposal["notes"] = notes
            proposal["examples"] = item.examples
            by_name[name].append(proposal)
        proposals = []
        for name in sorted(by_name, key=lambda n: (-counts[n], n)):
            full = evidence[name].full_forms.most_common(1)
            entry: dict[str, object] = {"name": name, "count": counts[name]}
            if full:
                entry["full_name"] = full[0][0]
            if name in self.gazetteer_surnames:
                entry["entry"] = self.gazetteer_surnames[name]
            # cast: every proposal above has an int "count" (from `counts`) and a str "word".
            entry["variants"] = sorted(
                by_name[name], key=lambda p: (-cast(int, p["count"]), cast(str, p["word"]))
            )
            proposals.append(entry)
        return {"documents": documents, "proposals": proposals}

    def _is_given_name(self, word: str) -> bool:
        key = word.lower()
        return self._is_telling(word) and (key in self.real_names or key not in self.lexicon)

    def _is_telling(self, word: str) -> bool:
        """A capitalised word before a name that may say whose name it is: not an
        honorific, not a function word ("To Money", "Of Money" in a headline)."""
        key = word.lower()
        return (
            word[0].isupper()
            and key not in HONORIFICS
            and self.lexicon.count(key) < COMMON_WORD_COUNT
        )

    def _shared(self, variant: _Evidence, name: _Evidence) -> _Shared:
        """What the variant shares with its name."""
        shared = _Shared(documents=variant.shared_documents)
        for word in sorted(variant.before):
            if not self._is_telling(word):
                continue
            matches = [w for w in name.before if w == word or _similar_given_names(w, word)]
            if matches:
                shared.before.append(word if matches == [word] else f"{word} ~ {matches[0]}")
                shared.name_before |= self._is_given_name(word)
        return shared


@dataclass
class _Shared:
    """Words seen right before both (Anthony ~ Antony, Secretary); shared documents."""

    before: list[str] = field(default_factory=list)
    name_before: bool = False  # one of them looks like a given name, not a title
    documents: int = 0

    def convincing(self, distance: int) -> bool:
        """A word before both; or, one edit away, documents in common."""
        return bool(self.before) or (self.documents > 0 and distance == 1)

    def labels(self) -> list[str]:
        labels = [f"before both: {word}" for word in self.before]
        if self.documents:
            labels.append(f"documents with both: {self.documents}")
        return labels


def _may_be_variant(word: str, name: str, distance: int) -> bool:
    """Not the name itself or its plural or possessive (Blinkens); two edits
    away only with the same first letter (Todd is not a variant of Modi)."""
    if distance == 0 or word.rstrip("s") == name.rstrip("s"):
        return False
    return distance == 1 or word[0] == name[0]


def _similar_given_names(a: str, b: str) -> bool:
    """Anthony ~ Antony; too short a name (Al ~ A) says nothing."""
    return min(len(a), len(b)) >= 3 and a[0] == b[0] and _one_edit(a, b)


def _capitalised(text: str) -> Iterator[tuple[int, str]]:
    for match in CAP_WORD.finditer(text):
        start = match.start()
        if start == 0 or not text[start - 1].isalpha():
            yield start, match.group()


def _word_before(text: str, start: int) -> str:
    """The word right before `start` on its line ("" if none, or if a sentence ends)."""
    found = _BEFORE.search(text, max(0, start - 40), start)
    if found is None or (found.group(2) and found.group(1).lower() not in HONORIFICS):
        return ""
    return found.group(1)


def _snippet(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    left, right = max(left, start - EXAMPLE_WIDTH), min(right, end + EXAMPLE_WIDTH)
    return (
        ("…" if left > 0 and text[left - 1] != "\n" else "")
        + text[left:right].strip()
        + ("…" if right < len(text) and text[right] != "\n" else "")
    )


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


HEADER = """\
# Proposed name variants, mined by `normalize suggest` from {documents} documents.
# Nothing here is applied. Read each proposal with its examples; copy the good
# ones into rules/50-names.yaml (a word into `surname_variants` of its person's
# entry, a wrong full form into `variants`), add an example, and run `make check`.
# evidence: what the variant shares with the name (a given name or title right
# before both, documents with both); edits: its edit distance to the name.
"""


def dump_proposal(proposal: dict[str, object]) -> str:
    body = yaml.safe_dump(
        {"proposals": proposal["proposals"]}, sort_keys=False, allow_unicode=True, width=100
    )
    return HEADER.format(documents=proposal["documents"]) + body


def main(argv: list[str]) -> int:
    from normalize.clean import iter_texts
    from normalize.compression import CompressionError, open_input
    from normalize.inputs import DEFAULT_GLOBS, UsageError, find_inputs
    from normalize.textio import AtomicFiles, InputError, read_text_file

    parser = argparse.ArgumentParser(
        prog="normalize suggest",
        description="Mine texts for likely variants of frequent names; write a YAML "
        "proposal for a person to review. Never edits the rules.",
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="text files, or folders (walked recursively for *.txt, or *.jsonl with --jsonl)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the proposal here (default: stdout)",
    )
    parser.add_argument(
        "--rules",
        type=Path,
        metavar="DIR",
        help="the rules whose names gazetteer the proposal is compared with "
        "(default: the package's own)",
    )
    parser.add_argument("--jsonl", action="store_true", help="inputs are JSON Lines")
    parser.add_argument(
        "--field",
        metavar="NAME",
        help="with --jsonl: the field of each object that holds the text (default: text)",
    )
    parser.add_argument(
        "--min-count",
        type=int,
        default=DEFAULT_MIN_COUNT,
        metavar="N",
        help="a capitalised non-word must be seen N times to count as a name "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--max-distance",
        type=int,
        default=DEFAULT_MAX_DISTANCE,
        choices=[1, 2],
        help="the most letters a variant may differ from its name by (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    rules_dir = args.rules or DEFAULT_RULES_DIR
    if args.output is not None and rules_dir.resolve() in args.output.resolve().parents:
        raise UsageError("suggest never writes into the rules folder; review, then copy by hand")
    if args.field is not None and not args.jsonl:
        raise UsageError("--field names a field of JSON Lines objects: it needs --jsonl")
    field_name = args.field or "text"
    sources, _skipped = find_inputs(args.inputs, DEFAULT_GLOBS[args.jsonl])
    paths = [source.path for source in sources]
    if not paths:
        raise UsageError("no input files found")

    unreadable: dict[Path, str] = {}

    def texts() -> Iterator[str]:
        for path in paths:
            try:
                if not args.jsonl:
                    yield read_text_file(path).text
                    continue
                with open_input(path) as stream:
                    for _, row in iter_texts(stream, field_name):
                        if row.text is not None:
                            yield row.text
            except (InputError, CompressionError, OSError) as error:
                unreadable[path] = str(error)

    miner = Miner.from_rules(rules_dir, min_count=args.min_count, max_distance=args.max_distance)
    try:
        with AtomicFiles() as files:
            # Opened before the mining, so that an output that cannot be
            # written (a read-only folder) is said at once.
            output = files.open(args.output) if args.output is not None else None
            text = dump_proposal(miner.propose(texts))
            for path, problem in unreadable.items():
                print(f"normalize: {path}: {problem}; skipped", file=sys.stderr)
            if output is None:
                sys.stdout.write(text)
                return 0
            output.write(text.encode("utf-8"))
    except OSError as error:
        if args.output is None:
            raise  # stdout: a closed pipe ends the run quietly (normalize.cli)
        raise UsageError(f"-o {args.output}: {error.strerror or error}") from error
    print(f"normalize: wrote {args.output}", file=sys.stderr)
    return 0
