"""The real path: YAML -> DOCX (docxtpl) -> PDF/A (LibreOffice) -> archive, read back."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from alu_docs.build import build
from alu_docs.paths import Paths
from tests.conftest import pdfinfo, pdftotext, run_cli, snapshot

DAY = "2025-08-27"
FOLDER = f"archive/2025/{DAY}"
TITLES = [
    "Administrativ omstilling – status høsten 2025",
    "Strategi for administrasjonen – innspill til handlingsplan 2026",
    "Ny løsning for saksbehandling og arkiv",
    "Fordeling av ansvar for studieadministrative tjenester",
]


@pytest.fixture
def built(project: Path, soffice: None, poppler: None) -> Path:
    status, output = run_cli("build", DAY)
    assert status == 0, output
    return project / FOLDER


def flat(text: str) -> str:
    return " ".join(text.split())


def test_build_prints_a_line_per_step(project: Path, soffice: None) -> None:
    status, output = run_cli("build", DAY)
    assert status == 0, output
    steps = [line.split()[0] for line in output.splitlines()]
    wanted = ["check", "render", "convert", "archive"]
    assert [s for s in steps if s in wanted] == wanted, output


def test_notice_and_minutes_are_archived_as_docx_and_pdf(built: Path) -> None:
    for kind in ("innkalling", "referat"):
        for suffix in ("pdf", "docx"):
            assert (built / f"ALU-{DAY}-{kind}.{suffix}").stat().st_size > 1000


@pytest.mark.parametrize("kind", ["innkalling", "referat", "sak-001"])
def test_pdfs_are_archival(built: Path, kind: str) -> None:
    pdf = built / f"ALU-{DAY}-{kind}.pdf"
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    info = pdfinfo(pdf)
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(r"^Page size:.*\(A4\)", info, re.M)
    assert re.search(r"^Title:\s+ALU", info, re.M)
    meta = pdfinfo(pdf, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in meta
    assert "nb-NO" in pdf.read_bytes().decode("latin-1")  # /Lang (nb-NO)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts


def test_notice_text(built: Path) -> None:
    text = flat(pdftotext(built / f"ALU-{DAY}-innkalling.pdf"))
    assert "onsdag 27. august 2025" in text
    for title in TITLES:
        assert flat(title) in text or all(word in text for word in title.split())
    for standing in ("Godkjenning av innkalling og saksliste", "Eventuelt", "Saksliste", "Møteleder Bjørn Haugstad"):
        assert standing in text
    # planned start times follow the durations: 09.05 + 30 + 40 min
    assert "10.15" in text
    assert text.index("Godkjenning av innkalling") < text.index("Administrativ omstilling") < text.index("Eventuelt")


def test_minutes_text(built: Path) -> None:
    text = flat(pdftotext(built / f"ALU-{DAY}-referat.pdf"))
    assert "UTKAST" in text  # draft on every page: in the header
    assert "Forfall Arve Sletten, Sigurd Eriksson" in text
    assert "Ola Normann for Arve Sletten" in text
    assert "(til kl. 10.30)" in text
    assert "Kari Nordmann (IT-avdelingen), under sak 3/25" in text
    assert "Konklusjon: ALU støtter at samordning" in text
    assert "Oppfølging: Legge fram revidert framdriftsplan" in text and "Frist: 15.10.25" in text
    assert "ALU tok orienteringen til etterretning." in text
    assert "Referent Utvalgets sekretær" in text


def test_every_docx_part_parses_without_recovery(built: Path) -> None:
    parser = etree.XMLParser(recover=False)
    for docx in built.glob("*.docx"):
        with zipfile.ZipFile(docx) as archive:
            for name in archive.namelist():
                if name.endswith((".xml", ".rels")):
                    etree.fromstring(archive.read(name), parser)


def test_odd_text_builds_and_appears_literally(project: Path, soffice: None, poppler: None) -> None:
    token = "Ø" * 200
    odd = "A & B <C> \\\"sitat\\\" 'x' {{ 7*7 }} {% if %} 🎉 שלום مرحبا"
    path = project / "meetings" / DAY / "meeting.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Ny løsning for saksbehandling og arkiv", f'title: "{odd} {token}"'),
                    encoding="utf-8")
    status, output = run_cli("build", DAY)
    assert status == 0, output
    notice = pdftotext(project / FOLDER / f"ALU-{DAY}-innkalling.pdf")
    joined = "".join(notice.split())
    for piece in ("A&B<C>\"sitat\"'x'{{7*7}}{%if%}", "🎉", token):
        assert piece in joined, piece
    assert "49" not in notice.split("{{")[0][-20:]  # the template did not evaluate 7*7
    for hebrew_or_arabic in ("שלום", "مرحبا"):
        assert hebrew_or_arabic in notice or hebrew_or_arabic[::-1] in notice


def test_rebuild_gives_identical_docx(project: Path, soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    first = snapshot(project / FOLDER)
    status, output = run_cli("build", "--force", DAY)
    assert status == 0, output
    second = snapshot(project / FOLDER)
    docx = [name for name in first if name.endswith(".docx")]
    assert docx and all(first[name] == second[name] for name in docx)


def test_unchanged_meeting_is_skipped(project: Path, soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    status, output = run_cli("build", DAY)
    assert status == 0
    assert "unchanged since the last build" in output


def test_case_numbers_are_written_back_and_kept(project: Path, soffice: None, poppler: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    yaml_text = (project / "meetings" / DAY / "meeting.yaml").read_text(encoding="utf-8")
    assert yaml_text.count("number:") == 4
    assert "# EXAMPLE CONTENT" in yaml_text  # comments survive the write-back
    # a case added later to an earlier meeting never shifts issued numbers
    september = project / "meetings/2025-09-24/meeting.yaml"
    assert run_cli("build", "2025-09-24")[0] == 0
    assert "number: 5" in september.read_text(encoding="utf-8")
    path = project / "meetings" / DAY / "meeting.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("attendance:", """  - title: Ekstra sak meldt sent
    type: information
    presenter: Håkon Alstad
    duration: 10
    summary: Kort orientering.
attendance:"""), encoding="utf-8")
    assert run_cli("build", DAY)[0] == 0
    text = flat(pdftotext(project / FOLDER / f"ALU-{DAY}-innkalling.pdf"))
    assert "6/25" in text and "Ekstra sak meldt sent" in text
    assert "number: 6" in path.read_text(encoding="utf-8")
    assert "5/25" in flat(pdftotext(project / "archive/2025/2025-09-24/ALU-2025-09-24-innkalling.pdf"))


def test_english_edition_is_a_setting(project: Path, soffice: None, poppler: None) -> None:
    committee = project / "meetings/committee.yaml"
    committee.write_text(committee.read_text(encoding="utf-8").replace("language: nb", "language: en"))
    assert run_cli("build", DAY)[0] == 0
    pdf = project / FOLDER / f"ALU-{DAY}-innkalling.pdf"
    text = flat(pdftotext(pdf))
    assert "Notice of meeting" in text and "Wednesday 27 August 2025" in text and "Agenda" in text
    assert "en-GB" in pdf.read_bytes().decode("latin-1")


def test_without_libreoffice_the_docx_are_written_and_the_install_is_named(
        paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    status, output = run_cli("build", DAY)
    assert status == 2
    assert "apt-get install --no-install-recommends libreoffice-writer-nogui" in output
    assert (paths.archive / "2025" / DAY / f"ALU-{DAY}-innkalling.docx").exists()
    assert not (paths.archive / "2025" / DAY / f"ALU-{DAY}-innkalling.pdf").exists()


def test_two_builds_at_once_do_not_corrupt_each_other(paths: Paths, soffice: None) -> None:
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(build, paths, dt.date(2025, 8, 27), echo=lambda _: None, force=True),
                pool.submit(build, paths, dt.date(2025, 9, 24), echo=lambda _: None, force=True)]
        for job in jobs:
            job.result()
    status, output = run_cli("verify")
    assert status == 0, output
