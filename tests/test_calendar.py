"""The calendar archive/ALU-moter.ics: local times with a VTIMEZONE, stable UIDs, public edition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from alu_docs.archive import transaction
from alu_docs.context import Context
from alu_docs.ical import write_calendar
from alu_docs.model import load_all
from alu_docs.paths import Paths
from tests.conftest import run_cli

AUTUMN_2025 = {  # date -> the UTC hour of 09:00 in Oslo (summer time ends 26 October)
    dt.date(2025, 8, 27): 7, dt.date(2025, 9, 24): 7, dt.date(2025, 10, 15): 7,
    dt.date(2025, 11, 5): 8, dt.date(2025, 11, 26): 8, dt.date(2025, 12, 17): 8,
}


def write(paths: Paths) -> Path:
    committee, meetings = load_all(paths.meetings)
    with transaction(paths) as tx:
        name = write_calendar(tx, Context.build(committee, meetings))
    return paths.archive / name


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
