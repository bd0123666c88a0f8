"""`alu-docs plan`: the meeting plan as DOCX and PDF (real LibreOffice, read back), the
proposed dates (holidays and breaks skipped) and `--create`."""

from __future__ import annotations

import datetime as dt

import pytest

from alu_docs.context import Context
from alu_docs.model import load_all
from alu_docs.paths import Paths
from alu_docs.rhythm import break_name, holiday_name
from alu_docs.schedule import make_schedule, schedule_term
from tests.conftest import pdfinfo, pdftotext, run_cli, snapshot

AUTUMN_2025 = ["onsdag 27. august 2025", "onsdag 24. september 2025", "onsdag 15. oktober 2025",
               "onsdag 5. november 2025", "onsdag 26. november 2025", "onsdag 17. desember 2025"]
PLAN = "2025/ALU-2025-autumn-moteplan"


def add_meeting(paths: Paths, day: str) -> None:
    folder = paths.meetings / day
    folder.mkdir()
    (folder / "meeting.yaml").write_text(f"date: {day}\nkind: ordinary\nminutes:\n  status: none\n",
                                         encoding="utf-8")


@pytest.mark.usefixtures("soffice", "poppler")
def test_autumn_2025_plan_pdf_lists_the_six_dates_in_norwegian(paths: Paths) -> None:
    status, output = run_cli("plan", "2025", "--term", "autumn")
    assert status == 0, output
    pdf = paths.archive / f"{PLAN}.pdf"
    import docx  # python-docx reads the DOCX as Word would keep it

    document = docx.Document(str(paths.archive / f"{PLAN}.docx"))
    words = " ".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "Møteplan høsten 2025" in " ".join(words.split())
    assert all(day in words for day in AUTUMN_2025), words
    text = " ".join(pdftotext(pdf).split())
    positions = [text.index(day) for day in AUTUMN_2025]
    assert positions == sorted(positions)
    assert "Møteplan høsten 2025" in text
    assert "onsdag, hver 3. uke" in text
    assert "5/25 Budsjettprosess" in text and "(Ingrid Volden)" in text
    assert "17.2" not in text
    info = pdfinfo(pdf)
    assert "ALU – Møteplan høsten 2025" in info
    assert "Tagged:          yes" in info
    for day in AUTUMN_2025:  # printed to the terminal too
        assert day in output
    assert "wrote    archive/2025/ALU-2025-autumn-moteplan.docx, archive/2025/ALU-2025-autumn-moteplan.pdf, " \
           "archive/ALU-moter.ics" in output
    status, output = run_cli("verify")
    assert status == 0, output


@pytest.mark.usefixtures("soffice", "poppler")
def test_status_of_each_date_is_held_or_planned(paths: Paths) -> None:
    lines: list[str] = []
    result = make_schedule(paths, 2025, "autumn", today=dt.date(2025, 10, 1), echo=lines.append)
    [term] = result.terms
    assert [(r.date.isoformat(), r.status) for r in term.rows] == [
        ("2025-08-27", "held"), ("2025-09-24", "held"), ("2025-10-15", "planned"),
        ("2025-11-05", "planned"), ("2025-11-26", "planned"), ("2025-12-17", "planned"),
    ]
    assert term.proposed == []  # 2026-01-07 is the next in the rhythm: another term
    text = " ".join(pdftotext(paths.archive / f"{PLAN}.pdf").split())
    assert text.count("Avholdt") == 2 and text.count("Planlagt") == 4
    assert "Status per 1. oktober 2025." in text


@pytest.mark.usefixtures("soffice", "poppler")
def test_proposed_dates_follow_the_rhythm_and_skip_17_may(paths: Paths) -> None:
    add_meeting(paths, "2028-04-26")  # three weeks on is Wednesday 17 May 2028, Grunnlovsdag
    result = make_schedule(paths, 2028, "spring", today=dt.date(2028, 1, 1), echo=lambda _: None)
    [term] = result.terms
    assert term.proposed == [dt.date(2028, 5, 24), dt.date(2028, 6, 14)]
    assert term.skipped == [(dt.date(2028, 5, 17), "Grunnlovsdag")]
    text = pdftotext(paths.archive / "2028/ALU-2028-spring-moteplan.pdf")
    assert "onsdag 24. mai 2028" in text and "onsdag 14. juni 2028" in text
    assert "Foreslått" in text
    assert "Ikke foreslått: onsdag 17. mai 2028 (Grunnlovsdag)" in " ".join(text.split())


def test_proposals_avoid_holidays_and_breaks_all_year(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    for year in (2026, 2027, 2028, 2029):
        for term in ("spring", "autumn"):
            plan = schedule_term(ctx, year, term, today=dt.date(2026, 1, 1))
            assert plan.proposed, (year, term)
            for day in plan.proposed:
                assert day.weekday() == 2, day  # Wednesday
                assert holiday_name(day) is None and break_name(day) is None, day
                assert day not in (dt.date(year, 12, 25), dt.date(year, 5, 17))
            gaps = {(b - a).days for a, b in zip(plan.proposed, plan.proposed[1:], strict=False)}
            assert gaps <= {21, 28}, (year, term, gaps)  # 28: a holiday moved one a week on


def test_christmas_break_ends_the_autumn_term(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    committee.weekday = "thursday"
    ctx = Context.build(committee, meetings)
    plan = schedule_term(ctx, 2025, "autumn", today=dt.date(2025, 1, 1))
    # 2025-12-17 is the last meeting; three weeks on would be in the Christmas break
    assert plan.proposed == []
    spring = schedule_term(ctx, 2026, "spring", today=dt.date(2025, 1, 1))
    assert spring.proposed[0] == dt.date(2026, 1, 8)  # the first Thursday after 6 January


@pytest.mark.usefixtures("soffice")
def test_create_makes_folders_that_check_accepts(paths: Paths) -> None:
    add_meeting(paths, "2028-04-26")
    lines: list[str] = []
    result = make_schedule(paths, 2028, "spring", create=True, today=dt.date(2028, 1, 1), echo=lines.append)
    assert result.created == [dt.date(2028, 5, 24), dt.date(2028, 6, 14)]
    assert "create   meetings/2028-05-24/meeting.yaml" in lines
    text = (paths.meetings / "2028-05-24" / "meeting.yaml").read_text(encoding="utf-8")
    assert "date: 2028-05-24\nkind: ordinary\nminutes:\n  status: none\n" in text
    assert "alu-docs new-case 2028-05-24" in text
    [term] = result.terms
    assert [r.status for r in term.rows] == ["planned", "planned", "planned"]
    status, output = run_cli("check", "--strict")
    assert status == 0, output
    again = make_schedule(paths, 2028, "spring", create=True, today=dt.date(2028, 1, 1), echo=lambda _: None)
    assert again.created == []


def test_plan_with_invalid_yaml_writes_nothing(paths: Paths) -> None:
    (paths.meetings / "2025-10-15" / "meeting.yaml").write_text("date: 2025-10-15\nkind: meeting\n",
                                                               encoding="utf-8")
    before = snapshot(paths.archive), snapshot(paths.meetings)
    status, output = run_cli("plan", "2025", "--create")
    assert status == 2
    assert ("meetings/2025-10-15/meeting.yaml:2: kind: expected one of ordinary, seminar, cancelled; "
            "got 'meeting'") in output
    assert "Traceback" not in output
    assert (snapshot(paths.archive), snapshot(paths.meetings)) == before


def test_plan_refuses_an_unknown_term(paths: Paths) -> None:
    status, output = run_cli("plan", "2025", "--term", "winter")
    assert status == 2
    assert "'winter' is not one of 'spring', 'autumn'" in output
