"""The committee's history (2023–2024, from its page) is in meetings/ and builds nothing."""

from __future__ import annotations

import datetime as dt

from alu_docs.context import Context
from alu_docs.model import load_all
from alu_docs.paths import Paths
from alu_docs.render import plan_meeting

HISTORY = [
    "2024-03-06", "2024-02-15", "2024-01-25", "2023-12-14", "2023-11-24", "2023-11-01", "2023-10-18",
    "2023-10-05", "2023-09-21", "2023-09-18", "2023-08-31", "2023-06-19", "2023-05-31", "2023-05-10",
    "2023-04-21", "2023-03-30", "2023-03-29", "2023-03-02", "2023-02-09", "2023-01-19",
]


def test_the_twenty_meetings_of_the_page_are_there_with_its_notes(paths: Paths) -> None:
    _, meetings = load_all(paths.meetings)
    by_date = {m.date.isoformat(): m for m in meetings}
    assert len(HISTORY) == 20 and set(HISTORY) <= set(by_date)
    notice_only = by_date["2023-02-09"]
    assert (notice_only.legacy_notice, notice_only.legacy_minutes) == (True, False)
    assert notice_only.minutes_status == "not-written" and notice_only.minutes_note == "Referat ble ikke skrevet."
    seminar = by_date["2023-10-18"]
    assert seminar.kind == "seminar" and seminar.end_date == dt.date(2023, 10, 19)
    assert seminar.title == "Samling på Baardshaug herregård" and not seminar.is_legacy
    assert seminar.minutes_note == "Referat ikke skrevet."


def test_history_and_empty_planned_meetings_get_no_notice(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    planned = {m.date.isoformat(): [p.key.stem("ALU") for p in plan_meeting(ctx, m, "public")] for m in meetings}
    assert all(planned[d] == [] for d in HISTORY)
    assert planned["2025-10-15"] == []  # planned, no cases yet
    assert planned["2025-09-24"] == ["ALU-2025-09-24-innkalling", "ALU-2025-09-24-sak-005"]
    assert "ALU-2025-08-27-referat" in planned["2025-08-27"]


def test_history_does_not_count_as_the_previous_meeting(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    first = next(m for m in meetings if m.date == dt.date(2025, 8, 27))
    assert ctx.previous(first) is None  # 2024-03-06 is history: its minutes are not "approved at" 27.08.25
