"""A small declarative check for the keys of YAML mappings.

Actions declare which keys their rules and options accept; the rules loader uses
these declarations to reject typos with a message that names the allowed keys.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# YAML aliases let a few lines build a value with billions of elements (the
# "billion laughs" file); messages show a bounded preview of it.
_PREVIEW = reprlib.Repr()
_PREVIEW.maxstring = 60
_PREVIEW.maxother = 60
_PREVIEW.maxlevel = 2
_PREVIEW.maxlist = 3


@dataclass(frozen=True, slots=True)
class Field:
    """One accepted key: its type(s), whether it is required, what it is for."""

    types: type | tuple[type, ...]
    required: bool = False
    doc: str = ""
    items: type | tuple[type, ...] | None = None  # for lists: the type of each item
    positive: bool = False  # for numbers: more than 0


def describe_type(types: type | tuple[type, ...]) -> str:
    names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))]
    return " or ".join(names)


def check_mapping(data: Mapping[str, Any], fields: Mapping[str, Field], what: str) -> list[str]:
    """Return one problem per unknown key, missing key or wrongly typed value."""
    problems: list[str] = []
    for key in data:
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            problems.append(f"unknown key {short_repr(key)} in {what} (allowed: {allowed})")
    for key, spec in fields.items():
        if key not in data:
            if spec.required:
                problems.append(f"missing key {key!r} in {what}")
            continue
        value = data[key]
        # bool is an int in Python; a YAML `true` must not pass for a number.
        if isinstance(value, bool) and bool not in _as_tuple(spec.types):
            problems.append(f"{key!r} in {what} must be {describe_type(spec.types)}, not bool")
        elif not isinstance(value, spec.types):
            problems.append(
                f"{key!r} in {what} must be {describe_type(spec.types)}, not {type(value).__name__}"
            )
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{key!r} in {what} must be a finite number, not {value}")
        elif spec.positive and isinstance(value, int | float) and value <= 0:
            problems.append(f"{key!r} in {what} must be more than 0, not {value}")
        elif spec.items is not None and isinstance(value, list):
            for item in value:
                if not isinstance(item, spec.items):
                    problems.append(
                        f"every item of {key!r} in {what} must be {describe_type(spec.items)}, "
                        f"found {short_repr(item)}"
                    )
                    break
    return problems


def short_repr(value: Any) -> str:
    """repr() cut to a readable length, however big the value."""
    return _PREVIEW.repr(value)


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)
