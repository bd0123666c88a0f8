"""Stage 2: the model. Validated YAML becomes Committee and Meeting objects, and the
checks that need more than one field (roster names, dates, attachments) run here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .attachments import check_attachment, meeting_attachments_problem
from .errors import InvalidInput
from .load import display_path, load_yaml, node_at, parse_yaml
from .schema import COMMITTEE, MEETING, Problems, format_problems, line_of

TYPE_CODES = {"decision": "V", "discussion": "D", "information": "O"}
FOLDER_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _active(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass
class Member:
    name: str
    role: str | None = None
    unit: str | None = None
    unit_name: str | None = None
    chair: bool = False
    substitute: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return _active(self.start, self.end, day)


@dataclass
class Observer:
    role: str
    name: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.name else self.role


@dataclass
class Committee:
    name: str
    short: str
    organisation: str
    language: str
    place: str | None
    weekday: str
    start: dt.time
    end: dt.time
    cadence_weeks: int
    members: list[Member]
    observers: list[Observer]
    secretary: str | None
    secretary_email: str | None
    path: Path

    def roster(self, day: dt.date) -> list[Member]:
        """The members on `day`: a 2023 meeting shows the 2023 roster."""
        return [m for m in self.members if m.active_on(day)]

    def observers_on(self, day: dt.date) -> list[Observer]:
        return [o for o in self.observers if _active(o.start, o.end, day)]

    def chair(self, day: dt.date) -> Member | None:
        return next((m for m in self.roster(day) if m.chair), None)


@dataclass
class Person:
    name: str
    unit: str | None = None
    guest: bool = False


@dataclass
class Action:
    task: str
    owner: str
    due: dt.date | None = None
    done: dt.date | None = None


@dataclass
class Attachment:
    path: Path
    title: str
    file: str  # as written in the YAML


@dataclass
class Case:
    position: int  # 1-based place on the agenda
    title: str
    type: str
    presenter: Person
    duration: int
    summary: str
    number: int | None = None
    assessment: str | None = None
    proposal: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    confidential: str | None = None
    notes: str | None = None
    conclusion: str | None = None
    actions: list[Action] = field(default_factory=list)

    @property
    def code(self) -> str:
        return TYPE_CODES[self.type]


@dataclass
class Guest:
    name: str
    unit: str | None = None
    cases: list[int] = field(default_factory=list)


@dataclass
class Attendance:
    absent: list[str] = field(default_factory=list)
    substitutes: dict[str, str] = field(default_factory=dict)
    guests: list[Guest] = field(default_factory=list)
    partial: dict[str, str] = field(default_factory=dict)
    observers: list[str] | None = None
    referent: str | None = None


@dataclass
class Meeting:
    date: dt.date
    folder: Path
    start: dt.time
    end: dt.time
    place: str | None
    kind: str = "ordinary"
    title: str | None = None
    end_date: dt.date | None = None
    cases: list[Case] = field(default_factory=list)
    attendance: Attendance = field(default_factory=Attendance)
    minutes_status: str = "draft"
    minutes_note: str | None = None
    any_other_business: str | None = None
    legacy_notice: bool = False
    legacy_minutes: bool = False

    @property
    def yaml_path(self) -> Path:
        return self.folder / "meeting.yaml"

    @property
    def has_minutes(self) -> bool:
        return self.minutes_status in ("draft", "approved")

    @property
    def is_legacy(self) -> bool:
        """A meeting from before alu-docs: its documents were published elsewhere."""
        return self.legacy_notice or self.legacy_minutes

    @property
    def has_notice(self) -> bool:
        """Whether alu-docs issues a notice: not for history, a planned meeting without
        cases, or a seminar without cases."""
        if self.is_legacy:
            return False
        return bool(self.cases) or (self.kind == "ordinary" and self.has_minutes)


# --- loading ------------------------------------------------------------------------------


def load_committee(meetings_dir: Path) -> Committee:
    path = meetings_dir / "committee.yaml"
    data, node = load_yaml(path, COMMITTEE)
    members = [
        Member(m["name"], m["role"], m["unit"], m["unit_name"], bool(m["chair"]), m["substitute"],
               m["from"], m["to"])
        for m in data["members"]
    ]
    observers = [Observer(o["role"], o["name"], o["from"], o["to"]) for o in data["observers"]]
    problems: Problems = []
    for i, m in enumerate(members):
        if m.start and m.end and m.end < m.start:
            problems.append((line_of(node_at(node, f"members[{i}].to")), f"members[{i}].to",
                             "expected a date after 'from'"))
    if problems:
        raise InvalidInput(format_problems(display_path(path), problems))
    secretary = data["secretary"] or {}
    return Committee(
        name=data["name"], short=data["short"], organisation=data["organisation"],
        language=data["language"], place=data["place"], weekday=data["weekday"],
        start=data["start"], end=data["end"], cadence_weeks=data["cadence_weeks"],
        members=members, observers=observers, secretary=secretary.get("name"),
        secretary_email=secretary.get("email"), path=path,
    )


def _did_you_mean(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _without_none(record: dict[str, Any]) -> dict[str, Any]:
    """Drop list items that failed their check (already reported)."""
    return {k: [x for x in v if x is not None] if isinstance(v, list) else v for k, v in record.items()}


def meeting_from_data(data: dict[str, Any], node: yaml.Node, folder: Path,
                      committee: Committee, problems: Problems | None = None) -> Meeting:
    """Build a Meeting and run the checks that need the roster, the folder and the files.

    `problems` are those the schema found already: all are reported together.
    """
    problems = problems if problems is not None else []
    flagged = {key for _, key, _ in problems}

    def problem(path: str, message: str) -> None:
        problems.append((line_of(node_at(node, path)), path, message))

    day: dt.date = data["date"]
    if FOLDER_NAME.match(folder.name) and day and day.isoformat() != folder.name:
        problem("date", f"expected {folder.name} (the folder's name); got {day.isoformat()}")
    start = data["start"] or committee.start
    end = data["end"] or committee.end
    if end <= start and not flagged & {"start", "end"}:
        problem("end", f"expected a time after the start {start:%H:%M}; got {end:%H:%M}")
    if data["end_date"] and day and data["end_date"] < day:
        problem("end_date", "expected a date on or after 'date'")

    roster = committee.roster(day) if day else committee.members
    roster_names = [m.name for m in roster]
    attendance_data = _without_none(data["attendance"] or {})
    guest_names = [g["name"] for g in attendance_data.get("guests") or []]

    def in_roster(path: str, name: str, allow_guests: bool = False) -> None:
        if name in roster_names or (allow_guests and name in guest_names):
            return
        where = f"the roster on {day.isoformat()}" if day else "the roster"
        problem(path, f"expected a name from {where} (meetings/committee.yaml); got {name!r}"
                + _did_you_mean(name, roster_names))

    cases: list[Case] = []
    numbers: dict[int, int] = {}
    accepted: list[Path] = []  # attachment files that passed, for the meeting's limits
    for i, c in enumerate(data["cases"]):
        if c is None:
            continue
        presenter_data = c["presenter"] or {"name": "", "unit": None}
        written_as_guest = isinstance(node_at(node, f"cases[{i}].presenter"), yaml.MappingNode)
        if not written_as_guest and presenter_data["name"] and presenter_data["name"] not in roster_names:
            problem(f"cases[{i}].presenter",
                    f"expected a name from the roster on {day.isoformat() if day else '?'} "
                    f"or a guest written as {{name:, unit:}}; got {presenter_data['name']!r}"
                    + _did_you_mean(presenter_data["name"], roster_names))
        attachments = []
        for j, a in enumerate(c["attachments"]):
            if a is None:
                continue
            why = check_attachment(folder, a["file"]) if a["file"] else None
            if why:
                problem(f"cases[{i}].attachments[{j}].file", why)
            elif a["file"]:
                accepted.append(folder / a["file"])
            attachments.append(Attachment(folder / (a["file"] or ""), a["title"], a["file"]))
        if c["number"] is not None:
            if c["number"] in numbers:
                problem(f"cases[{i}].number", f"case number {c['number']} is used twice in this meeting")
            numbers[c["number"]] = i
        cases.append(Case(
            position=i + 1, title=c["title"], type=c["type"],
            presenter=Person(presenter_data["name"], presenter_data["unit"], written_as_guest),
            duration=c["duration"], summary=c["summary"], number=c["number"],
            assessment=c["assessment"], proposal=c["proposal"], attachments=attachments,
            confidential=c["confidential"], notes=c["notes"], conclusion=c["conclusion"],
            actions=[Action(a["task"], a["owner"], a["due"], a["done"]) for a in c["actions"] if a],
        ))

    too_much = meeting_attachments_problem(folder, accepted)
    if too_much:
        problem("cases", too_much)

    for i, name in enumerate(attendance_data.get("absent") or []):
        in_roster(f"attendance.absent[{i}]", name)
    for name in attendance_data.get("substitutes") or {}:
        in_roster(f"attendance.substitutes.{name}", name)
        if name not in (attendance_data.get("absent") or []):
            problem(f"attendance.substitutes.{name}", f"{name!r} has a substitute but is not in 'absent'")
    substitute_names = list((attendance_data.get("substitutes") or {}).values())
    for name in attendance_data.get("partial") or {}:
        if name not in roster_names + guest_names + substitute_names:
            problem(f"attendance.partial.{name}",
                    f"expected a member, substitute or guest of this meeting; got {name!r}"
                    + _did_you_mean(name, roster_names + guest_names))
    for i, g in enumerate(attendance_data.get("guests") or []):
        for j, n in enumerate(g["cases"]):
            if n is not None and n > len(cases):
                problem(f"attendance.guests[{i}].cases[{j}]",
                        f"expected a case position from 1 to {len(cases)}; got {n}")

    if problems:
        raise InvalidInput(format_problems(display_path(folder / "meeting.yaml"), problems))

    minutes = data["minutes"] or {}
    legacy = data["legacy"] or {}
    return Meeting(
        date=day, folder=folder, start=start, end=end,
        place=data["place"] or committee.place, kind=data["kind"], title=data["title"],
        end_date=data["end_date"], cases=cases,
        attendance=Attendance(
            absent=attendance_data.get("absent") or [],
            substitutes=attendance_data.get("substitutes") or {},
            guests=[Guest(g["name"], g["unit"], [n for n in g["cases"] if n])
                    for g in attendance_data.get("guests") or []],
            partial=attendance_data.get("partial") or {},
            observers=attendance_data.get("observers"),
            referent=attendance_data.get("referent"),
        ),
        minutes_status=minutes.get("status") or ("draft" if data["kind"] == "ordinary" else "none"),
        minutes_note=minutes.get("note"),
        any_other_business=minutes.get("any_other_business"),
        legacy_notice=bool(legacy.get("notice")), legacy_minutes=bool(legacy.get("minutes")),
    )


def load_meeting(folder: Path, committee: Committee) -> Meeting:
    data, node, problems = parse_yaml(folder / "meeting.yaml", MEETING)
    return meeting_from_data(data, node, folder, committee, problems)


def meeting_folders(meetings_dir: Path) -> list[Path]:
    return sorted(p for p in meetings_dir.iterdir() if p.is_dir() and FOLDER_NAME.match(p.name))


def load_all(meetings_dir: Path) -> tuple[Committee, list[Meeting]]:
    """Load the committee and every meeting, collecting the problems of all files at once."""
    committee = load_committee(meetings_dir)
    meetings: list[Meeting] = []
    problems: list[str] = []
    for folder in meeting_folders(meetings_dir):
        if not (folder / "meeting.yaml").exists():
            problems.append(f"{display_path(folder)}: no meeting.yaml in this meeting folder")
            continue
        try:
            meetings.append(load_meeting(folder, committee))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    problems.extend(check_numbers(meetings))
    if problems:
        raise InvalidInput(problems)
    return committee, meetings


def check_numbers(meetings: list[Meeting]) -> list[str]:
    """Fixed case numbers must be unique within a year."""
    seen: dict[tuple[int, int], Meeting] = {}
    problems = []
    for meeting in meetings:
        for case in meeting.cases:
            if case.number is None:
                continue
            key = (meeting.date.year, case.number)
            if key in seen and seen[key] is not meeting:
                problems.append(
                    f"{display_path(meeting.yaml_path)}: cases[{case.position - 1}].number: "
                    f"case number {case.number}/{meeting.date:%y} is also used by the meeting "
                    f"{seen[key].date.isoformat()}"
                )
            seen[key] = meeting
    return problems


def assign_numbers(meetings: list[Meeting]) -> dict[tuple[dt.date, int], int]:
    """Case numbers through the calendar year, in date order.

    A case that has a number (written back to its YAML when its notice was issued) keeps
    it; a new case takes the next number not used anywhere in that year, so an earlier
    meeting gaining a case later never shifts the numbers of issued notices.
    Returns {(meeting date, case position): number}.
    """
    result: dict[tuple[dt.date, int], int] = {}
    by_year: dict[int, list[Meeting]] = {}
    for meeting in sorted(meetings, key=lambda m: m.date):
        by_year.setdefault(meeting.date.year, []).append(meeting)
    for year_meetings in by_year.values():
        fixed = {c.number for m in year_meetings for c in m.cases if c.number is not None}
        last = 0
        for meeting in year_meetings:
            for case in meeting.cases:
                if case.number is not None:
                    number = case.number
                else:
                    number = last + 1
                    while number in fixed:
                        number += 1
                    fixed.add(number)
                result[(meeting.date, case.position)] = number
                last = max(last, number)
    return result
