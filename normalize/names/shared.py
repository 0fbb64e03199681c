"""What other passes read from the names gazetteer.

The sentences pass matches `\\L<gazetteer>` (the canonical names) in its
patterns, and the glued-words pass never splits or respells a word of a name
("Krittenbrink" is no glued word). Both go through these two functions, which
find the names pass among the loaded rule sets; without one they return nothing.
"""

from __future__ import annotations

from normalize.actions import Resources
from normalize.rules import RuleSet

NAMES_PASS = "names"


def _names_ruleset(resources: Resources) -> RuleSet | None:
    ruleset = resources.rulesets.get(NAMES_PASS)
    return ruleset if ruleset is not None and ruleset.enabled else None


def gazetteer_names(resources: Resources) -> list[str]:
    """The canonical names of the names pass ("Antony Blinken"); empty without it."""
    ruleset = _names_ruleset(resources)
    if ruleset is None:
        return []
    names = (rule.data.get("canonical") for rule in ruleset.enabled_rules())
    return sorted({name.strip() for name in names if isinstance(name, str) and name.strip()})


def gazetteer_words(resources: Resources) -> frozenset[str]:
    """Every word of every name form the gazetteer knows, lower-cased ("antony", "brinken").

    Variants count too: a misspelt name glued to a word ("tensionsBrinken") is
    still a name, and the names pass repairs its spelling afterwards.
    """
    ruleset = _names_ruleset(resources)
    if ruleset is None:
        return frozenset()
    forms: list[str] = []
    for rule in ruleset.enabled_rules():
        for key in ("canonical", "variants", "surname_variants"):
            value = rule.data.get(key)
            forms.extend([value] if isinstance(value, str) else value or [])
    words = (word.lower() for form in forms if isinstance(form, str) for word in form.split())
    return frozenset(words)
