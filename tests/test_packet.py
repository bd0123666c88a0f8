"""The meeting packet ("sakspapirer"): built from the real LibreOffice output, with
attachments made by other producers, read back with pypdf, qpdf and poppler."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject
from reportlab.pdfgen import canvas

from alu_docs import attachments, packet
from alu_docs.errors import AttachmentError
from tests.conftest import need, pdftotext, run_cli, snapshot

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
    pdf = canvas.Canvas(str(path))
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
  - title: Personalsak med hemmelig vedlegg
    type: decision
    presenter: Bjørn Haugstad
    duration: 10
    summary: |
      Dette skal ikke stå i den offentlige utgaven.
    confidential: offl. § 25
    attachments:
      - file: vedlegg/hemmelig.pdf
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
    reportlab_pdf(folder / "vedlegg" / "hemmelig.pdf", 3)
    path = folder / "meeting.yaml"
    path.write_text(MEETING.format(attachments="\n".join(lines)), encoding="utf-8")
    return path


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
    # the form field survives; the rotated page carries a readable stamp
    assert "/AcroForm" in reader.trailer["/Root"]
    rotated = dict(attachments)["Vedlegg 6: Liggende side"] + 1
    assert f"Sakspapirer side {rotated} av {last}" in page_text(pdf, rotated)


def test_public_packet_leaves_out_a_confidential_case_and_its_attachments(project, producers):
    write_meeting(project, {"Ghostscript pdfwrite": producers["Ghostscript pdfwrite"]})
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
        writer = PdfWriter(clone_from=reportlab_pdf(tmp_path / f"r{rotation}.pdf", 1))
        writer.pages[0].mediabox.lower_left = (30, 40)
        writer.pages[0][NameObject("/Rotate")] = NumberObject(rotation)
        packet._stamp(writer, "Stempel", "av")
        path = tmp_path / f"stamped{rotation}.pdf"
        writer.write(path)
        width, height = (565, 802) if rotation in (0, 180) else (802, 565)
        corner = subprocess.run(
            ["pdftotext", "-r", "72", "-x", str(width - 160), "-y", str(height - 30), "-W", "160", "-H", "30",
             str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Stempel 1 av 1" in corner, (rotation, corner)
