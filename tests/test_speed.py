"""What makes the commands fast, checked for behaviour (benchmarks print the times, bench/):
`check DATE` opens only that meeting's attachments, parsed meetings come from a cache that
follows every edit, filled DOCX and finished PDFs and packets come from caches keyed by their
input, and the output is what it would be without the caches."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alu_docs import docxfill, meetingcache
from alu_docs.model import load_all
from tests import hostile
from tests.conftest import pdftotext, run_cli

OTHER = "2026-01-14"  # a meeting added by the tests, with an attachment


def add_meeting(project: Path, attachment: bytes | None) -> Path:
    folder = project / "meetings" / OTHER
    (folder / "vedlegg").mkdir(parents=True)
    if attachment is not None:
        (folder / "vedlegg" / "notat.pdf").write_bytes(attachment)
    (folder / "meeting.yaml").write_text(f"""date: {OTHER}
cases:
  - title: Samordning av tjenester
    type: information
    presenter: Hege Brende
    duration: 20
    summary: Status.
    attachments:
      - file: vedlegg/notat.pdf
        title: Notat
""", encoding="utf-8")
    return folder


def hashed_files(project: Path) -> list[str]:
    """The attachments whose sha256 the verdict cache knows: files check has read."""
    index = project / ".alu-work" / "cache" / "attachments"
    return [name for file in index.glob("index-*.json") for name in json.loads(file.read_text())["files"]]


def test_check_date_leaves_other_meetings_attachments_unopened(project: Path, tmp_path: Path) -> None:
    damaged = hostile.garbage(tmp_path / "garbage.pdf").read_bytes()  # starts with %PDF-, refused when opened
    add_meeting(project, damaged)
    status, output = run_cli("check", "2025-08-27")
    assert status == 0, output
    assert not any(name.endswith(f"{OTHER}/vedlegg/notat.pdf") for name in hashed_files(project))
    assert any(name.endswith("2025-08-27/vedlegg/omstilling-statusnotat.pdf") for name in hashed_files(project))
    for args in (("check",), ("check", OTHER)):  # checking it, or everything, opens it
        status, output = run_cli(*args)
        assert status == 2 and f"meetings/{OTHER}/meeting.yaml:9: cases[0].attachments[0].file:" in output
        assert "damaged" in output


def test_check_date_still_checks_other_meetings_paths(project: Path) -> None:
    folder = add_meeting(project, hostile.text_pdf())
    assert run_cli("check", "2025-08-27")[0] == 0  # the other meeting is parsed and kept in the cache
    (folder / "vedlegg" / "notat.pdf").unlink()
    status, output = run_cli("check", "2025-08-27")
    assert status == 2
    assert f"meetings/{OTHER}/meeting.yaml:9: cases[0].attachments[0].file: file not found" in output
    (folder / "vedlegg" / "notat.pdf").write_bytes(b"<html>not a pdf</html>")
    status, output = run_cli("check", "2025-08-27")
    assert status == 2 and "it does not start with %PDF-" in output


def test_parsed_meetings_follow_every_edit(project: Path) -> None:
    add_meeting(project, hostile.text_pdf())
    assert run_cli("check", "2025-08-27")[0] == 0
    kept = list((project / ".alu-work" / "cache" / "meetings").glob("*.pickle"))
    assert len(kept) == 1
    other = project / "meetings" / OTHER / "meeting.yaml"
    text = other.read_text(encoding="utf-8")
    other.write_text(text.replace("type: information", "type: informasjon"), encoding="utf-8")
    status, output = run_cli("check", "2025-08-27")
    assert status == 2 and f"meetings/{OTHER}/meeting.yaml:4: cases[0].type: expected one of" in output
    other.write_text(text, encoding="utf-8")
    assert run_cli("check", "2025-08-27")[0] == 0
    committee = project / "meetings" / "committee.yaml"  # the roster decides too
    committee.write_text(committee.read_text(encoding="utf-8").replace("Hege Brende", "Hege Brende-Olsen"),
                         encoding="utf-8")
    status, output = run_cli("check", "2025-08-27")
    assert status == 2 and f"meetings/{OTHER}/meeting.yaml:5: cases[0].presenter:" in output


def test_cached_meetings_equal_parsed_ones(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    meetings = project / "meetings"
    plain = load_all(meetings)
    cache = project / ".alu-work" / "cache"
    meetingcache.load_all(meetings, full_check=[], cache=cache)  # fills the cache
    parsed: list[Path] = []
    monkeypatch.setattr(meetingcache.ParsedMeetings, "keep", lambda self, folder, meeting: parsed.append(folder))
    cached = meetingcache.load_all(meetings, full_check=[], cache=cache)
    assert parsed == [] and cached == plain  # nothing parsed again, the same meetings


def test_filled_docx_comes_from_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = project / "templates" / "saksframlegg.docx"
    cache = project / ".alu-work" / "cache"
    fills = []
    fill = docxfill._fill
    monkeypatch.setattr(docxfill, "_fill", lambda *a, **k: fills.append(1) or fill(*a, **k))
    from alu_docs.context import Context
    from alu_docs.render import plan_meeting

    committee, meetings = load_all(project / "meetings")
    ctx = Context.build(committee, meetings)
    meeting = next(m for m in meetings if m.date.isoformat() == "2025-08-27")
    plan = next(p for p in plan_meeting(ctx, meeting, "public") if p.template == template.name)

    def render(context: dict) -> bytes:
        return docxfill.render_docx(template, context, plan.title, language="nb", author="ALU", day=meeting.date,
                                    cache=cache)

    first = render(plan.context)
    assert render(plan.context) == first and len(fills) == 1
    assert first == docxfill.render_docx(template, plan.context, plan.title, language="nb", author="ALU",
                                         day=meeting.date)  # the same bytes as without a cache
    changed = dict(plan.context, header_left="NTNU · ALU · endret")
    assert render(changed) != first and len(fills) == 3  # (the second fill was the one without a cache)


def test_packet_and_pdfs_come_from_the_cache_when_their_input_is_unchanged(project: Path, soffice, poppler) -> None:
    """A build stopped before its commit (here: a full disk) leaves the archive as it was; the
    next build takes its PDFs and the packet from the cache instead of making them again."""
    stopped = subprocess.run([sys.executable, "-m", "alu_docs", "build", "2025-08-27"], cwd=project,
                             capture_output=True, text=True, env={**os.environ, "ALU_FAULT_AFTER_WRITES": "1:enospc"})
    folder = project / "archive" / "2025" / "2025-08-27"
    assert stopped.returncode == 2 and not folder.exists(), stopped.stdout + stopped.stderr
    status, output = run_cli("build", "2025-08-27")
    assert status == 0, output
    assert re.search(r"packet   2025-08-27 public: \d+ pages, \d+ kB unchanged, from the cache", output), output
    assert "(7 unchanged from the cache)" in output, output
    packet = (folder / "ALU-2025-08-27-sakspapirer.pdf").read_bytes()
    meeting = project / "meetings" / "2025-08-27" / "meeting.yaml"
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("    conclusion: |\n", "    conclusion: |\n      Tilføyd i referatet.\n", 1),
                       encoding="utf-8")
    status, output = run_cli("build", "2025-08-27")
    assert status == 0, output
    assert "render   1 documents" in output, output  # the minutes; the issued documents are left as issued
    assert (folder / "ALU-2025-08-27-sakspapirer.pdf").read_bytes() == packet
    assert "Tilføyd i referatet." in pdftotext(folder / "ALU-2025-08-27-referat.pdf")
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "Administrativ omstilling – status høsten 2025", "Administrativ omstilling – status vinteren 2025"),
        encoding="utf-8")
    status, output = run_cli("build", "2025-08-27")
    packet_line = next(line for line in output.splitlines() if line.startswith("packet"))
    assert status == 0 and "from the cache" not in packet_line  # a case title is in the packet: made again
    assert "status vinteren 2025" in pdftotext(folder / "ALU-2025-08-27-sakspapirer.pdf")


def test_a_build_that_converts_nothing_leaves_the_warm_converter_running(project: Path, soffice) -> None:
    from alu_docs.convert import WarmServer
    from tests.test_convert_faults import need_uno

    need_uno()
    assert run_cli("build", "2025-08-27")[0] == 0  # every PDF is in the cache now
    server = WarmServer(project / ".alu-work")
    assert server._attach_running()
    server.kill()
    done = subprocess.run([sys.executable, "-m", "alu_docs", "build", "--force", "2025-08-27"], cwd=project,
                          capture_output=True, text=True)  # a process that starts a server and ends
    everything_cached = re.search(r"convert  (\d+) PDF/A-2b files .*\(\1 unchanged from the cache\)", done.stdout)
    assert done.returncode == 0 and everything_cached, done.stdout + done.stderr
    deadline = time.monotonic() + 60
    while not (project / ".alu-work" / "converter" / "server" / "server.json").exists():
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    time.sleep(1)  # it would have taken the build's end for a death by now
    assert server._attach_running(), "the warm converter exited with the build that started it"
    server.kill()


def test_the_commands_load_the_heavy_libraries_only_when_they_use_them() -> None:
    """pypdf, docxtpl (python-docx, jinja2), ruamel.yaml, reportlab, icalendar and holidays take
    0.1-0.2 s each to import: loading the build, check, search and watch modules imports none."""
    heavy = ("pypdf", "docxtpl", "docx", "jinja2", "ruamel", "reportlab", "icalendar", "holidays", "pyhanko")
    code = ("import sys\nimport alu_docs.cli, alu_docs.build, alu_docs.check, alu_docs.search, alu_docs.watch\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
