"""Parsed meetings kept between commands: `check DATE`, `build DATE`, `search` and `watch`
read every meeting.yaml, but parse again only the files that changed.

    .alu-work/cache/meetings/<fingerprint>.pickle
        {"meetings/2025-08-27": (sha256 of its meeting.yaml, Meeting)}

The fingerprint covers what decides a parse besides the file itself: committee.yaml's bytes
(the roster) and the code that parses (model, schema, load, attachments, names). Only
meetings without problems are kept. A kept meeting is used only if its attachments still
pass the path checks (no file is opened, see attachments.check_attachment with deep=False);
otherwise it is parsed again, which names the problem with its line. A meeting with a
confidential case is never kept (its text belongs in internal/ only). The folder is the
project's own disposable cache (git-ignored, like every file under .alu-work/); a stale or
unreadable file is ignored and replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import pickle
from collections.abc import Collection
from pathlib import Path

from . import __version__, cachefile, model
from .attachments import check_attachment, meeting_attachments_problem
from .model import Committee, Meeting

CODE = ("model.py", "schema.py", "load.py", "attachments.py", "names.py", "meetingcache.py")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ParsedMeetings:
    """One project's kept meetings, for one load_all."""

    def __init__(self, cache: Path, meetings_dir: Path) -> None:
        code = Path(__file__).parent
        facts = [__version__, str(meetings_dir.absolute()), _sha256((meetings_dir / "committee.yaml").read_bytes()),
                 *(_sha256((code / name).read_bytes()) for name in CODE)]
        self.file = cache / "meetings" / f"{_sha256(chr(10).join(facts).encode())[:32]}.pickle"
        self.kept: dict[str, tuple[str, Meeting]] = {}
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                                 TypeError, ValueError):
            loaded = pickle.loads(self.file.read_bytes())
            if isinstance(loaded, dict):
                self.kept = loaded
        self.seen: dict[str, tuple[str, Meeting]] = {}
        self.read: dict[str, str] = {}  # folder -> sha256 of its meeting.yaml as read by get()

    def get(self, folder: Path) -> Meeting | None:
        """The kept meeting of `folder` if its meeting.yaml is unchanged and its attachments
        still pass the path checks; None: parse it."""
        key = str(folder)
        try:
            digest = self.read[key] = _sha256((folder / "meeting.yaml").read_bytes())
        except OSError:
            return None
        known = self.kept.get(key)
        if known is None or known[0] != digest:
            return None
        meeting = known[1]
        files = [a for case in meeting.cases for a in case.attachments if a.file]
        if any(check_attachment(folder, a.file, deep=False) for a in files):
            return None
        if len(files) > 1 and meeting_attachments_problem(folder, [a.path for a in files], deep=False):
            return None  # (one file: check_attachment applied the same limits)
        self.seen[key] = known
        return meeting

    def keep(self, folder: Path, meeting: Meeting) -> None:
        """Keep a meeting just parsed, if its file is still what get() read (not edited meanwhile)
        and it has no confidential case (this cache is not internal/)."""
        key = str(folder)
        if any(case.confidential for case in meeting.cases):
            return
        with contextlib.suppress(OSError):
            digest = _sha256((folder / "meeting.yaml").read_bytes())
            if self.read.get(key, digest) == digest:
                self.seen[key] = (digest, meeting)

    def save(self) -> None:
        """Write what this load saw (meetings gone from the folder are dropped), atomically,
        when it differs from what was read."""
        if self.seen.keys() == self.kept.keys() and all(self.kept[k][0] == v[0] for k, v in self.seen.items()):
            return
        with contextlib.suppress(pickle.PicklingError):  # the one file kept: others were made by
            # other code or another committee.yaml
            cachefile.keep(self.file, pickle.dumps(self.seen, protocol=pickle.HIGHEST_PROTOCOL), limit=1)


def load_all(meetings_dir: Path, *, full_check: Collection[dt.date], cache: Path) -> tuple[Committee, list[Meeting]]:
    """model.load_all opening only the attachments of `full_check`, with the other meetings
    taken from `cache` (the project's .alu-work/cache/) when their YAML is unchanged."""
    committee_file = meetings_dir / "committee.yaml"
    kept = ParsedMeetings(cache, meetings_dir) if committee_file.is_file() else None
    return model.load_all(meetings_dir, full_check=full_check, kept=kept)
