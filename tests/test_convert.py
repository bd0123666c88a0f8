"""LibreOffice conversion: one run for many files, PDF checks, timeouts that kill the group."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from docx import Document

from alu_docs.convert import to_pdf
from alu_docs.errors import ConversionFailed


def make_docx(folder: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        doc = Document()
        doc.add_paragraph(f"Dokument {i}: æøå")
        path = folder / f"doc{i}.docx"
        doc.save(path)
        files.append(path)
    return files


def test_many_files_in_one_run(tmp_path: Path, soffice: None) -> None:
    pdfs = to_pdf(make_docx(tmp_path, 4), tmp_path / "out")
    assert [p.name for p in pdfs] == [f"doc{i}.pdf" for i in range(4)]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)


def fake_soffice(folder: Path, body: str) -> None:
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)


def test_exit_status_zero_without_a_pdf_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_soffice(tmp_path, "exit 0")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(ConversionFailed, match="did not convert doc0.docx: no PDF was written"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out")


def test_a_pdf_that_does_not_open_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the last argument is the DOCX; to_pdf created the out folder beside it
    fake_soffice(tmp_path, 'for last; do :; done; echo broken > "$(dirname "$last")/out/doc0.pdf"')
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(ConversionFailed, match="does not open|no pages"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out")


def test_timeout_kills_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # like /usr/bin/soffice: a wrapper whose child (soffice.bin) keeps running
    marker = tmp_path / "child.pid"
    fake_soffice(tmp_path, f"sleep 300 & echo $! > {marker}; wait")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match="did not finish converting 1 documents in 2 s"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out", timeout=2)
    assert time.monotonic() - started < 10
    child = int(marker.read_text())
    time.sleep(0.2)
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(child)], capture_output=True, text=True).stdout.strip()
    assert state in ("", "Z"), f"child {child} still running: {state}"
