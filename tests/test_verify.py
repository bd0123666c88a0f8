"""alu-docs verify: every archived file against the sha256 manifest."""

from __future__ import annotations

from pathlib import Path

from alu_docs.paths import Paths
from tests.conftest import run_cli


def test_verify_passes_on_a_fresh_archive_and_names_a_changed_byte(
        project: Path, paths: Paths, soffice: None) -> None:
    assert run_cli("build", "2025-08-27")[0] == 0
    status, output = run_cli("verify")
    assert status == 0 and output.startswith("ok: ") and "match manifest.json" in output
    pdf = paths.archive / "2025/2025-08-27/ALU-2025-08-27-innkalling.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    status, output = run_cli("verify")
    assert status == 2
    assert "archive/2025/2025-08-27/ALU-2025-08-27-innkalling.pdf: changed: sha256 differs" in output
    assert "Traceback" not in output


def test_verify_without_an_archive_is_a_clear_error(project: Path) -> None:
    status, output = run_cli("verify")
    assert status == 2 and "archive/manifest.json not found" in output
