"""alu-docs search: titles, YAML text and archived PDFs; Norwegian letters; public text only."""

from __future__ import annotations

from pathlib import Path

from alu_docs.paths import Paths
from alu_docs.search import CACHE, fold
from tests.conftest import run_cli


def test_a_word_of_a_case_title_finds_the_case_and_its_meeting(project: Path) -> None:
    status, output = run_cli("search", "saksbehandling")
    assert status == 0, output
    assert output.splitlines()[0].startswith(
        "2025-08-27  ALU-sak 3/25  Ny løsning for saksbehandling og arkiv  meetings/2025-08-27/meeting.yaml")


def test_case_and_norwegian_letters_do_not_matter(project: Path) -> None:
    for query in ("LØSNING", "løsning", "loesning", "Lo\u0308sning".replace("o\u0308", "ø")):
        status, output = run_cli("search", query)
        assert status == 0 and "ALU-sak 3/25" in output, (query, output)
    assert fold("Ærlig ÅPEN Øst é") == "aerlig aapen oest e"


def test_a_seminar_is_found_by_its_title(project: Path) -> None:
    status, output = run_cli("search", "Baardshaug")
    assert status == 0
    assert "2023-10-18  -  Samling på Baardshaug herregård" in output


def test_nothing_found_is_not_an_error(project: Path) -> None:
    status, output = run_cli("search", "xyzzy")
    assert status == 0 and "0 hits for 'xyzzy'" in output


def test_pdf_text_is_searched_and_confidential_text_never_cached(
        project: Path, paths: Paths, soffice: None) -> None:
    yaml = paths.meetings / "2025-09-24" / "meeting.yaml"
    text = yaml.read_text(encoding="utf-8").replace(
        "    duration: 30\n", "    duration: 30\n    confidential: offl. § 14\n").replace(
        "rammene for budsjett", "hemmeligeord rammene for budsjett")
    yaml.write_text(text, encoding="utf-8")
    assert run_cli("build", "2025-09-24")[0] == 0
    status, output = run_cli("search", "Forfall meldes")  # only in the notice PDF
    assert status == 0 and "archive/2025/2025-09-24/ALU-2025-09-24-innkalling.pdf" in output
    assert run_cli("search", "hemmeligeord")[1].endswith("0 hits for 'hemmeligeord'\n")
    assert "offl. § 14" in run_cli("search", "offl")[1]  # the legal basis is public
    cache = (paths.cache / CACHE).read_text(encoding="utf-8")
    assert "Forfall meldes" in cache and "hemmeligeord" not in cache
    assert (project / "internal").exists()  # the internal edition exists, and is never searched
