"""`alu-docs mail`: a meeting's notice (or approved minutes) as an e-mail.

The message is written to internal/mail/ as an .eml draft that Outlook and Thunderbird open
ready to send (`X-Unsent: 1`); with --send it goes out through the SMTP server named in
committee.yaml. It carries the public edition only: the agenda in the public notice's
wording, and the archived public PDF attached, or linked when it is larger than the limit.

The same input gives the same bytes: Message-ID, Date and the MIME boundary derive from the
meeting and the attached file's sha256, never from the clock or a random number. Only a
message actually sent gets the time of sending as its Date (a future or stale Date would
mislead readers and spam filters).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from .archive import Manifest, sha256, transaction
from .context import Context
from .errors import AluError
from .ical import TIMEZONE
from .model import Committee, MailSettings, Meeting, find_meeting, load_all
from .names import MINUTES, NOTICE, PACKET, DocKey, mail_relative
from .paths import Echo, Paths
from .records import latest_changes
from .render import agenda_rows
from .texts import MAIL_TEXTS, clock, date_range, texts

LOCAL = ZoneInfo(TIMEZONE)
MB = 2**20


class MailError(AluError):
    """A message that cannot be made or sent: no packet, minutes not approved, SMTP trouble."""


@dataclass
class Enclosure:
    """The archived PDF a message carries: attached, or linked (url) when above the limit."""

    relative: str  # inside archive/
    data: bytes
    url: str | None = None

    @property
    def name(self) -> str:
        return self.relative.rsplit("/", 1)[-1]


@dataclass
class Letter:
    """One message, and what the secretary is told about it."""

    message: EmailMessage  # the draft, with X-Unsent: 1
    draft: str  # where it is written, inside internal/
    sender: Address | None
    to: list[Address]
    cc: list[Address]
    missing: list[str]  # people without an e-mail address in committee.yaml
    enclosure: Enclosure
    settings: MailSettings

    @property
    def recipients(self) -> list[str]:
        return [a.addr_spec for a in self.to + self.cc]


def mail_meeting(paths: Paths, date: dt.date, *, minutes: bool = False, changes: list[str] | None = None,
                 send: bool = False, dry_run: bool = False, echo: Echo = print) -> Letter:
    """`alu-docs mail DATE`: write the draft internal/mail/…eml; with `send` also send it.
    `dry_run` prints what would be sent and writes and sends nothing. `changes` (lines
    describing what changed since the previous issue) makes it a revised notice."""
    letter = compose(paths, date, minutes=minutes, changes=changes)
    if letter.missing:
        echo(f"warning  no e-mail address in committee.yaml for: {'; '.join(letter.missing)}")
    if letter.sender is None:
        echo("warning  no sender address: set secretary.email (or mail.from) in committee.yaml")
    if dry_run:
        for line in describe(letter):
            echo(line)
        return letter
    if send:
        check_sendable(letter)
    with transaction(paths) as tx:
        tx.write(letter.draft, letter.message.as_bytes(), root="internal", meeting=date.isoformat())
    how = "linked" if letter.enclosure.url else "attached"
    echo(f"mail     {paths.internal.name}/{letter.draft}: to {len(letter.to)}, cc {len(letter.cc)}, "
         f"{letter.enclosure.name} {how} ({size_text(len(letter.enclosure.data), 'en')})")
    if send:
        refused = deliver(letter, dt.datetime.now(LOCAL))
        settings = letter.settings
        echo(f"sent     to {len(letter.recipients) - len(refused)} addresses through "
             f"{settings.smtp_host}:{settings.smtp_port}")
        if refused:
            echo(f"warning  the server refused: {', '.join(sorted(refused))}")
    return letter


def compose(paths: Paths, date: dt.date, *, minutes: bool = False, changes: list[str] | None = None) -> Letter:
    """The message for a meeting's notice (or approved minutes), from the archived PDF."""
    committee, meetings = load_all(paths.meetings)
    meeting = find_meeting(meetings, date, paths.meetings)
    ctx = Context.build(committee, meetings)
    manifest = Manifest.load(paths.archive)
    if minutes:
        check_approved(meeting, manifest)
    elif not meeting.has_notice:
        raise MailError(f"{date.isoformat()} has no notice to send (no cases on its agenda)")
    key = DocKey(date, MINUTES if minutes else PACKET)
    enclosure = find_enclosure(paths, manifest, committee, key)
    if changes is None and not minutes:  # a revised notice says what changed (records.py)
        changes = latest_changes(manifest, date)
    message = build_message(ctx, meeting, enclosure, minutes=minutes, changes=changes,
                            when=issue_time(manifest, meeting, enclosure.relative, minutes))
    to, cc, missing = addressees(committee, date)
    draft = mail_relative(DocKey(date, MINUTES if minutes else NOTICE), committee.short)
    return Letter(message, draft, sender_address(committee), to, cc, missing, enclosure, committee.mail)


def check_approved(meeting: Meeting, manifest: Manifest) -> None:
    day = meeting.date.isoformat()
    if meeting.minutes_status != "approved":
        raise MailError(f"the minutes of {day} are not approved (status: {meeting.minutes_status}); "
                        f"only approved minutes are sent: alu-docs approve {day}")
    if not manifest.approval(meeting.date):
        raise MailError(f"the minutes of {day} are marked approved but not built yet: make meeting DATE={day}")


def find_enclosure(paths: Paths, manifest: Manifest, committee: Committee, key: DocKey) -> Enclosure:
    """The archived public PDF, checked against the manifest; linked when above the limit."""
    relative = key.relative(committee.short, ".pdf")
    shown = f"{paths.archive.name}/{relative}"
    entry = manifest.files.get(relative)
    path = paths.archive / relative
    if entry is None or not path.is_file():
        raise MailError(f"{shown} not found: build the meeting first: make meeting DATE={key.date.isoformat()}")
    data = path.read_bytes()
    if sha256(data) != entry["sha256"]:
        raise MailError(f"{shown} differs from the archive's manifest (see alu-docs verify); not sending it")
    settings = committee.mail
    if len(data) <= settings.attach_limit_mb * MB:
        return Enclosure(relative, data)
    if not settings.archive_url:
        raise MailError(f"{shown} is {size_text(len(data), 'en')}, above the attachment limit of "
                        f"{settings.attach_limit_mb} MB (mail.attach_limit_mb), and mail.archive_url is not set "
                        "in committee.yaml to link to it instead")
    return Enclosure(relative, data, settings.archive_url.rstrip("/") + "/" + quote(relative))


def addressees(committee: Committee, day: dt.date) -> tuple[list[Address], list[Address], list[str]]:
    """To: the members on `day`; Cc: the observers; and who has no address (never guessed)."""
    to = [Address(m.name, addr_spec=m.email) for m in committee.roster(day) if m.email]
    cc = [Address(o.name or o.role, addr_spec=o.email) for o in committee.observers_on(day) if o.email]
    missing = [m.name for m in committee.roster(day) if not m.email]
    missing += [o.label for o in committee.observers_on(day) if not o.email]
    return to, cc, missing


def sender_address(committee: Committee) -> Address | None:
    address = committee.mail.sender or committee.secretary_email
    return Address(committee.secretary or committee.name, addr_spec=address) if address else None


def issue_time(manifest: Manifest, meeting: Meeting, relative: str, minutes: bool) -> dt.datetime:
    """The draft's Date, from the archive, not the clock: the day the document was issued
    (recorded with the file), the approval day for minutes, else the meeting's day; at noon."""
    issued = manifest.files.get(relative, {}).get("issued")
    approval = manifest.approval(meeting.date) if minutes else None
    day = dt.date.fromisoformat(issued or (approval or {}).get("on") or meeting.date.isoformat())
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=LOCAL)


def build_message(ctx: Context, meeting: Meeting, enclosure: Enclosure, *, minutes: bool = False,
                  changes: list[str] | None = None, when: dt.datetime) -> EmailMessage:
    """The RFC 5322 message: headers, the Norwegian (or English) text, the PDF attached
    unless it is linked. `changes` makes a notice "Revidert innkalling" with its change list."""
    committee = ctx.committee
    m = MAIL_TEXTS[committee.language]
    subject = m["subject_minutes" if minutes else "subject_revised" if changes else "subject_notice"]
    to, cc, _ = addressees(committee, meeting.date)
    sender = sender_address(committee)
    kind = MINUTES if minutes else NOTICE
    digest = sha256(json.dumps([meeting.date.isoformat(), kind, sha256(enclosure.data), enclosure.url,
                                changes or []]).encode())

    message = EmailMessage(policy=policy.SMTP)
    if sender:
        message["From"] = sender
    if to:
        message["To"] = tuple(to)
    if cc:
        message["Cc"] = tuple(cc)
    message["Subject"] = subject.format(short=committee.short,
                                        date=date_range(meeting.date, meeting.end_date, committee.language))
    message["Date"] = format_datetime(when)
    stem = DocKey(meeting.date, kind).stem(committee.short)
    message["Message-ID"] = f"<{stem}.{digest[:24]}@{sender.domain if sender else 'alu-docs.invalid'}>"
    message["X-Unsent"] = "1"  # Outlook opens the .eml as a draft to send, not as received mail
    message.set_content(body_text(ctx, meeting, enclosure, minutes, changes), cte="quoted-printable")
    if enclosure.url is None:
        message.make_mixed()
        pdf = MIMEPart(policy=policy.SMTP)
        pdf.set_content(enclosure.data, maintype="application", subtype="pdf", filename=enclosure.name)
        message.attach(pdf)
        message.set_boundary(f"alu-docs-{digest[:32]}")  # else random: the same input would differ
    return message


def body_text(ctx: Context, meeting: Meeting, enclosure: Enclosure, minutes: bool,
              changes: list[str] | None) -> str:
    committee = ctx.committee
    language = committee.language
    t, m = texts(language), MAIL_TEXTS[language]
    facts = {"short": committee.short, "date": date_range(meeting.date, meeting.end_date, language),
             "start": clock(meeting.start), "end": clock(meeting.end), "name": enclosure.name,
             "size": size_text(len(enclosure.data), language)}
    linked = [enclosure.url] if enclosure.url else []
    lines = [m["greeting"].format(name=committee.name), ""]
    if minutes:
        lines += [m["minutes_linked" if linked else "minutes_attached"].format(**facts), *linked, "",
                  m["cases"], *(ctx.agenda_line(meeting, case) for case in meeting.cases)]
    else:
        if changes:
            lines += [m["revised"], *(f"- {change}" for change in changes), ""]
        lines.append(m["notice"].format(**facts))
        if meeting.place:
            lines.append(m["place"].format(place=meeting.place))
        lines += ["", t["agenda"], *agenda_lines(ctx, meeting), "",
                  m["linked" if linked else "attached"].format(**facts), *linked, "", t["apologies"]]
    lines += ["", m["regards"], committee.secretary or t["secretary_role"],
              f"{committee.name}, {committee.organisation}"]
    return "\n".join(lines) + "\n"


def agenda_lines(ctx: Context, meeting: Meeting) -> list[str]:
    """'09.05  1/25 Title (Presenter)' per item, as the public notice shows it: a confidential
    case only as its number, "Unntatt offentlighet" and the legal basis."""
    cases = iter(meeting.cases)
    return [f"{row['time']}  {ctx.agenda_line(meeting, next(cases)) if row['number'] else row['title']}"
            for row in agenda_rows(ctx, meeting, "public")]


def size_text(size: int, language: str) -> str:
    if size < MB:
        return f"{max(size // 1024, 1)} kB"
    text = f"{size / MB:.1f} MB"
    return text.replace(".", ",") if language == "nb" else text


def describe(letter: Letter) -> list[str]:
    """What --dry-run prints: from, to, cc, subject, the PDF, and the SMTP settings."""
    message, enclosure, settings = letter.message, letter.enclosure, letter.settings
    size = f"{len(enclosure.data)} bytes"
    password = "set" if os.environ.get(settings.password_env) else "not set"
    login = f"as {settings.user} (password from ${settings.password_env}: {password})" if settings.user \
        else "without login"
    return [
        "dry run  nothing written, nothing sent",
        f"from     {message['From'] or '(none)'}",
        f"to       {message['To'] or '(none)'}",
        f"cc       {message['Cc'] or '(none)'}",
        f"subject  {message['Subject']}",
        f"link     {enclosure.url} ({size})" if enclosure.url else f"attach   {enclosure.name} ({size})",
        f"smtp     {settings.smtp_host or '(no mail.smtp_host)'}:{settings.smtp_port}"
        f"{', STARTTLS' if settings.starttls else ''}, {login}",
    ]


def check_sendable(letter: Letter) -> None:
    """Everything --send needs, checked before anything is written or sent."""
    settings = letter.settings
    if not settings.smtp_host:
        raise MailError("mail.smtp_host is not set in committee.yaml: nowhere to send through")
    if letter.sender is None:
        raise MailError("no sender address: set secretary.email (or mail.from) in committee.yaml")
    if not letter.recipients:
        raise MailError("no recipient has an e-mail address in committee.yaml: nothing to send")
    if settings.user and not os.environ.get(settings.password_env):
        raise MailError(f"the SMTP password is not set: put it in the environment variable "
                        f"{settings.password_env} (mail.password_env in committee.yaml), e.g. "
                        f"read -rs {settings.password_env} && export {settings.password_env}")


def deliver(letter: Letter, now: dt.datetime) -> dict[str, tuple[int, bytes]]:
    """Send the letter (without X-Unsent, dated now); return the addresses the server refused."""
    check_sendable(letter)
    settings = letter.settings
    outgoing = copy.deepcopy(letter.message)
    del outgoing["X-Unsent"]
    outgoing.replace_header("Date", format_datetime(now))
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    sender = letter.sender.addr_spec if letter.sender else ""  # never empty: check_sendable
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=60) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, os.environ[settings.password_env])
            return smtp.sendmail(sender, letter.recipients, outgoing.as_bytes())
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"{where} refused the login of {settings.user}: check the password in "
                        f"${settings.password_env}; nothing was sent") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"{where} refused every recipient ({', '.join(exc.recipients)}); nothing was sent") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not send through {where}: {exc}") from None
