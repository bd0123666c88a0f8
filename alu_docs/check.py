"""`alu-docs check`: validate meetings and print warnings; writes nothing.

Errors (InvalidInput) stop with exit status 2. Warnings are things that may be right but
usually are not (an agenda longer than the meeting); `--strict` makes them errors.
"""

from __future__ import annotations

import datetime as dt

from .errors import InvalidInput
from .load import display_path
from .model import Committee, Meeting, find_meeting, load_all
from .paths import Echo, Paths
from .render import agenda_end
from .rhythm import rhythm_warnings
from .texts import clock


def warnings_for(committee: Committee, meetings: list[Meeting], meeting: Meeting) -> list[str]:
    """Warnings about one meeting, each naming the file."""
    label = display_path(meeting.yaml_path)
    found = []
    if meeting.kind == "ordinary" and meeting.cases and agenda_end(meeting) > meeting.end:
        found.append(f"{label}: warning: the agenda runs to {clock(agenda_end(meeting))}, "
                     f"past the meeting's end {clock(meeting.end)}")
    found.extend(rhythm_warnings(committee, meetings, meeting))
    return found


def check_meetings(paths: Paths, date: dt.date | None = None, *, strict: bool = False,
                   echo: Echo = print) -> list[str]:
    """Validate every YAML file (errors raise InvalidInput); return and print warnings.
    With a `date`, only that meeting's attachments are opened; the others get the path
    checks, and meetings parsed before come from the cache (see meetingcache.py)."""
    committee, meetings = load_all(paths.meetings, full_check=[date] if date else None, cache=paths.cache)
    selected = [find_meeting(meetings, date, paths.meetings)] if date else meetings
    warnings = [w for m in selected for w in warnings_for(committee, meetings, m)]
    if strict and warnings:
        raise InvalidInput(warnings)
    for warning in warnings:
        echo(warning)
    what = date.isoformat() if date else f"{len(meetings)} meetings"
    echo(f"ok: {what} valid" + (f", {len(warnings)} warning(s)" if warnings else ""))
    return warnings
