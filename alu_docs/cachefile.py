"""One entry of a content-keyed cache in the project's .alu-work/cache/ (filled DOCX, finished
PDFs, packets): read it, or write it atomically and drop the least recently used entries of
its folder beyond a limit. A cache that cannot be read or written is no error: the caller
makes the file again."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def find(entry: Path) -> bytes | None:
    """The entry's bytes (and it counts as used now), or None."""
    try:
        data = entry.read_bytes()
        os.utime(entry)
        return data
    except OSError:
        return None


def keep(entry: Path, data: bytes, limit: int) -> None:
    """Write the entry (temporary file + rename); keep at most `limit` files like it."""
    with contextlib.suppress(OSError):
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary = entry.with_name(f".{entry.name}.{os.getpid()}")
        temporary.write_bytes(data)
        temporary.replace(entry)
        entries = sorted(entry.parent.glob(f"*{entry.suffix}"), key=lambda p: p.stat().st_mtime)
        for old in entries[: max(0, len(entries) - limit)]:
            old.unlink(missing_ok=True)
