"""Attachments: is a file a PDF we can put in the packet, and open it for merging.

`check_attachment` is what `alu-docs check` says about a path written in meeting.yaml
(inside the meeting folder, a PDF, not locked, not damaged); `open_attachment` opens one
for the packet. Both turn a bad file into one message naming it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError

from .errors import AttachmentError
from .load import display_path

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
MAX_ATTACHMENT_PAGES = 2000


def looks_like_pdf(head: bytes) -> bool:
    """A PDF starts with %PDF- within its first kilobyte (some writers put bytes before it)."""
    return b"%PDF-" in head[:1024]


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs warnings ("EOF marker not found") for files it then rejects or repairs:
    the user gets one clear error from us instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def open_attachment(path: Path, label: str | None = None, *, deep: bool = False) -> PdfReader:
    """Open an attachment PDF for merging, or raise AttachmentError naming the file.

    An encrypted PDF is opened with the empty user password when it has one (as PDF
    viewers do); one that needs a real password is refused. `deep` also decodes every
    page's content, which finds damage that opening alone does not.
    """
    label = label or display_path(path)
    with quiet_pypdf():
        try:
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")
                except DependencyError:
                    raise AttachmentError(
                        f"{label}: the PDF is encrypted with AES and the 'cryptography' package is missing; "
                        "reinstall alu-docs (pip install -e .)") from None
                if not opened:
                    raise AttachmentError(
                        f"{label}: the PDF is protected by a password; save or export it again without "
                        "a password (in Acrobat: File > Properties > Security > No Security) and try again")
            count = len(reader.pages)
            if count > MAX_ATTACHMENT_PAGES:
                raise AttachmentError(f"{label}: {count} pages; an attachment may have at most "
                                      f"{MAX_ATTACHMENT_PAGES} pages (attach a summary or a link instead)")
            for page in reader.pages:
                _ = page.mediabox, page.rotation
                if deep:
                    contents = page.get_contents()
                    if contents is not None:
                        contents.get_data()
        except AttachmentError:
            raise
        except Exception as exc:  # pypdf raises many kinds of errors for a damaged file
            raise AttachmentError(
                f"{label}: the PDF is damaged and cannot be read ({exc.__class__.__name__}: {exc}); "
                "open it and save or export it as PDF again") from None
    if count == 0:
        raise AttachmentError(f"{label}: the PDF has no pages")
    return reader


def attachment_problem(path: Path, written: str) -> str | None:
    """Why an attachment cannot go into the packet, or None (used by `alu-docs check`)."""
    try:
        open_attachment(path, repr(written))
    except AttachmentError as exc:
        return exc.format_message()
    return None


def check_attachment(folder: Path, written: str) -> str | None:
    """Why an attachment path is refused, or None when it is a readable PDF inside `folder`."""
    rel = Path(written)
    if rel.is_absolute() or written.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", written):
        return f"expected a path relative to the meeting folder; got absolute path {written!r}"
    if ".." in rel.parts or ".." in written.replace("\\", "/").split("/"):
        return f"expected a path inside the meeting folder; got {written!r} (no '..')"
    full = folder / rel
    if not full.resolve().is_relative_to(folder.resolve()):
        return f"expected a file inside the meeting folder; {written!r} is a link to outside it"
    if not full.exists():
        return f"file not found: {display_path(full)}"
    if not full.is_file():
        return f"expected a PDF file; {written!r} is a folder"
    size = full.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        return f"{written!r} is {size // 2**20} MB; attachments may be at most {MAX_ATTACHMENT_BYTES // 2**20} MB"
    with full.open("rb") as fh:
        head = fh.read(1024)
    if not looks_like_pdf(head):
        return f"expected a PDF; {written!r} is not one (it does not start with %PDF-)"
    return attachment_problem(full, written)  # encrypted, damaged, too many pages
