"""The calendar archive/ALU-moter.ics: local times with a VTIMEZONE, stable UIDs, public edition.

Times are checked with vobject, a parser alu-docs does not write with, against zoneinfo."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from alu_docs.archive import transaction
from alu_docs.context import Context
from alu_docs.ical import write_calendar
from alu_docs.model import Meeting, load_all
from alu_docs.paths import Paths
from tests.conftest import run_cli

AUTUMN_2025 = {  # date -> the UTC hour of 09:00 in Oslo (summer time ends 26 October)
    dt.date(2025, 8, 27): 7, dt.date(2025, 9, 24): 7, dt.date(2025, 10, 15): 7,
    dt.date(2025, 11, 5): 8, dt.date(2025, 11, 26): 8, dt.date(2025, 12, 17): 8,
}


def write(paths: Paths, today: dt.date | None = None, change: Callable[[Meeting], Meeting] | None = None) -> Path:
    """Write the calendar of the meetings (each passed through `change` when given)."""
    committee, meetings = load_all(paths.meetings)
    if change:
        meetings = [change(m) for m in meetings]
    with transaction(paths) as tx:
        name = write_calendar(tx, Context.build(committee, meetings), today=today)
    return paths.archive / name


def wrong_times(ics: bytes, meetings: list[Meeting]) -> list[str]:
    """Every event whose start, as vobject reads it (with the file's VTIMEZONE), is not the
    meeting's start in Oslo as zoneinfo has it; and every meeting without its event."""
    # vobject keeps the first VTIMEZONE it meets under its TZID for the whole process (and
    # knows Europe/Oslo from pytz without one): a name of its own makes it read this file's
    unique = f"Test/Oslo-{uuid.uuid4().hex}".encode()
    starts = {}
    for event in vobject.readOne(ics.replace(b"Europe/Oslo", unique).decode()).vevent_list:
        value = event.dtstart.value
        starts[value.date() if isinstance(value, dt.datetime) else value] = value
    problems = []
    for meeting in meetings:
        start = starts.get(meeting.date)
        if meeting.end_date and meeting.end_date > meeting.date:  # an all-day event
            expected: dt.date | dt.datetime = meeting.date
        else:
            expected = dt.datetime.combine(meeting.date, meeting.start, ZoneInfo("Europe/Oslo"))
        if start is None or start != expected or type(start) is not type(expected):
            problems.append(f"{meeting.date}: {start} is not {expected}")
    return problems


def test_every_event_is_at_the_right_utc_time_in_an_independent_reader(paths: Paths) -> None:
    ics = write(paths).read_bytes()
    _, meetings = load_all(paths.meetings)
    assert len(meetings) == 26
    assert wrong_times(ics, meetings) == []
    # the sample has meetings in summer and in winter time (and an all-day seminar)
    zone = ZoneInfo("Europe/Oslo")
    offsets = {dt.datetime.combine(m.date, m.start, zone).utcoffset() for m in meetings}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    # the zone is the standard yearly-rule definition, not lists of dates
    [zone_part] = icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")
    rules = {part.name: part for part in zone_part.subcomponents}
    assert rules.keys() == {"DAYLIGHT", "STANDARD"} and b"RDATE" not in ics
    assert rules["DAYLIGHT"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert rules["STANDARD"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"


def test_the_time_check_sees_a_wrong_timezone(paths: Paths) -> None:
    """The check above can fail: with summer time a month late, the meetings of those weeks are wrong."""
    ics = write(paths).read_bytes()
    _, meetings = load_all(paths.meetings)
    broken = ics.replace(b"BYDAY=-1SU;BYMONTH=3", b"BYDAY=-1SU;BYMONTH=4")
    assert [p[:10] for p in wrong_times(broken, meetings)] == ["2023-03-29", "2023-03-30", "2023-04-21"]


def events(ics: Path) -> dict[dt.date, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    found = {}
    for event in calendar.walk("VEVENT"):
        start = event.decoded("dtstart")
        found[start.date() if isinstance(start, dt.datetime) else start] = event
    return found


def test_autumn_2025_events_start_at_nine_oslo_time(paths: Paths) -> None:
    ics = write(paths)
    assert ics == paths.archive / "ALU-moter.ics"
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Oslo"
    found = events(ics)
    for day, utc_hour in AUTUMN_2025.items():
        event = found[day]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
        assert (start.hour, start.minute) == (9, 0)
        assert start.astimezone(dt.UTC) == dt.datetime.combine(day, dt.time(utc_hour), dt.UTC)
        assert (end.hour, end.minute) == (11, 30)
        assert str(event["UID"]) == f"alu-{day.isoformat()}@ntnu"
        assert "Hovedbygningen, Gløshaugen" in str(event["LOCATION"])
    assert "ALU-sak 5/25 Budsjettprosess 2026 – administrative konsekvenser (Ingrid Volden)" in str(
        found[dt.date(2025, 9, 24)]["DESCRIPTION"])
    assert "Saksliste:" in str(found[dt.date(2025, 8, 27)]["DESCRIPTION"])
    assert str(found[dt.date(2025, 8, 27)]["SUMMARY"]) == "ALU-møte"


def test_calendar_is_byte_identical_when_nothing_changed(paths: Paths) -> None:
    first = write(paths).read_bytes()
    assert write(paths).read_bytes() == first


def test_a_changed_meeting_updates_its_event_not_a_new_one(paths: Paths) -> None:
    ics = write(paths)
    before = events(ics)
    yaml = paths.meetings / "2025-10-15" / "meeting.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "place: Realfagbygget, møterom R10\n", encoding="utf-8")
    after = events(write(paths))
    assert after.keys() == before.keys()
    assert [str(e["UID"]) for e in after.values()] == [str(e["UID"]) for e in before.values()]
    moved = after[dt.date(2025, 10, 15)]
    assert str(moved["LOCATION"]) == "Realfagbygget, møterom R10"
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("dtstamp") >= before[dt.date(2025, 10, 15)].decoded("dtstamp")
    same = after[dt.date(2025, 11, 5)]
    assert int(same["SEQUENCE"]) == 0
    assert same.decoded("dtstamp") == before[dt.date(2025, 11, 5)].decoded("dtstamp")


def test_confidential_case_shows_only_number_and_basis(paths: Paths) -> None:
    yaml = paths.meetings / "2025-09-24" / "meeting.yaml"
    text = yaml.read_text(encoding="utf-8").replace(
        "    duration: 30\n", "    duration: 30\n    confidential: offl. § 14\n", 1)
    yaml.write_text(text, encoding="utf-8")
    description = str(events(write(paths))[dt.date(2025, 9, 24)]["DESCRIPTION"])
    assert "ALU-sak 5/25 Unntatt offentlighet (offl. § 14)" in description
    assert "Budsjettprosess" not in description
    assert "Ingrid Volden" not in description


def test_two_day_seminar_is_an_all_day_event_over_both_days(paths: Paths) -> None:
    folder = paths.meetings / "2025-10-22"
    folder.mkdir()
    (folder / "meeting.yaml").write_text(
        "date: 2025-10-22\nend_date: 2025-10-23\nkind: seminar\ntitle: Samling på Baardshaug herregård\n"
        "place: Baardshaug herregård\nminutes:\n  status: not-written\n", encoding="utf-8")
    event = events(write(paths))[dt.date(2025, 10, 22)]
    assert event.decoded("dtstart") == dt.date(2025, 10, 22)
    assert event.decoded("dtend") == dt.date(2025, 10, 24)  # exclusive: the 23rd is included
    assert str(event["SUMMARY"]) == "Samling på Baardshaug herregård"


def test_calendar_is_in_the_manifest_so_verify_passes(paths: Paths) -> None:
    write(paths)
    status, output = run_cli("verify")
    assert status == 0, output


@pytest.mark.usefixtures("soffice")
def test_build_rewrites_the_calendar(paths: Paths) -> None:
    status, output = run_cli("build", "2025-09-24")
    assert status == 0, output
    assert "calendar archive/ALU-moter.ics" in output
    assert dt.date(2025, 9, 24) in events(paths.archive / "ALU-moter.ics")
    status, output = run_cli("verify")
    assert status == 0, output


def changed(day: dt.date, **fields: object) -> Callable[[Meeting], Meeting]:
    """Change the meeting of `day` as the lead's YAML wiring will (cancelled:, moved_from)."""
    return lambda m: dataclasses.replace(m, **fields) if m.date == day else m  # type: ignore[arg-type]


def test_a_cancelled_meeting_stays_in_the_calendar_as_cancelled(paths: Paths) -> None:
    today = dt.date(2025, 9, 1)
    write(paths, today)
    found = events(write(paths, today, changed(dt.date(2025, 9, 24), cancelled="for få saker")))
    event = found[dt.date(2025, 9, 24)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1  # a change: subscribers update the event
    assert str(event["UID"]) == "alu-2025-09-24@ntnu"
    assert str(event["SUMMARY"]) == "ALU-møte (avlyst)"
    assert "Møtet er avlyst: for få saker." in str(event["DESCRIPTION"])
    other = found[dt.date(2025, 10, 15)]
    assert str(other["STATUS"]) == "CONFIRMED" and int(other["SEQUENCE"]) == 0
    # without a reason; and a cancelled meeting without cases never says the agenda is coming
    event = events(write(paths, today, changed(dt.date(2025, 10, 15), cancelled="")))[dt.date(2025, 10, 15)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Møtet er avlyst." in str(event["DESCRIPTION"]) and "Sakslisten" not in str(event["DESCRIPTION"])


def test_a_moved_meeting_keeps_its_event_with_the_new_time(paths: Paths) -> None:
    today = dt.date(2025, 9, 1)
    write(paths, today)
    old, new = dt.date(2025, 10, 15), dt.date(2025, 10, 22)
    folder = paths.meetings / new.isoformat()
    (paths.meetings / old.isoformat()).rename(folder)
    yaml = folder / "meeting.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(f"date: {old}", f"date: {new}"), encoding="utf-8")
    ics = write(paths, today, changed(new, moved_from=(old,)))
    found = events(ics)
    assert old not in found and len(found) == 26
    event = found[new]
    assert str(event["UID"]) == "alu-2025-10-15@ntnu"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("dtstart") == dt.datetime(2025, 10, 22, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    _, meetings = load_all(paths.meetings)
    assert wrong_times(ics.read_bytes(), meetings) == []

    # a meeting planned later on the freed date is a new event, not the moved one
    (paths.meetings / old.isoformat()).mkdir()
    (paths.meetings / old.isoformat() / "meeting.yaml").write_text(f"date: {old}\nminutes:\n  status: none\n")
    found = events(write(paths, today, changed(new, moved_from=(old,))))
    assert str(found[old]["UID"]) == "alu-2025-10-15-2@ntnu" and int(found[old]["SEQUENCE"]) == 0
    assert str(found[new]["UID"]) == "alu-2025-10-15@ntnu"  # (its "møte 4/2025" is now 5/2025)


def test_a_past_meeting_without_documents_says_so(paths: Paths) -> None:
    day = dt.date(2025, 10, 15)  # planned, no cases
    before = events(write(paths, today=dt.date(2025, 10, 1)))[day]
    assert "Sakslisten er ikke klar ennå." in str(before["DESCRIPTION"])
    after = events(write(paths, today=dt.date(2025, 10, 16)))
    assert "Ingen dokumenter i arkivet." in str(after[day]["DESCRIPTION"])
    assert "Sakslisten" not in str(after[day]["DESCRIPTION"])
    assert int(after[day]["SEQUENCE"]) == 1
    # a meeting with an agenda shows it; history (documents published elsewhere) says neither
    assert "Saksliste:" in str(after[dt.date(2025, 9, 24)]["DESCRIPTION"])
    history = str(after[dt.date(2024, 1, 25)]["DESCRIPTION"])
    assert "Ingen dokumenter" not in history and "Sakslisten" not in history
