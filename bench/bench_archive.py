"""Benchmark the archive rebuild (issue 4), measured in one run.

Makes a temporary project: meetings/ and templates/ of this repository (the history and
autumn 2025) plus 19 meetings in 2026 with three cases each and draft minutes, so 21
meetings have documents. Then measures:

1. a full rebuild (`alu-docs build --all` on an empty archive: render, convert on both
   cores, packets, index);
2. converting the same DOCX files with one `soffice` call per file (the naive way);
3. a rebuild with nothing changed: `alu-docs build --all` as a command (interpreter start
   included), three times, against the full rebuild.

Run: .venv/bin/python bench/bench_archive.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import ALU, byte_compile, load, runs, timed  # noqa: E402
from synthetic import meeting_yaml  # noqa: E402

from alu_docs.build import Paths, build_all  # noqa: E402
from alu_docs.convert import to_pdf  # noqa: E402


def make_project(root: Path) -> Paths:
    shutil.copytree(ROOT / "meetings", root / "meetings")
    shutil.copytree(ROOT / "templates", root / "templates")
    day = dt.date(2026, 1, 7)
    for n in range(19):
        folder = root / "meetings" / (day + dt.timedelta(weeks=3 * n)).isoformat()
        folder.mkdir()
        (folder / "meeting.yaml").write_text(meeting_yaml(day + dt.timedelta(weeks=3 * n), n + 1), encoding="utf-8")
    return Paths.at(root)


def main() -> None:
    byte_compile()
    print(f"bench_archive ({load()})")
    with tempfile.TemporaryDirectory(prefix="alu-bench-") as tmp:
        paths = make_project(Path(tmp) / "project")
        quiet = lambda _: None  # noqa: E731

        started = time.monotonic()
        results = build_all(paths, echo=quiet)
        full = time.monotonic() - started
        with_docs = sum(1 for r in results if r.written)
        docx = sorted(paths.archive.rglob("*.docx"))
        pdfs = [p for p in paths.archive.rglob("*.pdf")]

        project = paths.meetings.parent
        unchanged = [timed([*ALU, "build", "--all"], project)[0] for _ in range(3)]

        work = Path(tmp) / "one-by-one"
        started = time.monotonic()
        for i, file in enumerate(docx):
            to_pdf([file], work / str(i))
        single = time.monotonic() - started

        print(f"meetings in project:            {len(results)} ({with_docs} with documents)")
        print(f"documents:                      {len(docx)} DOCX -> {len(pdfs)} PDFs in archive/ "
              "(incl. packets and index.pdf)")
        print(f"full rebuild (build --all):     {full:6.1f} s")
        print(f"one soffice call per DOCX:      {single:6.1f} s  ({len(docx)} calls, conversion only)")
        print(f"speed-up:                       {single / full:6.1f}x  (goal >= 10x)")
        runs("rebuild, nothing changed (command)", unchanged)
        print(f"no-op build --all / full rebuild = {min(unchanged) / full:.3f}x; {min(unchanged):.2f} s "
              "(goal <= 0.5 s)")
    print(f"bench_archive done ({load()})")


if __name__ == "__main__":
    main()
