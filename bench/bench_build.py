"""Benchmark: `alu-docs build` of the sample meeting against bare LibreOffice conversion.

Measured in one run, on a private copy of the project:
  build      the whole `alu-docs build --force DATE` command (Python start-up, check,
             render, one LibreOffice run, packet, archive, index, calendar)
  in-process the same build called as a library function (no interpreter start-up; the
             compiled-template cache stays warm between runs)
  batched    one plain `soffice --headless --convert-to pdf:…(PDF/A) --outdir OUT a.docx b.docx …`
             call with exactly the DOCX files that build converts (the meeting's and the index)
  per-file   one such `soffice` call per DOCX file (the obvious alternative)
The plain calls use their own warmed-up profile, as a user's `soffice` does with
~/.config/libreoffice; alu-docs keeps warmed private profiles in ~/.cache/alu-docs.
Prints the times (best of N) and the ratios. Goal: build <= 1.3 x batched.

Usage: .venv/bin/python bench/bench_build.py [--date 2025-08-27] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import subprocess  # noqa: E402

import alu_docs.build  # noqa: E402
from alu_docs.build import Paths, build  # noqa: E402
from alu_docs.convert import PDF_FILTER  # noqa: E402


def soffice(files: list[Path], outdir: Path, profile: Path) -> None:
    """The bare conversion: one soffice call, nothing else."""
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", PDF_FILTER, "--outdir", str(outdir), *map(str, files)],
                   check=True, capture_output=True)


def best(label: str, repeat: int, run) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    print(f"  {label:<10} best {min(times):6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times)})")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", default="2025-08-27")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    date = dt.date.fromisoformat(args.date)

    with tempfile.TemporaryDirectory(prefix="alu-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "meetings", root / "meetings")
        shutil.copytree(ROOT / "templates", root / "templates")
        paths = Paths.at(root)
        work = root / "bench-docx"
        work.mkdir()
        add = alu_docs.build.PdfBatches.add

        def keep_copy(self, docx):  # type: ignore[no-untyped-def]
            shutil.copy(docx, work / docx.name)
            add(self, docx)

        alu_docs.build.PdfBatches.add = keep_copy  # the warm-up build records what it converts
        build(paths, date, echo=lambda _: None, force=True)
        alu_docs.build.PdfBatches.add = add
        files = sorted(work.glob("*.docx"))
        print(f"meeting {date}: {len(files)} DOCX files converted per build")
        profile = root / "plain-profile"
        soffice(files[:1], root / "warm-up", profile)

        command = [str(Path(sys.executable).parent / "alu-docs"), "--root", str(root), "build", "--force",
                   date.isoformat()]
        t_build = best("build", args.repeat, lambda: subprocess.run(command, check=True, capture_output=True))
        t_lib = best("in-process", args.repeat, lambda: build(paths, date, echo=lambda _: None, force=True))
        t_batch = best("batched", args.repeat, lambda: soffice(files, root / "out-batch", profile))
        t_single = best("per-file", args.repeat,
                        lambda: [soffice([f], root / "out-single", profile) for f in files])

    print(f"build / batched conversion   = {t_build / t_batch:.2f}x  (goal <= 1.3x)")
    print(f"in-process / batched         = {t_lib / t_batch:.2f}x")
    print(f"per-file calls / build       = {t_single / t_build:.2f}x  (build is this much faster)")
    print(f"per-file calls / batched     = {t_single / t_batch:.2f}x")


if __name__ == "__main__":
    main()
