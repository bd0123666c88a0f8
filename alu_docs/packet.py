"""The meeting packet: one PDF/A-2b file, tagged, that members read before the meeting.

The packet (names.PACKET, beside the meeting's other documents) holds a contents page, the notice,
then per case its case paper and its attachments in order. It is merged with pikepdf (qpdf)
from the PDFs of the build's one LibreOffice run (no second run): the contents page is drawn
with reportlab (Carlito, embedded), every page is stamped "ALU 27.08.25 · Sakspapirer side N
av M" in its bottom-right corner, and the PDF's page labels are 1…M, so "side 14" is the
same page in every viewer and on paper. Bookmarks: one per case, its attachments nested
under it (and an attachment's own bookmarks under that).

Archival and accessible like the documents in it:
- PDF/A-2b: XMP with pdfaid 2B and the title (agreeing with the Info dictionary), an sRGB
  output intent, fonts embedded, no actions or embedded files;
- tagged: the structure trees of the notice and case papers go, in order, under one
  Document element, each as a Part (/StructParents renumbered, ParentTrees merged); a
  tagged attachment keeps its tags, each page of an untagged one is a Figure whose /Alt
  names the attachment; the contents page is H1, P, H2 and a TOC whose Link elements carry
  the entry text; the contents page's leaders and every page stamp are artifacts;
- the same input gives the same bytes (no clock; the /ID is derived from the content).

A stamp is a new content stream of its own page (some producers share one content stream
between pages), scaled with the page, and a page too small to hold it grows a strip for it.

Public edition: a confidential case is only its placeholder case paper; its title and
attachments are left out. The internal edition has everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem

from . import cachefile
from .attachments import open_attachment
from .errors import AttachmentError, ToolMissing
from .load import display_path
from .names import CASE, NOTICE, PACKET, DocKey
from .normalise import normalise
from .paths import Echo
from .texts import LANGUAGES, clock, long_date, short_date, texts

if TYPE_CHECKING:
    from .context import Context
    from .model import Case, Meeting


FONT_DIR = Path("/usr/share/fonts/truetype/crosextra")
SRGB_PROFILE = Path("/usr/share/color/icc/ghostscript/srgb.icc")  # Debian's ghostscript package
BLUE = (0x00 / 255, 0x3A / 255, 0x70 / 255)
MM = 72 / 25.4
A4 = (595.2756, 841.8898)
STAMP_SIZE = 7.5  # the stamp's font size on an A4 page, in points
STAMP_SCALE = (0.8, 4.0)  # smallest and largest scale of the stamp (6 pt … 30 pt)

# What an attachment may still do in the packet: go to a page, open a web address.
SAFE_ACTIONS = {"/GoTo", "/URI"}
SAFE_NAMED = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
DROPPED_ANNOTATIONS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/3D", "/RichMedia"}
HIDDEN_FLAGS = 1 | 2 | 32 | 256  # Invisible, Hidden, NoView, ToggleNoView
PRINT_FLAG = 4


# --- the packet's parts -----------------------------------------------------------------------


@dataclass
class Part:
    """One document in the packet, with its bookmark and its line in the contents."""

    title: str
    reader: pikepdf.Pdf
    level: int = 0  # 0: notice or case, 1: attachment
    label: str = ""  # the file, for messages
    start: int = 0  # first page, 0-based, set when merged
    children: list[Part] = field(default_factory=list)


def _reader(data: bytes, label: str) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, pikepdf.PasswordError) as exc:
        raise AttachmentError(f"{label}: cannot be read into the packet ({exc}); save or export it as PDF "
                              "again") from None


def attachment_pdf(path: Path, label: str, cache: Path) -> pikepdf.Pdf:
    """The attachment as it goes into the packet: its archival copy (normalise.py: PDF/A-2b,
    fonts embedded, inert, OCR'd), made once and kept in `cache` by the file's sha256."""
    copy = normalise(path, cache, label=label)
    open_attachment(copy.path, label, deep=True)
    return _reader(copy.path.read_bytes(), label)


def packet_parts(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes],
                 cache: Path) -> list[Part]:
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
                                          attachment_pdf(attachment.path, label, cache), 1, label))
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
    annotations: list[tuple[int, Dictionary]] = field(default_factory=list)  # (contents page, link)


@dataclass
class _Mark:
    """A run of marked content on the contents page: its page, MCID and what it is."""

    page: int
    mcid: int
    role: str  # H1, P, H2, Link (a row's text) or NonStruct (a row's page number)
    row: int | None = None


class _Marker:
    """Wraps what the contents page draws in marked content: tagged runs get an MCID (per
    page) and a _Mark, so their structure elements can be made once the page is in the packet;
    decoration (leaders, rules) is an artifact."""

    def __init__(self, canvas: object) -> None:
        self.canvas = canvas
        self.page = 0
        self.next = 0
        self.marks: list[_Mark] = []

    @contextlib.contextmanager
    def tag(self, role: str, row: int | None = None) -> Iterator[None]:
        self.canvas.addLiteral(f"/{'Span' if row is not None else role} <</MCID {self.next}>> BDC")
        self.marks.append(_Mark(self.page, self.next, role, row))
        self.next += 1
        yield
        self.canvas.addLiteral("EMC")

    @contextlib.contextmanager
    def artifact(self) -> Iterator[None]:
        self.canvas.addLiteral("/Artifact BMC")
        yield
        self.canvas.addLiteral("EMC")

    def show_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.next = 0


def draw_contents(ctx: Context, meeting: Meeting, edition: str, rows: list[_Row]) -> tuple[bytes, list[_Mark]]:
    """The cover and contents page(s), with their marked content; records each row's
    clickable area in `rows`."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    committee = ctx.committee
    t = texts(committee.language)
    regular, bold = load_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=regular)
    marker = _Marker(pdf)
    left, right, top, bottom = 23 * MM, A4[0] - 23 * MM, A4[1] - 25 * MM, 22 * MM
    y = top
    pdf.setFillColorRGB(*BLUE)
    pdf.setFont(bold, 24)
    with marker.tag("H1"):
        pdf.drawString(left, y, t["packet"])
    y -= 24
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(regular, 12)
    with marker.tag("P"):
        pdf.drawString(left, y,
                       f"{committee.name} ({committee.short}) – {t['meeting_no']} {ctx.meeting_number(meeting)}")
    y -= 16
    when = f"{long_date(meeting.date, committee.language)}, {t['clock']} {clock(meeting.start)}–{clock(meeting.end)}"
    with marker.tag("P"):
        for line in simpleSplit(when + (f", {meeting.place}" if meeting.place else ""), regular, 12, right - left):
            pdf.drawString(left, y, line)
            y -= 15
    if edition == "internal":
        y -= 4
        pdf.setFillColorRGB(0.69, 0, 0.13)
        pdf.setFont(bold, 12)
        with marker.tag("P"):
            pdf.drawString(left, y, t["internal_edition"])
        pdf.setFillColorRGB(0, 0, 0)
        y -= 15
    y -= 18
    pdf.setFillColorRGB(*BLUE)
    pdf.setFont(bold, 15)
    with marker.tag("H2"):
        pdf.drawString(left, y, t["contents"])
    pdf.setFont(regular, 9)
    with marker.artifact():  # the column's caption: the numbers speak for themselves
        pdf.drawRightString(right, y, t["col_page"])
    pdf.setFillColorRGB(0, 0, 0)
    y -= 8
    pdf.setLineWidth(0.5)
    with marker.artifact():
        pdf.line(left, y, right, y)
    y -= 16
    for i, row in enumerate(rows):
        size = 11 if row.level == 0 else 10
        font = bold if row.level == 0 else regular
        indent = left + (0 if row.level == 0 else 8 * MM)
        number = str(row.page)
        width = right - indent - 12 * MM
        lines = simpleSplit(row.text, font, size, width)
        needed = len(lines) * (size + 3) + (6 if row.level == 0 else 2)
        if y - needed < bottom:
            marker.show_page()
            y = top
        if row.level == 0:
            y -= 6
        first_y = y
        pdf.setFont(font, size)
        with marker.tag("Link", i):
            for line in lines:
                pdf.drawString(indent, y, line)
                y -= size + 3
        pdf.setFont(font, size)
        with marker.tag("NonStruct", i):
            pdf.drawRightString(right, first_y, number)
        # dotted leader from the end of the first line to the page number
        end = indent + pdf.stringWidth(lines[0], font, size) + 4
        with marker.artifact():
            pdf.setDash(1, 2)
            pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
            if right - pdf.stringWidth(number, font, size) - 4 > end:
                pdf.line(end, first_y + 1, right - pdf.stringWidth(number, font, size) - 4, first_y + 1)
            pdf.setDash()
            pdf.setStrokeColorRGB(0, 0, 0)
        row.links.append((marker.page, (indent, y + size, right, first_y + size)))
        y -= 2
    pdf.showPage()
    pdf.save()
    return out.getvalue(), marker.marks


@dataclass
class Placement:
    """Where a page's stamp goes, in the page's visual coordinates (as it is shown)."""

    width: float  # the visual page, after any growth
    height: float
    size: float  # font size
    x: float  # start of the text's baseline
    y: float
    matrix: tuple[float, float, float, float, float, float]  # visual -> page coordinates
    box: tuple[float, float, float, float] | None  # the page's new crop box when it had to grow


_TURNS = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}  # /Rotate -> (cos, sin)


def place_stamp(box: tuple[float, float, float, float], rotation: int,
                text_width: Callable[[float], float]) -> Placement:
    """The stamp's place and size on a page with crop box `box` and /Rotate `rotation`.

    The stamp scales with the page (A4 = 1, A0 = 4, within STAMP_SCALE), so it reads the
    same when the page is shown whole. A page too small to hold it (a 3 pt page) grows: a
    strip below the content and, if needed, to the right, where the stamp goes.
    """
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    rotation = rotation % 360 if rotation % 90 == 0 else 0
    width, height = (y1 - y0, x1 - x0) if rotation in (90, 270) else (x1 - x0, y1 - y0)
    scale = min(max(min(min(width, height) / A4[0], max(width, height) / A4[1]), STAMP_SCALE[0]), STAMP_SCALE[1])
    size = STAMP_SIZE * scale
    right, bottom, pad = 10 * MM * scale, 4.5 * MM * scale, 2 * scale
    text = text_width(size)
    grow_right = max(0.0, text + right + 2 * pad - width)
    grow_down = size + bottom + 2 * pad if height < 2 * (size + bottom + 2 * pad) else 0.0
    cos, sin = _TURNS[rotation]
    corner = {0: (x0, y0), 90: (x1, y0), 180: (x1, y1), 270: (x0, y1)}[rotation]  # the visual bottom-left
    # rotate by /Rotate, move to that corner, and down by the grown strip
    matrix = (cos, sin, -sin, cos, corner[0] + sin * grow_down, corner[1] - cos * grow_down)
    width, height = width + grow_right, height + grow_down
    new_box = None
    if grow_right or grow_down:
        a, b, c, d, e, f = matrix
        xs = (e, a * width + c * height + e)
        ys = (f, b * width + d * height + f)
        new_box = (min(xs), min(ys), max(xs), max(ys))
    return Placement(width, height, size, width - right - text, bottom, matrix, new_box)


def draw_stamps(placements: list[Placement], labels: list[str]) -> bytes:
    """One overlay page per packet page (of its visual size) with the page stamp in the
    bottom-right corner, on a white ground so it reads on scanned pages too."""
    from reportlab.pdfgen import canvas

    regular, _ = load_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1, pageCompression=1, initialFontName=regular)
    for place, label in zip(placements, labels, strict=True):
        pdf.setPageSize((place.width, place.height))
        scale = place.size / STAMP_SIZE
        w = pdf.stringWidth(label, regular, place.size)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.rect(place.x - 2 * scale, place.y - 2.5 * scale, w + 4 * scale, place.size + 3 * scale, stroke=0, fill=1)
        pdf.setFillColorRGB(0.27, 0.27, 0.27)
        pdf.setFont(regular, place.size)
        pdf.drawString(place.x, place.y, label)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _stamp(pdf: pikepdf.Pdf, prefix: str, of: str) -> pikepdf.Pdf:
    """Stamp 'ALU 27.08.25 · Sakspapirer side N av M' on every page, as an artifact in a new
    content stream of that page alone. Returns the overlay, which must stay open until
    `pdf` is saved (qpdf copies stream data when it writes)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    regular, _ = load_fonts()
    total = len(pdf.pages)
    labels = [f"{prefix} {n} {of} {total}" for n in range(1, total + 1)]
    placements = []
    for page, label in zip(pdf.pages, labels, strict=True):
        place = place_stamp(_box(page), _rotation(page),
                            lambda size, label=label: stringWidth(label, regular, size))
        if place.box is not None:
            try:
                media = [float(v) for v in page.mediabox]
            except (ValueError, TypeError, pikepdf.PdfError):
                media = list(place.box)
            page.obj.CropBox = Array(place.box)
            page.obj.MediaBox = Array([min(media[0], place.box[0]), min(media[1], place.box[1]),
                                       max(media[2], place.box[2]), max(media[3], place.box[3])])
        placements.append(place)
    overlay = pikepdf.open(io.BytesIO(draw_stamps(placements, labels)))
    for page, place, stamp in zip(pdf.pages, placements, overlay.pages, strict=True):
        name = _own_xobject(page, pdf.copy_foreign(stamp.as_form_xobject()), "/AluStamp")
        matrix = " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in place.matrix)
        page.contents_add(b"q\n", prepend=True)  # whatever the page leaves in the graphics state
        page.contents_add(f"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
                          f"q {matrix} cm {name} Do Q\nEMC\n".encode())
    return overlay


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """The page's visible box (crop box, else media box); A4 when it has none that reads."""
    try:
        x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    except (ValueError, TypeError, pikepdf.PdfError):
        return (0.0, 0.0, *A4)
    return (x0, y0, x1, y1) if abs(x1 - x0) > 0 and abs(y1 - y0) > 0 else (0.0, 0.0, *A4)


def _rotation(page: pikepdf.Page) -> int:
    try:
        return int(float(page.obj.get("/Rotate", 0)))
    except (ValueError, TypeError):
        return 0


def _own_xobject(page: pikepdf.Page, xobject: pikepdf.Object, prefix: str) -> str:
    """Put an XObject in the page's resources under a free name, giving the page a
    resource dictionary of its own first (pages may share theirs)."""
    shared = page.obj.get("/Resources", Dictionary())
    resources = Dictionary({key: value for key, value in shared.items()})
    xobjects = Dictionary({key: value for key, value in shared.get("/XObject", Dictionary()).items()})
    name, n = prefix, 0
    while name in xobjects:
        n += 1
        name = f"{prefix}{n}"
    xobjects[name] = xobject
    resources.XObject = xobjects
    page.obj.Resources = resources
    return name


# --- the structure tree -------------------------------------------------------------------------


def _number_tree(node: pikepdf.Object, depth: int = 0) -> Iterator[tuple[int, pikepdf.Object]]:
    """The (key, value) pairs of a number tree (a ParentTree), in order."""
    nums = node.get("/Nums", Array())
    for i in range(0, len(nums) - 1, 2):
        if isinstance(nums[i], int):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", Array()) if depth < 32 else ():
        yield from _number_tree(kid, depth + 1)


def _forms(resources: pikepdf.Object | None, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Object]:
    """The form XObjects a page uses, nested ones too, each once."""
    if not isinstance(resources, Dictionary):
        return
    for xobject in resources.get("/XObject", Dictionary()).values():
        if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != "/Form":
            continue
        if xobject.is_indirect and xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        yield xobject
        yield from _forms(xobject.get("/Resources"), seen)


class _Tree:
    """The packet's structure tree as it is built: one Document element, the ParentTree
    (keys numbered through the whole packet), the merged RoleMap and ClassMap."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array()))
        self.document = self.element("Document", self.root)
        self.parents: list[tuple[int, pikepdf.Object]] = []
        self.next_key = 0
        self.role_map = Dictionary()
        self.class_map = Dictionary()

    def element(self, role: str, parent: pikepdf.Object, page: pikepdf.Page | None = None,
                kids: list[object] | None = None, **entries: object) -> pikepdf.Object:
        elem = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + role), P=parent,
                                                 K=Array(kids or []), **entries))
        if page is not None:
            elem.Pg = page.obj
        parent.K.append(elem)
        return elem

    def key(self, value: pikepdf.Object) -> int:
        """A new ParentTree key for a page's marked content (an array) or an annotation."""
        self.parents.append((self.next_key, value))
        self.next_key += 1
        return self.next_key - 1

    def add_part(self, title: str, source: pikepdf.Pdf, pages: list[pikepdf.Page], alt: Callable[[int], str]) -> None:
        """A document's pages, already copied into the packet, as a Part of the Document:
        its own structure tree when it has one, otherwise each page a Figure with /Alt."""
        tops = self._graft(source, pages)
        if tops is not None and len(tops) == 1 and self._role(tops[0]) == "/Document":
            part = tops[0]  # the document's own Document element becomes the Part
            part.S = Name.Part
            part.P = self.document
            self.document.K.append(part)
        else:
            part = self.element("Part", self.document)
            for top in tops or ():
                top.P = part
                part.K.append(top)
        part.T = title
        if tops is None:
            for n, page in enumerate(pages, 1):
                self._figure(part, page, alt(n))

    def _role(self, elem: pikepdf.Object) -> str:
        role = elem.get("/S")
        return str(self.role_map.get(role, role)) if role is not None else ""

    def _graft(self, source: pikepdf.Pdf, pages: list[pikepdf.Page]) -> list[pikepdf.Object] | None:
        """Move a tagged source's structure elements into the packet's tree and renumber
        its /StructParents after the keys already used; None when it is not tagged."""
        tree = source.Root.get("/StructTreeRoot")
        if not isinstance(tree, Dictionary) or "/K" not in tree or "/ParentTree" not in tree:
            _untag(pages)
            return None
        try:  # the pages are copied already, so the elements' /Pg and /Obj land on the copies
            tree = self.pdf.copy_foreign(tree if tree.is_indirect else source.make_indirect(tree))
            entries = list(_number_tree(tree.ParentTree))
            kids = tree.K if isinstance(tree.K, Array) else Array([tree.K])
            tops = [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]
        except Exception:  # a tree qpdf cannot follow in someone else's PDF: the pages count as untagged
            entries = tops = []
        if not entries or not tops:
            _untag(pages)
            return None
        offset = self.next_key
        self.parents.extend((key + offset, value) for key, value in entries)
        self.next_key = offset + max(max(key for key, _ in entries) + 1, int(tree.get("/ParentTreeNextKey", 0)))
        _renumber(pages, offset)
        for mapping, merged in ((tree.get("/RoleMap"), self.role_map), (tree.get("/ClassMap"), self.class_map)):
            for name, value in (mapping or Dictionary()).items():
                if name not in merged:  # the first document's meaning wins
                    merged[name] = value
        return tops

    def _figure(self, part: pikepdf.Object, page: pikepdf.Page, alt: str) -> None:
        """An untagged page as one Figure: its whole content marked, named by /Alt."""
        box = Array(_box(page))
        figure = self.element("Figure", part, page, [0], Alt=alt, A=Dictionary(O=Name.Layout, BBox=box))
        page.obj.StructParents = self.key(Array([figure]))
        page.contents_add(b"/Figure <</MCID 0>> BDC\n", prepend=True)
        page.contents_add(b"\nEMC\n")
        for annotation in page.obj.get("/Annots", Array()):  # its links (and comments) after it
            if isinstance(annotation, Dictionary) and annotation.get("/Subtype") != "/Popup":
                role = "Link" if annotation.get("/Subtype") == "/Link" else "Annot"
                text = annotation.get("/Contents") or annotation.get("/A", Dictionary()).get("/URI") or alt
                elem = self.element(role, part, page, [Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page.obj)],
                                    Alt=str(text))
                annotation.StructParent = self.key(elem)

    def elements(self) -> Iterator[pikepdf.Object]:
        """Every structure element, each once."""
        seen: set[tuple[int, int]] = set()
        todo = [self.document]
        while todo:
            elem = todo.pop()
            if elem.objgen in seen:
                continue
            seen.add(elem.objgen)
            yield elem
            kids = elem.get("/K")
            for kid in kids if isinstance(kids, Array) else [kids]:
                if isinstance(kid, Dictionary) and "/S" in kid and kid.is_indirect:
                    todo.append(kid)

    def finish(self) -> None:
        # an annotation that did not stay on its page (a dropped file attachment, a stripped form
        # field) leaves the structure tree too, or it would come along into the file
        on_pages = {a.objgen for page in self.pdf.pages for a in page.obj.get("/Annots", Array())
                    if isinstance(a, Dictionary)}

        def gone(kid: pikepdf.Object) -> bool:
            target = kid.get("/Obj") if isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR" else None
            return isinstance(target, Dictionary) and "/Rect" in target and target.objgen not in on_pages

        for elem in self.elements():
            kids = elem.get("/K")
            kids = kids if isinstance(kids, Array) else Array([kids]) if kids is not None else Array()
            if any(gone(kid) for kid in kids):
                elem.K = Array([kid for kid in kids if not gone(kid)])
        root = self.root
        root.K = Array([self.document])
        nums = Array()
        for key, value in sorted(self.parents, key=lambda pair: pair[0]):
            nums.extend([key, value])
        root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=nums))
        root.ParentTreeNextKey = self.next_key
        if self.role_map:
            root.RoleMap = self.role_map
        if self.class_map:
            root.ClassMap = self.class_map
        self.pdf.Root.StructTreeRoot = root
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)


def _renumber(pages: list[pikepdf.Page], offset: int) -> None:
    """Shift the ParentTree keys a document's pages, annotations and forms point to."""
    seen: set[tuple[int, int]] = set()
    for page in pages:
        annotations = [a for a in page.obj.get("/Annots", Array()) if isinstance(a, Dictionary)]
        for holder, key in ((page.obj, "/StructParents"), *((a, "/StructParent") for a in annotations),
                            *((form, "/StructParents") for form in _forms(page.obj.get("/Resources"), seen))):
            if isinstance(holder.get(key), int):
                holder[key] = int(holder[key]) + offset


def _untag(pages: list[pikepdf.Page]) -> None:
    """Drop ParentTree keys that point nowhere (an untagged document's leftovers)."""
    for page in pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annotation in page.obj.get("/Annots", Array()):
            if isinstance(annotation, Dictionary) and "/StructParent" in annotation:
                del annotation["/StructParent"]


def _tag_contents(tree: _Tree, pdf: pikepdf.Pdf, marks: list[_Mark], rows: list[_Row]) -> None:
    """The contents page's structure: H1, P, H2, then a TOC with a TOCI per row (an
    attachment's row in a TOC nested in its case's TOCI): the row's Link (its text and its
    link annotation) and its page number."""
    by_page: dict[int, list[pikepdf.Object | None]] = {}
    toc = case_toc = case_item = None
    for mark in marks:
        page = pdf.pages[mark.page]
        if mark.row is None:
            elem = tree.element(mark.role, tree.document, page, [mark.mcid])
        else:
            row = rows[mark.row]
            if mark.role == "Link":
                if toc is None:
                    toc = tree.element("TOC", tree.document)
                if row.level == 0:
                    case_item = tree.element("TOCI", toc)
                    case_toc = None
                    item = case_item
                else:
                    if case_toc is None:
                        case_toc = tree.element("TOC", case_item if case_item is not None else toc)
                    item = tree.element("TOCI", case_toc)
                elem = tree.element("Link", item, page, [mark.mcid], Alt=row.text)
                for _, annotation in row.annotations:
                    elem.K.append(Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page.obj))
                    annotation.StructParent = tree.key(elem)
            else:
                elem = tree.element(mark.role, item, page, [mark.mcid])
        slots = by_page.setdefault(mark.page, [])
        slots.extend([None] * (mark.mcid + 1 - len(slots)))
        slots[mark.mcid] = elem
    for number, slots in by_page.items():
        pdf.pages[number].obj.StructParents = tree.key(Array(slots))


# --- merging ------------------------------------------------------------------------------------


def _append(pdf: pikepdf.Pdf, part: Part) -> list[pikepdf.Page]:
    part.start = len(pdf.pages)
    try:  # with its layers and named destinations; no form fields (attachments come flattened)
        pdf.add_pages_from(part.reader, forms="strip", outlines="ignore")
    except Exception as exc:  # qpdf raises several kinds for a damaged file
        raise AttachmentError(f"{part.label or part.title}: cannot be merged into the packet "
                              f"({exc.__class__.__name__}: {exc}); save or export it as PDF again") from None
    return list(pdf.pages)[part.start:]


def _make_inert(page: pikepdf.Page) -> None:
    """An attachment's page keeps no actions but page links and web links, and no embedded
    files, hidden or signature annotations (normalise.py makes attachments inert first;
    this is the packet's own guarantee)."""
    obj = page.obj
    if "/AA" in obj:
        del obj["/AA"]
    if "/Annots" not in obj:
        return
    kept = Array()
    for annotation in obj.Annots:
        if not isinstance(annotation, Dictionary):
            continue
        flags = int(annotation.get("/F", 0))
        if (annotation.get("/Subtype") in DROPPED_ANNOTATIONS or flags & HIDDEN_FLAGS
                or _field_type(annotation) == "/Sig"):
            continue
        if annotation.get("/Subtype") != "/Popup":
            annotation.F = flags | PRINT_FLAG  # PDF/A: annotations print
        _drop_actions(annotation)
        if annotation.get("/Subtype") == "/Link" and "/A" not in annotation and "/Dest" not in annotation:
            continue  # a link that did something else
        kept.append(annotation)
    obj.Annots = kept


def _sweep(pdf: pikepdf.Pdf) -> None:
    """No actions but page and web links, no embedded files, wherever they are: also what
    came in by a path the page pass does not see (a structure element's annotation, a
    popup's parent, a field above a widget)."""
    todo = [obj for obj in pdf.objects if isinstance(obj, Dictionary | Array | pikepdf.Stream)]
    while todo:
        obj = todo.pop()
        children = list(obj) if isinstance(obj, Array) else list(obj.values())
        if not isinstance(obj, Array):
            _drop_actions(obj)
            for key in ("/OpenAction", "/EF", "/RF", "/JS"):
                if key in obj:
                    del obj[key]
        todo.extend(c for c in children if isinstance(c, Dictionary | Array) and not c.is_indirect)


def _field_type(annotation: pikepdf.Object) -> str | None:
    holder, depth = annotation, 0
    while isinstance(holder, Dictionary) and depth < 16:
        if "/FT" in holder:
            return str(holder.FT)
        holder, depth = holder.get("/Parent"), depth + 1
    return None


def _drop_actions(holder: pikepdf.Object) -> None:
    if "/AA" in holder:
        del holder["/AA"]
    action = holder.get("/A")  # (a structure element's /A holds attributes: no /S)
    if not isinstance(action, Dictionary) or "/S" not in action:
        return
    kind = action.get("/S")
    if kind not in SAFE_ACTIONS and not (kind == "/Named" and action.get("/N") in SAFE_NAMED):
        del holder["/A"]
    elif "/Next" in action:
        del action["/Next"]


def _own_outline(source: pikepdf.Pdf, items: list[OutlineItem], offset: int, depth: int = 0) -> list[OutlineItem]:
    """An attachment's own bookmarks, pointing into its pages in the packet."""
    index = {page.obj.objgen: n for n, page in enumerate(source.pages)}
    made = []
    for item in items:
        target = item.destination
        if target is None and isinstance(item.action, Dictionary) and item.action.get("/S") == "/GoTo":
            target = item.action.get("/D")
        try:
            resolved = OutlineItem(str(item.title), target).resolved_destination(source) if target is not None else None
        except Exception:  # a broken bookmark in someone else's PDF is not worth an error
            resolved = None
        page = resolved.page if resolved is not None else None
        if not isinstance(page, Dictionary) or page.objgen not in index:
            continue
        mark = OutlineItem(str(item.title), offset + index[page.objgen])
        mark.is_closed = True
        if depth < 3:
            mark.children.extend(_own_outline(source, item.children, offset, depth + 1))
        made.append(mark)
    return made


def _outline(pdf: pikepdf.Pdf, contents: str, parts: list[Part]) -> None:
    with pdf.open_outline() as outline:
        outline.root.append(OutlineItem(contents, 0))
        for part in parts:
            item = OutlineItem(part.title, part.start)
            for child in part.children:
                sub = OutlineItem(child.title, child.start)
                sub.is_closed = True
                with contextlib.suppress(Exception), child.reader.open_outline() as own:
                    sub.children.extend(_own_outline(child.reader, own.root, child.start))
                item.children.append(sub)
            outline.root.append(item)


def _archival(pdf: pikepdf.Pdf, info: dict[str, str], language: str) -> None:
    """PDF/A-2b: the Info dictionary and XMP alike, an sRGB output intent; the catalog
    entries a reader needs (language, title shown, bookmarks open)."""
    if not SRGB_PROFILE.exists():
        raise ToolMissing(f"{SRGB_PROFILE} is missing (the sRGB profile of PDF/A): install ghostscript "
                          "(make system)")
    for key, value in info.items():
        pdf.docinfo[Name("/" + key)] = value
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(pdf.docinfo)
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
    profile = pdf.make_stream(SRGB_PROFILE.read_bytes(), N=3)
    pdf.Root.OutputIntents = Array([Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier="sRGB IEC61966-2.1",
        Info="sRGB IEC61966-2.1", DestOutputProfile=profile)])
    for config in _layer_configs(pdf):
        if "/AS" in config:  # PDF/A: no automatic layer states
            del config["/AS"]
        config.Name = config.get("/Name", "Standard")
    pdf.Root.Lang = language
    pdf.Root.PageMode = Name.UseOutlines
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))


def _layer_configs(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    layers = pdf.Root.get("/OCProperties")
    if not isinstance(layers, Dictionary):
        return []
    configs = [layers.get("/D"), *layers.get("/Configs", Array())]
    return [config for config in configs if isinstance(config, Dictionary)]


def build_packet(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes], *, cache: Path) -> bytes:
    """The packet of one meeting in one edition, as PDF bytes.

    `pdfs` are the build's converted documents by their DocKey; `cache` keeps the attachments'
    archival copies (the project's .alu-work/cache). Raises
    AttachmentError (naming the file) when an attachment cannot be read or merged.
    """
    committee = ctx.committee
    t = texts(committee.language)
    parts = packet_parts(ctx, meeting, edition, pdfs, cache)
    flat = [p for part in parts for p in (part, *part.children)]

    def contents_rows(contents_pages: int) -> list[_Row]:
        rows, page = [], contents_pages + 1
        for part in flat:
            rows.append(_Row(part.title, part.level, page))
            page += len(part.reader.pages)
        return rows

    # Draw once to learn how many pages the contents take, then with the real numbers
    trial = len(pikepdf.open(io.BytesIO(draw_contents(ctx, meeting, edition, contents_rows(1))[0])).pages)
    rows = contents_rows(trial)
    drawn, marks = draw_contents(ctx, meeting, edition, rows)
    contents = pikepdf.open(io.BytesIO(drawn))
    if len(contents.pages) != trial:  # a number's width moved a line: draw with that count
        rows = contents_rows(len(contents.pages))
        drawn, marks = draw_contents(ctx, meeting, edition, rows)
        contents = pikepdf.open(io.BytesIO(drawn))

    pdf = pikepdf.new()
    tree = _Tree(pdf)
    pdf.pages.extend(contents.pages)
    merged = [(part, _append(pdf, part)) for part in flat]
    for row, part in zip(rows, flat, strict=True):
        for number, rect in row.links:
            link = pdf.make_indirect(Dictionary(
                Type=Name.Annot, Subtype=Name.Link, Rect=Array(rect), Border=Array([0, 0, 0]), F=PRINT_FLAG,
                Contents=row.text, Dest=Array([pdf.pages[part.start].obj, Name.Fit])))
            page = pdf.pages[number].obj
            page.Annots = Array([*page.get("/Annots", Array()), link])
            row.annotations.append((number, link))
    _tag_contents(tree, pdf, marks, rows)
    for part, pages in merged:
        if part.level:
            for page in pages:
                _make_inert(page)
        count = len(pages)
        tree.add_part(part.title, part.reader, pages,
                      lambda n, title=part.title, count=count: f"{title} ({t['page'].lower()} {n} {t['of']} {count})")
    tree.finish()
    _sweep(pdf)
    _outline(pdf, t["contents"], parts)
    overlay = _stamp(pdf, f"{committee.short} {short_date(meeting.date)} · {t['packet']} {t['page'].lower()}",
                     t["of"])
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Tabs = Name.S  # tab through links in structure order
    title = f"{committee.short} – {t['packet']} {short_date(meeting.date)}"
    _archival(pdf, {
        "Title": title + (f" ({t['internal_edition']})" if edition == "internal" else ""),
        "Author": f"{committee.organisation} {committee.short}",
        "Subject": f"{committee.name}: {t['packet']} {long_date(meeting.date, committee.language)}",
        "Creator": "alu-docs",
        "Producer": "alu-docs (pikepdf)",
    }, LANGUAGES[committee.language])
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             min_version="1.7")
    del overlay, contents  # kept open until the save: qpdf copies their streams then
    return out.getvalue()


def make_packets(ctx: Context, meetings: list[tuple[Meeting, list[str]]], pdfs: dict[DocKey, bytes],
                 *, cache: Path, echo: Echo = print) -> dict[DocKey, bytes]:
    """The packets of a build, keyed like `pdfs`: one per meeting with a notice, in each of
    its editions. Raises AttachmentError before anything is written. A packet made before
    from the same input is taken from `cache` (see packet_input): a rebuild after an edit of
    the minutes does not merge the packet again."""
    packets = {}
    for meeting, editions in meetings:
        for edition in editions:
            if ctx.key(meeting, NOTICE, edition=edition) not in pdfs:
                continue
            started = time.monotonic()
            public = edition == "public"  # the internal edition is not cached: the cache is not internal/
            data = _kept_packet(ctx, meeting, edition, pdfs, cache) if public else None
            how = "unchanged, from the cache"
            if data is None:
                data = build_packet(ctx, meeting, edition, pdfs, cache=cache)
                if public:
                    _keep_packet(ctx, meeting, edition, pdfs, cache, data)
                how = f"in {time.monotonic() - started:.1f} s"
            packets[ctx.key(meeting, PACKET, edition=edition)] = data
            pages = len(pikepdf.open(io.BytesIO(data)).pages)
            echo(f"packet   {meeting.date.isoformat()} {edition}: {pages} pages, {len(data) // 1024} kB {how}")
    return packets


PACKETS_KEPT = 100


def packet_input(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes], cache: Path) -> str:
    """sha256 of everything build_packet reads: the code, the committee, the meeting's date,
    time, place and number, each case's heading and attachments (titles, files by sha256),
    the notice's and case papers' PDF bytes."""
    from .attachments import verdicts

    code = Path(__file__).parent
    committee = ctx.committee
    facts: list[object] = [
        [hashlib.sha256((code / name).read_bytes()).hexdigest() for name in ("packet.py", "normalise.py", "texts.py")],
        [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in (SRGB_PROFILE, FONT_DIR) if p.exists()],
        edition, committee.name, committee.short, committee.organisation, committee.language,
        ctx.meeting_number(meeting), meeting.date, meeting.start, meeting.end, meeting.place,
        hashlib.sha256(pdfs[ctx.key(meeting, NOTICE, edition=edition)]).hexdigest(),
    ]
    hashes = verdicts(cache)
    for case in meeting.cases:
        hidden = edition == "public" and bool(case.confidential)
        facts.append([case_heading(ctx, meeting, case, hidden), hidden,
                      hashlib.sha256(pdfs[ctx.key(meeting, CASE, case, edition)]).hexdigest(),
                      [] if hidden else [(a.title, str(a.path), hashes.sha256(a.path)) for a in case.attachments]])
    return hashlib.sha256(json.dumps(facts, default=str, ensure_ascii=False).encode()).hexdigest()


def _kept_packet(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes],
                 cache: Path) -> bytes | None:
    """The packet made before from the same input, or None (also when an attachment is
    missing: build_packet names it)."""
    try:
        return cachefile.find(cache / "packet" / f"{packet_input(ctx, meeting, edition, pdfs, cache)}.pdf")
    except OSError:
        return None


def _keep_packet(ctx: Context, meeting: Meeting, edition: str, pdfs: dict[DocKey, bytes], cache: Path,
                 data: bytes) -> None:
    with contextlib.suppress(OSError):
        cachefile.keep(cache / "packet" / f"{packet_input(ctx, meeting, edition, pdfs, cache)}.pdf", data,
                       PACKETS_KEPT)
