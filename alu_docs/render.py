"""Stage 3: fill the Word templates. Builds each document's context from the model and
renders it with docxtpl (autoescape on, StrictUndefined), giving reproducible DOCX bytes.

Two editions: "public" (what goes to archive/) shows a confidential case only as its
number, "Unntatt offentlighet" and the legal basis; "internal" shows everything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .context import Context
from .docxfill import render_docx
from .model import Case, Meeting, Member
from .names import CASE, MINUTES, NOTICE, TEMPLATES, DocKey
from .texts import cancelled_note, clock, long_date, short_date, texts

STANDING_MINUTES = 5  # the two approvals at the start of every ordinary meeting


@dataclass
class DocPlan:
    """One document to render: which it is, its template's context and its PDF title."""

    key: DocKey
    context: dict[str, Any]
    title: str

    @property
    def template(self) -> str:
        return TEMPLATES[self.key.kind]


@dataclass
class RenderedDoc:
    """One rendered document of a build: which it is, its DOCX bytes and its title."""

    key: DocKey
    docx: bytes
    title: str


_LIST_ITEM = re.compile(r"^\s*([-*•–]|\d+[.)])\s+")


def paragraphs(text: str | None) -> list[str]:
    """Split YAML text into paragraphs at blank lines. Within a paragraph, wrapped lines
    are joined; lines that start a list item ("- ", "1. ") keep their line break."""
    if not text:
        return []
    result = []
    for block in text.replace("\r", "").split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        joined = lines[0]
        for line in lines[1:]:
            joined += ("\n" if _LIST_ITEM.match(line) else " ") + line
        result.append(joined)
    return result


def _short_label(member: Member, t: dict[str, str]) -> str:
    """Name with the unit's short code (or its name), as in lists of people."""
    extra = t["chair_word"] if member.chair else (member.unit or member.unit_name)
    return f"{member.name} ({extra})" if extra else member.name


def presenter_label(case: Case) -> str:
    person = case.presenter
    return f"{person.name} ({person.unit})" if person.guest and person.unit else person.name


def _meeting_facts(ctx: Context, meeting: Meeting) -> dict[str, str]:
    committee = ctx.committee
    t = texts(committee.language)
    chair = committee.chair(meeting.date)
    return {
        "number": ctx.meeting_number(meeting),
        "long_date": long_date(meeting.date, committee.language),
        "short_date": short_date(meeting.date),
        "start": clock(meeting.start),
        "end": clock(meeting.end),
        "place": meeting.place or "",
        "chair": chair.name if chair else "",
        "secretary": committee.secretary or t["secretary_role"],
    }


def _base(ctx: Context, meeting: Meeting, doc_title: str, draft: bool = False) -> dict[str, Any]:
    committee = ctx.committee
    return {
        "t": texts(committee.language),
        "committee": {"name": committee.name, "short": committee.short,
                      "organisation": committee.organisation},
        "meeting": _meeting_facts(ctx, meeting),
        "header_left": f"{committee.organisation} · {committee.short} · {doc_title} "
                       f"{short_date(meeting.date)}",
        "draft": draft,
    }


def agenda_times(meeting: Meeting) -> list[tuple[Case, dt.datetime, dt.datetime]]:
    """Each case on the agenda with its planned start and end (after the standing approvals;
    a withdrawn case takes no time). Datetimes, so an agenda past midnight shows as such."""
    at = dt.datetime.combine(meeting.date, meeting.start) + dt.timedelta(minutes=STANDING_MINUTES)
    times = []
    for case in meeting.cases:
        end = at if case.withdrawn else at + dt.timedelta(minutes=case.duration)
        times.append((case, at, end))
        at = end
    return times


def agenda_rows(ctx: Context, meeting: Meeting, edition: str) -> list[dict[str, str]]:
    """The agenda: standing approvals first, the cases with planned start times, AOB last.
    A withdrawn case keeps its number and place, marked "Trukket", without a time."""
    t = texts(ctx.committee.language)
    start = dt.datetime.combine(meeting.date, meeting.start)
    rows = [
        {"number": "", "title": t["approve_notice"], "code": "V", "presenter": "",
         "time": clock(start.time()), "exempt": ""},
        {"number": "", "title": t["approve_minutes"], "code": "V", "presenter": "",
         "time": clock(start.time()), "exempt": ""},
    ]
    for case, at, _ in agenda_times(meeting):
        hidden = edition == "public" and case.confidential
        title = t["exempt"] if hidden else case.title
        rows.append({
            "number": ctx.case_number(meeting, case),
            "title": f"{t['withdrawn_agenda']}: {title}" if case.withdrawn else title,
            "code": "" if hidden or case.withdrawn else case.code,
            "presenter": "" if hidden or case.withdrawn else presenter_label(case),
            "time": "" if case.withdrawn else clock(at.time()),
            "exempt": case.confidential or "",
        })
    rows.append({"number": "", "title": t["aob"], "code": "", "presenter": "",
                 "time": clock(agenda_finish(meeting).time()), "exempt": ""})
    return rows


def agenda_finish(meeting: Meeting) -> dt.datetime:
    """When the agenda's planned durations run out (AOB starts)."""
    times = agenda_times(meeting)
    return times[-1][2] if times else dt.datetime.combine(meeting.date, meeting.start) + \
        dt.timedelta(minutes=STANDING_MINUTES)


def notice_context(ctx: Context, meeting: Meeting, edition: str,
                   revision: dict[str, Any] | None = None) -> dict[str, Any]:
    """The notice's context; `revision` ({"heading", "changes"}) marks a revised notice
    (records.py decides it)."""
    committee = ctx.committee
    t = texts(committee.language)
    roster = committee.roster(meeting.date)
    substitutes = [m.substitute for m in roster if m.substitute]
    context = _base(ctx, meeting, t["notice"])
    context.update({
        "recipients": {
            "members": ", ".join(_short_label(m, t) for m in roster),
            "observers": ", ".join(o.label for o in committee.observers_on(meeting.date)),
            "cc": t["substitutes_copy"] + (": " + ", ".join(substitutes) if substitutes else ""),
        },
        "agenda": agenda_rows(ctx, meeting, edition),
        "followups": ctx.open_actions(meeting, edition),
        # shown in a frame under the title when set (issue 11)
        "revision": revision,
        "cancelled": None if meeting.cancelled is None else t["cancelled"].format(reason=meeting.cancelled)
        if meeting.cancelled else cancelled_note(None, committee.language),
    })
    return context


def attendance_rows(ctx: Context, meeting: Meeting, edition: str) -> list[dict[str, str]]:
    """Who was there. The public edition leaves out who came for a confidential case (and
    the confidential case from a guest's list); the internal one adds the guests kept in a
    confidential case's content file."""
    committee = ctx.committee
    t = texts(committee.language)
    att = meeting.attendance
    roster = committee.roster(meeting.date)
    numbers = {c.position: ctx.case_number(meeting, c) for c in meeting.cases}
    secret = {c.position for c in meeting.cases if c.confidential}

    def with_partial(name: str, label: str) -> str:
        note = att.partial.get(name)
        return f"{label} ({note})" if note else label

    present = [with_partial(m.name, _short_label(m, t)) for m in roster if m.name not in att.absent]
    substitutes = [f"{with_partial(sub, sub)} {t['substitute_for']} {member}"
                   for member, sub in att.substitutes.items()]
    observers = att.observers
    if observers is None:
        observers = [o.label for o in committee.observers_on(meeting.date)]
    guests = []
    everyone = att.guests + ([g for c in meeting.cases for g in c.guests] if edition == "internal" else [])
    for g in everyone:
        cases = [n for n in g.cases if edition == "internal" or n not in secret]
        if edition == "public" and g.cases and not cases:
            continue
        label = f"{g.name} ({g.unit})" if g.unit else g.name
        if cases:
            label += f", {t['guest_cases']} " + ", ".join(numbers[n] for n in cases)
        guests.append(with_partial(g.name, label))
    none = t["none"]
    return [
        {"label": t["present"], "text": "; ".join(present) or none},
        {"label": t["absent"], "text": ", ".join(att.absent) or none},
        {"label": t["substitutes"], "text": "; ".join(substitutes) or none},
        {"label": t["observers"], "text": ", ".join(observers) or none},
        {"label": t["guests"], "text": "; ".join(guests) or none},
        {"label": t["referent"], "text": att.referent or committee.secretary or t["secretary_role"]},
    ]


def previous_minutes_text(ctx: Context, meeting: Meeting) -> str:
    t = texts(ctx.committee.language)
    previous = ctx.previous(meeting)
    if previous is None:
        return t["minutes_first"]
    when = short_date(previous.date)
    if previous.minutes_status == "approved":
        return t["minutes_approved"].format(date=when)
    if previous.minutes_status == "draft":
        return t["minutes_draft_prev"].format(date=when)
    return t["minutes_none_prev"].format(date=when)


def minutes_context(ctx: Context, meeting: Meeting, edition: str) -> dict[str, Any]:
    t = texts(ctx.committee.language)
    draft = meeting.minutes_status != "approved"
    items: list[dict[str, Any]] = [
        {"heading": t["approve_notice"], "paragraphs": [t["notice_approved"]],
         "conclusion": None, "actions": []},
        {"heading": t["approve_minutes"], "paragraphs": [previous_minutes_text(ctx, meeting)],
         "conclusion": None, "actions": []},
    ]
    for case in meeting.cases:
        hidden = edition == "public" and case.confidential
        if hidden or case.withdrawn:
            title = ctx.public_title(case) if hidden else case.title
            items.append({"heading": f"{ctx.case_label(meeting, case)} {title}",
                          "paragraphs": [t["withdrawn_minutes"]] if case.withdrawn else [],
                          "conclusion": None, "actions": []})
            continue
        conclusion = case.conclusion
        if not conclusion:
            conclusion = t["noted"] if case.type == "information" else (t["conclusion_pending"] if draft else None)
        items.append({
            "heading": f"{ctx.case_label(meeting, case)} {case.title}",
            "paragraphs": paragraphs(case.notes),
            "conclusion": conclusion,
            "actions": [{"task": a.task.rstrip(".") + ".", "owner": a.owner, "due": short_date(a.due) if a.due else ""}
                        for a in case.actions],
        })
    items.append({"heading": t["aob"],
                  "paragraphs": paragraphs(meeting.any_other_business) or [t["aob_none"]],
                  "conclusion": None, "actions": []})
    context = _base(ctx, meeting, t["minutes"], draft=draft)
    context.update({
        "attendance": attendance_rows(ctx, meeting, edition),
        "items": items,
        "followups": ctx.open_actions(meeting, edition),
    })
    return context


def case_context(ctx: Context, meeting: Meeting, case: Case, edition: str) -> dict[str, Any]:
    t = texts(ctx.committee.language)
    hidden = edition == "public" and case.confidential
    type_names = {"decision": "V", "discussion": "D", "information": "O"}
    legend = dict(part.split(" = ") for part in t["type_legend"].split(", "))
    context = _base(ctx, meeting, t["case_paper"])
    context["case"] = {
        "number": ctx.case_label(meeting, case),
        "title": t["exempt_title"] if hidden else case.title,
        "presenter": "" if hidden else presenter_label(case),
        "duration": case.duration,
        "type_name": "" if hidden else f"{case.code} ({legend[type_names[case.type]]})",
        "exempt": case.confidential or "",
        "summary": [] if hidden else paragraphs(case.summary),
        "assessment": [] if hidden else paragraphs(case.assessment),
        "proposal": [] if hidden else paragraphs(case.proposal),
        "attachments": [] if hidden else [a.title for a in case.attachments],
    }
    return context


def plan_meeting(ctx: Context, meeting: Meeting, edition: str) -> list[DocPlan]:
    """Every document of one meeting, in one edition: notice, case papers (not of a withdrawn
    case: its issued paper stays as it was), minutes (not of a cancelled meeting)."""
    committee = ctx.committee
    t = texts(committee.language)
    when = short_date(meeting.date)
    if not meeting.has_notice:
        return []
    plans = [DocPlan(ctx.key(meeting, NOTICE, edition=edition), notice_context(ctx, meeting, edition),
                     f"{committee.short} – {t['notice']} {when}")]
    for case in meeting.cases:
        if case.withdrawn:
            continue
        title = ctx.case_label(meeting, case)
        if not (edition == "public" and case.confidential):
            title += f" – {case.title}"
        plans.append(DocPlan(ctx.key(meeting, CASE, case, edition), case_context(ctx, meeting, case, edition), title))
    if meeting.has_minutes:
        draft = meeting.minutes_status != "approved"
        title = f"{committee.short} – {t['minutes']} {when}" + (f" ({t['draft']})" if draft else "")
        plans.append(DocPlan(ctx.key(meeting, MINUTES, edition=edition), minutes_context(ctx, meeting, edition),
                             title))
    return plans


def render_plans(ctx: Context, meeting: Meeting, plans: list[DocPlan], templates: Path,
                 cache: Path | None = None) -> list[RenderedDoc]:
    """Fill each plan's template (`cache`: the project's cache of filled DOCX, see docxfill.py)."""
    committee = ctx.committee
    return [RenderedDoc(p.key, render_docx(templates / p.template, p.context, p.title, language=committee.language,
                                           author=ctx.author, day=meeting.date, cache=cache), p.title)
            for p in plans]
