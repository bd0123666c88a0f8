"""alu-docs export noark5: the deposit to the institution's archive, read back with lxml and
Arkivverket's official Noark 5 v5.0 schemas (arkivstruktur.xsd with metadatakatalog.xsd)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from alu_docs import noark5
from alu_docs.paths import Paths
from tests.conftest import ROOT, need, new_project, pdfinfo, run_cli, snapshot, working_in

DAY = "2025-08-27"
FOLDER = f"2025/{DAY}"
PERIOD = ("--from", "2023-01-01", "--to", "2025-12-31")
EXPORT = Path("internal/noark5")
N = "{http://www.arkivverket.no/standarder/noark5/arkivstruktur}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
SECRET_TITLE = "Omorganisering av vaktmestertjenesten ved Dragvoll"
SECRET_CASE = f"""  - title: {SECRET_TITLE}
    type: decision
    presenter: Frank Arntsen
    duration: 15
    summary: |
      Forslag om nedbemanning i driftsgruppen.
    confidential: offl. § 14
"""


def official_schema() -> etree.XMLSchema:
    """Arkivverket's arkivstruktur.xsd, at ROOT/../shared/reference/noark5/ (or the nearest
    such folder above a worktree)."""
    for folder in ROOT.parents:
        xsd = folder / "shared" / "reference" / "noark5" / "arkivstruktur.xsd"
        if xsd.is_file() and (xsd.parent / "metadatakatalog.xsd").is_file():
            return etree.XMLSchema(etree.parse(str(xsd)))
    if os.environ.get("CI"):
        pytest.fail("the Noark 5 v5.0 schemas are missing under CI: expected ../shared/reference/noark5/")
    pytest.skip("the Noark 5 v5.0 schemas (../shared/reference/noark5/) are not here")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, libreoffice_cache: Path) -> Path:
    """The sample meeting with a confidential case added, built once for the module (real
    LibreOffice); each test works on its own copy."""
    need("soffice")
    root = new_project(tmp_path_factory.mktemp("noark") / "project")
    yaml_path = root / "meetings" / DAY / "meeting.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("attendance:\n", SECRET_CASE + "attendance:\n", 1), encoding="utf-8")
    with working_in(root, libreoffice_cache):
        status, output = run_cli("build", DAY)
    assert status == 0, output
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("converter"))  # not the live warm converter
    monkeypatch.chdir(root)
    return root


def export(*args: str) -> etree._Element:
    status, output = run_cli("export", "noark5", *args)
    assert status == 0, output
    return etree.parse(str(EXPORT / "arkivstruktur.xml")).getroot()


def folders(tree: etree._Element) -> dict[str, etree._Element]:
    return {m.findtext(f"{N}moetedato"): m for m in tree.iter(f"{N}mappe")}


def registrations(folder: etree._Element) -> dict[str, etree._Element]:
    return {r.findtext(f"{N}registreringsID"): r for r in folder.findall(f"{N}registrering")}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_export_validates_against_the_official_schema(project: Path) -> None:
    schema = official_schema()
    tree = export(*PERIOD)
    assert schema.validate(etree.ElementTree(tree)), schema.error_log
    meetings = folders(tree)
    assert len(meetings) == 26 and all(m.get(XSI_TYPE) == "moetemappe" for m in meetings.values())
    assert len({m.findtext(f"{N}systemID") for m in meetings.values()}) == 26
    meeting = meetings[DAY]
    assert meeting.findtext(f"{N}moetenummer") == "1/2025"
    assert meeting.findtext(f"{N}utvalg") == "Administrativt lederutvalg (ALU)"
    assert meeting.findtext(f"{N}moetested") == "Hovedbygningen, Gløshaugen, møterom 201"
    # the neighbours are the meetings before and after, by their systemIDs
    assert meeting.findtext(f"{N}referanseForrigeMoete") == meetings["2024-03-06"].findtext(f"{N}systemID")
    assert meeting.findtext(f"{N}referanseNesteMoete") == meetings["2025-09-24"].findtext(f"{N}systemID")
    people = {(p.findtext(f"{N}moetedeltakerNavn"), p.findtext(f"{N}moetedeltakerFunksjon"))
              for p in meeting.iter(f"{N}moetedeltaker")}
    assert {("Bjørn Haugstad", "leder"), ("Bernt Asle Arntsen", "medlem (til kl. 10.30)"),
            ("Ola Normann", "vara for Arve Sletten"),
            ("Kari Nordmann", "gjest, IT-avdelingen, under sak 3/25")} <= people
    assert not {name for name, _ in people} & {"Arve Sletten", "Sigurd Eriksson"}  # absent
    kinds = [(r.findtext(f"{N}moeteregistreringstype"), r.findtext(f"{N}moetesakstype"))
             for r in meeting.findall(f"{N}registrering")]
    assert kinds == [("Møteinnkalling", None), ("Saksframlegg", "Drøftingssak"), ("Saksframlegg", "Vedtakssak"),
                     ("Saksframlegg", "Orienteringssak"), ("Saksframlegg", "Drøftingssak"),
                     ("Saksframlegg", "Vedtakssak"), ("Sakspapirer", None), ("Møtereferat", None)]
    minutes = registrations(meeting)[f"ALU-{DAY}-referat"]
    assert minutes.findtext(f"{N}moeteregistreringsstatus") == "Utkast, ikke godkjent"


def test_every_archived_pdf_has_one_dokumentobjekt_with_its_sha256_and_size(project: Path, poppler: None) -> None:
    tree = export(*PERIOD)
    objects = list(tree.iter(f"{N}dokumentobjekt"))
    formats = {}
    for item in objects:
        path = EXPORT / item.findtext(f"{N}referanseDokumentfil")
        data = path.read_bytes()
        assert item.findtext(f"{N}sjekksum") == sha(data)
        assert item.findtext(f"{N}filstoerrelse") == str(len(data))
        assert item.findtext(f"{N}sjekksumAlgoritme") == "SHA256"
        # the format is what the file claims in its XMP metadata, as poppler reads it
        meta = pdfinfo(path, "-meta")
        claim = "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta
        formats[path.name] = (item.findtext(f"{N}format"), item.findtext(f"{N}formatDetaljer"))
        assert formats[path.name] == (("PDF/A", "PDF/A-2b") if claim else ("PDF", None))
    for kind in ("innkalling", "sak-001", "referat"):
        assert formats[f"ALU-{DAY}-{kind}.pdf"] == ("PDF/A", "PDF/A-2b")
    manifest = json.loads(Path("archive/manifest.json").read_text(encoding="utf-8"))["files"]
    archived = {path: entry["sha256"] for path, entry in manifest.items()
                if path.endswith(".pdf") and entry["meeting"] and not entry.get("kind")}
    assert len(archived) == 8  # notice, five case papers, packet, minutes
    sums = [item.findtext(f"{N}sjekksum") for item in objects]
    for path, digest in archived.items():
        assert sums.count(digest) == 1, path
    # the internal edition of the notice, packet, minutes and the confidential case paper
    assert len(objects) == len(archived) + 4
    assert len(list((EXPORT / "dokumenter").rglob("*.pdf"))) == len(objects)


def test_a_second_export_is_byte_identical(project: Path, tmp_path: Path) -> None:
    export(*PERIOD)
    first = snapshot(EXPORT)
    export(*PERIOD)
    assert snapshot(EXPORT) == first
    export(*PERIOD, "--out", str(tmp_path / "deposit"))
    assert snapshot(tmp_path / "deposit") == first
    assert "Periode: 2023-01-01 – 2025-12-31" in first["info.txt"].decode()


def test_a_confidential_case_is_screened_and_its_public_title_holds_no_confidential_word(project: Path) -> None:
    meeting = folders(export(*PERIOD))[DAY]
    case = registrations(meeting)[f"ALU-{DAY}-sak-005"]
    assert case.findtext(f"{N}tittel") == f"ALU-sak 5/25 {SECRET_TITLE}"
    public = case.findtext(f"{N}offentligTittel")
    assert public == "ALU-sak 5/25 Unntatt offentlighet (offl. § 14)"
    secret_words = {w.lower() for w in re.findall(r"\w+", SECRET_TITLE)}
    assert not secret_words & {w.lower() for w in re.findall(r"\w+", public)}
    screening = case.find(f"{N}skjerming")
    assert [(e.tag.removeprefix(N), e.text) for e in screening] == [
        ("tilgangsrestriksjon", "Unntatt offentlighet"), ("skjermingshjemmel", "Offl. § 14"),
        ("skjermingMetadata", "Skjerming tittel registrering - utvalgte ord"),
        ("skjermingDokument", "Skjerming av hele dokumentet")]
    # the record is the internal edition; the public edition is its screened variant
    variants = {o.findtext(f"{N}variantformat"): o.findtext(f"{N}sjekksum") for o in case.iter(f"{N}dokumentobjekt")}
    relative = f"{FOLDER}/ALU-{DAY}-sak-005.pdf"
    assert variants == {"Arkivformat": sha(Path("internal", relative).read_bytes()),
                        "Dokument hvor deler av innholdet er skjermet": sha(Path("archive", relative).read_bytes())}
    # the presenter of a confidential case is not in its metadata
    assert case.findtext(f"{N}saksbehandler") == "Utvalgets sekretær"
    notice = registrations(meeting)[f"ALU-{DAY}-innkalling"]
    screening = notice.find(f"{N}dokumentbeskrivelse/{N}skjerming")
    assert screening.findtext(f"{N}skjermingDokument") == "Skjerming av deler av dokumentet"


def test_legacy_and_empty_meetings_say_why_in_a_merknad(project: Path) -> None:
    meetings = folders(export(*PERIOD))

    def notes(day: str) -> list[str]:
        return [m.findtext(f"{N}merknadstekst") for m in meetings[day].findall(f"{N}merknad")]

    assert notes("2023-02-09") == ["Møteinnkalling: publisert på komiteens side, ikke i dette arkivet.",
                                   "Referat ble ikke skrevet."]
    assert notes("2023-01-19") == ["Referat: publisert på komiteens side, ikke i dette arkivet."]
    assert notes("2023-10-18") == ["Samling uten saksdokumenter.", "Referat ikke skrevet."]
    assert notes("2025-09-24") == ["Møtet har saker, men dokumentene er ikke i arkivet ennå."]
    for day in ("2023-02-09", "2023-10-18", "2025-09-24"):
        assert meetings[day].find(f"{N}registrering") is None
        assert meetings[day].find(f"{N}moetedeltaker") is None  # no minutes made here: attendance unknown


def test_superseded_issues_are_versions_of_one_document(project: Path) -> None:
    """A revised notice (the manifest fields of issue 11): the superseded file -v1 and the
    current file are versjonsnummer 1 and 2 of the notice's one dokumentbeskrivelse."""
    manifest_path = Path("archive/manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    current = f"{FOLDER}/ALU-{DAY}-innkalling.pdf"
    earlier = f"{FOLDER}/ALU-{DAY}-innkalling-v1.pdf"
    for root in ("archive", "internal"):  # an earlier issue: other bytes than the current one
        shutil.copyfile(Path(root, FOLDER, f"ALU-{DAY}-sak-001.pdf"), Path(root, earlier))
    data = Path("archive", earlier).read_bytes()
    manifest["files"][earlier] = {"sha256": sha(data), "size": len(data), "meeting": DAY, "superseded": True,
                                  "version": 1, "issued": "2025-08-13"}
    manifest["files"][current].update(version=2, issued="2025-08-20")
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    notice = registrations(folders(export(*PERIOD))[DAY])[f"ALU-{DAY}-innkalling"]
    assert len(notice.findall(f"{N}dokumentbeskrivelse")) == 1
    record = [tuple(o.findtext(f"{N}{tag}") for tag in ("versjonsnummer", "opprettetDato", "referanseDokumentfil"))
              for o in notice.iter(f"{N}dokumentobjekt") if o.findtext(f"{N}variantformat") == "Arkivformat"]
    assert record == [("1", "2025-08-13T00:00:00", f"dokumenter/{earlier}"),
                      ("2", "2025-08-20T00:00:00", f"dokumenter/{current}")]
    assert notice.findtext(f"{N}opprettetDato") == "2025-08-13T00:00:00"
    assert notice.findtext(f"{N}arkivertDato") == "2025-08-20T00:00:00"


def test_verify_names_a_changed_byte_in_the_export(project: Path) -> None:
    export(*PERIOD)
    status, output = run_cli("verify")
    assert status == 0 and "ok: 12 files in internal/noark5/ match arkivstruktur.xml" in output, output
    pdf = EXPORT / "dokumenter" / FOLDER / f"ALU-{DAY}-referat.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    status, output = run_cli("verify")
    assert status == 2, output
    assert f"internal/noark5/dokumenter/{FOLDER}/ALU-{DAY}-referat.pdf: changed: sha256 differs" in output
    assert "Traceback" not in output
    export(*PERIOD)  # a new export replaces the damaged one
    assert run_cli("verify")[0] == 0


def test_export_refuses_a_changed_archive_and_never_leaves_a_half_folder(project: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    export(*PERIOD)
    before = snapshot(EXPORT)
    status, output = run_cli("export", "noark5", "--out", "archive/noark5")
    assert status == 2 and "stays outside archive/" in output, output
    pdf = Path("archive", FOLDER, f"ALU-{DAY}-sak-002.pdf")
    original = pdf.read_bytes()
    pdf.write_bytes(original + b"%")
    status, output = run_cli("export", "noark5", *PERIOD)
    assert status == 2 and f"archive/{FOLDER}/ALU-{DAY}-sak-002.pdf: sha256 differs from the manifest" in output
    assert snapshot(EXPORT) == before
    pdf.write_bytes(original)

    fill = noark5._Writer.fill

    def interrupted(self: noark5._Writer, folder: Path) -> None:
        fill(self, folder)
        raise KeyboardInterrupt  # the secretary presses Ctrl-C after the files were copied

    monkeypatch.setattr(noark5._Writer, "fill", interrupted)
    with pytest.raises(KeyboardInterrupt):
        noark5.export_noark5(Paths.at(project), year=2025, echo=lambda line: None)
    assert snapshot(EXPORT) == before
    assert sorted(p.name for p in EXPORT.parent.iterdir() if p.name.startswith(".noark5")) == []


def test_a_year_is_one_period(project: Path) -> None:
    tree = export("--year", "2025")
    part = tree.find(f"{N}arkivdel")
    assert (part.findtext(f"{N}arkivperiodeStartDato"), part.findtext(f"{N}arkivperiodeSluttDato")) == \
        ("2025-01-01", "2025-12-31")
    assert sorted(folders(tree)) == ["2025-08-27", "2025-09-24", "2025-10-15", "2025-11-05", "2025-11-26",
                                     "2025-12-17"]
    status, output = run_cli("export", "noark5", "--year", "2025", "--from", "2025-01-01")
    assert status == 2 and "give --year or --from/--to, not both" in output
