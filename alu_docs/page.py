"""`alu-docs page`: the committee page's sections "Møteplan" and "Tidligere møter", as
Markdown and HTML, generated from the meetings and the archive instead of hand-edited.

"Møteplan" lists the meetings of the newest term (rhythm.term_of: spring January–June,
autumn July–December) as "27.08.25"; "Tidligere møter" lists every earlier meeting, newest first and
grouped by year, as "25. januar" with its documents (notice, minutes) and the
page's notes ("Referat ble ikke skrevet."). Documents not in this archive
are named, not linked. Default output: archive/side/moter.md and moter.html (recorded in
the manifest), with links relative to that folder; `--base-url` makes them absolute.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date

from . import names
from .archive import Manifest, transaction, write_file
from .index import archived_pdfs
from .model import Meeting, load_all
from .names import MINUTES, NOTICE, PACKET
from .paths import Echo, Paths
from .rhythm import term_of
from .texts import ARCHIVE_TEXTS, short_date, texts

PAGE_DIR = "side"
STEM = "moter"


@dataclass
class Item:
    """One meeting on the page: its date text and a list of (text, link or None)."""

    when: str
    sentences: list[list[tuple[str, str | None]]]


def _when(meeting: Meeting, language: str) -> str:
    """'25. januar', '18.–19. oktober' (the page's way, without the year)."""
    end = meeting.end_date
    if end and end != meeting.date:
        first = format_date(meeting.date, "d." if end.month == meeting.date.month else "d. MMMM", locale=language)
        return f"{first}–{format_date(end, 'd. MMMM', locale=language)}"
    return format_date(meeting.date, "d. MMMM", locale=language)


def _parts(meeting: Meeting, pdfs: list[str], language: str,
           link: Callable[[str], str]) -> list[tuple[str, str | None]]:
    t = {**texts(language), **ARCHIVE_TEXTS[language]}
    roles = {}
    for relative in pdfs:
        parsed = names.parse(relative)
        if parsed and parsed.key.case is None:
            roles[parsed.key.kind] = relative
    parts: list[tuple[str, str | None]] = []
    for kind, label, legacy in ((NOTICE, t["doc_notice"], meeting.legacy_notice),
                                (PACKET, t["doc_packet"], False),
                                (MINUTES, t["doc_minutes"], meeting.legacy_minutes)):
        label = label.lower()
        if kind in roles:
            draft = kind == MINUTES and meeting.minutes_status == "draft"
            parts.append((f"{label} ({t['draft'].lower()})" if draft else label, link(roles[kind])))
        elif legacy:
            parts.append((f"{label} ({t['elsewhere']})", None))
    return parts


def _sentences(meeting: Meeting, parts: list[tuple[str, str | None]],
               language: str) -> list[list[tuple[str, str | None]]]:
    """Title, documents (one sentence, comma-separated) and note, as the page writes them."""
    t = ARCHIVE_TEXTS[language]
    note = meeting.minutes_note or (t["state_not_written"] if meeting.minutes_status == "not-written" else None)
    return [s for s in ([(meeting.title, None)] if meeting.title else [], parts, [(note, None)] if note else []) if s]


def page_sections(paths: Paths, *, base_url: str | None = None, out: Path | None = None) -> tuple[str, str]:
    """The two sections as (Markdown, HTML)."""
    committee, meetings = load_all(paths.meetings)
    language = committee.language
    t = {**texts(language), **ARCHIVE_TEXTS[language]}
    manifest = Manifest.load(paths.archive)
    pdfs = archived_pdfs(manifest.files)
    out = out or paths.archive / PAGE_DIR

    def link(relative: str) -> str:
        if base_url:
            return base_url.rstrip("/") + "/" + relative
        return Path(os.path.relpath(paths.archive / relative, out)).as_posix()

    ordered = sorted(meetings, key=lambda m: m.date)
    def term(meeting: Meeting) -> tuple[int, str]:
        return meeting.date.year, term_of(meeting.date)

    newest = term(ordered[-1]) if ordered else None
    plan = [m for m in ordered if term(m) == newest]
    earlier = [m for m in reversed(ordered) if term(m) != newest]
    term_name = ""
    if newest:
        term_name = f"{t['season_autumn'] if newest[1] else t['season_spring']} {newest[0]}"
    def item(m: Meeting, when: str) -> Item:
        return Item(when, _sentences(m, _parts(m, pdfs.get(m.date.isoformat(), []), language, link), language))

    plan_items = [item(m, short_date(m.date)) for m in plan]
    years: dict[int, list[Item]] = {}
    for m in earlier:
        years.setdefault(m.date.year, []).append(item(m, _when(m, language)))
    span = f"{min(years)}–{max(years)}" if years else ""
    plan_title = f"{t['plan']} {term_name}".strip()
    earlier_title = f"{t['earlier']} {span}".strip()
    return _markdown(plan_title, plan_items, earlier_title, years), _html(plan_title, plan_items, earlier_title, years,
                                                                          committee.name, language)


def _join(sentences: list[str]) -> str:
    return " ".join(s if s.endswith(".") or i == len(sentences) - 1 else s + "." for i, s in enumerate(sentences))


def _md_parts(sentences: list[list[tuple[str, str | None]]]) -> str:
    return _join([", ".join(f"[{text}]({target})" if target else text for text, target in parts)
                  for parts in sentences])


def _markdown(plan_title: str, plan: list[Item], earlier_title: str, years: dict[int, list[Item]]) -> str:
    lines = [f"## {plan_title}", ""]
    lines += [f"- {item.when}" + (f": {_md_parts(item.sentences)}" if item.sentences else "") for item in plan]
    lines += ["", f"## {earlier_title}"]
    for year, items in years.items():
        lines += ["", f"### {year}", ""]
        lines += [f"- {item.when}" + (f": {_md_parts(item.sentences)}" if item.sentences else "") for item in items]
    return "\n".join(lines) + "\n"


def _html_parts(sentences: list[list[tuple[str, str | None]]]) -> str:
    return _join([", ".join(f'<a href="{html.escape(target)}">{html.escape(text)}</a>' if target
                            else html.escape(text) for text, target in parts) for parts in sentences])


def _html(plan_title: str, plan: list[Item], earlier_title: str, years: dict[int, list[Item]],
          committee: str, language: str) -> str:
    def items(entries: list[Item]) -> list[str]:
        lines = [f"  <li>{html.escape(i.when)}" + (f": {_html_parts(i.sentences)}" if i.sentences else "") + "</li>"
                 for i in entries]
        return ["<ul>", *lines, "</ul>"]

    body = [f"<h2>{html.escape(plan_title)}</h2>", *items(plan), f"<h2>{html.escape(earlier_title)}</h2>"]
    for year, entries in years.items():
        body += [f"<h3>{year}</h3>", *items(entries)]
    lang = "nb" if language == "nb" else "en"
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        f"<title>{html.escape(committee)} – {html.escape(plan_title)}</title>", "</head>", "<body>",
        *body, "</body>", "</html>", "",
    ])


def write_page(paths: Paths, *, out: Path | None = None, base_url: str | None = None,
               echo: Echo = print) -> list[Path]:
    """Write moter.md and moter.html: into archive/side/ (recorded in the manifest) or `out`."""
    markdown, page = page_sections(paths, base_url=base_url, out=out)
    files = {f"{STEM}.md": markdown.encode(), f"{STEM}.html": page.encode()}
    written = []
    inside = out is None or out.resolve().is_relative_to(paths.archive.resolve())
    if inside:
        folder = (out or paths.archive / PAGE_DIR).resolve().relative_to(paths.archive.resolve()).as_posix()
        with transaction(paths) as tx:
            for name, data in files.items():
                written.append(paths.archive / tx.write(f"{folder}/{name}", data, kind="page"))
    else:
        for name, data in files.items():
            written.append(write_file(out, name, data))
    for path in written:
        echo(f"page     {path}")
    return written
