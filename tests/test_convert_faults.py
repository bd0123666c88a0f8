"""Faults injected into real `alu-docs build` processes and into the warm converter:
Ctrl-C and SIGTERM while LibreOffice hangs, SIGKILL of the build (and of its process group)
during a real conversion, a hung server conversion, an idle server, a server that cannot
start. Afterwards no process of the project may be left, and the next command removes
every temporary file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alu_docs import convert, converter
from alu_docs.convert import PdfBatches, WarmServer, to_pdf
from alu_docs.errors import ConversionFailed
from tests.conftest import pdfinfo, run_cli
from tests.test_convert import fake_soffice, leftovers, make_docx, no_leftovers, on_path  # noqa: F401

DAY = "2025-08-27"
ALU = str(Path(sys.executable).parent / "alu-docs")
MODES = ["batch", "server"]


def need_uno() -> None:
    """The warm converter needs LibreOffice's Python UNO bridge (Debian: python3-uno)."""
    found = subprocess.run([convert.uno_python("/usr/lib/libreoffice/program/soffice.bin"), "-c", "import uno"],
                           capture_output=True).returncode == 0
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail("python3-uno is missing under CI: `make test` should have installed it")
    pytest.skip("python3-uno not installed (make system installs it)")


@pytest.fixture
def system_tmp(tmp_path: Path) -> Path:
    """The build's TMPDIR, standing in for /tmp: nothing may be left there."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    return folder


def start_build(project: Path, system_tmp: Path, mode: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ALU_CONVERTER": mode, "TMPDIR": str(system_tmp), "ALU_CONVERTER_IDLE": "30"}
    return subprocess.Popen([ALU, *args], cwd=project, env=env, text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def temporary_files(project: Path, system_tmp: Path, server: bool = True) -> list[str]:
    """Anything in the build's TMPDIR (alu-build-*, lu*.tmp, …), in .alu-work/tmp/, and (when
    no warm converter runs) in its LibreOffice's TMPDIR."""
    folders = [system_tmp, project / ".alu-work" / "tmp"]
    folders += [project / ".alu-work" / "converter" / "server" / "tmp"] if server else []
    return sorted(str(p) for folder in folders if folder.exists() for p in folder.iterdir())


def next_command(project: Path, system_tmp: Path) -> None:
    """`alu-docs check DATE` after a fault: it removes what the dead build left."""
    check = start_build(project, system_tmp, "batch", "check", DAY)
    out, err = check.communicate(timeout=60)
    assert check.returncode == 0, out + err
    assert not temporary_files(project, system_tmp)


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_stops_a_hanging_conversion_within_two_seconds(
        project: Path, system_tmp: Path, on_path: Path, mode: str, how: signal.Signals) -> None:  # noqa: F811
    started = project / "soffice-started"
    # a LibreOffice that hangs, deaf to SIGTERM, with a child in another session
    fake_soffice(on_path, f"trap '' TERM INT HUP; touch {started}; setsid sleep 300 & sleep 300 & wait")
    build = start_build(project, system_tmp, mode, "build", DAY)
    wait_for(started.exists, 60, "the fake soffice")
    time.sleep(0.3)
    sent = time.monotonic()
    build.send_signal(how)
    out, err = build.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    assert build.returncode == 130, out + err
    assert elapsed <= 2.0, f"took {elapsed:.1f} s"
    assert err.splitlines() == ["interrupted; stopped (LibreOffice included); the archive was left whole"], err
    assert "Traceback" not in out + err
    assert not no_leftovers(project, within=0.5)
    next_command(project, system_tmp)


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_a_killed_build_leaves_no_libreoffice_and_the_next_command_cleans_up(
        project: Path, system_tmp: Path, soffice: None, mode: str) -> None:
    if mode == "server":
        need_uno()
    build = start_build(project, system_tmp, mode, "build", DAY)
    pid = build.pid

    def converting() -> bool:  # the first PDF of this build is written, others are on their way
        return any(project.joinpath(".alu-work", "tmp").glob("*/alu-build-*/pdf-out/run0/*.pdf"))

    wait_for(converting, 120, "the conversion to start")
    office = [p for p in leftovers(project) if "soffice.bin" in p]
    os.killpg(pid, signal.SIGKILL)  # the build's process group (as a terminal's kill would)
    build.communicate()
    assert office, "LibreOffice was running when the build was killed"
    marked = [p for p, m in converter.marked_processes().items() if m.startswith(f"{pid}:")]
    assert not marked, f"processes with the killed build's marker: {marked}"
    assert not no_leftovers(project, within=3.0)  # the warm server dies with an attached build

    leftover = temporary_files(project, system_tmp)
    assert leftover, "the kill left its scratch folder (the next command is what removes it)"
    next_command(project, system_tmp)

    # and the next build works: a profile left in use by the killed run is recreated
    rebuilt = start_build(project, system_tmp, mode, "build", DAY)
    out, err = rebuilt.communicate(timeout=300)
    assert rebuilt.returncode == 0, out + err
    assert "Tagged:" in pdfinfo(project / "archive/2025" / DAY / f"ALU-{DAY}-innkalling.pdf")
    assert not temporary_files(project, system_tmp, server=False)
    server = WarmServer(project / ".alu-work")
    if server._attach_running():  # the warm converter stays for the next build; stop it here
        server.kill()
    assert not no_leftovers(project, within=3.0)


@pytest.fixture
def warm(tmp_path: Path, soffice: None, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A function giving a started, attached warm converter for a work folder; all killed after."""
    need_uno()
    monkeypatch.setenv("ALU_CONVERTER_IDLE", "30")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    started: list[WarmServer] = []

    def start(work: Path) -> WarmServer:
        server = WarmServer(work)
        server.begin()
        assert server.ready(), server.problem
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()
    assert not no_leftovers(tmp_path)


def office_of(server: WarmServer) -> int:
    """The server's LibreOffice: the process carrying the server's marker."""
    assert server.endpoint is not None
    return next(pid for pid, marker in converter.marked_processes().items()
                if marker.startswith(f"{server.endpoint['pid']}:"))


@pytest.mark.slow
def test_both_ways_export_tagged_pdfa_2b(tmp_path: Path, warm, poppler: None) -> None:  # type: ignore[no-untyped-def]
    docx = make_docx(tmp_path, 1)[0]
    plain = to_pdf([docx], tmp_path / "plain", work=tmp_path / "work")[0]
    server = warm(tmp_path / "work")
    served = tmp_path / "served" / "doc0.pdf"
    server.convert(docx, served, 60)
    for pdf in (plain, served):
        meta = pdfinfo(pdf, "-meta")
        assert "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta, pdf
        assert re.search(r"^Tagged:\s+yes", pdfinfo(pdf), re.M), pdf
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert all(row.split()[-5] == "yes" for row in fonts.splitlines()[2:]), fonts
    texts = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout for p in (plain, served)]
    assert texts[0] == texts[1] and "æøå" in texts[0]


@pytest.mark.slow
def test_two_projects_never_share_a_server_or_profile(tmp_path: Path, warm) -> None:  # type: ignore[no-untyped-def]
    first, second = warm(tmp_path / "a" / ".alu-work"), warm(tmp_path / "b" / ".alu-work")
    assert first.endpoint and second.endpoint and first.endpoint["pid"] != second.endpoint["pid"]
    for server, root in ((first, tmp_path / "a"), (second, tmp_path / "b")):
        command = Path(f"/proc/{office_of(server)}/cmdline").read_bytes().decode()
        assert f"UserInstallation=file://{root}/.alu-work/converter/server/profile" in command
    again = WarmServer(tmp_path / "a" / ".alu-work")
    again.begin()  # a second user of project a attaches to the same server
    assert again.ready() and again.endpoint == first.endpoint and again.spawned is None
    again.detach()


@pytest.mark.slow
def test_a_hung_server_conversion_is_killed_at_the_timeout_and_the_server_replaced(
        tmp_path: Path, warm) -> None:  # type: ignore[no-untyped-def]
    docx = make_docx(tmp_path, 1)[0]
    server = warm(tmp_path / "work")
    endpoint = server.endpoint
    os.kill(office_of(server), signal.SIGSTOP)  # LibreOffice hangs
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match="did not finish converting doc0.docx in 3 s"):
        server.convert(docx, tmp_path / "out" / "doc0.pdf", 3)
    assert time.monotonic() - started < 6
    assert not no_leftovers(tmp_path / "work")
    replacement = warm(tmp_path / "work")
    assert replacement.endpoint and endpoint and replacement.endpoint["pid"] != endpoint["pid"]
    replacement.convert(docx, tmp_path / "out" / "doc0.pdf", 60)
    assert (tmp_path / "out" / "doc0.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.slow
def test_the_server_exits_by_itself_when_idle(tmp_path: Path, warm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ALU_CONVERTER_IDLE", "1")
    server = warm(tmp_path / "work")
    assert leftovers(tmp_path / "work")
    server.detach()
    assert not no_leftovers(tmp_path / "work", within=10)
    assert not (tmp_path / "work" / "converter" / "server" / "server.json").exists()
    assert not (tmp_path / "work" / "converter" / "server" / "profile.in-use").exists()  # a clean exit


@pytest.mark.slow
def test_a_server_that_cannot_start_falls_back_to_a_plain_run(
        tmp_path: Path, soffice: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALU_CONVERTER_PYTHON", sys.executable)  # a Python without the UNO bridge
    lines: list[str] = []
    files = make_docx(tmp_path, 2)
    with PdfBatches(tmp_path / "out", len(files), work=tmp_path / "work", echo=lines.append) as batches:
        for docx in files:
            batches.add(docx)
        pdfs = {docx: pdf for run in batches.completed() for docx, pdf in run.items()}
    assert [pdf.read_bytes()[:5] for pdf in pdfs.values()] == [b"%PDF-"] * 2
    assert lines == ["convert  warm converter unavailable: LibreOffice's Python UNO bridge is missing "
                     "(apt-get install python3-uno); using a plain LibreOffice run"]
    assert batches.describe() == "1 LibreOffice run"
    assert not no_leftovers(tmp_path)


@pytest.mark.slow
def test_a_build_goes_through_the_warm_converter(project: Path, soffice: None, poppler: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    need_uno()
    monkeypatch.setenv("ALU_CONVERTER_IDLE", "60")
    status, output = run_cli("build", DAY)
    assert status == 0, output
    assert re.search(r"^convert  \d+ PDF/A-2b files in [\d.]+ s \(the warm converter\)$", output, re.M), output
    server = WarmServer(project / ".alu-work")
    assert server._attach_running(), "the server stays warm after the build"
    status, output = run_cli("build", "--force", DAY)  # nothing changed: what is converted comes from the cache
    converted = re.search(r"^convert  (\d+) PDF/A-2b files in [\d.]+ s \(.*?(\d+) unchanged from the cache\)$",
                          output, re.M)
    assert status == 0 and converted and converted[1] == converted[2], output  # (issued documents: not at all)
    meeting = project / "meetings" / DAY / "meeting.yaml"
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("conclusion: |\n", "conclusion: |\n      Endret.\n", 1), encoding="utf-8")
    status, output = run_cli("build", DAY)  # one conclusion changed: only the minutes are converted again
    assert status == 0, output
    assert re.search(r"^convert  1 PDF/A-2b files in [\d.]+ s \(the warm converter\)$", output, re.M), output
    server.kill()
    assert not no_leftovers(project)


@pytest.mark.slow
def test_ctrl_c_while_the_warm_converter_hangs(project: Path, system_tmp: Path, soffice: None) -> None:
    need_uno()
    server = WarmServer(project / ".alu-work")
    server.begin()
    assert server.ready(), server.problem
    os.kill(office_of(server), signal.SIGSTOP)  # LibreOffice hangs in the server
    server.detach()  # the build attaches by itself
    build = start_build(project, system_tmp, "server", "build", DAY)
    wait_for(lambda: any(project.joinpath(".alu-work", "tmp").glob("*/alu-build-*/docx/*.docx")), 60, "rendering")
    time.sleep(1.0)  # the first conversion hangs now
    sent = time.monotonic()
    build.send_signal(signal.SIGINT)
    out, err = build.communicate(timeout=30)
    assert build.returncode == 130 and time.monotonic() - sent <= 2.0, out + err
    assert err.splitlines() == ["interrupted; stopped (LibreOffice included); the archive was left whole"], err
    assert not no_leftovers(project, within=0.5)  # the hung server went with the build
    next_command(project, system_tmp)
