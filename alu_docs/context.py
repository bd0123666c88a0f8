"""What rendering one meeting needs from all the others: the committee, every meeting in
date order, and the case numbers. One rule each for a case's number, label, public title and
file name, and for the actions still open at a meeting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .model import Case, Committee, Meeting, assign_numbers
from .names import DocKey
from .texts import short_date, texts


@dataclass
class Context:
    """What rendering a meeting needs from the rest of the archive."""

    committee: Committee
    meetings: list[Meeting]  # all meetings, in date order
    numbers: dict[tuple[dt.date, int], int]

    @classmethod
    def build(cls, committee: Committee, meetings: list[Meeting]) -> Context:
        ordered = sorted(meetings, key=lambda m: m.date)
        return cls(committee, ordered, assign_numbers(ordered))

    def case_number(self, meeting: Meeting, case: Case) -> str:
        number = self.numbers[(meeting.date, case.position)]
        return f"{number}/{meeting.number_year % 100:02d}"

    def case_label(self, meeting: Meeting, case: Case) -> str:
        """'ALU-sak 5/25'."""
        return f"{self.committee.short}-{texts(self.committee.language)['case_word']} {self.case_number(meeting, case)}"

    def public_title(self, case: Case) -> str:
        """The title, or for a confidential case only 'Unntatt offentlighet (offl. § 14)':
        the one rule for what public files may say about a case."""
        if case.confidential:
            return f"{texts(self.committee.language)['exempt']} ({case.confidential})"
        return case.title

    def agenda_line(self, meeting: Meeting, case: Case) -> str:
        """'5/25 Title (Presenter)' as public lists (plan, calendar, e-mail) show a case;
        '5/25 Title (trukket)' for a withdrawn one."""
        if case.withdrawn:
            return f"{self.case_number(meeting, case)} {self.public_title(case)} ({self.withdrawn_word})"
        if case.confidential:
            return f"{self.case_number(meeting, case)} {self.public_title(case)}"
        person = case.presenter
        who = f"{person.name}, {person.unit}" if person.guest and person.unit else person.name
        return f"{self.case_number(meeting, case)} {case.title} ({who})"

    @property
    def withdrawn_word(self) -> str:
        return texts(self.committee.language)["withdrawn"]

    def key(self, meeting: Meeting, kind: str, case: Case | None = None, edition: str = "public") -> DocKey:
        """Which document of `meeting`: DocKey(date, kind, case number, edition)."""
        number = self.numbers[(meeting.date, case.position)] if case is not None else None
        return DocKey(meeting.date, kind, number, edition)

    def relative(self, key: DocKey, suffix: str = ".pdf") -> str:
        """The document's path inside archive/ (or internal/): '2025/2025-08-27/ALU-…-referat.pdf'."""
        return key.relative(self.committee.short, suffix)

    @property
    def author(self) -> str:
        """Every document's author: 'NTNU ALU'."""
        return f"{self.committee.organisation} {self.committee.short}"

    def meeting_number(self, meeting: Meeting) -> str:
        same_year = [m for m in self.meetings if m.date.year == meeting.date.year and m.kind == "ordinary"]
        position = next((i for i, m in enumerate(same_year, 1) if m.date == meeting.date), None)
        return f"{position}/{meeting.date.year}" if position else str(meeting.date.year)

    def previous(self, meeting: Meeting) -> Meeting | None:
        earlier = [m for m in self.meetings if m.date < meeting.date and m.kind == "ordinary" and not m.is_legacy]
        return earlier[-1] if earlier else None

    def needs_internal(self, meeting: Meeting) -> bool:
        """Whether the meeting has an internal edition: it has a confidential case, or its
        follow-up list holds an open action of an earlier meeting's confidential case."""
        return any(c.confidential for c in meeting.cases) or \
            self.open_actions(meeting, "internal") != self.open_actions(meeting, "public")

    def open_actions(self, meeting: Meeting, edition: str) -> list[dict[str, Any]]:
        """Actions from earlier meetings not done by this meeting's date, overdue first."""
        t = texts(self.committee.language)
        rows = []
        for earlier in self.meetings:
            if earlier.date >= meeting.date:
                break
            for case in earlier.cases:
                if edition == "public" and case.confidential:
                    continue
                for action in case.actions:
                    if not action.open_on(meeting.date):
                        continue
                    overdue = action.overdue_on(meeting.date)
                    due = short_date(action.due) if action.due else ""
                    rows.append({
                        "meeting": short_date(earlier.date),
                        "case": self.case_number(earlier, case),
                        "task": action.task,
                        "owner": action.owner,
                        "due": f"{due} ({t['overdue']})" if overdue else due,
                        "_sort": (not overdue, action.due or dt.date.max),
                    })
        rows.sort(key=lambda r: r["_sort"])
        for row in rows:
            del row["_sort"]
        return rows
