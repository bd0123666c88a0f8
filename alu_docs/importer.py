"""`alu-docs import`: bring a document from before alu-docs (history) into the archive.

The PDF is copied under the standard name (archive/YYYY/DATE/ALU-DATE-innkalling.pdf or
-referat.pdf), recorded in the manifest as imported (a build never deletes it) and the
index is rebuilt so it links the file. Everything is checked before anything is written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from .archive import Manifest, locked, write_file
from .attachments import looks_like_pdf
from .build import Paths, find_meeting
from .context import Context
from .errors import AluError, ArchiveError
from .index import build_index
from .load import display_path
from .model import load_all
from .names import document_stem, meeting_dir
from .render import plan_meeting
from .yamledit import set_minutes

Echo = Callable[[str], None]
KINDS = {"notice": ("innkalling", "notice"), "minutes": ("referat", "minutes")}


def read_pdf(path: Path) -> bytes:
    """The bytes of a PDF that opens and has pages, or an AluError naming the file."""
    label = display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AluError(f"{label}: file not found") from None
    except IsADirectoryError:
        raise AluError(f"{label}: expected a PDF file; this is a folder") from None
    except OSError as exc:
        raise AluError(f"{label}: cannot read: {exc.strerror}") from None
    if not looks_like_pdf(data):
        raise AluError(f"{label}: not a PDF (it does not start with %PDF-)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise AluError(f"{label}: the PDF is encrypted; import an unprotected copy")
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except AluError:
        raise
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise AluError(f"{label}: the PDF is damaged and does not open ({exc.__class__.__name__})") from None
    if pages == 0:
        raise AluError(f"{label}: the PDF has no pages")
    return data


def import_documents(paths: Paths, date: dt.date, *, notice: Path | None = None, minutes: Path | None = None,
                     note: str | None = None, echo: Echo = print) -> list[str]:
    """Copy legacy PDFs into the archive under their standard names and re-index.

    Raises AluError (nothing written) when a file is not a readable PDF, when the document
    is one alu-docs builds itself, or when a document of that name is already archived.
    """
    given = {kind: path for kind, path in (("notice", notice), ("minutes", minutes)) if path is not None}
    if not given and not note:
        raise AluError("nothing to import: give --notice FILE.pdf and/or --minutes FILE.pdf (and --note …)")
    committee, meetings = load_all(paths.meetings)
    meeting = find_meeting(meetings, date, paths)
    built = {p.name for p in plan_meeting(Context.build(committee, meetings), meeting, "public")}
    manifest = Manifest.load(paths.archive)
    stem = document_stem(committee.short, date)
    planned: list[tuple[str, str, bytes, Path]] = []
    for kind, source in given.items():
        suffix, word = KINDS[kind]
        name = f"{stem}-{suffix}"
        if name in built:
            raise AluError(f"the {word} of {date.isoformat()} is made by alu-docs (alu-docs build "
                           f"{date.isoformat()}); import is for documents from before alu-docs")
        data = read_pdf(source)
        relative = f"{meeting_dir(date)}/{name}.pdf"
        if relative in manifest.files or (paths.archive / relative).exists():
            raise ArchiveError(f"{paths.archive.name}/{relative} already exists; the archive was not changed")
        planned.append((kind, relative, data, source))

    written = []
    with locked(paths.archive):
        manifest = Manifest.load(paths.archive)
        for _, relative, _, _ in planned:
            if (paths.archive / relative).exists():
                raise ArchiveError(f"{paths.archive.name}/{relative} already exists; the archive was not changed")
        for kind, relative, data, source in planned:
            write_file(paths.archive, relative, data)
            manifest.record(relative, data, date.isoformat(), imported=True, role=kind, source=source.name)
            manifest.note("imported", file=relative, source=source.name)
            written.append(relative)
            echo(f"import   {paths.archive.name}/{relative} (from {source.name})")
        manifest.save()
    if note:
        set_minutes(meeting.yaml_path, "note", note)
        echo(f"note     {display_path(meeting.yaml_path)}: minutes.note = {note!r}")
    build_index(paths, echo=echo)
    return written
