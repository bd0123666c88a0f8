"""Stage 6: the archive index, `archive/index.pdf`.

Every meeting, newest first, grouped by year (a bookmark per year), with its state, its
cases and its documents as relative links to the PDFs beside the index. It is rendered
from `templates/indeks.docx`, converted to PDF/A-2b (tagged) by LibreOffice like every
archival PDF, and the links are added afterwards with pypdf: LibreOffice 7.4 drops DOCX
hyperlinks when it exports a PDF. Each link text is found in the PDF with
`pdftotext -bbox` and gets a /Link annotation with a GoToR action (a relative file name,
allowed in PDF/A-2) and a tagged /Link structure element.

Documents are listed from the archive's manifest only: a document that exists but is not
in this archive (history) is named as such and never linked.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docxtpl import RichText

from . import __version__, names
from .archive import Manifest, Transaction, file_sha256, sha256, transaction
from .context import Context
from .convert import to_pdf
from .docxfill import render_docx
from .links import PdfWords, add_links, pdf_words, place_links
from .model import Meeting, load_all
from .names import INDEX, INDEX_TEMPLATE, MINUTES, NOTICE, PACKET
from .paths import Echo, Paths
from .texts import ARCHIVE_TEXTS, date_range, long_date, short_date, texts

DOCX_NAME = "index"  # the DOCX (and LibreOffice's PDF) in a build's work folder
LINK_COLOUR = "0B5CAD"
GREY = "595959"


@dataclass
class DocEntry:
    """One document of a meeting in the index: linked when `target` is set."""

    label: str
    target: str | None = None  # archive-relative path of the PDF
    elsewhere: bool = False  # exists, but is not in this archive


@dataclass
class CaseEntry:
    number: str  # "ALU-sak 12/25"
    title: str
    target: str | None = None  # the case paper


@dataclass
class MeetingEntry:
    date: dt.date
    heading: str
    status: str
    state: str  # complete | draft | pending | notice-only | minutes-only | planned | no-documents
    docs: list[DocEntry] = field(default_factory=list)
    cases: list[CaseEntry] = field(default_factory=list)


@dataclass
class IndexPlan:
    """What the index will show, the texts in document order with their link targets (to
    place the links), the hash of all its inputs (to skip an unchanged index) and, once
    rendered, its DOCX."""

    entries: list[MeetingEntry]
    context: dict[str, Any]
    fragments: list[tuple[str, str | None]]
    inputs: str
    title: str
    author: str
    language: str
    docx: bytes | None = None
    missing: list[str] = field(default_factory=list)


def archived_pdfs(files: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """{meeting date: [archive-relative PDF paths]} of the current documents (not superseded
    ones) from the manifest's file entries."""
    return {date: [r for r, entry in pdfs.items() if not entry.get("superseded")]
            for date, pdfs in _pdf_entries(files).items()}


def _pdf_entries(files: dict[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """{meeting date: {relative: entry}} of every archived PDF, superseded ones included."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for relative, entry in files.items():
        if entry.get("meeting") and relative.endswith(".pdf"):
            result.setdefault(entry["meeting"], {})[relative] = entry
    return result


def _labels(language: str) -> dict[str, str]:
    return {**texts(language), **ARCHIVE_TEXTS[language]}


def _kind_label(key: names.DocKey, t: dict[str, str], year: int) -> str:
    if key.case is not None:
        return f"{t['doc_case']} {key.case}/{year % 100:02d}"
    return {NOTICE: t["doc_notice"], PACKET: t["doc_packet"], MINUTES: t["doc_minutes"]}[key.kind]


def superseded_docs(pdfs: dict[str, dict[str, Any]], t: dict[str, str], year: int) -> list[DocEntry]:
    """Earlier issues kept beside the current ones: 'Innkalling (versjon 1, erstattet 03.09.25)'
    (`year`: the one the meeting's case numbers run in)."""
    docs = []
    for relative, entry in sorted(pdfs.items(), key=lambda item: (names.parse(item[0]) is None, item[0])):
        parsed = names.parse(relative)
        if not entry.get("superseded") or parsed is None:
            continue
        replaced = entry.get("replaced")
        when = short_date(dt.date.fromisoformat(replaced)) if replaced else "?"
        docs.append(DocEntry(t["doc_superseded"].format(label=_kind_label(parsed.key, t, year),
                                                        version=entry.get("version", 1), date=when), relative))
    return docs


def _version_label(label: str, entry: dict[str, Any], t: dict[str, str]) -> str:
    """A revised document's label names its version and day: 'Innkalling (versjon 2, revidert 03.09.25)'."""
    if entry.get("version", 1) <= 1 or not entry.get("issued"):
        return label
    return t["doc_revised"].format(label=label, version=entry["version"],
                                   date=short_date(dt.date.fromisoformat(entry["issued"])))


def meeting_entry(ctx: Context, meeting: Meeting, pdfs: dict[str, dict[str, Any]]) -> MeetingEntry:
    """How one meeting appears in the index, from the model and its archived PDFs (their
    manifest entries)."""
    committee = ctx.committee
    t = _labels(committee.language)
    by_role: dict[str, str] = {}
    case_papers: dict[int, str] = {}
    others: list[str] = []
    for relative in sorted(pdfs):
        parsed = names.parse(relative)
        if pdfs[relative].get("superseded"):
            continue
        if parsed is None:
            others.append(relative)
        elif parsed.key.case is not None:
            case_papers[parsed.key.case] = relative
        else:
            by_role[parsed.key.kind] = relative

    notice = NOTICE in by_role or meeting.legacy_notice
    minutes = MINUTES in by_role or meeting.legacy_minutes
    draft = MINUTES in by_role and meeting.minutes_status == "draft"
    if notice and minutes:
        state = "draft" if draft else "complete"
        status = t["state_draft"] if draft else t["state_complete"]
    elif notice:
        state = {"none": "pending", "draft": "pending"}.get(meeting.minutes_status, "notice-only")
        status = t["state_pending"] if state == "pending" else t["state_notice_only"]
    elif minutes:
        state, status = "minutes-only", t["state_minutes_only"]
    elif meeting.kind == "ordinary" and meeting.minutes_status == "none":
        state, status = "planned", t["state_planned"]
    else:
        state, status = "no-documents", t["state_no_documents"]
    note = meeting.minutes_note
    if not note and meeting.minutes_status == "not-written":
        note = t["state_not_written"]
    kind = t["kind_seminar"] if meeting.kind == "seminar" else t["kind_ordinary"]
    status = " ".join(part for part in (None if state == "planned" else f"{kind}.", status, note) if part)

    docs: list[DocEntry] = []
    if NOTICE in by_role:
        docs.append(DocEntry(_version_label(t["doc_notice"], pdfs[by_role[NOTICE]], t), by_role[NOTICE]))
    elif meeting.legacy_notice:
        docs.append(DocEntry(f"{t['doc_notice']} ({t['elsewhere']})", elsewhere=True))
    if PACKET in by_role:
        docs.append(DocEntry(_version_label(t["doc_packet"], pdfs[by_role[PACKET]], t), by_role[PACKET]))
    if MINUTES in by_role:
        docs.append(DocEntry(t["doc_minutes_draft"] if draft else t["doc_minutes"], by_role[MINUTES]))
    elif meeting.legacy_minutes:
        docs.append(DocEntry(f"{t['doc_minutes']} ({t['elsewhere']})", elsewhere=True))

    cases = []
    for case in meeting.cases:
        number = ctx.numbers[(meeting.date, case.position)]
        title = ctx.public_title(case) + (f" ({ctx.withdrawn_word})" if case.withdrawn else "")
        cases.append(CaseEntry(ctx.case_label(meeting, case), title, case_papers.pop(number, None)))
    for number, relative in sorted(case_papers.items()):  # a case paper whose case is gone from the YAML
        docs.append(DocEntry(f"{t['doc_case']} {number}/{meeting.number_year % 100:02d}", relative))
    docs.extend(DocEntry(relative.rsplit("/", 1)[-1], relative) for relative in others)
    docs.extend(superseded_docs(pdfs, t, meeting.number_year))

    heading = date_range(meeting.date, meeting.end_date, committee.language)
    if meeting.title:
        heading += f": {meeting.title}"
    return MeetingEntry(meeting.date, heading, status, state, docs, cases)


def moved_entries(ctx: Context, pdfs: dict[str, dict[str, dict[str, Any]]],
                  records: dict[str, dict[str, Any]]) -> list[MeetingEntry]:
    """The dates meetings were moved away from (alu-docs move), with the documents issued for
    them, kept as superseded: 'Møtet ble flyttet til onsdag 3. september 2025.'"""
    t = _labels(ctx.committee.language)
    held = {m.date.isoformat(): m for m in ctx.meetings}
    entries = []
    for date, files in pdfs.items():
        target = records.get(date, {}).get("moved_to")
        if date in held or not target:
            continue
        seen = {date}
        while records.get(target, {}).get("moved_to") and target not in seen:  # moved again since
            seen.add(target)
            target = records[target]["moved_to"]
        status = t["state_moved"].format(date=long_date(dt.date.fromisoformat(target), ctx.committee.language))
        day = dt.date.fromisoformat(date)
        year = held[target].number_year if target in held else day.year
        entries.append(MeetingEntry(day, long_date(day, ctx.committee.language), status, "moved",
                                    superseded_docs(files, t, year)))
    return entries


def index_entries(ctx: Context, files: dict[str, dict[str, Any]],
                  records: dict[str, dict[str, Any]] | None = None) -> list[MeetingEntry]:
    """Every meeting, newest first; and the dates meetings were moved from (manifest records)."""
    pdfs = _pdf_entries(files)
    entries = [meeting_entry(ctx, m, pdfs.get(m.date.isoformat(), {})) for m in ctx.meetings]
    entries += moved_entries(ctx, pdfs, records or {})
    return sorted(entries, key=lambda e: e.date, reverse=True)


def _link_text(label: str, target: str | None, elsewhere: bool = False) -> RichText:
    rich = RichText()
    _add(rich, label, target, elsewhere)
    return rich


def _add(rich: RichText, label: str, target: str | None, elsewhere: bool = False) -> None:
    if target:
        rich.add(label, color=LINK_COLOUR, underline=True)
    elif elsewhere:
        rich.add(label, color=GREY, italic=True)
    else:
        rich.add(label)


def index_context(ctx: Context, entries: list[MeetingEntry]) -> tuple[dict[str, Any], list[tuple[str, str | None]]]:
    """The template's context, and every text in document order with its link target."""
    committee = ctx.committee
    t = _labels(committee.language)
    years: dict[int, list[dict[str, Any]]] = {}
    fragments: list[tuple[str, str | None]] = []
    for year in sorted({e.date.year for e in entries}, reverse=True):
        fragments.append((str(year), None))
        for entry in (e for e in entries if e.date.year == year):
            docs = RichText()
            for i, doc in enumerate(entry.docs):
                if i:
                    docs.add(" · ")
                _add(docs, doc.label, doc.target, doc.elsewhere)
            fragments += [(entry.heading, None), (entry.status, None)]
            if entry.docs:
                fragments += [(f"{t['documents']}:", None)] + [(d.label, d.target) for d in entry.docs]
            for case in entry.cases:
                fragments += [(case.number, case.target), (case.title, None)]
            years.setdefault(year, []).append({
                "heading": entry.heading,
                "status": entry.status,
                "docs": docs if entry.docs else None,
                "cases": [{"number": _link_text(c.number, c.target), "title": _link_text(c.title, None)}
                          for c in entry.cases],
            })
    span = f"{min(years)}–{max(years)}" if years else ""
    context = {
        "t": t,
        "committee": {"name": committee.name, "short": committee.short, "organisation": committee.organisation},
        "header_left": f"{committee.organisation} · {committee.short} · {t['index_title']}",
        "draft": False,
        "summary": t["meetings_count"].format(count=len(entries)) + (f", {span}" if span else ""),
        "years": [{"year": str(y), "meetings": m} for y, m in years.items()],
    }
    return context, fragments


def plan_index(ctx: Context, templates: Path, files: dict[str, dict[str, Any]],
               records: dict[str, dict[str, Any]] | None = None) -> IndexPlan:
    """What the index shows for an archive holding `files` (manifest entries; `records`: its
    meeting records, for moved meetings); not rendered."""
    entries = index_entries(ctx, files, records)
    context, fragments = index_context(ctx, entries)
    committee = ctx.committee
    t = _labels(committee.language)
    inputs = sha256(json.dumps({
        "version": __version__,
        "template": file_sha256(templates / INDEX_TEMPLATE),
        "fragments": fragments,
        "summary": context["summary"],
        "language": committee.language,
    }, ensure_ascii=False).encode())
    return IndexPlan(entries, context, fragments, inputs, f"{committee.short} – {t['index_title']}",
                     ctx.author, committee.language)


def render_index(plan: IndexPlan, templates: Path) -> bytes:
    """Fill templates/indeks.docx (same input, same bytes)."""
    newest = max((e.date for e in plan.entries), default=dt.date(2000, 1, 1))
    plan.docx = render_docx(templates / INDEX_TEMPLATE, plan.context, plan.title, language=plan.language,
                            author=plan.author, day=newest)
    return plan.docx


def is_current(manifest: Manifest, plan: IndexPlan) -> bool:
    """The archived index was made from the same inputs and is unchanged on disk."""
    entry = manifest.files.get(INDEX)
    path = manifest.root / INDEX
    return bool(entry) and entry.get("inputs") == plan.inputs and path.exists() \
        and file_sha256(path) == entry["sha256"]


def finish(plan: IndexPlan, pdf: bytes, exists: Callable[[str], bool],
           found: PdfWords | None = None) -> tuple[bytes, list[str]]:
    """The index PDF with its links; links only to files for which `exists` is true.
    `found` is pdf_words(pdf) when the caller has it already.
    Returns the PDF and the targets that were missing (left as plain text)."""
    words, heights = found or pdf_words(pdf)
    unplaced: list[str] = []
    links = place_links(words, heights, plan.fragments, unplaced)
    missing = sorted({link.target for link in links if not exists(link.target)} | set(unplaced))
    links = [link for link in links if link.target not in missing]
    return add_links(pdf, links), missing


def write_index(tx: Transaction, plan: IndexPlan, pdf: bytes, found: PdfWords | None = None) -> list[str]:
    """Add the links (to files the archive holds once `tx` commits) and write archive/index.pdf
    in `tx`. Returns the link targets that are missing."""
    data, missing = finish(plan, pdf, tx.exists, found)
    tx.write(INDEX, data, kind="index", inputs=plan.inputs)
    plan.missing = missing
    return missing


def build_index(paths: Paths, *, echo: Echo = print, force: bool = False) -> Path:
    """`alu-docs index`: rebuild archive/index.pdf alone from the meetings and the manifest."""
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    manifest = Manifest.load(paths.archive)
    target = paths.archive / INDEX
    if not force and is_current(manifest, plan_index(ctx, paths.templates, manifest.files, manifest.meetings)):
        echo(f"index    {paths.archive.name}/{INDEX}: up to date ({len(ctx.meetings)} meetings)")
        return target
    plan, pdf = convert_index(paths, ctx, manifest.files, manifest.meetings)
    with transaction(paths) as tx:
        missing = write_index(tx, plan, pdf)
    report_index(plan, missing, paths.archive.name, echo)
    return target


def convert_index(paths: Paths, ctx: Context, files: dict[str, dict[str, Any]],
                  records: dict[str, dict[str, Any]] | None = None) -> tuple[IndexPlan, bytes]:
    """The index of an archive holding `files`, rendered and converted (before taking the lock)."""
    plan = plan_index(ctx, paths.templates, files, records)
    with tempfile.TemporaryDirectory(prefix="alu-index-") as work_name:
        work = Path(work_name)
        docx = work / f"{DOCX_NAME}.docx"
        docx.write_bytes(render_index(plan, paths.templates))
        return plan, to_pdf([docx], work / "pdf-out")[0].read_bytes()


def report_index(plan: IndexPlan, missing: list[str], archive_name: str, echo: Echo) -> None:
    links = sum(1 for _, target in plan.fragments if target) - len(missing)
    echo(f"index    {archive_name}/{INDEX}: {len(plan.entries)} meetings, {links} links")
    for target in missing:
        echo(f"index    warning: {target}: not linked (not in the archive, or its link text was not found)")
