"""Minutes lifecycle: approval that nothing rewrites, follow-up across meetings, public
and internal editions, meetings without minutes."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from alu_docs.paths import Paths
from alu_docs.verify import verify
from tests.conftest import pdftotext, run_cli

DAY = "2025-08-27"
MINUTES_PDF = f"archive/2025/{DAY}/ALU-{DAY}-referat.pdf"
MINUTES_DOCX = f"archive/2025/{DAY}/ALU-{DAY}-referat.docx"
SECRET = "Blåbærsyltetøy"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_approval_freezes_the_minutes(project: Path, paths: Paths, soffice: None, poppler: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    assert "UTKAST" in pdftotext(project / MINUTES_PDF)
    status, output = run_cli("approve", DAY)
    assert status == 0, output
    assert "status: approved" in (project / "meetings" / DAY / "meeting.yaml").read_text(encoding="utf-8")
    approved_pdf = (project / MINUTES_PDF).read_bytes()
    approved_docx = (project / MINUTES_DOCX).read_bytes()
    assert "UTKAST" not in pdftotext(project / MINUTES_PDF)
    manifest = json.loads((project / "archive/manifest.json").read_text())
    assert manifest["meetings"][DAY]["approved"]["pdf"]["public"]
    assert manifest["files"][MINUTES_PDF.removeprefix("archive/")]["approved"] is True

    # the secretary edits a conclusion afterwards: the build says so and keeps the files
    replace(project / "meetings" / DAY / "meeting.yaml", "ALU støtter at samordning", "ALU mener at samordning")
    status, output = run_cli("build", DAY)
    assert status == 0, output
    assert "approved minutes are left unchanged" in output
    assert (project / MINUTES_PDF).read_bytes() == approved_pdf
    assert (project / MINUTES_DOCX).read_bytes() == approved_docx
    assert verify(paths) == []

    # approving again needs an explicit, logged re-approval
    status, output = run_cli("approve", DAY)
    assert status == 2 and "--reapprove" in output
    status, output = run_cli("approve", DAY, "--reapprove")
    assert status == 2 and "--reason" in output
    status, output = run_cli("approve", DAY, "--reapprove", "--reason", "Feil i konklusjonen i sak 1/25")
    assert status == 0, output
    assert "ALU mener at samordning" in flat(pdftotext(project / MINUTES_PDF))
    log = json.loads((project / "archive/manifest.json").read_text())["log"]
    assert any(e["event"] == "minutes re-approved" and "Feil i konklusjonen" in e["reason"] for e in log)


def test_a_changed_byte_in_approved_minutes_fails_verify(project: Path, paths: Paths, soffice: None) -> None:
    assert run_cli("approve", DAY)[0] == 0
    assert verify(paths) == []
    with (project / MINUTES_PDF).open("ab") as fh:
        fh.write(b"\n")
    problems = verify(paths)
    assert problems == [f"{MINUTES_PDF.removeprefix('archive/')}: approved minutes changed: sha256 differs "
                        "from the manifest"]


def test_next_minutes_record_the_approval(project: Path, soffice: None, poppler: None) -> None:
    september = project / "meetings/2025-09-24/meeting.yaml"
    replace(september, "status: none", "status: draft")
    assert run_cli("build", "2025-09-24")[0] == 0
    text = flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-referat.pdf"))
    assert "Referat fra møtet 27.08.25 foreligger som utkast" in text
    assert run_cli("approve", DAY)[0] == 0
    assert run_cli("build", "2025-09-24")[0] == 0
    text = flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-referat.pdf"))
    assert "Referat fra møtet 27.08.25 ble godkjent." in text


def test_open_action_follows_until_done(project: Path, soffice: None, poppler: None) -> None:
    assert run_cli("build", "2025-09-24")[0] == 0
    notice = flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-innkalling.pdf"))
    assert "Oppfølgingspunkter fra tidligere møter" in notice
    assert "Legge fram revidert framdriftsplan" in notice and "15.10.25" in notice
    status, output = run_cli("actions", "--today", "2025-10-20")
    assert status == 0
    assert output.startswith("OVERDUE 2025-10-15  meeting 2025-08-27  case 1/25  Hege Brende: Legge fram")

    replace(project / "meetings" / DAY / "meeting.yaml", "        due: 2025-10-15",
            "        due: 2025-10-15\n        done: 2025-09-20")
    assert run_cli("build", "2025-09-24")[0] == 0
    notice = flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-innkalling.pdf"))
    assert "Legge fram revidert framdriftsplan" not in notice
    assert run_cli("actions", "--today", "2025-10-20")[1].strip() == "No open follow-up actions."


def test_overdue_actions_are_marked_in_the_notice(project: Path, soffice: None, poppler: None) -> None:
    november = project / "meetings/2025-11-05/meeting.yaml"
    november.write_text(november.read_text(encoding="utf-8").replace("minutes:", """cases:
  - title: Status for oppfølgingspunkter
    type: information
    presenter: Hege Brende
    duration: 15
    summary: Gjennomgang.
minutes:"""), encoding="utf-8")
    assert run_cli("build", "2025-11-05")[0] == 0
    notice = flat(pdftotext(project / "archive/2025/2025-11-05/ALU-2025-11-05-innkalling.pdf"))
    assert "15.10.25 (forfalt)" in notice


def test_attendance_forms_in_the_minutes(project: Path, soffice: None, poppler: None) -> None:
    replace(project / "meetings" / DAY / "meeting.yaml", "    Bernt Asle Arntsen: til kl. 10.30",
            "    Bernt Asle Arntsen: til kl. 10.30\n    Hege Brende: deltok ikke under sak 4/25\n"
            "    Ola Normann: fra kl. 09.30")
    replace(project / "meetings" / DAY / "meeting.yaml", "attendance:\n",
            "attendance:\n  referent: Siri Sekretær\n  observers: [Per Observatør]\n")
    assert run_cli("build", DAY)[0] == 0
    text = flat(pdftotext(project / MINUTES_PDF))
    assert "Bernt Asle Arntsen (IE) (til kl. 10.30)" in text
    assert "Hege Brende (Avdeling for utvikling og virksomhetsstyring) (deltok ikke under sak 4/25)" in text
    assert "Ola Normann (fra kl. 09.30) for Arve Sletten" in text
    assert "Forfall Arve Sletten, Sigurd Eriksson" in text
    assert "Observatører Per Observatør" in text
    assert "Kari Nordmann (IT-avdelingen), under sak 3/25" in text
    assert "Referent Siri Sekretær" in text
    present = text.split("Til stede")[1].split("Forfall")[0]
    assert "Sigurd Eriksson" not in present and "Bjørn Haugstad (leder)" in present


def test_roster_as_of_the_meeting_date(project: Path, soffice: None, poppler: None) -> None:
    committee = project / "meetings/committee.yaml"
    replace(committee, "  - name: Knut Aspås\n", "  - name: Knut Aspås\n    from: 2025-09-01\n")
    replace(committee, "  - name: Sigurd Eriksson\n", "  - name: Sigurd Eriksson\n    to: 2025-08-31\n"
                                                       "  - name: Ny Bibliotekdirektør\n    from: 2025-09-01\n")
    assert run_cli("build", DAY)[0] == 0
    assert run_cli("build", "2025-09-24")[0] == 0
    august = flat(pdftotext(project / f"archive/2025/{DAY}/ALU-{DAY}-innkalling.pdf"))
    september = flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-innkalling.pdf"))
    assert "Knut Aspås" not in august and "Knut Aspås" in september
    assert "Sigurd Eriksson" in august and "Sigurd Eriksson" not in september
    assert "Ny Bibliotekdirektør" in september


def test_not_written_minutes_are_a_state(project: Path, soffice: None) -> None:
    replace(project / "meetings" / DAY / "meeting.yaml", "  status: draft",
            "  status: not-written\n  note: Referat ble ikke skrevet.")
    assert run_cli("build", DAY)[0] == 0
    folder = project / f"archive/2025/{DAY}"
    assert (folder / f"ALU-{DAY}-innkalling.pdf").exists()
    assert not list(folder.glob("*referat*"))


def all_public_text(archive: Path) -> str:
    """Everything a reader of archive/ could see: PDF text, metadata, outlines, DOCX XML,
    any other file's bytes."""
    parts = []
    for path in archive.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            reader = PdfReader(path)
            parts.append(pdftotext(path))
            parts.append(str(reader.metadata))
            parts.append(repr(reader.outline))
            parts.append(path.read_bytes().decode("latin-1"))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                parts.extend(docx.read(name).decode("utf-8", "replace") for name in docx.namelist())
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.fixture
def confidential(project: Path) -> Path:
    """A confidential case whose title, summary, attachment and conclusion carry a marker word."""
    path = project / "meetings" / DAY / "meeting.yaml"
    replace(path, "attendance:\n", f"""  - title: Personalsak {SECRET}
    type: decision
    presenter: Arne Kr. Hestnes
    duration: 15
    confidential: offl. § 13, jf. fvl. § 13
    summary: Saken gjelder {SECRET} og en navngitt ansatt.
    attachments:
      - file: vedlegg/omstilling-statusnotat.pdf
        title: Notat om {SECRET}
    conclusion: ALU gir råd om {SECRET}.
    actions:
      - task: Følge opp {SECRET}
        owner: Arne Kr. Hestnes
        due: 2025-09-10
attendance:
""")
    return path


def test_confidential_case_leaves_no_trace_in_the_archive(project: Path, confidential: Path, soffice: None,
                                                          poppler: None) -> None:
    status, output = run_cli("build", DAY)
    assert status == 0, output
    assert run_cli("build", "2025-09-24")[0] == 0
    status, output = run_cli("search", "omstilling")  # fills the search cache in .alu-work/cache/
    assert status == 0 and "2025-08-27" in output
    assert (project / "archive/ALU-moter.ics").exists() and list((project / ".alu-work/cache").iterdir())
    # the search cache holds public text only (the rest of .alu-work/ is private working state)
    public = all_public_text(project / "archive") + (project / ".alu-work/cache/pdf-text.json").read_text()
    assert SECRET not in public
    notice = flat(pdftotext(project / f"archive/2025/{DAY}/ALU-{DAY}-innkalling.pdf"))
    assert "offl. § 13, jf. fvl. § 13" in notice and "Unntatt offentlighet" in notice
    minutes = flat(pdftotext(project / MINUTES_PDF))
    assert "5/25 Unntatt offentlighet (offl. § 13, jf. fvl. § 13)" in minutes

    internal = project / f"internal/2025/{DAY}"
    assert SECRET in flat(pdftotext(internal / f"ALU-{DAY}-innkalling.pdf"))
    assert SECRET in flat(pdftotext(internal / f"ALU-{DAY}-referat.pdf"))
    assert "must not be published" in (project / "internal/README.md").read_text().lower() or \
        "do not publish" in (project / "internal/README.md").read_text().lower()


def test_confidential_action_is_not_in_public_follow_up(project: Path, confidential: Path, soffice: None,
                                                        poppler: None) -> None:
    assert run_cli("build", "2025-09-24")[0] == 0
    notice = flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-innkalling.pdf"))
    assert "Legge fram revidert framdriftsplan" in notice
    assert SECRET not in notice


def test_open_actions_in_library_order(paths: Paths) -> None:
    from alu_docs.followup import open_actions

    found = open_actions(paths, dt.date(2025, 10, 20))
    assert [(o.case, o.action.owner) for o in found] == [("1/25", "Hege Brende")]
    action = found[0].action
    assert action.overdue_on(dt.date(2025, 10, 20)) and not action.overdue_on(dt.date(2025, 10, 1))
    action.done = dt.date(2025, 10, 10)  # the one rule: open until the day it is done, not after
    assert action.open_on(dt.date(2025, 10, 9)) and not action.open_on(dt.date(2025, 10, 10))
