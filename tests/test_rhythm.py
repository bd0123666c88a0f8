"""The rhythm check in `alu-docs check`: weekday, holidays, breaks, cadence, likely typos."""

from __future__ import annotations

import datetime as dt
import shutil

from alu_docs.paths import Paths
from alu_docs.rhythm import break_name, candidates, holiday_name
from tests.conftest import run_cli, snapshot

STRAY = "2025-02-17"  # the committee page printed 17.12.25 as "17.2.25"


def add_meeting(paths: Paths, day: str, extra: str = "") -> None:
    folder = paths.meetings / day
    folder.mkdir()
    (folder / "meeting.yaml").write_text(
        f"date: {day}\nkind: ordinary\n{extra}minutes:\n  status: none\n", encoding="utf-8")


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": warning: " in line]


def test_the_page_typo_17_2_25_warns_and_suggests_17_12_25(paths: Paths) -> None:
    # As on the committee's page: the sixth autumn date is typed 17.2.25, no 17.12.25.
    shutil.rmtree(paths.meetings / "2025-12-17")
    add_meeting(paths, STRAY)
    status, output = run_cli("check")
    assert status == 0, output
    assert warnings(output) == [
        "meetings/2025-02-17/meeting.yaml: warning: 2025-02-17 is a Monday; the committee meets on "
        "Wednesdays; it has no other meeting within 6 weeks (the nearest is 2025-08-27, about 27 weeks "
        "later), far off the 3-week rhythm; likely intended: 2025-12-17 (a Wednesday, 3 weeks after "
        "2025-11-26)"
    ]
    assert output.splitlines()[-1].endswith("valid, 1 warning(s)")


def test_stray_date_next_to_the_real_one_is_called_a_possible_copy(paths: Paths) -> None:
    add_meeting(paths, STRAY)
    status, output = run_cli("check", STRAY)
    assert status == 0, output
    [line] = warnings(output)
    assert "2025-02-17 is a Monday" in line
    assert line.endswith("likely intended: 2025-12-17 (a Wednesday, 3 weeks after 2025-11-26; that date has "
                         "a meeting folder too: is this one a stray copy?)")


def test_strict_makes_the_rhythm_warning_an_error(paths: Paths) -> None:
    add_meeting(paths, STRAY)
    before = snapshot(paths.meetings)
    status, output = run_cli("check", "--strict")
    assert status == 2
    assert "2025-02-17 is a Monday" in output
    assert "1 problem found; nothing was written." in output
    assert snapshot(paths.meetings) == before


def test_public_holiday_is_named_and_the_next_free_wednesday_suggested(paths: Paths) -> None:
    add_meeting(paths, "2028-04-26")
    add_meeting(paths, "2028-05-17")  # a Wednesday, and Grunnlovsdag
    status, output = run_cli("check", "2028-05-17")
    assert status == 0
    assert warnings(output) == [
        "meetings/2028-05-17/meeting.yaml: warning: 2028-05-17 is a public holiday in Norway (Grunnlovsdag); "
        "likely intended: 2028-05-24 (a Wednesday, 4 weeks after 2028-04-26)"
    ]


def test_meeting_a_day_after_another_is_too_close(paths: Paths) -> None:
    add_meeting(paths, "2025-11-27")
    _, output = run_cli("check", "2025-11-27")
    [line] = warnings(output)
    assert "2025-11-27 is a Thursday; the committee meets on Wednesdays" in line
    assert "it is only 1 day after the meeting on 2025-11-26" in line
    assert "likely intended: 2025-11-26" in line


def test_long_gap_in_the_term_warns_without_guessing(paths: Paths) -> None:
    shutil.rmtree(paths.meetings / "2025-11-05")
    shutil.rmtree(paths.meetings / "2025-11-26")
    _, output = run_cli("check", "2025-12-17")
    assert warnings(output) == [
        "meetings/2025-12-17/meeting.yaml: warning: 2025-12-17 is 9 weeks after the previous meeting "
        "(2025-10-15), far off the 3-week rhythm"
    ]


def test_summer_break_is_warned(paths: Paths) -> None:
    add_meeting(paths, "2026-07-08")
    _, output = run_cli("check", "2026-07-08")
    [line] = warnings(output)
    assert "2026-07-08 falls in the summer break" in line


def test_the_shipped_meetings_give_no_rhythm_warnings(paths: Paths) -> None:
    # Autumn 2025 (four weeks between the first two is within the rhythm) and, when
    # present, the irregular history of 2023-2024 marked as legacy.
    status, output = run_cli("check", "--strict")
    assert status == 0, output
    assert warnings(output) == []


def test_legacy_and_seminar_meetings_are_checked_only_for_holidays(paths: Paths) -> None:
    add_meeting(paths, "2022-03-31", "legacy:\n  notice: true\n")  # a Thursday, as then
    folder = paths.meetings / "2024-05-01"  # a Wednesday and Arbeidernes dag
    folder.mkdir()
    (folder / "meeting.yaml").write_text(
        "date: 2024-05-01\nkind: seminar\ntitle: Samling\nminutes:\n  status: not-written\n", encoding="utf-8")
    _, output = run_cli("check")
    lines = warnings(output)
    assert not any("2022-03-31" in line for line in lines)
    assert [line for line in lines if "2024-05-01" in line] == [
        "meetings/2024-05-01/meeting.yaml: warning: 2024-05-01 is a public holiday in Norway (Arbeidernes dag)"
    ]


def test_holiday_and_break_rules() -> None:
    assert holiday_name(dt.date(2025, 12, 25)) == "Første juledag"
    assert holiday_name(dt.date(2025, 5, 17)) == "Grunnlovsdag"
    assert holiday_name(dt.date(2025, 12, 17)) is None
    assert break_name(dt.date(2025, 12, 20)) == "christmas"
    assert break_name(dt.date(2026, 1, 6)) == "christmas"
    assert break_name(dt.date(2026, 1, 7)) is None
    assert break_name(dt.date(2025, 7, 9)) == "summer"
    assert break_name(dt.date(2025, 8, 13)) is None  # week 33: the autumn term has begun
    assert break_name(dt.date(2026, 4, 1)) == "easter"  # Wednesday of Holy Week


def test_typo_candidates_include_the_missing_digit(paths: Paths) -> None:
    from alu_docs.model import load_committee

    committee = load_committee(paths.meetings)
    found = candidates(dt.date(2025, 2, 17), committee, [], cadence_guess=False)
    assert dt.date(2025, 12, 17) in found
    assert dt.date(2025, 2, 19) in found  # the committee's weekday in the same week
