"""`alu-docs watch DATE`: a live preview of one meeting's documents while its YAML is written.

On every save of the meeting's files it renders and converts the meeting's draft documents
(notice, case papers, minutes; the internal edition too when a case is confidential) into
the preview folder `.alu-work/preview/DATE/` (the internal edition, which may hold
confidential text, in `internal/preview/DATE/`: internal/ is its only home), and prints one
line with the time it took. It never writes archive/: nothing is approved, issued, signed
or recorded in the manifest, and no case number is written back to meeting.yaml
(`alu-docs build` does all that). Minutes already approved in the archive are not
previewed. Only the public edition's DOCX and PDFs go through the caches in .alu-work/.

What it watches: the meeting's folder (meeting.yaml and the attachments), committee.yaml,
the templates, and the other meetings' meeting.yaml (they decide case numbers and open
actions). How: polling, every POLL seconds, each file's (mtime, size, inode). Polling and
not inotify or the `watchfiles` package: the files are few (a stat costs microseconds),
it sees an editor's replace-by-rename like any other write, it works the same on network
and bind-mounted folders where inotify stays silent, and it needs nothing installed.

A change is acted on once the files have been quiet for QUIET seconds, so an editor's
save burst (write a temporary file, rename it over the YAML, write again) is one rebuild;
if the files change while a rebuild runs, another one follows. A YAML file that is
half-written or briefly missing gives its error lines (as `check` prints them) and the
watch goes on; the next save rebuilds. The previews are replaced atomically (a viewer
that reloads never reads half a file), and only when their bytes changed.

The warm converter is held for the whole watch (convert.prestart), so every rebuild
converts at once, and only documents whose DOCX changed (convert.PdfCache). Ctrl-C ends it
like any command: LibreOffice is stopped, exit status 130.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .archive import write_file
from .convert import PdfBatches, prestart
from .errors import AluError, InvalidInput
from .load import display_path
from .names import MINUTES
from .paths import Echo, Paths

POLL = 0.1  # seconds between two looks at the files
QUIET = 0.2  # seconds without a change before a rebuild starts

Stamp = tuple[int, int, int] | None  # (mtime_ns, size, inode); None: missing


def preview_folder(paths: Paths, date: dt.date, edition: str = "public") -> Path:
    return (paths.work if edition == "public" else paths.internal) / "preview" / date.isoformat()


def watched_files(paths: Paths, date: dt.date) -> dict[str, Stamp]:
    """Every file a preview of `date` reads, with its stamp (the meeting.yaml even when missing)."""
    found: dict[str, Stamp] = {}

    def stamp(path: str) -> Stamp:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def walk(folder: str, suffix: str) -> None:
        """Files ending in `suffix` (not an editor's hidden swap, lock or backup files)."""
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith((".", "~")):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, suffix)
            elif entry.name.lower().endswith(suffix):
                found[entry.path] = stamp(entry.path)

    meetings = str(paths.meetings)
    own = os.path.join(meetings, date.isoformat())
    walk(own, ".pdf")  # the attachments
    found[os.path.join(own, "meeting.yaml")] = stamp(os.path.join(own, "meeting.yaml"))
    found[os.path.join(meetings, "committee.yaml")] = stamp(os.path.join(meetings, "committee.yaml"))
    walk(str(paths.templates), ".docx")
    try:
        others = [e.path for e in os.scandir(meetings) if e.is_dir() and e.path != own]
    except OSError:
        others = []
    for folder in others:
        found[os.path.join(folder, "meeting.yaml")] = stamp(os.path.join(folder, "meeting.yaml"))
    return found


@dataclass
class Preview:
    """What one rebuild wrote: every preview PDF, and those whose bytes changed."""

    files: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build_preview(paths: Paths, date: dt.date) -> Preview:
    """Render and convert the meeting's draft documents into its preview folder. Raises
    InvalidInput (bad YAML) and the conversion's errors; writes nothing else."""
    from .archive import Manifest  # (here: the first look starts the converter before these load)
    from .context import Context
    from .meetingcache import load_all
    from .model import find_meeting
    from .render import plan_meeting, render_plans

    committee, meetings = load_all(paths.meetings, full_check=[date], cache=paths.cache)
    meeting = find_meeting(meetings, date, paths.meetings)
    ctx = Context.build(committee, meetings)
    short = committee.short
    result = Preview()
    editions = ["public"] + (["internal"] if any(c.confidential for c in meeting.cases) else [])
    plans = {edition: plan_meeting(ctx, meeting, edition) for edition in editions}
    if not plans["public"]:
        result.notes.append(f"{date.isoformat()}: no documents to preview yet (no cases)")
    approved = Manifest.load(paths.archive).approval(date)
    if approved:
        plans = {e: [p for p in ps if p.key.kind != MINUTES] for e, ps in plans.items()}
        result.notes.append(f"{date.isoformat()}: the minutes were approved on {approved.get('on')}; "
                            "not previewed (alu-docs build leaves them unchanged)")
    with tempfile.TemporaryDirectory(prefix="alu-preview-") as work_name:
        work = Path(work_name)
        wanted: dict[Path, Path] = {}  # DOCX in the work folder -> its preview PDF
        count = sum(len(p) for p in plans.values())
        with PdfBatches(work / "pdf", count, work=paths.work) as batches:
            for edition, edition_plans in plans.items():
                public = edition == "public"
                docs = render_plans(ctx, meeting, edition_plans, paths.templates, cache=paths.cache if public else None)
                for doc in docs:
                    docx = work / f"{edition}--{doc.key.stem(short)}.docx"
                    docx.write_bytes(doc.docx)
                    wanted[docx] = preview_folder(paths, date, edition) / f"{doc.key.stem(short)}.pdf"
                    batches.add(docx, private=not public)
            for run in batches.completed():
                for docx, pdf in run.items():
                    if _replace(wanted[docx], pdf.read_bytes()):
                        result.changed.append(wanted[docx])
                    result.files.append(wanted[docx])
    for folder in {preview_folder(paths, date, e) for e in ("public", "internal")}:  # a deleted case, an edition
        for stale in folder.glob("*.pdf") if folder.is_dir() else []:
            if stale not in result.files:
                stale.unlink(missing_ok=True)
    return result


def _replace(path: Path, data: bytes) -> bool:
    """Write `path` atomically unless it already holds `data`; True when it changed."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_file(path.parent, path.name, data)
    return True


def _report(echo: Echo, preview: Preview, seconds: float) -> None:
    now = dt.datetime.now().strftime("%H:%M:%S")
    for note in preview.notes:
        echo(f"{now} note     {note}")
    names = [p.stem for p in preview.changed]
    what = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "") if names else "none"
    echo(f"{now} preview  {len(preview.files)} PDFs in {seconds:.2f} s; changed: {what}")


def rebuild_once(paths: Paths, date: dt.date, echo: Echo) -> bool:
    """One rebuild with its line(s); a user error is shown and the watch goes on. True when
    the preview was made."""
    started = time.monotonic()
    now = dt.datetime.now().strftime("%H:%M:%S")
    try:
        preview = build_preview(paths, date)
    except InvalidInput as exc:
        count = len(exc.problems)
        echo(f"{now} problems {count} found; the preview still shows the last valid version:")
        for line in exc.problems:
            echo(line)
        return False
    except AluError as exc:  # a conversion that failed, a meeting folder that is gone, …
        echo(f"{now} error    {exc.format_message()}")
        return False
    except OSError as exc:  # a file that vanished between the look and the read
        echo(f"{now} error    {exc.filename or 'a file'}: {exc.strerror or exc}; waiting for the next save")
        return False
    _report(echo, preview, time.monotonic() - started)
    return True


def watch_meeting(paths: Paths, date: dt.date, *, echo: Echo = print) -> None:
    """`alu-docs watch DATE`: the warm converter held (started now if needed) while
    watch_loop rebuilds the preview after every save, until Ctrl-C."""
    if not (paths.meetings / date.isoformat()).is_dir():
        raise AluError(f"no meeting folder {paths.meetings.name}/{date.isoformat()}/ to watch; "
                       f"create it with: alu-docs new-meeting {date.isoformat()}")
    with prestart(paths):  # attached for the whole watch: it never goes idle, and Ctrl-C stops it
        watch_loop(paths, date, echo=echo)


def watch_loop(paths: Paths, date: dt.date, *, echo: Echo = print, stop: threading.Event | None = None,
               rebuild: Callable[[Paths, dt.date, Echo], bool] = rebuild_once) -> None:
    """Rebuild the preview now and after every save until Ctrl-C (or `stop` is set)."""
    stop = stop or threading.Event()
    echo(f"watch    {date.isoformat()}: previews in {display_path(preview_folder(paths, date))}/ "
         "on every save (Ctrl-C stops; the archive is not touched)")
    seen = watched_files(paths, date)
    rebuild(paths, date, echo)
    while not stop.is_set():
        stop.wait(POLL)
        now = watched_files(paths, date)
        if now == seen:
            continue
        quiet_since = time.monotonic()
        while not stop.is_set() and time.monotonic() - quiet_since < QUIET:  # the save burst settles
            stop.wait(POLL / 2)
            again = watched_files(paths, date)
            if again != now:
                now, quiet_since = again, time.monotonic()
        if stop.is_set():
            break
        seen = now  # what this rebuild reads; a change during it is seen by the next look
        rebuild(paths, date, echo)
