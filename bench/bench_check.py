"""Benchmark `alu-docs check DATE` and `alu-docs search`, each against the obvious alternative
measured in the same run, on synthetic projects made in a temporary folder (bench/synthetic.py):

  check DATE   the sample meeting, in a project with 300 extra meetings that carry
               attachments (3 of them ~40 MB): first with no cache at all, then again (the
               parsed meetings cached; the other meetings' attachments still never opened);
               against `check` of every meeting, which opens every attachment.
  search       two words that one case holds, over 1000 extra meetings: first with no
               cache, then again (parsed meetings cached); against `grep -rilF` over
               meetings/ (which neither folds case and accents nor knows what is public).

Goals (issue 13): check DATE <= 0.5 s and <= 150 MB; search <= 1 s.

Usage: .venv/bin/python bench/bench_check.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ALU, byte_compile, load, runs, timed  # noqa: E402
from synthetic import copy_project, extra_meetings  # noqa: E402

DATE = "2025-08-27"


def opened(root: Path) -> list[str]:
    """Attachments whose bytes check has read (the verdict cache knows their sha256)."""
    names = []
    for index in (root / ".alu-work" / "cache" / "attachments").glob("index-*.json"):
        names += json.loads(index.read_text())["files"]
    return names


def bench_check(tmp: Path, repeat: int) -> None:
    os.environ["XDG_CACHE_HOME"] = str(tmp / "user-cache")  # no cache at all means the user's too (holidays)
    root = copy_project(tmp / "check")
    extra_meetings(root, 300, attachments=True, big=3)
    size = sum(f.stat().st_size for f in (root / "meetings").rglob("*.pdf")) / 2**20
    print(f"check: {len(list((root / 'meetings').glob('*/meeting.yaml')))} meetings, attachments {size:.0f} MB")
    first, first_mb, _ = timed([*ALU, "check", DATE], root)
    print(f"  {'check DATE, no cache at all':<34} {first:6.2f} s   peak {first_mb:.0f} MB", flush=True)
    again, peaks = [], []
    for _ in range(repeat):
        seconds, mb, _ = timed([*ALU, "check", DATE], root)
        again.append(seconds)
        peaks.append(mb)
    best = runs("check DATE, parsed meetings cached", again, f"   peak {max(peaks):.0f} MB")
    others = [name for name in opened(root) if f"/{DATE}/" not in name]
    print(f"  attachments of other meetings read by check DATE: {len(others)}")
    everything, everything_mb, _ = timed([*ALU, "check"], root)
    print(f"  {'check (every meeting, cold)':<34} {everything:6.2f} s   peak {everything_mb:.0f} MB", flush=True)
    print(f"check DATE / check of every meeting      = {best / everything:.2f}x (cached), "
          f"{first / everything:.2f}x (no cache)")
    print(f"check DATE: {best:.2f} s, peak {max(peaks):.0f} MB (no cache: {first:.2f} s, {first_mb:.0f} MB)"
          "   (goal <= 0.5 s, <= 150 MB)")


def bench_search(tmp: Path, repeat: int) -> None:
    os.environ["XDG_CACHE_HOME"] = str(tmp / "user-cache-search")
    root = copy_project(tmp / "search")
    extra_meetings(root, 1000)
    words = ["benchmarksak", "517.2"]
    print(f"search: {len(list((root / 'meetings').glob('*/meeting.yaml')))} meetings, query {' '.join(words)!r}")
    first, _, output = timed([*ALU, "search", *words], root)
    assert output.rstrip().endswith(f"1 hit for {' '.join(words)!r}"), output
    print(f"  {'search, no cache':<34} {first:6.2f} s", flush=True)
    best = runs("search, parsed meetings cached", [timed([*ALU, "search", *words], root)[0] for _ in range(repeat)])
    broad, _, output = timed([*ALU, "search", "samordning"], root)
    print(f"  {'search samordning (3000+ hits)':<34} {broad:6.2f} s   ({output.strip().splitlines()[-1]})")
    grep = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(["grep", "-rilF", " ".join(words), "meetings"], cwd=root, capture_output=True)
        grep.append(time.perf_counter() - started)
    grep_best = runs("grep -rilF over meetings/", grep)
    print(f"search / grep                            = {best / grep_best:.1f}x (cached), {first / grep_best:.1f}x "
          "(no cache)")
    print(f"search over 1000 meetings: {best:.2f} s (no cache: {first:.2f} s)   (goal <= 1 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    byte_compile()
    print(f"bench_check ({load()})")
    with tempfile.TemporaryDirectory(prefix="alu-bench-") as tmp:
        bench_check(Path(tmp), args.repeat)
        shutil.rmtree(Path(tmp) / "check")
        bench_search(Path(tmp), args.repeat)
    print(f"bench_check done ({load()})")


if __name__ == "__main__":
    main()
