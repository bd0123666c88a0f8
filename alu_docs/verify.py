"""`alu-docs verify`: the archive checked against everything that records it.

Every file under archive/ (dot-files included) against the manifest's sha256; every file
the manifest records is there; each approval record against its files and the sha256 kept
in the git-tracked meeting.yaml; every signature of signed minutes (sign.py); and a Noark 5
export's checksums (noark5.py, passed in as `extra`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .archive import LOCK, Manifest, file_sha256, locked, recover
from .errors import ArchiveError
from .names import MANIFEST
from .paths import Echo, Paths
from .records import typed_yaml


def _approved_in_yaml(meetings: Path) -> dict[str, str]:
    """{date: approved sha256} as each meeting.yaml records it (a tolerant read: `check`
    reports YAML problems, `verify` only needs this one value)."""
    found = {}
    for path in sorted(meetings.glob("*/meeting.yaml")):
        data = typed_yaml(path)
        minutes = data.get("minutes") if isinstance(data, dict) else None
        value = minutes.get("approved_sha256") if isinstance(minutes, dict) else None
        if value:
            found[path.parent.name] = str(value)
    return found


def verify(paths: Paths) -> list[str]:
    """Every problem between the archive, its manifest and the approvals in meeting.yaml:
    changed, missing and unrecorded files (dot-files included), approval records that do
    not match the files or the YAML."""
    root = paths.archive
    manifest = Manifest.load(root)
    problems = []
    for relative, entry in sorted(manifest.files.items()):
        path = root / relative
        if not path.is_file():
            problems.append(f"{relative}: missing (recorded in the manifest)")
        elif file_sha256(path) != entry["sha256"]:
            what = "approved minutes changed" if entry.get("approved") else "changed"
            problems.append(f"{relative}: {what}: sha256 differs from the manifest")
        if entry.get("signed") and path.is_file():
            from .sign import verify_signatures  # pyHanko is slow to import: only when a file is signed

            problems += [f"{relative}: {problem}" for problem in verify_signatures(path)]
    known = set(manifest.files) | {MANIFEST, LOCK}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (path.is_file() or path.is_symlink()) and relative not in known:
            problems.append(f"{relative}: not in the manifest")
    problems += _approval_problems(manifest, _approved_in_yaml(paths.meetings))
    return problems


def _approval_problems(manifest: Manifest, in_yaml: dict[str, str]) -> list[str]:
    """Each approval record against the files it names and the sha256 kept in meeting.yaml."""
    problems = []
    for date, record in sorted(manifest.meetings.items()):
        approval = record.get("approved")
        if not approval:
            continue
        public = approval.get("pdf", {}).get("public")
        files = [r for r, e in manifest.files.items() if e.get("meeting") == date and e.get("approved")
                 and r.endswith(".pdf")]
        if public and not any(manifest.files[r]["sha256"] == public for r in files):
            problems.append(f"approval of {date}: the approved minutes (sha256 {public[:12]}…) are not in the "
                            "archive as recorded at approval")
        if date in in_yaml and public and in_yaml[date] != public:
            problems.append(f"approval of {date}: meetings/{date}/meeting.yaml records sha256 "
                            f"{in_yaml[date][:12]}…, the manifest {public[:12]}…")
    for date, value in sorted(in_yaml.items()):
        if not manifest.meetings.get(date, {}).get("approved"):
            problems.append(f"approval of {date}: meetings/{date}/meeting.yaml records approved minutes "
                            f"(sha256 {value[:12]}…) but the manifest has no approval")
    return problems


def verify_archive(paths: Paths, *, echo: Echo = print, extra: Sequence[str] = ()) -> int:
    """`alu-docs verify`: raise ArchiveError naming every problem (and the `extra` problems other
    checks found, e.g. the Noark 5 export's); return the number of files checked."""
    root = paths.archive
    with locked(root):
        recover(paths, echo)
        if not (root / MANIFEST).exists():
            raise ArchiveError(f"{root.name}/{MANIFEST} not found: nothing to verify (build the archive first)")
        problems = [p if p.startswith("approval") else f"{root.name}/{p}" for p in verify(paths)] + list(extra)
    if problems:
        raise ArchiveError("\n".join(problems)
                           + f"\n{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
    count = len(Manifest.load(root).files)
    echo(f"ok: {count} files in {root.name}/ match {MANIFEST} (sha256); approvals agree with meeting.yaml")
    return count
