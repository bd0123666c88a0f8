"""alu-docs import: a legacy PDF into the archive under its standard name, linked by the index."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter

from alu_docs.archive import Manifest
from alu_docs.paths import Paths
from tests.conftest import run_cli, snapshot


def sample_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize(("content", "message"), [
    (b"just text, not a pdf\n", "not a PDF (it does not start with %PDF-)"),
    (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "the PDF is damaged and does not open"),
])
def test_not_a_pdf_or_a_damaged_one_changes_nothing(project: Path, paths: Paths, content: bytes,
                                                    message: str) -> None:
    bad = project / "bad.pdf"
    bad.write_bytes(content)
    before = snapshot(project)
    status, output = run_cli("import", "2024-01-25", "--minutes", str(bad))
    assert status == 2 and message in output and "Traceback" not in output
    assert snapshot(project) == before


def test_a_document_alu_docs_builds_cannot_be_imported(project: Path) -> None:
    status, output = run_cli("import", "2025-08-27", "--notice", str(sample_pdf(project / "n.pdf")))
    assert status == 2 and "is made by alu-docs" in output


def test_a_missing_meeting_or_file_is_a_clear_error(project: Path) -> None:
    assert "no meeting folder meetings/2022-01-01/" in run_cli("import", "2022-01-01", "--notice", "x.pdf")[1]
    status, output = run_cli("import", "2024-01-25", "--minutes", "nowhere.pdf")
    assert status == 2 and "nowhere.pdf: file not found" in output


def test_import_links_it_in_the_index_and_refuses_a_second_copy(
        project: Path, paths: Paths, soffice: None, poppler: None) -> None:
    status, output = run_cli("import", "2023-02-09", "--notice", str(sample_pdf(project / "innkalling.pdf")))
    assert status == 0, output
    relative = "2023/2023-02-09/ALU-2023-02-09-innkalling.pdf"
    assert (paths.archive / relative).is_file()
    entry = Manifest.load(paths.archive).files[relative]
    assert entry["imported"] and entry["role"] == "notice" and entry["meeting"] == "2023-02-09"
    from tests.test_index import links
    assert [target for _, target in links(paths.archive / "index.pdf")] == [relative]

    before = snapshot(paths.archive)
    status, output = run_cli("import", "2023-02-09", "--notice", str(project / "innkalling.pdf"))
    assert status == 2 and f"archive/{relative} already exists" in output
    assert snapshot(paths.archive) == before

    # a full build never deletes it, and the archive verifies
    assert run_cli("build", "--all")[0] == 0
    assert (paths.archive / relative).is_file() and run_cli("verify")[0] == 0


def test_note_is_written_to_the_meeting_yaml(project: Path, paths: Paths, soffice: None, poppler: None) -> None:
    status, output = run_cli("import", "2024-01-25", "--minutes", str(sample_pdf(project / "r.pdf")),
                             "--note", "Referat godkjent 15.02.24.")
    assert status == 0, output
    text = (paths.meetings / "2024-01-25" / "meeting.yaml").read_text(encoding="utf-8")
    assert "note: Referat godkjent 15.02.24." in text and "# History" in text  # comments kept
