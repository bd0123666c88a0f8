"""Every fixed text of the documents, one table per output language, and date formats.

The templates print `{{ t.key }}`; the language is a setting in committee.yaml
(`language: nb | en`), so an English edition is the same templates with the other table.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

LANGUAGES = {"nb": "nb-NO", "en": "en-GB"}

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "notice": "Møteinnkalling",
        "minutes": "Referat",
        "case_paper": "Saksframlegg",
        "packet": "Sakspapirer",
        "draft": "UTKAST",
        "draft_note": "Utkast – ikke godkjent",
        "meeting_no": "Møte",
        "date": "Møtedato",
        "start": "Møtestart",
        "end": "Møteslutt",
        "place": "Møtested",
        "chair": "Møteleder",
        "chair_word": "leder",
        "secretary": "Sekretær",
        "secretary_role": "Utvalgets sekretær",
        "to": "Til",
        "members": "Faste medlemmer",
        "observers": "Observatører",
        "copy_to": "Kopi",
        "substitutes_copy": "Faste stedfortredere",
        "apologies": "Forfall meldes til sekretær snarest. Faste stedfortredere møter bare etter "
                     "særskilt innkalling.",
        "agenda": "Saksliste",
        "col_case": "Sak",
        "col_title": "Tittel",
        "col_type": "Type",
        "col_presenter": "Innleder",
        "col_time": "Kl.",
        "col_exempt": "Unntatt offentlighet",
        "type_legend": "V = vedtak/råd, D = drøfting, O = orientering",
        "approve_notice": "Godkjenning av innkalling og saksliste",
        "approve_minutes": "Godkjenning av referat fra forrige møte",
        "aob": "Eventuelt",
        "case_word": "sak",
        "exempt": "Unntatt offentlighet",
        "exempt_title": "Sak unntatt offentlighet",
        "followups": "Oppfølgingspunkter fra tidligere møter",
        "col_task": "Oppfølging",
        "col_owner": "Ansvar",
        "col_due": "Frist",
        "col_from": "Fra møte",
        "overdue": "forfalt",
        "present": "Til stede",
        "absent": "Forfall",
        "substitutes": "Vara",
        "substitute_for": "for",
        "guests": "Fra administrasjonen / gjester",
        "referent": "Referent",
        "none": "Ingen",
        "notice_approved": "Innkalling og saksliste ble godkjent.",
        "minutes_approved": "Referat fra møtet {date} ble godkjent.",
        "minutes_draft_prev": "Referat fra møtet {date} foreligger som utkast og behandles senere.",
        "minutes_none_prev": "Det foreligger ikke referat fra møtet {date}.",
        "minutes_first": "Ingen tidligere møter med referat.",
        "aob_none": "Ingen saker ble meldt.",
        "conclusion": "Konklusjon",
        "conclusion_pending": "Konklusjon føres av referenten.",
        "followup": "Oppfølging",
        "owner": "Ansvar",
        "due": "Frist",
        "noted": "ALU tok orienteringen til etterretning.",
        "committee": "Utvalg",
        "case_no": "Saksnr.",
        "presenter": "Saksansvarlig / innleder",
        "duration": "Tidsbruk",
        "minutes_unit": "min",
        "summary": "Bakgrunn / sammendrag",
        "assessment": "Vurdering",
        "proposal": "Forslag til konklusjon/råd",
        "attachments": "Vedlegg",
        "no_attachments": "Ingen vedlegg.",
        "page": "Side",
        "of": "av",
        "clock": "kl.",
        "guest_cases": "under sak",
        "not_present_case": "deltok ikke under sak",
        "contents": "Innhold",
        "col_page": "Side",
        "not_written": "Referat ble ikke skrevet.",
    },
    "en": {
        "notice": "Notice of meeting",
        "minutes": "Minutes",
        "case_paper": "Case paper",
        "packet": "Meeting papers",
        "draft": "DRAFT",
        "draft_note": "Draft – not approved",
        "meeting_no": "Meeting",
        "date": "Date",
        "start": "Start",
        "end": "End",
        "place": "Place",
        "chair": "Chair",
        "chair_word": "chair",
        "secretary": "Secretary",
        "secretary_role": "The committee's secretary",
        "to": "To",
        "members": "Members",
        "observers": "Observers",
        "copy_to": "Copy",
        "substitutes_copy": "Fixed substitutes",
        "apologies": "Please send apologies to the secretary as soon as possible. Substitutes "
                     "attend only when called in.",
        "agenda": "Agenda",
        "col_case": "Case",
        "col_title": "Title",
        "col_type": "Type",
        "col_presenter": "Presenter",
        "col_time": "Time",
        "col_exempt": "Exempt from public access",
        "type_legend": "V = decision/advice, D = discussion, O = information",
        "approve_notice": "Approval of the notice and agenda",
        "approve_minutes": "Approval of the minutes of the previous meeting",
        "aob": "Any other business",
        "case_word": "case",
        "exempt": "Exempt from public access",
        "exempt_title": "Case exempt from public access",
        "followups": "Follow-up from earlier meetings",
        "col_task": "Action",
        "col_owner": "Owner",
        "col_due": "Deadline",
        "col_from": "From meeting",
        "overdue": "overdue",
        "present": "Present",
        "absent": "Apologies",
        "substitutes": "Substitutes",
        "substitute_for": "for",
        "guests": "Staff and guests",
        "referent": "Minutes taken by",
        "none": "None",
        "notice_approved": "The notice and agenda were approved.",
        "minutes_approved": "The minutes of the meeting of {date} were approved.",
        "minutes_draft_prev": "The minutes of the meeting of {date} are a draft and will be "
                              "approved later.",
        "minutes_none_prev": "There are no minutes of the meeting of {date}.",
        "minutes_first": "No earlier meeting with minutes.",
        "aob_none": "No matters were raised.",
        "conclusion": "Conclusion",
        "conclusion_pending": "The conclusion is entered by the secretary.",
        "followup": "Action",
        "owner": "Owner",
        "due": "Deadline",
        "noted": "ALU took note of the information.",
        "committee": "Committee",
        "case_no": "Case no.",
        "presenter": "Presenter",
        "duration": "Time",
        "minutes_unit": "min",
        "summary": "Background / summary",
        "assessment": "Assessment",
        "proposal": "Proposed conclusion/advice",
        "attachments": "Attachments",
        "no_attachments": "No attachments.",
        "page": "Page",
        "of": "of",
        "clock": "at",
        "guest_cases": "for case",
        "not_present_case": "absent for case",
        "contents": "Contents",
        "col_page": "Page",
        "not_written": "No minutes were written.",
    },
}


def texts(language: str) -> dict[str, str]:
    return TEXTS[language]


def long_date(day: dt.date, language: str) -> str:
    """'onsdag 27. august 2025' (weekday lower case, as Norwegian writes it)."""
    pattern = "EEEE d. MMMM y" if language == "nb" else "EEEE d MMMM y"
    return format_date(day, pattern, locale=language)


def medium_date(day: dt.date, language: str) -> str:
    """'27. august 2025'."""
    return format_date(day, "d. MMMM y" if language == "nb" else "d MMMM y", locale=language)


def short_date(day: dt.date) -> str:
    """'27.08.25', the form used in running text and agendas."""
    return day.strftime("%d.%m.%y")


def clock(time: dt.time) -> str:
    """'09.00': Norwegian writes clock times with a full stop."""
    return time.strftime("%H.%M")
