"""Where a project's folders are: meetings/, archive/, templates/, internal/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Paths:
    """Where a project's folders are. Every library function takes one."""

    meetings: Path
    archive: Path
    templates: Path
    internal: Path

    @classmethod
    def at(cls, root: Path) -> Paths:
        return cls(root / "meetings", root / "archive", root / "templates", root / "internal")
