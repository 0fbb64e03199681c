"""How well the pipeline repairs damage on pages it has never seen.

    .venv/bin/python bench/damage.py [--corpus news.jsonl.gz] [--step 12] [-o damage.txt]

The seed documents show the kinds of damage; this script puts each kind, one
at a time, into real articles nobody tuned a rule on. Every article of the
benchmark corpus (../shared/bench/news.jsonl.gz) is cleaned first; the cleaned
text is a fixed point of the pipeline, so after one damage is injected at a
random fitting spot, cleaning again can only end three ways:

    repaired   the output is the cleaned article again, byte for byte
    left       the damage is left as it was (a miss, but no harm: precision first)
    other      anything else: a wrong or partial repair, to be read

The table gives the shares per kind of damage; the listing (-o) shows every
`other` and a few of the rest, damaged context first, output second.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import ftfy.bad_codecs  # noqa: F401 - registers the sloppy-windows-1252 codec
import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalize.pipeline import Normalizer  # noqa: E402

BENCH_CORPUS = ROOT.parent / "shared" / "bench" / "news.jsonl.gz"
CONTEXT = 60
SAMPLES = 5  # `repaired` and `left` examples listed per kind (every `other` is)
WEEKDAYS_MONTHS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    "March|August|September|October|November|December"  # not April, May, June, July
)
NATIONALITIES = (
    "American|British|Chinese|Russian|Ukrainian|French|German|Japanese|Indian|"
    "Israeli|Iranian|Mexican|Canadian|Australian|European|African|Korean|Turkish"
)

# What a translation leaves of a sentence it cut off (the seeds: "continues to
# express", "argued that it must").
FRAGMENTS = [
    "continues to express",
    "argued that it must",
    "stressed the importance of",
    "expressed concern over the",
    "called on both sides to",
]

# Lines of web chrome, as scrapers leave them between paragraphs.
CHROME = [
    "Leave a Reply",
    "Share this article",
    "Scroll down for video",
    "Advertisement",
    "Related Articles",
    "Follow us on Twitter",
    "Read more: Talks resume in Beijing",
    "Home » World » Asia",
    "Source: Reuters",
    "Copyright 2023 Example News. All rights reserved.",
]


# Chrome seen on real pages (issue 16), one line or one block each.
WILD_CHROME = [
    "See also  Florida man convicted of threatening lawmaker",
    "Related Articles\nTalks resume in Beijing\nMinister warns of a long winter …",
    "Share Button",
    "Please enter your comment!\nPlease enter your name here",
    "[Image via screengrab]",
    "1 month ago 52",
    "Source link",
    "Subscribe to our Newsletter\n* indicates required\nIntuit Mailchimp",
    "Dodaj komentarz",
    "PM Pham Minh Chinh and the delegation conclude their trip. (Photo: VNA)",
]
# Scraping debris on a line of its own, as real pages carry it.
DEBRIS_LINES = [
    "[ad_1]",
    "![](./assets/CAYIIpguFH/dsc-2705-4096x2725.jpg)",
    "<Anchor>",
    "3yxhgdwpyzelxjeqqc4b63u34i.jpg",
    "mn-1-general",
]
FACEBOOK_SDK = (
    "(function(d, s, id) { var js, fjs = d.getElementsByTagName(s)[0]; "
    "if (d.getElementById(id)) return; js = d.createElement(s); js.id = id; "
    'js.src = "//connect.facebook.net/en_US/sdk.js#xfbml=1&version=v2.3"; '
    "fjs.parentNode.insertBefore(js, fjs); }(document, 'script', 'facebook-jssdk'));"
)
# The entity a scraper writes for a character, with its "&" lost as a space
# (AG News: "Wednesday #39;s", " quot;", "Johnson  amp; Johnson").
LOST_AMPERSAND = {"'": " #39;", "’": " #8217;", '"': " quot;", "&": " amp;"}
# Cyrillic letters that look like Latin ones ("Мoscow").
CYRILLIC = dict(zip("aeopcxyAEOPCXTHKBM", "аеорсхуАЕОРСХТНКВМ", strict=True))


def _styled(word: str) -> str:
    """A word in mathematical bold sans-serif letters ("𝗦𝗼𝘂𝗿𝗰𝗲")."""
    return "".join(
        chr(0x1D5D4 + ord(c) - ord("A"))
        if "A" <= c <= "Z"
        else chr(0x1D5EE + ord(c) - ord("a"))
        if "a" <= c <= "z"
        else c
        for c in word
    )


def _lookalike(word: str) -> str:
    """The word with its first letter that has a Cyrillic look-alike replaced by it."""
    for i, c in enumerate(word):
        if c in CYRILLIC:
            return word[:i] + CYRILLIC[c] + word[i + 1 :]
    return word


@dataclass(frozen=True, slots=True)
class Damage:
    """One kind of damage seen in the seeds: where it fits and what it does."""

    name: str
    example: str  # as in the seed documents
    spot: regex.Pattern[str]  # where it can be injected
    inject: Callable[[regex.Match[str]], str]  # the damaged form of the spot


Inject = Callable[[regex.Match[str]], str]


def _damage(name: str, example: str, spot: str, inject: Inject) -> Damage:
    return Damage(name, example, regex.compile(spot, regex.V1 | regex.MULTILINE), inject)


# Spots are chosen in running prose: lower-case words around them, so that a
# damage never lands in a headline, a list or a table (where the "repair" would
# be a guess for a human editor too).
DAMAGES = [
    _damage(
        "glued sentence",
        "tensionsThe announcement",
        r"(?<= \p{Ll}{2,})\. (?=\p{Lu}\p{Ll}+ \p{Ll})",
        lambda m: "",
    ),
    _damage(
        "glued capitalised word",
        "human rightsChinese military",
        r"(?<= \p{Ll}{3,}) (?=\p{Lu}\p{Ll}{2,}[ ,])(?<![.!?:;,\"”)] )",
        lambda m: "",
    ),
    _damage(
        "no space after a stop",
        "China.On",
        r"(?<= \p{Ll}{3,}\.) (?=\p{Lu}\p{Ll}+ \p{Ll})",
        lambda m: "",
    ),
    _damage(
        "glued lower-case words",
        "technologyamong other actions",
        r"(?<= \p{Ll}{4,}) (?=\p{Ll}{3,} )",
        lambda m: "",
    ),
    _damage(
        "repeated stop",
        "in Cuba. . Beijing",
        r"(?<= \p{Ll}{2,}\.)(?= \p{Lu}\p{Ll}+ \p{Ll})",
        lambda m: " .",
    ),
    _damage(
        "echoed word",
        "he added. added.",
        r"(?<= \p{Ll}+ (\p{Ll}{4,})\.)(?= \p{Lu}\p{Ll}+ \p{Ll})",
        lambda m: f" {m.group(1)}.",
    ),
    _damage(
        "orphan attribution",
        "Stated.",
        r"(?<= \p{Ll}{3,}\.)(?= \p{Lu}\p{Ll}+ \p{Ll})",
        lambda m: " Stated.",
    ),
    _damage(
        "sentence broken before its time",
        "he said. on tuesday.",
        rf"(?<= \p{{Ll}}{{2,}}) (on|by|until|since|last|this|next) ({WEEKDAYS_MONTHS})(?=\.)",
        lambda m: f". {m.group(1)} {m.group(2).lower()}",
    ),
    _damage(
        "dangling fragment",
        "human rights. continues to express",
        r"(?<=^[^\n]{98,}\p{Ll}{2,}\.)(?=\n)",  # a paragraph, not a wrapped newswire line
        lambda m: " " + FRAGMENTS[m.start() % len(FRAGMENTS)],
    ),
    _damage(
        "pronoun echoing a name",
        "Antony Blinken He arrived",
        r"(?<=\b(?:President|Minister|Secretary|Senator|Governor|Ambassador|Chairman|General)"
        r" \p{Lu}\p{Ll}+ \p{Lu}\p{Ll}{2,})(?= (?:said|says|told|added|arrived|met|is|was|has) )",
        lambda m: " He",
    ),
    _damage(
        "lower-case weekday or month",
        "he said on tuesday",
        rf"(?<= \p{{Ll}}+ )(?:{WEEKDAYS_MONTHS})(?=[ ,.])",
        lambda m: m.group().lower(),
    ),
    _damage(
        "lower-case nationality",
        "russian ukrainian war",
        rf"(?<= \p{{Ll}}+ )(?:{NATIONALITIES})(?= \p{{Ll}})",
        lambda m: m.group().lower(),
    ),
    _damage(
        "mojibake",
        "Chinaâ€™s",
        r"(?<=\p{L})[’](?=\p{L})|[“”—–]",
        # As a page decoded as Windows-1252 shows it (ftfy's "sloppy" codec keeps
        # the bytes that code page leaves undefined, as browsers do).
        lambda m: m.group().encode("utf-8").decode("sloppy-windows-1252"),
    ),
    _damage(
        "boilerplate line (ten kinds)",
        "Leave a Reply",
        r"(?<=\.\n)(?=\p{Lu})",
        lambda m: CHROME[m.start() % len(CHROME)] + "\n",
    ),
    # Issue 16: what scraping leaves on real pages.
    _damage(
        "entity without its ampersand",
        "Wednesday #39;s",
        r"(?<=\p{Ll})['’](?=\p{Ll})|(?<= )\"(?=\p{L})|(?<=\p{L})\"(?=[ ,.])|(?<=\p{L} )&(?= \p{L})",
        lambda m: LOST_AMPERSAND[m.group()],
    ),
    _damage(
        "lost apostrophe",
        "don t, Trump s",
        r"(?<=\p{L}{2})'(?=(?:s|t|re|ve|ll|d|m) )",
        lambda m: " ",
    ),
    _damage(
        "backslash escape",
        "1\\/4, Chiat\\/Day",
        r"(?<=[\p{L}\d])/(?=[\p{L}\d])",
        lambda m: "\\/",
    ),
    _damage(
        "markup in the text",
        "a <b>bold</b> word, &lt;b&gt;",
        r"(?<= \p{Ll}+ )\p{Ll}{4,}(?= \p{Ll})",
        lambda m: f"<b>{m.group()}</b>" if m.start() % 2 else f"&lt;b&gt;{m.group()}&lt;/b&gt;",
    ),
    _damage(
        "widget script",
        "(function(d, s, id) {...}(document, 'script', 'facebook-jssdk'));",
        r"(?<=\.\n)(?=\p{Lu})",
        lambda m: FACEBOOK_SDK + "\n",
    ),
    _damage(
        "debris line (five kinds)",
        "[ad_1], ![](./assets/…), <Anchor>",
        r"(?<=\.\n)(?=\p{Lu})",
        lambda m: DEBRIS_LINES[m.start() % len(DEBRIS_LINES)] + "\n",
    ),
    _damage(
        "look-alike letter",
        "Мoscow (Cyrillic М)",
        r"(?<= )\p{Ll}*[aeopcxy]\p{Ll}*(?= )",
        lambda m: _lookalike(m.group()),
    ),
    _damage(
        "styled letters",
        "𝗦𝗼𝘂𝗿𝗰𝗲",
        r"(?<= )\p{Ll}{3,}(?: \p{Ll}{3,}){0,3}(?= )",
        lambda m: _styled(m.group()),
    ),
    _damage(
        "name glued to the next word",
        "Planalto Palacein Brasilia, AncelottiReal Madrid",
        r"(?<=(?<![\p{L}.’'-])\p{Lu}\p{Ll}{3,}) "
        r"(?=(?:in|at|on|of|as|and) |\p{Lu}\p{Ll}+ )",
        lambda m: "",
    ),
    _damage(
        "boilerplate from the wild (ten kinds)",
        "See also  Florida man convicted…",
        r"(?<=\.\n)(?=\p{Lu})",
        lambda m: WILD_CHROME[m.start() % len(WILD_CHROME)] + "\n",
    ),
]


def read_texts(path: Path, step: int) -> Iterator[str]:
    """Every `step`-th article of the corpus: all its sources and years, not the first."""
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in itertools.islice(lines, 0, None, step):
                yield json.loads(line)["text"]
        return
    print(f"note: {path} not found; using corpus/raw", file=sys.stderr)
    for raw in sorted((ROOT / "corpus" / "raw").glob("*.txt")):
        yield raw.read_text(encoding="utf-8")


def show(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT) : end + CONTEXT].replace("\n", "⏎")


def run(
    normalizer: Normalizer, texts: Iterator[str], seed: int, out: IO[str] | None
) -> Counter[tuple[str, str]]:
    """Inject each damage once per text; count the outcomes and list them to `out`."""
    counts: Counter[tuple[str, str]] = Counter()
    # One random stream per damage: adding a kind does not move the others' spots.
    rngs = {damage.name: random.Random(f"{seed}:{damage.name}") for damage in DAMAGES}
    for text in texts:
        clean = normalizer.normalize(text, as_file=True)
        for damage in DAMAGES:
            spots = list(damage.spot.finditer(clean))
            if not spots:
                continue
            spot = rngs[damage.name].choice(spots)
            injected = damage.inject(spot)
            damaged = clean[: spot.start()] + injected + clean[spot.end() :]
            again = normalizer.normalize(damaged, as_file=True)
            outcome = "repaired" if again == clean else "left" if again == damaged else "other"
            counts[damage.name, outcome] += 1
            if out is not None and (outcome == "other" or counts[damage.name, outcome] <= SAMPLES):
                end = spot.start() + len(injected)
                shown = max(spot.start(), end + len(again) - len(damaged))
                out.write(f"{outcome}\t{damage.name}\n")
                out.write(f"  - {show(damaged, spot.start(), end)}\n")
                out.write(f"  + {show(again, spot.start(), shown)}\n")
    return counts


OUTCOMES = ("repaired", "left", "other")


def outcome_cells(counts: Counter[tuple[str, str]], kind: str) -> tuple[int, list[str]]:
    """How often `kind` was tried, and the share of each outcome as a table cell."""
    tried = sum(counts[kind, outcome] for outcome in OUTCOMES)
    return tried, [f"{counts[kind, outcome] * 100 / max(tried, 1):.1f}%" for outcome in OUTCOMES]


def print_table(counts: Counter[tuple[str, str]], seconds: float) -> None:
    print(f"| damage | as in the seeds | tried | repaired | left | other |   ({seconds:.0f} s)")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for damage in DAMAGES:
        tried, shares = outcome_cells(counts, damage.name)
        if tried:
            print(f"| {damage.name} | `{damage.example}` | {tried} | {' | '.join(shares)} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--rules", type=Path, default=ROOT / "rules", help="the rules folder")
    parser.add_argument(
        "--step", type=int, default=12, help="damage every STEP-th article (default 12: ~2,900)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the spots")
    parser.add_argument("-o", "--output", type=Path, help="list `other` and some `left` here")
    args = parser.parse_args(argv)
    normalizer = Normalizer.from_rules(args.rules)
    started = time.perf_counter()
    texts = read_texts(args.corpus, args.step)
    if args.output is None:
        counts = run(normalizer, texts, args.seed, None)
    else:
        with args.output.open("w", encoding="utf-8") as out:
            counts = run(normalizer, texts, args.seed, out)
    print_table(counts, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
