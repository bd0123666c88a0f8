"""`alu-docs watch DATE`: a rebuild per save (not per write of an editor's save burst), errors
shown without stopping, drafts only in .alu-work/preview/ (archive, internal and the YAML
untouched), and Ctrl-C ends it with 130 and no LibreOffice left. The end-to-end test runs the
real command as a subprocess with the real LibreOffice and reads the preview with pdftotext."""

from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from alu_docs import watch
from alu_docs.paths import Paths
from tests.conftest import pdftotext, run_cli, snapshot
from tests.test_minutes import SECRET, all_public_text, confidential  # noqa: F401 (a fixture)

DATE = dt.date(2025, 8, 27)
YAML = Path("meetings/2025-08-27/meeting.yaml")


class Watching:
    """watch_loop in a thread with a rebuild that only counts (no LibreOffice)."""

    def __init__(self, project: Path) -> None:
        self.rebuilds = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch.watch_loop, args=(Paths.at(project), DATE),
                                       kwargs={"echo": lambda line: None, "stop": self.stop, "rebuild": self.count})
        self.thread.start()
        self.settle()

    def count(self, paths: Paths, date: dt.date, echo) -> bool:  # type: ignore[no-untyped-def]
        self.rebuilds += 1
        return True

    def settle(self) -> int:
        """Wait until the watch has seen everything (no rebuild for a while); return the count."""
        deadline = time.monotonic() + 10
        last, since = self.rebuilds, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - since < 4 * (watch.POLL + watch.QUIET):
            time.sleep(0.05)
            if self.rebuilds != last:
                last, since = self.rebuilds, time.monotonic()
        return self.rebuilds

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


def editor_save(path: Path, text: str) -> None:
    """As editors save: write a temporary file, rename it over the file, then write again."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text[: len(text) // 2], encoding="utf-8")
    os.replace(temporary, path)
    time.sleep(0.02)
    path.write_text(text, encoding="utf-8")


def test_a_save_burst_is_one_rebuild_and_swap_files_none(project: Path) -> None:
    watching = Watching(project)
    try:
        assert watching.rebuilds == 1  # the first preview
        yaml = project / YAML
        editor_save(yaml, yaml.read_text(encoding="utf-8") + "# note\n")
        assert watching.settle() == 2
        (yaml.parent / ".meeting.yaml.swp").write_bytes(b"vim")  # an editor's own files change all the time
        (yaml.parent / "meeting.yaml~").write_bytes(b"backup")
        assert watching.settle() == 2
        (yaml.parent / "vedlegg" / "ny.pdf").write_bytes(b"%PDF-1.7\n")  # an attachment: yes
        assert watching.settle() == 3
        (project / "templates" / "referat.docx").touch()
        assert watching.settle() == 4
    finally:
        watching.close()


def test_errors_are_shown_and_the_watch_goes_on(project: Path) -> None:
    paths, lines = Paths.at(project), []
    yaml = project / YAML
    good = yaml.read_text(encoding="utf-8")
    yaml.write_text(good[: good.index("  - title: Strategi")] + "  - title: [\n", encoding="utf-8")  # half-written
    assert watch.rebuild_once(paths, DATE, lines.append) is False
    assert "problems 1 found; the preview still shows the last valid version:" in lines[0]
    assert lines[1].startswith("meetings/2025-08-27/meeting.yaml:") and "YAML syntax error" in lines[1]
    lines.clear()
    yaml.unlink()  # briefly missing (an editor's rename)
    assert watch.rebuild_once(paths, DATE, lines.append) is False
    assert lines[1] == "meetings/2025-08-27: no meeting.yaml in this meeting folder"
    yaml.write_text(good.replace("type: discussion", "type: diskusjon", 1), encoding="utf-8")
    lines.clear()
    assert watch.rebuild_once(paths, DATE, lines.append) is False
    assert "cases[0].type: expected one of decision, discussion, information; got 'diskusjon'" in lines[1]


def test_a_meeting_that_does_not_exist_is_an_error(project: Path) -> None:
    status, output = run_cli("watch", "2031-01-08")
    assert status == 2
    assert output.strip() == ("error: no meeting folder meetings/2031-01-08/ to watch; "
                              "create it with: alu-docs new-meeting 2031-01-08")


def test_the_internal_edition_is_previewed_in_internal_only(project: Path, confidential: Path, soffice,  # noqa: F811
                                                             poppler) -> None:
    lines: list[str] = []
    assert watch.rebuild_once(Paths.at(project), DATE, lines.append), lines
    internal = project / "internal" / "preview" / DATE.isoformat()
    public = project / ".alu-work" / "preview" / DATE.isoformat()
    assert SECRET in " ".join(pdftotext(internal / "ALU-2025-08-27-referat.pdf").split())
    assert "Unntatt offentlighet" in " ".join(pdftotext(public / "ALU-2025-08-27-referat.pdf").split())
    assert SECRET not in all_public_text(project / ".alu-work")  # previews, caches, converter state
    assert not (project / "archive" / "manifest.json").exists()


def soffice_processes(project: Path) -> list[str]:
    """Command lines of running processes that belong to this project's LibreOffice (its profile
    and the converter's state live under the project's .alu-work/)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(project) in command and state not in ("Z", "X"):
            found.append(command)
    return found


class Running:
    """`alu-docs watch DATE` as a subprocess, its output read line by line."""

    def __init__(self, project: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "alu_docs", "watch", DATE.isoformat()], cwd=project,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, containing: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if containing in line:
                return line
        raise AssertionError(f"no line with {containing!r} in {timeout} s; output: {self.seen}")


@pytest.mark.slow
def test_watch_shows_an_edit_in_the_pdf_and_stops_on_ctrl_c(project: Path, soffice, poppler) -> None:
    before = snapshot(project)
    yaml = project / YAML
    good = yaml.read_text(encoding="utf-8")
    minutes = project / ".alu-work" / "preview" / "2025-08-27" / "ALU-2025-08-27-referat.pdf"
    running = Running(project)
    try:
        first = running.next_line(" preview ", 180)
        assert first.endswith(("referat", "more")) and "6 PDFs" in first
        assert "ALU støtter at samordning" in pdftotext(minutes)
        latencies = []
        for word in ("Blåbærsyltetøy", "Tyttebærsyltetøy"):
            edited = good.replace("    conclusion: |\n", f"    conclusion: |\n      Vedtatt med ordet {word}.\n", 1)
            old = minutes.stat().st_ino
            saved = time.monotonic()
            editor_save(yaml, edited)
            while minutes.stat().st_ino == old:  # replaced (atomically) by the new preview
                assert time.monotonic() - saved < 60, running.seen
                time.sleep(0.005)
            latencies.append(time.monotonic() - saved)
            assert word in pdftotext(minutes)
            assert "changed: ALU-2025-08-27-referat" in running.next_line(" preview ", 30)
        print(f"watch: the new preview PDF was there {', '.join(f'{t:.2f}' for t in latencies)} s after the save")
        yaml.write_text(edited + "  bad: [\n", encoding="utf-8")  # a mistake: shown, the watch goes on
        assert "problems" in running.next_line(" problems ", 30)
        assert "YAML syntax error" in running.next_line("meeting.yaml:", 5)
        yaml.write_text(good, encoding="utf-8")
        assert "changed: ALU-2025-08-27-referat" in running.next_line(" preview ", 30)
        assert soffice_processes(project)  # the warm converter runs while the watch does
        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(30) == 130
        last = running.next_line("interrupted", 5)
        assert last == "interrupted; stopped (LibreOffice included); the archive was left whole"
        deadline = time.monotonic() + 5
        while soffice_processes(project) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert soffice_processes(project) == []
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()
    after = snapshot(project)  # archive/, internal/ and the YAML as they were: drafts only in .alu-work/
    assert after == before
    assert not (project / "internal").exists() and not any((project / "archive").iterdir())
