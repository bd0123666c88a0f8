"""Stage 2: the model. Validated YAML becomes Committee and Meeting objects, and the
checks that need more than one field (roster names, dates, attachments) run here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .attachments import check_attachment, meeting_attachments_problem
from .errors import AluError, InvalidInput
from .load import display_path, load_yaml, node_at, parse_yaml
from .schema import COMMITTEE, CONFIDENTIAL_KEYS, CONTENT, MEETING, Problems, format_problems, line_of, same_name

TYPE_CODES = {"decision": "V", "discussion": "D", "information": "O"}
FOLDER_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


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
    email: str | None = None

    def active_on(self, day: dt.date) -> bool:
        return _active(self.start, self.end, day)


@dataclass
class Observer:
    role: str
    name: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.name else self.role


@dataclass
class MailSettings:
    """committee.yaml `mail:`: how `alu-docs mail` sends, and when it links instead of attaching."""

    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    user: str | None = None
    password_env: str = "ALU_SMTP_PASSWORD"  # the variable's NAME; the password never sits in a file
    sender: str | None = None  # `from:`; default the secretary's e-mail
    attach_limit_mb: int = 10
    archive_url: str | None = None


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
    mail: MailSettings = field(default_factory=MailSettings)
    signing_key: str | None = None  # committee.yaml `signing:`, see sign.py
    signing_certificate: str | None = None

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

    def open_on(self, day: dt.date) -> bool:
        """Still to be done on `day`: the one rule for notices, minutes and `alu-docs actions`."""
        return self.done is None or self.done > day

    def overdue_on(self, day: dt.date) -> bool:
        return self.open_on(day) and self.due is not None and self.due < day


@dataclass
class Attachment:
    path: Path
    title: str
    file: str  # as written in the YAML
    checked: bool = True  # passed check_attachment (counts towards the meeting's limits)


@dataclass
class Guest:
    name: str
    unit: str | None = None
    cases: list[int] = field(default_factory=list)


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
    withdrawn: str | None = None  # why it was withdrawn (trukket): it keeps its number
    guests: list[Guest] = field(default_factory=list)  # who attended for it (a confidential case's content file)
    content_file: Path | None = None  # a confidential case's git-ignored file (cases[n].content)
    content_missing: bool = False  # that file is not on this machine: only the public edition can be made
    line: int = 0  # where the case starts in meeting.yaml
    number_restored: bool = False  # issued with `number`, which meeting.yaml had lost (records.lost_numbers)

    @property
    def code(self) -> str:
        return TYPE_CODES[self.type]


@dataclass
class Exposure:
    """A piece of a confidential case, where it is written (`written_in`, line, key) and the file
    that holds it (`exposed`): `check` fails when that file is one git tracks or does not ignore."""

    written_in: Path
    line: int
    key: str
    what: str
    exposed: Path


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
    approved_on: dt.date | None = None
    approved_sha256: str | None = None  # of the approved public minutes PDF, kept in the git-tracked YAML
    cancelled: str | None = None  # why the meeting is cancelled (avlyst)
    moved_from: tuple[dt.date, ...] = ()  # earlier dates, oldest first (alu-docs move)
    exposures: list[Exposure] = field(default_factory=list)  # where its confidential content is written

    @property
    def yaml_path(self) -> Path:
        return self.folder / "meeting.yaml"

    @property
    def yaml_relative(self) -> str:
        """meeting.yaml's path inside meetings/ (for archive.Transaction.edit): '2025-08-27/meeting.yaml'."""
        return f"{self.folder.name}/{self.yaml_path.name}"

    @property
    def has_minutes(self) -> bool:
        return self.minutes_status in ("draft", "approved") and self.cancelled is None

    @property
    def number_year(self) -> int:
        """The year its case numbers run in: a meeting moved into another year keeps the year of
        its first date, so an issued "5/25" stays "5/25" (alu-docs move)."""
        return self.moved_from[0].year if self.moved_from else self.date.year

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
               m["from"], m["to"], m["email"])
        for m in data["members"]
    ]
    observers = [Observer(o["role"], o["name"], o["from"], o["to"], o["email"]) for o in data["observers"]]
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
        secretary_email=secretary.get("email"), path=path, mail=_mail_settings(data["mail"]),
        signing_key=(data["signing"] or {}).get("key"), signing_certificate=(data["signing"] or {}).get("certificate"),
    )


def _mail_settings(data: dict[str, Any] | None) -> MailSettings:
    if not data:
        return MailSettings()
    return MailSettings(data["smtp_host"], data["smtp_port"], data["starttls"], data["user"], data["password_env"],
                        data["from"], data["attach_limit_mb"], data["archive_url"])


def _did_you_mean(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _without_none(record: dict[str, Any]) -> dict[str, Any]:
    """Drop list items that failed their check (already reported)."""
    return {k: [x for x in v if x is not None] if isinstance(v, list) else v for k, v in record.items()}


@dataclass
class _Findings:
    """The problems of one meeting.yaml, each with the line of the node it is about."""

    node: yaml.Node
    problems: Problems
    elsewhere: list[str] = field(default_factory=list)  # problems of other files (a content file), formatted

    def add(self, path: str, message: str) -> None:
        self.problems.append((line_of(node_at(self.node, path)), path, message))

    def flagged(self, *paths: str) -> bool:
        """Whether the schema already reported one of these keys."""
        return any(key in paths for _, key, _ in self.problems)


@dataclass
class _Roster:
    """The names a meeting's YAML may use for people, and how to say it when one is not there."""

    names: list[str]
    day: dt.date | None

    def expect(self, found: _Findings, path: str, name: str, also: list[str] | None = None,
               what: str | None = None) -> None:
        name = same_name(name)
        if name in self.names or name in (also or []):
            return
        where = f"the roster on {self.day.isoformat()}" if self.day else "the roster"
        found.add(path, f"expected {what or f'a name from {where} (meetings/committee.yaml)'}; got {name!r}"
                  + _did_you_mean(name, self.names + (also or [])))


def meeting_from_data(data: dict[str, Any], node: yaml.Node, folder: Path,
                      committee: Committee, problems: Problems | None = None, *, deep: bool = True) -> Meeting:
    """Build a Meeting and run the checks that need the roster, the folder and the files.

    `problems` are those the schema found already: all are reported together. Not `deep`:
    attachments get only the path checks (see attachments.check_attachment).
    """
    found = _Findings(node, problems if problems is not None else [])
    day: dt.date = data["date"]
    start, end = _times(data, folder, committee, found)
    roster = _Roster([m.name for m in (committee.roster(day) if day else committee.members)], day)
    attendance_data = _without_none(data["attendance"] or {})
    exposures: list[Exposure] = []
    cases = _cases(data["cases"], folder, roster, found, exposures, deep)
    attendance = _attendance(attendance_data, roster, len(cases), found)
    _exposed_guests(attendance, cases, folder, found, exposures)
    approved = (data["minutes"] or {}).get("approved_sha256")
    if approved and not SHA256.match(approved):
        found.add("minutes.approved_sha256", f"expected the 64 hex digits alu-docs wrote; got {approved!r}")
    if found.problems or found.elsewhere:
        raise InvalidInput(found.elsewhere + format_problems(display_path(folder / "meeting.yaml"), found.problems))
    minutes = data["minutes"] or {}
    legacy = data["legacy"] or {}
    return Meeting(
        date=day, folder=folder, start=start, end=end,
        place=data["place"] or committee.place, kind="ordinary" if data["kind"] == "cancelled" else data["kind"],
        title=data["title"],
        end_date=data["end_date"], cases=cases, attendance=attendance,
        minutes_status=minutes.get("status") or ("draft" if data["kind"] == "ordinary" else "none"),
        minutes_note=minutes.get("note"),
        any_other_business=minutes.get("any_other_business"),
        legacy_notice=bool(legacy.get("notice")), legacy_minutes=bool(legacy.get("minutes")),
        approved_on=minutes.get("approved_on"), approved_sha256=minutes.get("approved_sha256"),
        cancelled=(data["cancelled"] or "") if data["kind"] == "cancelled" else data["cancelled"],
        moved_from=tuple(d for d in data["moved_from"] if d), exposures=exposures,
    )


def _times(data: dict[str, Any], folder: Path, committee: Committee, found: _Findings) -> tuple[dt.time, dt.time]:
    """The date must match the folder; the meeting must end after it starts."""
    day = data["date"]
    if FOLDER_NAME.match(folder.name) and day and day.isoformat() != folder.name:
        found.add("date", f"expected {folder.name} (the folder's name); got {day.isoformat()}")
    start = data["start"] or committee.start
    end = data["end"] or committee.end
    if end <= start and not found.flagged("start", "end"):
        found.add("end", f"expected a time after the start {start:%H:%M}; got {end:%H:%M}")
    if data["end_date"] and day and data["end_date"] < day:
        found.add("end_date", "expected a date on or after 'date'")
    return start, end


def _cases(items: list[dict[str, Any] | None], folder: Path, roster: _Roster, found: _Findings,
           exposures: list[Exposure], deep: bool = True) -> list[Case]:
    """The agenda's cases: presenters on the roster (or written as guests), attachments
    inside the folder and readable, case numbers unique; a confidential case's content
    read from its own file (cases[n].content)."""
    cases: list[Case] = []
    numbers: dict[int, int] = {}
    yaml_path = folder / "meeting.yaml"
    for i, c in enumerate(items):
        if c is None:
            continue
        path = f"cases[{i}]"
        case = Case(position=i + 1, title=c["title"], type=c["type"], presenter=Person(""), duration=c["duration"],
                    summary=c["summary"], number=c["number"], confidential=c["confidential"],
                    withdrawn=c["withdrawn"], line=line_of(node_at(found.node, path)))
        if c["content"]:
            loaded = _content(c, case, folder, found)
            if case.content_missing:  # placeholders: the public edition shows none of these
                case.title, case.type, case.summary = "", "information", ""
            if case.content_file is not None and not case.content_missing:
                exposures.append(Exposure(yaml_path, line_of(node_at(found.node, f"{path}.content")),
                                          f"{path}.content", "the confidential case's content file",
                                          case.content_file))
            if loaded:
                data, inner = loaded
                _fill(case, data, _Source(folder, case.content_file or yaml_path, inner, ""), roster, exposures, deep)
                if inner.problems:
                    found.elsewhere.extend(format_problems(display_path(case.content_file or yaml_path),
                                                           inner.problems))
        else:
            if c["confidential"]:  # all of it in meeting.yaml: `check` says where it belongs
                exposures.extend(
                    Exposure(yaml_path, line_of(node_at(found.node, f"{path}.{key}")), f"{path}.{key}",
                             "confidential content", yaml_path)
                    for key in CONFIDENTIAL_KEYS if _given(found.node, f"{path}.{key}"))
            _fill(case, c, _Source(folder, yaml_path, found, f"{path}."), roster, exposures, deep)
        if c["number"] is not None:
            if c["number"] in numbers:
                found.add(f"{path}.number", f"case number {c['number']} is used twice in this meeting")
            numbers[c["number"]] = i
        cases.append(case)
    too_much = meeting_attachments_problem(folder, [a.path for c in cases for a in c.attachments if a.checked],
                                           deep=deep)
    if too_much:
        found.add("cases", too_much)
    return cases


def _given(node: yaml.Node, path: str) -> bool:
    """Whether the key at `path` is written (and not empty) in the YAML."""
    parent, _, key = path.rpartition(".")
    mapping = node_at(node, parent)
    return isinstance(mapping, yaml.MappingNode) and any(
        k.value == key and (v.value.strip() if isinstance(v, yaml.ScalarNode) else bool(v.value))
        for k, v in mapping.value)


def _content(c: dict[str, Any], case: Case, folder: Path, found: _Findings) -> tuple[dict[str, Any], _Findings] | None:
    """Read a confidential case's content file; None when it cannot be used, or is not on this
    machine (a clone without the git-ignored files: the public edition can still be made)."""
    path = f"cases[{case.position - 1}]"
    file = (folder / c["content"]).resolve()
    if not c["confidential"]:
        found.add(f"{path}.content", "a content file is for a confidential case; add confidential: <legal basis>")
        return None
    if not file.is_relative_to(folder.resolve()):
        found.add(f"{path}.content", f"expected a file inside the meeting folder; got {c['content']!r}")
        return None
    for key in CONFIDENTIAL_KEYS:
        if _given(found.node, f"{path}.{key}"):
            found.add(f"{path}.{key}", f"also written in {c['content']} (content:); keep it only there")
    case.content_file = folder / c["content"]
    if not file.is_file():
        case.content_missing = True
        return None
    try:
        data, node, problems = parse_yaml(file, CONTENT)
    except InvalidInput as exc:
        found.elsewhere.extend(exc.problems)
        return None
    return data, _Findings(node, problems)


@dataclass
class _Source:
    """Where a case's text is read from: meeting.yaml (keys under `prefix`, e.g. 'cases[2].')
    or a content file (prefix '')."""

    folder: Path  # the meeting folder: attachments are relative to it
    file: Path
    found: _Findings
    prefix: str


def _fill(case: Case, c: dict[str, Any], source: _Source, roster: _Roster, exposures: list[Exposure],
          deep: bool = True) -> None:
    """Set the case's text, presenter, attachments, actions and guests from `c`; attachments
    opened only when `deep`."""
    here, prefix = source.found, source.prefix
    case.title, case.type, case.summary = c["title"], c["type"], c["summary"]
    presenter = c["presenter"] or {"name": "", "unit": None}
    as_guest = isinstance(node_at(here.node, f"{prefix}presenter"), yaml.MappingNode)
    if not as_guest and presenter["name"]:
        on = roster.day.isoformat() if roster.day else "?"
        roster.expect(here, f"{prefix}presenter", presenter["name"],
                      what=f"a name from the roster on {on} or a guest written as {{name:, unit:}}")
    case.presenter = Person(presenter["name"] or "", presenter["unit"], as_guest)
    case.assessment, case.proposal = c["assessment"], c["proposal"]
    case.notes, case.conclusion = c["notes"], c["conclusion"]
    for j, a in enumerate(c["attachments"]):
        if a is None:
            continue
        key = f"{prefix}attachments[{j}].file"
        why = check_attachment(source.folder, a["file"], deep=deep) if a["file"] else None
        if why:
            here.add(key, why)
        attachment = Attachment(source.folder / (a["file"] or ""), a["title"], a["file"], checked=not why)
        case.attachments.append(attachment)
        if case.confidential:
            exposures.append(Exposure(source.file, line_of(node_at(here.node, key)), key,
                                      "an attachment of a confidential case", attachment.path))
    case.actions = [Action(a["task"], a["owner"], a["due"], a["done"]) for a in c["actions"] if a]
    case.guests = [Guest(g["name"], g["unit"], [case.position]) for g in c.get("guests") or [] if g]


def _exposed_guests(attendance: Attendance, cases: list[Case], folder: Path, found: _Findings,
                    exposures: list[Exposure]) -> None:
    """Guests in meeting.yaml who attended for a confidential case: who they are is not public."""
    secret = {c.position for c in cases if c.confidential}
    for i, guest in enumerate(attendance.guests):
        if secret & set(guest.cases):
            key = f"attendance.guests[{i}]"
            exposures.append(Exposure(folder / "meeting.yaml", line_of(node_at(found.node, key)), key,
                                      "a guest of a confidential case", folder / "meeting.yaml"))


def _attendance(data: dict[str, Any], roster: _Roster, case_count: int, found: _Findings) -> Attendance:
    """Who was absent, met for whom, came as a guest or for part of the meeting. Names are
    compared as `same_name` gives them (NFC, plain spaces), whatever the editor saved."""
    absent = data.get("absent") or []
    written_substitutes = data.get("substitutes") or {}
    written_partial = data.get("partial") or {}
    guests = data.get("guests") or []
    guest_names = [g["name"] for g in guests]
    for i, name in enumerate(absent):
        roster.expect(found, f"attendance.absent[{i}]", name)
    for name in written_substitutes:
        roster.expect(found, f"attendance.substitutes.{name}", name)
        if same_name(name) not in absent:
            found.add(f"attendance.substitutes.{name}", f"{name!r} has a substitute but is not in 'absent'")
    for name in written_partial:
        roster.expect(found, f"attendance.partial.{name}", name,
                      also=guest_names + list(written_substitutes.values()),
                      what="a member, substitute or guest of this meeting")
    for i, g in enumerate(guests):
        for j, n in enumerate(g["cases"]):
            if n is not None and n > case_count:
                found.add(f"attendance.guests[{i}].cases[{j}]",
                          f"expected a case position from 1 to {case_count}; got {n}")
    return Attendance(
        absent=absent, substitutes={same_name(k): v for k, v in written_substitutes.items()},
        guests=[Guest(g["name"], g["unit"], [n for n in g["cases"] if n]) for g in guests],
        partial={same_name(k): v for k, v in written_partial.items()}, observers=data.get("observers"),
        referent=data.get("referent"),
    )


def load_meeting(folder: Path, committee: Committee, *, deep: bool = True) -> Meeting:
    data, node, problems = parse_yaml(folder / "meeting.yaml", MEETING)
    return meeting_from_data(data, node, folder, committee, problems, deep=deep)


def folder_date(name: str) -> dt.date | None:
    """The date a meeting folder's name gives ('2025-08-27'), or None for any other name."""
    if not FOLDER_NAME.match(name):
        return None
    try:
        return dt.date.fromisoformat(name)
    except ValueError:
        return None


def meeting_folders(meetings_dir: Path) -> list[Path]:
    return sorted(p for p in meetings_dir.iterdir() if p.is_dir() and folder_date(p.name))


def stray_folders(meetings_dir: Path) -> list[str]:
    """Folders in meetings/ that are not named as a meeting (e.g. '2025-8-27'): never silently
    left out of the archive, the index and the calendar. Dot-folders are left alone."""
    return [f"{display_path(p)}: a folder in {meetings_dir.name}/ must be named after its meeting's date "
            f"YYYY-MM-DD (e.g. 2025-08-27); rename it"
            for p in sorted(meetings_dir.iterdir())
            if p.is_dir() and not p.name.startswith(".") and folder_date(p.name) is None]


class KeptMeetings(Protocol):
    """Meetings parsed before, by their folder (meetingcache.ParsedMeetings)."""

    def get(self, folder: Path) -> Meeting | None: ...
    def keep(self, folder: Path, meeting: Meeting) -> None: ...
    def save(self) -> None: ...


def load_all(meetings_dir: Path, *, full_check: Collection[dt.date] | None = None,
             kept: KeptMeetings | None = None) -> tuple[Committee, list[Meeting]]:
    """Load the committee and every meeting, collecting the problems of all files at once.

    `full_check`: the meetings whose attachments are opened and checked in full (default:
    all); the others get only the path checks. `kept`: meetings parsed before, used for
    those not in `full_check` (meetingcache.load_all gives them).
    """
    committee = load_committee(meetings_dir)
    deep = None if full_check is None else {day.isoformat() for day in full_check}
    parsed = kept if deep is not None else None
    meetings: list[Meeting] = []
    problems: list[str] = stray_folders(meetings_dir)
    for folder in meeting_folders(meetings_dir):
        if not (folder / "meeting.yaml").exists():
            problems.append(f"{display_path(folder)}: no meeting.yaml in this meeting folder")
            continue
        full = deep is None or folder.name in deep
        try:
            meeting = parsed.get(folder) if parsed is not None and not full else None
            if meeting is None:
                meeting = load_meeting(folder, committee, deep=full)
                if parsed is not None:
                    parsed.keep(folder, meeting)
            meetings.append(meeting)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if parsed is not None:
        parsed.save()
    problems.extend(check_numbers(meetings))
    if problems:
        raise InvalidInput(problems)
    return committee, meetings


def find_meeting(meetings: list[Meeting], date: dt.date, meetings_dir: Path) -> Meeting:
    """The meeting of `date`, or an error telling how to create it."""
    for meeting in meetings:
        if meeting.date == date:
            return meeting
    raise AluError(f"no meeting folder {meetings_dir.name}/{date.isoformat()}/ with a meeting.yaml; "
                   f"create it with: alu-docs new-meeting {date.isoformat()}")


def check_numbers(meetings: list[Meeting]) -> list[str]:
    """Fixed case numbers must be unique within a year."""
    seen: dict[tuple[int, int], Meeting] = {}
    problems = []
    for meeting in meetings:
        for case in meeting.cases:
            if case.number is None:
                continue
            key = (meeting.number_year, case.number)
            if key in seen and seen[key] is not meeting:
                problems.append(
                    f"{display_path(meeting.yaml_path)}:{case.line}: cases[{case.position - 1}].number: "
                    f"case number {case.number}/{meeting.number_year % 100:02d} is also used by the meeting "
                    f"{seen[key].date.isoformat()}"
                )
            seen[key] = meeting
    return problems


def assign_numbers(meetings: list[Meeting]) -> dict[tuple[dt.date, int], int]:
    """Case numbers through the calendar year, in date order.

    A case that has a number (written back to its YAML when its notice was issued) keeps
    it; a new case takes the next number not used anywhere in that year, so an earlier
    meeting gaining a case later never shifts the numbers of issued notices. A meeting
    moved into another year numbers in the year it was first set for (Meeting.number_year).
    Returns {(meeting date, case position): number}.
    """
    result: dict[tuple[dt.date, int], int] = {}
    by_year: dict[int, list[Meeting]] = {}
    for meeting in sorted(meetings, key=lambda m: m.date):
        by_year.setdefault(meeting.number_year, []).append(meeting)
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
