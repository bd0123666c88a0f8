"""`alu-docs export noark5`: the committee's meetings as a Noark 5 v5.0 archive extract
("arkivuttrekk") for the institution's archive.

    internal/noark5/                 (or --out DIR; never inside archive/)
        arkivstruktur.xml            arkiv > arkivdel > moetemappe > moeteregistrering >
                                     dokumentbeskrivelse > dokumentobjekt (sjekksum SHA256)
        dokumenter/2025/2025-08-27/… each archived PDF/A; for a document with screened content
                                     the internal edition, the institution's record
        dokumenter/skjermet/2025/…   the public edition of such a document: its screened variant
        info.txt                     what, period, counts, how to validate

Element names and order follow Arkivverket's arkivstruktur.xsd and metadatakatalog.xsd
(v5.0); code values follow the metadata catalogue (its obligatory values where it has
them). Every systemID is a UUID derived from the meeting, the document and the version, and
every date comes from the meetings and the manifest, so exporting twice gives the same bytes.
The folder is built beside its target and renamed into place: never half written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from pypdf import PdfReader

from . import __version__
from .archive import Manifest, locked, recover, sha256
from .context import Context
from .errors import AluError, ArchiveError
from .load import display_path
from .model import Case, Meeting, load_all
from .names import CASE, MINUTES, NOTICE, PACKET, DocKey, document_stem, parse
from .paths import Echo, Paths
from .texts import long_date, short_date, texts

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
STRUCTURE = "arkivstruktur.xml"
DOCUMENTS = "dokumenter"
SCREENED = "skjermet"  # dokumenter/skjermet/: public editions, the screened variants
INFO = "info.txt"
FOLDER = "noark5"  # the default export folder, under internal/

# Noark metadata is Norwegian whatever the committee's language: code values from the
# metadata catalogue, and the few notes the export writes itself.
SYSTEM = "alu-docs"
REGISTRATION_TYPE = {NOTICE: "Møteinnkalling", CASE: "Saksframlegg", PACKET: "Sakspapirer", MINUTES: "Møtereferat"}
CASE_TYPE = {"decision": "Vedtakssak", "discussion": "Drøftingssak", "information": "Orienteringssak"}
ARCHIVAL, SCREENED_VARIANT = "Arkivformat", "Dokument hvor deler av innholdet er skjermet"  # M700
RESTRICTED = "Unntatt offentlighet"  # M500: the catalogue's obligatory value; the legal basis goes in M501
SCREEN_TITLE = "Skjerming tittel registrering - utvalgte ord"  # M502, with offentligTittel (M025)
SCREEN_DESCRIPTION_TITLE = "Skjerming tittel dokumentbeskrivelse"
WHOLE, PARTS = "Skjerming av hele dokumentet", "Skjerming av deler av dokumentet"  # M503
ELSEWHERE = "{what}: publisert på komiteens side, ikke i dette arkivet."
NO_DOCUMENTS = {"seminar": "Samling uten saksdokumenter.", "planned": "Ingen dokumenter er utstedt for møtet ennå.",
                "unbuilt": "Møtet har saker, men dokumentene er ikke i arkivet ennå."}


@dataclass
class FileVersion:
    """One issue of a document: its archived (public) file and, when the document holds
    screened content, the internal edition's file."""

    relative: str  # the same path in archive/ and in internal/
    number: int  # versjonsnummer: 1 for the first issue
    created: dt.date
    superseded: bool
    public: bytes
    internal: bytes | None = None


@dataclass
class Document:
    """One document of a meeting (the notice, a case paper, the packet, the minutes) with
    every issue of it the archive keeps."""

    meeting: Meeting  # the meeting the manifest files it under
    key: DocKey  # without a version
    case: Case | None
    versions: list[FileVersion] = field(default_factory=list)
    imported_from: str | None = None

    @property
    def screened(self) -> bool:
        return any(v.internal is not None for v in self.versions)


@dataclass
class Export:
    """What one export writes, gathered and checked before anything is written."""

    ctx: Context
    meetings: list[Meeting]
    start: dt.date
    end: dt.date
    documents: dict[dt.date, list[Document]]
    approvals: dict[dt.date, dt.date]  # meeting -> the day its minutes were approved
    notes: list[str] = field(default_factory=list)


# --- reading the archive -------------------------------------------------------------------


def export_noark5(paths: Paths, *, year: int | None = None, start: dt.date | None = None,
                  end: dt.date | None = None, out: Path | None = None, echo: Echo = print) -> Path:
    """Write the Noark 5 extract of the meetings from `start` to `end` (or of `year`; by
    default every meeting) to `out` (default internal/noark5/). Raises AluError, writing
    nothing, when the period holds no meeting, an archived file differs from the manifest,
    or the internal edition a confidential case needs is missing."""
    if year is not None:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    days = [m.date for m in meetings]
    if not days:
        raise AluError(f"no meetings in {paths.meetings.name}/ to export")
    start = start or min(days + ([end] if end else []))
    end = end or max(days + [start])
    if end < start:
        raise AluError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    selected = [m for m in ctx.meetings if start <= m.date <= end]
    if not selected:
        raise AluError(f"no meetings from {start.isoformat()} to {end.isoformat()} in {paths.meetings.name}/")
    target = _target(paths, out)
    with locked(paths.archive):  # the archive does not change while it is read and copied
        recover(paths, echo)
        export = _gather(paths, ctx, selected, start, end)
        for note in export.notes:
            echo(note)
        writer = _Writer(export)
        writer.write_arkiv()
        _replace_folder(target, writer.fill)
    echo(f"export   {display_path(target)}/: {len(selected)} meetings from {start.isoformat()} to {end.isoformat()}, "
         f"{writer.registrations} document{'s' if writer.registrations != 1 else ''}, {len(writer.files)} files "
         f"({writer.internal} of the internal edition)")
    return target


def _target(paths: Paths, out: Path | None) -> Path:
    """The export holds the internal edition: never in the published archive/ nor in the
    git-tracked meetings/."""
    target = (out or paths.internal / FOLDER).resolve()
    for kept in (paths.archive, paths.meetings):
        if target.is_relative_to(kept.resolve()) or kept.resolve().is_relative_to(target):
            raise ArchiveError(f"the export holds the internal edition and stays outside {kept.name}/; "
                               f"got --out {out}")
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / STRUCTURE).is_file())):
        raise ArchiveError(f"{display_path(target)} exists and is not a Noark 5 export; choose a new or empty folder")
    return target


def _gather(paths: Paths, ctx: Context, meetings: list[Meeting], start: dt.date, end: dt.date) -> Export:
    manifest = Manifest.load(paths.archive)
    wanted = {m.date.isoformat(): m for m in meetings}
    found: dict[tuple[dt.date, str, int | None], Document] = {}
    for relative, entry in sorted(manifest.files.items()):
        parsed = parse(relative)
        meeting = wanted.get(entry.get("meeting") or "")
        if meeting is None or entry.get("kind") or parsed is None or parsed.suffix != ".pdf":
            continue  # another period, the index, the calendar, a plan, a DOCX (a production format)
        key = parsed.key.as_version(None)
        case = _case(ctx, meeting, key.case)
        document = found.setdefault((meeting.date, key.kind, key.case), Document(meeting, key, case))
        if entry.get("imported"):
            document.imported_from = entry.get("source") or Path(relative).name
        public = _read_checked(paths.archive, relative, entry["sha256"])
        internal = _read_internal(paths, relative) if _holds_screened(meeting, key.kind, case) else None
        number = parsed.key.version or entry.get("version", 1)
        created = _date(entry.get("issued")) or meeting.date
        superseded = bool(entry.get("superseded"))
        document.versions.append(FileVersion(relative, number, created, superseded, public, internal))
    documents: dict[dt.date, list[Document]] = {}
    order = {NOTICE: 0, CASE: 1, PACKET: 2, MINUTES: 3}
    for document in sorted(found.values(), key=lambda d: (order[d.key.kind], d.key.case or 0)):
        # the oldest issue has the lowest number (M005): by issue number, date, superseded first
        document.versions.sort(key=lambda v: (v.number, v.created, not v.superseded, v.relative))
        for number, version in enumerate(document.versions, 1):
            version.number = number
        documents.setdefault(document.meeting.date, []).append(document)
    approvals = {m.date: _date(approval["on"]) for m in meetings if (approval := manifest.approval(m.date))}
    export = Export(ctx, meetings, start, end, documents, approvals)
    for meeting in meetings:
        if meeting.has_notice and not documents.get(meeting.date):
            export.notes.append(f"note     {meeting.date.isoformat()}: no documents in {paths.archive.name}/ yet "
                                f"(alu-docs build {meeting.date.isoformat()} makes them)")
    return export


def _case(ctx: Context, meeting: Meeting, number: int | None) -> Case | None:
    if number is None:
        return None
    return next((c for c in meeting.cases if ctx.numbers[(meeting.date, c.position)] == number), None)


def _holds_screened(meeting: Meeting, kind: str, case: Case | None) -> bool:
    """A confidential case's paper, and the notice, packet and minutes of its meeting, have an
    internal edition holding what the public one leaves out."""
    if kind == CASE:
        return bool(case and case.confidential)
    return any(c.confidential for c in meeting.cases)


def _read_checked(root: Path, relative: str, expected: str) -> bytes:
    path = root / relative
    data = path.read_bytes() if path.is_file() else None
    if data is None or sha256(data) != expected:
        what = "missing" if data is None else "sha256 differs from the manifest"
        raise ArchiveError(f"{root.name}/{relative}: {what}; run alu-docs verify. Nothing was exported.")
    return data


def _read_internal(paths: Paths, relative: str) -> bytes:
    path = paths.internal / relative
    if not path.is_file():
        raise ArchiveError(f"{paths.internal.name}/{relative} is missing: the deposit needs the internal edition of "
                           "a meeting with a confidential case (alu-docs build makes it). Nothing was exported.")
    return path.read_bytes()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _stamp(day: dt.date) -> str:
    """A day as xs:dateTime. alu-docs records days, not times, so the time is midnight."""
    return f"{day.isoformat()}T00:00:00"


def pdfa_level(data: bytes) -> str | None:
    """'PDF/A-2b' from the file's XMP metadata (pdfaid:part, pdfaid:conformance), None for a
    PDF that does not claim PDF/A (an imported legacy file, say)."""
    try:
        xmp = PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object().get_data()
    except Exception:  # no metadata, or a PDF pypdf cannot read: not a PDF/A claim
        return None
    part = re.search(rb"pdfaid:part(?:>|=[\"'])\s*(\d)", xmp)
    conformance = re.search(rb"pdfaid:conformance(?:>|=[\"'])\s*([abuABU])", xmp)
    if not (part and conformance):
        return None
    return f"PDF/A-{part[1].decode()}{conformance[1].decode().lower()}"


# --- arkivstruktur.xml ---------------------------------------------------------------------


def _el(parent: Any, tag: str, text: object = None) -> Any:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _fields(parent: Any, *pairs: tuple[str, object]) -> None:
    """Add the elements in the order given (the XSD's sequence), leaving out empty ones."""
    for tag, value in pairs:
        if value is not None and value != "":
            _el(parent, tag, value)


def _typed(parent: Any, tag: str, xsi_type: str) -> Any:
    element = _el(parent, tag)
    element.set(f"{{{XSI}}}type", xsi_type)
    return element


def _basis(legal: str) -> str:
    """'offl. § 14' -> 'Offl. § 14', as a skjermingshjemmel is written."""
    return legal[:1].upper() + legal[1:]


class _Writer:
    """Builds arkivstruktur.xml and collects the files it refers to (path in the export ->
    bytes)."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.ctx = export.ctx
        committee = export.ctx.committee
        self.t = texts(committee.language)
        self.utvalg = f"{committee.name} ({committee.short})"
        self.space = uuid.uuid5(uuid.NAMESPACE_URL, f"alu-docs:noark5:{committee.organisation}:{committee.short}")
        self.files: dict[str, bytes] = {}
        self.internal = 0
        self.registrations = 0
        self.root: Any = None

    def id(self, *parts: object) -> str:
        """A stable systemID: the same meeting, document and version give the same UUID."""
        return str(uuid.uuid5(self.space, ":".join(str(p) for p in parts)))

    def write_arkiv(self) -> None:
        export, committee = self.export, self.ctx.committee
        days = [export.start, export.end] + [v.created for docs in export.documents.values()
                                             for d in docs for v in d.versions] + list(export.approvals.values())
        first, last = min(days), max(days)
        self.root = arkiv = etree.Element(f"{{{NS}}}arkiv", nsmap={None: NS, "xsi": XSI})
        arkiv.set(f"{{{XSI}}}schemaLocation", f"{NS} arkivstruktur.xsd")
        closed = (("opprettetDato", _stamp(first)), ("opprettetAv", SYSTEM),
                  ("avsluttetDato", _stamp(last)), ("avsluttetAv", SYSTEM))
        _fields(arkiv, ("systemID", self.id("arkiv")), ("tittel", f"{self.utvalg}, {committee.organisation}"),
                ("arkivstatus", "Avsluttet"), ("dokumentmedium", "Elektronisk arkiv"), *closed)
        creator = _el(arkiv, "arkivskaper")
        _fields(creator, ("arkivskaperID", f"{committee.organisation}-{committee.short}"),
                ("arkivskaperNavn", f"{committee.organisation}, {committee.name}"))
        part = _el(arkiv, "arkivdel")
        period = f"{export.start.isoformat()}–{export.end.isoformat()}"
        _fields(part, ("systemID", self.id("arkivdel", export.start, export.end)),
                ("tittel", f"{self.utvalg}: møter {period}"), ("arkivdelstatus", "Avsluttet periode"),
                ("dokumentmedium", "Elektronisk arkiv"), *closed,
                ("arkivperiodeStartDato", export.start.isoformat()), ("arkivperiodeSluttDato", export.end.isoformat()))
        meetings = export.meetings
        for i, meeting in enumerate(meetings):
            previous = meetings[i - 1] if i > 0 else None
            following = meetings[i + 1] if i + 1 < len(meetings) else None
            self.meeting_folder(part, meeting, previous, following)

    def meeting_folder(self, parent: Any, meeting: Meeting, previous: Meeting | None,
                       following: Meeting | None) -> None:
        ctx, docs = self.ctx, self.export.documents.get(meeting.date, [])
        days = [v.created for d in docs for v in d.versions] + [meeting.date, meeting.end_date or meeting.date]
        title = meeting.title or f"{self.t['meeting_no']} {ctx.meeting_number(meeting)}"
        folder = _typed(parent, "mappe", "moetemappe")
        _fields(folder, ("systemID", self.id("moetemappe", meeting.date)),
                ("mappeID", document_stem(ctx.committee.short, meeting.date)),
                ("tittel", f"{title} – {self.utvalg}, {long_date(meeting.date, ctx.committee.language)}"),
                ("opprettetDato", _stamp(min(days))), ("opprettetAv", SYSTEM),
                ("avsluttetDato", _stamp(max(days))), ("avsluttetAv", SYSTEM))
        for text in meeting_notes(meeting, docs):
            self.note(folder, text, meeting.date)
        for document in docs:
            self.registration(folder, document)
        _fields(folder, ("moetenummer", ctx.meeting_number(meeting)), ("utvalg", self.utvalg),
                ("moetedato", meeting.date.isoformat()), ("moetested", meeting.place),
                ("referanseForrigeMoete", previous and self.id("moetemappe", previous.date)),
                ("referanseNesteMoete", following and self.id("moetemappe", following.date)))
        for name, function in participants(ctx, meeting):
            _fields(_el(folder, "moetedeltaker"), ("moetedeltakerNavn", name), ("moetedeltakerFunksjon", function))

    def note(self, parent: Any, text: str, day: dt.date) -> None:
        _fields(_el(parent, "merknad"), ("merknadstekst", text), ("merknadsdato", _stamp(day)),
                ("merknadRegistrertAv", SYSTEM))

    def registration(self, parent: Any, document: Document) -> None:
        meeting, key, case = document.meeting, document.key, document.case
        name = (meeting.date, key.kind, key.case or 0)
        first = document.versions[0].created
        archived = document.versions[-1].created
        if key.kind == MINUTES and meeting.minutes_status == "approved":
            archived = max(archived, self.export.approvals.get(meeting.date, archived))
        title, public_title = self.titles(document)
        registration = _typed(parent, "registrering", "moeteregistrering")
        self.registrations += 1
        _fields(registration, ("systemID", self.id("registrering", *name)), ("opprettetDato", _stamp(first)),
                ("opprettetAv", SYSTEM), ("arkivertDato", _stamp(archived)), ("arkivertAv", SYSTEM))
        if case and case.confidential:
            _screening(registration, _basis(case.confidential), SCREEN_TITLE, WHOLE)
        self.description(registration, document, name, title)
        _fields(registration, ("registreringsID", key.stem(self.ctx.committee.short)), ("tittel", title),
                ("offentligTittel", public_title))
        if document.imported_from:
            self.note(registration, f"Dokument fra før alu-docs, importert fra {document.imported_from}.", first)
        unit, person = self.responsible(document)
        status = "Til behandling" if meeting.minutes_status == "none" else "Ferdig behandlet av utvalget"
        if key.kind == MINUTES:
            status = "Godkjent" if meeting.minutes_status == "approved" else "Utkast, ikke godkjent"
        elif key.kind != CASE:
            status = "Utsendt"
        _fields(registration, ("moeteregistreringstype", REGISTRATION_TYPE[key.kind]),
                ("moetesakstype", case and CASE_TYPE[case.type]), ("moeteregistreringsstatus", status),
                ("administrativEnhet", unit), ("saksbehandler", person))

    def description(self, parent: Any, document: Document, name: tuple[object, ...], title: str) -> None:
        meeting, first = document.meeting, document.versions[0].created
        draft = document.key.kind == MINUTES and meeting.minutes_status != "approved"
        description = _el(parent, "dokumentbeskrivelse")
        _fields(description, ("systemID", self.id("dokumentbeskrivelse", *name)),
                ("dokumenttype", REGISTRATION_TYPE[document.key.kind]),
                ("dokumentstatus", "Dokumentet er under redigering" if draft else "Dokumentet er ferdigstilt"),
                ("tittel", title), ("opprettetDato", _stamp(first)), ("opprettetAv", SYSTEM),
                ("tilknyttetRegistreringSom", "Hoveddokument"), ("dokumentnummer", 1),
                ("tilknyttetDato", _stamp(first)), ("tilknyttetAv", SYSTEM))
        if document.screened:
            cases = [document.case] if document.case else meeting.cases
            bases = sorted({_basis(c.confidential) for c in cases if c.confidential})
            _screening(description, "; ".join(bases), SCREEN_DESCRIPTION_TITLE,
                       WHOLE if document.key.kind == CASE else PARTS)
        for version in document.versions:
            if version.internal is None:
                self.file(description, name, version, version.public, ARCHIVAL, "")
                continue
            self.internal += 1
            self.file(description, name, version, version.internal, ARCHIVAL, "")
            self.file(description, name, version, version.public, SCREENED_VARIANT, SCREENED + "/")

    def file(self, parent: Any, name: tuple[object, ...], version: FileVersion, data: bytes,
             variant: str, folder: str) -> None:
        path = f"{DOCUMENTS}/{folder}{version.relative}"
        self.files[path] = data
        level = pdfa_level(data)
        _fields(_el(parent, "dokumentobjekt"), ("systemID", self.id("dokumentobjekt", *name, version.number, variant)),
                ("versjonsnummer", version.number), ("variantformat", variant),
                ("format", "PDF/A" if level else "PDF"), ("formatDetaljer", level),
                ("opprettetDato", _stamp(version.created)), ("opprettetAv", SYSTEM),
                ("referanseDokumentfil", path), ("sjekksum", sha256(data)), ("sjekksumAlgoritme", "SHA256"),
                ("filstoerrelse", len(data)))

    def titles(self, document: Document) -> tuple[str, str | None]:
        """The registration's title and, for a confidential case, its public title."""
        ctx, meeting, case, t = self.ctx, document.meeting, document.case, self.t
        short = ctx.committee.short
        if document.key.kind != CASE:
            word = {NOTICE: t["notice"], PACKET: t["packet"], MINUTES: t["minutes"]}[document.key.kind]
            return f"{word} {short} {short_date(meeting.date)}", None
        if case is None:  # a case paper whose case is gone from the YAML
            return f"{short}-{t['case_word']} {document.key.case}/{meeting.date:%y}", None
        label = ctx.case_label(meeting, case)
        return f"{label} {case.title}", (f"{label} {ctx.public_title(case)}" if case.confidential else None)

    def responsible(self, document: Document) -> tuple[str, str]:
        """administrativEnhet and saksbehandler: the presenter and their unit for a case paper,
        the committee's secretary otherwise, and for a confidential case (whose presenter is
        confidential too)."""
        committee, case = self.ctx.committee, document.case
        office = f"{committee.organisation}, {committee.name}"
        secretary = committee.secretary or self.t["secretary_role"]
        if case is None or case.confidential:
            return office, secretary
        person = case.presenter
        unit = person.unit if person.guest else next(
            (m.unit_name for m in committee.members if m.name == person.name and m.unit_name), None)
        return unit or office, person.name

    def fill(self, folder: Path) -> None:
        """Write the export into `folder` (a fresh temporary folder)."""
        xml = etree.tostring(self.root, xml_declaration=True, encoding="utf-8", pretty_print=True)
        for path, data in sorted(self.files.items()):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
        (folder / STRUCTURE).write_bytes(xml)
        (folder / INFO).write_text(self.info(sha256(xml)), encoding="utf-8")

    def info(self, xml_sha256: str) -> str:
        export, committee = self.export, self.ctx.committee
        empty = sum(1 for m in export.meetings if not export.documents.get(m.date))
        confidential = sorted({_basis(c.confidential) for m in export.meetings for c in m.cases if c.confidential})
        count = sum(1 for m in export.meetings for c in m.cases if c.confidential)
        lines = [
            "Noark 5-arkivuttrekk (Noark 5 versjon 5.0)",
            f"Arkivskaper: {committee.organisation}, {self.utvalg}",
            f"Periode: {export.start.isoformat()} – {export.end.isoformat()}",
            f"Møtemapper (moetemappe): {len(export.meetings)}, herav {empty} uten dokumenter i arkivet "
            "(merknad i mappen sier hvorfor)",
            f"Møteregistreringer: {self.registrations}; dokumentfiler (dokumentobjekt) i {DOCUMENTS}/: "
            f"{len(self.files)}",
        ]
        if count:
            lines.append(f"Saker unntatt offentlighet: {count} ({', '.join(confidential)}). {DOCUMENTS}/ har den "
                         f"interne utgaven av dokumentene deres, {DOCUMENTS}/{SCREENED}/ den offentlige (skjermede).")
        lines += [
            f"Laget av alu-docs {__version__} fra archive/manifest.json og internal/.",
            "Inneholder intern utgave: skal ikke publiseres.",
            f"{STRUCTURE}: sha256 {xml_sha256}",
            "",
            "Validering:",
            f"  xmllint --noout --schema arkivstruktur.xsd {STRUCTURE}",
            "    med Arkivverkets arkivstruktur.xsd og metadatakatalog.xsd for Noark 5 v5.0 i samme mappe",
            "    (eller Arkivverkets testverktøy Arkade 5)",
            "  alu-docs verify --export <denne mappen>",
            f"    sjekker sjekksum (SHA256) og filstørrelse for hver fil i {DOCUMENTS}/",
        ]
        return "\n".join(lines) + "\n"


def _screening(parent: Any, basis: str, metadata: str, document: str) -> None:
    _fields(_el(parent, "skjerming"), ("tilgangsrestriksjon", RESTRICTED), ("skjermingshjemmel", basis),
            ("skjermingMetadata", metadata), ("skjermingDokument", document))


def meeting_notes(meeting: Meeting, docs: list[Document]) -> list[str]:
    """The merknader of a meeting's folder: where documents kept elsewhere are, minutes never
    written, or why a meeting has no documents here."""
    kinds = {d.key.kind for d in docs}
    notes = []
    if meeting.legacy_notice and NOTICE not in kinds:
        notes.append(ELSEWHERE.format(what="Møteinnkalling"))
    if meeting.legacy_minutes and MINUTES not in kinds:
        notes.append(ELSEWHERE.format(what="Referat"))
    if not docs and not meeting.is_legacy:
        notes.append(NO_DOCUMENTS["seminar" if meeting.kind == "seminar" else "unbuilt" if meeting.cases
                                  else "planned"])
    if meeting.minutes_status == "not-written":
        notes.append(meeting.minutes_note or "Referat ble ikke skrevet.")
    return notes


def participants(ctx: Context, meeting: Meeting) -> list[tuple[str, str]]:
    """moetedeltaker from the attendance in the minutes: members present, substitutes,
    observers, guests and the referent, with their function. None for a meeting without
    minutes made here (planned, or held before alu-docs). A guest who came only for
    confidential cases is left out: the screened minutes name them."""
    if not meeting.has_minutes or meeting.is_legacy:
        return []
    committee, att = ctx.committee, meeting.attendance

    def partly(function: str, name: str) -> str:
        return f"{function} ({att.partial[name]})" if name in att.partial else function

    people = [(m.name, partly("leder" if m.chair else "medlem", m.name))
              for m in committee.roster(meeting.date) if m.name not in att.absent]
    people += [(sub, partly(f"vara for {member}", sub)) for member, sub in att.substitutes.items()]
    if att.observers is not None:
        people += [(name, "observatør") for name in att.observers]
    else:
        people += [(o.name, f"observatør ({o.role})") for o in committee.observers_on(meeting.date) if o.name]
    open_cases = {c.position: ctx.case_number(meeting, c) for c in meeting.cases if not c.confidential}
    for guest in att.guests:
        shown = [open_cases[p] for p in guest.cases if p in open_cases]
        if guest.cases and not shown:
            continue
        function = "gjest" + (f", {guest.unit}" if guest.unit else "")
        function += f", under sak {', '.join(shown)}" if shown else ""
        people.append((guest.name, partly(function, guest.name)))
    referent = att.referent or committee.secretary
    if referent:
        people.append((referent, "referent"))
    return people


# --- the folder ------------------------------------------------------------------------------


def _replace_folder(target: Path, fill: Any) -> None:
    """Fill a temporary folder beside `target`, then rename it into place: an interrupted
    export leaves the previous export (or none), never a half-written one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}-*"):  # left by an export that was killed
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        fill(work)
        if target.exists():
            old = work.with_name(work.name + "-old")
            os.replace(target, old)
            os.replace(work, target)
            shutil.rmtree(old)
        else:
            os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


# --- verify ----------------------------------------------------------------------------------


def check_export(folder: Path, label: str) -> tuple[int, list[str]]:
    """Every file of an export against its dokumentobjekt (sjekksum, filstoerrelse), files
    no dokumentobjekt names, and arkivstruktur.xml against the sha256 in info.txt.
    Returns (files checked, problems)."""
    xml_path = folder / STRUCTURE
    try:
        xml = xml_path.read_bytes()
        tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except FileNotFoundError:
        return 0, [f"{label}/{STRUCTURE}: not found"]
    except etree.XMLSyntaxError as exc:
        return 0, [f"{label}/{STRUCTURE}: not readable XML ({exc})"]
    problems = []
    recorded = re.search(r"^" + re.escape(STRUCTURE) + r": sha256 ([0-9a-f]{64})$",
                         (folder / INFO).read_text(encoding="utf-8") if (folder / INFO).is_file() else "", re.M)
    if recorded and recorded[1] != sha256(xml):
        problems.append(f"{label}/{STRUCTURE}: changed: sha256 differs from {INFO}")
    base = folder.resolve()
    named = set()
    for item in tree.iter(f"{{{NS}}}dokumentobjekt"):
        reference = item.findtext(f"{{{NS}}}referanseDokumentfil") or ""
        named.add(reference)
        path = (folder / reference).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            problems.append(f"{label}/{reference}: missing (named in {STRUCTURE})")
            continue
        data = path.read_bytes()
        if sha256(data) != item.findtext(f"{{{NS}}}sjekksum"):
            problems.append(f"{label}/{reference}: changed: sha256 differs from its sjekksum in {STRUCTURE}")
        elif str(len(data)) != item.findtext(f"{{{NS}}}filstoerrelse"):
            problems.append(f"{label}/{reference}: changed: size differs from its filstoerrelse in {STRUCTURE}")
    for path in sorted((folder / DOCUMENTS).rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative not in named:
            problems.append(f"{label}/{relative}: not in {STRUCTURE}")
    return len(named), problems


def verify_export(paths: Paths, export: Path | None = None, *, echo: Echo = print) -> list[str]:
    """`alu-docs verify`'s part for the Noark 5 export: `export`, or internal/noark5/ when one
    is there. Echoes one line when every file matches; returns the problems."""
    folder = export or paths.internal / FOLDER
    if export is None and not (folder / STRUCTURE).exists():
        return []
    label = display_path(folder).rstrip("/")
    count, problems = check_export(folder, label)
    if not problems:
        echo(f"ok: {count} files in {label}/ match {STRUCTURE} (sjekksum, SHA256)")
    return problems
