"""One entry of a content-keyed cache in the project's .alu-work/cache/ (filled DOCX, finished
PDFs, packets): read it, or write it atomically and drop the least recently used entries of
its folder beyond a limit. A cache that cannot be read or written is no error: the caller
makes the file again."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .archive import write_file


def find(entry: Path) -> bytes | None:
    """The entry's bytes (and it counts as used now), or None."""
    try:
        data = entry.read_bytes()
        os.utime(entry)
        return data
    except OSError:
        return None


def write(entry: Path, data: bytes) -> bool:
    """Write the entry whole or not at all (temporary file + rename); False when it could not."""
    try:
        write_file(entry.parent, entry.name, data)
        return True
    except OSError:
        return False


def keep(entry: Path, data: bytes, limit: int) -> None:
    """Write the entry; keep at most `limit` files like it (same folder and suffix)."""
    if not write(entry, data):
        return
    with contextlib.suppress(OSError):
        entries = sorted(entry.parent.glob(f"*{entry.suffix}"), key=lambda p: p.stat().st_mtime)
        for old in entries[: max(0, len(entries) - limit)]:
            old.unlink(missing_ok=True)
