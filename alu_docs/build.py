"""The secretary's task: check, render, convert, archive, re-index one meeting.

Everything is read, validated, rendered and converted in a private work folder first;
only then, under the archive's lock, are files moved into `archive/` (atomic renames)
and recorded in the manifest. Approved minutes are never rewritten by a build.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from . import index as archive_index
from .archive import Manifest, file_sha256, locked, sha256, write_file
from .context import Context
from .convert import PdfBatches
from .errors import AluError, ToolMissing
from .links import PdfWords, pdf_words
from .model import Meeting, load_all
from .names import meeting_dir
from .packet import load_fonts, make_packets, packet_name
from .paths import Paths
from .render import DocPlan, RenderedDoc, plan_meeting, render_plans
from .yamledit import set_minutes, write_case_numbers

Echo = Callable[[str], None]

INTERNAL_README = """\
# INTERNAL EDITION: DO NOT PUBLISH

This folder holds the internal edition of meetings with cases exempt from public access
("unntatt offentlighet"). It is written by alu-docs outside archive/ on purpose and is
ignored by git. Never copy it to the public archive or the web page.
"""


@dataclass
class BuildResult:
    date: dt.date
    written: list[str] = field(default_factory=list)
    skipped: bool = False
    messages: list[str] = field(default_factory=list)


def find_meeting(meetings: list[Meeting], date: dt.date, paths: Paths) -> Meeting:
    for meeting in meetings:
        if meeting.date == date:
            return meeting
    raise AluError(
        f"no meeting folder {paths.meetings.name}/{date.isoformat()}/ with a meeting.yaml; "
        f"create it with: alu-docs new-meeting {date.isoformat()}"
    )


def input_hash(ctx: Context, meeting: Meeting, plans: list[DocPlan], paths: Paths) -> str:
    """Everything a meeting's files depend on: the documents' contexts (which carry what
    other meetings contribute: numbers, follow-ups, approvals), templates, attachments
    and the code version."""
    parts = {
        "version": __version__,
        "language": ctx.committee.language,
        "plans": [(p.name, p.template, p.title, p.context) for p in plans],
        "templates": {p.template: file_sha256(paths.templates / p.template) for p in plans},
        "attachments": [file_sha256(a.path) for c in meeting.cases for a in c.attachments],
    }
    return sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode())


def _up_to_date(manifest: Manifest, meeting: Meeting, inputs: str) -> bool:
    record = manifest.meetings.get(meeting.date.isoformat(), {})
    if record.get("inputs") != inputs:
        return False
    mine = [r for r, e in manifest.files.items() if e.get("meeting") == meeting.date.isoformat()]
    return (bool(mine) or not meeting.has_notice) and all(
        (manifest.root / r).exists() and file_sha256(manifest.root / r) == manifest.files[r]["sha256"]
        for r in mine
    )


def build(paths: Paths, date: dt.date, *, echo: Echo = print, force: bool = False) -> BuildResult:
    """Build one meeting: validate every YAML file, render the notice, case papers and
    minutes, convert them to PDF/A in one LibreOffice run, and file them in the archive.

    Raises InvalidInput (nothing written) on bad YAML, ToolMissing without LibreOffice
    (after writing the DOCX), ConversionFailed when a PDF is not produced.
    """
    committee, meetings = load_all(paths.meetings)
    meeting = find_meeting(meetings, date, paths)
    ctx = Context.build(committee, meetings)
    echo(f"check    {len(meetings)} meetings valid; {date.isoformat()}: {len(meeting.cases)} cases")
    if not meeting.has_notice:
        if meeting.is_legacy:
            why = "held before alu-docs; its documents are kept elsewhere (alu-docs import brings them in)"
        elif meeting.kind == "seminar":
            why = "a seminar without cases: no notice or minutes to make"
        else:
            why = f"no cases yet, so no notice to issue; add one with: alu-docs new-case {date.isoformat()}"
        echo(f"note     {date.isoformat()}: {why}")
    return build_meetings(paths, ctx, [meeting], echo=echo, force=force)[0]


def build_meetings(paths: Paths, ctx: Context, selected: list[Meeting], *, echo: Echo = print,
                   force: bool = False, progress: Callable[[int, int], None] | None = None,
                   ) -> list[BuildResult]:
    """Render, convert and archive `selected`: one LibreOffice run for a meeting; for many,
    batches that convert while the rest is still rendering (see convert.PdfBatches)."""
    manifest = Manifest.load(paths.archive)
    jobs: list[_Job] = []
    results = []
    for meeting in selected:
        job = _Job.prepare(ctx, meeting, paths, manifest)
        results.append(job.result)
        if not force and _up_to_date(manifest, meeting, job.inputs):
            job.result.skipped = True
            echo(f"skip     {meeting.date.isoformat()}: unchanged since the last build")
            continue
        jobs.append(job)
    index_plan = _index_plan(paths, ctx, manifest, jobs, force)  # archive/index.pdf, see index.py
    if not jobs and index_plan is None:
        return results

    expected = sum(len(plans) for job in jobs for plans in job.plans.values()) + (index_plan is not None)
    with tempfile.TemporaryDirectory(prefix="alu-build-") as work_name, \
            PdfBatches(Path(work_name) / "pdf-out", expected, progress=progress, work=paths.work,
                       echo=echo) as batches:
        work = Path(work_name)
        (work / "docx").mkdir()
        keys: dict[Path, str] = {}  # DOCX in the work folder -> "edition/name"

        def add(key: str, data: bytes) -> None:
            # one folder, distinct names ("public--…", "internal--…"): editions share a run
            path = work / "docx" / (key.replace("/", "--") + ".docx")
            path.write_bytes(data)
            keys[path] = key
            batches.add(path)

        started = time.monotonic()
        for job in jobs:
            job.render(ctx, paths)
            for message in job.result.messages:
                echo(message)
            for edition, doc in job.docs:
                add(f"{edition}/{doc.name}", doc.docx)
        if index_plan is not None:  # the index goes through the same LibreOffice run(s)
            add("index/index", archive_index.render_index(index_plan, paths.templates))
        echo(f"render   {len(keys)} documents in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        # LibreOffice converts in its own processes now: meanwhile load what the steps after it use
        load_fonts()
        from .ical import write_calendar  # icalendar is slow to import

        pdfs: dict[str, bytes] = {}
        packets: dict[str, bytes] = {}
        packet_lines: list[str] = []  # shown after the conversion line
        waiting = list(jobs)
        with ThreadPoolExecutor(1) as pool:
            words = None
            try:
                for run in batches.completed():
                    pdfs.update({keys[docx]: pdf.read_bytes() for docx, pdf in run.items()})
                    if "index/index" in pdfs and words is None:  # its link texts (pdftotext), meanwhile
                        words = pool.submit(pdf_words, pdfs["index/index"])
                    # packets of the meetings whose PDFs are all here, while later runs convert
                    ready = [j for j in waiting if all(f"{e}/{d.name}" in pdfs for e, d in j.docs)]
                    waiting = [j for j in waiting if j not in ready]
                    packets.update(make_packets(ctx, [(j.meeting, list(j.plans)) for j in ready], pdfs,
                                                echo=packet_lines.append))
            except ToolMissing:
                _commit(paths, ctx, jobs, {})
                echo("convert  LibreOffice missing: the DOCX files were written, no PDFs")
                raise
            echo(f"convert  {len(pdfs)} PDF/A-2b files in {time.monotonic() - started:.1f} s "
                 f"({batches.describe()})")
            for line in packet_lines:
                echo(line)
            _commit(paths, ctx, jobs, pdfs, packets, index_plan, words.result() if words else None)
    if index_plan is not None:
        archive_index.report_index(index_plan, index_plan.missing, paths.archive.name, echo)
    for job in jobs:
        where = paths.archive.name + "/" + meeting_dir(job.meeting.date)
        echo(f"archive  {where}: {len(job.result.written)} files")
    with locked(paths.archive):  # the calendar shows every meeting: rewrite it after each build
        echo(f"calendar {paths.archive.name}/{write_calendar(paths, ctx)}")
    return results


@dataclass
class _Job:
    """One meeting's share of a build."""

    meeting: Meeting
    plans: dict[str, list[DocPlan]]  # edition -> plans
    inputs: str
    approval: dict | None
    result: BuildResult
    docs: list[tuple[str, RenderedDoc]] = field(default_factory=list)
    keep_minutes: bool = False

    @classmethod
    def prepare(cls, ctx: Context, meeting: Meeting, paths: Paths, manifest: Manifest) -> _Job:
        plans = {"public": plan_meeting(ctx, meeting, "public")}
        if any(c.confidential for c in meeting.cases):
            plans["internal"] = plan_meeting(ctx, meeting, "internal")
        inputs = input_hash(ctx, meeting, [p for ps in plans.values() for p in ps], paths)
        return cls(meeting, plans, inputs, manifest.approval(meeting.date), BuildResult(meeting.date))

    def render(self, ctx: Context, paths: Paths) -> None:
        for edition, plans in self.plans.items():
            for doc in render_plans(ctx, self.meeting, plans, paths.templates):
                self.docs.append((edition, doc))
        if self.approval:
            self._guard_approved()

    def _guard_approved(self) -> None:
        """Approved minutes are never rewritten: drop them from this build, and say so."""
        date = self.meeting.date.isoformat()
        minutes = [(e, d) for e, d in self.docs if d.name.endswith("-referat")]
        changed = any(sha256(d.docx) != self.approval["docx"].get(e) for e, d in minutes)
        self.docs = [(e, d) for e, d in self.docs if not d.name.endswith("-referat")]
        self.keep_minutes = True
        if changed:
            self.result.messages.append(
                f"minutes  {date}: approved on {self.approval['on']}; the YAML or what the minutes "
                "draw on has changed since, but approved minutes are left unchanged. To change "
                f"them: alu-docs approve {date} --reapprove --reason '…'"
            )
        else:
            self.result.messages.append(f"minutes  {date}: approved on {self.approval['on']}; unchanged")


def _commit(paths: Paths, ctx: Context, jobs: list[_Job], pdfs: dict[str, bytes],
            packets: dict[str, bytes] | None = None,
            index_plan: archive_index.IndexPlan | None = None,
            index_words: PdfWords | None = None) -> None:
    """Move rendered files into archive/ (public) and internal/ under the lock."""
    with locked(paths.archive):
        manifest = Manifest.load(paths.archive)
        for job in jobs:
            meeting = job.meeting
            folder = meeting_dir(meeting.date)
            new_files: set[str] = set()
            approve_now = meeting.minutes_status == "approved" and not job.keep_minutes
            approval: dict = {"on": dt.date.today().isoformat(), "docx": {}, "pdf": {}}
            for edition, doc in job.docs:
                files = {".docx": doc.docx}
                pdf = pdfs.get(f"{edition}/{doc.name}")
                if pdf is not None:
                    files[".pdf"] = pdf
                is_minutes = doc.name.endswith("-referat")
                for suffix, data in files.items():
                    relative = f"{folder}/{doc.name}{suffix}"
                    if edition == "internal":
                        write_file(paths.internal, relative, data)
                        continue
                    write_file(paths.archive, relative, data)
                    extra = {"approved": True} if approve_now and is_minutes else {}
                    manifest.record(relative, data, meeting.date.isoformat(), **extra)
                    new_files.add(relative)
                    job.result.written.append(relative)
                if is_minutes and approve_now:
                    approval["docx"][edition] = sha256(doc.docx)
                    if pdf is not None:
                        approval["pdf"][edition] = sha256(pdf)
            for edition in job.plans:  # the packet ("sakspapirer"), see packet.py
                packet = (packets or {}).get(f"{edition}/{packet_name(ctx, meeting)}")
                relative = f"{folder}/{packet_name(ctx, meeting)}.pdf"
                if packet is None:
                    continue
                if edition == "internal":
                    write_file(paths.internal, relative, packet)
                    continue
                write_file(paths.archive, relative, packet)
                manifest.record(relative, packet, meeting.date.isoformat())
                new_files.add(relative)
                job.result.written.append(relative)
            if "internal" in job.plans:
                write_file(paths.internal, "README.md", INTERNAL_README.encode())
            _drop_stale(manifest, meeting, new_files)
            record = manifest.meeting(meeting.date)
            record["inputs"] = job.inputs
            if approve_now and pdfs:
                record["approved"] = approval
                manifest.note("minutes approved", meeting=meeting.date.isoformat())
            numbers = {c.position: ctx.numbers[(meeting.date, c.position)]
                       for c in meeting.cases if c.number is None}
            if numbers:
                write_case_numbers(meeting.yaml_path, numbers)
        if index_plan is not None and "index/index" in pdfs:  # links need the files in place
            archive_index.write_index(paths.archive, manifest, index_plan, pdfs["index/index"], index_words)
        manifest.save()


def _drop_stale(manifest: Manifest, meeting: Meeting, keep: set[str]) -> None:
    """Remove this meeting's files that the new build no longer makes (a deleted case),
    except approved minutes and imported legacy documents."""
    for relative, entry in list(manifest.files.items()):
        if entry.get("meeting") != meeting.date.isoformat() or relative in keep:
            continue
        if entry.get("approved") or entry.get("imported") or entry.get("kind"):
            continue
        (manifest.root / relative).unlink(missing_ok=True)
        del manifest.files[relative]


def approve(paths: Paths, date: dt.date, *, echo: Echo = print, reapprove: bool = False,
            reason: str | None = None) -> BuildResult:
    """Approve a meeting's minutes: mark them approved in the YAML and build the final PDF,
    whose sha256 the manifest keeps. `reapprove` (with a reason, logged) replaces minutes
    that were approved before."""
    committee, meetings = load_all(paths.meetings)
    meeting = find_meeting(meetings, date, paths)
    if not meeting.has_minutes and meeting.minutes_status != "none":
        raise AluError(f"{date.isoformat()} has no minutes to approve (status: {meeting.minutes_status})")
    manifest = Manifest.load(paths.archive)
    previous = manifest.approval(date)
    if previous and not reapprove:
        raise AluError(f"the minutes of {date.isoformat()} were approved on {previous['on']}; "
                       "to replace them use --reapprove --reason '…'")
    if reapprove and not reason:
        raise AluError("--reapprove needs --reason '…' (it is logged in the archive manifest)")
    if previous:
        with locked(paths.archive):
            manifest = Manifest.load(paths.archive)
            record = manifest.meeting(date)
            record.setdefault("earlier_approvals", []).append(record.pop("approved"))
            for entry in manifest.files.values():
                if entry.get("meeting") == date.isoformat():
                    entry.pop("approved", None)
            manifest.note("minutes re-approved", meeting=date.isoformat(), reason=reason)
            manifest.save()
    set_minutes(meeting.yaml_path, "status", "approved")
    echo(f"approve  {date.isoformat()}: minutes marked approved in {meeting.yaml_path.name}")
    return build(paths, date, echo=echo, force=True)


def _index_plan(paths: Paths, ctx: Context, manifest: Manifest, jobs: list[_Job],
                force: bool) -> archive_index.IndexPlan | None:
    """The archive index as the archive will be after this build (rebuilt meetings keep only
    their new files); None when the archived index already shows exactly that."""
    rebuilt: dict[str, list[str]] = {}
    for job in jobs:
        names = [p.name for p in job.plans["public"]]
        if any(name.endswith("-innkalling") for name in names):
            names.append(packet_name(ctx, job.meeting))
        rebuilt[job.meeting.date.isoformat()] = [f"{meeting_dir(job.meeting.date)}/{n}.pdf" for n in names]
    plan = archive_index.plan_index(ctx, paths.templates, archive_index.expected_files(manifest, rebuilt))
    return None if not force and archive_index.is_current(manifest, plan) else plan


def build_all(paths: Paths, *, echo: Echo = print, force: bool = False,
              progress: Callable[[int, int], None] | None = None) -> list[BuildResult]:
    """`alu-docs build --all` (`make archive`): every meeting and the index, unchanged
    meetings skipped, all conversions in a few LibreOffice runs on both cores."""
    stamp = _inputs_stamp(paths)
    if not force and _stamp_matches(paths, stamp):
        echo("done     nothing changed since the last build --all (meetings, templates, code)")
        return []
    committee, meetings = load_all(paths.meetings)
    ctx = Context.build(committee, meetings)
    echo(f"check    {len(meetings)} meetings valid")
    results = build_meetings(paths, ctx, meetings, echo=echo, force=force, progress=progress)
    built = sum(1 for r in results if not r.skipped)
    echo(f"done     {built} meetings built, {len(results) - built} unchanged")
    with locked(paths.archive):
        write_file(paths.archive, STAMP, json.dumps({"stamp": stamp}).encode())
    return results


STAMP = "cache/build-all.json"  # under archive/cache/: not archival, not in the manifest


def _inputs_stamp(paths: Paths) -> str:
    """sha256 over every file a build reads: meetings/ (YAML, roster, attachments),
    templates/ and the code itself."""
    parts = [__version__]
    for folder in (paths.meetings, paths.templates, Path(__file__).parent):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts.append(f"{path.relative_to(folder).as_posix()}:{file_sha256(path)}")
    return sha256("\n".join(parts).encode())


def _stamp_matches(paths: Paths, stamp: str) -> bool:
    """The last build --all saw the same inputs and every recorded file is still there."""
    try:
        saved = json.loads((paths.archive / STAMP).read_text(encoding="utf-8"))["stamp"]
    except (OSError, ValueError, KeyError):
        return False
    manifest = Manifest.load(paths.archive)
    return saved == stamp and bool(manifest.files) and all(
        (paths.archive / r).is_file() and (paths.archive / r).stat().st_size == e["size"]
        for r, e in manifest.files.items())
