"""What every library function takes: the project's folders, and where to print.

    meetings/   the YAML the presenters and the secretary write (git-tracked)
    archive/    what readers browse: the public PDFs, the index, the calendar, the manifest
    internal/   the internal edition of confidential cases (git-ignored, never published)
    templates/  the Word templates
    .alu-work/  caches, work folders and the converter's state (git-ignored, disposable)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Echo = Callable[[str], None]  # one progress or result line for the user (click.echo, print, list.append)


@dataclass
class Paths:
    """Where a project's folders are."""

    meetings: Path
    archive: Path
    templates: Path
    internal: Path
    work: Path

    @classmethod
    def at(cls, root: Path) -> Paths:
        return cls(root / "meetings", root / "archive", root / "templates", root / "internal", root / ".alu-work")

    @property
    def cache(self) -> Path:
        """Disposable caches keyed by content (sha256): attachments, PDF text, build stamps."""
        return self.work / "cache"
