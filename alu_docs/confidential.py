"""Where the content of a confidential case may live: never in a file git tracks.

meeting.yaml is tracked by git, so for a case with `confidential: <legal basis>` it keeps
only what may be public: the number, the legal basis and the duration (the agenda's times
are public). Everything else (title, type, presenter, texts, attachments, the guests who
came for it, conclusion and actions) goes in a file in the meeting's `unntatt/` folder,
which .gitignore lists, named by the case's `content:`:

    meetings/2025-10-15/meeting.yaml            - confidential: offl. § 14
                                                  duration: 20
                                                  content: unntatt/sak-3.yaml
    meetings/2025-10-15/unntatt/sak-3.yaml      title: …, presenter: …, summary: …,
                                                attachments: [{file: unntatt/notat.pdf, …}]

The model lists where each piece of a confidential case is written (`Meeting.exposures`);
`check` fails for every piece in a file git tracks or does not ignore. In a git work tree
that is asked of git (`git ls-files`, `git check-ignore`); elsewhere the path rule stands in
for it: only files inside a meeting's `unntatt/` folder are private.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .load import display_path
from .model import Exposure, Meeting

PRIVATE_DIR = "unntatt"  # meetings/DATE/unntatt/: git-ignored (see .gitignore)
GITIGNORE_LINE = f"/meetings/*/{PRIVATE_DIR}/"


class Tracking:
    """Which files under meetings/ could be published by a push: those git tracks or does not
    ignore (or, outside a git work tree, those outside a meeting's unntatt/ folder)."""

    def __init__(self, meetings: Path) -> None:
        self.meetings = meetings
        self.root = _git_root(meetings)

    def public(self, files: list[Path]) -> dict[Path, str]:
        """{file: why it could be published ('tracked by git', …)} for those of `files` that could."""
        if self.root is None:
            return {f: f"outside the meeting's {PRIVATE_DIR}/ folder (not a git work tree: the path rule applies)"
                    for f in files if not _in_private_dir(f, self.meetings)}
        relative = {f: f.resolve().relative_to(self.root).as_posix() for f in files if f.resolve().is_relative_to(
            self.root)}
        tracked = set(_git(self.root, ["ls-files", "-z", "--", *relative.values()]))
        ignored = set(_git(self.root, ["check-ignore", "-z", "--stdin"], "\0".join(relative.values()) + "\0"))
        found = {}
        for file, rel in relative.items():
            if rel in tracked:
                found[file] = "tracked by git"
            elif rel not in ignored:
                found[file] = "not ignored by git"
        return found


def _in_private_dir(path: Path, meetings: Path) -> bool:
    try:
        parts = path.resolve().relative_to(meetings.resolve()).parts
    except ValueError:
        return False
    return len(parts) > 2 and parts[1] == PRIVATE_DIR


def _git_root(folder: Path) -> Path | None:
    if shutil.which("git") is None or not folder.is_dir():
        return None
    result = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True,
                            text=True, check=False)
    return Path(result.stdout.strip()).resolve() if result.returncode == 0 and result.stdout.strip() else None


def _git(root: Path, args: list[str], stdin: str | None = None) -> list[str]:
    result = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, text=True,
                            check=False)
    return [name for name in result.stdout.split("\0") if name]


def leaks(meetings_dir: Path, meetings: list[Meeting]) -> list[str]:
    """One line per piece of a confidential case in a file that could be published: file,
    line and key where it is written, and where it belongs instead."""
    exposures: list[tuple[Meeting, Exposure]] = [(m, e) for m in meetings for e in m.exposures]
    if not exposures:
        return []
    public = Tracking(meetings_dir).public(sorted({e.exposed for _, e in exposures}))
    problems = []
    for meeting, exposure in exposures:
        why = public.get(exposure.exposed)
        if why is None:
            continue
        private = f"{display_path(meeting.folder)}/{PRIVATE_DIR}/"
        where = exposure.key + ": " if exposure.key else ""
        if exposure.exposed == exposure.written_in:
            fix = (f"keep it in a file under {private} (git-ignored) and name that file in the case's content: "
                   "(README: Confidential cases)")
            problems.append(f"{display_path(exposure.written_in)}:{exposure.line}: {where}{exposure.what} is "
                            f"written in a file {why}; {fix}")
        else:
            problems.append(f"{display_path(exposure.written_in)}:{exposure.line}: {where}{exposure.what} "
                            f"({display_path(exposure.exposed)}) is {why}; move it under {private} "
                            f"(git-ignored: `{GITIGNORE_LINE}` in .gitignore)")
    return problems
