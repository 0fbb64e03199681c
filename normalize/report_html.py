"""HTML for the review report: a document's history in place, the index tables, colours.

Everything that comes from a document or a rule file goes through `esc`, so a
corpus that contains `<script>` shows it as text. The browser code in
report_assets/ reads the data-* attributes written here and never parses HTML.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import groupby

from normalize.document import Edit, Note
from normalize.edits import Piece

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies;
# each pass also gets its own underline style, so colour is never the only cue.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#999999")
LINE_STYLES = ("solid", "dashed", "dotted", "double")


def esc(text: str) -> str:
    """Text or attribute value, escaped. A CR is written as a reference: the HTML
    parser would otherwise turn it (and CRLF) into a plain newline."""
    return html.escape(text, quote=True).replace("\r", "&#13;")


def json_for_script(data: object) -> str:
    """JSON that is safe inside <script type="application/json">."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def narrow_edit(edit: Edit) -> Edit:
    """The edit without the whole words it leaves unchanged at either end.

    Only for display: "\\n\\n\\n" -> "\\n\\n" shows as one removed newline, and a
    line rewritten by a rule shows only the words that changed. Cuts fall after
    whitespace, so a changed word is always shown whole ("Anthony" -> "Antony",
    not "h" removed).
    """
    before, after = edit.before, edit.after
    limit = min(len(before), len(after))
    prefix = 0
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    while prefix and not before[prefix - 1].isspace():
        prefix -= 1
    limit -= prefix
    suffix = 0
    while suffix < limit and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    while suffix and not before[len(before) - suffix].isspace():
        suffix -= 1
    if not prefix and not suffix:
        return edit
    return replace(
        edit,
        start=edit.start + prefix,
        end=edit.end - suffix,
        before=before[prefix : len(before) - suffix],
        after=after[prefix : len(after) - suffix],
    )


def pass_css(passes: Sequence[str]) -> str:
    """One class per pass (p0, p1, ...) with its colour, tint and line style."""
    rules = []
    for i, _name in enumerate(passes):
        colour = PALETTE[i % len(PALETTE)]
        style = LINE_STYLES[(i // len(PALETTE) + i) % len(LINE_STYLES)]
        rules.append(
            f".p{i}{{--c:{colour};--tint:{tint(colour, 0.28)};--strong:{tint(colour, 0.5)};"
            f"--line:{style}}}"
        )
    return "\n".join(rules)


def tint(colour: str, share: float) -> str:
    """`colour` mixed with white (share 1.0 is the colour itself)."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in channels)


class DocumentRenderer:
    """Turns one document's pieces into HTML, one element per edit and note.

    `records` are the document's edits and notes in the order of its edits file;
    each gets the id `{doc_id}-r{index}` on its first element, and later elements
    of the same record (a span split by another edit) point to it with data-ref.
    """

    def __init__(
        self,
        doc_id: str,
        records: Sequence[Edit | Note],
        edit_records: Sequence[int],
        note_records: Sequence[int],
        pass_index: dict[str, int],
    ) -> None:
        self.doc_id = doc_id
        self.records = records
        self.edit_records = edit_records  # trace edit index -> record index
        self.note_records = note_records  # trace note index -> record index
        self.pass_index = pass_index
        self.seen: set[int] = set()

    def render(self, pieces: Iterable[Piece]) -> str:
        out: list[str] = []
        for owner, run in groupby(pieces, key=_owner):
            group = list(run)
            if owner is None:
                out.extend(self._text(piece, changed=False) for piece in group)
                continue
            out.append(self._open(self.edit_records[owner], "span"))
            for piece in group:
                if piece.deleted_by != owner:
                    out.append(f"<ins>{self._text(piece, changed=True)}</ins>")
                    continue
                inner = self._text(piece, changed=True)
                if piece.origin is not None:  # inserted by an earlier edit, then removed
                    made = self._open(self.edit_records[piece.origin], "span")
                    inner = f"{made}<ins>{inner}</ins></span>"
                out.append(f"<del>{inner}</del>")
            out.append("</span>")
        return "".join(out)

    def _text(self, piece: Piece, *, changed: bool) -> str:
        # Pseudo-elements show invisible characters without adding text; a CR is
        # kept (the page's text is the document's) but given no width of its own.
        body = esc(piece.text).replace("&#13;", '<span class="cr">&#13;</span>')
        if changed:
            body = body.replace("\n", '<span class="nl"></span>\n')
        for note in reversed(piece.notes):
            tag = self._open(self.note_records[note], "mark")
            body = f"{tag}{body}</mark>"
        return body

    def _open(self, index: int, tag: str) -> str:
        record = self.records[index]
        number = self.pass_index.setdefault(record.pass_name, len(self.pass_index))
        kind = "note" if isinstance(record, Note) else "edit"
        classes = f"{kind} p{number}"
        title = f"{record.rule} ({record.pass_name}): {record.message}"
        if index in self.seen:
            ref = f"{self.doc_id}-r{index}"
            return f'<{tag} class="{classes} more" data-ref="{ref}" title="{esc(title)}">'
        self.seen.add(index)
        attrs = {
            "id": f"{self.doc_id}-r{index}",
            "class": classes,
            "tabindex": "-1",
            "title": title,
            "data-kind": kind,
            "data-i": str(index),
            "data-pass": record.pass_name,
            "data-rule": record.rule,
            "data-step": str(record.step),
            "data-start": str(record.start),
            "data-end": str(record.end),
            "data-msg": record.message,
        }
        if isinstance(record, Edit):
            attrs["data-before"] = record.before
            attrs["data-after"] = record.after
        else:
            attrs["data-text"] = record.text
            if record.start == record.end:
                attrs["class"] += " point"
        return f"<{tag} " + " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items()) + ">"


def _owner(piece: Piece) -> int | None:
    """The edit a piece is shown under: the one that removed it, else the one that made it."""
    return piece.deleted_by if piece.deleted_by is not None else piece.origin
