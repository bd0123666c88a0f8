"""Every file name alu-docs writes, made and read back in one place.

A meeting's documents live in `archive/YYYY/YYYY-MM-DD/` (the internal edition under the
same names in `internal/`), named from a typed key:

    ALU-2025-08-27-innkalling.pdf      notice with agenda           DocKey(date, NOTICE)
    ALU-2025-08-27-sak-005.pdf         case paper of case 5/25      DocKey(date, CASE, case=5)
    ALU-2025-08-27-sakspapirer.pdf     the packet                   DocKey(date, PACKET)
    ALU-2025-08-27-referat.pdf         minutes                      DocKey(date, MINUTES)
    ALU-2025-08-27-innkalling-v1.pdf   an earlier, superseded issue DocKey(date, NOTICE, version=1)

The current file of a document has no version suffix, so links to it never change; when a
document is issued again, the earlier file is kept beside it as `-v1`, `-v2`, ….
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

NOTICE = "innkalling"
CASE = "sak"
PACKET = "sakspapirer"
MINUTES = "referat"
KINDS = (NOTICE, CASE, PACKET, MINUTES)
EDITIONS = ("public", "internal")

# The Word template each kind of document is filled from (templates/…).
TEMPLATES = {NOTICE: "innkalling.docx", CASE: "saksframlegg.docx", MINUTES: "referat.docx"}
INDEX_TEMPLATE = "indeks.docx"
PLAN_TEMPLATE = "moteplan.docx"

MAIL_DIR = "mail"  # e-mail drafts, under internal/

INDEX = "index.pdf"
INDEX_HTML = "index.html"
MANIFEST = "manifest.json"
README = "README.md"

_NAME = re.compile(
    r"^(?P<short>.+?)-(?P<date>\d{4}-\d{2}-\d{2})-"
    rf"(?P<kind>{NOTICE}|{PACKET}|{MINUTES}|{CASE}-(?P<case>\d+))"
    r"(?:-v(?P<version>\d+))?(?P<suffix>\.[a-z]+)?$"
)


@dataclass(frozen=True, order=True)
class DocKey:
    """One document of a meeting: its kind, its case number (case papers), its edition
    (public in archive/, internal in internal/) and, for a superseded issue, its version."""

    date: dt.date
    kind: str
    case: int | None = None
    edition: str = "public"
    version: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown document kind {self.kind!r}")
        if (self.kind == CASE) != (self.case is not None):
            raise ValueError("a case number is given for case papers, and only for them")

    def stem(self, short: str) -> str:
        """'ALU-2025-08-27-sak-005', 'ALU-2025-08-27-innkalling-v1'."""
        version = f"-v{self.version}" if self.version is not None else ""
        return f"{document_stem(short, self.date)}-{self.document}{version}"

    @property
    def document(self) -> str:
        """Which document of its meeting, whatever the date or version: 'innkalling', 'sak-005'
        (how the manifest's meeting record names an issued document)."""
        return f"{CASE}-{self.case:03d}" if self.kind == CASE else self.kind

    def relative(self, short: str, suffix: str = ".pdf") -> str:
        """The path inside the edition's root: '2025/2025-08-27/ALU-2025-08-27-referat.pdf'."""
        return f"{meeting_dir(self.date)}/{self.stem(short)}{suffix}"

    def as_version(self, version: int | None) -> DocKey:
        return replace(self, version=version)

    def in_edition(self, edition: str) -> DocKey:
        return replace(self, edition=edition)


@dataclass(frozen=True)
class Parsed:
    """A file name read back: the committee's short name, the key and the suffix."""

    short: str
    key: DocKey
    suffix: str


def parse(name: str, edition: str = "public") -> Parsed | None:
    """Read a document's file name (or archive-relative path) back into its key; None for
    any other file (index, calendar, plan, an imported file of another name)."""
    match = _NAME.match(name.rsplit("/", 1)[-1])
    if not match:
        return None
    try:
        date = dt.date.fromisoformat(match["date"])
    except ValueError:
        return None
    kind = CASE if match["case"] else match["kind"]
    case = int(match["case"]) if match["case"] else None
    version = int(match["version"]) if match["version"] else None
    return Parsed(match["short"], DocKey(date, kind, case, edition, version), match["suffix"] or "")


def document_stem(short: str, date: dt.date) -> str:
    """How every file of a meeting begins: 'ALU-2025-08-27'."""
    return f"{short}-{date.isoformat()}"


def meeting_dir(date: dt.date) -> str:
    """The folder of a meeting inside the archive: '2025/2025-08-27'."""
    return f"{date.year}/{date.isoformat()}"


def plan_stem(short: str, year: int, term: str | None) -> str:
    """The meeting plan: 'ALU-2025-autumn-moteplan' (a whole year: 'ALU-2025-moteplan')."""
    return f"{short}-{year}-{term + '-' if term else ''}moteplan"


def plan_relative(short: str, year: int, term: str | None, suffix: str) -> str:
    return f"{year}/{plan_stem(short, year, term)}{suffix}"


def calendar_name(short: str) -> str:
    """The calendar in the archive's top folder: 'ALU-moter.ics'."""
    return f"{short}-moter.ics"


def mail_relative(key: DocKey, short: str) -> str:
    """The e-mail draft that sends a document, inside internal/: 'mail/ALU-2025-08-27-innkalling.eml'."""
    return f"{MAIL_DIR}/{key.stem(short)}.eml"
