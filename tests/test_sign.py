"""Signed approved minutes: `alu-docs approve` signs the real LibreOffice PDF/A minutes
with a PAdES signature that poppler's pdfsig validates, that keeps PDF/A-2b, and that
`verify` checks (one changed byte fails both)."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from alu_docs.build import Paths
from alu_docs.errors import AluError, InvalidInput
from alu_docs.model import load_committee
from alu_docs.sign import (
    PASSWORD_ENV,
    SELF_SIGNED_CERT,
    SELF_SIGNED_KEY,
    sign_approved_minutes,
    sign_pdf,
    signing_identity,
    verify_signatures,
)
from alu_docs.verify import verify
from tests.conftest import ROOT, need, new_project, pdfinfo, run_cli, working_in

DAY = "2025-08-27"
MINUTES = f"2025/{DAY}/ALU-{DAY}-referat.pdf"
VALID = "Signature Validation: Signature is Valid."


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory, libreoffice_cache: Path) -> SimpleNamespace:
    """The sample meeting built and its minutes approved with the real commands, once."""
    need("soffice")
    root = new_project(tmp_path_factory.mktemp("signed") / "project")
    with working_in(root, libreoffice_cache):
        status, output = run_cli("approve", DAY)  # builds the meeting, the minutes final and signed
        assert status == 0, output
    paths = Paths.at(root)
    signed = (paths.archive / MINUTES).read_bytes()
    unsigned = signed[:signed.index(b"%%EOF") + 6]  # the revision before the signature's incremental update
    return SimpleNamespace(paths=paths, unsigned=unsigned, signed=paths.archive / MINUTES,
                           committee=load_committee(paths.meetings), today=dt.date.today())


def pdfsig(path: Path) -> str:
    need("pdfsig")
    run = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    return run.stdout + run.stderr


def changed_byte(source: Path, target: Path, marker: bytes, offset: int = 0) -> Path:
    data = bytearray(source.read_bytes())
    at = data.index(marker) + offset
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    target.write_bytes(bytes(data))
    return target


def test_approved_minutes_are_signed_valid_and_still_pdfa(approved: SimpleNamespace) -> None:
    need("qpdf")
    report = pdfsig(approved.signed)
    assert VALID in report, report
    assert "Total document signed" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    # the self-signed test certificate is, rightly, not trusted by anyone
    assert "SELF-SIGNED TEST CERTIFICATE" in report
    assert "Certificate Validation: Certificate issuer is unknown." in report
    meta = pdfinfo(approved.signed, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta
    assert subprocess.run(["qpdf", "--check", str(approved.signed)], capture_output=True).returncode == 0
    entry = json.loads((approved.paths.archive / "manifest.json").read_text())["files"][MINUTES]
    assert entry["approved"] is True and entry["signed"] is True
    assert verify_signatures(approved.signed) == []
    assert verify(approved.paths) == []


def test_signed_minutes_keep_info_and_xmp_in_step(approved: SimpleNamespace) -> None:
    """PDF/A: the Info dictionary and the XMP agree (pyHanko would append itself to the
    producer in one and not the other); the modification date is the approval's."""
    with pikepdf.open(approved.signed) as pdf:
        xmp = pdf.open_metadata()
        assert str(pdf.docinfo.Producer) == xmp["pdf:Producer"]
        today = approved.today.strftime("%Y%m%d")
        assert str(pdf.docinfo.ModDate) == f"D:{today}120000Z"
        assert xmp["xmp:ModifyDate"] == xmp["xmp:MetadataDate"] == f"{approved.today.isoformat()}T12:00:00Z"
        assert str(pdf.docinfo.CreationDate) == "D:20250827120000Z" and xmp["xmp:CreateDate"].startswith(DAY)
        widget = pdf.Root.AcroForm.Fields[0]
        assert widget.FT == "/Sig" and int(widget.F) & 4 and not int(widget.F) & 2  # printed, not hidden


@pytest.mark.parametrize(("marker", "offset", "where"), [
    (b"<dc:title>", 40, "the XMP, first signed range"),
    (b"/M (D", 11, "the signing time, second signed range"),  # "D\0722026…": a digit of the year
])
def test_one_changed_byte_fails_pdfsig_and_verify(approved: SimpleNamespace, tmp_path: Path, marker: bytes,
                                                  offset: int, where: str) -> None:
    tampered = changed_byte(approved.signed, tmp_path / "tampered.pdf", marker, offset)
    report = pdfsig(tampered)
    assert VALID not in report and "Digest Mismatch" in report, (where, report)
    assert verify_signatures(tampered) == ["signature 'Godkjenning': the signed bytes changed (digest mismatch)"]


def test_a_changed_byte_in_the_archive_is_named_by_verify(approved: SimpleNamespace, tmp_path: Path) -> None:
    copy = Paths.at(tmp_path)
    shutil.copytree(approved.paths.archive, copy.archive)
    shutil.copytree(approved.paths.meetings, copy.meetings)
    changed_byte(approved.signed, copy.archive / MINUTES, b"<dc:title>", 40)
    problems = verify(copy)
    assert f"{MINUTES}: signature 'Godkjenning': the signed bytes changed (digest mismatch)" in problems
    assert f"{MINUTES}: approved minutes changed: sha256 differs from the manifest" in problems


def test_a_change_appended_after_signing_is_reported(approved: SimpleNamespace, tmp_path: Path) -> None:
    """An incremental update that replaces a page's text leaves the signed bytes intact
    (pdfsig still says valid, for the part it covers) but is not an allowed change."""
    writer = IncrementalPdfFileWriter(io.BytesIO(approved.signed.read_bytes()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (Endret) Tj ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    changed = tmp_path / "appended.pdf"
    changed.write_bytes(out.getvalue())
    assert "Not total document signed" in pdfsig(changed)
    assert verify_signatures(changed) == ["signature 'Godkjenning': the file was changed after it was signed"]


def test_unsigned_or_damaged_files_are_problems(approved: SimpleNamespace, tmp_path: Path) -> None:
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(approved.unsigned)
    assert verify_signatures(unsigned) == ["not signed"]
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(approved.signed.read_bytes()[:-200])
    assert verify_signatures(cut) and verify_signatures(cut)[0].startswith("signature cannot be checked")


def test_signing_again_gives_the_same_bytes(approved: SimpleNamespace) -> None:
    """Same minutes, same approval date, same key: same signed file (RSA PKCS#1 v1.5, fixed
    signing time, /ID from the content). Another approval date gives another file."""
    args = {"name": f"ALU-{DAY}-referat", "identity": signing_identity(approved.paths, approved.committee),
            "committee": approved.committee, "meeting_date": dt.date(2025, 8, 27)}
    first = sign_approved_minutes(approved.unsigned, approved_on=dt.date(2025, 9, 24), **args)
    assert sign_approved_minutes(approved.unsigned, approved_on=dt.date(2025, 9, 24), **args) == first
    assert sign_approved_minutes(approved.unsigned, approved_on=dt.date(2025, 9, 25), **args) != first
    with pytest.raises(AluError, match="signed already"):
        identity = signing_identity(approved.paths, approved.committee)
        sign_pdf(first, signer=identity.signer, reason="x", location="y", when=dt.datetime(2025, 9, 24, tzinfo=dt.UTC))


def test_the_self_signed_test_certificate_says_what_it_is(approved: SimpleNamespace) -> None:
    folder = approved.paths.internal / "signing"
    assert (folder / SELF_SIGNED_KEY).stat().st_mode & 0o777 == 0o600
    assert "integrity only, not identity" in (folder / "README.md").read_text()
    cert = x509.load_pem_x509_certificate((folder / SELF_SIGNED_CERT).read_bytes())
    assert "SELF-SIGNED TEST CERTIFICATE" in cert.subject.rfc4514_string()
    before = (folder / SELF_SIGNED_CERT).read_bytes()
    assert signing_identity(approved.paths, approved.committee).self_signed_test
    assert (folder / SELF_SIGNED_CERT).read_bytes() == before  # made once, then reused
    ignored = subprocess.run(["git", "check-ignore", "-q", "internal/signing/" + SELF_SIGNED_KEY], cwd=ROOT)
    assert ignored.returncode == 0, "internal/ must be git-ignored"


def _institutional_p12(folder: Path, password: bytes) -> Path:
    """A stand-in for an institution's PKCS#12 file: an EC key and its certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ALU sekretariat")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(dt.datetime(2020, 1, 1)).not_valid_after(dt.datetime(2040, 1, 1))
            .sign(key, hashes.SHA256()))
    path = folder / "alu.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"alu", key, cert, None, BestAvailableEncryption(password)))
    return path


def _with_signing(paths: Paths, block: str) -> None:
    committee = paths.meetings / "committee.yaml"
    committee.write_text(committee.read_text(encoding="utf-8") + block, encoding="utf-8")


def test_the_key_named_in_committee_yaml_signs(paths: Paths, approved: SimpleNamespace,
                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    p12 = _institutional_p12(tmp_path, b"hemmelig")
    _with_signing(paths, f"signing:\n  key: {p12}\n")
    monkeypatch.setenv(PASSWORD_ENV, "hemmelig")
    identity = signing_identity(paths, load_committee(paths.meetings))
    assert not identity.self_signed_test
    signed = sign_pdf(approved.unsigned, signer=identity.signer, reason="Godkjent", location="NTNU",
                      when=dt.datetime(2025, 9, 24, 12, tzinfo=dt.UTC))
    (tmp_path / "signed.pdf").write_bytes(signed)
    assert verify_signatures(tmp_path / "signed.pdf") == []
    assert VALID in pdfsig(tmp_path / "signed.pdf")
    assert not (paths.internal / "signing").exists()  # no test certificate when one is named

    monkeypatch.setenv(PASSWORD_ENV, "feil")
    with pytest.raises(AluError, match=PASSWORD_ENV):
        signing_identity(paths, load_committee(paths.meetings))


def test_signing_setup_mistakes_are_one_clear_line(paths: Paths, tmp_path: Path) -> None:
    committee_yaml = (paths.meetings / "committee.yaml").read_text(encoding="utf-8")
    _with_signing(paths, "signing:\n  key: nowhere/alu.pem\n  certificate: nowhere/alu.crt\n")
    with pytest.raises(AluError, match=r"committee.yaml: signing: cannot read .*nowhere/alu.pem"):
        signing_identity(paths, load_committee(paths.meetings))

    (paths.meetings / "committee.yaml").write_text(committee_yaml + "signing:\n  kye: alu.pem\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"signing\.kye: unknown key; did you mean 'key'"):
        load_committee(paths.meetings)
