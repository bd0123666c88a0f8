"""Real mistakes in meeting.yaml: each gets exit 2, the file, line and key, no traceback,
and the archive is left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

MEETING = "meetings/2025-08-27/meeting.yaml"
FILE = MEETING


def edit(project: Path, old: str, new: str, count: int = 1) -> None:
    path = project / MEETING
    text = path.read_text(encoding="utf-8")
    assert old in text, f"sample changed: {old!r} not found"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(project: Path, needle: str) -> int:
    lines = (project / MEETING).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def assert_rejected(project: Path, *expected: str) -> str:
    """check and build both fail with exit 2, print every expected line, write nothing."""
    (project / "archive" / "keep.txt").write_text("x")
    before = snapshot(project / "archive")
    status, output = run_cli("check", "2025-08-27")
    assert status == 2, output
    assert "Traceback" not in output
    for line in expected:
        assert line in output, f"missing {line!r} in:\n{output}"
    status, build_output = run_cli("build", "2025-08-27")
    assert status == 2
    assert snapshot(project / "archive") == before
    return output


def test_type_typo_names_file_line_key_and_choices(project: Path) -> None:
    edit(project, "type: decision", "type: vedtak?")
    line = line_of(project, "type: vedtak?")
    assert_rejected(project, f"{FILE}:{line}: cases[1].type: expected one of decision, discussion, "
                             "information; got 'vedtak?'")


def test_unknown_key_suggests_the_close_one(project: Path) -> None:
    edit(project, "presenter: Annikken Løe", "presentor: Annikken Løe")
    line = line_of(project, "presentor:")
    assert_rejected(project, f"{FILE}:{line}: cases[3].presentor: unknown key; did you mean 'presenter'?",
                    "cases[3].presenter: missing required key")


def test_duplicate_key_is_an_error(project: Path) -> None:
    edit(project, "    duration: 40\n", "    duration: 40\n    duration: 45\n")
    line = line_of(project, "duration: 45")
    assert_rejected(project, f"{FILE}:{line}: cases[1].duration: duplicate key")


def test_every_problem_is_reported_at_once(project: Path) -> None:
    edit(project, "type: decision", "type: vedtak")
    edit(project, "duration: 20", "duration: tjue")
    edit(project, "end: \"11:30\"", "end: \"08:00\"")
    output = assert_rejected(project, "cases[1].type", "cases[2].duration: expected a whole number; got 'tjue'",
                             "end: expected a time after the start 09:00; got 08:00")
    assert "3 problems found; nothing was written." in output


def test_date_must_match_the_folder(project: Path) -> None:
    edit(project, "date: 2025-08-27", "date: 2025-08-28")
    assert_rejected(project, f"{FILE}:4: date: expected 2025-08-27 (the folder's name); got 2025-08-28")


def test_impossible_date(project: Path) -> None:
    edit(project, "due: 2025-10-15", "due: 2025-02-30")
    line = line_of(project, "due: 2025-02-30")
    assert_rejected(project, f"{FILE}:{line}: cases[0].actions[0].due: expected a real date YYYY-MM-DD; "
                             "got '2025-02-30'")


def test_bad_time(project: Path) -> None:
    edit(project, 'start: "09:00"', 'start: "25:00"')
    assert_rejected(project, f"{FILE}:5: start: expected a time HH:MM; got '25:00'")


def test_unquoted_time_is_read_as_written(project: Path) -> None:
    # YAML 1.1 reads 09:00 unquoted as the number 540; the schema takes it as written.
    edit(project, 'start: "09:00"', "start: 09:00")
    status, output = run_cli("check", "2025-08-27")
    assert status == 0, output


def test_presenter_not_in_roster_gets_did_you_mean(project: Path) -> None:
    edit(project, "presenter: Hege Brende", "presenter: Hege Brände")
    line = line_of(project, "Hege Brände")
    assert_rejected(project, f"{FILE}:{line}: cases[0].presenter: expected a name from the roster on "
                             "2025-08-27 or a guest written as {name:, unit:}; got 'Hege Brände'; "
                             "did you mean 'Hege Brende'?")


def test_absent_name_must_be_in_roster(project: Path) -> None:
    edit(project, "absent: [Arve Sletten, Sigurd Eriksson]", "absent: [Arve Sletten, Sigurd Eriksen]")
    assert_rejected(project, "attendance.absent[1]: expected a name from the roster on 2025-08-27 "
                             "(meetings/committee.yaml); got 'Sigurd Eriksen'; did you mean 'Sigurd Eriksson'?")


@pytest.mark.parametrize(("written", "message"), [
    ("../../committee.yaml", "expected a path inside the meeting folder; got '../../committee.yaml' (no '..')"),
    ("/etc/passwd", "expected a path relative to the meeting folder; got absolute path '/etc/passwd'"),
    ("vedlegg/mangler.pdf", "file not found: meetings/2025-08-27/vedlegg/mangler.pdf"),
])
def test_attachment_paths_are_refused(project: Path, written: str, message: str) -> None:
    edit(project, "file: vedlegg/omstilling-statusnotat.pdf", f"file: {written}")
    line = line_of(project, f"file: {written}")
    assert_rejected(project, f"{FILE}:{line}: cases[0].attachments[0].file: {message}")


def test_attachment_symlink_out_of_the_folder(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF-1.4\n")
    os.symlink(outside, project / "meetings/2025-08-27/vedlegg/lenke.pdf")
    edit(project, "file: vedlegg/omstilling-statusnotat.pdf", "file: vedlegg/lenke.pdf")
    assert_rejected(project, "cases[0].attachments[0].file: expected a file inside the meeting folder; "
                             "'vedlegg/lenke.pdf' is a link to outside it")


def test_attachment_that_is_not_a_pdf(project: Path) -> None:
    (project / "meetings/2025-08-27/vedlegg/notat.pdf").write_text("Dette er Word-tekst, ikke PDF")
    edit(project, "file: vedlegg/omstilling-statusnotat.pdf", "file: vedlegg/notat.pdf")
    assert_rejected(project, "cases[0].attachments[0].file: expected a PDF; 'vedlegg/notat.pdf' is not one")


def test_not_utf8_gets_a_clear_error(project: Path) -> None:
    path = project / MEETING
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    output = assert_rejected(project, f"{FILE}:")
    assert "not UTF-8" in output and "save the file as UTF-8" in output


def test_windows_file_with_bom_and_crlf_is_fine(project: Path) -> None:
    path = project / MEETING
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    status, output = run_cli("check", "2025-08-27")
    assert status == 0, output


def test_yaml_tags_are_refused(project: Path) -> None:
    edit(project, "place: Hovedbygningen, Gløshaugen, møterom 201",
         "place: !!python/object/apply:os.system ['touch /tmp/alu-pwned']")
    assert_rejected(project, f"{FILE}:7: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed")
    assert not Path("/tmp/alu-pwned").exists()


def test_syntax_error_names_the_line(project: Path) -> None:
    edit(project, "    duration: 40\n", "    duration: 40\n   bad indent: x\n")
    output = assert_rejected(project, f"{FILE}:")
    assert "YAML syntax error" in output


def test_tab_indentation_is_explained(project: Path) -> None:
    edit(project, "    duration: 40\n", "\tduration: 40\n")
    assert_rejected(project, "use spaces, not tabs")


def test_control_character_is_refused(project: Path) -> None:
    edit(project, "title: Ny løsning for saksbehandling og arkiv", 'title: "Ny løsning\\x07"')
    assert_rejected(project, "cases[2].title: contains the control character U+0007")


def test_empty_file(project: Path) -> None:
    (project / MEETING).write_text("")
    assert_rejected(project, f"{FILE}:1: the file is empty")


def test_cases_written_as_a_mapping(project: Path) -> None:
    path = project / MEETING
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("cases:")[0] + "cases:\n  title: X\n", encoding="utf-8")
    assert_rejected(project, "cases: expected a list; got a mapping")


def test_error_in_another_meeting_is_named(project: Path) -> None:
    other = project / "meetings/2025-09-24/meeting.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("type: information", "type: info"))
    status, output = run_cli("check")
    assert status == 2
    assert "meetings/2025-09-24/meeting.yaml:" in output and "cases[0].type" in output


def test_roster_file_errors_name_the_roster(project: Path) -> None:
    path = project / "meetings/committee.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cadence_weeks: 3", "cadence_weeks: tre"))
    status, output = run_cli("check")
    assert status == 2
    assert "meetings/committee.yaml:" in output and "cadence_weeks: expected a whole number; got 'tre'" in output


BAD_VALUES = ["[", "{a: 1}", "[1, 2]", "", "null", "!!binary aGVp", "12", "true", "2025-13-01", "'", "*x", "&a b"]


@pytest.mark.parametrize(("target", "values", "minimum"), [
    (MEETING, BAD_VALUES, 300),
    ("meetings/committee.yaml", BAD_VALUES[:7], 200),
])
def test_no_mutation_of_the_sample_gives_a_traceback(project: Path, target: str, values: list[str],
                                                    minimum: int) -> None:
    """Replace each value of a sample file by each kind of wrong value: every run must end
    in exit 0 or 2 with a message naming the file, never a traceback."""
    path = project / target
    original = path.read_text(encoding="utf-8").splitlines()
    runs = 0
    for number, line in enumerate(original):
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        key = line.split(":", 1)[0]
        for bad in values:
            lines = list(original)
            lines[number] = f"{key}: {bad}"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            status, output = run_cli("check", "2025-08-27")
            runs += 1
            assert status in (0, 2), f"line {number + 1} -> {bad!r}: exit {status}\n{output}"
            assert "Traceback" not in output, output
            if status == 2:
                assert ".yaml:" in output, output
    assert runs > minimum
