"""`alu-docs approve`: the minutes' last step. The YAML says approved, the build makes the
final PDF without «Utkast», and the manifest keeps its sha256 so no later build changes it.
"""

from __future__ import annotations

import datetime as dt

from .archive import transaction
from .build import BuildResult, build
from .errors import AluError
from .model import find_meeting, load_all
from .paths import Echo, Paths
from .yamledit import for_reapproval, with_minutes


def approve(paths: Paths, date: dt.date, *, echo: Echo = print, reapprove: bool = False,
            reason: str | None = None) -> BuildResult:
    """Approve a meeting's minutes: mark them approved in the YAML and build the final PDF,
    whose sha256 the manifest keeps. `reapprove` (with a reason, logged) replaces minutes
    that were approved before."""
    _, meetings = load_all(paths.meetings)
    meeting = find_meeting(meetings, date, paths.meetings)
    if not meeting.has_minutes and meeting.minutes_status != "none":
        raise AluError(f"{date.isoformat()} has no minutes to approve (status: {meeting.minutes_status})")
    if reapprove and not reason:
        raise AluError("--reapprove needs --reason '…' (it is logged in the archive manifest)")
    with transaction(paths) as tx:
        previous = tx.manifest.approval(date)
        if (previous or meeting.approved_sha256) and not reapprove:
            on = previous["on"] if previous else meeting.approved_on
            raise AluError(f"the minutes of {date.isoformat()} were approved on {on}; "
                           "to replace them use --reapprove --reason '…'")
        if previous:
            record = tx.manifest.meeting(date)
            record.setdefault("earlier_approvals", []).append(record.pop("approved"))
            for entry in tx.manifest.files.values():
                if entry.get("meeting") == date.isoformat():
                    entry.pop("approved", None)
            tx.manifest.note("minutes re-approved", meeting=date.isoformat(), reason=reason)
        tx.edit(meeting.yaml_relative, for_reapproval if reapprove else lambda text: with_minutes(text, "status",
                                                                                                  "approved"))
    echo(f"approve  {date.isoformat()}: minutes marked approved in {meeting.yaml_path.name}")
    return build(paths, date, echo=echo, force=True)
