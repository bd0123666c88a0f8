"""Stage 5: the archive on disk. Every write goes through `write_file` (inside the
archive, temp file + rename), builds hold an exclusive lock while they write, and
`manifest.json` records each file's sha256, each meeting's input hash and approvals.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ArchiveError
from .names import MANIFEST
from .paths import Paths


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_file(root: Path, relative: str | Path, data: bytes) -> Path:
    """Write `data` to root/relative atomically; refuse any path that leaves `root`."""
    root = root.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ArchiveError(f"refusing to write outside {root}: {relative}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the archive's lock: two builds at once write one after the other."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class Manifest:
    """archive/manifest.json: what the archive holds and what may never change."""

    root: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> Manifest:
        path = root / MANIFEST
        if not path.exists():
            return cls(root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{path} is damaged ({exc}); restore it from a backup") from None
        return cls(root, data.get("files", {}), data.get("meetings", {}), data.get("log", []))

    def save(self) -> None:
        data = {"files": dict(sorted(self.files.items())),
                "meetings": dict(sorted(self.meetings.items())), "log": self.log}
        write_file(self.root, MANIFEST, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())

    def record(self, relative: str, data: bytes, meeting: str | None = None, **extra: Any) -> None:
        self.files[relative] = {"sha256": sha256(data), "size": len(data), "meeting": meeting, **extra}

    def meeting(self, date: dt.date) -> dict[str, Any]:
        return self.meetings.setdefault(date.isoformat(), {})

    def approval(self, date: dt.date) -> dict[str, Any] | None:
        return self.meetings.get(date.isoformat(), {}).get("approved")

    def note(self, event: str, **details: Any) -> None:
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self.log.append({"at": stamp, "event": event, **details})


class Transaction:
    """The writes of one command, applied together when the `with transaction(…)` block
    ends without an error, and not at all when it raises.

    `write` and `remove` name a path inside one of the project's roots: "archive" (recorded
    in the manifest unless `record=False`), "internal" or "meetings" (not recorded).
    """

    ROOTS = ("archive", "internal", "meetings")

    def __init__(self, roots: dict[str, Path], manifest: Manifest) -> None:
        self.roots = roots
        self.manifest = manifest
        self.writes: dict[tuple[str, str], bytes] = {}
        self.removals: set[tuple[str, str]] = set()

    def write(self, relative: str, data: bytes, *, root: str = "archive", meeting: str | None = None,
              record: bool = True, **extra: Any) -> str:
        """Write `data` to root/relative when the transaction commits; return `relative`."""
        self._check(root, relative)
        self.writes[(root, relative)] = data
        self.removals.discard((root, relative))
        if root == "archive" and record:
            self.manifest.record(relative, data, meeting, **extra)
        return relative

    def remove(self, relative: str, *, root: str = "archive") -> None:
        """Delete root/relative (and its manifest entry) when the transaction commits."""
        self._check(root, relative)
        self.writes.pop((root, relative), None)
        self.removals.add((root, relative))
        if root == "archive":
            self.manifest.files.pop(relative, None)

    def _check(self, root: str, relative: str) -> None:
        base = self.roots[root].resolve()
        target = (base / relative).resolve()
        if not target.is_relative_to(base) or target == base:
            raise ArchiveError(f"refusing to write outside {base}: {relative}")

    def commit(self) -> None:
        for (root, relative), data in self.writes.items():
            write_file(self.roots[root], relative, data)
        for root, relative in self.removals:
            (self.roots[root] / relative).unlink(missing_ok=True)
        self.manifest.save()


@contextlib.contextmanager
def transaction(paths: Paths) -> Iterator[Transaction]:
    """Take the archive's lock, load the manifest, and yield a Transaction whose writes
    are applied together when the block ends (none of them when it raises)."""
    with locked(paths.archive):
        tx = Transaction({"archive": paths.archive, "internal": paths.internal, "meetings": paths.meetings},
                         Manifest.load(paths.archive))
        yield tx
        tx.commit()


def verify(root: Path) -> list[str]:
    """Every problem between the archive and its manifest: changed, missing, unrecorded files."""
    manifest = Manifest.load(root)
    problems = []
    for relative, entry in sorted(manifest.files.items()):
        path = root / relative
        if not path.exists():
            problems.append(f"{relative}: missing (recorded in the manifest)")
        elif file_sha256(path) != entry["sha256"]:
            what = "approved minutes changed" if entry.get("approved") else "changed"
            problems.append(f"{relative}: {what}: sha256 differs from the manifest")
        if entry.get("signed") and path.exists():
            from .sign import verify_signatures  # pyHanko is slow to import: only when a file is signed

            problems += [f"{relative}: {problem}" for problem in verify_signatures(path)]
    recorded = set(manifest.files)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not path.name.startswith(".") and relative != MANIFEST \
                and relative not in recorded and not relative.startswith("cache/"):
            problems.append(f"{relative}: not in the manifest")
    return problems


def verify_archive(root: Path, *, echo=print) -> int:  # type: ignore[no-untyped-def]
    """`alu-docs verify`: raise ArchiveError naming every file that differs from the
    manifest; return the number of files checked."""
    if not (root / MANIFEST).exists():
        raise ArchiveError(f"{root.name}/{MANIFEST} not found: nothing to verify (build the archive first)")
    problems = verify(root)
    if problems:
        raise ArchiveError("\n".join(f"{root.name}/{p}" for p in problems)
                           + f"\n{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
    count = len(Manifest.load(root).files)
    echo(f"ok: {count} files in {root.name}/ match {MANIFEST} (sha256)")
    return count
