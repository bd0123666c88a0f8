"""`alu-docs move OLD NEW`: a meeting gets another date, as one archive transaction.

The folder meetings/OLD/ becomes meetings/NEW/ (every file, the git-ignored ones too),
`date:` is set and `moved_from:` lists the earlier dates. An issued case keeps its number
and its year: a meeting moved into January keeps "5/25" (Meeting.number_year). When the
notice was issued, a revised notice is issued for the new date ("Møtet er flyttet fra …"),
with the case papers and the packet; the files issued for the old date stay where they were,
superseded (`moved_to` in the manifest), and the index lists them under the old date as
moved. The calendar keeps the event's UID (from the first date). Nothing is written unless
all of it is: the renamed folder, the YAML, the new documents, the index and the calendar.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

from .archive import Manifest, Transaction
from .build import BuildResult, build_meetings
from .check import load_checked
from .context import Context
from .errors import AluError
from .load import display_path
from .model import find_meeting
from .names import meeting_dir
from .paths import Echo, Paths
from .records import Issued, move_record
from .yamledit import with_move


class MoveError(AluError):
    """Raised when a meeting cannot be moved: the new date is taken, the minutes are approved."""


def move_meeting(paths: Paths, old: dt.date, new: dt.date, *, echo: Echo = print) -> BuildResult | None:
    """Move the meeting of `old` to `new` (see the module's docstring). Returns the build of
    the new date, or None when nothing had been issued (then only the folder, the index and
    the calendar change)."""
    committee, meetings = load_checked(paths, [old])
    meeting = find_meeting(meetings, old, paths.meetings)
    target = paths.meetings / new.isoformat()
    if new == old:
        raise MoveError(f"the meeting is already on {old.isoformat()}")
    if target.exists():
        raise MoveError(f"{display_path(target)} already exists; a meeting can only move to a free date")
    if meeting.approved_sha256 or meeting.minutes_status == "approved":
        raise MoveError(f"the minutes of {old.isoformat()} are approved: a meeting that was held is not moved")
    if meeting.is_legacy:
        raise MoveError(f"{old.isoformat()} is a meeting from before alu-docs; rename its folder by hand")
    moved = replace(meeting, date=new, folder=target, moved_from=(*meeting.moved_from, old))
    ctx = Context.build(committee, [m for m in meetings if m is not meeting] + [moved])
    issued = Issued.of(Manifest.load(paths.archive), moved)
    files = sorted(p for p in meeting.folder.rglob("*") if p.is_file() or p.is_symlink())
    today = dt.date.today()

    def relocate(tx: Transaction) -> None:
        for path in files:
            inside = path.relative_to(meeting.folder).as_posix()
            tx.write(f"{new.isoformat()}/{inside}", path.read_bytes(), root="meetings")
            tx.remove(f"{old.isoformat()}/{inside}", root="meetings")
        tx.edit(moved.yaml_relative, lambda text: with_move(text, new, old))
        for relative in move_record(tx.manifest, old, new, today):
            tx.remove(relative)  # draft minutes of the old date: never issued
        internal = paths.internal / meeting_dir(old)
        for path in sorted(internal.glob("*")) if internal.is_dir() else []:  # rebuilt under the new date
            tx.remove(path.relative_to(paths.internal).as_posix(), root="internal")

    selected = [moved] if issued.documents else []
    echo(f"move     {display_path(meeting.folder)} -> {display_path(target)}: {len(files)} files")
    results = build_meetings(paths, ctx, selected, echo=echo, force=True, before=relocate)
    _remove_empty(meeting.folder)
    return results[0] if results else None


def _remove_empty(folder: Path) -> None:
    """Empty folders left in the old meeting folder (the transaction moved every file)."""
    if not folder.is_dir():
        return
    for here, _, _ in sorted(os.walk(folder), key=lambda w: -len(w[0])):
        try:
            Path(here).rmdir()
        except OSError:
            return
