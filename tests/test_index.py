"""archive/index.pdf: every meeting, newest first, by year, with relative links that resolve."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from alu_docs.archive import Manifest
from alu_docs.context import Context
from alu_docs.index import index_entries
from alu_docs.links import Word, place_links
from alu_docs.model import load_all
from alu_docs.paths import Paths
from alu_docs.texts import date_range
from tests.conftest import pdfinfo, pdftotext, run_cli
from tests.test_history import HISTORY

AUTUMN_2025 = ["2025-08-27", "2025-09-24", "2025-10-15", "2025-11-05", "2025-11-26", "2025-12-17"]


def links(pdf: Path) -> list[tuple[int, str]]:
    found = []
    for number, page in enumerate(PdfReader(pdf).pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            assert annotation["/Subtype"] == "/Link" and annotation["/F"] == 4
            action = annotation["/A"]
            assert action["/S"] == "/GoToR"
            found.append((number, str(action["/F"])))
    return found


def test_states_of_each_kind_of_meeting(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    files = {"2025/2025-08-27/ALU-2025-08-27-innkalling.pdf": {"meeting": "2025-08-27"},
             "2025/2025-08-27/ALU-2025-08-27-referat.pdf": {"meeting": "2025-08-27"},
             "2025/2025-08-27/ALU-2025-08-27-sak-003.pdf": {"meeting": "2025-08-27"}}
    entries = {e.date.isoformat(): e for e in index_entries(ctx, files, today=dt.date(2025, 9, 1))}
    assert [e.date for e in entries.values()] == sorted((e.date for e in entries.values()), reverse=True)
    assert entries["2025-08-27"].state == "draft"
    assert entries["2025-08-27"].status == "Ordinært møte. Innkalling. Referatet er et utkast, ikke godkjent."
    assert [d.label for d in entries["2025-08-27"].docs] == ["Innkalling", "Referat (utkast)"]
    assert entries["2025-08-27"].cases[2].target == "2025/2025-08-27/ALU-2025-08-27-sak-003.pdf"
    assert entries["2025-08-27"].cases[0].target is None  # not archived: never an invented link
    assert entries["2025-10-15"].state == "planned"
    assert entries["2023-02-09"].status == "Ordinært møte. Møteinnkalling. Referat ble ikke skrevet."
    assert [(d.label, d.target) for d in entries["2023-02-09"].docs] == [("Innkalling (ikke i dette arkivet)", None)]
    assert entries["2023-10-18"].state == "no-documents"
    assert entries["2023-10-18"].heading == "onsdag 18.–torsdag 19. oktober 2023: Samling på Baardshaug herregård"
    assert entries["2023-10-18"].status == "Samling. Ingen dokumenter i arkivet. Referat ikke skrevet."
    assert entries["2024-01-25"].state == "minutes-only" and entries["2024-01-25"].docs[0].target is None


def test_states_follow_the_date_and_a_cancellation(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    meetings = [dataclasses.replace(m, cancelled="for få saker") if m.date == dt.date(2025, 11, 5) else m
                for m in meetings]
    ctx = Context.build(committee, meetings)
    files = {"2025/2025-09-24/ALU-2025-09-24-innkalling.pdf": {"meeting": "2025-09-24"}}

    def states(today: dt.date) -> dict[str, tuple[str, str]]:
        return {e.date.isoformat(): (e.state, e.status) for e in index_entries(ctx, files, today=today)}

    before, after = states(dt.date(2025, 10, 15)), states(dt.date(2025, 10, 16))
    assert before["2025-10-15"] == ("planned", "Planlagt møte. Innkalling er ikke sendt ennå.")  # on the day
    assert after["2025-10-15"] == ("no-documents", "Ordinært møte. Ingen dokumenter i arkivet.")
    assert before["2025-09-24"] == after["2025-09-24"] == (
        "pending", "Ordinært møte. Innkalling. Referat foreligger ikke ennå.")
    assert before["2025-11-05"] == after["2025-11-05"] == ("cancelled", "Ordinært møte. Møtet er avlyst: for få saker.")
    assert states(dt.date(2023, 10, 1))["2023-10-18"] == ("planned", "Samling. Ingen dokumenter. Referat ikke skrevet.")


def test_a_confidential_case_shows_number_and_legal_basis_only(paths: Paths) -> None:
    yaml = paths.meetings / "2025-09-24" / "meeting.yaml"
    text = yaml.read_text(encoding="utf-8").replace(
        "    duration: 30\n", "    duration: 30\n    confidential: offl. § 14\n")
    yaml.write_text(text, encoding="utf-8")
    committee, meetings = load_all(paths.meetings)
    entry = next(e for e in index_entries(Context.build(committee, meetings), {}) if e.date == dt.date(2025, 9, 24))
    assert [(c.number, c.title) for c in entry.cases] == [("ALU-sak 5/25", "Unntatt offentlighet (offl. § 14)")]


def test_superseded_versions_and_moved_dates_are_listed_as_such(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    folder = "2025/2025-08-27/ALU-2025-08-27"
    files = {
        f"{folder}-innkalling.pdf": {"meeting": "2025-08-27", "version": 2, "issued": "2025-09-03"},
        f"{folder}-innkalling-v1.pdf": {"meeting": "2025-08-27", "version": 1, "superseded": True,
                                        "issued": "2025-08-20", "replaced": "2025-09-03"},
        f"{folder}-sak-003-v1.pdf": {"meeting": "2025-08-27", "version": 1, "superseded": True,
                                     "replaced": "2025-09-03"},
        "2025/2025-08-20/ALU-2025-08-20-innkalling.pdf": {"meeting": "2025-08-20", "version": 1, "superseded": True,
                                                          "replaced": "2025-08-21", "moved_to": "2025-08-27"},
    }
    entries = {e.date.isoformat(): e for e in index_entries(ctx, files, {"2025-08-20": {"moved_to": "2025-08-27"}})}
    assert [(d.label, d.target) for d in entries["2025-08-27"].docs] == [
        ("Innkalling (versjon 2, revidert 03.09.25)", f"{folder}-innkalling.pdf"),
        ("Innkalling (versjon 1, erstattet 03.09.25)", f"{folder}-innkalling-v1.pdf"),
        ("Saksframlegg 3/25 (versjon 1, erstattet 03.09.25)", f"{folder}-sak-003-v1.pdf"),
    ]
    moved = entries["2025-08-20"]
    assert moved.status == "Møtet ble flyttet til onsdag 27. august 2025." and moved.state == "moved"
    assert [d.label for d in moved.docs] == ["Innkalling (versjon 1, erstattet 21.08.25)"]


def test_links_are_placed_on_their_words_in_document_order() -> None:
    words = [Word(0, 10, 10, 50, 20, "Referat"), Word(0, 10, 30, 60, 40, "ALU-sak"), Word(0, 65, 30, 80, 40, "1/25"),
             Word(0, 90, 30, 140, 40, "Referat")]
    placed = place_links(words, [100.0], [("Referat", None), ("ALU-sak 1/25", "a.pdf"), ("Referat", "b.pdf")])
    assert [(p.target, p.rect) for p in placed] == [("a.pdf", (10, 60, 80, 70)), ("b.pdf", (90, 60, 140, 70))]


def test_index_pdf_lists_every_meeting_and_links_every_archived_pdf(
        project: Path, paths: Paths, soffice: None, poppler: None) -> None:
    status, output = run_cli("build", "--all")
    assert status == 0, output
    index = paths.archive / "index.pdf"
    text = " ".join(pdftotext(index).split())

    # all 20 history meetings and the six of autumn 2025, newest first, with the page's notes
    _, meetings = load_all(paths.meetings)
    heads = {m.date.isoformat(): m for m in meetings}
    positions = [text.index(date_range(heads[d].date, heads[d].end_date, "nb")) for d in AUTUMN_2025[::-1] + HISTORY]
    assert positions == sorted(positions)
    assert "Møteinnkalling. Referat ble ikke skrevet." in text
    assert "onsdag 18.–torsdag 19. oktober 2023: Samling på Baardshaug herregård" in text
    assert "Samling. Ingen dokumenter i arkivet. Referat ikke skrevet." in text
    assert "Referatet er et utkast" in text and "Ingen dokumenter i arkivet" in text  # the sample's dates have passed
    assert "Referat (ikke i dette arkivet)" in text

    # every link resolves, relative, to a file beside the index; every archived PDF is linked
    targets = {target for _, target in links(index)}
    assert targets and all(not t.startswith(("/", "file:")) and (paths.archive / t).is_file() for t in targets)
    archived = {p.relative_to(paths.archive).as_posix() for p in paths.archive.rglob("*.pdf")} - {"index.pdf"}
    assert archived == targets
    assert "2025/2025-08-27/ALU-2025-08-27-innkalling.pdf" in targets

    # bookmarks: one per year, newest first; PDF/A-2b, tagged, recorded in the manifest
    outline = PdfReader(index).outline
    assert [item.title for item in outline if not isinstance(item, list)] == ["2025", "2024", "2023"]
    info = pdfinfo(index)
    assert "Tagged:          yes" in info and "ALU – Møtearkiv" in info
    meta = pdfinfo(index, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta
    assert PdfReader(index).pdf_header == "%PDF-1.6"
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(index)], check=True, capture_output=True)
    assert Manifest.load(paths.archive).files["index.pdf"]["kind"] == "index"

    # nothing changed: the index is not rebuilt
    before = index.read_bytes()
    status, output = run_cli("build", "--all")
    assert status == 0 and "index" not in output and index.read_bytes() == before
    status, output = run_cli("index")
    assert status == 0 and "up to date" in output


def test_index_command_rebuilds_it_alone(project: Path, paths: Paths, soffice: None, poppler: None) -> None:
    status, output = run_cli("index")
    assert status == 0, output
    assert "26 meetings, 0 links" in output
    assert links(paths.archive / "index.pdf") == []
    assert run_cli("verify")[0] == 0


@pytest.mark.parametrize("date", ["2025-08-27"])
def test_make_meeting_converts_the_index_in_the_same_run(
        project: Path, paths: Paths, soffice: None, poppler: None, date: str) -> None:
    status, output = run_cli("build", date)
    assert status == 0, output
    assert "convert  7 PDF/A-2b files" in output
    assert "(1 LibreOffice run)" in output or "(the warm converter)" in output  # one LibreOffice for all
    assert "index    archive/index.pdf: 26 meetings, 7 links" in output
