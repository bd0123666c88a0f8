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
        "internal_edition": "Intern utgave – inneholder saker unntatt offentlighet",
        # the meeting plan (alu-docs plan) and the calendar
        "plan": "Møteplan",
        "plan_spring": "våren {year}",
        "plan_autumn": "høsten {year}",
        "plan_year": "{year}",
        "plan_period": "Periode",
        "plan_rhythm": "Møtedag",
        "plan_rhythm_text": "{weekday}, hver {weeks}. uke",
        "plan_rhythm_weekly": "{weekday}, hver uke",
        "plan_time": "Tid",
        "col_date": "Dato",
        "col_hours": "Tid",
        "col_place": "Sted",
        "col_cases": "Saker (innleder)",
        "col_status": "Status",
        "status_held": "Avholdt",
        "status_planned": "Planlagt",
        "status_proposed": "Foreslått",
        "all_day": "hele dagen",
        "no_cases": "Ingen saker meldt ennå",
        "plan_skipped": "Ikke foreslått",
        "break_summer": "sommerferien",
        "break_christmas": "juleferien",
        "break_easter": "påskeuka",
        "plan_note": "Møter med egen møtemappe er avholdt eller planlagt. Foreslåtte datoer følger "
                     "utvalgets rytme ({rhythm}), utenom helligdager, påskeuka, sommerferien "
                     "(uke 26–32) og juleferien (20. desember–6. januar). Saker meldes til "
                     "utvalgets sekretær.",
        "plan_as_of": "Status per {date}.",
        "cal_name": "{short} – møter",
        "cal_meeting": "{short}-møte",
        "cal_seminar": "{short} – samling",
        "cal_agenda_pending": "Sakslisten er ikke klar ennå.",
        "cal_cancelled": "avlyst",
        # withdrawn cases, cancelled meetings and revised notices (alu_docs/records.py)
        "withdrawn": "trukket",
        "withdrawn_agenda": "Trukket",
        "withdrawn_minutes": "Saken ble trukket.",
        "cancelled": "Møtet er avlyst: {reason}",
        "revised": "Revidert innkalling {date}",
        "revised_intro": "Endringer siden forrige utgave:",
        "change_moved": "Møtet er flyttet fra {old} til {new}",
        "change_cancelled": "Møtet er avlyst: {reason}",
        "change_held": "Møtet avholdes likevel",
        "change_start": "Møtestart endret fra {old} til {new}",
        "change_end": "Møteslutt endret fra {old} til {new}",
        "change_place": "Møtested endret fra {old} til {new}",
        "change_new_case": "Ny sak {number} {title}",
        "change_withdrawn": "Sak {number} trukket",
        "change_restored": "Sak {number} er satt på sakslisten igjen",
        "change_removed": "Sak {number} er tatt av sakslisten",
        "change_title": "Sak {number} har fått ny tittel: {title}",
        "change_type": "Sak {number} er endret fra {old} til {new}",
        "change_presenter": "Sak {number} har ny innleder: {presenter}",
        "change_order": "Rekkefølgen på sakene er endret",
        "change_other": "Andre opplysninger i innkallingen er endret",
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
        "internal_edition": "Internal edition – contains cases exempt from public access",
        # the meeting plan (alu-docs plan) and the calendar
        "plan": "Meeting plan",
        "plan_spring": "spring {year}",
        "plan_autumn": "autumn {year}",
        "plan_year": "{year}",
        "plan_period": "Period",
        "plan_rhythm": "Meeting day",
        "plan_rhythm_text": "{weekday}, every {weeks} weeks",
        "plan_rhythm_weekly": "{weekday}, every week",
        "plan_time": "Time",
        "col_date": "Date",
        "col_hours": "Time",
        "col_place": "Place",
        "col_cases": "Cases (presenter)",
        "col_status": "Status",
        "status_held": "Held",
        "status_planned": "Planned",
        "status_proposed": "Proposed",
        "all_day": "all day",
        "no_cases": "No cases yet",
        "plan_skipped": "Not proposed",
        "break_summer": "summer break",
        "break_christmas": "Christmas break",
        "break_easter": "Easter week",
        "plan_note": "Meetings with a meeting folder are held or planned. Proposed dates follow "
                     "the committee's rhythm ({rhythm}), avoiding public holidays, Easter week, the "
                     "summer break (weeks 26–32) and the Christmas break (20 December–6 January). "
                     "Please send cases to the committee's secretary.",
        "plan_as_of": "Status as of {date}.",
        "cal_name": "{short} – meetings",
        "cal_meeting": "{short} meeting",
        "cal_seminar": "{short} – seminar",
        "cal_agenda_pending": "The agenda is not ready yet.",
        "cal_cancelled": "cancelled",
        # withdrawn cases, cancelled meetings and revised notices (alu_docs/records.py)
        "withdrawn": "withdrawn",
        "withdrawn_agenda": "Withdrawn",
        "withdrawn_minutes": "The case was withdrawn.",
        "cancelled": "The meeting is cancelled: {reason}",
        "revised": "Revised notice {date}",
        "revised_intro": "Changes since the previous issue:",
        "change_moved": "The meeting has been moved from {old} to {new}",
        "change_cancelled": "The meeting is cancelled: {reason}",
        "change_held": "The meeting will be held after all",
        "change_start": "Start changed from {old} to {new}",
        "change_end": "End changed from {old} to {new}",
        "change_place": "Place changed from {old} to {new}",
        "change_new_case": "New case {number} {title}",
        "change_withdrawn": "Case {number} withdrawn",
        "change_restored": "Case {number} is back on the agenda",
        "change_removed": "Case {number} taken off the agenda",
        "change_title": "Case {number} has a new title: {title}",
        "change_type": "Case {number} changed from {old} to {new}",
        "change_presenter": "Case {number} has a new presenter: {presenter}",
        "change_order": "The order of the cases has changed",
        "change_other": "Other details of the notice have changed",
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


# The archive's own texts: the index (archive/index.pdf) and the committee page sections.
ARCHIVE_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "index_title": "Møtearkiv",
        "index_intro": "Alle møter i utvalget, nyeste først, med saker og dokumenter. Lenkene åpner "
                       "PDF-filene i arkivet, i mappene ved siden av denne oversikten. Dokumenter merket "
                       "«ikke i dette arkivet» finnes, men er publisert et annet sted.",
        "documents": "Dokumenter",
        "kind_ordinary": "Ordinært møte",
        "kind_seminar": "Samling",
        "doc_notice": "Innkalling",
        "doc_minutes": "Referat",
        "doc_minutes_draft": "Referat (utkast)",
        "doc_packet": "Sakspapirer",
        "doc_case": "Saksframlegg",
        "elsewhere": "ikke i dette arkivet",
        "state_complete": "Innkalling og referat.",
        "state_draft": "Innkalling. Referatet er et utkast, ikke godkjent.",
        "state_pending": "Innkalling. Referat foreligger ikke ennå.",
        "state_notice_only": "Møteinnkalling.",
        "state_not_written": "Referat ble ikke skrevet.",
        "state_minutes_only": "Referat foreligger.",
        "state_planned": "Planlagt møte. Innkalling er ikke sendt ennå.",
        "state_no_documents": "Ingen dokumenter.",
        "state_none_archived": "Ingen dokumenter i arkivet.",
        "state_cancelled": "Møtet er avlyst",
        "exempt": "Unntatt offentlighet",
        "doc_superseded": "{label} (versjon {version}, erstattet {date})",
        "doc_revised": "{label} (versjon {version}, revidert {date})",
        "state_moved": "Møtet ble flyttet til {date}.",
        "meetings_count": "{count} møter",
        "plan": "Møteplan",
        "earlier": "Tidligere møter",
        "plan_empty": "Ingen møter er lagt inn ennå.",
        "index_pdf": "Møtearkivet som PDF",
        "years": "År",
        "season_autumn": "Høst",
        "season_spring": "Vår",
        "pdf": "pdf",
    },
    "en": {
        "index_title": "Meeting archive",
        "index_intro": "Every meeting of the committee, newest first, with its cases and documents. The "
                       "links open the PDF files in the archive, in the folders beside this index. "
                       "Documents marked “not in this archive” exist but were published elsewhere.",
        "documents": "Documents",
        "kind_ordinary": "Ordinary meeting",
        "kind_seminar": "Seminar",
        "doc_notice": "Notice",
        "doc_minutes": "Minutes",
        "doc_minutes_draft": "Minutes (draft)",
        "doc_packet": "Meeting papers",
        "doc_case": "Case paper",
        "elsewhere": "not in this archive",
        "state_complete": "Notice and minutes.",
        "state_draft": "Notice. The minutes are a draft, not approved.",
        "state_pending": "Notice. No minutes yet.",
        "state_notice_only": "Notice of meeting.",
        "state_not_written": "No minutes were written.",
        "state_minutes_only": "Minutes available.",
        "state_planned": "Planned meeting. The notice has not been sent yet.",
        "state_no_documents": "No documents.",
        "state_none_archived": "No documents in the archive.",
        "state_cancelled": "The meeting is cancelled",
        "exempt": "Exempt from public access",
        "doc_superseded": "{label} (version {version}, replaced {date})",
        "doc_revised": "{label} (version {version}, revised {date})",
        "state_moved": "The meeting was moved to {date}.",
        "meetings_count": "{count} meetings",
        "plan": "Meeting plan",
        "earlier": "Earlier meetings",
        "plan_empty": "No meetings have been scheduled yet.",
        "index_pdf": "The meeting archive as PDF",
        "years": "Years",
        "season_autumn": "Autumn",
        "season_spring": "Spring",
        "pdf": "pdf",
    },
}


def cancelled_note(reason: str | None, language: str) -> str:
    """'Møtet er avlyst.' or, with the reason as the secretary wrote it, 'Møtet er avlyst: for få saker.'"""
    text = ARCHIVE_TEXTS[language]["state_cancelled"]
    reason = (reason or "").strip().rstrip(".")
    return f"{text}: {reason}." if reason else f"{text}."


def date_range(start: dt.date, end: dt.date | None, language: str) -> str:
    """'onsdag 18.–torsdag 19. oktober 2023' for a meeting over several days."""
    if end is None or end == start:
        return long_date(start, language)
    if language != "nb":
        return f"{long_date(start, language)} – {long_date(end, language)}"
    if start.year != end.year:
        return f"{long_date(start, language)}–{long_date(end, language)}"
    first = format_date(start, "EEEE d." if start.month == end.month else "EEEE d. MMMM", locale=language)
    return f"{first}–{long_date(end, language)}"


# The e-mail of a notice or approved minutes (alu-docs mail). Plain text: it is read in any
# mail client, and the documents themselves are the attached PDFs.
MAIL_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "subject_notice": "Innkalling til møte i {short} {date}",
        "subject_revised": "Revidert innkalling til møte i {short} {date}",
        "subject_minutes": "Referat fra møte i {short} {date}",
        "greeting": "Til medlemmene i {name}",
        "notice": "Det innkalles til møte i {short} {date} kl. {start}–{end}.",
        "place": "Sted: {place}",
        "revised": "Innkallingen er revidert. Endringer siden forrige utgave:",
        "attached": "Sakspapirene er vedlagt: {name} ({size}).",
        "linked": "Sakspapirene er for store til å sendes som vedlegg ({size}). De ligger i møtearkivet:",
        "minutes_attached": "Referatet fra møtet i {short} {date} er godkjent og ligger vedlagt: {name} ({size}).",
        "minutes_linked": "Referatet fra møtet i {short} {date} er godkjent. Det ligger i møtearkivet ({size}):",
        "cases": "Saker",
        "regards": "Med vennlig hilsen",
    },
    "en": {
        "subject_notice": "Notice of meeting of {short} {date}",
        "subject_revised": "Revised notice of meeting of {short} {date}",
        "subject_minutes": "Minutes of the meeting of {short} {date}",
        "greeting": "To the members of {name}",
        "notice": "You are called to a meeting of {short} on {date} at {start}–{end}.",
        "place": "Place: {place}",
        "revised": "The notice is revised. Changes since the previous issue:",
        "attached": "The meeting papers are attached: {name} ({size}).",
        "linked": "The meeting papers are too large to attach ({size}). They are in the meeting archive:",
        "minutes_attached": "The minutes of the meeting of {short} on {date} are approved and attached: "
                            "{name} ({size}).",
        "minutes_linked": "The minutes of the meeting of {short} on {date} are approved. They are in the "
                          "meeting archive ({size}):",
        "cases": "Cases",
        "regards": "Kind regards",
    },
}
