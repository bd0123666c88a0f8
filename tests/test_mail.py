"""`alu-docs mail`: the notice and approved minutes as e-mail, read back with Python's
`email` package and sent to a local SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import shutil
import socket
import unicodedata
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alu_docs.mail import compose
from alu_docs.paths import Paths
from tests.conftest import need, new_project, run_cli, working_in

DAY = "2025-08-27"
PACKET = f"archive/2025/{DAY}/ALU-{DAY}-sakspapirer.pdf"
MINUTES = f"archive/2025/{DAY}/ALU-{DAY}-referat.pdf"
NOTICE_EML = f"internal/mail/ALU-{DAY}-innkalling.eml"
MINUTES_EML = f"internal/mail/ALU-{DAY}-referat.eml"
SECRET = "Kaffekoppsaken"  # only in the confidential case's title and summary
NO_ADDRESS = "Arve Sletten"  # the one member the test's roster gives no address
SECRETARY = "sekretariat@example.org"
OBSERVER = "observator@example.org"
PUBLIC_TITLES = ["Administrativ omstilling – status høsten 2025",
                 "Strategi for administrasjonen – innspill til handlingsplan 2026",
                 "Ny løsning for saksbehandling og arkiv",
                 "Fordeling av ansvar for studieadministrative tjenester"]

CONFIDENTIAL_CASE = f"""\
  - title: {SECRET} – personalsak
    type: decision
    presenter: Bjørn Haugstad
    duration: 10
    summary: |
      {SECRET}: dette skal ikke stå i noen offentlig fil.
    confidential: offl. § 14
"""


def address_of(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]+", ".", ascii_name.lower()).strip(".") + "@example.org"


def set_mail(root: Path, key: str, value: str) -> None:
    """Set one key of committee.yaml's `mail:` block."""
    path = root / "meetings/committee.yaml"
    text, count = re.subn(rf"^  {key}:.*$", f"  {key}: {value}", path.read_text(encoding="utf-8"), flags=re.M)
    assert count == 1, key
    path.write_text(text, encoding="utf-8")


def add_addresses(root: Path) -> list[str]:
    """Addresses for every member but one, the observer and the secretary; returns the members'."""
    path = root / "meetings/committee.yaml"
    text = path.read_text(encoding="utf-8")
    names = re.findall(r"^  - name: (.+)$", text, flags=re.M)

    def with_address(match: re.Match[str]) -> str:
        name = match[1]
        return match[0] if name == NO_ADDRESS else f"{match[0]}\n    email: {address_of(name)}"

    text = re.sub(r"^  - name: (.+)$", with_address, text, flags=re.M)
    for old, new in [("    name: null\n    email: null", f"    name: null\n    email: {OBSERVER}"),
                     ("  email: null", f"  email: {SECRETARY}")]:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return [address_of(n) for n in names if n != NO_ADDRESS]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, libreoffice_cache: Path) -> Path:
    """The sample meeting with a confidential case and approved minutes, built once with
    real LibreOffice; the roster has addresses and mail goes to 127.0.0.1 without STARTTLS."""
    need("soffice")
    root = new_project(tmp_path_factory.mktemp("mail") / "project")
    yaml_path = root / "meetings" / DAY / "meeting.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    text = text.replace("attendance:\n", CONFIDENTIAL_CASE + "attendance:\n", 1).replace(
        "  status: draft", "  status: approved", 1)
    yaml_path.write_text(text, encoding="utf-8")
    add_addresses(root)
    set_mail(root, "smtp_host", "127.0.0.1")
    set_mail(root, "starttls", "false")
    with working_in(root, libreoffice_cache):
        status, output = run_cli("build", DAY)
    assert status == 0, output
    return root


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project, for a test that changes or writes something."""
    copy = tmp_path / "project"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns("converter"))  # not the live warm converter
    return copy


def mail(root: Path, *args: str) -> tuple[int, str]:
    return run_cli("--root", str(root), "mail", DAY, *args)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def addresses(message: EmailMessage, header: str) -> set[str]:
    return {a.addr_spec for a in message[header].addresses} if message[header] else set()


def pdf_attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_content()) for part in message.iter_attachments()
            if part.get_content_type() == "application/pdf"]


def test_notice_eml_is_a_draft_with_subject_recipients_agenda_and_the_packet(root: Path) -> None:
    status, output = mail(root)
    assert status == 0, output
    data = (root / NOTICE_EML).read_bytes()
    message = parse(data)
    assert message["Subject"] == "Innkalling til møte i ALU onsdag 27. august 2025"
    assert "=?utf-8?" in re.search(rb"^Subject:.*?\r\n(?! )", data, re.M | re.S)[0].decode()  # RFC 2047
    assert message["X-Unsent"] == "1"
    assert addresses(message, "From") == {SECRETARY}
    expected_to = {address_of(n) for n in re.findall(r"^  - name: (.+)$", (root / "meetings/committee.yaml")
                                                       .read_text(encoding="utf-8"), flags=re.M) if n != NO_ADDRESS}
    assert addresses(message, "To") == expected_to and len(expected_to) == 21
    assert addresses(message, "Cc") == {OBSERVER}
    assert [a.display_name for a in message["To"].addresses][0] == "Bjørn Haugstad"

    text = body_of(message)
    for title in PUBLIC_TITLES:
        assert title in " ".join(text.split())
    assert "5/25 Unntatt offentlighet (offl. § 14)" in text
    assert "Eventuelt" in text and "kl. 09.00–11.30" in text and "Hovedbygningen, Gløshaugen, møterom 201" in text
    unfolded = data.replace(b"=\r\n", b"")  # quoted-printable soft line breaks
    assert SECRET not in text and SECRET.encode() not in unfolded and "personalsak" not in text

    assert pdf_attachments(message) == [(f"ALU-{DAY}-sakspapirer.pdf", (root / PACKET).read_bytes())]
    assert f"no e-mail address in committee.yaml for: {NO_ADDRESS}" in output

    # the same input gives the same bytes, in another folder too
    other = root.parent / "other"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns("converter"))
    (other / NOTICE_EML).unlink()
    assert mail(other)[0] == 0
    assert (other / NOTICE_EML).read_bytes() == data
    files = json.loads((root / "archive/manifest.json").read_text())["files"]
    issued = files[PACKET.removeprefix("archive/")]["issued"]
    assert message["Message-ID"] and message["Date"].datetime.date() == dt.date.fromisoformat(issued)  # the issue day


def test_a_revised_notice_says_so_and_lists_its_changes(root: Path) -> None:
    changes = ["Ny sak 6/25 Budsjett 2026", "Møtestart endret fra 09.00 til 10.00"]
    revised = compose(Paths.at(root), dt.date.fromisoformat(DAY), changes=changes).message
    first = compose(Paths.at(root), dt.date.fromisoformat(DAY)).message
    message = parse(revised.as_bytes())
    assert message["Subject"] == "Revidert innkalling til møte i ALU onsdag 27. august 2025"
    text = body_of(message)
    assert "Innkallingen er revidert" in text
    assert all(f"- {change}" in text for change in changes)
    assert revised["Message-ID"] != first["Message-ID"]


def test_a_packet_above_the_limit_is_linked_not_attached(root: Path) -> None:
    set_mail(root, "attach_limit_mb", "0")
    status, output = mail(root)
    assert status == 2 and "mail.archive_url" in output and "Traceback" not in output
    assert not (root / NOTICE_EML).exists()

    set_mail(root, "archive_url", "https://example.org/alu-arkiv/")
    status, output = mail(root)
    assert status == 0, output
    message = parse((root / NOTICE_EML).read_bytes())
    assert pdf_attachments(message) == [] and not message.is_multipart()
    assert f"https://example.org/alu-arkiv/2025/{DAY}/ALU-{DAY}-sakspapirer.pdf" in body_of(message)
    assert "for store til å sendes som vedlegg" in body_of(message)


def test_approved_minutes_are_mailed_with_the_approved_pdf(root: Path) -> None:
    status, output = mail(root, "--minutes")
    assert status == 0, output
    message = parse((root / MINUTES_EML).read_bytes())
    assert message["Subject"] == "Referat fra møte i ALU onsdag 27. august 2025"
    assert pdf_attachments(message) == [(f"ALU-{DAY}-referat.pdf", (root / MINUTES).read_bytes())]
    text = body_of(message)
    assert "er godkjent" in text and "1/25 Administrativ omstilling" in text
    assert "5/25 Unntatt offentlighet (offl. § 14)" in text and SECRET not in text


def test_minutes_that_are_not_approved_are_refused(root: Path) -> None:
    yaml_path = root / "meetings" / DAY / "meeting.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("status: approved", "status: draft"),
                         encoding="utf-8")
    status, output = mail(root, "--minutes")
    assert status == 2 and "not approved" in output and f"alu-docs approve {DAY}" in output
    assert not (root / "internal/mail").exists()


def test_a_meeting_not_built_tells_the_secretary_to_build_it(root: Path) -> None:
    status, output = run_cli("--root", str(root), "mail", "2025-09-24")
    assert status == 2, output
    assert output.startswith("error: ") and "make meeting DATE=2025-09-24" in output
    assert len(output.strip().splitlines()) == 1  # one line, no traceback


class Inbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PASSWORD = "korrekt hest batteri"


def check_password(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"alu" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def inbox(root: Path) -> Iterator[Inbox]:
    """A local SMTP server on a free port (no STARTTLS; login checked when given), set in
    the copy's committee.yaml."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=check_password,
                            auth_require_tls=False)
    controller.start()
    set_mail(root, "smtp_port", str(port))
    try:
        yield handler
    finally:
        controller.stop()


def test_send_delivers_the_message_whole(root: Path, inbox: Inbox) -> None:
    status, output = mail(root, "--send")
    assert status == 0, output
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == SECRETARY
    assert set(envelope.rcpt_tos) == addresses(parse((root / NOTICE_EML).read_bytes()), "To") | {OBSERVER}
    message = parse(envelope.original_content)
    assert message["Subject"] == "Innkalling til møte i ALU onsdag 27. august 2025"
    assert message["X-Unsent"] is None  # a sent message is not a draft for its readers
    assert pdf_attachments(message) == [(f"ALU-{DAY}-sakspapirer.pdf", (root / PACKET).read_bytes())]
    assert "5/25 Unntatt offentlighet (offl. § 14)" in body_of(message)
    assert "sent     to 22 addresses through 127.0.0.1:" in output


def test_send_logs_in_with_the_password_from_the_named_variable(root: Path, inbox: Inbox,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    set_mail(root, "user", "alu")
    set_mail(root, "password_env", "ALU_TEST_SMTP_PASSWORD")
    monkeypatch.delenv("ALU_TEST_SMTP_PASSWORD", raising=False)
    status, output = mail(root, "--send")
    assert status == 2 and "ALU_TEST_SMTP_PASSWORD" in output and "Traceback" not in output
    assert inbox.envelopes == [] and not (root / "internal/mail").exists()

    monkeypatch.setenv("ALU_TEST_SMTP_PASSWORD", "feil")
    status, output = mail(root, "--send")
    assert status == 2 and "refused the login" in output and inbox.envelopes == []

    monkeypatch.setenv("ALU_TEST_SMTP_PASSWORD", PASSWORD)
    status, output = mail(root, "--send")
    assert status == 0, output
    assert len(inbox.envelopes) == 1


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(root: Path, inbox: Inbox) -> None:
    status, output = mail(root, "--send", "--dry-run")
    assert status == 0, output
    assert inbox.envelopes == [] and not (root / "internal/mail").exists()
    size = (root / PACKET).stat().st_size
    assert f"from     Administrativt lederutvalg <{SECRETARY}>" in output
    assert address_of("Bjørn Haugstad") in output and OBSERVER in output
    assert "subject  Innkalling til møte i ALU onsdag 27. august 2025" in output
    assert f"attach   ALU-{DAY}-sakspapirer.pdf ({size} bytes)" in output


def test_a_password_in_place_of_the_variable_name_is_refused_without_echoing_it(project: Path) -> None:
    set_mail(project, "password_env", "'hemmelig passord!'")
    status, output = run_cli("check")
    assert status == 2
    assert "mail.password_env: expected the NAME of an environment variable" in output
    assert "hemmelig" not in output


def test_a_mistyped_address_names_its_line(project: Path) -> None:
    path = project / "meetings/committee.yaml"
    text, count = re.subn(r"^  email: null", "  email: sekretariat(at)example.org", path.read_text(encoding="utf-8"),
                          flags=re.M)
    assert count == 1
    path.write_text(text, encoding="utf-8")
    status, output = run_cli("check")
    assert status == 2
    assert re.search(r"committee\.yaml:\d+: secretary\.email: expected an e-mail address", output), output
