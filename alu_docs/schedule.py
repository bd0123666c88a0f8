"""`alu-docs plan`: the meeting plan ("schedule" in the code) for a year or a term, as
document, PDF and calendar.

The plan lists the meetings that have a folder (held before today, planned from today)
and proposes further dates after the term's last meeting: the committee's weekday every
`cadence_weeks`, passing over Norwegian public holidays and the breaks (rhythm.py).
`--create` makes the folders of the proposed dates, so presenters can add their cases.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_date

from .archive import transaction
from .context import Context
from .convert import to_pdf
from .docxfill import render_docx
from .errors import AluError
from .ical import write_calendar
from .load import display_path
from .model import Meeting, load_all
from .names import PLAN_TEMPLATE, plan_relative, plan_stem
from .paths import Echo, Paths
from .rhythm import TERMS, next_free, term_of, term_window, weekday_of
from .texts import clock, long_date, medium_date, texts

NEW_MEETING = """\
# Planned meeting (proposed by `alu-docs plan {year}{term}`, following the committee's rhythm).
# Move it by renaming the folder and changing `date:`; delete the folder if there is no meeting.
# Case presenters: add your case with `alu-docs new-case {date}`.
date: {date}
kind: ordinary
minutes:
  status: none
"""


@dataclass
class ScheduleRow:
    """One date of the plan: a meeting folder (held or planned) or a proposed date."""

    date: dt.date
    status: str  # held | planned | proposed
    meeting: Meeting | None = None


@dataclass
class TermSchedule:
    year: int
    term: str
    rows: list[ScheduleRow] = field(default_factory=list)
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)  # (date, holiday name or break key)

    @property
    def proposed(self) -> list[dt.date]:
        return [r.date for r in self.rows if r.status == "proposed"]


@dataclass
class ScheduleResult:
    terms: list[TermSchedule]
    written: list[str] = field(default_factory=list)
    created: list[dt.date] = field(default_factory=list)


def propose(ctx: Context, year: int, term: str, today: dt.date) -> tuple[list[dt.date], list[tuple[dt.date, str]]]:
    """Dates continuing the committee's cadence after the term's last meeting (or, with no
    meeting in the term, from the previous meeting's rhythm or the term's first free day),
    on its weekday, from today to the end of the term; and the dates passed over, with why."""
    committee = ctx.committee
    first, last = term_window(year, term)
    weekday = weekday_of(committee)
    step = dt.timedelta(weeks=committee.cadence_weeks)
    dates = [m.date for m in ctx.meetings]
    in_term = [d for d in dates if d.year == year and term_of(d) == term]
    earlier = [d for d in dates if d < first]
    if in_term or earlier:
        day = (in_term or earlier)[-1] + step
        while day < first:
            day += step
    else:
        day = first
    day += dt.timedelta(days=(weekday - day.weekday() + 3) % 7 - 3)  # the nearest committee weekday
    if day < first:
        day += dt.timedelta(weeks=1)
    while day < today:  # a date in the past is no proposal; keep the rhythm
        day += step
    proposed: list[dt.date] = []
    skipped: list[tuple[dt.date, str]] = []
    while day <= last:
        free, passed = next_free(day)
        skipped += [(d, why) for d, why in passed if d <= last]
        if free > last:
            break
        proposed.append(free)
        day = free + step
    return proposed, skipped


def schedule_term(ctx: Context, year: int, term: str, today: dt.date) -> TermSchedule:
    """The rows of one term: its meeting folders and the proposed dates, in date order."""
    result = TermSchedule(year, term)
    for meeting in ctx.meetings:
        if meeting.date.year == year and term_of(meeting.date) == term:
            status = "held" if meeting.date < today else "planned"
            result.rows.append(ScheduleRow(meeting.date, status, meeting))
    proposed, result.skipped = propose(ctx, year, term, today)
    result.rows += [ScheduleRow(d, "proposed") for d in proposed]
    result.rows.sort(key=lambda r: r.date)
    return result


def _terms(term: str | None) -> tuple[str, ...]:
    return (term,) if term else TERMS


def period(ctx: Context, year: int, term: str | None) -> str:
    t = texts(ctx.committee.language)
    return t[f"plan_{term}" if term else "plan_year"].format(year=year)


def rhythm_text(ctx: Context) -> str:
    committee = ctx.committee
    t = texts(committee.language)
    sample = dt.date(2024, 1, 1) + dt.timedelta(days=weekday_of(committee))  # 2024-01-01 is a Monday
    weekday = format_date(sample, "EEEE", locale=committee.language)
    key = "plan_rhythm_weekly" if committee.cadence_weeks == 1 else "plan_rhythm_text"
    return t[key].format(weekday=weekday, weeks=committee.cadence_weeks)


def _when(row: ScheduleRow, language: str) -> str:
    meeting = row.meeting
    if meeting and meeting.end_date and meeting.end_date > meeting.date:
        return f"{long_date(meeting.date, language)} – {long_date(meeting.end_date, language)}"
    return long_date(row.date, language)


def _cases(ctx: Context, row: ScheduleRow) -> list[str]:
    """Public edition: a confidential case shows only its number and legal basis."""
    meeting = row.meeting
    if meeting is None:
        return []
    lines = [meeting.title] if meeting.kind == "seminar" and meeting.title else []
    lines += [ctx.agenda_line(meeting, case) for case in meeting.cases]
    if meeting.minutes_note:
        lines.append(meeting.minutes_note)
    return lines


def row_context(ctx: Context, row: ScheduleRow) -> dict[str, str]:
    committee = ctx.committee
    t = texts(committee.language)
    meeting = row.meeting
    if meeting and meeting.end_date and meeting.end_date > meeting.date:
        hours = t["all_day"]
    else:
        start, end = (meeting.start, meeting.end) if meeting else (committee.start, committee.end)
        hours = f"{clock(start)}–{clock(end)}"
    cases = _cases(ctx, row)
    return {
        "date": _when(row, committee.language),
        "time": hours,
        "place": (meeting.place if meeting else committee.place) or "",
        "cases": "\n".join(cases) if cases else {"held": "", "planned": t["no_cases"]}.get(row.status, "–"),
        "status": t[f"status_{row.status}"],
    }


def _skipped_text(ctx: Context, skipped: list[tuple[dt.date, str]]) -> str:
    t = texts(ctx.committee.language)
    return "; ".join(f"{long_date(d, ctx.committee.language)} ({t.get('break_' + why, why)})"
                     for d, why in skipped)


def schedule_context(ctx: Context, year: int, term: str | None, terms: list[TermSchedule],
                     today: dt.date) -> dict[str, Any]:
    """The template context of the plan document."""
    committee = ctx.committee
    language = committee.language
    t = texts(language)
    what = period(ctx, year, term)
    title = f"{t['plan']} {what}"
    chair = committee.chair(today)
    return {
        "t": t,
        "committee": {"name": committee.name, "short": committee.short, "organisation": committee.organisation},
        "header_left": f"{committee.organisation} · {committee.short} · {title}",
        "draft": False,
        "plan": {
            "title": title,
            "period": what[:1].upper() + what[1:],
            "rhythm": rhythm_text(ctx),
            "time": f"{clock(committee.start)}–{clock(committee.end)}",
            "place": committee.place or "",
            "chair": chair.name if chair else "",
            "secretary": committee.secretary or t["secretary_role"],
            "note": t["plan_note"].format(rhythm=rhythm_text(ctx)),
            "as_of": t["plan_as_of"].format(date=medium_date(today, language)),
        },
        "terms": [{
            "heading": (lambda s: s[:1].upper() + s[1:])(period(ctx, tp.year, tp.term)),
            "rows": [row_context(ctx, r) for r in tp.rows],
            "skipped": _skipped_text(ctx, tp.skipped),
        } for tp in terms],
    }


def create_folders(paths: Paths, ctx: Context, terms: list[TermSchedule], year: int, term: str | None) -> list[dt.date]:
    """Make meetings/YYYY-MM-DD/meeting.yaml for every proposed date that has no folder."""
    created = []
    for tp in terms:
        for day in tp.proposed:
            folder = paths.meetings / day.isoformat()
            if folder.exists():
                raise AluError(f"{display_path(folder)} exists but has no valid meeting.yaml; "
                               "fix or remove it before `--create`")
            created.append(day)
    with transaction(paths) as tx:
        for day in created:
            text = NEW_MEETING.format(year=year, term=f" --term {term}" if term else "", date=day.isoformat())
            tx.write(f"{day.isoformat()}/meeting.yaml", text.encode("utf-8"), root="meetings")
    return created


def make_schedule(paths: Paths, year: int, term: str | None = None, *, create: bool = False,
              today: dt.date | None = None, echo: Echo = print) -> ScheduleResult:
    """Write the meeting plan of `year` (or one `term`: spring or autumn) to
    archive/YYYY/ALU-YYYY-<term>-moteplan.docx and .pdf, rewrite the calendar
    archive/ALU-moter.ics, and print the plan. With `create`, first make the meeting
    folders of the proposed dates.

    Raises InvalidInput (nothing written) when a YAML file is invalid, ToolMissing without
    LibreOffice, ConversionFailed when the PDF is not produced.
    """
    if term is not None and term not in TERMS:
        raise AluError(f"expected a term spring or autumn; got {term!r}")
    today = today or dt.date.today()
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    terms = [schedule_term(ctx, year, tm, today) for tm in _terms(term)]
    created: list[dt.date] = []
    if create:
        created = create_folders(paths, ctx, terms, year, term)
        for day in created:
            echo(f"create   {paths.meetings.name}/{day.isoformat()}/meeting.yaml")
        committee, meetings = load_all(paths.meetings)
        ctx = Context.build(committee, meetings)
        terms = [schedule_term(ctx, year, tm, today) for tm in _terms(term)]

    context = schedule_context(ctx, year, term, terms, today)
    docx = render_docx(paths.templates / PLAN_TEMPLATE, context, f"{committee.short} – {context['plan']['title']}",
                       language=committee.language, author=ctx.author, day=dt.date(year, 1, 1))
    result = ScheduleResult(terms, created=created)
    with tempfile.TemporaryDirectory(prefix="alu-plan-") as work_name:
        work = Path(work_name)
        docx_path = work / f"{plan_stem(committee.short, year, term)}.docx"
        docx_path.write_bytes(docx)
        pdf = to_pdf([docx_path], work / "pdf-out", work=paths.work)[0].read_bytes()
    with transaction(paths) as tx:
        for suffix, data in ((".docx", docx), (".pdf", pdf)):
            result.written.append(tx.write(plan_relative(committee.short, year, term, suffix), data, kind="plan"))
        result.written.append(write_calendar(tx, ctx))
    for line in schedule_lines(ctx, context, terms):
        echo(line)
    echo("wrote    " + ", ".join(f"{paths.archive.name}/{r}" for r in result.written))
    return result


def schedule_lines(ctx: Context, context: dict[str, Any], terms: list[TermSchedule]) -> list[str]:
    """The plan as the terminal shows it."""
    lines = [f"{context['plan']['title']} – {ctx.committee.name} ({ctx.committee.short}), "
             f"{context['plan']['rhythm']}"]
    for term_context in context["terms"]:
        lines.append("")
        lines.append(term_context["heading"])
        rows = term_context["rows"]
        width = max((len(r["date"]) for r in rows), default=0)
        for row in rows:
            lines.append(f"  {row['date']:<{width}}  {row['time']:<11}  {row['status']:<9}  {row['place']}")
            if row["cases"] not in (texts(ctx.committee.language)["no_cases"], "–"):
                lines += [f"      {case}" for case in row["cases"].splitlines()]
        if term_context["skipped"]:
            lines.append(f"  {texts(ctx.committee.language)['plan_skipped']}: {term_context['skipped']}")
    return lines
