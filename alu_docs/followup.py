"""Follow-up actions across meetings: what is still open, overdue first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .context import Context
from .model import load_all
from .paths import Paths


@dataclass
class OpenAction:
    meeting: dt.date
    case: str  # "1/25"
    case_title: str
    task: str
    owner: str
    due: dt.date | None

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


def open_actions(paths: Paths, today: dt.date | None = None) -> list[OpenAction]:
    """Every action not marked done, from meetings held by `today`, overdue first, then by deadline."""
    today = today or dt.date.today()
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    found = [
        OpenAction(m.date, ctx.case_number(m, c), c.title, a.task, a.owner, a.due)
        for m in ctx.meetings if m.date <= today
        for c in m.cases
        for a in c.actions if a.done is None
    ]
    return sorted(found, key=lambda a: (not a.overdue(today), a.due or dt.date.max, a.meeting))


def format_actions(actions: list[OpenAction], today: dt.date) -> list[str]:
    """Lines for the terminal: deadline, meeting, case, owner, task."""
    if not actions:
        return ["No open follow-up actions."]
    lines = []
    for a in actions:
        due = a.due.isoformat() if a.due else "no deadline"
        flag = "OVERDUE " if a.overdue(today) else ""
        lines.append(f"{flag}{due}  meeting {a.meeting.isoformat()}  case {a.case}  {a.owner}: {a.task}")
    return lines
