"""`alu-docs new-case` and `new-meeting`: a commented form appended to meeting.yaml as text,
which `alu-docs check` refuses, naming each field, until it is filled in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alu_docs.scaffold import case_skeleton, insert_case
from alu_docs.schema import CASE
from tests.conftest import run_cli

UNFILLED = ["title", "type", "presenter", "duration", "summary"]


def test_new_case_then_check_names_every_unfilled_field_and_keeps_comments(project: Path) -> None:
    path = project / "meetings/2025-09-24/meeting.yaml"
    before = path.read_text(encoding="utf-8")
    code, output = run_cli("new-case", "2025-09-24")
    assert code == 0, output
    assert "meetings/2025-09-24/meeting.yaml:12: a case skeleton was added" in output
    after = path.read_text(encoding="utf-8")
    assert after.replace(case_skeleton(2), "") == before  # only added: comments, order, quoting kept
    assert "# EXAMPLE CONTENT: a planned meeting with one proposed case." in after
    assert "# Sakens tittel" in after and "# Tidsbruk i minutter" in after
    code, output = run_cli("check", "2025-09-24")
    assert code == 2
    lines = [line for line in output.splitlines() if "not filled in" in line]
    assert [re.search(r"cases\[1\]\.(\w+):", line).group(1) for line in lines] == UNFILLED
    assert lines[0] == "meetings/2025-09-24/meeting.yaml:13: cases[1].title: not filled in: expected text"
    assert ("meetings/2025-09-24/meeting.yaml:14: cases[1].type: not filled in: expected one of decision, "
            "discussion, information") in lines
    assert "5 problems found; nothing was written." in output
    assert "Traceback" not in output


def test_filled_skeleton_passes_check(project: Path) -> None:
    path = project / "meetings/2025-09-24/meeting.yaml"
    assert run_cli("new-case", "2025-09-24")[0] == 0
    text = path.read_text(encoding="utf-8")
    for key, value in (("title", "Ny sak"), ("type", "information"), ("presenter", "Hege Brende"),
                       ("duration", "15")):
        text = re.sub(rf"^(\s+(- )?{key}:)(\s+#)", rf"\1 {value}\3", text, count=1, flags=re.M)
    text = re.sub(r"^(    summary: \|\s+# Bakgrunn.*\n)", r"\1      Hva saken gjelder.\n", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    code, output = run_cli("check", "2025-09-24")
    assert code == 0, output


def test_skeleton_is_generated_from_the_schema() -> None:
    skeleton = case_skeleton(2)
    for name, key in CASE.keys.items():
        if key.spec.hint:
            assert re.search(rf"^\s+(- )?{name}:.*# {re.escape(key.spec.hint)}", skeleton, re.M), name
        else:
            assert name in skeleton.splitlines()[-1]  # named as written by alu-docs / the secretary


@pytest.mark.parametrize("text", [
    "date: 2025-09-24\ncases: []   # sakene\nminutes:\n  status: none\n",
    "date: 2025-09-24\ncases:\nminutes:\n  status: none\n",
    "date: 2025-09-24\n# ingen saker ennå\n",
    "date: 2025-09-24\ncases:\n- title: Gammel\n  type: information\n  presenter: Hege Brende\n"
    "  duration: 5\n  summary: |\n    Tekst.\n\n# kommentar til minutes\nminutes:\n  status: none\n",
])
def test_insert_case_handles_every_form_of_cases(text: str) -> None:
    import yaml

    new, _ = insert_case(text, "meeting.yaml")
    data = yaml.safe_load(new)
    assert data["cases"][-1]["title"] is None and data["cases"][-1]["summary"] == ""
    assert data.get("minutes") == yaml.safe_load(text).get("minutes")
    kept = [line for line in text.splitlines() if line.strip().startswith("#")]
    assert all(line in new for line in kept)


def test_new_case_refuses_a_flow_list_and_a_missing_meeting(project: Path) -> None:
    path = project / "meetings/2025-09-24/meeting.yaml"
    path.write_text("date: 2025-09-24\ncases: [{title: A}]\n", encoding="utf-8")
    code, output = run_cli("new-case", "2025-09-24")
    assert code == 2 and "cases: is written as a [...] list" in output
    assert path.read_text(encoding="utf-8") == "date: 2025-09-24\ncases: [{title: A}]\n"
    code, output = run_cli("new-case", "2031-01-01")
    assert code == 2
    assert "error: meetings/2031-01-01/meeting.yaml does not exist; create the meeting first with: " \
           "alu-docs new-meeting 2031-01-01" in output


def test_new_meeting_uses_the_committee_defaults_and_refuses_to_replace(project: Path) -> None:
    code, output = run_cli("new-meeting", "2026-01-14")
    assert code == 0, output
    path = project / "meetings/2026-01-14/meeting.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'start: "09:00"' in text and 'end: "11:30"' in text and "place: Hovedbygningen, Gløshaugen" in text
    assert run_cli("check", "2026-01-14")[0] == 0
    assert run_cli("new-case", "2026-01-14")[0] == 0
    assert run_cli("check", "2026-01-14")[0] == 2
    changed = path.read_text(encoding="utf-8")
    code, output = run_cli("new-meeting", "2026-01-14")
    assert code == 2 and "already exists" in output
    assert path.read_text(encoding="utf-8") == changed
    code, output = run_cli("new-meeting", "2026-02-30")
    assert code == 2 and "expected a date YYYY-MM-DD; got '2026-02-30'" in output
    assert not (project / "meetings/2026-02-30").exists()
