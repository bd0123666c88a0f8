"""Edits to meeting.yaml that keep the file as people wrote it (comments, order, quoting).

ruamel.yaml's round-trip mode rewrites only what changes. Writes are atomic.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .archive import write_file


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _edit(path: Path, change: Any) -> None:
    yaml = _yaml()
    text = path.read_text(encoding="utf-8-sig")
    data = yaml.load(text)
    if not change(data):
        return
    out = io.StringIO()
    yaml.dump(data, out)
    write_file(path.parent, path.name, out.getvalue().encode("utf-8"))


def write_case_numbers(path: Path, numbers: dict[int, int]) -> None:
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

    _edit(path, change)


def set_minutes(path: Path, key: str, value: str) -> None:
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

    _edit(path, change)
