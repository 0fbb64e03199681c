"""Action names, as written in rule files, and the classes that implement them.

Classes are imported only when a rules folder uses them, so a run loads only what
its enabled passes need (ftfy, symspellpy and their tables are not free).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from normalize.actions import Action

ACTIONS: dict[str, str] = {
    "ftfy": "normalize.actions.encoding:FtfyAction",
    "regex_replace": "normalize.actions.regex_replace:RegexReplaceAction",
    "boilerplate": "normalize.actions.boilerplate:BoilerplateAction",
    "names": "normalize.names.action:NamesAction",
    "glued_words": "normalize.actions.glued_words:GluedWordsAction",
    "lookalike_letters": "normalize.actions.lookalikes:LookalikeLettersAction",
}


def known_actions() -> list[str]:
    return sorted(ACTIONS)


@cache
def action_class(name: str) -> type[Action]:
    """The class registered under `name`; KeyError lists the known names."""
    try:
        target = ACTIONS[name]
    except KeyError:
        raise KeyError(
            f"unknown action {name!r} (known actions: {', '.join(known_actions())})"
        ) from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]
