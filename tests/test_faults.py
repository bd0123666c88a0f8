"""The archive survives faults (issue 10): every interruption leaves it exactly old or
exactly new, `verify` passes, approved minutes are never lost or changed, and every OS-level
failure is one line with exit status 2.

Invariant checked after each fault: the next command recovers (or rolls back) first; then
the archive (and the meeting's YAML) equals the state before the build or the state a
complete build leaves, and `alu-docs verify` passes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from alu_docs import archive as archive_module
from alu_docs import build as build_module
from alu_docs.archive import ARCHIVE_README, JOURNAL
from alu_docs.context import Context
from alu_docs.errors import ArchiveError
from alu_docs.model import load_all
from alu_docs.paths import Paths
from alu_docs.verify import verify
from tests.conftest import ROOT, run_cli, snapshot

DAY = "2025-08-27"
YAML = f"meetings/{DAY}/meeting.yaml"
MINUTES_PDF = f"archive/2025/{DAY}/ALU-{DAY}-referat.pdf"


def state(project: Path) -> dict[str, bytes]:
    """What the invariant compares: the archive (but its lock), internal/ and the YAML."""
    files = {f"archive/{k}": v for k, v in snapshot(project / "archive").items() if k != ".lock"}
    if (project / "internal").exists():
        files.update({f"internal/{k}": v for k, v in snapshot(project / "internal").items()})
    files[YAML] = (project / YAML).read_bytes()
    return files


# The warm converter's live state (its LibreOffice may still write its profile there): never
# part of a saved project, and stopped before a project is replaced.
LIVE_SERVER = shutil.ignore_patterns("converter")


def restore(saved: Path, project: Path) -> None:
    """Put the saved project back in place of `project`."""
    from alu_docs.convert import WarmServer

    server = WarmServer(project / ".alu-work")
    if server._attach_running():
        server.kill()
    for attempt in range(100):  # a server whose build was killed is still exiting: its files go with it
        try:
            shutil.rmtree(project)
            break
        except OSError:
            if attempt == 99:
                raise
            time.sleep(0.05)
    shutil.copytree(saved, project, symlinks=True)


def edit(project: Path, old: str, new: str) -> None:
    path = project / YAML
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def alu(project: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """The real command line, in its own process (so it can be killed)."""
    return subprocess.run([sys.executable, "-m", "alu_docs", *args], cwd=project, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def prepare_change(paths: Paths) -> tuple[Context, list, build_module._Converted]:
    """Render and convert a build of DAY (real LibreOffice), stopping before its commit."""
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    meeting = next(m for m in meetings if m.date.isoformat() == DAY)
    manifest = build_module.Manifest.load(paths.archive)
    job = build_module._Job.prepare(ctx, meeting, paths, manifest)
    converted = build_module._render_and_convert(
        paths, ctx, [job], lambda: build_module._index_plan(paths, ctx, manifest, [job], True, None),
        lambda _: None, None)
    return ctx, [job], converted


@pytest.mark.slow
def test_a_kill_after_every_write_of_a_build_leaves_old_or_new(project: Path, paths: Paths, soffice: None,
                                                                poppler: None) -> None:
    """SIGKILL after the k-th disk change of a real build's commit, for every k."""
    assert run_cli("build", DAY)[0] == 0
    edit(project, "ALU støtter at samordning", "ALU mener at samordning")  # draft minutes change
    ctx, jobs, converted = prepare_change(paths)
    old = state(project)
    saved = project.parent / "saved"
    shutil.copytree(project, saved, symlinks=True, ignore=LIVE_SERVER)

    def commit_in_child(k: int) -> int:
        pid = os.fork()
        if pid == 0:  # the child commits and is killed at its k-th write
            os.environ["ALU_FAULT_AFTER_WRITES"] = str(k)
            archive_module._after_write.count = 0  # type: ignore[attr-defined]
            try:
                build_module.commit_build(paths, ctx, jobs, converted, lambda _: None)
            finally:
                os._exit(0)
        return os.waitpid(pid, 0)[1]

    assert commit_in_child(10_000) == 0  # no fault: the new state
    new = state(project)
    assert new != old and verify(paths) == []
    outcomes = []
    for k in range(1, 200):
        restore(saved, project)
        status = commit_in_child(k)
        if os.WIFEXITED(status):  # k is past the last write: every k has been tried
            break
        assert os.WTERMSIG(status) == signal.SIGKILL
        result = alu(project, "verify")  # the next command recovers first, then checks
        assert result.returncode == 0, result.stdout + result.stderr
        after = state(project)
        assert after in (old, new), f"kill after write {k}: neither the old nor the new archive"
        assert not list(project.rglob("*.alu-txn-*")) and not (project / "archive" / JOURNAL).exists()
        outcomes.append("old" if after == old else "new")
    assert len(outcomes) > 10 and {"old", "new"} == set(outcomes)
    assert outcomes == sorted(outcomes, key=lambda o: o == "new")  # old until the commit mark, then new


@pytest.mark.slow
def test_a_build_killed_at_random_moments_leaves_old_or_new(project: Path, paths: Paths, soffice: None,
                                                             poppler: None) -> None:
    """The real command, SIGKILLed (its whole process group) at moments spread over its run."""
    assert run_cli("build", DAY)[0] == 0
    edit(project, "ALU støtter at samordning", "ALU mener at samordning")
    old = state(project)
    saved = project.parent / "saved"
    shutil.copytree(project, saved, symlinks=True, ignore=LIVE_SERVER)
    started = time.monotonic()
    assert alu(project, "build", DAY).returncode == 0
    duration = time.monotonic() - started
    new_docx = (project / MINUTES_PDF).with_suffix(".docx").read_bytes()
    for moment in (0.2, 0.4, 0.6, 0.75, 0.85, 0.95):
        restore(saved, project)
        process = subprocess.Popen([sys.executable, "-m", "alu_docs", "build", DAY], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(duration * moment)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        result = alu(project, "verify")
        assert result.returncode == 0, result.stdout + result.stderr
        after = state(project)
        if after != old:  # new: the same files as a complete build, the new minutes in them
            assert (project / MINUTES_PDF).with_suffix(".docx").read_bytes() == new_docx


def test_a_full_or_read_only_disk_during_the_commit_changes_nothing(project: Path, paths: Paths,
                                                                    soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    edit(project, "ALU støtter at samordning", "ALU mener at samordning")
    before = state(project)
    for how, says in (("enospc", "No space left on device"), ("erofs", "Read-only file system")):
        result = alu(project, "build", DAY, env={"ALU_FAULT_AFTER_WRITES": f"4:{how}"})
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0] and "the archive was not changed" in lines[0]
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
        assert state(project) == before
        assert not list(project.rglob("*.alu-txn-*"))


def test_ctrl_c_while_the_archive_is_written_leaves_it_whole(project: Path, paths: Paths, soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    edit(project, "ALU støtter at samordning", "ALU mener at samordning")
    before = state(project)
    result = alu(project, "build", DAY, env={"ALU_FAULT_AFTER_WRITES": "3:raise"})  # while staging
    assert result.returncode == 130 and result.stderr.strip().startswith("interrupted")
    assert "Traceback" not in result.stderr and state(project) == before
    for k in range(2, 60):  # a Ctrl-C after the commit mark: the next command completes the change
        result = alu(project, "build", DAY, env={"ALU_FAULT_AFTER_WRITES": f"{k}:raise"})
        journal = project / "archive" / JOURNAL
        if result.returncode == 130 and journal.exists() and json.loads(journal.read_text())["state"] == "committed":
            break
    else:
        pytest.fail("no write after the commit mark was interrupted")
    assert result.stderr.strip().startswith("interrupted") and "Traceback" not in result.stderr
    result = alu(project, "verify")
    assert result.returncode == 0 and "recover" in result.stdout, result.stdout + result.stderr


def test_approve_racing_a_build_cannot_replace_the_approved_minutes(project: Path, paths: Paths, soffice: None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The build renders draft minutes; approve runs and commits before the build's commit."""
    assert run_cli("build", DAY)[0] == 0
    rendered, go = threading.Event(), threading.Event()
    real = build_module._render_and_convert
    racing = {}

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        converted = real(*args, **kwargs)
        if threading.current_thread().name == "racing-build":
            rendered.set()
            go.wait(timeout=600)
        return converted

    monkeypatch.setattr(build_module, "_render_and_convert", held)

    def run_build() -> None:
        try:
            build_module.build(paths, build_module.dt.date.fromisoformat(DAY), echo=lambda _: None, force=True)
        except ArchiveError as exc:
            racing["error"] = exc.format_message()

    thread = threading.Thread(target=run_build, name="racing-build")
    thread.start()
    assert rendered.wait(timeout=600)
    status, output = run_cli("approve", DAY)
    assert status == 0, output
    approved = (project / MINUTES_PDF).read_bytes()
    go.set()
    thread.join(timeout=600)
    assert "approved while this build ran; nothing was written" in racing["error"]
    assert (project / MINUTES_PDF).read_bytes() == approved
    assert verify(paths) == []
    status, output = run_cli("build", DAY)  # and the next build keeps them too
    assert status == 0 and (project / MINUTES_PDF).read_bytes() == approved


def test_a_lost_manifest_cannot_make_a_build_rewrite_approved_minutes(project: Path, paths: Paths,
                                                                       soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    assert run_cli("approve", DAY)[0] == 0
    approved = (project / MINUTES_PDF).read_bytes()
    assert "approved_sha256:" in (project / YAML).read_text(encoding="utf-8")
    (project / "archive/manifest.json").unlink()
    edit(project, "ALU støtter at samordning", "ALU mener at samordning")  # an edit after approval
    status, output = run_cli("build", DAY)
    assert status == 0, output
    assert "approved minutes are left unchanged" in output
    assert (project / MINUTES_PDF).read_bytes() == approved
    manifest = json.loads((project / "archive/manifest.json").read_text(encoding="utf-8"))
    assert manifest["meetings"][DAY]["approved"]["pdf"]["public"]
    assert not any(e["event"] == "minutes approved" for e in manifest["log"])  # restored, not approved anew
    assert verify(paths) == []

    # the manifest lost and the approved file replaced: refuse, name the file, change nothing
    (project / "archive/manifest.json").unlink()
    (project / MINUTES_PDF).write_bytes(approved.replace(b"/Producer", b"/Producex", 1))
    before = state(project)
    status, output = run_cli("build", DAY)
    assert status == 2 and f"{MINUTES_PDF}: the approved minutes are changed" in output
    assert state(project) == before


def test_verify_names_every_tampering(project: Path, paths: Paths, soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    assert run_cli("approve", DAY)[0] == 0
    assert run_cli("verify")[0] == 0
    saved = state(project)
    manifest_path = project / "archive/manifest.json"

    def restore() -> None:
        for relative in set(state(project)) - set(saved):
            (project / relative).unlink()
        for relative, data in saved.items():
            (project / relative).parent.mkdir(parents=True, exist_ok=True)
            (project / relative).write_bytes(data)

    # the approved PDF replaced, and its sha256 in files[] too
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    fake = b"%PDF-1.4 not the approved minutes"
    (project / MINUTES_PDF).write_bytes(fake)
    manifest["files"][MINUTES_PDF.removeprefix("archive/")]["sha256"] = build_module.sha256(fake)
    manifest["files"][MINUTES_PDF.removeprefix("archive/")]["size"] = len(fake)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    status, output = run_cli("verify")
    assert status == 2 and f"approval of {DAY}: the approved minutes" in output
    restore()
    # the approved minutes and their entry deleted
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["files"][MINUTES_PDF.removeprefix("archive/")]
    (project / MINUTES_PDF).unlink()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    status, output = run_cli("verify")
    assert status == 2 and f"approval of {DAY}" in output
    restore()
    # a hidden file, something in archive/cache/, the YAML's approval edited
    (project / "archive/.hidden.js").write_text("app.alert(1)")
    (project / "archive/cache").mkdir()
    (project / "archive/cache/x.json").write_text("{}")
    edit(project, "approved_sha256: ", "approved_sha256: 0")
    status, output = run_cli("verify")
    assert status == 2
    assert "archive/.hidden.js: not in the manifest" in output and "archive/cache/x.json: not in the manifest" in output
    assert f"meetings/{DAY}/meeting.yaml records sha256" in output or "approved_sha256" in output
    restore()
    assert run_cli("verify")[0] == 0


def test_up_to_date_means_the_outputs_are_there(project: Path, paths: Paths, soffice: None) -> None:
    assert run_cli("build", DAY)[0] == 0
    notice = project / f"archive/2025/{DAY}/ALU-{DAY}-innkalling.pdf"
    notice.unlink()
    status, output = run_cli("build", DAY)
    assert status == 0 and "unchanged since the last build" not in output and notice.is_file()
    assert verify(paths) == []


def test_a_build_without_libreoffice_does_not_count_as_done(project: Path, paths: Paths, soffice: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    status, output = run_cli("build", DAY)
    assert status == 2 and "LibreOffice is not installed" in output
    monkeypatch.undo()
    monkeypatch.chdir(project)
    status, output = run_cli("build", DAY)
    assert status == 0 and "unchanged" not in output
    assert (project / MINUTES_PDF).is_file()


@pytest.mark.parametrize(("manifest", "says"), [
    ("[]", "expected a JSON object with 'files', 'meetings' and 'log'"),
    ('{"files": {"index.pdf": {"size": 3}}}', "the entry for 'index.pdf' has no sha256 and size"),
    ('{"files": ', "is damaged"),
])
def test_a_malformed_manifest_is_one_clear_line(project: Path, manifest: str, says: str) -> None:
    (project / "archive/manifest.json").write_text(manifest, encoding="utf-8")
    for command in (["verify"], ["build", "2025-10-15"], ["index"]):
        result = alu(project, *command)
        assert result.returncode == 2, (command, result.stderr)
        assert "archive/manifest.json" in result.stderr and says in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_yaml_nested_too_deep_is_one_clear_line(project: Path) -> None:
    (project / YAML).write_text(f"date: {DAY}\ncases: " + "[" * 990 + "]" * 990 + "\n", encoding="utf-8")
    result = alu(project, "check", DAY)
    assert result.returncode == 2 and f"{YAML}:" in result.stderr and "nested" in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_a_missing_meetings_folder_is_one_clear_line(project: Path) -> None:
    shutil.rmtree(project / "meetings")
    result = alu(project, "build", DAY)
    assert result.returncode == 2 and "meetings" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_the_archive_readme_in_git_is_the_one_a_build_writes(project: Path, paths: Paths, soffice: None) -> None:
    """A fresh clone has archive/README.md from git: after `make meeting`, verify passes."""
    assert (ROOT / "archive/README.md").read_text(encoding="utf-8") == ARCHIVE_README
    shutil.copy(ROOT / "archive/README.md", project / "archive/README.md")
    assert run_cli("build", DAY)[0] == 0
    assert (project / "archive/README.md").read_text(encoding="utf-8") == ARCHIVE_README
    status, output = run_cli("verify")
    assert status == 0, output
