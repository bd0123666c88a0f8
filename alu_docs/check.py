"""`alu-docs check`: validate meetings and print warnings; writes nothing.

Errors (InvalidInput) stop with exit status 2: bad YAML, confidential content in a file git
tracks (confidential.py), an issued case gone from the YAML (records.py). Warnings are
things that may be right but usually are not (an agenda longer than the meeting, past
midnight); `--strict` makes them errors.
"""

from __future__ import annotations

import datetime as dt

from . import meetingcache
from .archive import Manifest
from .confidential import leaks
from .errors import InvalidInput
from .load import display_path
from .model import Committee, Meeting, check_numbers, find_meeting, load_all
from .paths import Echo, Paths
from .records import lost_numbers, orphaned, removed_cases
from .render import agenda_times
from .rhythm import rhythm_warnings
from .texts import clock


def agenda_warnings(meeting: Meeting) -> list[str]:
    """The first case whose planned time runs past the meeting's end, and the first that runs
    past midnight (the agenda's clock would wrap to 00.00), each naming the case."""
    if meeting.kind != "ordinary":
        return []
    label = display_path(meeting.yaml_path)
    end = dt.datetime.combine(meeting.date, meeting.end)
    midnight = dt.datetime.combine(meeting.date + dt.timedelta(days=1), dt.time(0))
    found = []
    for limit, what in ((midnight, "midnight (24.00)"), (end, f"the meeting's end {clock(meeting.end)}")):
        late = [(case, stop) for case, _, stop in agenda_times(meeting) if stop > limit and not case.withdrawn]
        if not late:
            continue
        case, stop = late[0]
        title = "Unntatt offentlighet" if case.confidential else case.title
        day = " the next day" if stop.date() > meeting.date else ""
        more = f" (and {len(late) - 1} case{'s' if len(late) > 2 else ''} after it)" if len(late) > 1 else ""
        found.append(f"{label}:{case.line}: warning: cases[{case.position - 1}] {title!r} ends at "
                     f"{clock(stop.time())}{day}, past {what}{more}")
        if limit == midnight:  # past midnight is past the end too: one line
            break
    return found


def warnings_for(committee: Committee, meetings: list[Meeting], meeting: Meeting) -> list[str]:
    """Warnings about one meeting, each naming the file."""
    return agenda_warnings(meeting) + rhythm_warnings(committee, meetings, meeting)


def load_checked(paths: Paths, dates: list[dt.date] | None = None) -> tuple[Committee, list[Meeting]]:
    """load_all, and what the archive's records forbid: an issued case gone from the YAML of
    `dates` (every meeting when None; said together with the file's other problems) and, for
    every meeting, issued documents whose meeting folder is gone. An issued case that lost
    its `number:` in the YAML but is there under its issued title gets it back (the build
    writes it again). Only the attachments of `dates` are opened (all when None). Raises
    InvalidInput."""
    manifest = Manifest.load(paths.archive)
    days = None if dates is None else [d.isoformat() for d in dates]
    restored = lost_numbers(paths.meetings, manifest, days)
    removed = removed_cases(paths.meetings, manifest, days, restored)
    try:
        if dates is None:
            committee, meetings = load_all(paths.meetings)
        else:
            committee, meetings = meetingcache.load_all(paths.meetings, full_check=dates, cache=paths.cache)
    except InvalidInput as exc:
        raise InvalidInput(removed + exc.problems) from None
    for meeting in meetings:
        for case in meeting.cases:
            number = restored.get(meeting.date.isoformat(), {}).get(case.position)
            if number is not None and case.number is None:
                case.number, case.number_restored = number, True
    problems = removed + (orphaned(manifest, meetings, paths.meetings.name) if dates is None else [])
    problems += check_numbers(meetings) if restored else []
    if problems:
        raise InvalidInput(problems)
    return committee, meetings


def restored_numbers(meeting: Meeting, *, building: bool = False) -> list[str]:
    """One line per case of `meeting` that got its issued number back (load_checked)."""
    when = "this build writes it back" if building else "the next build writes it back"
    return [f"{display_path(meeting.yaml_path)}:{case.line}: cases[{case.position - 1}]: issued as case "
            f"{case.number}/{meeting.number_year % 100:02d} but its `number: {case.number}` is gone from the file; "
            f"it keeps that number ({when})"
            for case in meeting.cases if case.number_restored]


def check_meetings(paths: Paths, date: dt.date | None = None, *, strict: bool = False,
                   echo: Echo = print) -> list[str]:
    """Validate every YAML file, confidential content outside git-tracked files and the
    issued records (errors raise InvalidInput); return and print warnings. With a `date`,
    only that meeting's attachments are opened; the others get the path checks, and
    meetings parsed before come from the cache (see meetingcache.py)."""
    committee, meetings = load_checked(paths, [date] if date else None)
    selected = [find_meeting(meetings, date, paths.meetings)] if date else meetings
    problems = leaks(paths.meetings, selected)
    if problems:
        raise InvalidInput(problems)
    warnings = [w for m in selected for w in warnings_for(committee, meetings, m)]
    if strict and warnings:
        raise InvalidInput(warnings)
    for line in [line for m in selected for line in restored_numbers(m)] + warnings:
        echo(line)
    what = date.isoformat() if date else f"{len(meetings)} meetings"
    echo(f"ok: {what} valid" + (f", {len(warnings)} warning(s)" if warnings else ""))
    return warnings
