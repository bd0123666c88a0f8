"""The warm converter: a small per-project server that keeps one LibreOffice running
between builds, and the process rules every LibreOffice run of alu-docs follows.

This file runs in two interpreters, so it imports the standard library only:
- inside alu-docs (any Python), for the process rules (`die_with_parent`, the owner
  marker, `soffice_program`), used by convert.py;
- as the server program, under the Python that has LibreOffice's UNO bridge (Debian's
  /usr/bin/python3 with python3-uno), started by convert.WarmServer as
  `python3 -I converter.py STATE --owner PID …`. The UNO side is unoserver's
  `UnoConverter` (from PyPI; its folder is appended to sys.path); the transport is
  XML-RPC on 127.0.0.1 at a random port and a secret path.

Process rules (issue 10: no orphans, prompt stop):
- LibreOffice is `soffice.bin` itself, not the oosplash wrapper, started with
  PR_SET_PDEATHSIG=SIGKILL: it dies with the thread that started it, even on SIGKILL.
  Its restart request (exit 81, a fresh profile) is answered by starting it again.
- Every LibreOffice process carries ALU_CONVERT_OWNER=<pid>:<start time>:<tag> in its
  environment, so whatever it forks (even into another session) can be found through
  /proc/*/environ and killed: after each run, and by the next command when the owner died.

Server lifetime (state in the project's .alu-work/converter/server/, so two projects never
share a server or a profile):
- one per project (an flock), started on a build's first use, serving the builds that
  attach to it; the starting build is attached from the start;
- a build detaches when it ends; when an attached build dies (SIGKILL) the server kills
  its LibreOffice and exits at once: a killed build never leaves a conversion running;
- it exits after ALU_CONVERTER_IDLE seconds (default 45) with nobody attached, and when
  its LibreOffice dies. A conversion past its timeout is killed by the client (the whole
  server goes), and the next build starts a fresh one.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

MARKER = "ALU_CONVERT_OWNER"
RESTART = 81  # soffice.bin asks its wrapper to start it again (first start in a new profile)
SERVER_BUSY = 3  # exit status: another server holds this project's lock
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_prctl = _libc.prctl  # resolved here, in the parent: the child after fork only calls it


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGKILL when the thread that started it ends (or dies)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat): with the pid,
    it names one process even after the pid is reused. None when there is no such process
    or it has died (a zombie not yet reaped by its parent)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def owner_marker(tag: str) -> str:
    """ALU_CONVERT_OWNER's value for processes this process starts."""
    return f"{os.getpid()}:{start_time(os.getpid())}:{tag}"


def owner_alive(marker: str) -> bool:
    pid, _, rest = marker.partition(":")
    started = rest.partition(":")[0]
    return pid.isdigit() and start_time(int(pid)) == started


def marked_processes() -> dict[int, str]:
    """Every process (of ours: others' environ is unreadable) carrying the owner marker."""
    found = {}
    key = MARKER.encode() + b"="
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            if item.startswith(key):
                found[int(entry.name)] = item[len(key):].decode("ascii", "replace")
                break
    return found


def kill_marked(select) -> int:  # type: ignore[no-untyped-def]
    """SIGKILL every marked process whose marker `select(marker)` accepts; return how many."""
    killed = 0
    for pid, marker in marked_processes().items():
        if pid != os.getpid() and select(marker):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    return killed


def note_detached(state: Path, pid: int) -> None:
    """For a server that has not answered yet: build `pid` detached (ended well), it did not die."""
    (state / f"detached-{pid}").touch()


def soffice_program(soffice: str) -> str:
    """The program to run for `soffice` on PATH: LibreOffice's soffice.bin beside the
    wrapper script when there is one (so no oosplash in between), else `soffice` itself."""
    real = Path(soffice).resolve()
    binary = real.with_name("soffice.bin")
    return str(binary) if real.name == "soffice" and binary.is_file() else soffice


def soffice_env(profile_home: Path, tmp: Path, marker: str) -> dict[str, str]:
    """What the wrapper script would set, plus a private HOME and TMPDIR, plus the marker."""
    env = {k: v for k, v in os.environ.items() if k != MARKER}
    return {**env, "SAL_ENABLE_FILE_LOCKING": "1", "HOME": str(profile_home), "TMPDIR": str(tmp),
            MARKER: marker}


def profile_seed() -> Path:
    """A freshly initialised LibreOffice profile (per user, never used by a run: only copied)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "alu-docs" / "profile-seed"


def new_profile(profile: Path) -> None:
    """Replace `profile` with a copy of the seed, which spares LibreOffice its first start in
    a new profile (~1 s and a restart); without a seed LibreOffice makes one itself."""
    shutil.rmtree(profile, ignore_errors=True)
    seed = profile_seed()
    if (seed / "user" / "registrymodifications.xcu").is_file():
        with contextlib.suppress(OSError):
            shutil.copytree(seed, profile, symlinks=True)


def remember_seed(profile: Path) -> None:
    """After LibreOffice's restart request the profile is freshly initialised and no process
    uses it: keep a copy as the seed, once."""
    seed = profile_seed()
    if seed.exists():
        return
    temporary = seed.with_name(f"{seed.name}.{os.getpid()}.new")
    try:
        shutil.copytree(profile, temporary, symlinks=True)
        temporary.rename(seed)  # atomic; fails when another process was first
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)


# --- the server program ------------------------------------------------------------


class _HiddenLoads:
    """LibreOffice's desktop, opening documents as `soffice --convert-to` does: hidden (no
    frame to lay out for a screen; measured twice as fast as unoserver's default)."""

    def __init__(self, desktop) -> None:  # type: ignore[no-untyped-def]
        self.desktop = desktop

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.desktop, name)

    def loadComponentFromURL(self, url, frame, flags, properties):  # type: ignore[no-untyped-def]  # noqa: N802
        from com.sun.star.beans import PropertyValue

        hidden = PropertyValue(Name="Hidden", Value=True)
        return self.desktop.loadComponentFromURL(url, frame, flags, (*properties, hidden))


class _Server:
    """One LibreOffice, its UNO connection, the attached builds, and the idle clock."""

    def __init__(self, state: Path, soffice: str, idle: float) -> None:
        self.state = state
        self.soffice = soffice
        self.idle = idle
        self.owners: dict[int, str | None] = {}
        self.lock = threading.Lock()  # owners, closing, last_used
        self.converting = threading.Lock()  # one conversion at a time: LibreOffice is single-threaded
        self.closing = False
        self.last_used = time.monotonic()
        self.office: subprocess.Popen[bytes] | None = None
        self.converter = None

    def prepare(self) -> None:
        """A profile that a killed server may have left half-written is recreated."""
        in_use = self.state / "profile.in-use"
        if in_use.exists() or not (self.state / "profile").exists():
            new_profile(self.state / "profile")
        in_use.touch()
        shutil.rmtree(self.state / "tmp", ignore_errors=True)
        (self.state / "tmp").mkdir(parents=True)

    def start_office(self, port: int) -> None:
        command = [self.soffice, f"-env:UserInstallation={(self.state / 'profile').as_uri()}", "--headless",
                   "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
                   f"--accept=socket,host=127.0.0.1,port={port},tcpNoDelay=1;urp;StarOffice.ComponentContext"]
        env = soffice_env(self.state, self.state / "tmp", owner_marker("server"))
        self.office = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)

    def connect(self, port: int, deadline: float) -> None:
        from com.sun.star.uno import Exception as UnoException
        from unoserver.converter import UnoConverter

        while time.monotonic() < deadline:
            assert self.office is not None
            if reason := self.dead_owner():
                raise RuntimeError(reason)
            if self.office.poll() == RESTART:  # first start in a fresh profile
                remember_seed(self.state / "profile")
                self.start_office(port)
            elif self.office.poll() is not None:
                raise RuntimeError(f"LibreOffice exited with status {self.office.returncode} while starting")
            try:
                self.converter = UnoConverter(interface="127.0.0.1", port=str(port))
                self.converter.desktop = _HiddenLoads(self.converter.desktop)
                return
            except UnoException:
                time.sleep(0.05)
        raise RuntimeError("LibreOffice did not accept a connection in time")

    # XML-RPC methods
    def attach(self, pid: int, started: str) -> bool:
        with self.lock:
            if self.closing:
                return False
            self.owners[pid] = started
            return True

    def detach(self, pid: int) -> bool:
        with self.lock:
            self.owners.pop(pid, None)
            self.last_used = time.monotonic()
        return True

    def convert(self, inpath: str, outpath: str, options: list[str]) -> bool:
        with self.converting:
            assert self.converter is not None
            self.converter.convert(inpath=inpath, outpath=outpath, convert_to="pdf", filtername="writer_pdf_Export",
                                   filter_options=options, update_index=False)
        with self.lock:
            self.last_used = time.monotonic()
        return True

    def dead_owner(self) -> str | None:
        with self.lock:
            for pid, started in list(self.owners.items()):
                if start_time(pid) != started:
                    note = self.state / f"detached-{pid}"
                    if note.exists():  # it ended well before the server answered: a detach
                        note.unlink(missing_ok=True)
                        del self.owners[pid]
                        self.last_used = time.monotonic()
                        continue
                    return f"build {pid} died while attached"
        return None

    def warm_up(self, docx: Path, options: list[str]) -> None:
        with contextlib.suppress(Exception):
            self.convert(str(docx), str(self.state / "tmp" / "warm-up.pdf"), options)
        (self.state / "tmp" / "warm-up.pdf").unlink(missing_ok=True)

    def why_stop(self) -> str | None:
        """A reason to exit now, or None: checked every 0.1 s by the main loop."""
        assert self.office is not None
        if self.office.poll() is not None:
            return f"LibreOffice exited ({self.office.returncode})"
        if reason := self.dead_owner():
            return reason
        with self.lock:
            if not self.owners and not self.converting.locked() and time.monotonic() - self.last_used > self.idle:
                self.closing = True
                return f"idle for {self.idle:.0f} s"
        return None

    def shutdown(self, graceful: bool) -> None:
        self._stop_office(graceful)
        kill_marked(lambda marker: marker.startswith(f"{os.getpid()}:"))  # what LibreOffice started

    def _stop_office(self, graceful: bool) -> None:
        if self.office is None or self.office.poll() is not None:
            return
        if graceful and self.converter is not None:  # lets LibreOffice write its profile
            with contextlib.suppress(Exception):
                self.converter.desktop.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.office.wait(5)
        if self.office.poll() is None:
            self.office.kill()
            self.office.wait()
        elif self.office.returncode == 0:
            (self.state / "profile.in-use").unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text)
    temporary.replace(path)


def serve(state: Path, owner: int, owner_started: str, idle: float, soffice: str,
          warm_up: Path | None = None, options: list[str] | None = None) -> int:
    """Run the server until idle, orphaned by a dying build, or signalled; return the exit status."""
    from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

    state.mkdir(parents=True, exist_ok=True)
    lock = (state / "lock").open("a")
    deadline = time.monotonic() + 5  # an old server may still be on its way out
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if time.monotonic() > deadline:
                return SERVER_BUSY
            time.sleep(0.05)
    info = state / "server.json"
    info.unlink(missing_ok=True)
    server = _Server(state, soffice, idle)
    server.attach(owner, owner_started)

    def stop(signum, frame):  # type: ignore[no-untyped-def]
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    token = secrets.token_hex(16)

    class Handler(SimpleXMLRPCRequestHandler):
        rpc_paths = (f"/{token}",)  # a local process that does not know the token gets 404

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    class Threading(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
        daemon_threads = True  # attach/detach are answered while a conversion runs

    graceful = False
    try:
        port = _free_port()
        server.prepare()
        server.start_office(port)
        server.connect(port, time.monotonic() + 60)
        rpc = Threading(("127.0.0.1", 0), requestHandler=Handler, allow_none=True, logRequests=False)
        for method in (server.attach, server.detach, server.convert):
            rpc.register_function(method)
        threading.Thread(target=rpc.serve_forever, daemon=True).start()
        _write_atomic(info, json.dumps({"pid": os.getpid(), "started": start_time(os.getpid()),
                                        "port": rpc.server_address[1], "token": token}))
        print(f"ready on port {rpc.server_address[1]}", file=sys.stderr, flush=True)
        if warm_up is not None:  # LibreOffice loads its DOCX filter and fonts before the first real file
            threading.Thread(target=server.warm_up, args=(warm_up, options or []), daemon=True).start()
        while (reason := server.why_stop()) is None:
            time.sleep(0.1)
        graceful = reason.startswith("idle")
        print(f"exit: {reason}", file=sys.stderr, flush=True)
        return 0
    finally:
        with contextlib.suppress(OSError):
            if json.loads(info.read_text()).get("pid") == os.getpid():
                info.unlink()
        server.shutdown(graceful)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alu-docs converter")
    parser.add_argument("state", type=Path)
    parser.add_argument("--owner", type=int, required=True)
    parser.add_argument("--owner-started", required=True)
    parser.add_argument("--idle", type=float, default=45.0)
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--unoserver", required=True, help="folder holding the unoserver package")
    parser.add_argument("--warm-up", type=Path, help="a DOCX to convert first, while nobody waits")
    parser.add_argument("--option", action="append", default=[], help="an export filter option, Name=value")
    args = parser.parse_args(argv)
    sys.path.append(args.unoserver)  # after the system's own packages (uno lives there)
    try:
        import uno  # noqa: F401
        import unoserver.converter  # noqa: F401
    except ImportError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 5
    return serve(args.state, args.owner, args.owner_started, args.idle, args.soffice, args.warm_up, args.option)


if __name__ == "__main__":
    sys.exit(main())
