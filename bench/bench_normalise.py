"""Time and peak memory of attachment normalisation (issue 12/13): the sample meeting's
attachment, a 20-page text PDF, a 5-page scan, and (with --big) a ~200 MB attachment.

    .venv/bin/python bench/bench_normalise.py [--big]

Each case runs in a fresh child process with an empty cache; peak RSS is the largest of
that process and each of its children (Ghostscript, Tesseract), from getrusage."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time
from pathlib import Path
from alu_docs.normalise import normalise
start = time.monotonic()
n = normalise(Path(sys.argv[1]), Path(sys.argv[2]), label=Path(sys.argv[1]).name)
print(json.dumps({"seconds": time.monotonic() - start, "pages": n.pages, "ocr": n.ocr_pages,
                  "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def big_pdf(path: Path, megabytes: int = 200, pages: int = 40) -> Path:
    """A text PDF with an incompressible (random) picture on each page, about `megabytes`."""
    import io
    import os

    import pikepdf

    from tests.hostile import text_pdf

    pdf = pikepdf.open(io.BytesIO(text_pdf(pages=pages)))
    width = 1024
    height = megabytes * 2**20 // pages // (width * 3)
    for number, page in enumerate(pdf.pages):
        image = pdf.make_stream(os.urandom(width * height * 3), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                Width=width, Height=height, BitsPerComponent=8, ColorSpace=pikepdf.Name.DeviceRGB)
        name = page.add_resource(image, pikepdf.Name.XObject, pikepdf.Name(f"/Big{number}"))
        page.contents_add(pdf.make_stream(f"q 150 0 0 250 400 50 cm {name} Do Q".encode()), prepend=False)
    pdf.save(path, compress_streams=False)
    return path


NAMES = {
    "sample.pdf": "sample attachment (2 pages, LibreOffice)",
    "tekst20.pdf": "20-page text PDF (reportlab, fonts not embedded)",
    "skann5.pdf": "5-page scan (300 dpi, OCR)",
    "stor.pdf": "~200 MB attachment (40 pages, an incompressible picture on each)",
}


def make_inputs(folder: Path, big: bool) -> None:
    """Run in a child, so the parent stays small: a child's peak RSS counts its parent's
    memory at fork time."""
    import shutil

    from tests import hostile

    shutil.copy(ROOT / "meetings/2025-08-27/vedlegg/omstilling-statusnotat.pdf", folder / "sample.pdf")
    (folder / "tekst20.pdf").write_bytes(hostile.text_pdf(pages=20))
    hostile.scanned(folder / "skann5.pdf", pages=5)
    if big:
        big_pdf(folder / "stor.pdf")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--make"]:
        make_inputs(Path(sys.argv[2]), sys.argv[3] == "big")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run([sys.executable, __file__, "--make", tmp, "big" if "--big" in sys.argv else "small"],
                       check=True, cwd=ROOT)
        for number, (file, name) in enumerate(NAMES.items()):
            source = folder / file
            if not source.exists():
                continue
            out = subprocess.run([sys.executable, "-c", CHILD, str(source), str(folder / f"cache-{number}")],
                                 capture_output=True, text=True, cwd=ROOT)
            if out.returncode:
                print(f"{name}: failed\n{out.stderr[-2000:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            size = source.stat().st_size / 2**20
            print(f"{name}: {size:.1f} MB, {r['pages']} pages ({r['ocr']} OCR) in {r['seconds']:.1f} s; "
                  f"peak RSS {r['self_mb']:.0f} MB (python), {r['child_mb']:.0f} MB (largest tool)")
        start = time.monotonic()
        from alu_docs.normalise import normalise

        normalise(folder / "tekst20.pdf", folder / "cache-1", label="tekst20.pdf")
        print(f"cached again: 20-page text PDF {(time.monotonic() - start) * 1000:.0f} ms (sha256 + JSON)")


if __name__ == "__main__":
    main()
