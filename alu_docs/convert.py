"""Stage 4: DOCX -> PDF/A-2b, tagged, with LibreOffice, all files of a build in one run.

LibreOffice's start-up dominates its cost, so every document of a build goes through ONE
`soffice` call. Each call has a private profile (two runs at once with a shared profile
fail silently), runs in its own process group (so a timeout kills soffice.bin too, not
just the oosplash wrapper), and every expected PDF is checked to exist and open.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader

from .errors import ConversionFailed, ToolMissing

INSTALL_HINT = (
    "LibreOffice is not installed. Install it with:\n"
    "  sudo apt-get install --no-install-recommends libreoffice-writer-nogui fonts-crosextra-carlito\n"
    "(or run `make system` as root)."
)

# Typed filter options: the short form {"SelectPdfVersion":2} is silently ignored by 7.4.
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps({
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "EmbedStandardFonts": {"type": "boolean", "value": "true"},
}, separators=(",", ":"))


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def timeout_for(count: int) -> float:
    """Generous: start-up plus a few seconds per document."""
    return 60.0 + 10.0 * count


def to_pdf(docx_files: list[Path], outdir: Path, timeout: float | None = None) -> list[Path]:
    """Convert every DOCX to PDF in `outdir` with one LibreOffice run; return the PDFs in order.

    Raises ToolMissing without LibreOffice, ConversionFailed when a PDF is missing or
    does not open, or when LibreOffice runs past the timeout (its process group is killed).
    """
    if not docx_files:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissing(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    timeout = timeout or timeout_for(len(docx_files))
    with tempfile.TemporaryDirectory(prefix="alu-lo-profile-") as profile:
        command = [
            soffice, f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless", "--norestore", "--nolockcheck", "--nodefault",
            "--convert-to", PDF_FILTER, "--outdir", str(outdir), *map(str, docx_files),
        ]
        env = {**os.environ, "HOME": profile}
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionFailed(
                f"LibreOffice did not finish converting {len(docx_files)} documents in "
                f"{timeout:.0f} s and was stopped"
            ) from None
        finally:
            _kill_leftovers(process.pid)
    pdfs = [outdir / (f.stem + ".pdf") for f in docx_files]
    for docx, pdf in zip(docx_files, pdfs, strict=True):
        problem = pdf_problem(pdf)
        if problem:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
            raise ConversionFailed(
                f"LibreOffice did not convert {docx.name}: {problem}"
                + (f" ({detail[0]})" if detail else "")
            )
    return pdfs


def _kill_leftovers(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def pdf_problem(pdf: Path) -> str | None:
    """Why a PDF is not usable, or None when it exists and opens with at least one page."""
    if not pdf.exists():
        return "no PDF was written"
    try:
        pages = len(PdfReader(pdf).pages)
    except Exception as exc:  # pypdf raises many types for a damaged file
        return f"the PDF does not open ({exc.__class__.__name__})"
    return None if pages > 0 else "the PDF has no pages"


def to_pdf_parallel(docx_files: list[Path], outdir: Path, *, workers: int | None = None,
                    min_per_worker: int = 8, progress: Callable[[int, int], None] | None = None,
                    ) -> tuple[list[Path], int]:
    """Convert like `to_pdf`, split over up to `workers` LibreOffice runs at once (one per
    core, each with its own profile); returns the PDFs in order and the number of runs.

    Files with the same name in different folders (the public and internal editions)
    never share an output folder. Small batches stay in one run: start-up dominates.
    `progress(done, total)` is called as PDFs appear.
    """
    if not docx_files:
        return [], 0
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    workers = max(1, min(workers, len(docx_files) // min_per_worker or 1))
    # per worker, runs whose files have distinct names (a PDF is named after its DOCX)
    shares: list[list[list[Path]]] = [[] for _ in range(workers)]
    for i, docx in enumerate(docx_files):
        runs = shares[i % workers]
        run = next((r for r in runs if all(f.stem != docx.stem for f in r)), None)
        if run is None:
            run = []
            runs.append(run)
        run.append(docx)
    groups = [(w, files, outdir / f"w{w}-{n}") for w, runs in enumerate(shares) for n, files in enumerate(runs)]
    where = {docx: out / (docx.stem + ".pdf") for _, files, out in groups for docx in files}

    def work(w: int) -> None:
        for owner, files, out in groups:
            if owner == w:
                to_pdf(files, out)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work, w) for w in range(workers)]
        while progress and not all(f.done() for f in futures):
            progress(sum(1 for p in where.values() if p.exists()), len(docx_files))
            time.sleep(0.25)
        for future in futures:
            future.result()  # re-raises ConversionFailed / ToolMissing
    if progress:
        progress(len(docx_files), len(docx_files))
    return [where[docx] for docx in docx_files], len(groups)
