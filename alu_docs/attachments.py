"""Attachments: is a file a PDF we can put in the packet, and open it for merging.

`check_attachment` is what `alu-docs check` says about a path written in meeting.yaml
(inside the meeting folder, a PDF that a tool can open, no password, within the limits);
it gives the verdict normalisation (`normalise.py`) would give, but only opens the file,
and keeps the verdict in the cache by sha256, with the file's size and mtime -> sha256,
so a check reads again only files that changed:

    cache/attachments/index-n<NORMALISER>.json
        {"files": {"/abs/path.pdf": [size, mtime_ns, sha256]},
         "verdicts": {sha256: {"pages": n, "repairs": [...], "refusal": null | "why"}}}

`meeting_attachments_problem` applies the per-meeting limits (total size, total pages;
`Limits`, from ALU_MAX_ATTACHMENTS_MB / ALU_MAX_ATTACHMENT_PAGES). `open_attachment`
opens one with pypdf for merging.

Both take `deep=False` for the attachments of meetings a command does not work on (`check
DATE`, `build DATE`, `search`): then only the path is checked (inside the folder, there,
within the size limit, starting with %PDF-) and a verdict is used only when the cache
already has it by the file's size and mtime; the file is never hashed or opened.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .archive import file_sha256
from .errors import AttachmentError
from .load import display_path
from .normalise import NORMALISER, PASSWORD, Refused, inspect
from .paths import Paths

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_ATTACHMENT_PAGES = 2000


@dataclass(frozen=True)
class Limits:
    """What one meeting's attachments may add up to (the packet must stay readable and the
    build's memory bounded)."""

    megabytes: int = 100
    pages: int = 2000

    @classmethod
    def from_environment(cls) -> Limits:
        def number(name: str, default: int) -> int:
            value = os.environ.get(name, "").strip()
            return int(value) if value.isdigit() and int(value) > 0 else default

        return cls(number("ALU_MAX_ATTACHMENTS_MB", cls.megabytes), number("ALU_MAX_ATTACHMENT_PAGES", cls.pages))


def looks_like_pdf(head: bytes) -> bool:
    """A PDF starts with %PDF- within its first kilobyte (some writers put bytes before it)."""
    return b"%PDF-" in head[:1024]


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs warnings ("EOF marker not found") for files it then rejects or repairs:
    the user gets one clear error from us instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def open_attachment(path: Path, label: str | None = None, *, deep: bool = False) -> PdfReader:
    """Open an attachment PDF (best: its normalised copy) with pypdf for merging, or raise
    AttachmentError naming the file. `deep` also decodes every page's content."""
    from pypdf import PdfReader  # ~0.2 s to import: only when an attachment is opened
    from pypdf.errors import DependencyError

    label = label or display_path(path)
    with quiet_pypdf():
        try:
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")
                except DependencyError:
                    raise AttachmentError(
                        f"{label}: the PDF is encrypted with AES and this installation of alu-docs lacks the "
                        "'cryptography' package; run `make clean` and then your make command again") from None
                if not opened:
                    raise AttachmentError(f"{label}: {PASSWORD}")
            count = len(reader.pages)
            if count > MAX_ATTACHMENT_PAGES:
                raise AttachmentError(f"{label}: {count} pages; an attachment may have at most "
                                      f"{MAX_ATTACHMENT_PAGES} pages (attach a summary or a link instead)")
            for page in reader.pages:
                _ = page.mediabox, page.rotation
                if deep:
                    contents = page.get_contents()
                    if contents is not None:
                        contents.get_data()
        except AttachmentError:
            raise
        except Exception as exc:  # pypdf raises many kinds of errors for a damaged file
            raise AttachmentError(
                f"{label}: the PDF is damaged and cannot be read ({exc.__class__.__name__}: {exc}); "
                "open it and save or export it as PDF again") from None
    if count == 0:
        raise AttachmentError(f"{label}: the PDF has no pages")
    return reader


# --- the check's verdicts, cached ---------------------------------------------------------------


@dataclass
class Verdict:
    """What opening the file found, as normalisation would find it."""

    pages: int = 0
    repairs: tuple[str, ...] = ()
    refusal: str | None = None


class VerdictCache:
    """Verdicts by sha256, and sha256 by (path, size, mtime), in one small JSON file."""

    def __init__(self, cache: Path) -> None:
        self.file = cache / "attachments" / f"index-n{NORMALISER}.json"
        self.project = cache.parent.parent  # cache is PROJECT/.alu-work/cache
        self.files: dict[str, list] = {}
        self.verdicts: dict[str, dict] = {}
        self.stamp: tuple[int, int] | None = None
        self.dirty = False  # new entries not yet written: they are written at most every 2 s, and at exit
        self.saved_at = 0.0
        self._load()
        atexit.register(self.save)

    def _load(self) -> None:
        try:
            stat = self.file.stat()
            data = json.loads(self.file.read_text())
            self.files, self.verdicts = dict(data["files"]), dict(data["verdicts"])
            self.stamp = (stat.st_size, stat.st_mtime_ns)
        except (OSError, ValueError, KeyError, TypeError):
            self.files, self.verdicts = {}, {}

    def fresh(self) -> VerdictCache:
        """Reload when another process has written the file since (and we have nothing new)."""
        if self.dirty:
            return self
        with contextlib.suppress(OSError):
            stat = self.file.stat()
            if (stat.st_size, stat.st_mtime_ns) != self.stamp:
                self._load()
        return self

    def sha256(self, path: Path) -> str:
        stat = path.stat()
        key = str(path.resolve())
        known = self.files.get(key)
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            return known[2]
        digest = file_sha256(path)
        self.files[key] = [stat.st_size, stat.st_mtime_ns, digest]
        self._changed()
        return digest

    def known(self, path: Path, resolved: Path | None = None) -> Verdict | None:
        """The verdict kept for this file as it is now (same size and mtime), else None: never
        reads the file. `resolved`: the path resolved already (saves the look-ups)."""
        stat = path.stat()
        entry = self.files.get(str(resolved or path.resolve()))
        if not entry or entry[:2] != [stat.st_size, stat.st_mtime_ns] or entry[2] not in self.verdicts:
            return None
        known = self.verdicts[entry[2]]
        return Verdict(known["pages"], tuple(known["repairs"]), known["refusal"])

    def verdict(self, path: Path) -> Verdict:
        digest = self.sha256(path)
        known = self.verdicts.get(digest)
        if known is not None:
            return Verdict(known["pages"], tuple(known["repairs"]), known["refusal"])
        try:
            opened = inspect(path)
            found = Verdict(opened.pages, tuple(opened.repairs))
        except Refused as why:
            found = Verdict(refusal=str(why))
        self.verdicts[digest] = {"pages": found.pages, "repairs": list(found.repairs), "refusal": found.refusal}
        self._changed()
        return found

    def _changed(self) -> None:
        self.dirty = True
        if time.monotonic() - self.saved_at > 2:
            self.save()

    def save(self) -> None:
        """Write the index (atomically) when it has unsaved entries."""
        if not self.dirty or not self.project.is_dir():  # (at exit: a project removed meanwhile stays gone)
            return
        self.dirty, self.saved_at = False, time.monotonic()
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}")
            temporary.write_text(json.dumps({"files": self.files, "verdicts": self.verdicts}))
            os.replace(temporary, self.file)
            stat = self.file.stat()
            self.stamp = (stat.st_size, stat.st_mtime_ns)


_caches: dict[Path, VerdictCache] = {}


def verdicts(cache: Path) -> VerdictCache:
    """The verdict cache of a project (one per process, reloaded when changed on disk)."""
    if cache not in _caches:
        _caches[cache] = VerdictCache(cache)
    return _caches[cache].fresh()


def save_verdicts() -> None:
    """Write every verdict cache now (done at exit anyway)."""
    for store in _caches.values():
        store.save()


def _resolved(folder: Path) -> Path:
    """A meeting folder resolved (once per process and folder: a check resolves it for every
    attachment). By its absolute path: a relative one means another folder after a chdir."""
    return _resolve_absolute(folder.absolute())


@functools.lru_cache(maxsize=4096)
def _resolve_absolute(folder: Path) -> Path:
    return folder.resolve()


def project_cache(folder: Path) -> Path:
    """`paths.cache` of the project a meeting folder (meetings/YYYY-MM-DD) belongs to."""
    return Paths.at(_resolved(folder).parent.parent).cache


def check_attachment(folder: Path, written: str, *, cache: Path | None = None,
                     limits: Limits | None = None, deep: bool = True) -> str | None:
    """Why an attachment path is refused, or None when normalisation can make an archival
    copy of it (a damaged file it can repair is accepted; the build prints a warning).
    Not `deep`: the path checks, and a verdict only if the cache has one (see the top)."""
    limits = limits or Limits.from_environment()
    rel = Path(written)
    if rel.is_absolute() or written.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", written):
        return f"expected a path relative to the meeting folder; got absolute path {written!r}"
    if ".." in rel.parts or ".." in written.replace("\\", "/").split("/"):
        return f"expected a path inside the meeting folder; got {written!r} (no '..')"
    full = folder / rel
    resolved = full.resolve()
    if not resolved.is_relative_to(_resolved(folder)):
        return f"expected a file inside the meeting folder; {written!r} is a link to outside it"
    if not full.exists():
        return f"file not found: {display_path(full)}"
    if not full.is_file():
        return f"expected a PDF file; {written!r} is a folder"
    size = full.stat().st_size
    if size > limits.megabytes * 2**20:
        return (f"{written!r} is {size / 2**20:.0f} MB; a meeting's attachments may be at most {limits.megabytes} MB "
                "in all (make the file smaller, or set ALU_MAX_ATTACHMENTS_MB)")
    if not _head_is_pdf(full):
        return f"expected a PDF; {written!r} is not one (it does not start with %PDF-)"
    store = verdicts(cache or project_cache(folder))
    found = store.verdict(full) if deep else store.known(full, resolved)
    if found is None:
        return None
    if found.refusal:
        return f"{written!r}: {found.refusal}"
    if found.pages > limits.pages:
        return (f"{written!r} has {found.pages} pages; a meeting's attachments may have at most {limits.pages} "
                "pages in all (attach a summary or a link instead, or set ALU_MAX_ATTACHMENT_PAGES)")
    return None


def _head_is_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        return looks_like_pdf(fh.read(1024))


def attachment_repairs(path: Path, cache: Path) -> tuple[str, ...]:
    """What normalisation will repair in an accepted attachment (for a warning in `check`)."""
    return verdicts(cache).verdict(path).repairs


def meeting_attachments_problem(folder: Path, files: list[Path], *, cache: Path | None = None,
                                limits: Limits | None = None, deep: bool = True) -> str | None:
    """Why the attachments of the meeting in `folder` together are too much, or None. Only
    files that passed `check_attachment` are counted (their verdicts are cached by then;
    not `deep`: pages are counted only where the cache has the verdict)."""
    limits = limits or Limits.from_environment()
    present = [f for f in dict.fromkeys(files) if f.is_file()]
    if not present:
        return None
    size = sum(f.stat().st_size for f in present)
    if size > limits.megabytes * 2**20:
        return (f"the attachments are {size / 2**20:.0f} MB in all; a meeting's attachments may be at most "
                f"{limits.megabytes} MB (make the files smaller, or set ALU_MAX_ATTACHMENTS_MB)")
    store = verdicts(cache or project_cache(folder))
    # (not deep: only verdicts kept for the file as it is, which was a PDF then; no file is read)
    found = [store.verdict(f) for f in present if _head_is_pdf(f)] if deep else [store.known(f) for f in present]
    pages = sum(verdict.pages for verdict in found if verdict is not None)
    if pages > limits.pages:
        return (f"the attachments have {pages} pages in all; a meeting's attachments may have at most "
                f"{limits.pages} pages (attach summaries or links instead, or set ALU_MAX_ATTACHMENT_PAGES)")
    return None
