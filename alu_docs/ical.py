"""The meeting calendar, `archive/ALU-moter.ics`: every meeting folder (held or planned)
as an event, public edition, for calendars that subscribe to it.

- Times are local (Europe/Oslo) with a VTIMEZONE, so 09:00 stays 09:00 in summer and
  winter time. A seminar over several days (`end_date`) is an all-day event across them.
- UIDs come from the committee's short name, the meeting date and the organisation
  (`alu-2025-08-27@ntnu`): a subscriber's calendar updates the event instead of adding a
  second one.
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

from icalendar import Calendar, Event

from . import __version__
from .archive import Transaction
from .context import Context
from .model import Meeting
from .names import calendar_name
from .texts import texts

TIMEZONE = "Europe/Oslo"


def event_uid(ctx: Context, meeting: Meeting) -> str:
    """Stable per meeting: 'alu-2025-08-27@ntnu'."""
    committee = ctx.committee
    return f"{committee.short}-{meeting.date.isoformat()}@{committee.organisation}".lower().replace(" ", "-")


def agenda_lines(ctx: Context, meeting: Meeting) -> list[str]:
    """The cases as 'ALU-sak 5/25 Title (Presenter)'; a confidential case shows only its
    number, 'Unntatt offentlighet' and the legal basis."""
    label = f"{ctx.committee.short}-{texts(ctx.committee.language)['case_word']}"
    return [f"{label} {ctx.agenda_line(meeting, case)}" for case in meeting.cases]


def description(ctx: Context, meeting: Meeting) -> str:
    committee = ctx.committee
    t = texts(committee.language)
    parts = [f"{committee.name} ({committee.short})"]
    if meeting.kind == "ordinary":
        parts[0] += f", {t['meeting_no'].lower()} {ctx.meeting_number(meeting)}"
    lines = agenda_lines(ctx, meeting)
    if lines:
        parts += ["", t["agenda"] + ":", *lines]
    elif meeting.kind == "ordinary" and not (meeting.legacy_notice or meeting.legacy_minutes):
        parts += ["", t["cal_agenda_pending"]]
    if meeting.minutes_note:
        parts += ["", meeting.minutes_note]
    return "\n".join(parts)


def summary(ctx: Context, meeting: Meeting) -> str:
    t = texts(ctx.committee.language)
    if meeting.kind == "seminar":
        return meeting.title or t["cal_seminar"].format(short=ctx.committee.short)
    return t["cal_meeting"].format(short=ctx.committee.short)


def event_for(ctx: Context, meeting: Meeting) -> Event:
    """The event without its stamps (DTSTAMP, LAST-MODIFIED, SEQUENCE)."""
    event = Event()
    event.add("uid", event_uid(ctx, meeting))
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
    event.add("description", description(ctx, meeting))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PUBLIC")
    return event


def build_calendar(ctx: Context, previous: dict[str, Any], now: dt.datetime) -> tuple[bytes, dict[str, Any]]:
    """The .ics bytes and the per-event record {uid: {hash, sequence, stamp}} to keep.

    `previous` is the record kept from the last write; an event whose content hash is
    unchanged keeps its sequence and stamp, a changed one gets sequence + 1 and `now`.
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
    record: dict[str, Any] = {}
    stamp_now = now.astimezone(dt.UTC).replace(microsecond=0)
    for meeting in ctx.meetings:
        event = event_for(ctx, meeting)
        uid = str(event["uid"])
        content = hashlib.sha256(event.to_ical()).hexdigest()
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
    if ctx.meetings:
        first = dt.date(ctx.meetings[0].date.year, 1, 1)
        last = dt.date(ctx.meetings[-1].date.year + 2, 1, 1)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical(), record


def write_calendar(tx: Transaction, ctx: Context) -> str:
    """Write archive/ALU-moter.ics in `tx` (recorded in the manifest); return its archive path."""
    name = calendar_name(ctx.committee.short)
    entry = tx.manifest.files.get(name, {})
    data, events = build_calendar(ctx, entry.get("events", {}), dt.datetime.now(dt.UTC))
    return tx.write(name, data, kind="calendar", events=events)
