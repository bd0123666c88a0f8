"""Issue 11 through the real path (LibreOffice, PDFs read back with poppler): a meeting's
notice is issued, then retitled, extended, a case withdrawn, the meeting moved twice,
cancelled, emptied; and a confidential case whose every field carries a marker word."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from alu_docs.mail import compose
from alu_docs.paths import Paths
from tests.conftest import ROOT, need, pdftotext, run_cli, snapshot

DAY = "2025-08-27"


def flat(text: str) -> str:
    return " ".join(text.split())


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Record:
    """What the archive has issued so far: every issued (or superseded) PDF by path and sha256."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.archive = project / "archive"
        self.seen: dict[str, str] = {}

    def manifest(self) -> dict:
        return json.loads((self.archive / "manifest.json").read_text(encoding="utf-8"))

    def issued(self) -> dict[str, str]:
        return {r: e["sha256"] for r, e in self.manifest()["files"].items()
                if r.endswith(".pdf") and (e.get("issued") or e.get("superseded"))}

    def build(self, date: str, *more: str) -> str:
        status, output = run_cli("build", date, *more)
        assert status == 0, output
        return output

    def check(self, date: str, change: str, numbers: list[str]) -> str:
        """After a step: the current notice says "Revidert" and names the change; no issued PDF
        is gone (by path and by content); the case numbers are as before; verify passes; the
        index lists superseded versions."""
        notice = self.archive / f"{date[:4]}/{date}/ALU-{date}-innkalling.pdf"
        text = flat(pdftotext(notice))
        assert "Revidert innkalling" in text and change in text, text[:600]
        pdfs = {p.relative_to(self.archive).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in self.archive.rglob("*.pdf")}
        assert set(self.seen) <= set(pdfs), set(self.seen) - set(pdfs)
        assert set(self.seen.values()) <= set(pdfs.values())
        for number in numbers:
            assert f"{number} " in text, number
        status, output = run_cli("verify")
        assert status == 0, output
        index = flat(pdftotext(self.archive / "index.pdf"))
        assert re.search(r"Innkalling \(versjon \d+, erstattet \d\d\.\d\d\.\d\d\)", index), index[:800]
        self.seen = self.issued()
        return text


def yaml_numbers(path: Path) -> list[int]:
    return [int(n) for n in re.findall(r"^    number: (\d+)", path.read_text(encoding="utf-8"), re.M)]


@pytest.mark.slow
def test_every_change_to_an_issued_meeting_is_a_revision_and_nothing_issued_is_lost(
        project: Path, soffice: None, poppler: None) -> None:
    record = Record(project)
    yaml = project / f"meetings/{DAY}/meeting.yaml"
    record.build(DAY)
    first = record.issued()
    assert "Revidert" not in pdftotext(project / f"archive/2025/{DAY}/ALU-{DAY}-innkalling.pdf")
    assert yaml_numbers(yaml) == [1, 2, 3, 4]
    record.seen = first

    # unchanged content: a forced rebuild leaves every issued file as it was, byte for byte
    output = record.build(DAY, "--force")
    assert record.issued() == first and "4 issued documents unchanged" not in output
    assert "6 issued documents unchanged, left as issued" in output

    # (a) a case retitled
    edit(yaml, "title: Ny løsning for saksbehandling og arkiv", "title: Ny løsning for saksbehandling og innsyn")
    output = record.build(DAY)
    assert "Sak 3/25 har fått ny tittel" in output
    record.check(DAY, "Sak 3/25 har fått ny tittel: Ny løsning for saksbehandling og innsyn",
                 ["1/25", "2/25", "3/25", "4/25"])
    folder = project / f"archive/2025/{DAY}"
    assert "Ny løsning for saksbehandling og arkiv" in flat(pdftotext(folder / f"ALU-{DAY}-sak-003-v1.pdf"))
    entry = record.manifest()["files"][f"2025/{DAY}/ALU-{DAY}-innkalling-v1.pdf"]
    assert entry["superseded"] and entry["version"] == 1
    assert record.manifest()["files"][f"2025/{DAY}/ALU-{DAY}-innkalling.pdf"]["version"] == 2
    assert compose(Paths.at(project), dt.date.fromisoformat(DAY)).message["Subject"].startswith("Revidert innkalling")

    # a current issued file lost from the disk is written again: same version, no new issue
    (folder / f"ALU-{DAY}-sak-001.pdf").unlink()
    record.build(DAY)
    assert (folder / f"ALU-{DAY}-sak-001.pdf").is_file() and not (folder / f"ALU-{DAY}-sak-001-v1.pdf").exists()
    assert run_cli("verify")[0] == 0
    record.seen = record.issued()

    # (b) a case added: the next free number of the year
    edit(yaml, "attendance:\n", "  - title: Budsjett 2026 for fellesadministrasjonen\n    type: information\n"
                                "    presenter: Ingrid Volden\n    duration: 15\n    summary: Rammene for 2026.\n"
                                "attendance:\n")
    record.build(DAY)
    record.check(DAY, "Ny sak 5/25 Budsjett 2026 for fellesadministrasjonen", ["1/25", "3/25", "5/25"])
    assert yaml_numbers(yaml) == [1, 2, 3, 4, 5]

    # (c) a case withdrawn: it keeps its number and shows as withdrawn
    edit(yaml, "    presenter: Bjørn Haugstad\n", "    presenter: Bjørn Haugstad\n    withdrawn: Ikke ferdig utredet\n")
    record.build(DAY)
    text = record.check(DAY, "Sak 2/25 trukket", ["1/25", "2/25", "5/25"])
    assert "2/25 Trukket: Strategi for administrasjonen" in text
    assert (folder / f"ALU-{DAY}-sak-002.pdf").is_file()  # its issued paper stays

    # (d) moved to the next week, then into January: numbers and their year stay
    status, output = run_cli("move", DAY, "2025-09-03")
    assert status == 0, output
    assert not (project / f"meetings/{DAY}").exists() and (project / "meetings/2025-09-03/vedlegg").is_dir()
    record.check("2025-09-03", "Møtet er flyttet fra 27.08.25 til 03.09.25", ["1/25", "2/25", "3/25", "5/25"])
    index = flat(pdftotext(project / "archive/index.pdf"))
    assert "onsdag 27. august 2025 Møtet ble flyttet til onsdag 3. september 2025." in index
    status, output = run_cli("move", "2025-09-03", "2026-01-14")
    assert status == 0, output
    yaml = project / "meetings/2026-01-14/meeting.yaml"
    assert "moved_from: [2025-08-27, 2025-09-03]" in yaml.read_text(encoding="utf-8")
    text = record.check("2026-01-14", "Møtet er flyttet fra 03.09.25 til 14.01.26",
                        ["1/25", "2/25", "3/25", "4/25", "5/25"])
    assert "/26" not in text and yaml_numbers(yaml) == [1, 2, 3, 4, 5]
    index = flat(pdftotext(project / "archive/index.pdf"))
    assert "onsdag 3. september 2025 Møtet ble flyttet til onsdag 14. januar 2026." in index
    assert "onsdag 27. august 2025 Møtet ble flyttet til onsdag 14. januar 2026." in index

    # (e) cancelled
    edit(yaml, "kind: ordinary\n", "kind: ordinary\ncancelled: For få saker til behandling\n")
    record.build("2026-01-14")
    record.check("2026-01-14", "Møtet er avlyst: For få saker til behandling", ["1/25"])
    assert not (project / "archive/2026/2026-01-14/ALU-2026-01-14-referat.pdf").exists()  # a draft: not issued

    # (f) every case deleted: an error that says to withdraw instead; nothing written
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text[:text.index("cases:\n")] + "cases: []\n" + text[text.index("attendance:\n"):],
                    encoding="utf-8")
    before = snapshot(project / "archive"), snapshot(project / "meetings"), snapshot(project / "internal")
    status, output = run_cli("build", "2026-01-14")
    assert status == 2, output
    assert "meetings/2026-01-14/meeting.yaml: cases: case 1/25" in output and "withdrawn: <reason>" in output
    assert (snapshot(project / "archive"), snapshot(project / "meetings"), snapshot(project / "internal")) == before
    assert run_cli("verify")[0] == 0


MARK = "zqxw"  # in every field of the confidential case, in no other text of the project

CONTENT = f"""title: Personalsak {MARK}
type: decision
presenter: {{name: Innleder {MARK}sen, unit: Enhet {MARK}}}
summary: |
  Saken gjelder {MARK} og en navngitt ansatt.
attachments:
  - file: unntatt/{MARK}-notat.pdf
    title: Notat om {MARK}
guests:
  - {{name: Gjest {MARK}dottir, unit: {MARK}-kontoret}}
notes: Drøftet {MARK}.
conclusion: ALU gir råd om {MARK}.
actions:
  - task: Følge opp {MARK}
    owner: Ansvarlig {MARK}
    due: 2025-09-10
"""


def public_text(folder: Path) -> str:
    """Every file's text and name under `folder`: PDFs through pdftotext, DOCX through their XML."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        parts.append(path.relative_to(folder).as_posix())
        if path.suffix == ".pdf":
            parts.append(pdftotext(path))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                parts.extend(docx.read(n).decode("utf-8", "replace") for n in docx.namelist() if n.endswith(".xml"))
        parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts).lower()


@pytest.mark.slow
def test_a_confidential_case_is_in_no_archived_no_tracked_file_and_searched_only_internally(
        project: Path, soffice: None, poppler: None) -> None:
    need("git")
    shutil.copy(ROOT / ".gitignore", project / ".gitignore")
    folder = project / f"meetings/{DAY}"
    (folder / "unntatt").mkdir()
    (folder / f"unntatt/{MARK}-notat.pdf").write_bytes((folder / "vedlegg/omstilling-statusnotat.pdf").read_bytes())
    (folder / "unntatt/sak-5.yaml").write_text(CONTENT, encoding="utf-8")
    edit(folder / "meeting.yaml", "attendance:\n", "  - confidential: offl. § 13, jf. fvl. § 13\n    duration: 15\n"
                                                   "    content: unntatt/sak-5.yaml\nattendance:\n")
    git = ["git", "-C", str(project), "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "meetings"], check=True)

    status, output = run_cli("check")
    assert status == 0, output
    for date in (DAY, "2025-09-24"):  # the later meeting follows up the confidential case's action
        status, output = run_cli("build", date)
        assert status == 0, output
    assert run_cli("search", MARK)[1].endswith(f"0 hits for '{MARK}'\n")
    assert "ALU-sak 5/25  Unntatt offentlighet (offl. § 13, jf. fvl. § 13)" in run_cli("search", "offl.")[1]
    status, output = run_cli("search", "--internal", MARK)
    assert status == 0 and f"ALU-sak 5/25  Personalsak {MARK}" in output and "1 hit" in output
    assert MARK not in run_cli("actions", "--today", "2025-09-30")[1]
    assert f"Ansvarlig {MARK}: Følge opp {MARK}" in run_cli("actions", "--today", "2025-09-30", "--internal")[1]

    subprocess.run([*git, "add", "-A"], check=True)  # the secretary commits what the builds wrote back
    tracked = subprocess.run([*git, "ls-files", "-z"], capture_output=True, text=True, check=True).stdout
    names = [name for name in tracked.split("\0") if name]
    assert "meetings/2025-08-27/meeting.yaml" in names and not any("unntatt" in name for name in names)
    for name in names:
        assert MARK not in name.lower() and MARK not in (project / name).read_bytes().decode("utf-8", "replace")
    assert MARK not in public_text(project / "archive")
    # the search cache holds public text only (the rest of .alu-work/ is private working state, git-ignored)
    assert MARK not in (project / ".alu-work/cache/pdf-text.json").read_text(encoding="utf-8")

    internal = project / "internal/2025"
    assert f"følge opp {MARK}" in flat(pdftotext(internal / "2025-09-24/ALU-2025-09-24-innkalling.pdf")).lower()
    minutes = flat(pdftotext(internal / f"{DAY}/ALU-{DAY}-referat.pdf"))
    assert re.search(rf"Gjest {MARK}dottir \({MARK}-? ?kontoret\), under sak 5/25", minutes), minutes
    assert f"Notat om {MARK}" in flat(pdftotext(internal / f"{DAY}/ALU-{DAY}-sakspapirer.pdf"))

    # the same text written into the tracked meeting.yaml is refused by check, with file, line and key
    yaml = folder / "meeting.yaml"
    edit(yaml, "    content: unntatt/sak-5.yaml\n", f"    content: unntatt/sak-5.yaml\n    conclusion: Om {MARK}.\n")
    status, output = run_cli("check", DAY)
    assert status == 2 and re.search(r"meeting\.yaml:\d+: cases\[4\]\.conclusion: also written in unntatt/sak-5\.yaml",
                                     output)
    edit(yaml, "    content: unntatt/sak-5.yaml\n", f"    title: Personalsak {MARK}\n    type: decision\n"
                                                   "    presenter: Arne Kr. Hestnes\n    summary: Hemmelig.\n")
    status, output = run_cli("check", DAY)
    assert status == 2
    assert re.search(r"meetings/2025-08-27/meeting\.yaml:\d+: cases\[4\]\.title: confidential content is "
                     r"written in a file tracked by git", output), output


@pytest.mark.slow
def test_an_archive_built_before_records_keeps_its_issued_files_and_is_revised_from_them(
        project: Path, soffice: None, poppler: None) -> None:
    record = Record(project)
    record.build(DAY)
    manifest = record.manifest()  # as alu-docs wrote it before issued records were kept
    for entry in manifest["files"].values():
        for key in ("issued", "version", "content"):
            entry.pop(key, None)
    for meeting in manifest["meetings"].values():
        meeting.pop("documents", None)
        meeting.pop("issues", None)
    (project / "archive/manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(project / "archive")
    assert "6 issued documents unchanged, left as issued" in record.build(DAY, "--force")
    after = snapshot(project / "archive")
    assert {k: v for k, v in after.items() if k.endswith(".pdf") and "referat" not in k and k != "index.pdf"} == \
        {k: v for k, v in before.items() if k.endswith(".pdf") and "referat" not in k and k != "index.pdf"}
    record.seen = {r: hashlib.sha256(d).hexdigest() for r, d in after.items()
                   if r.endswith(".pdf") and ("innkalling" in r or "sak" in r)}
    edit(project / f"meetings/{DAY}/meeting.yaml", "title: Ny løsning for saksbehandling og arkiv",
         "title: Ny løsning for arkiv")
    record.build(DAY)
    record.check(DAY, "Andre opplysninger i innkallingen er endret", ["3/25"])  # no snapshot to compare with
    assert (project / f"archive/2025/{DAY}/ALU-{DAY}-innkalling-v1.pdf").read_bytes() == \
        before[f"2025/{DAY}/ALU-{DAY}-innkalling.pdf"]
