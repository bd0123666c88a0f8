"""Benchmark: `alu-docs build` of the sample meeting against bare LibreOffice conversion.

Measured in one run, on a private copy of the project (best of N each):
  batched    one plain `soffice --headless --convert-to pdf:…(PDF/A) --outdir OUT a.docx b.docx …`
             call with exactly the DOCX files that build converts (the meeting's and the index),
             with its own warmed-up profile, as a user's `soffice` has ~/.config/libreoffice
  cold       the whole `alu-docs build --force DATE` command with no warm converter running
             and an empty PDF cache (it starts the converter early; the LibreOffice profiles
             are warm, as after any earlier build)
  cold-batch the same with ALU_CONVERTER=batch (one plain LibreOffice run, no server)
  warm       `alu-docs build DATE` after editing one case's conclusion in meeting.yaml, with
             the warm converter left running by the build before (it converts only the
             documents whose DOCX changed; the others come from .alu-work/cache/pdf/)
  watch      `alu-docs watch DATE` running: the time from saving meeting.yaml (one case's
             conclusion edited) until the new preview of the minutes replaces the old one
             (checked with pdftotext to hold the edit)
  per-file   one plain `soffice` call per DOCX file (the obvious alternative)
Goals (issue 13): cold <= 1.3 x batched; warm (and watch) <= 0.35 x batched.

Usage: .venv/bin/python bench/bench_build.py [--date 2025-08-27] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import ALU, byte_compile, load  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402

import alu_docs.build  # noqa: E402
from alu_docs.build import Paths, build  # noqa: E402
from alu_docs.convert import PDF_FILTER, WarmServer  # noqa: E402


def soffice(files: list[Path], outdir: Path, profile: Path) -> None:
    """The bare conversion: one soffice call, nothing else."""
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", PDF_FILTER, "--outdir", str(outdir), *map(str, files)],
                   check=True, capture_output=True)


def best(label: str, repeat: int, run, before=None) -> float:  # type: ignore[no-untyped-def]
    times = []
    for i in range(repeat):
        if before:
            before(i)
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    print(f"  {label:<10} best {min(times):6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    return min(times)


def stop_server(root: Path) -> None:
    """No warm converter left running for this project (waits until it is gone)."""
    server = WarmServer(root / ".alu-work")
    if server._attach_running():
        server.kill()


def cold(root: Path) -> None:
    """As a first build: no warm converter, no converted PDFs in the cache (the profiles stay warm)."""
    stop_server(root)
    shutil.rmtree(root / ".alu-work" / "cache" / "pdf", ignore_errors=True)


def edit_conclusion(meeting_yaml: Path, i: int) -> None:
    yaml = YAML()
    yaml.preserve_quotes = True
    data = yaml.load(meeting_yaml)
    data["cases"][0]["conclusion"] = f"ALU støtter planen (endret i benchmark-runde {i}).\n"
    yaml.dump(data, meeting_yaml)


def watch_latency(root: Path, date: dt.date, repeat: int) -> list[float]:
    """Seconds from each save of meeting.yaml to the new preview of the minutes."""
    watching = subprocess.Popen([*ALU, "watch", date.isoformat()], cwd=root, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env={**os.environ, "ALU_CONVERTER_IDLE": "60"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watching.stdout or []], daemon=True).start()

    def wait_for(text: str) -> None:
        while text not in lines.get(timeout=120):
            pass

    minutes = root / ".alu-work" / "preview" / date.isoformat() / f"ALU-{date.isoformat()}-referat.pdf"
    meeting_yaml = root / "meetings" / date.isoformat() / "meeting.yaml"
    latencies = []
    try:
        wait_for(" preview ")
        for i in range(repeat):
            time.sleep(1)
            old = minutes.stat().st_ino
            started = time.perf_counter()
            edit_conclusion(meeting_yaml, 100 + i)
            while minutes.stat().st_ino == old:
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
            shown = subprocess.run(["pdftotext", str(minutes), "-"], capture_output=True, text=True).stdout
            assert f"benchmark-runde {100 + i}" in " ".join(shown.split()), "the preview does not show the edit"
            wait_for(" preview ")
    finally:
        watching.send_signal(signal.SIGINT)
        assert watching.wait(30) == 130
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", default="2025-08-27")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    date = dt.date.fromisoformat(args.date)
    byte_compile()
    print(f"bench_build ({load()})")

    with tempfile.TemporaryDirectory(prefix="alu-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "meetings", root / "meetings")
        shutil.copytree(ROOT / "templates", root / "templates")
        paths = Paths.at(root)
        meeting_yaml = root / "meetings" / date.isoformat() / "meeting.yaml"
        edit_conclusion(meeting_yaml, 0)  # the YAML as ruamel writes it, before any build: edits change one case
        work = root / "bench-docx"
        work.mkdir()
        add = alu_docs.build.PdfBatches.add

        def keep_copy(self, docx, **options):  # type: ignore[no-untyped-def]
            shutil.copy(docx, work / docx.name)
            add(self, docx, **options)

        os.environ["ALU_CONVERTER"] = "batch"  # this process starts no server of its own
        alu_docs.build.PdfBatches.add = keep_copy  # the warm-up build records what it converts
        build(paths, date, echo=lambda _: None, force=True)
        alu_docs.build.PdfBatches.add = add
        del os.environ["ALU_CONVERTER"]
        files = sorted(work.glob("*.docx"))
        print(f"meeting {date}: {len(files)} DOCX files converted per build")
        profile = root / "plain-profile"
        soffice(files[:1], root / "warm-up", profile)

        command = [*ALU, "--root", str(root), "build"]

        def run(*extra: str, **env: str) -> None:
            subprocess.run([*command, *extra], check=True, capture_output=True, env={**os.environ, **env})

        run(date.isoformat(), "--force")  # warms the server's profile
        stop_server(root)
        t_batch = best("batched", args.repeat, lambda: soffice(files, root / "out-batch", profile))
        t_cold = best("cold", args.repeat, lambda: run("--force", date.isoformat(), ALU_CONVERTER_IDLE="60"),
                      before=lambda i: cold(root))
        t_cold_batch = best("cold-batch", args.repeat,
                            lambda: run("--force", date.isoformat(), ALU_CONVERTER="batch"),
                            before=lambda i: cold(root))
        run("--force", date.isoformat(), ALU_CONVERTER_IDLE="60")  # leaves the converter warm
        t_warm = best("warm", args.repeat, lambda: run(date.isoformat(), ALU_CONVERTER_IDLE="60"),
                      before=lambda i: edit_conclusion(meeting_yaml, i + 1))
        edit_conclusion(meeting_yaml, args.repeat + 1)
        shown = subprocess.run([*command, date.isoformat()], capture_output=True, text=True).stdout
        print("  warm rebuild: " + next(line for line in shown.splitlines() if line.startswith("convert")))
        latencies = watch_latency(root, date, args.repeat)
        print(f"  {'watch':<10} best {min(latencies):6.2f} s   (saves: {', '.join(f'{t:.2f}' for t in latencies)})",
              flush=True)
        stop_server(root)
        t_single = best("per-file", args.repeat,
                        lambda: [soffice([f], root / "out-single", profile) for f in files])

    print(f"cold build / batched conversion      = {t_cold / t_batch:.2f}x  (goal <= 1.3x)")
    print(f"warm rebuild / batched conversion    = {t_warm / t_batch:.2f}x  (goal <= 0.35x)")
    print(f"watch: save to new PDF / batched     = {min(latencies) / t_batch:.2f}x  (goal <= 0.35x; "
          f"worst save {max(latencies) / t_batch:.2f}x)")
    print(f"cold build without server / batched  = {t_cold_batch / t_batch:.2f}x")
    print(f"per-file calls / cold build          = {t_single / t_cold:.2f}x  (build is this much faster)")
    print(f"bench_build done ({load()})")


if __name__ == "__main__":
    main()
