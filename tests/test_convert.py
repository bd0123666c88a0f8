"""LibreOffice conversion: one run for many files, PDF checks, and runs that can always be
stopped and leave nothing behind (fake `soffice` scripts on PATH inject the faults)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfWriter

from alu_docs import convert, converter
from alu_docs.convert import (
    PDF_EXPORT,
    PDF_FILTER,
    SERVER_OPTIONS,
    cleanup,
    private_profile,
    scratch,
    stop_all,
    to_pdf,
)
from alu_docs.errors import ConversionFailed


def make_docx(folder: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        doc = Document()
        doc.add_paragraph(f"Dokument {i}: æøå")
        path = folder / f"doc{i}.docx"
        doc.save(path)
        files.append(path)
    return files


def fake_soffice(folder: Path, body: str) -> Path:
    """An executable `soffice` in `folder` (put it first on PATH)."""
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return script


def leftovers(root: Path) -> list[str]:
    """Our processes whose command line or environment mentions `root` (every process a
    run starts has its profile, TMPDIR or marker there), zombies aside."""
    found = []
    needle = str(root).encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
            environ = Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        if needle in cmdline or needle in environ:
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {command[:200]}")
    return found


def no_leftovers(root: Path, within: float = 3.0) -> list[str]:
    deadline = time.monotonic() + within
    while (found := leftovers(root)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


@pytest.fixture
def on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder first on PATH, for a fake soffice."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    return folder


def test_many_files_in_one_run(tmp_path: Path, soffice: None) -> None:
    pdfs = to_pdf(make_docx(tmp_path, 4), tmp_path / "out", work=tmp_path / "work")
    assert [p.name for p in pdfs] == [f"doc{i}.pdf" for i in range(4)]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    assert not leftovers(tmp_path)
    assert not list((tmp_path / "work" / "tmp").glob("*/soffice-*")), "the run's TMPDIR is removed"


def test_libreoffice_runs_without_its_wrapper(soffice: None) -> None:
    # /usr/bin/soffice is a script that starts oosplash, which starts soffice.bin: neither
    # passes on a parent-death signal, so soffice.bin is started directly
    assert converter.soffice_program(convert.find_soffice() or "").endswith("soffice.bin")


def test_the_export_settings_are_declared_once() -> None:
    typed = json.loads(PDF_FILTER.split(":", 2)[2])
    from_json = {k: v["value"] == "true" if v["type"] == "boolean" else int(v["value"]) for k, v in typed.items()}
    from_options = {k: v == "true" if v in ("true", "false") else int(v)
                    for k, v in (o.split("=", 1) for o in SERVER_OPTIONS)}
    assert from_json == from_options == PDF_EXPORT
    assert PDF_EXPORT["SelectPdfVersion"] == 2 and PDF_EXPORT["UseTaggedPDF"] is True


def test_exit_status_zero_without_a_pdf_is_a_failure(tmp_path: Path, on_path: Path) -> None:
    fake_soffice(on_path, "exit 0")
    with pytest.raises(ConversionFailed, match="did not convert doc0.docx: no PDF was written"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out", work=tmp_path / "work")


def test_a_pdf_that_does_not_open_is_a_failure(tmp_path: Path, on_path: Path) -> None:
    # the last argument is the DOCX; to_pdf created the out folder beside it
    fake_soffice(on_path, 'for last; do :; done; echo broken > "$(dirname "$last")/out/doc0.pdf"')
    with pytest.raises(ConversionFailed, match="does not open|no pages"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out", work=tmp_path / "work")


def blank_pdf(path: Path) -> Path:
    """A one-page PDF, the output a fake soffice copies."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(path)
    return path


def test_a_restart_request_is_answered_by_starting_again(tmp_path: Path, on_path: Path) -> None:
    # soffice.bin's first start in a new profile exits 81 without converting (oosplash restarts it)
    sample = blank_pdf(tmp_path / "sample.pdf")
    starts = tmp_path / "starts"
    fake_soffice(on_path, f'echo x >> {starts}; [ $(wc -l < {starts}) -ge 2 ] || exit 81\n'
                          f'while [ "$1" != --outdir ]; do shift; done; cp {sample} "$2/doc0.pdf"')
    pdfs = to_pdf(make_docx(tmp_path, 1), tmp_path / "out", work=tmp_path / "work")
    assert pdfs[0].read_bytes() == sample.read_bytes()
    assert len(starts.read_text().splitlines()) == 2


def test_timeout_kills_the_whole_process_group(tmp_path: Path, on_path: Path) -> None:
    # like /usr/bin/soffice: a wrapper whose child (soffice.bin) keeps running
    marker = tmp_path / "child.pid"
    fake_soffice(on_path, f"sleep 300 & echo $! > {marker}; wait")
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match="did not finish converting 1 documents in 2 s"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out", timeout=2, work=tmp_path / "work")
    assert time.monotonic() - started < 5
    child = int(marker.read_text())
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(child)], capture_output=True, text=True).stdout.strip()
    assert state in ("", "Z"), f"child {child} still running: {state}"


def test_timeout_holds_when_a_child_leaves_the_group_and_ignores_sigterm(tmp_path: Path, on_path: Path) -> None:
    # a grandchild in its own session holding the output open, and a wrapper deaf to SIGTERM
    fake_soffice(on_path, "trap '' TERM INT HUP; setsid sleep 300 & sleep 300 & wait")
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match="in 2 s and was stopped"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out", timeout=2, work=tmp_path / "work")
    assert time.monotonic() - started < 5
    assert not no_leftovers(tmp_path)


def test_a_finished_run_does_not_wait_for_a_grandchild_holding_its_output(tmp_path: Path, on_path: Path) -> None:
    fake_soffice(on_path, "setsid sleep 300 & exit 0")
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match="no PDF was written"):
        to_pdf(make_docx(tmp_path, 1), tmp_path / "out", work=tmp_path / "work")
    assert time.monotonic() - started < 5
    assert not no_leftovers(tmp_path)


def test_a_conversion_in_a_worker_thread_is_stopped_from_the_main_thread(tmp_path: Path, on_path: Path) -> None:
    started_file = tmp_path / "started"
    fake_soffice(on_path, f"trap '' TERM INT; touch {started_file}; sleep 300 & wait")
    group = object()
    failure: list[BaseException] = []

    def convert_in_thread() -> None:
        try:
            to_pdf(make_docx(tmp_path, 1), tmp_path / "out", work=tmp_path / "work", group=group)
        except BaseException as exc:  # noqa: B036 - handed to the main thread
            failure.append(exc)

    worker = threading.Thread(target=convert_in_thread)
    worker.start()
    deadline = time.monotonic() + 10
    while not started_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started_file.exists()
    stopped = time.monotonic()
    assert stop_all(group) == 1
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - stopped < 2
    assert failure and isinstance(failure[0], ConversionFailed)
    assert not no_leftovers(tmp_path)


def test_cleanup_removes_what_dead_runs_left_and_keeps_live_ones(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    work = tmp_path / "work"
    dead = work / "tmp" / "p999999-dead"
    dead.mkdir(parents=True)
    (dead / ".lock").touch()
    (dead / "lu12345.tmp").write_text("LibreOffice's temporary file")
    live = work / "tmp" / "p1-live"
    live.mkdir()
    (live / ".lock").touch()
    holder = subprocess.Popen(["flock", str(live / ".lock"), "sleep", "30"])  # a live process holds its lock
    # an orphan: its owner (marker) is a process that no longer exists
    orphan = subprocess.Popen(["sleep", "30"], env={**os.environ, converter.MARKER: "999999:1:run-x"})
    mine = subprocess.Popen(["sleep", "30"], env={**os.environ, converter.MARKER: converter.owner_marker("run-y")})
    try:
        time.sleep(0.3)  # flock has taken the lock
        assert cleanup(work) == 1
        assert not dead.exists() and live.exists()
        assert orphan.wait(5) == -9
        assert mine.poll() is None
        own = scratch(work)
        assert cleanup(work) == 0 and own.exists()  # this process's own folder is kept
    finally:
        for process in (holder, orphan, mine):
            process.kill()
            process.wait()


def test_a_profile_left_in_use_by_a_dead_run_is_recreated(tmp_path: Path) -> None:
    work = tmp_path / "work"
    with private_profile(work) as profile:
        (profile / "half-written").mkdir(parents=True)
    in_use = profile.with_name(profile.name + ".in-use")
    assert not in_use.exists()  # a clean end removes the mark
    with pytest.raises(ConversionFailed), private_profile(work):
        raise ConversionFailed("killed at the timeout")
    assert in_use.exists()  # a run that failed or died leaves it
    with private_profile(work) as again:
        assert again == profile and not (again / "half-written").exists()


def test_two_runs_at_once_get_different_profiles(tmp_path: Path) -> None:
    with private_profile(tmp_path / "work") as first, private_profile(tmp_path / "work") as second:
        assert first != second


def test_project_state_is_per_project(tmp_path: Path) -> None:
    with private_profile(tmp_path / "a") as a, private_profile(tmp_path / "b") as b:
        assert a.is_relative_to(tmp_path / "a") and b.is_relative_to(tmp_path / "b")
    assert re.fullmatch(r"p\d+-[0-9a-f]{8}", scratch(tmp_path / "a").name)


def test_a_rebuild_converts_only_changed_documents(tmp_path: Path, on_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALU_CONVERTER", "batch")
    sample = blank_pdf(tmp_path / "sample.pdf")
    calls = tmp_path / "calls"
    fake_soffice(on_path, f'echo "$@" >> {calls}; while [ "$1" != --outdir ]; do shift; done; out=$2; shift 2\n'
                          f'for f; do cp {sample} "$out/$(basename "$f" .docx).pdf"; done')
    files = make_docx(tmp_path, 3)

    def build(name: str) -> tuple[str, list[str]]:
        with convert.PdfBatches(tmp_path / name, len(files), work=tmp_path / "work") as batches:
            for docx in files:
                batches.add(docx)
            pdfs = {d.name: p for run in batches.completed() for d, p in run.items()}
        assert sorted(pdfs) == [f.name for f in files] and all(p.read_bytes() == sample.read_bytes()
                                                               for p in pdfs.values())
        return batches.describe(), calls.read_text().splitlines()

    assert build("first") == ("1 LibreOffice run", [calls.read_text().splitlines()[0]])
    doc = Document()
    doc.add_paragraph("endret")
    doc.save(files[1])
    description, runs = build("second")
    assert description == "1 LibreOffice run, 2 unchanged from the cache"
    assert len(runs) == 2 and runs[1].endswith("doc1.docx")  # only the changed one
