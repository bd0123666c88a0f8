"""Stage 6: the archive index, `archive/index.pdf`.

Every meeting, newest first, grouped by year (a bookmark per year), with its state, its
cases and its documents as relative links to the PDFs beside the index. It is rendered
from `templates/indeks.docx`, converted to PDF/A-2b (tagged) by LibreOffice like every
archival PDF, and the links are added afterwards with pikepdf: LibreOffice 7.4 drops DOCX
hyperlinks when it exports a PDF. Each link text is found in the PDF with
`pdftotext -bbox` and gets a /Link annotation with a GoToR action (a relative file name,
allowed in PDF/A-2) and a tagged /Link structure element.

Documents are listed from the archive's manifest only: a document that exists but is not
in this archive (history) is named as such and never linked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docxtpl import RichText

from . import __version__
from .archive import Manifest, file_sha256, locked, sha256, write_file
from .context import Context
from .convert import to_pdf
from .links import PdfWords, add_links, pdf_words, place_links
from .model import Meeting
from .render import DocPlan, render_docx
from .tagging import tag_pdf
from .texts import ARCHIVE_TEXTS, date_range, texts

Echo = Callable[[str], None]

INDEX = "index.pdf"
TEMPLATE = "indeks.docx"
DOCX_NAME = "index"  # the DOCX (and LibreOffice's PDF) in a build's work folder
LINK_COLOUR = "0B5CAD"
GREY = "595959"
DOC_NAME = re.compile(
    r"^(?P<short>[^/]+)-(?P<date>\d{4}-\d{2}-\d{2})-(?P<kind>innkalling|referat|sakspapirer|sak-(?P<number>\d+))\.pdf$"
)
ROLE_ORDER = {"innkalling": 0, "sakspapirer": 1, "referat": 3}


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
    """{meeting date: [archive-relative PDF paths]} from the manifest's file entries."""
    result: dict[str, list[str]] = {}
    for relative, entry in files.items():
        if entry.get("meeting") and relative.endswith(".pdf"):
            result.setdefault(entry["meeting"], []).append(relative)
    return result


def expected_files(manifest: Manifest, rebuilt: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """The manifest's files as they will be after a build that writes `rebuilt`
    ({meeting date: [relative paths]}): a rebuilt meeting keeps only its new files and
    what a build never drops (approved minutes, imported documents, other kinds)."""
    files = {
        relative: entry for relative, entry in manifest.files.items()
        if entry.get("meeting") not in rebuilt
        or entry.get("approved") or entry.get("imported") or entry.get("kind")
    }
    for date, relatives in rebuilt.items():
        for relative in relatives:
            files.setdefault(relative, {"meeting": date})
    return files


def _labels(language: str) -> dict[str, str]:
    return {**texts(language), **ARCHIVE_TEXTS[language]}


def meeting_entry(ctx: Context, meeting: Meeting, pdfs: list[str]) -> MeetingEntry:
    """How one meeting appears in the index, from the model and its archived PDFs."""
    committee = ctx.committee
    t = _labels(committee.language)
    by_role: dict[str, str] = {}
    case_papers: dict[int, str] = {}
    others: list[str] = []
    for relative in sorted(pdfs):
        match = DOC_NAME.match(relative.rsplit("/", 1)[-1])
        if not match:
            others.append(relative)
        elif match["number"]:
            case_papers[int(match["number"])] = relative
        else:
            by_role[match["kind"]] = relative

    notice = "innkalling" in by_role or meeting.legacy_notice
    minutes = "referat" in by_role or meeting.legacy_minutes
    draft = "referat" in by_role and meeting.minutes_status == "draft"
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
    if "innkalling" in by_role:
        docs.append(DocEntry(t["doc_notice"], by_role["innkalling"]))
    elif meeting.legacy_notice:
        docs.append(DocEntry(f"{t['doc_notice']} ({t['elsewhere']})", elsewhere=True))
    if "sakspapirer" in by_role:
        docs.append(DocEntry(t["doc_packet"], by_role["sakspapirer"]))
    if "referat" in by_role:
        docs.append(DocEntry(t["doc_minutes_draft"] if draft else t["doc_minutes"], by_role["referat"]))
    elif meeting.legacy_minutes:
        docs.append(DocEntry(f"{t['doc_minutes']} ({t['elsewhere']})", elsewhere=True))

    cases = []
    for case in meeting.cases:
        number = ctx.numbers[(meeting.date, case.position)]
        cases.append(CaseEntry(ctx.case_label(meeting, case), ctx.public_title(case), case_papers.pop(number, None)))
    for number, relative in sorted(case_papers.items()):  # a case paper whose case is gone from the YAML
        docs.append(DocEntry(f"{t['doc_case']} {number}/{meeting.date:%y}", relative))
    docs.extend(DocEntry(relative.rsplit("/", 1)[-1], relative) for relative in others)

    heading = date_range(meeting.date, meeting.end_date, committee.language)
    if meeting.title:
        heading += f": {meeting.title}"
    return MeetingEntry(meeting.date, heading, status, state, docs, cases)


def index_entries(ctx: Context, files: dict[str, dict[str, Any]]) -> list[MeetingEntry]:
    """Every meeting, newest first."""
    pdfs = archived_pdfs(files)
    return [meeting_entry(ctx, m, pdfs.get(m.date.isoformat(), []))
            for m in sorted(ctx.meetings, key=lambda m: m.date, reverse=True)]


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


def plan_index(ctx: Context, templates: Path, files: dict[str, dict[str, Any]]) -> IndexPlan:
    """What the index shows for an archive holding `files` (manifest entries); not rendered."""
    entries = index_entries(ctx, files)
    context, fragments = index_context(ctx, entries)
    committee = ctx.committee
    t = _labels(committee.language)
    inputs = sha256(json.dumps({
        "version": __version__,
        "template": file_sha256(templates / TEMPLATE),
        "fragments": fragments,
        "summary": context["summary"],
        "language": committee.language,
    }, ensure_ascii=False).encode())
    return IndexPlan(entries, context, fragments, inputs, f"{committee.short} – {t['index_title']}",
                     f"{committee.organisation} {committee.short}", committee.language)


def render_index(plan: IndexPlan, templates: Path) -> bytes:
    """Fill templates/indeks.docx (same input, same bytes)."""
    newest = max((e.date for e in plan.entries), default=dt.date(2000, 1, 1))
    doc = render_docx(DocPlan(DOCX_NAME, TEMPLATE, plan.context, plan.title), templates,
                      language=plan.language, author=plan.author, day=newest)
    plan.docx = doc.docx
    return doc.docx


def is_current(manifest: Manifest, plan: IndexPlan) -> bool:
    """The archived index was made from the same inputs and is unchanged on disk."""
    entry = manifest.files.get(INDEX)
    path = manifest.root / INDEX
    return bool(entry) and entry.get("inputs") == plan.inputs and path.exists() \
        and file_sha256(path) == entry["sha256"]


def finish(plan: IndexPlan, pdf: bytes, root: Path, found: PdfWords | None = None) -> tuple[bytes, list[str]]:
    """The index PDF with its links; links only to files that exist under `root`.
    `found` is pdf_words(pdf) when the caller has it already.
    Returns the PDF and the targets that were missing (left as plain text)."""
    words, heights = found or pdf_words(pdf)
    unplaced: list[str] = []
    links = place_links(words, heights, plan.fragments, unplaced)
    missing = sorted({link.target for link in links if not (root / link.target).is_file()} | set(unplaced))
    links = [link for link in links if link.target not in missing]
    return add_links(pdf, links), missing


def write_index(root: Path, manifest: Manifest, plan: IndexPlan, pdf: bytes,
                found: PdfWords | None = None) -> list[str]:
    """Add the links and file archive/index.pdf (call under `locked`). Returns missing targets."""
    data, missing = finish(plan, pdf, root, found)
    write_file(root, INDEX, data)
    manifest.record(INDEX, data, None, kind="index", inputs=plan.inputs)
    plan.missing = missing
    return missing


def build_index(paths: Any, *, echo: Echo = print, force: bool = False) -> Path:
    """`alu-docs index`: rebuild archive/index.pdf alone from the meetings and the manifest."""
    from .model import load_all

    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    manifest = Manifest.load(paths.archive)
    plan = plan_index(ctx, paths.templates, manifest.files)
    target = paths.archive / INDEX
    if not force and is_current(manifest, plan):
        echo(f"index    {paths.archive.name}/{INDEX}: up to date ({len(plan.entries)} meetings)")
        return target
    with tempfile.TemporaryDirectory(prefix="alu-index-") as work_name:
        work = Path(work_name)
        docx = work / f"{DOCX_NAME}.docx"
        docx.write_bytes(render_index(plan, paths.templates))
        pdf = tag_pdf(to_pdf([docx], work / "pdf-out")[0].read_bytes())
    with locked(paths.archive):
        manifest = Manifest.load(paths.archive)
        missing = write_index(paths.archive, manifest, plan, pdf)
        manifest.save()
    report_index(plan, missing, paths.archive.name, echo)
    return target


def report_index(plan: IndexPlan, missing: list[str], archive_name: str, echo: Echo) -> None:
    links = sum(1 for _, target in plan.fragments if target) - len(missing)
    echo(f"index    {archive_name}/{INDEX}: {len(plan.entries)} meetings, {links} links")
    for target in missing:
        echo(f"index    warning: {target}: not linked (not in the archive, or its link text was not found)")
