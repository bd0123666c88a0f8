"""The archive on disk: every change is one transaction, recorded in `manifest.json`.

A command collects its writes in a `Transaction` (`with transaction(paths) as tx:
tx.write(...)`); nothing touches the disk until the block ends without an error. Then,
under the archive's lock:

1. the journal `archive/.journal.json` lists every change ("prepared");
2. each new file is written beside its target as `.NAME.alu-txn-ID` and flushed;
3. the journal is marked "committed" (one atomic rename): from here on the change happens;
4. each staged file is renamed over its target, removed files are unlinked, the manifest
   comes last; then the journal is deleted.

An interruption anywhere (SIGKILL, Ctrl-C, a full or read-only disk) leaves the archive
exactly as it was or, once committed, lets the next command finish it (`recover`): old or
new, never half. `manifest.json` records each file's sha256, each meeting's input hash and
approvals; `verify` checks every file under archive/ against it.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import signal
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ArchiveError
from .names import MANIFEST, README
from .paths import Echo, Paths

JOURNAL = ".journal.json"
LOCK = ".lock"
STAGED = ".alu-txn-"  # staged files: .NAME.alu-txn-ID beside their target
FAULT_ENV = "ALU_FAULT_AFTER_WRITES"  # test hook: "K" or "K:kill|raise|enospc" (see _after_write)

ARCHIVE_README = """\
# The archive

Written by alu-docs (`make meeting DATE=…`, `alu-docs index`); do not edit by hand.
`index.pdf` (and `index.html` for a browser) lists every meeting; each meeting's documents
are in `YYYY/YYYY-MM-DD/`. `manifest.json` records every file's sha256: `alu-docs verify`
checks the archive against it.
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(root: Path, relative: str | Path) -> Path:
    root = root.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ArchiveError(f"refusing to write outside {root}: {relative}")
    return target


def write_file(root: Path, relative: str | Path, data: bytes) -> Path:
    """Write one file outside the archive (a cache, a page in another folder) atomically:
    temp file + rename; refuse any path that leaves `root`."""
    target = _inside(root, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def _os_error(path: Path, exc: OSError, rest: str) -> ArchiveError:
    """An OS-level failure as one line naming the file: 'archive/x: cannot write (No space left
    on device); the archive was not changed'."""
    return ArchiveError(f"{_label(Path(exc.filename) if exc.filename else path)}: {exc.strerror or exc}; {rest}")


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the archive's lock: two commands that change it run one after the other."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = (root / LOCK).open("a")
    except OSError as exc:
        raise _os_error(root / LOCK, exc, "cannot take the archive's lock; nothing was changed") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the manifest ---------------------------------------------------------------------------


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
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(root)
        except OSError as exc:
            raise _os_error(path, exc, "cannot read the manifest") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ArchiveError(f"{_label(path)} is damaged ({exc}); restore it from a backup") from None
        problem = _shape_problem(data)
        if problem:
            raise ArchiveError(f"{_label(path)}: {problem}; restore it from a backup")
        return cls(root, data.get("files", {}), data.get("meetings", {}), data.get("log", []))

    def to_bytes(self) -> bytes:
        data = {"files": dict(sorted(self.files.items())),
                "meetings": dict(sorted(self.meetings.items())), "log": self.log}
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()

    def digest(self) -> str:
        """A fingerprint of what the manifest records (to notice any change to it)."""
        return sha256(self.to_bytes())

    def record(self, relative: str, data: bytes, meeting: str | None = None, **extra: Any) -> None:
        self.files[relative] = {"sha256": sha256(data), "size": len(data), "meeting": meeting, **extra}

    def meeting(self, date: dt.date) -> dict[str, Any]:
        return self.meetings.setdefault(date.isoformat(), {})

    def approval(self, date: dt.date) -> dict[str, Any] | None:
        return self.meetings.get(date.isoformat(), {}).get("approved")

    def note(self, event: str, **details: Any) -> None:
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self.log.append({"at": stamp, "event": event, **details})


def _shape_problem(data: Any) -> str | None:
    """What is wrong with the manifest's JSON shape, or None."""
    if not isinstance(data, dict):
        return f"expected a JSON object with 'files', 'meetings' and 'log'; got {type(data).__name__}"
    for key, kind in (("files", dict), ("meetings", dict), ("log", list)):
        if not isinstance(data.get(key, kind()), kind):
            return f"'{key}' must be a JSON {'object' if kind is dict else 'array'}"
    for relative, entry in data.get("files", {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("size"), int):
            return f"the entry for {relative!r} has no sha256 and size"
    for date, record in data.get("meetings", {}).items():
        if not isinstance(record, dict):
            return f"the record of meeting {date!r} is not an object"
    return None


# --- transactions ---------------------------------------------------------------------------


def _after_write() -> None:
    """Fault injection for tests: with ALU_FAULT_AFTER_WRITES=K[:how], the K-th disk change of a
    transaction is followed by SIGKILL ("kill", the default), an OSError ENOSPC ("enospc") or
    EROFS ("erofs"), or a KeyboardInterrupt ("raise", as Ctrl-C would)."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    count, _, how = spec.partition(":")
    _after_write.count = getattr(_after_write, "count", 0) + 1  # type: ignore[attr-defined]
    if _after_write.count != int(count):  # type: ignore[attr-defined]
        return
    if how in ("enospc", "erofs"):
        code = errno.ENOSPC if how == "enospc" else errno.EROFS
        raise OSError(code, os.strerror(code))
    if how == "raise":
        raise KeyboardInterrupt
    os.kill(os.getpid(), signal.SIGKILL)


def _sync(folder: Path) -> None:
    """Flush the file system holding `folder` (syncfs; one call for all files of a step)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.syncfs(fd) != 0:
            os.sync()
    except (OSError, AttributeError):
        os.sync()
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while a committed change is applied (a few renames), so an
    interruption never splits it; they take effect right after."""
    blocked = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    except (ValueError, OSError):  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Transaction:
    """The writes of one command, applied together when the `with transaction(…)` block
    ends without an error, and not at all when it raises.

    `write` and `remove` name a path inside one of the project's roots: "archive" (recorded
    in the manifest unless `record=False`), "internal" or "meetings" (not recorded).
    """

    def __init__(self, roots: dict[str, Path], manifest: Manifest) -> None:
        self.roots = roots
        self.manifest = manifest
        self.writes: dict[tuple[str, str], bytes] = {}
        self.removals: set[tuple[str, str]] = set()
        self.id = uuid.uuid4().hex[:12]

    def write(self, relative: str, data: bytes, *, root: str = "archive", meeting: str | None = None,
              record: bool = True, **extra: Any) -> str:
        """Write `data` to root/relative when the transaction commits; return `relative`."""
        _inside(self.roots[root], relative)
        self.writes[(root, relative)] = data
        self.removals.discard((root, relative))
        if root == "archive" and record:
            self.manifest.record(relative, data, meeting, **extra)
        return relative

    def read(self, relative: str, *, root: str = "archive") -> bytes:
        """root/relative as it will be once the transaction commits (written here, or on disk)."""
        if (root, relative) in self.writes:
            return self.writes[(root, relative)]
        return (self.roots[root] / relative).read_bytes()

    def edit(self, relative: str, change: Callable[[str], str], *, root: str = "meetings") -> None:
        """Rewrite a UTF-8 text file with `change` (e.g. a yamledit function) when it changes it."""
        text = self.read(relative, root=root).decode("utf-8-sig")
        new = change(text)
        if new != text:
            self.write(relative, new.encode("utf-8"), root=root)

    def exists(self, relative: str, root: str = "archive") -> bool:
        """Whether root/relative will be there once the transaction commits."""
        if (root, relative) in self.writes:
            return True
        return (root, relative) not in self.removals and (self.roots[root] / relative).is_file()

    def remove(self, relative: str, *, root: str = "archive") -> None:
        """Delete root/relative (and its manifest entry) when the transaction commits."""
        _inside(self.roots[root], relative)
        self.writes.pop((root, relative), None)
        self.removals.add((root, relative))
        if root == "archive":
            self.manifest.files.pop(relative, None)

    def commit(self) -> None:
        """Journal, stage, mark committed, apply (see the module's docstring)."""
        readme = ARCHIVE_README.encode()
        if self.manifest.files.get(README, {}).get("sha256") != sha256(readme) \
                or not (self.roots["archive"] / README).is_file():
            self.write(README, readme, kind="readme")
        self.writes[("archive", MANIFEST)] = self.manifest.to_bytes()
        ops = [{"root": root, "path": relative, "staged": self._staged_name(relative), "sha256": sha256(data)}
               for (root, relative), data in self.writes.items()]
        ops.sort(key=lambda op: op["path"] == MANIFEST and op["root"] == "archive")  # the manifest last
        ops += [{"root": root, "path": relative, "remove": True} for root, relative in sorted(self.removals)]
        journal = Journal(self.roots)
        try:
            for root, relative in self.removals:
                folder = (self.roots[root] / relative).parent
                if folder.exists() and not os.access(folder, os.W_OK):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
            journal.save(self.id, "prepared", ops)
            for op in ops:
                if "staged" in op:
                    self._stage(op, self.writes[(op["root"], op["path"])])
            _sync(self.roots["archive"])
            journal.save(self.id, "committed", ops)
        except BaseException as exc:
            journal.roll_back()
            if isinstance(exc, OSError):
                raise _os_error(self.roots["archive"], exc, "the archive was not changed") from None
            raise
        _sync(self.roots["archive"])  # the commit mark is on disk before the first rename
        with _signals_deferred():
            journal.roll_forward()

    def _staged_name(self, relative: str) -> str:
        name = relative.rsplit("/", 1)[-1]
        return f".{name}{STAGED}{self.id}"

    def _stage(self, op: dict[str, Any], data: bytes) -> None:
        target = self.roots[op["root"]] / op["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.parent / op["staged"]
        with staged.open("wb") as fh:
            fh.write(data)
        os.chmod(staged, 0o644)
        _after_write()


class Journal:
    """archive/.journal.json: the changes of the transaction under way, and how far it got."""

    def __init__(self, roots: dict[str, Path]) -> None:
        self.roots = roots
        self.path = roots["archive"] / JOURNAL
        self.ops: list[dict[str, Any]] = []
        self.state = ""

    def save(self, txid: str, state: str, ops: list[dict[str, Any]]) -> None:
        self.ops, self.state = ops, state
        self.roots["archive"].mkdir(parents=True, exist_ok=True)
        write_file(self.roots["archive"], JOURNAL, json.dumps({"id": txid, "state": state, "ops": ops}).encode())
        _after_write()

    def load(self) -> bool:
        """Read a journal left by an interrupted command; False when there is none."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.ops, self.state = list(data["ops"]), str(data["state"])
        except FileNotFoundError:
            return False
        except (ValueError, KeyError, TypeError):  # a journal cut short was never committed
            self.ops, self.state = [], "prepared"
        return True

    def roll_back(self) -> None:
        """Undo a transaction that did not commit: remove its staged files and the journal."""
        for op in self.ops:
            if "staged" in op:
                (self.roots[op["root"]] / op["path"]).parent.joinpath(op["staged"]).unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)

    def roll_forward(self) -> None:
        """Finish a committed transaction: rename each staged file over its target (a file
        already moved is checked by its sha256), remove what it removes, then the journal."""
        for op in self.ops:
            target = self.roots[op["root"]] / op["path"]
            if op.get("remove"):
                target.unlink(missing_ok=True)
                _prune(target.parent, self.roots[op["root"]])
            else:
                staged = target.parent / op["staged"]
                if staged.exists():
                    os.replace(staged, target)
                elif not target.is_file() or file_sha256(target) != op["sha256"]:
                    raise ArchiveError(f"{_label(target)}: the interrupted change cannot be completed "
                                       f"(its staged copy is gone); restore the archive from a backup")
            _after_write()
        _sync(self.roots["archive"])
        self.path.unlink(missing_ok=True)


def _prune(folder: Path, root: Path) -> None:
    """Remove the folders a removal left empty, up to (not including) the root: a moved
    meeting's old folder goes."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone): stop
            return
        folder = folder.parent


def _roots(paths: Paths) -> dict[str, Path]:
    return {"archive": paths.archive, "internal": paths.internal, "meetings": paths.meetings}


def recover(paths: Paths, echo: Echo | None = None) -> str | None:
    """Finish or undo a change an interrupted command left (call holding the lock); say so in
    one line. Returns that line, or None when there was nothing to do."""
    for stray in paths.archive.glob(f"{JOURNAL}.*.tmp"):  # a journal cut off while written
        stray.unlink(missing_ok=True)
    journal = Journal(_roots(paths))
    if not journal.load():
        return None
    try:
        if journal.state == "committed":
            journal.roll_forward()
            line = "recover  an interrupted change of the archive was completed"
        else:
            journal.roll_back()
            line = "recover  an interrupted change of the archive was undone; the archive is as before it"
    except OSError as exc:
        raise _os_error(journal.path, exc, "an interrupted change of the archive could not be finished") from None
    if echo:
        echo(line)
    return line


def needs_recovery(paths: Paths) -> bool:
    """Whether an interrupted command left a change to finish or undo."""
    return (paths.archive / JOURNAL).exists() or any(paths.archive.glob(f"{JOURNAL}.*.tmp"))


def preview(paths: Paths, manifest: Manifest) -> Transaction:
    """A transaction on a copy of `manifest` that is never committed: what a change would make
    of the archive (the build's index is planned from it before anything is written)."""
    copy = Manifest(manifest.root, json.loads(json.dumps(manifest.files)), json.loads(json.dumps(manifest.meetings)))
    return Transaction(_roots(paths), copy)


@contextlib.contextmanager
def transaction(paths: Paths, *, echo: Echo | None = None) -> Iterator[Transaction]:
    """Take the archive's lock, finish any interrupted change, load the manifest, and yield a
    Transaction whose writes are applied together when the block ends (none if it raises)."""
    with locked(paths.archive):
        recover(paths, echo)
        tx = Transaction(_roots(paths), Manifest.load(paths.archive))
        yield tx
        tx.commit()
