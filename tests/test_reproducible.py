"""Reproducible files: the same meeting gives the same DOCX and PDF bytes, built on another
day in another folder. LibreOffice's clock-stamped fields are rewritten from the meeting
(reproducible.py); the check is by sha256 and by independent readers (qpdf, pdfinfo)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pikepdf
import pytest

from alu_docs.convert import to_pdf
from alu_docs.errors import AluError
from alu_docs.reproducible import ID_NAMESPACE, reproducible_pdf
from tests.conftest import need, new_project, pdfinfo, run_cli, working_in

DAY = "2025-08-27"
FOLDER = f"2025/{DAY}"
STEM = f"ALU-{DAY}-referat"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, libreoffice_cache: Path) -> SimpleNamespace:
    """One real build of the sample meeting, and the minutes converted again in a second
    LibreOffice run (raw, not rewritten)."""
    need("soffice")
    root = new_project(tmp_path_factory.mktemp("reproducible") / "project")
    with working_in(root, libreoffice_cache):
        status, output = run_cli("build", DAY)
        assert status == 0, output
        again = to_pdf([root / "archive" / FOLDER / f"{STEM}.docx"], root.parent / "again")[0]
    return SimpleNamespace(archived=root / "archive" / FOLDER / f"{STEM}.pdf", raw=again.read_bytes())


def test_a_second_libreoffice_run_gives_the_same_bytes(built: SimpleNamespace) -> None:
    archived = built.archived.read_bytes()
    assert built.raw != archived  # LibreOffice stamps the clock and a random /ID
    assert reproducible_pdf(built.raw, name=STEM, created=dt.date(2025, 8, 27)) == archived


def test_dates_and_ids_come_from_the_meeting(built: SimpleNamespace) -> None:
    need("qpdf")
    info = pdfinfo(built.archived)
    assert "CreationDate:    Wed Aug 27 12:00:00 2025 UTC" in info
    assert "ModDate:         Wed Aug 27 12:00:00 2025 UTC" in info
    assert "Tagged:          yes" in info
    meta = pdfinfo(built.archived, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in meta
    assert subprocess.run(["qpdf", "--check", str(built.archived)], capture_output=True).returncode == 0
    with pikepdf.open(built.archived) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["xmp:CreateDate"] == xmp["xmp:ModifyDate"] == xmp["xmp:MetadataDate"] == f"{DAY}T12:00:00Z"
        assert str(pdf.docinfo.CreationDate) == "D:20250827120000Z" == str(pdf.docinfo.ModDate)
        assert str(pdf.docinfo.Producer) == xmp["pdf:Producer"]  # PDF/A: Info and XMP agree
        assert xmp["xmpMM:DocumentID"] == f"uuid:{uuid.uuid5(ID_NAMESPACE, STEM)}"
        assert xmp["xmpMM:InstanceID"].startswith("uuid:") and xmp["xmpMM:InstanceID"] != xmp["xmpMM:DocumentID"]
        assert "/DocChecksum" not in pdf.trailer
        profile = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        assert profile[24:36] == bytes.fromhex("07e90008001b000c00000000")  # 2025-08-27 12:00:00 in the ICC header
    raw_ids = pikepdf.open(io.BytesIO(built.raw)).trailer.ID
    with pikepdf.open(built.archived) as pdf:
        assert bytes(pdf.trailer.ID[0]) != bytes(raw_ids[0])  # not LibreOffice's random one


def test_approval_moves_the_modification_date_only(built: SimpleNamespace) -> None:
    once = reproducible_pdf(built.raw, name=STEM, created=dt.date(2025, 8, 27), modified=dt.date(2025, 9, 24))
    assert reproducible_pdf(once, name=STEM, created=dt.date(2025, 8, 27), modified=dt.date(2025, 9, 24)) == once
    with pikepdf.open(io.BytesIO(once)) as pdf:
        xmp = pdf.open_metadata()
        assert str(pdf.docinfo.CreationDate) == "D:20250827120000Z" and xmp["xmp:CreateDate"] == f"{DAY}T12:00:00Z"
        assert str(pdf.docinfo.ModDate) == "D:20250924120000Z" and xmp["xmp:ModifyDate"] == "2025-09-24T12:00:00Z"


def test_a_damaged_pdf_is_an_error() -> None:
    with pytest.raises(AluError, match="does not open"):
        reproducible_pdf(b"%PDF-1.6\nnot really", name=STEM, created=dt.date(2025, 8, 27))


def _build_on(day: str, where: Path) -> Path:
    """`alu-docs build DAY` in a fresh project under `where`, the clock moved to `day` (libfaketime)."""
    root = new_project(where / "project")
    command = ["faketime", day, sys.executable, "-c", "from alu_docs.cli import main; main()", "build", DAY]
    run = subprocess.run(command, cwd=root, capture_output=True, text=True, env=os.environ, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return root


def _meeting_files(root: Path) -> dict[str, str]:
    files = {}
    for base in (root / "archive" / FOLDER, root / "internal" / FOLDER):
        for path in sorted(base.glob("*")) if base.is_dir() else []:
            files[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@pytest.mark.slow
def test_two_builds_on_different_days_in_different_folders_are_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, libreoffice_cache: Path) -> None:
    need("soffice")
    need("faketime")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(libreoffice_cache))
    first = _build_on("2026-03-01 10:00:00", tmp_path / "a")
    second = _build_on("2026-11-20 15:30:00", tmp_path / "other folder" / "deeper")

    # the clock really moved: the index (not a meeting document, left as LibreOffice dates it) says so
    for root, day in ((first, "D:20260301"), (second, "D:20261120")):
        with pikepdf.open(root / "archive/index.pdf") as index:
            assert str(index.docinfo.CreationDate).startswith(day)

    files = _meeting_files(first)
    assert len([f for f in files if f.endswith(".pdf")]) >= 6 and any(f.endswith(".docx") for f in files)
    assert _meeting_files(second) == files  # every DOCX and PDF (packet included), byte for byte

    # the manifest records the same files; what differs is only when they were issued (a fact of the day)
    manifests = [json.loads((root / "archive/manifest.json").read_text()) for root in (first, second)]
    entries = [{k: {f: e for f, e in v.items() if f != "issued"} for k, v in m["files"].items()
                if v.get("meeting") == DAY} for m in manifests]
    assert entries[0] == entries[1] and entries[0]
    assert {v.get("issued") for v in manifests[1]["files"].values() if v.get("meeting") == DAY} >= {"2026-11-20"}

    # DOCX: fixed entry dates and a fixed order ([Content_Types].xml first, as Word writes it)
    for name in (f for f in files if f.endswith(".docx")):
        infos = [zipfile.ZipFile(root / name).infolist() for root in (first, second)]
        assert [i.filename for i in infos[0]] == [i.filename for i in infos[1]]
        assert infos[0][0].filename == "[Content_Types].xml"
        assert {i.date_time for i in infos[0] + infos[1]} == {(1980, 1, 1, 0, 0, 0)}
