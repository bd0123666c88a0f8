"""Stage 4: DOCX -> PDF/A-2b, tagged, with LibreOffice, all files of a build in one run.

LibreOffice's start-up dominates its cost, so every document of a build goes through ONE
`soffice` call. Each call has a private profile (two runs at once with a shared profile
fail silently), runs in its own process group (so a timeout kills soffice.bin too, not
just the oosplash wrapper), and every expected PDF is checked to exist and open.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader

from .errors import ConversionFailed, ToolMissing
from .tagging import tag_pdf

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


PROFILE_SLOTS = 4


@contextlib.contextmanager
def private_profile() -> Iterator[Path]:
    """A LibreOffice profile that no other run uses at the same time.

    LibreOffice's first start in a new profile costs about 0.4 s, so profiles are kept in
    ~/.cache/alu-docs/ and reused, each held by an exclusive lock while a run uses it
    (two runs sharing a profile fail silently). When every slot is busy, a temporary one.
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "alu-docs"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        slots = range(PROFILE_SLOTS)
    except OSError:  # no writable home: temporary profiles only
        slots = range(0)
    for slot in slots:
        lock = (cache / f"lo-profile-{slot}.lock").open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        try:
            yield cache / f"lo-profile-{slot}"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
        return
    with tempfile.TemporaryDirectory(prefix="alu-lo-profile-") as temporary:
        yield Path(temporary)


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
    with private_profile() as profile:
        command = [
            soffice, f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--norestore", "--nolockcheck", "--nodefault",
            "--convert-to", PDF_FILTER, "--outdir", str(outdir), *map(str, docx_files),
        ]
        env = {**os.environ, "HOME": str(profile)}
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            shutil.rmtree(profile, ignore_errors=True)  # a killed run may leave it half-written
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
        pdf.write_bytes(tag_pdf(pdf.read_bytes()))  # header cells, /Tabs: what LibreOffice leaves out
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


class PdfBatches:
    """Convert DOCX files with LibreOffice in batches that start while later files are still
    being rendered, at most one run per core at a time, each run with its own profile.

    A small build (one meeting) stays ONE run: LibreOffice's start-up dominates, and two
    runs at once were measured slower than one. A large build (`build --all`) is cut into
    two batches per core, so rendering overlaps conversion. Names must be unique: a PDF
    is named after its DOCX.
    """

    SMALL = 16  # up to this many files: one run

    def __init__(self, outdir: Path, expected: int, *, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.outdir = outdir
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        runs = 1 if expected <= self.SMALL else 2 * self.workers
        self.size = max(1, -(-expected // runs))
        self.progress = progress
        self.files: list[Path] = []
        self.pending: list[Path] = []
        self.where: dict[Path, Path] = {}
        self.runs = 0
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self.futures: list[Future[list[Path]]] = []
        self.batches: list[list[Path]] = []

    def __enter__(self) -> PdfBatches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, docx: Path) -> None:
        """Queue one file; a full batch starts converting at once."""
        self.files.append(docx)
        self.pending.append(docx)
        if len(self.pending) >= self.size:
            self._start()

    def _start(self) -> None:
        if not self.pending:
            return
        out = self.outdir / f"run{self.runs}"
        self.runs += 1
        for docx in self.pending:
            self.where[docx] = out / (docx.stem + ".pdf")
        self.futures.append(self.pool.submit(to_pdf, list(self.pending), out))
        self.batches.append(self.pending)
        self.pending = []

    def completed(self) -> Iterator[dict[Path, Path]]:
        """Convert what is left; yield each run's {docx: pdf} as soon as that run is done
        (in the order the runs started), so later steps can begin while others convert.
        Re-raises ConversionFailed / ToolMissing from a run."""
        self._start()
        done = 0
        for future, files in zip(self.futures, self.batches, strict=True):
            while self.progress and not future.done():
                self.progress(done + sum(1 for f in files if self.where[f].exists()), len(self.files))
                time.sleep(0.25)
            future.result()
            done += len(files)
            if self.progress:
                self.progress(done, len(self.files))
            yield {docx: self.where[docx] for docx in files}
