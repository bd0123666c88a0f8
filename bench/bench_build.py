"""Benchmark: `alu-docs build` of the sample meeting against bare LibreOffice conversion.

Measured in one run, on a private copy of the project:
  build      the whole `alu-docs build --force DATE` (check, render, one LibreOffice run,
             packet, archive, index), in-process
  batched    one `soffice --convert-to pdf` call with all of that build's DOCX files
  per-file   one `soffice` call per DOCX file (the obvious alternative)
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

from alu_docs.build import Paths, build  # noqa: E402
from alu_docs.convert import to_pdf  # noqa: E402


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
        build(paths, date, echo=lambda _: None, force=True)  # warm-up; also gives the DOCX set
        docx = sorted(p for p in (paths.archive / str(date.year) / date.isoformat()).glob("*.docx"))
        index = paths.archive / "index.docx"
        work = root / "bench-docx"
        work.mkdir()
        for path in [*docx, *([index] if index.exists() else [])]:
            shutil.copy(path, work / path.name)
        files = sorted(work.glob("*.docx"))
        print(f"meeting {date}: {len(files)} DOCX files converted per build")

        t_build = best("build", args.repeat, lambda: build(paths, date, echo=lambda _: None, force=True))
        t_batch = best("batched", args.repeat, lambda: to_pdf(files, root / "out-batch"))
        t_single = best("per-file", args.repeat, lambda: [to_pdf([f], root / "out-single") for f in files])

    print(f"build / batched conversion   = {t_build / t_batch:.2f}x  (goal <= 1.3x)")
    print(f"per-file calls / build       = {t_single / t_build:.2f}x  (build is this much faster)")
    print(f"per-file calls / batched     = {t_single / t_batch:.2f}x")


if __name__ == "__main__":
    main()
