"""Issued records, withdrawn and cancelled meetings, moves, and what a secretary really types
(issue 11). The slow scenario chains (real LibreOffice) are in test_records_slow.py."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest

from alu_docs.check import agenda_warnings
from alu_docs.context import Context
from alu_docs.model import load_all
from alu_docs.paths import Paths
from alu_docs.records import changes, snapshot
from alu_docs.render import minutes_context, notice_context
from tests.conftest import run_cli
from tests.conftest import snapshot as files_of

DAY = "2025-08-27"
MEETING = f"meetings/{DAY}/meeting.yaml"


def edit(project: Path, old: str, new: str, path: str = MEETING) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"sample changed: {old!r} not found"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_with(project: Path, needle: str) -> int:
    lines = (project / MEETING).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def sample(paths: Paths) -> tuple[Context, object]:
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    return ctx, next(m for m in ctx.meetings if m.date.isoformat() == DAY)


# --- what changed between two issued notices -----------------------------------------------------


def test_change_lines_name_each_change(paths: Paths) -> None:
    ctx, meeting = sample(paths)
    before = snapshot(ctx, meeting)
    after = json.loads(json.dumps(before))
    after["start"], after["place"] = "10.00", "Realfagbygget"
    after["cases"][0]["title"] = "Ny tittel"
    after["cases"][2]["withdrawn"] = True
    after["cases"][1], after["cases"][3] = after["cases"][3], after["cases"][1]
    after["cases"].append({"number": "6/25", "title": "Ekstra sak", "type": "O", "presenter": "X", "position": 5,
                           "withdrawn": False})
    assert changes(before, after, "nb") == [
        "Møtestart endret fra 09.00 til 10.00",
        "Møtested endret fra Hovedbygningen, Gløshaugen, møterom 201 til Realfagbygget",
        "Sak 1/25 har fått ny tittel: Ny tittel",
        "Sak 3/25 trukket",
        "Ny sak 6/25 Ekstra sak",
        "Rekkefølgen på sakene er endret",
    ]
    moved = {**before, "date": "2025-09-03", "cancelled": "Sykdom"}
    assert changes(before, moved, "en") == ["The meeting has been moved from 27.08.25 to 03.09.25",
                                            "The meeting is cancelled: Sykdom"]
    assert changes(before, before, "nb") == [] and changes(None, before, "nb") == []


def test_snapshot_of_a_confidential_case_holds_only_its_number_and_basis(paths: Paths, project: Path) -> None:
    edit(project, "    presenter: Bjørn Haugstad\n", "    presenter: Bjørn Haugstad\n    confidential: offl. § 14\n")
    ctx, meeting = sample(paths)
    case = snapshot(ctx, meeting)["cases"][1]
    assert case == {"number": "2/25", "title": "Unntatt offentlighet (offl. § 14)", "type": "", "presenter": "",
                    "position": 2, "withdrawn": False}


# --- withdrawn, cancelled, removed -------------------------------------------------------------


def test_withdrawn_case_keeps_its_number_and_takes_no_time(paths: Paths, project: Path) -> None:
    from alu_docs.render import agenda_rows, plan_meeting

    edit(project, "    presenter: Bjørn Haugstad\n", "    presenter: Bjørn Haugstad\n    withdrawn: Ikke klar\n")
    ctx, meeting = sample(paths)
    rows = agenda_rows(ctx, meeting, "public")
    assert [(r["number"], r["title"][:8], r["time"]) for r in rows[2:6]] == [
        ("1/25", "Administ", "09.05"), ("2/25", "Trukket:", ""), ("3/25", "Ny løsni", "09.35"),
        ("4/25", "Fordelin", "09.55")]
    assert "sak-002" not in [p.key.document for p in plan_meeting(ctx, meeting, "public")]
    items = minutes_context(ctx, meeting, "public")["items"]
    assert items[3]["paragraphs"] == ["Saken ble trukket."]


def test_cancelled_meeting_has_no_minutes(paths: Paths, project: Path) -> None:
    edit(project, "kind: ordinary\n", "kind: ordinary\ncancelled: For få saker\n")
    _, meeting = sample(paths)
    assert meeting.cancelled == "For få saker" and not meeting.has_minutes


def test_kind_cancelled_is_a_cancellation_without_a_reason(paths: Paths, project: Path) -> None:
    edit(project, "kind: ordinary\n", "kind: cancelled\n")
    ctx, meeting = sample(paths)
    assert meeting.cancelled == "" and meeting.kind == "ordinary" and not meeting.has_minutes
    assert notice_context(ctx, meeting, "public", None)["cancelled"] == "Møtet er avlyst."
    old = snapshot(ctx, meeting) | {"cancelled": None}
    assert changes(old, snapshot(ctx, meeting), "nb") == ["Møtet er avlyst."]


def issued_manifest(project: Path, paths: Paths) -> bytes:
    """A manifest that says the sample's notice was issued with its four cases, numbered in
    the YAML as a build leaves them."""
    for n, title in enumerate(("Administrativ", "Strategi", "Ny løsning", "Fordeling"), 1):
        edit(project, f"  - title: {title}", f"  - number: {n}\n    title: {title}")
    ctx, meeting = sample(paths)
    record = {"documents": {"innkalling": {"version": 1, "content": "x", "issued": "2025-08-20", "case": None,
                                           "file": f"2025/{DAY}/ALU-{DAY}-innkalling.pdf"}},
              "issues": [{"version": 1, "on": "2025-08-20", "snapshot": snapshot(ctx, meeting), "changes": []}]}
    data = json.dumps({"files": {}, "meetings": {DAY: record}, "log": []}).encode()
    (project / "archive/manifest.json").write_bytes(data)
    return data


@pytest.mark.parametrize("how", ["empty", "one"])
def test_removing_an_issued_case_is_an_error_that_says_withdraw(paths: Paths, project: Path, how: str) -> None:
    issued_manifest(project, paths)
    text = (project / MEETING).read_text(encoding="utf-8")
    if how == "empty":
        start, end = text.index("cases:\n"), text.index("attendance:\n")
        text = text[:start] + "cases: []\n" + text[end:]  # the guest of case 3 stays: said too
    else:
        start, end = text.index("  - number: 3"), text.index("  - number: 4")
        text = text[:start] + text[end:].replace("cases: [3]", "cases: []")
    (project / MEETING).write_text(text, encoding="utf-8")
    before = files_of(project / "archive"), files_of(project / "meetings")
    for command in (["build", DAY], ["check", DAY]):
        status, output = run_cli(*command)
        assert status == 2, output
        assert f"{MEETING}: cases: case 3/25 'Ny løsning for saksbehandling og arkiv' was issued" in output
        assert "withdrawn: <reason>" in output and "Traceback" not in output
    assert (files_of(project / "archive"), files_of(project / "meetings")) == before
    assert ("case 1/25" in output) == (how == "empty")
    assert ("attendance.guests[0].cases[0]: expected a case position" in output) == (how == "empty")


def test_an_issued_case_that_lost_its_number_keeps_it(paths: Paths, project: Path) -> None:
    """meeting.yaml restored from git after a build (the numbers it wrote back gone): each case
    still there under its issued title keeps its issued number; one retitled is not guessed."""
    original = (project / MEETING).read_text(encoding="utf-8")
    issued_manifest(project, paths)
    (project / MEETING).write_text(original, encoding="utf-8")
    status, output = run_cli("check", DAY)
    assert status == 0, output
    for n in (1, 2, 3, 4):
        assert f"issued as case {n}/25 but its `number: {n}` is gone from the file; it keeps that number" in output
    from alu_docs.check import load_checked

    _, meetings = load_checked(paths, [dt.date.fromisoformat(DAY)])
    meeting = next(m for m in meetings if m.date.isoformat() == DAY)
    assert [(c.number, c.number_restored) for c in meeting.cases] == [(n, True) for n in (1, 2, 3, 4)]
    edit(project, "  - title: Ny løsning for saksbehandling og arkiv", "  - title: Ny løsning for arkiv")
    status, output = run_cli("check", DAY)
    assert status == 2 and "case 3/25 'Ny løsning for saksbehandling og arkiv' was issued" in output, output
    assert "case 1/25" not in output and "case 4/25" not in output


def test_a_build_writes_a_lost_number_back_and_issues_nothing_again(project: Path, soffice) -> None:
    original = (project / MEETING).read_text(encoding="utf-8")
    assert run_cli("build", DAY)[0] == 0
    numbered = (project / MEETING).read_text(encoding="utf-8")
    assert numbered != original
    archived = files_of(project / "archive")
    (project / MEETING).write_text(original, encoding="utf-8")  # git checkout meetings/
    status, output = run_cli("build", DAY)
    assert status == 0 and "this build writes it back" in output, output
    assert (project / MEETING).read_text(encoding="utf-8") == numbered
    after = files_of(project / "archive")
    issued = [name for name in archived if re.search(r"-(innkalling|sak-\d+|sakspapirer)\.(pdf|docx)$", name)]
    assert issued and all(after[name] == archived[name] for name in issued)  # nothing issued again
    assert not any("-v1." in name for name in after)
    assert run_cli("verify")[0] == 0


def test_issued_files_of_a_meeting_folder_that_is_gone_are_an_error(paths: Paths, project: Path) -> None:
    (project / "archive/manifest.json").write_text(json.dumps({"files": {
        "2025/2025-08-20/ALU-2025-08-20-innkalling.pdf": {"sha256": "0" * 64, "size": 1, "meeting": "2025-08-20",
                                                          "issued": "2025-08-13", "version": 1}}}))
    status, output = run_cli("check")
    assert status == 2 and "meetings/2025-08-20/ is gone" in output and "alu-docs move 2025-08-20" in output


# --- a meeting folder's name, moving ------------------------------------------------------------


def test_a_folder_not_named_as_a_date_is_an_error(project: Path) -> None:
    (project / "meetings/2025-8-27").mkdir()
    (project / "meetings/2025-8-27/meeting.yaml").write_text("date: 2025-08-27\n")
    (project / "meetings/.cache").mkdir()  # dot-folders are left alone
    for command in (["check"], ["build", "--all"]):
        status, output = run_cli(*command)
        assert status == 2, output
        assert "meetings/2025-8-27: a folder in meetings/ must be named after its meeting's date YYYY-MM-DD" in output
    (project / "meetings/2025-8-27").rename(project / "meetings/2025-02-30")  # not a real date either
    assert "meetings/2025-02-30: a folder" in run_cli("check")[1]


def test_move_refuses_a_taken_date_and_a_held_meeting(project: Path) -> None:
    before = files_of(project)
    status, output = run_cli("move", DAY, "2025-09-24")
    assert status == 2 and "meetings/2025-09-24 already exists" in output
    edit(project, "  status: draft\n", "  status: approved\n")
    status, output = run_cli("move", DAY, "2025-09-03")
    assert status == 2 and "are approved" in output
    status, output = run_cli("move", "2025-01-01", "2025-09-03")
    assert status == 2 and "no meeting folder" in output
    assert set(files_of(project)) == set(before)


def test_a_moved_meeting_keeps_its_numbers_year(paths: Paths, project: Path) -> None:
    edit(project, f"date: {DAY}\n", "date: 2026-01-14\nmoved_from: [2025-08-27]\n")
    for n, title in enumerate(("Administrativ", "Strategi", "Ny løsning", "Fordeling"), 1):
        edit(project, f"  - title: {title}", f"  - number: {n}\n    title: {title}")
    (project / "meetings" / DAY).rename(project / "meetings/2026-01-14")
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    moved = next(m for m in ctx.meetings if m.date == dt.date(2026, 1, 14))
    assert [ctx.case_number(moved, c) for c in moved.cases] == ["1/25", "2/25", "3/25", "4/25"]
    later = next(m for m in ctx.meetings if m.date == dt.date(2025, 9, 24))
    assert ctx.case_number(later, later.cases[0]) == "5/25"  # the year's next number, as before


# --- confidential storage and people -------------------------------------------------------------


CONFIDENTIAL_INLINE = """  - title: Personalsak
    type: decision
    presenter: Arne Kr. Hestnes
    duration: 15
    confidential: offl. § 13
    summary: Hemmelig.
attendance:
"""


def test_confidential_text_in_meeting_yaml_fails_check_naming_file_line_key(project: Path) -> None:
    edit(project, "attendance:\n", CONFIDENTIAL_INLINE)
    edit(project, "cases: [3]}", "cases: [3, 5]}")
    status, output = run_cli("check", DAY)
    assert status == 2, output
    line = line_with(project, "Personalsak")
    assert f"{MEETING}:{line}: cases[4].title: confidential content is written in a file outside the " \
           "meeting's unntatt/ folder" in output
    assert f"{MEETING}:{line + 5}: cases[4].summary:" in output
    assert "attendance.guests[0]: a guest of a confidential case is written in a file" in output
    assert "cases[4].duration" not in output  # the agenda's times are public
    status, output = run_cli("build", DAY)  # the build warns (it publishes nothing of it)
    assert "warning  meetings/2025-08-27/meeting.yaml" in output


def test_public_minutes_leave_out_the_guests_of_a_confidential_case(paths: Paths, project: Path) -> None:
    edit(project, "attendance:\n", CONFIDENTIAL_INLINE)
    edit(project, "    - {name: Kari Nordmann, unit: IT-avdelingen, cases: [3]}",
         "    - {name: Kari Nordmann, unit: IT-avdelingen, cases: [3]}\n"
         "    - {name: Gjest Hemmelig, unit: Enhet Hemmelig, cases: [5]}\n"
         "    - {name: Gjest Begge, cases: [3, 5]}")
    ctx, meeting = sample(paths)
    guests = {e: next(r["text"] for r in minutes_context(ctx, meeting, e)["attendance"] if r["label"].startswith("Fra"))
              for e in ("public", "internal")}
    assert guests["public"] == "Kari Nordmann (IT-avdelingen), under sak 3/25; Gjest Begge, under sak 3/25"
    assert "Gjest Hemmelig (Enhet Hemmelig), under sak 5/25" in guests["internal"]
    assert "Gjest Begge, under sak 3/25, 5/25" in guests["internal"]


def test_new_case_confidential_writes_the_public_part_and_an_ignored_content_file(project: Path) -> None:
    status, output = run_cli("new-case", "2025-09-24", "--confidential", "offl. § 14")
    assert status == 0, output
    content = project / "meetings/2025-09-24/unntatt/sak-2.yaml"
    assert "unntatt/sak-2.yaml: the confidential case's own text goes here" in output
    text = (project / "meetings/2025-09-24/meeting.yaml").read_text(encoding="utf-8")
    assert "  - confidential: offl. § 14" in text and "    content: unntatt/sak-2.yaml" in text
    text = text.replace("    duration:           # Tidsbruk", "    duration: 20        # Tidsbruk")
    (project / "meetings/2025-09-24/meeting.yaml").write_text(text, encoding="utf-8")
    form = content.read_text(encoding="utf-8")
    for key, value in (("title", "Personalsak"), ("type", "decision"), ("presenter", "Arne Kr. Hestnes")):
        form = re.sub(rf"^{key}:\s+#", f"{key}: {value} #", form, count=1, flags=re.M)
    form = form.replace("# Bakgrunn / sammendrag: hva saken gjelder og hvorfor den kommer til ALU nå; skriv teksten "
                        "på linjene under\n", "# Bakgrunn\n  Hva saken gjelder.\n")
    content.write_text(form, encoding="utf-8")
    status, output = run_cli("check", "2025-09-24")
    assert status == 0, output  # not a git work tree: the path rule, unntatt/ is private
    assert ".gitignore" not in output
    from alu_docs.model import load_all as load

    _, meetings = load(project / "meetings")
    case = next(m for m in meetings if m.date == dt.date(2025, 9, 24)).cases[1]
    assert (case.title, case.presenter.name, case.duration, case.confidential) == (
        "Personalsak", "Arne Kr. Hestnes", 20, "offl. § 14")


def test_a_missing_content_file_still_makes_the_public_edition(paths: Paths, project: Path) -> None:
    edit(project, "attendance:\n", "  - confidential: offl. § 14\n    duration: 10\n    content: unntatt/x.yaml\n"
                                   "attendance:\n")
    ctx, meeting = sample(paths)
    assert meeting.cases[4].content_missing and not meeting.exposures
    assert "unntatt/x.yaml" not in json.dumps(snapshot(ctx, meeting))


def test_a_later_meeting_has_an_internal_edition_for_an_open_confidential_action(paths: Paths,
                                                                                project: Path) -> None:
    ctx, _ = sample(paths)
    later = next(m for m in ctx.meetings if m.date == dt.date(2025, 9, 24))
    assert not ctx.needs_internal(later)
    edit(project, "    presenter: Hege Brende\n", "    presenter: Hege Brende\n    confidential: offl. § 14\n")
    ctx, _ = sample(paths)
    later = next(m for m in ctx.meetings if m.date == dt.date(2025, 9, 24))
    assert ctx.needs_internal(later)
    rows = ctx.open_actions(later, "internal")
    assert rows and rows[0]["case"] == "1/25" and ctx.open_actions(later, "public") == []


# --- what a secretary really types ---------------------------------------------------------------


def test_a_name_typed_decomposed_or_with_a_non_breaking_space_matches_the_roster(paths: Paths,
                                                                                   project: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Håkon\u00a0Alstad")
    assert nfd != "Håkon Alstad"
    edit(project, "    presenter: Annikken Løe", f"    presenter: {nfd}")
    edit(project, "  absent: [Arve Sletten, Sigurd Eriksson]", f"  absent: [Arve Sletten, Sigurd Eriksson, {nfd}]")
    status, output = run_cli("check", DAY)
    assert status == 0, output
    _, meeting = sample(paths)
    assert meeting.cases[3].presenter.name == "Håkon Alstad" and "Håkon Alstad" in meeting.attendance.absent


@pytest.mark.parametrize("old,new,expected", [
    ("  status: draft", "\tstatus: draft", ":{line}: a tab character in the indentation; use spaces"),
    ("type: decision", "type:\u00a0decision", ":{line}: a non-breaking space after 'type:'"),
    ("place: Hovedbygningen", "place:\u00a0Hovedbygningen", ":{line}: a non-breaking space after 'place:'"),
    ('start: "09:00"', 'start: "09:00', ":{line}: YAML syntax error: a quoted value that starts at line {line} "
                                         "is not closed (a closing quote is missing)"),
])
def test_what_was_typed_is_named_with_its_line(project: Path, old: str, new: str, expected: str) -> None:
    edit(project, old, new)
    line = line_with(project, new)
    status, output = run_cli("check", DAY)
    assert status == 2 and "Traceback" not in output
    assert f"{MEETING}{expected.format(line=line)}" in output, output
    if "quoted" in expected:  # and where the parser noticed: the next line, where the next quote closed it
        assert output.split("\n")[0].endswith(f"at line {line + 1}")


def test_an_agenda_past_the_end_or_midnight_warns_naming_the_case(paths: Paths, project: Path) -> None:
    edit(project, 'start: "09:00"\nend: "11:30"', 'start: "22:00"\nend: "23:50"')
    _, meeting = sample(paths)
    warnings = agenda_warnings(meeting)
    line = line_with(project, "title: Fordeling")
    assert warnings == [f"{MEETING}:{line}: warning: cases[3] 'Fordeling av ansvar for studieadministrative "
                        "tjenester' ends at 00.05 the next day, past midnight (24.00)"]
    edit(project, 'start: "22:00"\nend: "23:50"', 'start: "09:00"\nend: "10:30"')
    _, meeting = sample(paths)
    assert agenda_warnings(meeting)[0].endswith("cases[2] 'Ny løsning for saksbehandling og arkiv' ends at 10.35, "
                                                "past the meeting's end 10.30 (and 1 case after it)")
    status, output = run_cli("check", DAY)
    assert status == 0 and "past the meeting's end 10.30" in output
