"""Stage 4: DOCX -> PDF/A-2b, tagged, with LibreOffice.

Two ways, with the same export settings (PDF_EXPORT):
- the warm converter (converter.py): a per-project LibreOffice server that a build
  starts early (`prestart`) so its start-up overlaps Python's, and that stays warm for
  the next build; used for one meeting's build;
- the plain batched run (`to_pdf`): ONE `soffice --convert-to` call for many files,
  used for large builds (one run per core), when the server cannot start, and with
  ALU_CONVERTER=batch.

Every run is stoppable and leaves nothing behind (see converter.py for the process rules):
its output goes to files, not pipes (a grandchild holding a pipe cannot block it), it is
registered so that `stop_all()` (Ctrl-C) kills it from the main thread, and its temporary
files live in this process's folder under .alu-work/tmp/, which the next command removes
if this process died (`cleanup`). Each run has a private profile that no other run uses at
the same time; a profile in use by a run that died is recreated.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from queue import Queue
from typing import IO

from . import __version__, cachefile, converter
from .archive import file_sha256
from .errors import ConversionFailed, ToolMissing
from .paths import Echo, Paths

INSTALL_HINT = (
    "LibreOffice is not installed. Install it with:\n"
    "  sudo apt-get install --no-install-recommends libreoffice-writer-nogui fonts-crosextra-carlito\n"
    "(or run `make system` as root)."
)

# The one declaration of the export settings, for both ways of converting.
PDF_EXPORT: dict[str, bool | int] = {
    "SelectPdfVersion": 2,  # PDF/A-2b
    "UseTaggedPDF": True,
    "ExportBookmarks": True,
    "EmbedStandardFonts": True,
}


def filter_json(settings: dict[str, bool | int]) -> str:
    """`--convert-to` form. Typed values: the short form {"SelectPdfVersion":2} is silently
    ignored by LibreOffice 7.4."""
    typed = {name: {"type": "boolean", "value": str(value).lower()} if isinstance(value, bool)
             else {"type": "long", "value": str(value)} for name, value in settings.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


def filter_options(settings: dict[str, bool | int]) -> list[str]:
    """unoserver's form: "Name=value", which it turns back into booleans and integers."""
    return [f"{name}={str(value).lower()}" for name, value in settings.items()]


PDF_FILTER = filter_json(PDF_EXPORT)
SERVER_OPTIONS = filter_options(PDF_EXPORT)


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def timeout_for(count: int) -> float:
    """Generous: start-up plus a few seconds per document."""
    return 60.0 + 10.0 * count


# --- stopping: every running conversion is registered --------------------------------


_running: dict[object, tuple[Callable[[], None], object]] = {}  # token -> (stop, group)
_running_lock = threading.Lock()
_stopping = threading.Event()


@contextlib.contextmanager
def _registered(stop: Callable[[], None], group: object = None) -> Iterator[None]:
    """While the block runs, stop_all() (or stop_all(group)) calls `stop` from any thread."""
    token = object()
    with _running_lock:
        if _stopping.is_set():
            raise ConversionFailed("the conversion was stopped")
        _running[token] = (stop, group)
    try:
        yield
    finally:
        with _running_lock:
            _running.pop(token, None)


def stop_all(group: object = None) -> int:
    """Kill every conversion running in this process (from any thread); returns how many.
    Without a group (Ctrl-C, SIGTERM: the process ends) new conversions are refused too."""
    with _running_lock:
        if group is None:
            _stopping.set()
        stops = [stop for stop, owner in _running.values() if group is None or owner is group]
    for stop in stops:
        stop()
    return len(stops)


# --- where temporary files go ----------------------------------------------------------


def state_root(work: Path | None) -> Path:
    """The project's .alu-work/, or (for a caller without a project) the user's cache."""
    if work is not None:
        return work.absolute()
    return (Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "alu-docs").absolute()


_scratch: dict[Path, tuple[Path, IO[str]]] = {}  # WORK/tmp -> (this process's folder, its locked file)


def scratch(work: Path | None) -> Path:
    """This process's folder under WORK/tmp/, created on first use and held by an flock
    while the process lives; removed by release_scratch() or at exit, by the next
    `cleanup` when this process died."""
    tmp = state_root(work) / "tmp"
    if tmp in _scratch and _scratch[tmp][0].is_dir():
        return _scratch[tmp][0]
    tmp.mkdir(parents=True, exist_ok=True)
    folder = tmp / f"p{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    lock = (folder / ".lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    _scratch[tmp] = (folder, lock)
    return folder


def release_scratch(work: Path | None = None) -> None:
    """Remove this process's scratch folder of `work` (all of them without)."""
    for tmp in [state_root(work) / "tmp"] if work is not None else list(_scratch):
        folder, lock = _scratch.pop(tmp, (None, None))
        if folder is not None and lock is not None:
            shutil.rmtree(folder, ignore_errors=True)
            lock.close()


atexit.register(release_scratch)


def cleanup(work: Path | None) -> int:
    """What a dead run left: kill LibreOffice processes whose owner is gone, remove the
    scratch folders of processes that no longer hold their lock. Returns folders removed."""
    converter.kill_marked(lambda marker: not converter.owner_alive(marker))
    if work is not None:
        _clean_dead_server(work.absolute() / "converter" / "server")
    removed = 0
    for root in {state_root(work), state_root(None)}:  # the project's, and callers' without one
        with contextlib.suppress(OSError):
            for folder in (root / "tmp").iterdir():
                if any(folder == mine for mine, _ in _scratch.values()) or not _owner_gone(folder):
                    continue
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def _clean_dead_server(state: Path) -> None:
    """A server that was killed leaves its LibreOffice's temporary files and its address."""
    with contextlib.suppress(OSError), (state / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no server runs
        shutil.rmtree(state / "tmp", ignore_errors=True)
        (state / "server.json").unlink(missing_ok=True)


def _owner_gone(folder: Path) -> bool:
    try:
        with (folder / ".lock").open("r") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except FileNotFoundError:  # being created right now, or a stray: only when old
        with contextlib.suppress(OSError):
            return time.time() - folder.stat().st_mtime > 60
        return False
    except OSError:
        return False


PROFILE_SLOTS = 4


@contextlib.contextmanager
def private_profile(work: Path | None) -> Iterator[Path]:
    """A LibreOffice profile that no other run uses at the same time: one of a few slots in
    WORK/converter/ (kept warm: a first start in a new profile costs ~1 s), each held by an
    flock during a run. A slot still marked in use was left by a run that died: recreated."""
    home = state_root(work) / "converter"
    home.mkdir(parents=True, exist_ok=True)
    for slot in range(PROFILE_SLOTS):
        lock = (home / f"profile-{slot}.lock").open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        try:
            profile, in_use = home / f"profile-{slot}", home / f"profile-{slot}.in-use"
            if in_use.exists() or not profile.exists():
                converter.new_profile(profile)
            in_use.touch()
            yield profile
            in_use.unlink()  # only after a clean run (an exception leaves the mark)
        finally:
            lock.close()
        return
    with _temporary_folder(work, "profile") as throw_away:  # every slot busy
        yield throw_away


@contextlib.contextmanager
def _temporary_folder(work: Path | None, prefix: str) -> Iterator[Path]:
    folder = scratch(work) / f"{prefix}-{secrets.token_hex(4)}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the plain batched run ------------------------------------------------------------


class _Run:
    """One `soffice` process with everything it starts: its process group, and any process
    carrying its marker (a child that left the group with setsid)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.marker = env[converter.MARKER]
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                            start_new_session=True, preexec_fn=converter.die_with_parent)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        converter.kill_marked(lambda marker: marker == self.marker)

    def wait(self, timeout: float) -> int:
        """Wait for the process (never for its pipes); stop() everything it left after."""
        try:
            return self.process.wait(timeout)
        finally:
            self.stop()
            self.process.wait()


def to_pdf(docx_files: list[Path], outdir: Path, timeout: float | None = None, *,
           work: Path | None = None, group: object = None) -> list[Path]:
    """Convert every DOCX to PDF in `outdir` with one LibreOffice run; return the PDFs in order.

    Raises ToolMissing without LibreOffice, ConversionFailed when a PDF is missing or
    does not open, or when LibreOffice runs past the timeout (all its processes are killed).
    `work`: the project's .alu-work/ (profiles, temporary files); `group`: see stop_all().
    """
    if not docx_files:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissing(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    timeout = timeout or timeout_for(len(docx_files))
    deadline = time.monotonic() + timeout
    with private_profile(work) as profile, _temporary_folder(work, "soffice") as tmp:
        command = [
            converter.soffice_program(soffice), f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--norestore", "--nolockcheck", "--nodefault",
            "--convert-to", PDF_FILTER, "--outdir", str(outdir), *map(str, docx_files),
        ]
        env = converter.soffice_env(profile, tmp, converter.owner_marker(f"run-{secrets.token_hex(4)}"))
        log = tmp / "soffice.log"
        for _attempt in range(2):  # soffice.bin's first start in a new profile asks for a restart
            run = _Run(command, env, log)
            with _registered(run.stop, group):
                try:
                    status = run.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    raise ConversionFailed(
                        f"LibreOffice did not finish converting {len(docx_files)} documents in "
                        f"{timeout:.0f} s and was stopped") from None
            if _stopping.is_set():
                raise ConversionFailed("the conversion was stopped")
            if status != converter.RESTART:
                break
            converter.remember_seed(profile)
        detail = log.read_text("utf-8", "replace").strip().splitlines()[-1:]
    return _checked(docx_files, [outdir / (f.stem + ".pdf") for f in docx_files], detail)


def _checked(docx_files: list[Path], pdfs: list[Path], detail: list[str]) -> list[Path]:
    from .tagging import tag_pdf  # pikepdf: loaded while LibreOffice starts, not before

    for docx, pdf in zip(docx_files, pdfs, strict=True):
        problem = pdf_problem(pdf)
        if problem:
            raise ConversionFailed(
                f"LibreOffice did not convert {docx.name}: {problem}" + (f" ({detail[0]})" if detail else ""))
        pdf.write_bytes(tag_pdf(pdf.read_bytes()))  # header cells, /Tabs: what LibreOffice leaves out
    return pdfs


def pdf_problem(pdf: Path) -> str | None:
    """Why a PDF is not usable, or None when it exists and opens with at least one page."""
    import pikepdf  # (not at the top: a build starts LibreOffice before it loads this)

    if not pdf.exists():
        return "no PDF was written"
    try:
        with pikepdf.open(pdf) as opened:
            pages = len(opened.pages)
    except Exception as exc:  # qpdf's errors, and whatever a damaged file gives
        return f"the PDF does not open ({exc.__class__.__name__})"
    return None if pages > 0 else "the PDF has no pages"


# --- the warm converter: client side ----------------------------------------------------


class ServerUnavailable(Exception):
    """The warm converter could not start or stopped answering: convert the plain way."""


STARTUP_TIMEOUT = 60.0


def idle_seconds() -> float:
    try:
        return float(os.environ.get("ALU_CONVERTER_IDLE", "45"))
    except ValueError:
        return 45.0


def uno_python(soffice_bin: str) -> str:
    """The Python with LibreOffice's UNO bridge: LibreOffice's own (upstream packages ship
    one beside soffice.bin), else the system's (Debian's python3-uno is for /usr/bin/python3)."""
    bundled = Path(soffice_bin).with_name("python")
    return str(bundled) if bundled.is_file() else os.environ.get("ALU_CONVERTER_PYTHON", "/usr/bin/python3")


class WarmServer:
    """This process's use of its project's converter server: found running or started,
    attached (the server then dies if this process dies), detached at exit."""

    def __init__(self, work: Path) -> None:
        self.state = work.absolute() / "converter" / "server"
        self.info = self.state / "server.json"
        self.spawned: subprocess.Popen[bytes] | None = None
        self.endpoint: dict | None = None
        self.problem: str | None = None

    def begin(self, warm_up: Path | None = None) -> None:
        """Attach to a running server, or start one; returns at once (see ready()). A new
        server converts `warm_up` (a template) first, while the build is still rendering."""
        if self._attach_running():
            return
        soffice = find_soffice()
        if soffice is None:
            self.problem = "LibreOffice is not installed"
            return
        program = converter.soffice_program(soffice)
        spec = importlib.util.find_spec("unoserver")  # its folder, not imported: uno is not here
        if spec is None or not spec.submodule_search_locations:
            self.problem = "the unoserver package is not installed"
            return
        self.state.mkdir(parents=True, exist_ok=True)
        command = [uno_python(program), "-I", converter.__file__, str(self.state),
                   "--owner", str(os.getpid()), "--owner-started", str(converter.start_time(os.getpid())),
                   "--idle", str(idle_seconds()), "--soffice", program,
                   "--unoserver", str(Path(next(iter(spec.submodule_search_locations))).parent),
                   *(["--warm-up", str(warm_up.absolute())] if warm_up else []),
                   *(f"--option={option}" for option in SERVER_OPTIONS)]
        env = {k: v for k, v in os.environ.items() if k != converter.MARKER}
        with (self.state / "log").open("wb") as log:
            try:  # its own session: a Ctrl-C at the terminal is the build's to handle
                self.spawned = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                                env=env, start_new_session=True)
                _spawned.append(self.spawned)
            except OSError as exc:
                self.problem = f"cannot run {command[0]} ({exc.strerror})"

    def ready(self, timeout: float = STARTUP_TIMEOUT, group: object = None) -> bool:
        """Wait until the server answers and this process is attached; False (and
        self.problem says why) when it cannot start. Stoppable like a conversion."""
        with _registered(self.kill, group):
            self._wait_ready(time.monotonic() + timeout, timeout)
        return self.endpoint is not None

    def _wait_ready(self, deadline: float, timeout: float) -> None:
        while self.endpoint is None and self.problem is None:
            if self._attach_running(spawned_by_me=True):
                break
            status = self.spawned.poll() if self.spawned else converter.SERVER_BUSY
            if status is not None and status != converter.SERVER_BUSY:
                self.problem = self._failure(status)
            elif time.monotonic() > deadline:
                self.kill()
                self.problem = f"it did not start in {timeout:.0f} s"
            else:
                time.sleep(0.02)

    def _failure(self, status: int) -> str:
        log = (self.state / "log").read_text("utf-8", "replace").strip().splitlines()
        if status == 5:
            return "LibreOffice's Python UNO bridge is missing (apt-get install python3-uno)"
        return f"it exited with status {status}" + (f": {log[-1]}" if log else "")

    def _attach_running(self, spawned_by_me: bool = False) -> bool:
        try:
            endpoint = json.loads(self.info.read_text())
        except (OSError, ValueError):
            return False
        if spawned_by_me and self.spawned and endpoint.get("pid") == self.spawned.pid:
            self.endpoint = endpoint  # it was started with this process attached
            return True
        try:
            attached = self._call(endpoint, 5, "attach", os.getpid(), converter.start_time(os.getpid()))
        except (OSError, ServerUnavailable):
            return False
        if attached:
            self.endpoint = endpoint
        return bool(attached)

    @staticmethod
    def _call(endpoint: dict, timeout: float, method: str, *args: object) -> object:
        import http.client
        import xmlrpc.client

        class Transport(xmlrpc.client.Transport):
            def make_connection(self, host):  # type: ignore[no-untyped-def]
                connection = super().make_connection(host)
                connection.timeout = timeout
                return connection

        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{endpoint['port']}/{endpoint['token']}",
                                          transport=Transport(), allow_none=True)
        try:
            return getattr(proxy, method)(*args)
        except (xmlrpc.client.Fault, xmlrpc.client.ProtocolError, http.client.HTTPException) as exc:
            raise ServerUnavailable(str(exc)) from exc

    def convert(self, docx: Path, pdf: Path, timeout: float, group: object = None) -> None:
        """One file through the server. ConversionFailed past the timeout (the server is
        killed, the next build starts a new one); ServerUnavailable when it failed otherwise."""
        endpoint = self.endpoint
        if endpoint is None:
            raise ServerUnavailable(self.problem or "it is not running")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        with _registered(self.kill, group):
            try:
                self._call(endpoint, timeout, "convert", str(docx.absolute()), str(pdf.absolute()),
                           SERVER_OPTIONS)
            except TimeoutError:
                self.kill()
                raise ConversionFailed(f"LibreOffice did not finish converting {docx.name} in {timeout:.0f} s "
                                       "and was stopped") from None
            except OSError as exc:
                self.endpoint = None
                self.problem = f"it stopped answering ({exc.__class__.__name__})"
                raise ServerUnavailable(self.problem) from exc

    def kill(self) -> None:
        """SIGKILL the server's process group (it leads its session; LibreOffice is in it)."""
        endpoint = self.endpoint or {}
        pids = [self.spawned.pid] if self.spawned and self.spawned.poll() is None else []
        if endpoint.get("pid") and converter.start_time(endpoint["pid"]) == endpoint.get("started"):
            pids.append(endpoint["pid"])
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if pids:  # and whatever its LibreOffice started into another session
            converter.kill_marked(lambda marker: marker.split(":")[0] in map(str, pids))
        if self.spawned:
            self.spawned.wait()
        deadline = time.monotonic() + 2
        while any(converter.start_time(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.01)  # a server that is not our child is reaped by init
        self.endpoint = None

    def detach(self) -> None:
        if self.endpoint is not None:
            with contextlib.suppress(OSError, ServerUnavailable):
                self._call(self.endpoint, 5, "detach", os.getpid())
            self.endpoint = None
        elif self.spawned is not None and self.spawned.poll() is None:
            # started by a build that needed no conversion (all cached): still starting, so
            # leave a note that this process ended well, or the server takes it for dead
            with contextlib.suppress(OSError):
                converter.note_detached(self.state, os.getpid())


_spawned: list[subprocess.Popen[bytes]] = []  # servers this process started: reaped once they exit


def _reap() -> None:
    _spawned[:] = [process for process in _spawned if process.poll() is None]


_servers: dict[Path, tuple[WarmServer, int]] = {}  # work -> (server, users in this process)
_servers_lock = threading.Lock()


def converter_mode() -> str:
    return "batch" if os.environ.get("ALU_CONVERTER", "server").strip().lower() == "batch" else "server"


def _acquire(work: Path, warm_up: Path | None = None) -> WarmServer | None:
    """The project's warm converter for one more user in this process (begun if new)."""
    if converter_mode() == "batch":
        return None
    work = work.absolute()
    _reap()
    with _servers_lock:
        server, users = _servers.get(work) or (WarmServer(work), 0)
        if not users:
            try:
                server.begin(warm_up)
            except OSError as exc:  # an unwritable .alu-work: the plain way still works
                server.problem = f"cannot use {work} ({exc.strerror})"
        _servers[work] = (server, users + 1)
    return server


def _release(server: WarmServer) -> None:
    """One user less; the last one detaches (the server goes idle, then exits)."""
    with _servers_lock:
        for work, (known, users) in list(_servers.items()):
            if known is server:
                if users > 1:
                    _servers[work] = (known, users - 1)
                    return
                del _servers[work]
    server.detach()


@contextlib.contextmanager
def prestart(paths: Paths) -> Iterator[None]:
    """Hold the project's warm converter during the block, started (or attached to) now so
    that LibreOffice's start-up overlaps the build's own imports and rendering; the build's
    PdfBatches(work=…) then uses it. Nothing with ALU_CONVERTER=batch."""
    templates = sorted(paths.templates.glob("*.docx"))
    server = _acquire(paths.work, templates[0] if templates else None)
    try:
        yield
    except BaseException as exc:
        if server is not None and not isinstance(exc, Exception):  # Ctrl-C, SIGTERM: it goes too
            server.kill()
        raise
    finally:
        if server is not None:
            _release(server)


# --- a build's conversions ---------------------------------------------------------------


class PdfCache:
    """Verified PDFs by the sha256 of their DOCX and of all else that decides LibreOffice's
    output (the export settings, its build, the installed fonts, the tagging code), in WORK/cache/pdf/: a
    rebuild converts only the documents whose rendered DOCX changed."""

    LIMIT = 400  # files kept; the least recently used go first

    def __init__(self, work: Path, soffice: str) -> None:
        self.folder = work.absolute() / "cache" / "pdf"
        program = Path(converter.soffice_program(soffice))
        tagging = Path(__file__).with_name("tagging.py")
        facts = [PDF_FILTER, str(program), __version__, file_sha256(tagging)]
        for path in (program, Path("/var/cache/fontconfig"), Path("/usr/share/fonts"), Path.home() / ".fonts"):
            with contextlib.suppress(OSError):
                facts.append(f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}")
        self.salt = "\n".join(facts).encode()

    def _entry(self, docx: Path) -> Path:
        return self.folder / (hashlib.sha256(self.salt + docx.read_bytes()).hexdigest() + ".pdf")

    def find(self, docx: Path, target: Path) -> bool:
        """Copy the cached PDF of `docx` to `target`; False when there is none."""
        data = cachefile.find(self._entry(docx))
        return data is not None and cachefile.write(target, data)

    def keep(self, docx: Path, pdf: Path) -> None:
        with contextlib.suppress(OSError):
            cachefile.keep(self._entry(docx), pdf.read_bytes(), self.LIMIT)



class PdfBatches:
    """Convert a build's DOCX files while later files are still being rendered.

    With `work` (the project's .alu-work/), a DOCX converted before comes from the PdfCache,
    and a small build (one meeting) goes through the project's warm converter, each file as
    soon as it is added; when the server cannot start, through ONE plain run (start-up
    dominates, and two runs at once were measured slower than one). A large build
    (`build --all`) is cut into two plain runs per core, at most one per core at a time.
    Names must be unique: a PDF is named after its DOCX.
    """

    SMALL = 16  # up to this many files: one run

    def __init__(self, outdir: Path, expected: int, *, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None, work: Path | None = None,
                 echo: Echo | None = None) -> None:
        self.outdir = outdir
        self.work = work
        self.echo = echo
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        runs = 1 if expected <= self.SMALL else 2 * self.workers
        self.size = max(1, -(-expected // runs))
        self.server = _acquire(work) if work is not None and runs == 1 else None
        soffice = find_soffice()
        self.cache = PdfCache(work, soffice) if work is not None and soffice else None
        self.cached = 0
        self.progress = progress
        self.files: list[Path] = []
        self.private: set[Path] = set()  # not cached (see add)
        self.pending: list[Path] = []
        self.queue: Queue[Path | None] = Queue()  # files for the warm converter
        self.where: dict[Path, Path] = {}
        self.runs = 0
        self.served = 0  # files the warm converter converted
        self.serving: Future[None] | None = None  # the thread that feeds the warm converter
        self.to_serve = 0  # files queued for it
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self.futures: list[Future[None]] = []
        self.batches: list[list[Path]] = []
        self.stopped = False

    def __enter__(self) -> PdfBatches:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # an error or Ctrl-C in the build: do not wait for LibreOffice
            self.stopped = True
            self.queue.put(None)
            stop_all(self)
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.server is not None:
            _release(self.server)

    def add(self, docx: Path, *, private: bool = False) -> None:
        """Queue one file; a full batch starts converting at once (the warm converter: each file).
        A DOCX converted before (same bytes) is taken from the cache instead; a `private` one
        (the internal edition) is neither taken from nor kept in the cache, which is not internal/."""
        self.files.append(docx)
        if private:
            self.private.add(docx)
        elif self.cache and self.cache.find(docx, self.outdir / "cached" / (docx.stem + ".pdf")):
            self._cached(docx)
            return
        if self.server is None:
            self.pending.append(docx)
            if len(self.pending) >= self.size:
                self._start()
            return
        if self.serving is None:
            self.runs += 1
            self.serving = self.pool.submit(self._serve_run, self.outdir / "run0")
        self.where[docx] = self.outdir / "run0" / (docx.stem + ".pdf")
        converted: Future[bool] = Future()  # True: by the server, still to check; False: checked
        self.futures.append(converted)  # type: ignore[arg-type]
        self.batches.append([docx])
        self.to_serve += 1
        self.queue.put((docx, converted))

    def _cached(self, docx: Path) -> None:
        if self.cached == 0:  # one batch, done from the start
            done: Future[None] = Future()
            done.set_result(None)
            self.futures.append(done)
            self.batches.append([])
            self.cached_batch = self.batches[-1]
        self.cached += 1
        self.cached_batch.append(docx)
        self.where[docx] = self.outdir / "cached" / (docx.stem + ".pdf")

    def _keep(self, files: list[Path]) -> None:
        for docx in files if self.cache else []:
            if docx not in self.private:
                self.cache.keep(docx, self.where[docx])

    def _launch(self, files: list[Path], target: Callable[[list[Path], Path], None]) -> None:
        out = self.outdir / f"run{self.runs}"
        self.runs += 1
        for docx in files:
            self.where[docx] = out / (docx.stem + ".pdf")
        self.batches.append(files)
        self.futures.append(self.pool.submit(target, files, out))

    def _start(self) -> None:
        self.queue.put(None)
        if self.pending:
            self._launch(list(self.pending), self._plain_run)
            self.pending = []

    def _plain_run(self, files: list[Path], out: Path) -> None:
        if not self.stopped:
            to_pdf(files, out, work=self.work, group=self)
            self._keep(files)

    def _serve_run(self, out: Path) -> None:
        """Each file through the warm converter as it comes, handed to completed() at once (which
        checks and tags it while the next one converts); the rest in one plain run when the
        server cannot start or stops answering. Every file's future is resolved, also on failure."""
        assert self.server is not None
        left: list[tuple[Path, Future[bool]]] = []
        failure: Exception = ConversionFailed("the conversion was stopped")
        try:
            usable = self.server.ready(group=self)
            while (item := self.queue.get()) is not None:
                docx, converted = item
                if usable and not left and not self.stopped:
                    try:
                        self.server.convert(docx, out / (docx.stem + ".pdf"), timeout_for(1), group=self)
                        self.served += 1
                        converted.set_result(True)
                        continue
                    except ServerUnavailable as exc:
                        self.server.problem = str(exc)
                left.append(item)
            if left and not self.stopped and not _stopping.is_set():
                if self.echo and find_soffice():
                    self.echo(f"convert  warm converter unavailable: {self.server.problem}; "
                              "using a plain LibreOffice run")
                to_pdf([docx for docx, _ in left], out, work=self.work, group=self)
                for _, converted in left:
                    converted.set_result(False)
        except Exception as exc:  # ToolMissing, ConversionFailed: each waiting file gets it
            failure = exc
            raise
        finally:
            for _, converted in left:
                if not converted.done():
                    converted.set_exception(failure)

    def busy(self) -> bool:
        """Whether LibreOffice still has files of this build to convert (time for other work)."""
        if self.pending:
            return True
        if self.serving is not None:
            return self.served < self.to_serve
        return not all(future.done() for future in self.futures)

    def describe(self) -> str:
        """How this build converted, for its `convert` line."""
        converted = len(self.files) - self.cached
        plain = self.runs if not self.served else int(self.served < converted)
        parts = ["the warm converter"] if self.served else []
        if plain:
            parts.append(f"{plain} LibreOffice run{'s' if plain != 1 else ''}")
        if self.cached:
            parts.append(f"{self.cached} unchanged from the cache")
        return ", ".join(parts) or "no LibreOffice run"

    def completed(self) -> Iterator[dict[Path, Path]]:
        """Convert what is left; yield each run's {docx: pdf} as soon as that run is done
        (in the order the runs started; the warm converter's files one by one, checked and
        tagged here while the next converts), so later steps can begin while others convert.
        Re-raises ConversionFailed / ToolMissing from a run."""
        self._start()
        done = 0
        for future, files in zip(self.futures, self.batches, strict=True):
            while not future.done():
                if self.progress:
                    self.progress(done + sum(1 for f in files if self.where[f].exists()), len(self.files))
                waited = [future] if self.serving is None else [future, self.serving]
                wait(waited, timeout=0.25, return_when=FIRST_COMPLETED)
                if self.serving is not None and self.serving.done() and not future.done():
                    self.serving.result()  # its error; it resolves every file when it ends well
            served = future.result()  # None: a plain run's or the cache's; else the warm converter's
            if served is True:  # converted, not yet checked: checked here while the next one converts
                _checked(files, [self.where[f] for f in files], [])
            if served is not None:
                self._keep(files)
            done += len(files)
            if self.progress:
                self.progress(done, len(self.files))
            yield {docx: self.where[docx] for docx in files}
