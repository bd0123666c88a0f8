"""`alu-docs import`: bring a document from before alu-docs (history) into the archive.

The PDF is copied under the standard name of a notice or minutes (names.py), recorded
in the manifest as imported (a build never deletes it), and the index is rebuilt so it
links the file, all in one transaction. Everything is checked before anything is written.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pypdf import PdfReader

from .archive import Manifest, transaction
from .attachments import looks_like_pdf
from .context import Context
from .errors import AluError, ArchiveError
from .index import convert_index, report_index, write_index
from .load import display_path
from .model import find_meeting, load_all
from .names import MINUTES, NOTICE
from .paths import Echo, Paths
from .render import plan_meeting
from .yamledit import with_minutes

WORDS = {NOTICE: "notice", MINUTES: "minutes"}


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
    given = {kind: path for kind, path in ((NOTICE, notice), (MINUTES, minutes)) if path is not None}
    if not given and not note:
        raise AluError("nothing to import: give --notice FILE.pdf and/or --minutes FILE.pdf (and --note …)")
    committee, meetings = load_all(paths.meetings)
    meeting = find_meeting(meetings, date, paths.meetings)
    ctx = Context.build(committee, meetings)
    built = {p.key for p in plan_meeting(ctx, meeting, "public")}
    manifest = Manifest.load(paths.archive)
    planned: list[tuple[str, str, bytes, Path]] = []
    for kind, source in given.items():
        key = ctx.key(meeting, kind)
        if key in built:
            raise AluError(f"the {WORDS[kind]} of {date.isoformat()} is made by alu-docs (alu-docs build "
                           f"{date.isoformat()}); import is for documents from before alu-docs")
        data = read_pdf(source)
        relative = ctx.relative(key)
        if relative in manifest.files or (paths.archive / relative).exists():
            raise ArchiveError(f"{paths.archive.name}/{relative} already exists; the archive was not changed")
        planned.append((kind, relative, data, source))

    files = {**manifest.files, **{relative: {"meeting": date.isoformat()} for _, relative, _, _ in planned}}
    plan, pdf = convert_index(paths, ctx, files, manifest.meetings)  # the index as it will be, before the lock
    with transaction(paths) as tx:
        for _, relative, _, _ in planned:
            if tx.exists(relative):
                raise ArchiveError(f"{paths.archive.name}/{relative} already exists; the archive was not changed")
        for kind, relative, data, source in planned:
            tx.write(relative, data, meeting=date.isoformat(), imported=True, role=WORDS[kind], source=source.name)
            tx.manifest.note("imported", file=relative, source=source.name)
        if note:
            tx.edit(meeting.yaml_relative, lambda text: with_minutes(text, "note", note))
        missing = write_index(tx, plan, pdf)
    for _, relative, _, source in planned:
        echo(f"import   {paths.archive.name}/{relative} (from {source.name})")
    if note:
        echo(f"note     {display_path(meeting.yaml_path)}: minutes.note = {note!r}")
    report_index(plan, missing, paths.archive.name, echo)
    return [relative for _, relative, _, _ in planned]
