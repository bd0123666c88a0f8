"""Reproducible PDFs: the same document gives the same bytes, whenever and wherever it is built.

LibreOffice stamps the clock into every PDF it writes: the Info /CreationDate, the XMP
xmp:CreateDate, the creation date inside the embedded sRGB (ICC) profile of the PDF/A
output intent, and a random trailer /ID with a /DocChecksum over all that. Measured on
LibreOffice 7.4 (two builds of the sample meeting in two folders on two days): nothing
else differed; font subset prefixes and object order were the same.

`reproducible_pdf` rewrites those fields from dates the caller derives from the meeting
(and its approval), keeping PDF/A-2b: Info and XMP carry the same dates, the metadata
stream stays uncompressed, and the /ID is computed from the content (qpdf's
deterministic ID). DocumentID names the document (stable across versions); InstanceID
names this content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import uuid
import zlib
from pathlib import Path

import pikepdf

from . import cachefile
from .errors import AluError

# uuid5 namespace of alu-docs' document and instance IDs (a fixed, random-looking UUID)
ID_NAMESPACE = uuid.UUID("6f1b8a52-3c2e-4d87-9a0e-52a1d4e0c7b3")


def document_time(day: dt.date) -> dt.datetime:
    """The time stamped into a document for `day`: noon UTC, so the date reads the same in
    every time zone from UTC-11 to UTC+11."""
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


def pdf_date(when: dt.datetime) -> str:
    """PDF date string (ISO 32000 7.9.4) in UTC, e.g. D:20250827120000Z."""
    return when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


def xmp_date(when: dt.datetime) -> str:
    """The same instant as pdf_date, as XMP writes it, e.g. 2025-08-27T12:00:00Z."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def reproducible_pdf(data: bytes, *, name: str, created: dt.date, modified: dt.date | None = None,
                     cache: Path | None = None) -> bytes:
    """`data` (a LibreOffice PDF/A) with every clock- and chance-derived field replaced.

    `name` is the document's stem (e.g. ALU-2025-08-27-referat); `created` its date (the
    meeting date, or the issue date); `modified` the last change that counts (the approval
    date of approved minutes), default `created`. Same input bytes up to those fields and
    same arguments give the same output bytes; with `cache` (the project's .alu-work/cache/)
    a result is kept by the sha256 of all that and made only once.
    """
    if cache is None:
        return _reproducible(data, name, created, modified)
    facts = f"{Path(__file__).stat().st_mtime_ns}\n{name}\n{created}\n{modified}\n".encode()
    entry = cache / "pdf-final" / f"{hashlib.sha256(facts + data).hexdigest()}.pdf"
    kept = cachefile.find(entry)
    if kept is None:
        kept = _reproducible(data, name, created, modified)
        cachefile.keep(entry, kept, KEPT)
    return kept


KEPT = 400  # results kept in cache/pdf-final/; the least recently used go first


def _reproducible(data: bytes, name: str, created: dt.date, modified: dt.date | None) -> bytes:
    created_at = document_time(created)
    modified_at = document_time(modified or created)
    document_id = f"uuid:{uuid.uuid5(ID_NAMESPACE, name)}"
    # The instance ID names the content: first a pass with a placeholder, then its digest.
    first = _rewrite(data, created_at, modified_at, document_id, "uuid:" + "0" * 36)
    instance_id = f"uuid:{uuid.uuid5(ID_NAMESPACE, hashlib.sha256(first).hexdigest())}"
    return _rewrite(first, created_at, modified_at, document_id, instance_id)


def _rewrite(data: bytes, created: dt.datetime, modified: dt.datetime, document_id: str,
             instance_id: str) -> bytes:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        raise AluError(f"a converted PDF does not open ({exc})") from None
    with pdf:
        info = pdf.docinfo
        info.CreationDate = pdf_date(created)
        info.ModDate = pdf_date(modified)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["xmp:CreateDate"] = xmp_date(created)
            xmp["xmp:ModifyDate"] = xmp_date(modified)
            xmp["xmp:MetadataDate"] = xmp_date(modified)
            xmp["xmpMM:DocumentID"] = document_id
            xmp["xmpMM:InstanceID"] = instance_id
        for intent in pdf.Root.get("/OutputIntents", []):
            if "/DestOutputProfile" in intent:
                _date_icc_profile(intent.DestOutputProfile, created)
        # Both /ID halves from the content (qpdf keeps an existing first half: drop it),
        # and LibreOffice's non-standard /DocChecksum, an MD5 over the clock-stamped file.
        for key in ("/ID", "/DocChecksum"):
            if key in pdf.trailer:
                del pdf.trailer[key]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _date_icc_profile(stream: pikepdf.Stream, when: dt.datetime) -> None:
    """Set the ICC profile header's creation date (bytes 24-35, six big-endian uint16)."""
    profile = bytearray(stream.read_bytes())
    if len(profile) < 128 or profile[36:40] != b"acsp":
        return  # not an ICC profile header: leave it
    utc = when.astimezone(dt.UTC)
    stamp = struct.pack(">6H", utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    if profile[24:36] == stamp:
        return
    profile[24:36] = stamp
    if any(profile[84:100]):  # a profile ID is the MD5 of the profile with three fields zeroed
        zeroed = bytearray(profile)
        zeroed[44:48] = zeroed[64:68] = bytes(4)
        zeroed[84:100] = bytes(16)
        profile[84:100] = hashlib.md5(zeroed).digest()
    stream.write(zlib.compress(bytes(profile), 9), filter=pikepdf.Name.FlateDecode)
