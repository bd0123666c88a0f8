"""Whether `alu-docs build --all` has anything to do, decided before the build machinery is
imported (~0.3 s of a no-op's 0.5 s; the CLI asks first, build.build_all again): a sha256
over every file a build reads, kept in the project's cache (`cache/build-all.json`) with
the manifest's digest."""

from __future__ import annotations

import json
from pathlib import Path

from . import __version__, cachefile
from .archive import Manifest, file_sha256, sha256
from .paths import Paths

NOTHING_CHANGED = "done     nothing changed since the last build --all (meetings, templates, code)"
STAMP = "build-all.json"  # in the project's cache: not archival, not in the manifest


def inputs_stamp(paths: Paths) -> str:
    """sha256 over every file a build reads: meetings/ (YAML, roster, attachments),
    templates/ and the code itself."""
    parts = [__version__]
    for folder in (paths.meetings, paths.templates, Path(__file__).parent):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts.append(f"{path.relative_to(folder).as_posix()}:{file_sha256(path)}")
    return sha256("\n".join(parts).encode())


def save_stamp(paths: Paths, stamp: str) -> None:
    manifest = Manifest.load(paths.archive)
    cachefile.write(paths.cache / STAMP, json.dumps({"stamp": stamp, "manifest": manifest.digest()}).encode())


def stamp_matches(paths: Paths, stamp: str) -> bool:
    """The last build --all saw the same inputs, the manifest is the one it left, and every
    recorded file is still there with its size."""
    try:
        saved = json.loads((paths.cache / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    manifest = Manifest.load(paths.archive)
    return saved.get("stamp") == stamp and saved.get("manifest") == manifest.digest() and bool(manifest.files) \
        and all((paths.archive / r).is_file() and (paths.archive / r).stat().st_size == e["size"]
                for r, e in manifest.files.items())
