"""`alu-docs actions`: follow-up actions across meetings, what is still open, overdue first.

Actions of a confidential case are listed only with `internal=True` (`--internal`): like
the public edition, the terminal shows by default only what may be public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .context import Context
from .model import Action, load_all
from .paths import Paths


@dataclass
class OpenAction:
    meeting: dt.date
    case: str  # "1/25"
    case_title: str
    action: Action


def open_actions(paths: Paths, today: dt.date | None = None, *, internal: bool = False) -> list[OpenAction]:
    """Every action still open on `today`, from meetings held by then, overdue first, then
    by deadline; confidential cases' actions only when `internal`."""
    today = today or dt.date.today()
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    found = [
        OpenAction(m.date, ctx.case_number(m, c), c.title, a)
        for m in ctx.meetings if m.date <= today
        for c in m.cases if internal or not c.confidential
        for a in c.actions if a.open_on(today)
    ]
    return sorted(found, key=lambda o: (not o.action.overdue_on(today), o.action.due or dt.date.max, o.meeting))


def format_actions(actions: list[OpenAction], today: dt.date) -> list[str]:
    """Lines for the terminal: deadline, meeting, case, owner, task."""
    if not actions:
        return ["No open follow-up actions."]
    lines = []
    for o in actions:
        a = o.action
        due = a.due.isoformat() if a.due else "no deadline"
        flag = "OVERDUE " if a.overdue_on(today) else ""
        lines.append(f"{flag}{due}  meeting {o.meeting.isoformat()}  case {o.case}  {a.owner}: {a.task}")
    return lines
