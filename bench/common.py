"""What the benchmarks share: the command as a user runs it, timed with its peak memory.

The package is byte-compiled first (`compileall`), as an installed package is: this machine
sets PYTHONDONTWRITEBYTECODE, which would otherwise make every run compile alu_docs from
source (~0.15 s) and measure something no user sees.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALU = [sys.executable, "-m", "alu_docs"]


def byte_compile() -> None:
    compileall.compile_dir(ROOT / "alu_docs", quiet=1)


def load() -> str:
    """The machine's load average now (other agents share the cores)."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(command: list[str], cwd: Path, **env: str) -> tuple[float, float, str]:
    """Run a command; return (seconds, peak RSS in MB, its output). Fails on a non-zero exit.
    The peak is GNU time's (%M): a child forked from this process would count this
    process's memory at the fork."""
    with tempfile.NamedTemporaryFile("r") as peak:
        wrapper = ["/usr/bin/time", "-f", "%M", "-o", peak.name] if Path("/usr/bin/time").exists() else []
        started = time.perf_counter()
        done = subprocess.run([*wrapper, *command], cwd=cwd, capture_output=True, env={**os.environ, **env})
        seconds = time.perf_counter() - started
        kilobytes = peak.read().strip().splitlines()[-1:] if wrapper else []
    output = (done.stdout + done.stderr).decode(errors="replace")
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{output}")
    return seconds, int(kilobytes[0]) / 1024 if kilobytes and kilobytes[0].isdigit() else float("nan"), output


def runs(label: str, times: list[float], extra: str = "") -> float:
    """Print one measurement line (best and every run); return the best."""
    print(f"  {label:<34} best {min(times):6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times)}){extra}",
          flush=True)
    return min(times)
