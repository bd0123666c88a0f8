"""Synthetic projects for the benchmarks: a copy of this repository's meetings/ and
templates/ plus many generated meetings, made in a temporary folder (nothing downloaded).

    extra_meetings(root, count, attachments=True, big=3)

adds `count` meetings from 2027 on (three weeks apart, Wednesdays), each with three cases;
with `attachments`, every meeting's first case carries a small PDF and `big` of them a
large one (~40 MB, incompressible), as an archive with a few large attachments elsewhere.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESENTERS = ["Hege Brende", "Ingrid Volden", "Annikken Løe", "Håkon Alstad", "Bjørn Haugstad"]
TYPES = ["decision", "discussion", "information"]
FIRST = dt.date(2027, 1, 6)  # a Wednesday, after every meeting of the repository


def copy_project(root: Path) -> Path:
    """meetings/ and templates/ of this repository in `root` (an empty archive)."""
    shutil.copytree(ROOT / "meetings", root / "meetings")
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "archive").mkdir()
    return root


def small_pdf(text: str, pages: int = 2) -> bytes:
    """A valid PDF of a few pages of Helvetica text, written by hand (no library needed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n in range(pages):
        stream = f"BT /F1 12 Tf 72 780 Td ({text} side {n + 1}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    return _pdf_file(objects)


def big_pdf(megabytes: int) -> bytes:
    """A one-page PDF carrying an incompressible image of about `megabytes` (a scan-sized file)."""
    side = int((megabytes * 2**20 / 3) ** 0.5)
    pixels = os.urandom(side * side * 3)
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
             b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(pixels)) + pixels + b"\nendstream")
    draw = b"q 500 0 0 500 47 171 cm /Im1 Do Q"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", image,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
               b"/Resources << /XObject << /Im1 3 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream"]
    return _pdf_file(objects)


def _pdf_file(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def meeting_yaml(day: dt.date, n: int, attachment: str | None = None) -> str:
    cases = []
    for i in range(3):
        attached = (f"    attachments:\n      - file: {attachment}\n        title: Notat til sak {n}.1\n"
                    if attachment and i == 0 else "")
        cases.append(f"""  - title: Benchmarksak {n}.{i + 1} – administrativ utvikling og samordning
    type: {TYPES[i]}
    presenter: {PRESENTERS[(n + i) % len(PRESENTERS)]}
    duration: 30
    summary: |
      Saken gjelder samordning av administrative tjenester på tvers av fakulteter og
      fellesadministrasjonen, med vekt på økonomi, HR og studieadministrasjon (nr. {n}).

      ALU bes drøfte forslaget og gi råd om videre arbeid.
    proposal: |
      ALU gir råd om at arbeidet videreføres som foreslått.
{attached}    notes: |
      Medlemmene drøftet saken og pekte på behovet for god forankring.
    conclusion: |
      ALU støtter forslaget.
""")
    return (f"date: {day.isoformat()}\nkind: ordinary\ncases:\n" + "".join(cases)
            + "attendance:\n  absent: [Arve Sletten]\nminutes:\n  status: draft\n")


def extra_meetings(root: Path, count: int, *, attachments: bool = False, big: int = 0,
                   big_megabytes: int = 40) -> list[dt.date]:
    """Add `count` generated meetings to the project in `root`; return their dates."""
    dates = []
    small = small_pdf("Notat om samordning")
    large = big_pdf(big_megabytes) if big else b""
    for n in range(count):
        day = FIRST + dt.timedelta(weeks=3 * n)
        folder = root / "meetings" / day.isoformat()
        folder.mkdir()
        attachment = None
        if attachments:
            attachment = "vedlegg/notat.pdf"
            (folder / "vedlegg").mkdir()
            (folder / attachment).write_bytes(large if n < big else small)
        (folder / "meeting.yaml").write_text(meeting_yaml(day, n + 1, attachment), encoding="utf-8")
        dates.append(day)
    return dates
