"""`alu-docs page`: the committee page's sections "Møteplan" and "Tidligere møter", as
Markdown and HTML, generated from the meetings and the archive instead of hand-edited.

"Møteplan" lists the meetings of the current term (rhythm.term_of: spring January–June,
autumn July–December, from today's date) and any planned after it, as "27.08.25";
"Tidligere møter" lists every meeting before that term, newest first and grouped by year,
as "25. januar" with its documents (notice, packet, minutes) and the page's notes
("Referat ble ikke skrevet."). Documents not in this archive are named, not
linked; a past meeting without documents, or a cancelled one, says so (the index's states,
index.meeting_entry). Default output: archive/side/moter.md and moter.html (recorded in the
manifest), with links relative to that folder; `--base-url` makes them absolute.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date

from . import names
from .archive import Manifest, transaction, write_file
from .context import Context
from .index import archived_pdfs, index_entries
from .model import Meeting, load_all
from .paths import Echo, Paths
from .rhythm import term_of
from .texts import ARCHIVE_TEXTS, cancelled_note, short_date, texts

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
        if parsed and parsed.key.kind != names.CASE and parsed.key.version is None:  # current files only
            roles[parsed.key.kind] = relative
    parts: list[tuple[str, str | None]] = []
    for kind, label, legacy in ((names.NOTICE, t["doc_notice"], meeting.legacy_notice),
                                (names.PACKET, t["doc_packet"], False),
                                (names.MINUTES, t["doc_minutes"], meeting.legacy_minutes)):
        label = label.lower()
        if kind in roles:
            draft = kind == names.MINUTES and meeting.minutes_status == "draft"
            parts.append((f"{label} ({t['draft'].lower()})" if draft else label, link(roles[kind])))
        elif legacy:
            parts.append((f"{label} ({t['elsewhere']})", None))
    return parts


def _sentences(meeting: Meeting, parts: list[tuple[str, str | None]], state: str,
               language: str) -> list[list[tuple[str, str | None]]]:
    """Title, documents (one sentence, comma-separated), the state when it is news (cancelled,
    nothing in the archive) and note, as the page writes them."""
    t = ARCHIVE_TEXTS[language]
    status = {"cancelled": cancelled_note(meeting.cancelled, language),
              "no-documents": t["state_none_archived"]}.get(state)
    note = meeting.minutes_note or (t["state_not_written"] if meeting.minutes_status == "not-written" else None)
    return [s for s in ([(meeting.title, None)] if meeting.title else [], parts,
                        [(status, None)] if status else [], [(note, None)] if note else []) if s]


def term_start(day: dt.date) -> dt.date:
    """The first day of `day`'s term: 1 January or 1 July."""
    return dt.date(day.year, 1 if term_of(day) == "spring" else 7, 1)


def page_sections(paths: Paths, *, base_url: str | None = None, out: Path | None = None,
                  today: dt.date | None = None) -> tuple[str, str]:
    """The two sections as (Markdown, HTML), as of `today` (default: the real today)."""
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    language = committee.language
    t = {**texts(language), **ARCHIVE_TEXTS[language]}
    files = Manifest.load(paths.archive).files
    pdfs = archived_pdfs(files)
    states = {e.date: e.state for e in index_entries(ctx, files, today=today)}
    out = out or paths.archive / PAGE_DIR

    def link(relative: str) -> str:
        if base_url:
            return base_url.rstrip("/") + "/" + relative
        return Path(os.path.relpath(paths.archive / relative, out)).as_posix()

    def item(m: Meeting, when: str) -> Item:
        parts = _parts(m, pdfs.get(m.date.isoformat(), []), language, link)
        return Item(when, _sentences(m, parts, states[m.date], language))

    def term_name(day: dt.date) -> str:
        return f"{t['season_spring'] if term_of(day) == 'spring' else t['season_autumn']} {day.year}"

    start = term_start(today or dt.date.today())
    plan = [m for m in ctx.meetings if m.date >= start]
    years: dict[int, list[Item]] = {}
    for m in reversed(ctx.meetings):
        if m.date < start:
            years.setdefault(m.date.year, []).append(item(m, _when(m, language)))
    plan_title = f"{t['plan']} {term_name(start)}"
    if plan and term_start(plan[-1].date) != start:  # meetings planned for a later term too
        plan_title += f"–{term_name(plan[-1].date)}"
    plan_items = [item(m, short_date(m.date)) for m in plan]
    span = f"{min(years)}–{max(years)}" if years else ""
    earlier_title = f"{t['earlier']} {span}".strip()
    sections = (plan_title, plan_items, t["plan_empty"], earlier_title, years)
    return _markdown(*sections), _html(*sections, committee.name, language)


def _join(sentences: list[str]) -> str:
    return " ".join(s if s.endswith(".") or i == len(sentences) - 1 else s + "." for i, s in enumerate(sentences))


def _md_parts(sentences: list[list[tuple[str, str | None]]]) -> str:
    return _join([", ".join(f"[{text}]({target})" if target else text for text, target in parts)
                  for parts in sentences])


def _markdown(plan_title: str, plan: list[Item], empty: str, earlier_title: str,
              years: dict[int, list[Item]]) -> str:
    def items(entries: list[Item]) -> list[str]:
        return [f"- {i.when}" + (f": {_md_parts(i.sentences)}" if i.sentences else "") for i in entries]

    lines = [f"## {plan_title}", "", *(items(plan) or [empty]), "", f"## {earlier_title}"]
    for year, entries in years.items():
        lines += ["", f"### {year}", "", *items(entries)]
    return "\n".join(lines) + "\n"


def _html_parts(sentences: list[list[tuple[str, str | None]]]) -> str:
    return _join([", ".join(f'<a href="{html.escape(target)}">{html.escape(text)}</a>' if target
                            else html.escape(text) for text, target in parts) for parts in sentences])


def _html(plan_title: str, plan: list[Item], empty: str, earlier_title: str, years: dict[int, list[Item]],
          committee: str, language: str) -> str:
    def items(entries: list[Item]) -> list[str]:
        lines = [f"  <li>{html.escape(i.when)}" + (f": {_html_parts(i.sentences)}" if i.sentences else "") + "</li>"
                 for i in entries]
        return ["<ul>", *lines, "</ul>"]

    body = [f"<h2>{html.escape(plan_title)}</h2>", *(items(plan) if plan else [f"<p>{html.escape(empty)}</p>"]),
            f"<h2>{html.escape(earlier_title)}</h2>"]
    for year, entries in years.items():
        body += [f"<h3>{year}</h3>", *items(entries)]
    lang = "nb" if language == "nb" else "en"
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        f"<title>{html.escape(committee)} – {html.escape(plan_title)}</title>", "</head>", "<body>",
        *body, "</body>", "</html>", "",
    ])


def write_page(paths: Paths, *, out: Path | None = None, base_url: str | None = None,
               today: dt.date | None = None, echo: Echo = print) -> list[Path]:
    """Write moter.md and moter.html: into archive/side/ (recorded in the manifest) or `out`."""
    markdown, page = page_sections(paths, base_url=base_url, out=out, today=today)
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
