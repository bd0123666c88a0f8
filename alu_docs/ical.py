"""The meeting calendar, `archive/ALU-moter.ics`: every meeting folder (held or planned)
as an event, public edition, for calendars that subscribe to it.

- Times are local (Europe/Oslo) with a VTIMEZONE, so 09:00 stays 09:00 in summer and
  winter time. The VTIMEZONE is the standard definition with yearly RRULEs (summer time
  from the last Sunday of March, 01:00 UTC, to the last Sunday of October): icalendar's
  own `add_missing_timezones` writes comma-separated RDATE lists, which Mozilla's ical.js
  reads only the first date of (every summer meeting an hour late) and vobject partly.
  A seminar over several days (`end_date`) is an all-day event across them.
- UIDs come from the committee's short name, the date the meeting was first planned on
  and the organisation (`alu-2025-08-27@ntnu`): a subscriber's calendar updates the event
  instead of adding a second one, also when the meeting is moved (`moved_from`).
- A cancelled meeting stays in the calendar with STATUS:CANCELLED and the reason, so
  subscribers see it go instead of the event silently vanishing.
- States follow the date: a past meeting without documents says so, not "the agenda is
  not ready yet".
- DTSTAMP, LAST-MODIFIED and SEQUENCE change only when the event does: each event's
  content hash, sequence and stamp are kept in the manifest entry of the .ics. Unchanged
  meetings give byte-identical files (the manifest and `verify` stay quiet), and a changed
  event gets a higher SEQUENCE and a new stamp, as RFC 5545 wants. (Not the meeting.yaml's
  mtime: that changes with every git checkout or copy, and says nothing about the event.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from . import __version__
from .archive import Transaction
from .context import Context
from .model import Meeting
from .names import calendar_name
from .texts import ARCHIVE_TEXTS, cancelled_note, texts

TIMEZONE = "Europe/Oslo"


def oslo_timezone() -> Timezone:
    """Europe/Oslo as the tz database has it since 1996 (EU rules): CET, and CEST from the
    last Sunday of March 02:00 local (01:00 UTC) to the last Sunday of October 03:00 local."""
    zone = Timezone()
    zone.add("tzid", TIMEZONE)
    for part, name, before, after, start, month in (
            (TimezoneDaylight, "CEST", 1, 2, dt.datetime(1970, 3, 29, 2), 3),
            (TimezoneStandard, "CET", 2, 1, dt.datetime(1970, 10, 25, 3), 10)):
        rule = part()
        rule.add("tzname", name)
        rule.add("tzoffsetfrom", dt.timedelta(hours=before))
        rule.add("tzoffsetto", dt.timedelta(hours=after))
        rule.add("dtstart", start)  # a last Sunday of that month in 1970
        rule.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        zone.add_component(rule)
    return zone


def event_uids(ctx: Context) -> dict[dt.date, str]:
    """{meeting date: UID}, stable per meeting: 'alu-2025-08-27@ntnu' from the date it was
    first planned on. A moved meeting keeps the UID of its first date; a meeting put on a
    date that another meeting was moved from gets 'alu-2025-08-27-2@ntnu'."""
    committee = ctx.committee
    taken: dict[dt.date, int] = {}
    uids = {}
    for meeting in sorted(ctx.meetings, key=lambda m: (not m.moved_from, m.date)):  # subscribers know moved ones
        first = meeting.moved_from[0] if meeting.moved_from else meeting.date
        taken[first] = taken.get(first, 0) + 1
        suffix = f"-{taken[first]}" if taken[first] > 1 else ""
        uids[meeting.date] = f"{committee.short}-{first.isoformat()}{suffix}@{committee.organisation}" \
            .lower().replace(" ", "-")
    return uids


def agenda_lines(ctx: Context, meeting: Meeting) -> list[str]:
    """The cases as 'ALU-sak 5/25 Title (Presenter)'; a confidential case shows only its
    number, 'Unntatt offentlighet' and the legal basis."""
    label = f"{ctx.committee.short}-{texts(ctx.committee.language)['case_word']}"
    return [f"{label} {ctx.agenda_line(meeting, case)}" for case in meeting.cases]


def description(ctx: Context, meeting: Meeting, today: dt.date) -> str:
    committee = ctx.committee
    t = texts(committee.language)
    parts = [f"{committee.name} ({committee.short})"]
    if meeting.kind == "ordinary":
        parts[0] += f", {t['meeting_no'].lower()} {ctx.meeting_number(meeting)}"
    if meeting.cancelled is not None:
        parts += ["", cancelled_note(meeting.cancelled, committee.language)]
    lines = agenda_lines(ctx, meeting)
    if lines:
        parts += ["", t["agenda"] + ":", *lines]
    elif meeting.cancelled is None and not meeting.is_legacy:
        past = (meeting.end_date or meeting.date) < today
        if past and not meeting.has_notice:  # its day is gone and nothing was issued
            parts += ["", ARCHIVE_TEXTS[committee.language]["state_none_archived"]]
        elif not past and meeting.kind == "ordinary":
            parts += ["", t["cal_agenda_pending"]]
    if meeting.minutes_note:
        parts += ["", meeting.minutes_note]
    return "\n".join(parts)


def summary(ctx: Context, meeting: Meeting) -> str:
    t = texts(ctx.committee.language)
    if meeting.kind == "seminar":
        text = meeting.title or t["cal_seminar"].format(short=ctx.committee.short)
    else:
        text = t["cal_meeting"].format(short=ctx.committee.short)
    # not every calendar shows STATUS:CANCELLED: say it in the title too
    return f"{text} ({t['cal_cancelled']})" if meeting.cancelled is not None else text


def event_for(ctx: Context, meeting: Meeting, uid: str, today: dt.date) -> Event:
    """The event without its stamps (DTSTAMP, LAST-MODIFIED, SEQUENCE)."""
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary(ctx, meeting))
    if meeting.end_date and meeting.end_date > meeting.date:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.end_date + dt.timedelta(days=1))  # exclusive
    else:
        zone = ZoneInfo(TIMEZONE)
        event.add("dtstart", dt.datetime.combine(meeting.date, meeting.start, zone))
        event.add("dtend", dt.datetime.combine(meeting.date, meeting.end, zone))
    if meeting.place:
        event.add("location", meeting.place)
    event.add("description", description(ctx, meeting, today))
    event.add("status", "CANCELLED" if meeting.cancelled is not None else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PUBLIC")
    return event


Events = list[tuple[str, Event, str]]  # (uid, event, sha256 of its content), in meeting order


def calendar_events(ctx: Context, today: dt.date | None = None) -> Events:
    """Every meeting's event, its uid and its content's hash: the slow part of build_calendar
    (a build makes them while LibreOffice converts). `today` (default: the real today)
    decides which meetings are past."""
    uids = event_uids(ctx)
    day = today or dt.date.today()
    events = []
    for meeting in ctx.meetings:
        event = event_for(ctx, meeting, uids[meeting.date], day)
        events.append((uids[meeting.date], event, hashlib.sha256(event.to_ical()).hexdigest()))
    return events


def build_calendar(ctx: Context, previous: dict[str, Any], now: dt.datetime,
                   today: dt.date | None = None, events: Events | None = None) -> tuple[bytes, dict[str, Any]]:
    """The .ics bytes and the per-event record {uid: {hash, sequence, stamp}} to keep.

    `previous` is the record kept from the last write; an event whose content hash is
    unchanged keeps its sequence and stamp, a changed one gets sequence + 1 and `now`.
    `events`: calendar_events(ctx, today), when made already.
    """
    committee = ctx.committee
    t = texts(committee.language)
    cal = Calendar()
    cal.add("prodid", f"-//{committee.organisation}//alu-docs {__version__}//{committee.language.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = t["cal_name"].format(short=committee.short)
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TIMEZONE)
    cal.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    cal.add_component(oslo_timezone())
    record: dict[str, Any] = {}
    stamp_now = now.astimezone(dt.UTC).replace(microsecond=0)
    for uid, event, content in events if events is not None else calendar_events(ctx, today):
        kept = previous.get(uid)
        if kept and kept.get("hash") == content:
            sequence, stamp = kept["sequence"], dt.datetime.fromisoformat(kept["stamp"])
        else:
            sequence = kept["sequence"] + 1 if kept else 0
            stamp = stamp_now
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("sequence", sequence)
        cal.add_component(event)
        record[uid] = {"hash": content, "sequence": sequence, "stamp": stamp.isoformat()}
    return cal.to_ical(), record


def write_calendar(tx: Transaction, ctx: Context, *, today: dt.date | None = None,
                   events: Events | None = None) -> str:
    """Write archive/ALU-moter.ics in `tx` (recorded in the manifest); return its archive path."""
    name = calendar_name(ctx.committee.short)
    entry = tx.manifest.files.get(name, {})
    data, record = build_calendar(ctx, entry.get("events", {}), dt.datetime.now(dt.UTC), today, events)
    return tx.write(name, data, kind="calendar", events=record)
