"""The meeting packet ("sakspapirer"): built from the real LibreOffice output, with
attachments made by other producers, read back with pypdf, qpdf and poppler."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject
from reportlab.pdfgen import canvas

from alu_docs import attachments, names, packet
from alu_docs.context import Context
from alu_docs.errors import AttachmentError
from alu_docs.model import load_all
from alu_docs.names import CASE, NOTICE
from tests.conftest import need, pdftotext, run_cli, snapshot
from tests.pdfcheck import active_content, archival_problems, elements, roles, strings, structure_problems

PACKET = "archive/2025/2025-08-27/ALU-2025-08-27-sakspapirer.pdf"


def outline_titles(reader: PdfReader, items: list | None = None, depth: int = 0) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found.extend(outline_titles(reader, item, depth + 1))
        else:
            found.append((depth, str(item.title), reader.get_destination_page_number(item)))
    return found


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


# --- attachments made by other producers ----------------------------------------------------------


def reportlab_pdf(path: Path, pages: int = 2, *, outline: bool = False, form: bool = False) -> Path:
    """Text in Carlito, embedded (as normalise.py leaves every attachment)."""
    pdf = canvas.Canvas(str(path), initialFontName=packet.load_fonts()[0])
    for n in range(1, pages + 1):
        pdf.drawString(72, 750, f"reportlab side {n}")
        if outline:
            pdf.bookmarkPage(f"p{n}")
            pdf.addOutlineEntry(f"Eget kapittel {n}", f"p{n}")
        if form and n == 1:
            pdf.acroForm.textfield(name="kommentar", x=72, y=600, width=200, height=20, value="skjemafelt")
            pdf.acroForm.checkbox(name="enig", x=72, y=560, checked=True)
        pdf.showPage()
    pdf.save()
    return path


def rotated_pdf(path: Path) -> Path:
    """A landscape page written as a rotated portrait page with an offset media box."""
    source = reportlab_pdf(path.with_suffix(".src.pdf"), 1)
    writer = PdfWriter(clone_from=source)
    page = writer.pages[0]
    page.mediabox.lower_left = (10, 20)
    page[NameObject("/Rotate")] = NumberObject(90)
    writer.write(path)
    return path


def ghostscript_pdf(path: Path) -> Path:
    """Ghostscript's pdfwrite, from PostScript: a different producer and font setup."""
    ps = path.with_suffix(".ps")
    ps.write_text("%!PS\n/Helvetica findfont 14 scalefont setfont\n"
                  "72 720 moveto (Ghostscript side 1) show showpage\n"
                  "72 720 moveto (Ghostscript side 2) show showpage\n")
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={path}", str(ps)], check=True, capture_output=True)
    return path


def scanned_pdf(path: Path, source: Path) -> Path:
    """An image-only PDF, as a scanner makes it (Ghostscript's pdfimage24 device)."""
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfimage24", "-r72",
                    f"-sOutputFile={path}", str(source)], check=True, capture_output=True)
    return path


def libreoffice_pdf(path: Path) -> Path:
    """A PDF exported by LibreOffice from a text file (its own profile, as convert.py does)."""
    text = path.with_suffix(".txt")
    text.write_text("LibreOffice-vedlegg\n\nÆØÅ æøå\n", encoding="utf-8")
    profile = path.parent / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(path.parent), str(text)], check=True, capture_output=True, timeout=120)
    return path


def encrypted_pdf(path: Path, source: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password=user_password, owner_password="eier", algorithm="AES-256")
    writer.write(path)
    return path


def damaged_pdf(path: Path, source: Path) -> Path:
    """A file no tool can read (a truncated one is now repaired by qpdf)."""
    data = source.read_bytes()
    path.write_bytes(data[:9] + bytes(range(256)) * 8)
    return path


MEETING = """\
# A test meeting whose attachments come from different producers
date: 2025-10-15
cases:
  - title: Vedlegg fra mange kilder
    type: information
    presenter: Hege Brende
    duration: 20
    summary: |
      Vedlegg laget med LibreOffice, Ghostscript og reportlab.
    attachments:
{attachments}
  - confidential: offl. § 25
    duration: 10
    content: unntatt/sak-2.yaml
"""

CONFIDENTIAL = """title: Personalsak med hemmelig vedlegg
type: decision
presenter: Bjørn Haugstad
summary: |
  Dette skal ikke stå i den offentlige utgaven.
attachments:
  - file: unntatt/hemmelig.pdf
    title: Hemmelig notat
"""


def write_meeting(project: Path, attachments: dict[str, Path]) -> Path:
    folder = project / "meetings" / "2025-10-15"
    (folder / "vedlegg").mkdir(parents=True, exist_ok=True)
    lines = []
    for title, source in attachments.items():
        target = folder / "vedlegg" / source.name
        if source != target:
            shutil.copy(source, target)
        lines.append(f"      - file: vedlegg/{source.name}\n        title: {title}")
    (folder / "unntatt").mkdir(exist_ok=True)  # the confidential case's content, git-ignored
    reportlab_pdf(folder / "unntatt" / "hemmelig.pdf", 3)
    (folder / "unntatt" / "sak-2.yaml").write_text(CONFIDENTIAL, encoding="utf-8")
    path = folder / "meeting.yaml"
    path.write_text(MEETING.format(attachments="\n".join(lines)), encoding="utf-8")
    return path


def packet_of(project: Path, attachments: dict[str, Path], edition: str = "public") -> bytes:
    """The test meeting's packet, its notice and case papers drawn by reportlab instead of
    LibreOffice: for what attachments do to the packet."""
    write_meeting(project, attachments)
    committee, meetings = load_all(project / "meetings")
    ctx = Context.build(committee, meetings)
    meeting = next(m for m in meetings if m.date.isoformat() == "2025-10-15")
    keys = [ctx.key(meeting, NOTICE, edition=edition), *(ctx.key(meeting, CASE, c, edition) for c in meeting.cases)]
    pdfs = {key: reportlab_pdf(project / f"{key.stem('ALU')}.pdf", 1).read_bytes() for key in keys}
    return packet.build_packet(ctx, meeting, edition, pdfs, cache=project / ".alu-work" / "cache")


# --- the sample meeting ---------------------------------------------------------------------------


def test_sample_packet_has_notice_case_papers_attachments_bookmarks_and_page_numbers(project, soffice, poppler):
    code, output = run_cli("build", "2025-08-27")
    assert code == 0, output
    assert re.search(r"packet   2025-08-27 public: \d+ pages", output)
    pdf = project / PACKET
    reader = PdfReader(pdf)
    folder = pdf.parent
    notice = len(PdfReader(folder / "ALU-2025-08-27-innkalling.pdf").pages)
    papers = [len(PdfReader(p).pages) for p in sorted(folder.glob("ALU-2025-08-27-sak-*.pdf"))]
    attachment = len(PdfReader(project / "meetings/2025-08-27/vedlegg/omstilling-statusnotat.pdf").pages)
    assert len(papers) == 4
    total = len(reader.pages)
    assert total >= notice + len(papers) + attachment
    assert total == 1 + notice + sum(papers) + attachment  # contents page + the documents

    notice_text = pdftotext(folder / "ALU-2025-08-27-innkalling.pdf")
    numbers = re.findall(r"\b(\d+)/25\b", notice_text)
    assert sorted(set(numbers), key=int) == ["1", "2", "3", "4"]

    bookmarks = outline_titles(reader)
    top = [(title, page) for depth, title, page in bookmarks if depth == 0]
    assert top[0] == ("Innhold", 0)
    assert top[1] == ("Møteinnkalling", 1)
    cases = [(title, page) for title, page in top if title.startswith("ALU-sak")]
    assert [t.split()[1] for t, _ in cases] == ["1/25", "2/25", "3/25", "4/25"]
    assert cases[0] == ("ALU-sak 1/25 Administrativ omstilling – status høsten 2025", 1 + notice)
    nested = [(title, page) for depth, title, page in bookmarks if depth == 1]
    assert nested == [("Vedlegg 1: Statusnotat administrativ omstilling, august 2025", 1 + notice + papers[0])]

    # The contents page names the page each case starts on, and each entry is a link there
    contents = page_text(pdf, 1)
    for title, page in cases:
        assert re.search(re.escape(title[:40]) + r".*?\s(\d+)\s*$", contents, re.M).group(1) == str(page + 1)
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert len(links) == 1 + len(cases) + 1

    # Every page is stamped with its packet page number; the page labels agree
    for n in (1, 3, total):
        assert f"ALU 27.08.25 · Sakspapirer side {n} av {total}" in page_text(pdf, n)
    assert reader.page_labels == [str(n) for n in range(1, total + 1)]

    assert reader.metadata.title == "ALU – Sakspapirer 27.08.25"
    assert reader.trailer["/Root"]["/Lang"] == "nb-NO"
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # every font embedded
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)

    manifest = json.loads((project / "archive/manifest.json").read_text())
    assert PACKET.removeprefix("archive/") in manifest["files"]

    # PDF/A-2b, tagged and inert, as qpdf, poppler and pikepdf read it
    assert archival_problems(pdf) == []
    documents = [t for depth, t, _ in bookmarks if depth <= 1 and t != "Innhold"]
    with pikepdf.open(pdf) as packet_pdf:
        tree = packet_pdf.Root.StructTreeRoot
        document = tree.K[0]
        top = [(str(e.S), str(e.get("/T", ""))) for e in document.K]
        assert [role for role, _ in top[:5]] == ["/H1", "/P", "/P", "/H2", "/TOC"]
        assert [title for role, title in top[5:]] == documents  # a Part per document, in page order
        assert {role for role, _ in top[5:]} == {"/Part"}
        # the notice's and the case papers' own trees, whole and in order
        sources = [folder / "ALU-2025-08-27-innkalling.pdf", *sorted(folder.glob("ALU-2025-08-27-sak-*.pdf"))]
        tagged = [e for e in document.K[5:] if not str(e.T).startswith("Vedlegg")]
        for source, part in zip(sources, tagged, strict=True):
            with pikepdf.open(source) as original:
                own = original.Root.StructTreeRoot
                assert roles(part, tree.RoleMap) == roles(own.K[0], own.RoleMap), source.name
                attributes = [[str(e.get("/A")) for _, e in elements(d)] for d in (part, own.K[0])]
                assert attributes[0] == attributes[1], source.name  # table and layout attributes too
        # the untagged attachment: each page a Figure named after it
        figures = [e for _, e in elements(document.K[5 + documents.index(nested[0][0])])]
        assert [str(f.S) for f in figures] == ["/Figure"] * attachment
        assert all(str(f.Alt).startswith("Vedlegg 1: Statusnotat administrativ omstilling, august 2025 (side ")
                   for f in figures)
        assert all(len(f.A.BBox) == 4 for f in figures)
        # the contents: a Link element with the entry's text per row, and its annotation says it too
        links = [e for _, e in elements(document.K[4]) if e.S == "/Link"]
        assert [str(e.Alt) for e in links] == ["Møteinnkalling", *documents[1:]]
        annotations = [k.Obj for e in links for k in e.K if isinstance(k, Dictionary) and k.get("/Type") == "/OBJR"]
        assert [str(a.Contents) for a in annotations] == [str(e.Alt) for e in links]

    # the same input gives the same bytes (no clock; the /ID comes from the content)
    committee, meetings = load_all(project / "meetings")
    ctx = Context.build(committee, meetings)
    meeting = next(m for m in meetings if m.date.isoformat() == "2025-08-27")
    pdfs = {names.parse(p.name).key: p.read_bytes() for p in sources}
    assert packet.build_packet(ctx, meeting, "public", pdfs, cache=project / ".alu-work" / "cache") == pdf.read_bytes()


def test_packet_is_smaller_than_its_parts(project, soffice):
    """Identical objects (fonts shared by the case papers) are merged."""
    assert run_cli("build", "2025-08-27")[0] == 0
    folder = (project / PACKET).parent
    parts = sum(p.stat().st_size for p in folder.glob("*.pdf")
                if "referat" not in p.name and p.name != Path(PACKET).name)
    parts += (project / "meetings/2025-08-27/vedlegg/omstilling-statusnotat.pdf").stat().st_size
    assert (project / PACKET).stat().st_size < parts


# --- attachments from other producers -------------------------------------------------------------


@pytest.fixture
def producers(tmp_path: Path, soffice) -> dict[str, Path]:
    need("gs")
    made = tmp_path / "made"
    made.mkdir()
    plain = reportlab_pdf(made / "reportlab.pdf", 2)
    return {
        "LibreOffice-eksport": libreoffice_pdf(made / "libreoffice.pdf"),
        "Ghostscript pdfwrite": ghostscript_pdf(made / "ghostscript.pdf"),
        "Skannet dokument": scanned_pdf(made / "skannet.pdf", plain),
        "Med egne bokmerker og skjema": reportlab_pdf(made / "skjema.pdf", 3, outline=True, form=True),
        "Kryptert uten passord": encrypted_pdf(made / "kryptert.pdf", plain, ""),
        "Liggende side": rotated_pdf(made / "liggende.pdf"),
    }


def test_attachments_from_other_producers_merge(project, producers, poppler):
    write_meeting(project, producers)
    code, output = run_cli("build", "2025-10-15")
    assert code == 0, output
    pdf = project / "archive/2025/2025-10-15/ALU-2025-10-15-sakspapirer.pdf"
    reader = PdfReader(pdf)
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    bookmarks = outline_titles(reader)
    attachments = [(title, page) for depth, title, page in bookmarks if depth == 1]
    assert [t for t, _ in attachments] == [f"Vedlegg {i}: {title}" for i, title in enumerate(producers, 1)]
    # the attachment's own bookmarks are nested under its bookmark, pointing into it
    own = [(title, page) for depth, title, page in bookmarks if depth == 2]
    form_start = dict(attachments)["Vedlegg 4: Med egne bokmerker og skjema"]
    assert own == [(f"Eget kapittel {n}", form_start + n - 1) for n in (1, 2, 3)]
    # pages: every attachment's pages are there, in order
    expected = sum(len(PdfReader(p).pages) for p in producers.values() if "kryptert" not in p.name) + 2
    first, last = attachments[0][1], len(reader.pages)
    case_two = next(page for depth, title, page in bookmarks if depth == 0 and title.startswith("ALU-sak") and
                    "Unntatt" in title)
    assert case_two - first == expected
    assert first < last
    text = pdftotext(pdf)
    for marker in ("LibreOffice-vedlegg", "Ghostscript side 2", "reportlab side 3", "ÆØÅ æøå"):
        assert marker in text
    # no form fields in the packet (attachments come flattened); the rotated page carries a readable stamp
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert not [a for p in reader.pages for a in p.get("/Annots", []) if a.get_object()["/Subtype"] == "/Widget"]
    rotated = dict(attachments)["Vedlegg 6: Liggende side"] + 1
    assert f"Sakspapirer side {rotated} av {last}" in page_text(pdf, rotated)


def test_public_packet_leaves_out_a_confidential_case_and_its_attachments(project, tmp_path, soffice, poppler):
    write_meeting(project, {"Eget notat": reportlab_pdf(tmp_path / "notat.pdf", 2)})
    assert run_cli("build", "2025-10-15")[0] == 0
    public = PdfReader(project / "archive/2025/2025-10-15/ALU-2025-10-15-sakspapirer.pdf")
    internal = PdfReader(project / "internal/2025/2025-10-15/ALU-2025-10-15-sakspapirer.pdf")
    public_text = "\n".join(p.extract_text() for p in public.pages)
    internal_text = "\n".join(p.extract_text() for p in internal.pages)
    assert "Personalsak" not in public_text and "Hemmelig notat" not in public_text
    assert "Personalsak" in internal_text and "Hemmelig notat" in internal_text
    assert "offl. § 25" in public_text
    public_marks = [t for _, t, _ in outline_titles(public)]
    assert not any("Personalsak" in t or "Hemmelig" in t for t in public_marks)
    assert re.search(r"ALU-sak \d+/25 Unntatt offentlighet \(offl\. § 25\)", " ".join(public_marks))
    assert any(t == "Vedlegg 1: Hemmelig notat" for _, t, _ in outline_titles(internal))
    assert len(internal.pages) == len(public.pages) + 3  # the secret attachment's pages
    assert "Intern utgave" in internal.pages[0].extract_text()
    # nor in any string of the file (structure titles, /Alt, link texts, metadata)
    with pikepdf.open(project / "archive/2025/2025-10-15/ALU-2025-10-15-sakspapirer.pdf") as pdf:
        hidden = strings(pdf) + str(pdf.open_metadata())
    assert "Personalsak" not in hidden and "Hemmelig" not in hidden
    with pikepdf.open(project / "internal/2025/2025-10-15/ALU-2025-10-15-sakspapirer.pdf") as pdf:
        assert "Vedlegg 1: Hemmelig notat (side 1 av 3)" in strings(pdf)
    for root in ("archive", "internal"):
        assert archival_problems(project / root / "2025/2025-10-15/ALU-2025-10-15-sakspapirer.pdf") == []


# --- attachments that cannot be merged --------------------------------------------------------------


@pytest.mark.parametrize("kind, message", [
    ("password", "the PDF is protected by a password"),
    ("damaged", "the PDF is damaged and cannot be read"),
])
def test_unreadable_attachment_is_refused_naming_the_file(project, tmp_path, kind, message):
    plain = reportlab_pdf(tmp_path / "plain.pdf", 2)
    bad = (encrypted_pdf(tmp_path / "laast.pdf", plain, "hemmelig") if kind == "password"
           else damaged_pdf(tmp_path / "skadet.pdf", plain))
    write_meeting(project, {"Problemvedlegg": bad})
    before = snapshot(project / "archive")
    for command in (["check", "2025-10-15"], ["build", "2025-10-15"]):
        code, output = run_cli(*command)
        assert code == 2, output
        assert f"meetings/2025-10-15/meeting.yaml:11: cases[0].attachments[0].file: '{'vedlegg/' + bad.name}'" \
            in output
        assert message in output
        assert "Traceback" not in output
    assert snapshot(project / "archive") == before


def test_open_attachment_refuses_too_many_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_PAGES", 2)
    path = reportlab_pdf(tmp_path / "lang.pdf", 3)
    with pytest.raises(AttachmentError, match=r"lang\.pdf: 3 pages; an attachment may have at most 2 pages"):
        attachments.open_attachment(path, "lang.pdf")


def test_open_attachment_opens_empty_user_password(tmp_path):
    path = encrypted_pdf(tmp_path / "k.pdf", reportlab_pdf(tmp_path / "p.pdf", 2), "")
    assert len(attachments.open_attachment(path, deep=True).pages) == 2


def test_stamp_lands_in_the_bottom_right_corner_of_rotated_and_offset_pages(tmp_path, poppler):
    """For each /Rotate the stamp is in the visible page's bottom-right corner, upright."""
    for rotation in (0, 90, 180, 270):
        pdf = pikepdf.open(reportlab_pdf(tmp_path / f"r{rotation}.pdf", 1))
        pdf.pages[0].obj.MediaBox = Array([30, 40, 595, 842])
        pdf.pages[0].obj.Rotate = rotation
        overlay = packet._stamp(pdf, "Stempel", "av")
        path = tmp_path / f"stamped{rotation}.pdf"
        pdf.save(path)
        overlay.close()
        width, height = (565, 802) if rotation in (0, 180) else (802, 565)
        corner = subprocess.run(
            ["pdftotext", "-r", "72", "-x", str(width - 160), "-y", str(height - 30), "-W", "160", "-H", "30",
             str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Stempel 1 av 1" in corner, (rotation, corner)


@pytest.mark.parametrize("box, rotation, size, grown", [
    ((0, 0, 595.3, 841.9), 0, 7.5, None),  # A4: the size the stamp was drawn for
    ((0, 0, 841.9, 595.3), 90, 7.5, None),  # A4 landscape
    ((0, 0, 2383.9, 3370.4), 0, 30.0, None),  # A0: four times
    ((0, 0, 420.9, 595.3), 0, 6.0, None),  # A5: not below 6 pt
    ((0, 0, 14400, 14400), 0, 30.0, None),  # the largest page PDF/A allows: not above 30 pt
    ((10, 10, 13, 13), 0, 6.0, "below"),  # a 3 pt page grows a strip for it
    ((10, 10, 13, 13), 90, 6.0, "below"),
])
def test_stamp_scales_with_the_page_and_a_tiny_page_grows_to_hold_it(box, rotation, size, grown):
    place = packet.place_stamp(box, rotation, lambda points: 18 * points)  # ~ the stamp's width
    assert place.size == pytest.approx(size, abs=0.05)
    assert place.x >= 0 and place.x + 18 * place.size <= place.width  # the whole text on the page
    assert place.y > 0 and place.y + place.size <= place.height
    if grown is None:
        assert place.box is None
    else:  # the new box holds the old one, and the stamp is beside the content, not over it
        x0, y0, x1, y1 = place.box
        assert x0 <= box[0] + 1e-6 and y0 <= box[1] + 1e-6 and x1 >= box[2] - 1e-6 and y1 >= box[3] - 1e-6
        assert sorted((x1 - x0, y1 - y0)) == pytest.approx(sorted((place.width, place.height)))
        a, b, c, d, e, f = place.matrix
        top = place.y + place.size  # the top of the stamp's text, mapped onto the page
        corners = [(a * u + c * top + e, b * u + d * top + f) for u in (place.x, place.x + 18 * place.size)]
        assert all(not (box[0] < x < box[2] and box[1] < y < box[3]) for x, y in corners)
        assert all(x0 - 1e-6 <= x <= x1 + 1e-6 and y0 - 1e-6 <= y <= y1 + 1e-6 for x, y in corners)


# --- stamps on pages of any kind; active content ------------------------------------------------------


def shared_content_pdf(path: Path, pages: int = 3) -> Path:
    """Pages that share one content stream and one resource dictionary, as some producers
    write them (a grey square on each: no text of its own)."""
    pdf = pikepdf.new()
    content = pdf.make_stream(b"0.8 g 100 500 200 200 re f")
    resources = pdf.make_indirect(Dictionary())
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        pdf.pages[-1].obj.Contents = content
        pdf.pages[-1].obj.Resources = resources
    pdf.save(path)
    return path


def sized_pdf(path: Path, width: float, height: float) -> Path:
    """One page of the given size, a black square in its middle."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(width, height))
    side = min(width, height) / 3
    pdf.pages[0].obj.Contents = pdf.make_stream(f"0 g {side} {side} {side} {side} re f".encode())
    pdf.save(path)
    return path


def active_pdf(path: Path) -> Path:
    """A page with everything a public packet must not carry: JavaScript (page /AA, a link,
    the document's open action and names), a /Launch link, an embedded file (annotation
    and names) and a form button that submits; plus a web link that may stay."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0].obj
    page.Contents = pdf.make_stream(b"0.5 g 100 600 100 100 re f")
    script = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=pikepdf.String("app.alert('hei')")))
    page.AA = Dictionary(O=script)
    data = pdf.make_stream(b"hemmelig innhold", Type=Name.EmbeddedFile)
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F="hemmelig.txt", EF=Dictionary(F=data)))
    button = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, Ff=65536, T="send", Rect=[100, 100, 200, 130],
        A=Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F="https://example.org/skjema"))))

    def link(y: int, action: Dictionary) -> Dictionary:
        return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[100, y, 300, y + 20], A=action)

    page.Annots = pdf.make_indirect(Array([
        link(400, Dictionary(S=Name.Launch, F="calc.exe")),
        link(430, Dictionary(S=Name.JavaScript, JS="app.launchURL('x')")),
        link(460, Dictionary(S=Name.URI, URI="https://www.ntnu.no/")),
        Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[100, 300, 120, 320], FS=spec),
        button]))
    pdf.Root.AcroForm = Dictionary(Fields=[button])
    pdf.Root.OpenAction = script
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=["hemmelig.txt", spec]),
                                JavaScript=Dictionary(Names=["start", script]))
    pdf.save(path)
    return path


def stamp_words(pdf: Path, page: int) -> tuple[tuple[float, float], list[tuple[float, float, float, float]]]:
    """The page's visual size and the boxes (x0, y0, x1, y1) of the stamp's words, by poppler."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                       r'(?:Sakspapirer|side)</word>', html)
    return (float(size[1]), float(size[2])), [tuple(map(float, w)) for w in words]


def test_stamps_once_per_page_legible_on_any_page_size_and_no_active_content(project, tmp_path, poppler):
    made = tmp_path / "made"
    made.mkdir()
    pdf = tmp_path / "packet.pdf"
    pdf.write_bytes(packet_of(project, {
        "Delt innholdsstrøm": shared_content_pdf(made / "delt.pdf"),
        "A0-tegning": sized_pdf(made / "a0.pdf", 2383.9, 3370.4),
        "Frimerke": sized_pdf(made / "frimerke.pdf", 3, 3),
        "Aktivt innhold": active_pdf(made / "aktivt.pdf"),
    }))
    reader = PdfReader(pdf)
    total = len(reader.pages)
    marks = dict((t, p + 1) for d, t, p in outline_titles(reader) if d == 1)
    # one stamp per page, its own number, also on the pages that share a content stream
    for n in range(1, total + 1):
        assert re.findall(r"Sakspapirer side \d+ av \d+", page_text(pdf, n)) == [f"Sakspapirer side {n} av {total}"]
    # A0: the stamp grows with the page; 3 pt: the page grows to hold a 6 pt stamp
    sizes = {"Vedlegg 1: Delt innholdsstrøm": 7, "Vedlegg 2: A0-tegning": 25, "Vedlegg 3: Frimerke": 5.5}
    for title, least in sizes.items():
        (width, height), words = stamp_words(pdf, marks[title])
        assert len(words) == 2, title
        for x0, y0, x1, y1 in words:
            assert y1 - y0 >= least, (title, y1 - y0)
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, title
    # nothing active is left; the web link is, tagged with its address
    with pikepdf.open(pdf) as packet_pdf:
        assert active_content(packet_pdf) == set()
        page = packet_pdf.pages[marks["Vedlegg 4: Aktivt innhold"] - 1].obj
        assert [str(a.A.URI) for a in page.Annots] == ["https://www.ntnu.no/"]
        assert "https://www.ntnu.no/" in strings(packet_pdf)
    assert archival_problems(pdf) == []


# --- odd attachments, without LibreOffice -------------------------------------------------------------


def odd_pdf(path: Path, kind: str) -> Path:
    """One page of a kind real producers write: no content at all, a /Rotate that is a real
    number, a content stream that leaves its scale behind (no q/Q), a broken structure tree,
    or a tagged page with a link in its structure tree."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0].obj
    square = b"0 g 100 600 100 100 re f"
    if kind == "empty":
        del page["/Contents"]
    elif kind == "real-rotate":
        page.Contents = pdf.make_stream(square)
        page.Rotate = pikepdf.Object.parse(b"90.0")
    elif kind == "unbalanced":
        page.Contents = pdf.make_stream(b"0.1 0 0 0.1 0 0 cm " + square)
    elif kind == "broken-tags":
        page.Contents = pdf.make_stream(b"/P <</MCID 0>> BDC " + square + b" EMC")
        page.StructParents = 0
        pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=7, ParentTree=Dictionary(Nums=[0, 3]))
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    elif kind == "tagged":
        page.Contents = pdf.make_stream(b"/P <</MCID 0>> BDC " + square + b" EMC")
        page.StructParents = 0
        link = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[100, 600, 200, 700],
                                            StructParent=1, A=Dictionary(S=Name.URI, URI="https://www.ntnu.no/")))
        page.Annots = Array([link])
        root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
        para = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page, K=0))
        link_elem = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Link, P=document, Alt="NTNU",
                                                 K=Dictionary(Type=Name.OBJR, Obj=link, Pg=page)))
        # an embedded file with a script, reachable only through its structure element once its annotation goes
        data = pdf.make_stream(b"hemmelig", Type=Name.EmbeddedFile)
        attached = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[300, 600, 320, 620], StructParent=2,
            FS=Dictionary(Type=Name.Filespec, F="x.txt", EF=Dictionary(F=data)),
            AA=Dictionary(E=Dictionary(S=Name.JavaScript, JS="app.alert(1)"))))
        page.Annots.append(attached)
        file_elem = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Annot, P=document,
                                                 K=Dictionary(Type=Name.OBJR, Obj=attached, Pg=page)))
        document.K = Array([para, link_elem, file_elem])
        root.K = document
        root.ParentTree = Dictionary(Nums=[0, Array([para]), 1, link_elem, 2, file_elem])
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.save(path)
    return path


def test_odd_attachments_keep_their_tags_or_become_figures_and_get_one_stamp_each(project, tmp_path, poppler):
    kinds = ["empty", "real-rotate", "unbalanced", "broken-tags", "tagged"]
    path = tmp_path / "packet.pdf"
    path.write_bytes(packet_of(project, {kind: odd_pdf(tmp_path / f"{kind}.pdf", kind) for kind in kinds}))
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    reader = PdfReader(path)
    total = len(reader.pages)
    starts = {t.split(": ", 1)[1]: p for d, t, p in outline_titles(reader) if d == 1}
    for n in range(1, total + 1):
        assert re.findall(r"side \d+ av \d+", page_text(path, n)) == [f"side {n} av {total}"]
    # the stamp sits in the corner whatever scale the page's content left behind
    (width, height), words = stamp_words(path, starts["unbalanced"] + 1)
    assert all(x0 > width / 2 and y0 > height - 40 for x0, y0, _, _ in words), words
    with pikepdf.open(path) as pdf:
        assert structure_problems(pdf) == []
        parts = {str(e.T): e for e in pdf.Root.StructTreeRoot.K[0].K if e.S == "/Part"}
        assert roles(parts["Vedlegg 5: tagged"]) == ["/P", "/Link", "/Annot"]  # its own tags, kept
        assert active_content(pdf) == set()
        for kind in kinds[:4]:
            assert roles(parts[f"Vedlegg {kinds.index(kind) + 1}: {kind}"]) == ["/Figure"], kind
        # the check sees a stamp that is neither tagged nor an artifact (as the packet had them before)
        pdf.pages[1].contents_add(b"BT /F1 9 Tf (side 2) Tj ET")
        assert structure_problems(pdf) == ["page 2: Tj is neither tagged content nor an artifact"]
