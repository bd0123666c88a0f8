"""Stage 6: the archive index, `archive/index.pdf`, and `archive/index.html` for a browser.

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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import __version__, names
from .archive import Manifest, Transaction, file_sha256, sha256, transaction
from .context import Context
from .convert import to_pdf
from .docxfill import render_docx
from .links import PdfWords, add_links, pdf_words, place_links
from .model import Meeting, load_all
from .names import INDEX, INDEX_HTML, INDEX_TEMPLATE, MINUTES, NOTICE, PACKET
from .paths import Echo, Paths
from .texts import ARCHIVE_TEXTS, cancelled_note, date_range, long_date, short_date, texts

if TYPE_CHECKING:
    from docxtpl import RichText

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
    # complete | draft | pending | notice-only | minutes-only | cancelled
    # | planned (not yet held, nothing issued) | no-documents (nothing in the archive)
    state: str
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


def meeting_entry(ctx: Context, meeting: Meeting, pdfs: dict[str, dict[str, Any]],
                  today: dt.date | None = None) -> MeetingEntry:
    """How one meeting appears in the index, from the model, its archived PDFs (their manifest
    entries) and the date: a meeting whose day has passed is no longer "planned"."""
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
    past = (meeting.end_date or meeting.date) < (today or dt.date.today())
    if meeting.cancelled is not None:
        state, status = "cancelled", cancelled_note(meeting.cancelled, committee.language)
    elif notice and minutes:
        state = "draft" if draft else "complete"
        status = t["state_draft"] if draft else t["state_complete"]
    elif notice:
        state = {"none": "pending", "draft": "pending"}.get(meeting.minutes_status, "notice-only")
        status = t["state_pending"] if state == "pending" else t["state_notice_only"]
    elif minutes:
        state, status = "minutes-only", t["state_minutes_only"]
    elif past:
        state, status = "no-documents", t["state_none_archived"]
    elif meeting.kind == "ordinary" and meeting.minutes_status == "none":
        state, status = "planned", t["state_planned"]
    else:
        state, status = "planned", t["state_no_documents"]
    note = meeting.minutes_note
    if not note and meeting.minutes_status == "not-written":
        note = t["state_not_written"]
    kind = t["kind_seminar"] if meeting.kind == "seminar" else t["kind_ordinary"]
    prefix = None if status == t["state_planned"] else f"{kind}."  # "Planlagt møte" names the kind already
    status = " ".join(part for part in (prefix, status, note) if part)

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


def index_entries(ctx: Context, files: dict[str, dict[str, Any]], records: dict[str, dict[str, Any]] | None = None,
                  today: dt.date | None = None) -> list[MeetingEntry]:
    """Every meeting, newest first, with its state on `today` (default: the real today); and
    the dates meetings were moved from (manifest records)."""
    pdfs = _pdf_entries(files)
    entries = [meeting_entry(ctx, m, pdfs.get(m.date.isoformat(), {}), today) for m in ctx.meetings]
    entries += moved_entries(ctx, pdfs, records or {})
    return sorted(entries, key=lambda e: e.date, reverse=True)


def _link_text(label: str, target: str | None, elsewhere: bool = False) -> RichText:
    from docxtpl import RichText

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
    from docxtpl import RichText  # ~0.2 s to import: only when the index is made

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
               records: dict[str, dict[str, Any]] | None = None, today: dt.date | None = None) -> IndexPlan:
    """What the index shows for an archive holding `files` (manifest entries; `records`: its
    meeting records, for moved meetings) on `today`; not rendered."""
    entries = index_entries(ctx, files, records, today)
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
    """The archived index (PDF and HTML) was made from the same inputs and is unchanged on disk."""
    def current(name: str) -> bool:
        entry, path = manifest.files.get(name), manifest.root / name
        return bool(entry) and entry.get("inputs") == plan.inputs and path.exists() \
            and file_sha256(path) == entry["sha256"]

    return current(INDEX) and current(INDEX_HTML)


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
    """Add the links (to files the archive holds once `tx` commits) and write archive/index.pdf,
    and archive/index.html beside it, in `tx`. Returns the link targets missing from the PDF."""
    data, missing = finish(plan, pdf, tx.exists, found)
    tx.write(INDEX, data, kind="index", inputs=plan.inputs)
    page = render_html(plan, tx.exists)  # linked as in finish()
    tx.write(INDEX_HTML, page, kind="index", inputs=plan.inputs)
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
                  records: dict[str, dict[str, Any]]) -> tuple[IndexPlan, bytes]:
    """The index of an archive holding `files` (and meeting `records`), rendered and converted
    (before taking the lock)."""
    plan = plan_index(ctx, paths.templates, files, records)
    with tempfile.TemporaryDirectory(prefix="alu-index-") as work_name:
        work = Path(work_name)
        docx = work / f"{DOCX_NAME}.docx"
        docx.write_bytes(render_index(plan, paths.templates))
        return plan, to_pdf([docx], work / "pdf-out", work=paths.work)[0].read_bytes()


def report_index(plan: IndexPlan, missing: list[str], archive_name: str, echo: Echo) -> None:
    links = sum(1 for _, target in plan.fragments if target) - len(missing)
    echo(f"index    {archive_name}/{INDEX}: {len(plan.entries)} meetings, {links} links")
    for target in missing:
        echo(f"index    warning: {target}: not linked (not in the archive, or its link text was not found)")


# --- archive/index.html: the same index for a browser -----------------------------------------
#
# Firefox's PDF viewer (pdf.js) does not follow links to local files, so a copied archive opened
# in a browser needs an HTML index, made from the same entries as index.pdf: plain HTML5, the
# document's language set, one h1, an h2 per year and an h3 per meeting, no scripts, and links
# relative to the archive folder.

# The PDF index's colours (index.LINK_COLOUR, index.GREY), readable on screen and paper.
STYLE = """
body { font-family: Carlito, Calibri, "Segoe UI", sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.4; color: #1a1a1a; }
a { color: #0B5CAD; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { margin-bottom: 0.2rem; }
.small, .status, .elsewhere { color: #595959; }
.status, .elsewhere { font-style: italic; margin-top: 0; }
ul.cases { padding-left: 1.2rem; }
""".strip()


def _link(label: str, target: str | None, linkable: Callable[[str], bool]) -> str:
    """A link to an archive-relative file when it is there, else the plain label."""
    if target and linkable(target):
        return f'<a href="{escape(quote(target))}">{escape(label)}</a>'
    return escape(label)


def _meeting(entry: MeetingEntry, documents_label: str, linkable: Callable[[str], bool]) -> list[str]:
    lines = ["<article>", f"<h3>{escape(entry.heading)}</h3>", f'<p class="status">{escape(entry.status)}</p>']
    if entry.docs:
        docs = " · ".join(f'<span class="elsewhere">{escape(d.label)}</span>' if d.elsewhere
                          else _link(d.label, d.target, linkable) for d in entry.docs)
        lines.append(f"<p><strong>{escape(documents_label)}:</strong> {docs}</p>")
    if entry.cases:
        lines += ['<ul class="cases">',
                  *(f"<li>{_link(c.number, c.target, linkable)} {escape(c.title)}</li>" for c in entry.cases),
                  "</ul>"]
    return [*lines, "</article>"]


def render_html(plan: IndexPlan, linkable: Callable[[str], bool]) -> bytes:
    """The index as an HTML page; a document is linked when `linkable(its archive-relative
    path)` is true (the file is in the archive), as in the PDF. Same plan, same bytes."""
    t = {**texts(plan.language), **ARCHIVE_TEXTS[plan.language]}
    committee = plan.context["committee"]
    years = sorted({e.date.year for e in plan.entries}, reverse=True)
    body = [
        "<header>",
        f"<h1>{escape(t['index_title'])}</h1>",
        f"<p>{escape(committee['name'])} ({escape(committee['short'])}), {escape(committee['organisation'])}</p>",
        f'<p class="small">{escape(plan.context["summary"])}</p>',
        f'<p class="small">{escape(t["index_intro"])}</p>',
        f'<p><a href="{INDEX}">{escape(t["index_pdf"])}</a></p>',
        "</header>",
        f'<nav aria-label="{escape(t["years"])}"><ul>',
        *(f'<li><a href="#y{year}">{year}</a></li>' for year in years),
        "</ul></nav>",
        "<main>",
    ]
    for year in years:
        body += [f'<section aria-labelledby="y{year}">', f'<h2 id="y{year}">{year}</h2>']
        for entry in (e for e in plan.entries if e.date.year == year):
            body += _meeting(entry, t["documents"], linkable)
        body.append("</section>")
    body.append("</main>")
    page = [
        "<!DOCTYPE html>", f'<html lang="{escape(plan.language)}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(plan.title)}</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>",
        *body, "</body>", "</html>", "",
    ]
    return "\n".join(page).encode()
