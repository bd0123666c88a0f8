"""Edits to meeting.yaml that keep the file as people wrote it (comments, order, quoting).

ruamel.yaml's round-trip mode rewrites only what changes. Each edit takes the file's text
and returns the new text; the caller writes it through the archive's transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _edit(text: str, change: Callable[[Any], bool]) -> str:
    """Apply `change` to the loaded document; the new text, or `text` when nothing changed."""
    yaml = _yaml()
    data = yaml.load(text.lstrip("\ufeff").replace("\r\n", "\n"))
    if not change(data):
        return text
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def with_case_numbers(text: str, numbers: dict[int, int]) -> str:
    """Record issued case numbers ({position: number}) as `number:` on each case."""

    def change(data: Any) -> bool:
        changed = False
        for position, number in numbers.items():
            case = data["cases"][position - 1]
            if case.get("number") != number:
                if "number" in case:
                    case["number"] = number
                else:
                    case.insert(1, "number", number, comment="saksnummer, satt av alu-docs")
                changed = True
        return changed

    return _edit(text, change)


def with_minutes(text: str, key: str, value: str) -> str:
    """Set one key of the `minutes:` block (status, note), adding the block if there is none."""

    def change(data: Any) -> bool:
        minutes = data.get("minutes")
        if minutes is None:
            data["minutes"] = {key: value}
            return True
        if minutes.get(key) == value:
            return False
        minutes[key] = value
        return True

    return _edit(text, change)


def with_approval(text: str, sha: str, on: dt.date) -> str:
    """Record the approval in `minutes:`: status approved, the day, the PDF's sha256."""

    def change(data: Any) -> bool:
        minutes = data.get("minutes")
        if minutes is None:
            data["minutes"] = minutes = {}
        wanted = {"status": "approved", "approved_on": on, "approved_sha256": sha}
        if all(str(minutes.get(k)) == str(v) for k, v in wanted.items()):
            return False
        minutes.update(wanted)
        return True

    return _edit(text, change)


def for_reapproval(text: str) -> str:
    """Status approved, and the recorded approval removed so the next build approves anew."""

    def change(data: Any) -> bool:
        minutes = data.get("minutes")
        if minutes is None:
            data["minutes"] = minutes = {}
        minutes["status"] = "approved"
        for key in ("approved_on", "approved_sha256"):
            minutes.pop(key, None)
        return True

    return _edit(text, change)


def with_move(text: str, new: dt.date, old: dt.date) -> str:
    """A meeting moved (alu-docs move): `date:` is the new date, `moved_from:` lists the earlier ones."""

    def change(data: Any) -> bool:
        data["date"] = new
        earlier = data.get("moved_from")
        if earlier is None:
            earlier = CommentedSeq()
            earlier.fa.set_flow_style()
            keys = list(data.keys())
            data.insert(keys.index("date") + 1, "moved_from", earlier,
                        comment="tidligere datoer, satt av alu-docs move")
        if old not in earlier:
            earlier.append(old)
        return True

    return _edit(text, change)
