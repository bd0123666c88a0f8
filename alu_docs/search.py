"""`alu-docs search`: find meetings and cases by words in titles, YAML text and the text
of the archived PDFs.

Only public text is searched: the YAML of cases that are not confidential (a confidential
case is found only by its number and legal basis) and the PDFs of `archive/` (the public
edition; `internal/` is never read). PDF text is extracted once with pypdf and cached in
`.alu-work/cache/pdf-text.json`, keyed by the file's sha256, so the cache holds nothing
that is not already public in the archive. `internal=True` (`--internal`) also searches the
confidential cases' own text (title, presenter, texts, guests, attachments, actions) from
their YAML, for the secretary; it is never cached.

Matching ignores case and Unicode form (NFC/NFKC, casefold), and spells æ, ø, å as ae,
oe, aa on both sides, so "losning" does not match but "loesning" and "LØSNING" find
"løsning". Every word of the query must occur in the same meeting, case or document.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import unicodedata
from dataclasses import dataclass

from . import names
from .archive import Manifest, write_file
from .context import Context
from .errors import AluError
from .load import display_path
from .meetingcache import load_all
from .model import Case
from .names import CASE, MINUTES, NOTICE, PACKET
from .paths import Echo, Paths
from .texts import ARCHIVE_TEXTS

CACHE = "pdf-text.json"  # in the project's cache folder (.alu-work/cache/), never in archive/
_FOLD = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe"))
_ABOVE_SPACING_LETTERS = re.compile("[^\x00-\u02ff]")


def fold(text: str) -> str:
    """Text as it is compared: NFKC, casefolded, æøå spelled out, other accents dropped,
    whitespace collapsed."""
    if text.isascii():  # nothing to normalise or spell out
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKC", text).casefold()
    for letter, spelled in _FOLD:  # str.replace: ten times faster than str.translate here
        if letter in text:
            text = text.replace(letter, spelled)
    if not text.isascii():  # accents off (combining marks are all from U+0300 on)
        text = unicodedata.normalize("NFKD", text)
        for mark in {ch for ch in _ABOVE_SPACING_LETTERS.findall(text) if unicodedata.combining(ch)}:
            text = text.replace(mark, "")
    return " ".join(text.split())


@dataclass
class Hit:
    date: dt.date
    case: str  # "ALU-sak 3/25", or "" for the meeting itself
    title: str
    file: str  # where to read it: an archived PDF, else the meeting.yaml
    snippet: str = ""

    def line(self) -> str:
        return "  ".join(part for part in (self.date.isoformat(), self.case or "-", self.title, self.file))


def _snippet(text: str, words: list[str], width: int = 90) -> str:
    """A short piece of `text` around the first word that holds the first query word."""
    tokens = text.split()
    at = next((i for i, token in enumerate(tokens) if words[0] in fold(token)), 0)
    start = max(0, at - 4)
    piece = " ".join(tokens[start:])
    cut = piece[:width]
    return ("…" if start else "") + cut + ("…" if len(piece) > width else "")


def pdf_texts(paths: Paths, manifest: Manifest) -> dict[str, str]:
    """{relative path: text} of every archived PDF, from the cache where possible; new
    extractions are added to the cache."""
    archive = paths.archive
    cache_path = paths.cache / CACHE
    try:
        cache: dict[str, str] = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        cache = {}
    texts: dict[str, str] = {}
    added = False
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    for relative, entry in sorted(manifest.files.items()):
        if not relative.endswith(".pdf") or not entry.get("meeting") or not (archive / relative).is_file():
            continue
        key = entry["sha256"]
        if key not in cache:
            from pypdf import PdfReader  # ~0.2 s to import: only for PDFs not read before

            try:
                reader = PdfReader(io.BytesIO((archive / relative).read_bytes()))
                cache[key] = "\n".join(page.extract_text() or "" for page in reader.pages)
            except Exception:  # an unreadable PDF is reported by `alu-docs verify`, not here
                cache[key] = ""
            added = True
        texts[relative] = cache[key]
    if added:
        live = {entry["sha256"] for entry in manifest.files.values()}
        data = {k: v for k, v in cache.items() if k in live}
        write_file(paths.cache, CACHE, json.dumps(data, ensure_ascii=False, sort_keys=True).encode())
    return texts


def case_text(case: Case, label: str) -> str:
    """Everything the YAML says about a case, as one searchable text."""
    return " ".join(filter(None, [
        label, case.title, case.presenter.name, case.presenter.unit, case.summary, case.assessment,
        case.proposal, case.notes, case.conclusion, case.withdrawn,
        *(a.title for a in case.attachments), *(a.file for a in case.attachments if case.confidential),
        *(f"{g.name} {g.unit or ''}" for g in case.guests),
        *(f"{a.task} {a.owner}" if case.confidential else a.task for a in case.actions),
    ]))


def search(paths: Paths, query: str, *, internal: bool = False) -> list[Hit]:
    """Meetings, cases and archived documents whose public text holds every word of `query`;
    with `internal`, confidential cases by their own text too (never cached)."""
    words = fold(query).split()
    if not words:
        raise AluError("search: give one or more words to look for, e.g. alu-docs search omstilling")
    committee, meetings = load_all(paths.meetings, full_check=(), cache=paths.cache)  # no attachment opened
    ctx = Context.build(committee, meetings)
    manifest = Manifest.load(paths.archive)
    archive_label = paths.archive.name
    meetings_label = display_path(paths.meetings)  # once: display_path resolves the path
    by_file: dict[str, tuple[dt.date, str, str]] = {}  # archived PDF -> (date, case, title)
    hits: dict[tuple[dt.date, str, str], Hit] = {}

    def matches(text: str) -> bool:
        folded = fold(text)
        return all(word in folded for word in words)

    for meeting in meetings:
        day = meeting.date
        meeting_title = meeting.title or ("Samling" if meeting.kind == "seminar" else "Møte")
        meeting_text = " ".join(filter(None, [meeting.title, meeting.minutes_note, meeting.place,
                                              meeting.any_other_business, day.isoformat()]))
        notice = ctx.relative(ctx.key(meeting, NOTICE))
        yaml_file = f"{meetings_label}/{meeting.folder.name}/{meeting.yaml_path.name}"
        meeting_file = f"{archive_label}/{notice}" if notice in manifest.files else yaml_file
        if meeting.title and matches(meeting_text):
            hits[(day, "", meeting_title)] = Hit(day, "", meeting_title, meeting_file, _snippet(meeting_text, words))
        for case in meeting.cases:
            label = ctx.case_label(meeting, case)
            paper = ctx.relative(ctx.key(meeting, CASE, case))
            title = ctx.public_title(case)
            text = f"{label} {title}" if case.confidential and not internal else case_text(case, label)
            by_file[paper] = (day, label, title)
            if matches(text):
                file = f"{archive_label}/{paper}" if paper in manifest.files else yaml_file
                if case.confidential and internal:  # the secretary's view: its own title and file
                    title = f"{case.title} ({title})"
                    file = display_path(case.content_file) if case.content_file else yaml_file
                hits[(day, label, title)] = Hit(day, label, title, file, _snippet(text, words))

    t = ARCHIVE_TEXTS[committee.language]
    kind_titles = {NOTICE: t["doc_notice"], MINUTES: t["doc_minutes"], PACKET: t["doc_packet"], CASE: t["doc_case"]}
    for relative, text in pdf_texts(paths, manifest).items():
        name = relative.rsplit("/", 1)[-1]
        parsed = names.parse(name)
        if parsed is None or not matches(text + " " + name):
            continue
        day = parsed.key.date
        if relative in by_file:
            day, label, title = by_file[relative]
        else:
            label, title = "", kind_titles[parsed.key.kind]
        hit = Hit(day, label, title, f"{archive_label}/{relative}", _snippet(text, words))
        key = (day, label, title)
        if key not in hits or not hits[key].file.endswith(".pdf"):
            hits[key] = hit
    return sorted(hits.values(), key=lambda h: (h.date, h.case, h.file), reverse=True)


def run_search(paths: Paths, query: str, *, internal: bool = False, echo: Echo = print) -> list[Hit]:
    """`alu-docs search TEXT`: print one line per hit (date, case, title, file) and a snippet."""
    hits = search(paths, query, internal=internal)
    for hit in hits:
        echo(hit.line())
        if hit.snippet:
            echo(f"    {hit.snippet}")
    echo(f"{len(hits)} hit{'s' if len(hits) != 1 else ''} for {query!r}")
    return hits
