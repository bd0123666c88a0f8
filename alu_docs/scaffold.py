"""Forms for presenters: a commented case skeleton appended to meeting.yaml, a new meeting
folder, and the JSON Schema of meeting.yaml for editors.

The skeleton and the JSON Schema are both generated from `schema.CASE` / `schema.MEETING`,
the declaration the validator uses, so they cannot drift from it. The keys a presenter
fills in are those with a Norwegian `hint`; the rest (number, notes, conclusion, actions)
are written by alu-docs or the secretary and are named in a closing comment.

meeting.yaml is edited as text: the skeleton is inserted after the last case and nothing
else in the file changes (comments, order, quoting). The result is parsed again before it
is written, and the write is atomic.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .archive import transaction
from .confidential import GITIGNORE_LINE, PRIVATE_DIR
from .errors import AluError
from .load import compose, display_path, read_text
from .model import load_committee
from .paths import Echo, Paths
from .rhythm import weekday_of
from .schema import CASE, CONTENT, MEETING, ListOf, Record, Spec, Text

COMMENT_COLUMN = 24
SCHEMA_FILE = "meeting.schema.json"
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


class ScaffoldError(AluError):
    """Raised when a skeleton cannot be added: no meeting.yaml, a file already there, or a
    `cases:` written in a form the text edit does not handle (a non-empty flow list)."""


# --- the case skeleton -----------------------------------------------------------------------


def _line(indent: str, text: str, comment: str | None) -> str:
    if not comment:
        return indent + text
    return f"{indent + text:<{COMMENT_COLUMN - 1}} # {comment}"


def _is_multiline(spec: Spec) -> bool:
    return isinstance(spec, Text) and spec.multiline


def case_skeleton(dash_column: int = 2) -> str:
    """The commented skeleton of one case, as YAML text for a block list at `dash_column`.

    Required fields are left empty, so `alu-docs check` names each one until it is filled.
    """
    lines = [" " * dash_column + "# Ny sak: fyll ut feltene under. Kommentarene (etter #) kan stå."]
    return "\n".join(lines + _form(CASE, " " * dash_column + "- ", " " * (dash_column + 2))) + "\n"


def _form(record: Record, first: str, inner: str) -> list[str]:
    """The commented form of `record`'s keys that have a Norwegian hint (what a presenter fills
    in), then one comment naming the rest (written by alu-docs and the secretary)."""
    lines: list[str] = []
    later: list[str] = []
    indent = first
    for name, key in record.keys.items():
        spec = key.spec
        if not spec.hint:
            later.append(name)
            continue
        optional = not key.required and "valgfri" not in spec.hint
        hint = spec.hint + (" – kan stå tom" if optional else "")
        if _is_multiline(spec):
            # An empty block: the text goes on the lines below, indented
            lines.append(_line(indent, f"{name}: |", hint + "; skriv teksten på linjene under"))
        elif isinstance(spec, ListOf) and isinstance(spec.item, Record):
            lines.append(_line(indent, f"{name}:", hint + "; fjern # foran linjene under, én gang per fil"))
            lines.extend(_example_item(inner + "  ", spec.item))
        else:
            lines.append(_line(indent, f"{name}:", hint))
        indent = inner
    if later:
        lines.append(inner + "# " + ", ".join(later) + ": fylles ut av alu-docs og sekretæren")
    return lines


def _plain(value: str) -> str:
    """`value` as a YAML scalar: as typed when YAML reads it back the same, else quoted."""
    plain = yaml.safe_load(value) == value and ": " not in value and " #" not in value
    return value if plain else json.dumps(value, ensure_ascii=False)


def confidential_stub(basis: str, content: str) -> Callable[[int], str]:
    """The case in meeting.yaml of a confidential case: only what may be public."""

    def skeleton(dash_column: int = 2) -> str:
        inner = " " * (dash_column + 2)
        return "\n".join([
            " " * dash_column + f"# Sak unntatt offentlighet: her står bare det som kan være offentlig; resten i "
                                f"{content} (ignoreres av git)",
            _line(" " * dash_column + "- ", f"confidential: {_plain(basis)}", "hjemmel for unntak"),
            _line(inner, "duration:", "Tidsbruk i minutter (vises på sakslisten)"),
            _line(inner, f"content: {content}", "fil med sakens innhold; ikke i git"),
        ]) + "\n"

    return skeleton


def content_skeleton(date: dt.date, content: str) -> str:
    """The confidential case's own file (meetings/DATE/unntatt/…): the case's keys, guests."""
    return "\n".join([
        f"# UNNTATT OFFENTLIGHET: innholdet i en sak i møtet {date.isoformat()} (meeting.yaml: content: {content}).",
        f"# Mappen {PRIVATE_DIR}/ ignoreres av git ({GITIGNORE_LINE} i .gitignore): filen skal ikke publiseres.",
        f"# Vedlegg legges også i {PRIVATE_DIR}/, f.eks. file: {PRIVATE_DIR}/notat.pdf",
        *_form(CONTENT, "", ""),
    ]) + "\n"


def _example_item(indent: str, record: Record) -> list[str]:
    """A commented-out list item showing the keys of `record` (e.g. an attachment)."""
    out = []
    prefix = "- "
    for name, key in record.keys.items():
        out.append(_line(f"{indent}# {prefix}", f"{name}: …", key.spec.hint or key.spec.description))
        prefix = "  "
    return out


def _last_line(node: yaml.Node) -> int:
    """0-based index of the line after the last character of `node`'s content."""
    end = node.end_mark
    if isinstance(node, yaml.ScalarNode):
        return end.line if end.column == 0 else end.line + 1
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [v for _, v in node.value] or [k for k, _ in node.value]
    if not children or node.flow_style:
        return end.line if end.column == 0 else end.line + 1
    return _last_line(children[-1])


def insert_case(text: str, label: str, skeleton: Callable[[int], str] = case_skeleton) -> tuple[str, int]:
    """`text` with a case skeleton appended to its `cases:` list; and the 1-based line where
    the skeleton starts. Only text is added: every other line stays as it was."""
    root = compose(Path(label), text)
    if root is None:
        raise ScaffoldError(f"{label}: the file is empty; create it with: alu-docs new-meeting DATE")
    if not isinstance(root, yaml.MappingNode):
        raise ScaffoldError(f"{label}:1: expected a mapping of keys (date:, cases:, …)")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    found = next(((k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "cases"), None)
    if found is None:
        # No cases: key: add one at the end of the file
        at = len(lines)
        lines.append("cases:\n")
        return "".join(lines) + skeleton(2), at + 2
    key, value = found
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        at = _last_line(value)
        form = skeleton(value.start_mark.column)
    elif isinstance(value, yaml.SequenceNode) and value.value:
        raise ScaffoldError(f"{label}:{value.start_mark.line + 1}: cases: is written as a [...] list; "
                            "write each case on its own lines starting with '- ' and try again")
    elif (isinstance(value, yaml.SequenceNode) or
          (isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null" and not value.value)):
        # `cases: []` or `cases:` with nothing: drop the [] and start a block list
        row = key.start_mark.line
        if isinstance(value, yaml.SequenceNode):
            line = lines[row]
            start, end = value.start_mark.column, value.end_mark.column
            lines[row] = line[:start] + " " * (end - start) + line[end:] if line[end:].strip() \
                else line[:start].rstrip() + "\n"
        at = row + 1
        form = skeleton(key.start_mark.column + 2)
    else:
        raise ScaffoldError(f"{label}:{value.start_mark.line + 1}: cases: expected a list of cases")
    return "".join(lines[:at]) + form + "".join(lines[at:]), at + 1


def new_case(paths: Paths, date: dt.date, *, confidential: str | None = None, echo: Echo = print) -> Path:
    """Append a commented case skeleton to meetings/DATE/meeting.yaml and return its path.
    With `confidential` (the legal basis), meeting.yaml gets only what may be public and the
    case's own skeleton goes to meetings/DATE/unntatt/sak-N.yaml (git-ignored).

    Raises ScaffoldError when the meeting has no meeting.yaml or its `cases:` cannot be
    extended by a text edit; the file is never left half-written.
    """
    folder = paths.meetings / date.isoformat()
    path = folder / "meeting.yaml"
    label = display_path(path)
    if not path.exists():
        raise ScaffoldError(f"{label} does not exist; create the meeting first with: "
                            f"alu-docs new-meeting {date.isoformat()}")
    text = read_text(path)
    before = _case_count(compose(path, text))
    content = f"{PRIVATE_DIR}/sak-{before + 1}.yaml"
    while (folder / content).exists():
        content = content.removesuffix(".yaml") + "-ny.yaml"
    skeleton = confidential_stub(confidential, content) if confidential else case_skeleton
    new_text, line = insert_case(text, label, skeleton)
    if _case_count(compose(path, new_text)) != before + 1:  # never write a file we did not mean
        raise ScaffoldError(f"{label}: could not add a case to cases: by a text edit; add it by hand")
    with transaction(paths) as tx:
        tx.write(f"{date.isoformat()}/meeting.yaml", new_text.encode("utf-8"), root="meetings")
        if confidential:
            tx.write(f"{date.isoformat()}/{content}", content_skeleton(date, content).encode("utf-8"), root="meetings")
    echo(f"new-case {label}:{line}: a case skeleton was added; fill it in, then run: "
         f"alu-docs check {date.isoformat()}")
    if confidential:
        echo(f"new-case {display_path(folder / content)}: the confidential case's own text goes here "
             f"(git-ignored: {GITIGNORE_LINE})")
    return path


def _case_count(root: yaml.Node | None) -> int:
    if not isinstance(root, yaml.MappingNode):
        return 0
    for k, v in root.value:
        if k.value == "cases":
            return len(v.value) if isinstance(v, yaml.SequenceNode) else 0
    return 0


# --- a new meeting ----------------------------------------------------------------------------


def meeting_text(date: dt.date, start: dt.time, end: dt.time, place: str | None) -> str:
    """The first meeting.yaml of a meeting, with the committee's defaults filled in."""
    place_value = _plain(place) if place else "null"
    return (
        f"# Møtet {date.isoformat()}. Nye saker legges til med: alu-docs new-case {date.isoformat()}\n"
        f"date: {date.isoformat()}\n"
        + _line("", f'start: "{start:%H:%M}"', "møtestart") + "\n"
        + _line("", f'end: "{end:%H:%M}"', "møteslutt") + "\n"
        + _line("", f"place: {place_value}", "møtested") + "\n"
        + _line("", "kind: ordinary", "ordinary (ordinært møte) | seminar (samling) | cancelled (avlyst)") + "\n"
        + _line("", "cases: []", "sakene, i rekkefølgen på sakslisten") + "\n"
        + "minutes:\n"
        + _line("  ", "status: none", "none | draft | approved | not-written") + "\n"
    )


def new_meeting(paths: Paths, date: dt.date, *, echo: Echo = print) -> Path:
    """Create meetings/DATE/meeting.yaml with the date, time and place from committee.yaml.

    Raises ScaffoldError when the meeting already has a meeting.yaml (it is never replaced).
    """
    committee = load_committee(paths.meetings)
    folder = paths.meetings / date.isoformat()
    path = folder / "meeting.yaml"
    if path.exists():
        raise ScaffoldError(f"{display_path(path)} already exists; add a case with: "
                            f"alu-docs new-case {date.isoformat()}")
    text = meeting_text(date, committee.start, committee.end, committee.place)
    with transaction(paths) as tx:
        tx.write(f"{date.isoformat()}/meeting.yaml", text.encode("utf-8"), root="meetings")
    echo(f"new-meeting {display_path(path)}: created with {committee.start:%H:%M}–{committee.end:%H:%M}"
         + (f", {committee.place}" if committee.place else ""))
    if date.weekday() != weekday_of(committee):
        echo(f"note: {date.isoformat()} is a {date:%A}; the committee usually meets on a {committee.weekday}")
    return path


# --- the JSON Schema --------------------------------------------------------------------------


def meeting_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of meeting.yaml, from the validator's own declaration."""
    schema = MEETING.json_schema()
    return {
        "$schema": SCHEMA_URI,
        "title": "meeting.yaml (alu-docs)",
        **schema,
        "description": MEETING.description + " Generated by `alu-docs schema`; do not edit by hand.",
    }


def schema_text() -> str:
    """The JSON Schema as printed by `alu-docs schema` and kept in meeting.schema.json."""
    return json.dumps(meeting_json_schema(), indent=2, ensure_ascii=False) + "\n"

