"""Signed approved minutes: a PAdES baseline B-B signature (pyHanko) that keeps PDF/A-2b,
and the check of every signature in a file.

The signature is an incremental update: the approved PDF's bytes stay as they were and
the signature, an invisible but printable widget (PDF/A-legal) and the form that holds
it are appended. No time-stamp authority is asked (no network at run time), so the
level is B-B; the signing time in the signature dictionary (/M) is the one the caller
gives, derived from the approval, not the clock. With an RSA key (PKCS#1 v1.5, which is
deterministic) signing the same bytes at the same time with the same key gives the same
file.

The key and certificate are named in committee.yaml (`signing: {key:, certificate:}`,
an institutional certificate in real use). Without that block, a self-signed test
certificate is made on first use in internal/signing/ (git-ignored): it proves that
the file did not change, not who signed it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import AluError
from .model import Committee
from .paths import Paths
from .reproducible import document_time, reproducible_pdf
from .texts import long_date

logging.getLogger("pyhanko").addHandler(logging.NullHandler())  # its diff warnings carry tracebacks

FIELD = "Godkjenning"  # the signature field's name
PASSWORD_ENV = "ALU_SIGNING_PASSWORD"
SELF_SIGNED_FOLDER = "signing"  # under internal/
SELF_SIGNED_CERT = "SELF-SIGNED-TEST-CERTIFICATE-alu-docs.pem"
SELF_SIGNED_KEY = "SELF-SIGNED-TEST-KEY-alu-docs.pem"
SELF_SIGNED_README = """\
# SELF-SIGNED TEST CERTIFICATE: integrity only, not identity

alu-docs made this key and certificate because meetings/committee.yaml names no signing
key. Approved minutes signed with it show that a file has not changed since it was
signed (`alu-docs verify`, or `pdfsig FILE`). They do NOT show who signed: anyone can
make such a certificate, and PDF readers say it is not trusted.

For real use, put the institution's key and certificate outside git and name them in
meetings/committee.yaml:

    signing:
      key: /path/outside/git/alu-signing.p12     # or a PEM key and `certificate:`
      # the password, if any, in the environment variable ALU_SIGNING_PASSWORD

Never commit this folder; never publish the key.
"""
REASONS = {
    "nb": "Godkjent referat fra møte i {short} {date}",
    "en": "Approved minutes of the {short} meeting of {date}",
}


@dataclass
class SigningIdentity:
    """The signer: pyHanko's signer, and whether it is the self-signed test certificate."""

    signer: SimpleSigner
    self_signed_test: bool


def signing_identity(paths: Paths, committee: Committee) -> SigningIdentity:
    """The key and certificate named in committee.yaml, or the self-signed test ones
    (made on first use in internal/signing/, mode 0600 for the key)."""
    if committee.signing_key:
        root = paths.meetings.parent
        key_path = root / Path(committee.signing_key).expanduser()
        cert_path = root / Path(committee.signing_certificate).expanduser() \
            if committee.signing_certificate else None
        return _load(key_path, cert_path, committee.path, self_signed=False)
    folder = paths.internal / SELF_SIGNED_FOLDER
    if not (folder / SELF_SIGNED_CERT).is_file() or not (folder / SELF_SIGNED_KEY).is_file():
        _make_self_signed(folder, committee)
    return _load(folder / SELF_SIGNED_KEY, folder / SELF_SIGNED_CERT, committee.path, self_signed=True)


def _load(key_path: Path, cert_path: Path | None, committee_path: Path, *, self_signed: bool) -> SigningIdentity:
    where = f"{committee_path.parent.name}/{committee_path.name}: signing"
    password = os.environ.get(PASSWORD_ENV)
    secret = password.encode() if password else None
    try:
        key_data = key_path.read_bytes()
        if key_path.suffix.lower() in (".p12", ".pfx"):
            key, cert, chain = pkcs12.load_key_and_certificates(key_data, secret)
            chain = [cert, *chain] if cert else []
        else:
            key = serialization.load_pem_private_key(key_data, secret)
            if cert_path is None:
                raise AluError(f"{where}.certificate: expected the certificate's path (PEM) beside a PEM key")
            chain = x509.load_pem_x509_certificates(cert_path.read_bytes())
    except OSError as exc:
        raise AluError(f"{where}: cannot read {exc.filename}: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        hint = f" (is {PASSWORD_ENV} set right?)" if "password" in str(exc).lower() else ""
        raise AluError(f"{where}: the key or certificate does not load: {exc}{hint}") from None
    if not chain or key is None:
        raise AluError(f"{where}: no certificate and key found in {key_path.name}")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != \
            chain[0].public_key().public_bytes(serialization.Encoding.DER, public):
        raise AluError(f"{where}: the certificate does not belong to the key")
    der = serialization.Encoding.DER
    signer = SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(chain[0].public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]),
    )
    return SigningIdentity(signer, self_signed)


def _make_self_signed(folder: Path, committee: Committee) -> None:
    """An RSA-3072 key and a self-signed certificate valid 2000-2099 (so any approval date,
    past or future, falls inside it), written atomically, the key readable by its owner only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"SELF-SIGNED TEST CERTIFICATE, alu-docs ({committee.short})"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "integrity only, not identity"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, committee.organisation),
    ])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_private(folder / "README.md", SELF_SIGNED_README.encode(), 0o644)
        _write_private(folder / SELF_SIGNED_KEY, pem_key, 0o600)
        _write_private(folder / SELF_SIGNED_CERT, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise AluError(f"cannot write the self-signed test certificate in {folder}: {exc.strerror}") from None


def _write_private(target: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def minutes_reason(committee: Committee, meeting_date: dt.date) -> str:
    template = REASONS.get(committee.language, REASONS["en"])
    return template.format(short=committee.short, date=long_date(meeting_date, committee.language))


def sign_approved_minutes(data: bytes, *, name: str, identity: SigningIdentity, committee: Committee,
                          meeting_date: dt.date, approved_on: dt.date) -> bytes:
    """The approved minutes PDF `data` (stem `name`), modified on and signed at the approval
    date with `identity` (signing_identity): the same approval of the same minutes gives the
    same bytes."""
    dated = reproducible_pdf(data, name=name, created=meeting_date, modified=approved_on)
    return sign_pdf(dated, signer=identity.signer, reason=minutes_reason(committee, meeting_date),
                    location=committee.organisation, when=document_time(approved_on))


class _FixedTimeSigner(PdfSigner):
    """pyHanko's signer with the signing time given, not read from the clock."""

    def __init__(self, *args, when: dt.datetime, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.when = when

    def init_signing_session(self, pdf_out, existing_fields_only=False):  # type: ignore[no-untyped-def]
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.when
        return session


class _ReproducibleWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, made reproducible and PDF/A-safe.

    pyHanko would (1) draw the second half of the trailer /ID at random, and (2) stamp the
    clock into /ModDate and rewrite the XMP pdf:Producer to itself while the Info /Producer
    keeps "LibreOffice 7.4; pyHanko …", a mismatch PDF/A forbids. Here the /ID is derived
    from the signed bytes and the time, and the metadata is left as reproducible.py set it.
    Overriding `_update_meta` is the way pyHanko's author points to (pyHanko issue #223);
    its XMP rewrite also breaks PDF/A extension schemas (#755). pyproject pins the minor version.
    """

    def __init__(self, data: bytes, when: dt.datetime) -> None:
        super().__init__(io.BytesIO(data))
        second = hashlib.sha256(data + when.isoformat().encode()).digest()[:16]
        self._document_id = generic.ArrayObject([self._document_id[0], generic.ByteStringObject(second)])

    def _update_meta(self) -> None:
        pass


def sign_pdf(data: bytes, *, signer: SimpleSigner, reason: str, location: str, when: dt.datetime) -> bytes:
    """`data` with a PAdES B-B signature appended as an incremental update, signed at `when`.

    Raises AluError when the PDF does not open or is signed already.
    """
    try:
        writer = _ReproducibleWriter(data, when)
        if any(True for _ in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures):
            raise AluError("the PDF is signed already; sign a fresh copy")
        meta = PdfSignatureMetadata(field_name=FIELD, reason=reason, location=location,
                                    subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        pdf_signer = _FixedTimeSigner(meta, signer=signer, new_field_spec=SigFieldSpec(FIELD), when=when)
        return pdf_signer.sign_pdf(writer).getvalue()
    except (PdfError, SigningError) as exc:
        raise AluError(f"cannot sign the PDF: {exc}") from None


ALLOWED_AFTER_SIGNING = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)  # e.g. a later time stamp


def verify_signatures(path: Path) -> list[str]:
    """Every integrity problem of the signatures in `path`: a file without a signature, a
    signed byte range whose digest differs, a signature value that does not verify, and
    changes after a signature beyond validation data and time stamps. Trust in the signer
    is not judged here (the self-signed test certificate is never trusted)."""
    try:
        with path.open("rb") as fh:
            signatures = PdfFileReader(fh, strict=False).embedded_signatures
            if not signatures:
                return ["not signed"]
            problems: list[str] = []
            for signature in signatures:
                problems += _signature_problems(signature)
            return problems
    except OSError as exc:
        return [f"cannot read: {exc.strerror}"]
    except Exception as exc:  # pyHanko and asn1crypto raise many types for a damaged file
        return [f"signature cannot be checked: {exc.__class__.__name__}: {exc}"]


def _signature_problems(signature) -> list[str]:  # type: ignore[no-untyped-def]
    name = f"signature '{signature.field_name}'"
    context = ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)
    status = validate_pdf_signature(signature, signer_validation_context=context)
    problems = []
    if not status.intact:
        problems.append(f"{name}: the signed bytes changed (digest mismatch)")
    elif not status.valid:
        problems.append(f"{name}: the signature value does not verify")
    if status.modification_level not in ALLOWED_AFTER_SIGNING:
        problems.append(f"{name}: the file was changed after it was signed")
    return problems
