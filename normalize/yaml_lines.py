"""Safe YAML loading that remembers the line of every mapping.

Rule files are data written by people; when one is wrong, the error must name the
line. PyYAML's SafeLoader builds only plain types (no Python objects); this
subclass additionally records line numbers and rejects duplicate keys, which
plain PyYAML would silently collapse into the last one.
"""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):  # type: ignore[type-arg]
    """A dict that knows the 1-based line where its YAML mapping starts."""

    line: int = 0


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


def _line_loader(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    class LineLoader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
            seen: set[Any] = set()
            for key_node, _value_node in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    hash(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        "found a key that is a list or a mapping; keys are words",
                        key_node.start_mark,
                    ) from None
                if key in seen:
                    raise DuplicateKeyError(
                        "while reading a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r}",
                        key_node.start_mark,
                    )
                seen.add(key)
            mapping = LineDict(super().construct_mapping(node, deep=deep))
            mapping.line = node.start_mark.line + 1
            return mapping

    LineLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
        LineLoader.construct_mapping,  # type: ignore[arg-type]
    )
    return LineLoader


_LineLoader = _line_loader(yaml.SafeLoader)
# libyaml's parser (in PyYAML's wheels) reads the rules several times faster,
# with the same safe constructor and line marks. It refuses a few things the
# pure-Python parser takes (escapes of lone surrogates, which rule examples use
# for undecodable bytes): such a file is read again by the pure-Python parser,
# which also words the errors.
_FastLineLoader = _line_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; mappings come back as LineDicts."""
    try:
        return yaml.load(text, Loader=_FastLineLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_LineLoader)


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, when it points anywhere."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None
