"""The names pass and its gazetteer: repair misspelt and mistranslated names.

A newcomer's map, in the order the data flows:

    forms.py       how a name is written: tokens and separators (parse_name)
    gazetteer.py   the rules of rules/50-names.yaml parsed into people and
                   token-keyed tables (build_gazetteer)
    real_names.py  real people's names from rules/data/names/ (never fuzzy targets)
    text.py        looking at a text: words, neighbours, case, lines, posts
    fuzzy.py       capitalised words close to a known name (symspellpy)
    action.py      the pass itself (NamesAction): full forms, then single words,
                   each edit with the evidence it rests on
    shared.py      what other passes read: gazetteer_names, gazetteer_words

Imports go down this list only (action imports text, fuzzy, gazetteer; nothing
imports action but the registry), so there are no cycles. `normalize suggest`
(normalize/suggest.py) mines a corpus against the same gazetteer.
"""

from normalize.names.shared import gazetteer_names, gazetteer_words

__all__ = ["gazetteer_names", "gazetteer_words"]
