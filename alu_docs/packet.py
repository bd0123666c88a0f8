"""The meeting packet: one PDF that members read before the meeting.

The packet (names.PACKET, beside the meeting's other documents) holds a contents page, the notice,
then per case its case paper and its attachments in order. Built with pypdf from the PDFs
of the build's one LibreOffice run (no second run): the contents page is drawn with
reportlab (Carlito, embedded), every page is stamped "ALU 27.08.25 · Sakspapirer side N
av M" in its bottom-right corner, and the PDF's page labels are 1…M, so "side 14" is the
same page in every viewer and on paper. Bookmarks: one per case, its attachments nested
under it (and an attachment's own bookmarks under that).

Public edition: a confidential case is only its placeholder case paper; its title and
attachments are left out. The internal edition has everything.

Attachments are opened with `attachments.open_attachment`.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.annotations import Link
from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

from .attachments import open_attachment, quiet_pypdf
from .errors import AttachmentError
from .load import display_path
from .names import CASE, NOTICE, PACKET, DocKey
from .paths import Echo
from .texts import LANGUAGES, clock, long_date, short_date, texts

if TYPE_CHECKING:
    from .context import Context
    from .model import Case, Meeting


FONT_DIR = Path("/usr/share/fonts/truetype/crosextra")
BLUE = (0x00 / 255, 0x3A / 255, 0x70 / 255)
MM = 72 / 25.4
A4 = (595.2756, 841.8898)


# --- the packet's parts -----------------------------------------------------------------------


@dataclass
class Part:
    """One document in the packet, with its bookmark and its line in the contents."""

    title: str
    reader: PdfReader
    level: int = 0  # 0: notice or case, 1: attachment
    label: str = ""  # the file, for messages
    start: int = 0  # first page, 0-based, set when merged
    children: list[Part] = field(default_factory=list)


def _reader(data: bytes, label: str) -> PdfReader:
    with quiet_pypdf():
        return PdfReader(io.BytesIO(data))


def packet_parts(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes]) -> list[Part]:
    """Notice, then each case's paper with its attachments, for one edition."""
    committee = ctx.committee
    t = texts(committee.language)
    notice = ctx.key(meeting, NOTICE, edition=edition)
    parts = [Part(t["notice"], _reader(pdfs[notice], notice.stem(committee.short)))]
    for case in meeting.cases:
        key = ctx.key(meeting, CASE, case, edition)
        hidden = edition == "public" and bool(case.confidential)
        part = Part(case_heading(ctx, meeting, case, hidden), _reader(pdfs[key], key.stem(committee.short)))
        if not hidden:
            for j, attachment in enumerate(case.attachments, 1):
                label = display_path(attachment.path)
                part.children.append(Part(f"{t['attachments']} {j}: {attachment.title}",
                                          open_attachment(attachment.path, label, deep=True), 1, label))
        parts.append(part)
    return parts


def case_heading(ctx: Context, meeting: Meeting, case: Case, hidden: bool) -> str:
    return f"{ctx.case_label(meeting, case)} {ctx.public_title(case) if hidden else case.title}"


# --- drawing: the contents page and the page stamps ---------------------------------------------


def load_fonts() -> tuple[str, str]:
    """Carlito (embedded subset) where installed; Helvetica otherwise. Loading reportlab
    and the font takes a quarter second: the build calls this while LibreOffice converts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_DIR / "Carlito-Regular.ttf", FONT_DIR / "Carlito-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "Carlito" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Carlito", str(regular)))
        pdfmetrics.registerFont(TTFont("Carlito-Bold", str(bold)))
    return "Carlito", "Carlito-Bold"


@dataclass
class _Row:
    text: str
    level: int
    page: int  # 1-based packet page
    links: list[tuple[int, tuple[float, float, float, float]]] = field(default_factory=list)


def draw_contents(ctx: Context, meeting: Meeting, edition: str, rows: list[_Row]) -> bytes:
    """The cover and contents page(s); records each row's clickable area in `rows`."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    committee = ctx.committee
    t = texts(committee.language)
    regular, bold = load_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=regular)
    pdf.setTitle(f"{committee.short} – {t['packet']} {short_date(meeting.date)}")
    pdf.setAuthor(f"{committee.organisation} {committee.short}")
    left, right, top, bottom = 23 * MM, A4[0] - 23 * MM, A4[1] - 25 * MM, 22 * MM
    page = 0
    y = top
    pdf.setFillColorRGB(*BLUE)
    pdf.setFont(bold, 24)
    pdf.drawString(left, y, t["packet"])
    y -= 24
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(regular, 12)
    pdf.drawString(left, y, f"{committee.name} ({committee.short}) – {t['meeting_no']} {ctx.meeting_number(meeting)}")
    y -= 16
    when = f"{long_date(meeting.date, committee.language)}, {t['clock']} {clock(meeting.start)}–{clock(meeting.end)}"
    for line in simpleSplit(when + (f", {meeting.place}" if meeting.place else ""), regular, 12, right - left):
        pdf.drawString(left, y, line)
        y -= 15
    if edition == "internal":
        y -= 4
        pdf.setFillColorRGB(0.69, 0, 0.13)
        pdf.setFont(bold, 12)
        pdf.drawString(left, y, t["internal_edition"])
        pdf.setFillColorRGB(0, 0, 0)
        y -= 15
    y -= 18
    pdf.setFillColorRGB(*BLUE)
    pdf.setFont(bold, 15)
    pdf.drawString(left, y, t["contents"])
    pdf.setFont(regular, 9)
    pdf.drawRightString(right, y, t["col_page"])
    pdf.setFillColorRGB(0, 0, 0)
    y -= 8
    pdf.setLineWidth(0.5)
    pdf.line(left, y, right, y)
    y -= 16
    for row in rows:
        size = 11 if row.level == 0 else 10
        font = bold if row.level == 0 else regular
        indent = left + (0 if row.level == 0 else 8 * MM)
        number = str(row.page)
        width = right - indent - 12 * MM
        lines = simpleSplit(row.text, font, size, width)
        needed = len(lines) * (size + 3) + (6 if row.level == 0 else 2)
        if y - needed < bottom:
            pdf.showPage()
            page += 1
            y = top
        if row.level == 0:
            y -= 6
        first_y = y
        pdf.setFont(font, size)
        for line in lines:
            pdf.drawString(indent, y, line)
            y -= size + 3
        pdf.setFont(font, size)
        pdf.drawRightString(right, first_y, number)
        # dotted leader from the end of the first line to the page number
        end = indent + pdf.stringWidth(lines[0], font, size) + 4
        pdf.setDash(1, 2)
        pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
        if right - pdf.stringWidth(number, font, size) - 4 > end:
            pdf.line(end, first_y + 1, right - pdf.stringWidth(number, font, size) - 4, first_y + 1)
        pdf.setDash()
        pdf.setStrokeColorRGB(0, 0, 0)
        row.links.append((page, (indent, y + size, right, first_y + size)))
        y -= 2
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def draw_stamps(sizes: list[tuple[float, float]], text: Callable[[int, int], str]) -> PdfReader:
    """One overlay page per packet page (of its visual size) with the page stamp in the
    bottom-right corner, on a white ground so it reads on scanned pages too."""
    from reportlab.pdfgen import canvas

    regular, _ = load_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1, pageCompression=1, initialFontName=regular)
    total = len(sizes)
    for n, (width, height) in enumerate(sizes, 1):
        pdf.setPageSize((width, height))
        label = text(n, total)
        size = 7.5
        w = pdf.stringWidth(label, regular, size)
        x, y = width - 10 * MM - w, 4.5 * MM
        pdf.setFillColorRGB(1, 1, 1)
        pdf.rect(x - 2, y - 2.5, w + 4, size + 3, stroke=0, fill=1)
        pdf.setFillColorRGB(0.27, 0.27, 0.27)
        pdf.setFont(regular, size)
        pdf.drawString(x, y, label)
        pdf.showPage()
    pdf.save()
    return PdfReader(io.BytesIO(out.getvalue()))


def _visual(page: Any) -> tuple[float, float, int, Transformation]:
    """A page's visual width and height, its rotation, and the transformation that puts
    an overlay drawn in visual coordinates onto the page's (rotated, offset) box."""
    box = page.cropbox
    x0, y0, x1, y1 = float(box.left), float(box.bottom), float(box.right), float(box.top)
    rotation = page.rotation % 360
    width, height = x1 - x0, y1 - y0
    moves = {0: (x0, y0), 90: (x1, y0), 180: (x1, y1), 270: (x0, y1)}
    if rotation not in moves:
        rotation = 0
    if rotation in (90, 270):
        width, height = height, width
    tx, ty = moves[rotation]
    return width, height, rotation, Transformation().rotate(rotation).translate(tx, ty)


# --- merging ------------------------------------------------------------------------------------


def _append(writer: PdfWriter, part: Part) -> None:
    part.start = len(writer.pages)
    with quiet_pypdf():
        try:
            writer.append(part.reader, import_outline=False)
        except Exception as exc:
            raise AttachmentError(f"{part.label or part.title}: cannot be merged into the packet "
                                  f"({exc.__class__.__name__}: {exc}); save or export it as PDF again") from None


def _own_outline(writer: PdfWriter, reader: PdfReader, items: list[Any], offset: int, parent: Any,
                 depth: int = 0) -> None:
    """An attachment's own bookmarks, nested under its bookmark in the packet."""
    previous = parent
    for item in items:
        if isinstance(item, list):
            if depth < 3:
                _own_outline(writer, reader, item, offset, previous, depth + 1)
            continue
        try:
            number = reader.get_destination_page_number(item)
        except Exception:  # a broken bookmark in someone else's PDF is not worth an error
            continue
        if number is not None and number >= 0:
            previous = writer.add_outline_item(title=str(item.title), page_number=offset + number, parent=parent,
                                               is_open=False)


def build_packet(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes]) -> bytes:
    """The packet of one meeting in one edition, as PDF bytes.

    `pdfs` are the build's converted documents by their DocKey. Raises
    AttachmentError (naming the file) when an attachment cannot be read or merged.
    """
    committee = ctx.committee
    t = texts(committee.language)
    parts = packet_parts(ctx, meeting, edition, pdfs)

    def contents_rows(contents_pages: int) -> list[_Row]:
        rows, page = [], contents_pages + 1
        for part in parts:
            rows.append(_Row(part.title, 0, page))
            page += len(part.reader.pages)
            for child in part.children:
                rows.append(_Row(child.title, 1, page))
                page += len(child.reader.pages)
        return rows

    # Draw once to learn how many pages the contents take, then with the real numbers
    trial = len(PdfReader(io.BytesIO(draw_contents(ctx, meeting, edition, contents_rows(1)))).pages)
    rows = contents_rows(trial)
    contents = PdfReader(io.BytesIO(draw_contents(ctx, meeting, edition, rows)))
    if len(contents.pages) != trial:  # a number's width moved a line: draw with that count
        rows = contents_rows(len(contents.pages))
        contents = PdfReader(io.BytesIO(draw_contents(ctx, meeting, edition, rows)))

    writer = PdfWriter()
    writer.append(contents, import_outline=False)
    for part in parts:
        _append(writer, part)
        for child in part.children:
            _append(writer, child)

    writer.add_outline_item(title=t["contents"], page_number=0)
    for part in parts:
        item = writer.add_outline_item(title=part.title, page_number=part.start, is_open=True)
        for child in part.children:
            sub = writer.add_outline_item(title=child.title, page_number=child.start, parent=item, is_open=False)
            with quiet_pypdf(), contextlib.suppress(Exception):
                _own_outline(writer, child.reader, child.reader.outline, child.start, sub)

    flat = [p for part in parts for p in (part, *part.children)]
    for row, part in zip(rows, flat, strict=True):
        for page, rect in row.links:
            writer.add_annotation(page, Link(rect=rect, target_page_index=part.start))

    _stamp(writer, f"{committee.short} {short_date(meeting.date)} · {t['packet']} {t['page'].lower()}",
           t["of"])
    total = len(writer.pages)
    writer.set_page_label(0, total - 1, style="/D", start=1)
    writer.add_metadata({
        "/Title": f"{committee.short} – {t['packet']} {short_date(meeting.date)}"
                  + (f" ({t['internal_edition']})" if edition == "internal" else ""),
        "/Author": f"{committee.organisation} {committee.short}",
        "/Subject": f"{committee.name}: {t['packet']} {long_date(meeting.date, committee.language)}",
        "/Creator": "alu-docs",
    })
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(LANGUAGES[committee.language])
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    for page in writer.pages:
        page.compress_content_streams()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(writer: PdfWriter, prefix: str, of: str) -> None:
    """Stamp 'ALU 27.08.25 · Sakspapirer side N av M' on every page."""
    geometry = [_visual(page) for page in writer.pages]
    overlay = draw_stamps([(w, h) for w, h, _, _ in geometry], lambda n, m: f"{prefix} {n} {of} {m}")
    for page, stamp, (_, _, _, move) in zip(writer.pages, overlay.pages, geometry, strict=True):
        page.merge_transformed_page(stamp, move, over=True, expand=False)


def make_packets(ctx: Context, meetings: list[tuple[Meeting, list[str]]], pdfs: dict[DocKey, bytes],
                 *, echo: Echo = print) -> dict[DocKey, bytes]:
    """The packets of a build, keyed like `pdfs`: one per meeting with a notice, in each of
    its editions. Raises AttachmentError before anything is written."""
    packets = {}
    for meeting, editions in meetings:
        for edition in editions:
            if ctx.key(meeting, NOTICE, edition=edition) not in pdfs:
                continue
            started = time.monotonic()
            data = build_packet(ctx, meeting, edition, pdfs)
            packets[ctx.key(meeting, PACKET, edition=edition)] = data
            pages = len(PdfReader(io.BytesIO(data)).pages)
            echo(f"packet   {meeting.date.isoformat()} {edition}: {pages} pages, {len(data) // 1024} kB "
                 f"in {time.monotonic() - started:.1f} s")
    return packets
