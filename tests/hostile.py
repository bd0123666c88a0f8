"""A small corpus of hostile attachment PDFs, made with reportlab and pikepdf in the tests
(nothing third-party is committed). Each function writes one file and returns its path."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

SIGNER = "Signe Signatar"
COMMENTER = "Kari Kommentator"
SCAN_TEXT = "Løsningen for økonomi og HR"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def text_pdf(pages: int = 2, words: str = "Statusnotat om omstilling", form: bool = False) -> bytes:
    """A plain reportlab PDF (Helvetica, not embedded), optionally with a filled text field."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont("Helvetica", 12)
        c.drawString(72, 780, f"{words} side {n}")
        for line in range(30):
            c.drawString(72, 740 - 20 * line, f"Linje {line + 1}: økonomi, personal og HR i sektoren.")
        if form and n == 1:
            c.acroForm.textfield(name="navn", tooltip="Navn", x=72, y=60, width=200, height=20,
                                 value="Ola Nordmann")
        c.showPage()
    c.save()
    return out.getvalue()


def _js(code: str) -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(code))


def active_content(path: Path) -> Path:
    """JavaScript in /OpenAction, the /Names tree, page /AA and a field's /AA; a /Launch link;
    a SubmitForm button; an ImportData bookmark."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(form=True)))
    page = pdf.pages[0]
    pdf.Root.OpenAction = _js("app.alert('open')")
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("start"),
                                                                     pdf.make_indirect(_js("app.beep(0)"))])))
    page.obj.AA = Dictionary(O=_js("app.alert('page open')"), C=_js("app.alert('page close')"))
    field = pdf.Root.AcroForm.Fields[0]
    field.AA = Dictionary(K=_js("event.rc = true"), F=_js("AFNumber_Format(2)"))
    launch = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 100, 200, 120],
                                          A=Dictionary(S=Name.Launch, F=String("calc.exe"))))
    ap = pdf.make_stream(b"0 0 1 rg 0 0 80 20 re f", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 80, 20])
    button = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, Ff=65536, T=String("send"), Rect=[300, 60, 380, 80],
        F=4, AP=Dictionary(N=ap), P=page.obj,
        A=Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://example.invalid/collect")))))
    page.obj.Annots.append(launch)
    page.obj.Annots.append(button)
    pdf.Root.AcroForm.Fields.append(button)
    outline = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=1))
    item = pdf.make_indirect(Dictionary(Title=String("Importer"), Parent=outline,
                                        A=Dictionary(S=Name.ImportData, F=String("data.fdf"))))
    outline.First = outline.Last = item
    pdf.Root.Outlines = outline
    pdf.save(path)
    return path


def attached_files(path: Path) -> Path:
    """An embedded file in /EmbeddedFiles and another in a FileAttachment annotation."""
    pdf = pikepdf.open(io.BytesIO(text_pdf()))
    spec = pikepdf.AttachedFileSpec(pdf, b"hemmelig vedlegg", filename="hemmelig.txt")
    pdf.attachments["hemmelig.txt"] = spec
    inner = pikepdf.AttachedFileSpec(pdf, b"enda mer hemmelig", filename="binders.txt")
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[500, 700, 520, 720], FS=inner.obj,
        T=String(COMMENTER), Contents=String("Se vedlegget"), F=4))])
    pdf.save(path)
    return path


def signed_and_commented(path: Path) -> Path:
    """A signature field with the signer's name, and comments with their authors (one
    with an appearance, one without, one with a popup)."""
    pdf = pikepdf.open(io.BytesIO(text_pdf()))
    page = pdf.pages[0]
    ap = pdf.make_stream(b"BT /Helv 9 Tf 2 6 Td (" + SIGNER.encode() + b") Tj ET", Type=Name.XObject,
                         Subtype=Name.Form, BBox=[0, 0, 150, 30],
                         Resources=Dictionary(Font=Dictionary(Helv=Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                                                               BaseFont=Name.Helvetica))))
    value = Dictionary(Type=Name.Sig, Filter=Name("/Adobe.PPKLite"), SubFilter=Name("/adbe.pkcs7.detached"),
                       Name=String(SIGNER), Reason=String("Godkjent"), ByteRange=[0, 10, 20, 10],
                       Contents=pikepdf.String(b"\x00" * 64))
    signature = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Sig, T=String("Signatur1"),
                                             Rect=[300, 40, 450, 70], F=4, P=page.obj, V=pdf.make_indirect(value),
                                             AP=Dictionary(N=ap)))
    pdf.Root.AcroForm = Dictionary(Fields=Array([signature]), SigFlags=3)
    note_ap = pdf.make_stream(b"1 1 0 rg 0 0 20 20 re f", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 20, 20])
    popup = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Popup, Rect=[400, 600, 550, 680]))
    note = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=[72, 600, 92, 620], F=4,
                                        T=String(COMMENTER), Contents=String("Dette må strykes"),
                                        AP=Dictionary(N=note_ap), Popup=popup))
    popup.Parent = note
    bare = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=[120, 600, 140, 620],
                                        T=String(COMMENTER + " 2"), Contents=String("Uten utseende")))
    page.obj.Annots = Array([signature, note, popup, bare])
    pdf.save(path)
    return path


def nul_in_name(path: Path) -> Path:
    """An indexed-colour image whose colour space is written `/DeviceRGB<NUL>255`, as an
    AutoCAD PDF had it; NUL is a delimiter in PDF, so the name is /DeviceRGB."""
    pdf = pikepdf.new()
    lookup = bytes([255, 0, 0, 0, 0, 255]) + bytes(3 * 254)
    pixels = bytes((x // 8 + y // 8) % 2 for y in range(64) for x in range(64))
    image = pdf.make_stream(pixels, Type=Name.XObject, Subtype=Name.Image, Width=64, Height=64, BitsPerComponent=8,
                            ColorSpace=Array([Name.Indexed, Name.DeviceRGB, 255, String(lookup)]))
    content = pdf.make_stream(b"q 300 0 0 300 100 400 cm /Im1 Do Q BT /F1 14 Tf 72 780 Td (Tegning) Tj ET")
    pdf.add_blank_page(page_size=(595, 842))
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    pdf.pages[0].obj.Resources = Dictionary(XObject=Dictionary(Im1=image), Font=Dictionary(F1=font))
    pdf.pages[0].obj.Contents = content
    pdf.save(path, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = path.read_bytes()
    assert data.count(b"/DeviceRGB 255") == 1
    path.write_bytes(data.replace(b"/DeviceRGB 255", b"/DeviceRGB\x00255"))  # same length: offsets hold
    return path


def shared_contents(path: Path) -> Path:
    """Three pages drawn by one shared content stream."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(pages=3)))
    shared = pdf.pages[0].obj.Contents
    for page in pdf.pages[1:]:
        page.obj.Contents = shared
    pdf.save(path)
    return path


def broken_xref(path: Path) -> Path:
    """A readable file whose cross-reference table points at the wrong offsets."""
    pdf = pikepdf.open(io.BytesIO(text_pdf()))
    pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = path.read_bytes()
    start = data.rindex(b"\nxref\n")
    end = data.index(b"trailer", start)
    table = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + 7), data[start:end])
    path.write_bytes(data[:start] + table + data[end:])
    return path


def brotli_stream(path: Path) -> Path:
    """A page whose content stream is /BrotliDecode-compressed (an ISO 32000 extension)."""
    import brotli

    pdf = pikepdf.open(io.BytesIO(text_pdf(pages=1, words="Brotli-komprimert innhold")))
    page = pdf.pages[0]
    data = page.obj.Contents.read_bytes()
    page.obj.Contents = pdf.make_stream(b"")
    page.obj.Contents.write(brotli.compress(data), filter=Name("/BrotliDecode"))
    pdf.save(path)
    return path


def scanned(path: Path, pages: int = 1, text: str = SCAN_TEXT) -> Path:
    """Pages that are only a 300 dpi grey picture of Norwegian text (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(DEJAVU), 42)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in range(pages):
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for line in range(6):
            draw.text((240, 300 + 90 * line), f"{text} {n + 1}.{line + 1}", font=font, fill=0)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffer.seek(0)
        from reportlab.lib.utils import ImageReader

        c.drawImage(ImageReader(buffer), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    path.write_bytes(out.getvalue())
    return path


def jbig2_scan(path: Path, text: str = SCAN_TEXT) -> Path:
    """A 300 dpi bilevel scan stored as JBIG2 (/JBIG2Decode), as office scanners write them:
    a page information segment and one immediate generic region, MMR-coded (the CCITT G4
    code JBIG2 allows; Pillow's libtiff makes it)."""
    import struct

    from PIL import Image, ImageDraw, ImageFont

    width, height = 2480, 3508
    image = Image.new("1", (width, height), 0)  # JBIG2: 1 is black
    draw = ImageDraw.Draw(image)
    for line in range(6):
        draw.text((240, 300 + 90 * line), f"{text} 1.{line + 1}", font=ImageFont.truetype(str(DEJAVU), 42), fill=1)
    tiff = io.BytesIO()
    image.save(tiff, format="TIFF", compression="group4", strip_size=1 << 30)
    tags = Image.open(io.BytesIO(tiff.getvalue())).tag_v2
    offset, length = tags[273][0], tags[279][0]  # the one strip
    g4 = tiff.getvalue()[offset:offset + length]

    def segment(number: int, kind: int, data: bytes) -> bytes:  # number, type, no referrals, page 1, length
        return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data

    page_information = struct.pack(">IIIIBH", width, height, 0, 0, 0, 0)
    generic_region = struct.pack(">IIIIB", width, height, 0, 0, 0) + bytes([1]) + g4  # flags: MMR
    pdf = pikepdf.new()
    stream = pdf.make_stream(segment(0, 48, page_information) + segment(1, 38, generic_region))
    stream.Type, stream.Subtype, stream.Filter = Name.XObject, Name.Image, Name.JBIG2Decode
    stream.Width, stream.Height, stream.ColorSpace, stream.BitsPerComponent = width, height, Name.DeviceGray, 1
    page = pdf.add_blank_page(page_size=A4)
    page.obj.Resources = Dictionary(XObject=Dictionary(Im0=stream))
    page.obj.Contents = pdf.make_stream(f"q {A4[0]:.2f} 0 0 {A4[1]:.2f} 0 0 cm /Im0 Do Q".encode())
    pdf.save(path)
    return path


def pages_loop(path: Path) -> Path:
    """A page tree whose second branch points back at itself: qpdf refuses the file,
    Ghostscript reads its one real page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R 3 0 R] /Count 2 /MediaBox [0 0 595 842] >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 << /Type /Font "
        b"/Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length 44 >>\nstream\nBT /F1 20 Tf 72 760 Td (Sidetreet gikk i ring) Tj ET\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def with_password(path: Path) -> Path:
    pdf = pikepdf.open(io.BytesIO(text_pdf()))
    pdf.save(path, encryption=pikepdf.Encryption(user="hemmelig", owner="eier"))
    return path


def owner_password_only(path: Path) -> Path:
    pdf = pikepdf.open(io.BytesIO(text_pdf()))
    pdf.save(path, encryption=pikepdf.Encryption(user="", owner="eier"))
    return path


def garbage(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path
