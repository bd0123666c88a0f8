"""The secretary's task: check, render, convert, archive, re-index one meeting.

Everything is read, validated, rendered and converted in a private work folder first;
then one archive transaction files the documents, the packet, the index and the calendar
together. Approved minutes are never rewritten by a build.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, records
from . import index as archive_index
from .archive import Manifest, Transaction, file_sha256, preview, sha256, transaction
from .check import agenda_warnings, load_checked, restored_numbers
from .confidential import leaks
from .context import Context
from .convert import PdfBatches
from .errors import ArchiveError, ToolMissing
from .links import PdfWords, pdf_words
from .load import display_path
from .model import Meeting, find_meeting
from .names import MINUTES, NOTICE, PACKET, DocKey
from .packet import load_fonts, make_packets
from .paths import Echo, Paths
from .records import Issued, Settlement
from .render import DocPlan, RenderedDoc, notice_context, plan_meeting, render_plans
from .uptodate import NOTHING_CHANGED
from .uptodate import inputs_stamp as _inputs_stamp
from .uptodate import save_stamp as _save_stamp
from .uptodate import stamp_matches as _stamp_matches

if TYPE_CHECKING:
    from .ical import Events

INTERNAL_README = """\
# INTERNAL EDITION: DO NOT PUBLISH

This folder holds the internal edition of meetings with cases exempt from public access
("unntatt offentlighet"). It is written by alu-docs outside archive/ on purpose and is
ignored by git. Never copy it to the public archive or the web page.
"""

Progress = Callable[[int, int], None]


@dataclass
class BuildResult:
    date: dt.date
    written: list[str] = field(default_factory=list)
    skipped: bool = False
    messages: list[str] = field(default_factory=list)


def input_hash(ctx: Context, meeting: Meeting, plans: list[DocPlan], paths: Paths) -> str:
    """Everything a meeting's files depend on: the documents' contexts (which carry what
    other meetings contribute: numbers, follow-ups, approvals), templates, attachments
    and the code version."""
    parts = {
        "version": __version__,
        "language": ctx.committee.language,
        "plans": [(p.key.stem(ctx.committee.short), p.key.edition, p.template, p.title, p.context) for p in plans],
        "templates": {p.template: file_sha256(paths.templates / p.template) for p in plans},
        "attachments": [file_sha256(a.path) for c in meeting.cases for a in c.attachments],
    }
    return sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode())


def _up_to_date(paths: Paths, ctx: Context, manifest: Manifest, job: _Job) -> bool:
    """Up to date means: built from the same inputs, AND every file the build makes is there
    and unchanged (public ones against the manifest, internal ones against the meeting's record)."""
    record = manifest.meetings.get(job.meeting.date.isoformat(), {})
    if record.get("inputs") != job.inputs or any(c.number_restored for c in job.meeting.cases):
        return False  # (a restored number is written back to the YAML)
    mine = {r for r, e in manifest.files.items() if e.get("meeting") == job.meeting.date.isoformat()}
    if not set(job.outputs(ctx)) <= mine:
        return False
    internal = record.get("internal", {})
    if "internal" in job.plans and not internal:
        return False
    return all((paths.archive / r).is_file() and file_sha256(paths.archive / r) == manifest.files[r]["sha256"]
               for r in mine) and all((paths.internal / r).is_file() and file_sha256(paths.internal / r) == sha
                                      for r, sha in internal.items())


def build(paths: Paths, date: dt.date, *, echo: Echo = print, force: bool = False) -> BuildResult:
    """Build one meeting: validate every YAML file, render the notice, case papers and
    minutes, convert them to PDF/A in one LibreOffice run, and file them in the archive.

    Raises InvalidInput (nothing written) on bad YAML, ToolMissing without LibreOffice
    (after writing the DOCX), ConversionFailed when a PDF is not produced.
    """
    # an issued case deleted from the YAML is an error; other meetings' attachments get the path checks
    committee, meetings = load_checked(paths, [date])
    meeting = find_meeting(meetings, date, paths.meetings)
    ctx = Context.build(committee, meetings)
    echo(f"check    {len(meetings)} meetings valid; {date.isoformat()}: {len(meeting.cases)} cases")
    for warning in ([f"number   {line}" for line in restored_numbers(meeting, building=True)] + agenda_warnings(meeting)
                    + [f"warning  {line}" for line in leaks(paths.meetings, [meeting])]):
        echo(warning)
    if not meeting.has_notice:
        if meeting.is_legacy:
            why = "held before alu-docs; its documents are kept elsewhere (alu-docs import brings them in)"
        elif meeting.kind == "seminar":
            why = "a seminar without cases: no notice or minutes to make"
        else:
            why = f"no cases yet, so no notice to issue; add one with: alu-docs new-case {date.isoformat()}"
        echo(f"note     {date.isoformat()}: {why}")
    return build_meetings(paths, ctx, [meeting], echo=echo, force=force)[0]


@dataclass
class _Converted:
    """What the conversion step gives the archive: every PDF, the packets, the index."""

    pdfs: dict[DocKey, bytes] = field(default_factory=dict)
    packets: dict[DocKey, bytes] = field(default_factory=dict)
    index_pdf: bytes | None = None
    index_words: PdfWords | None = None
    index_plan: archive_index.IndexPlan | None = None
    complete: bool = True  # False: LibreOffice was missing, only DOCX were made
    calendar: Events | None = None  # the calendar's events, made while LibreOffice converted


def build_meetings(paths: Paths, ctx: Context, selected: list[Meeting], *, echo: Echo = print,
                   force: bool = False, progress: Progress | None = None,
                   before: Callable[[Transaction], None] | None = None) -> list[BuildResult]:
    """Render, convert and archive `selected`: one LibreOffice run for a meeting; for many,
    batches that convert while the rest is still rendering (see convert.PdfBatches).
    `before` makes other changes in the same archive transaction, ahead of the filing
    (alu-docs move renames the meeting folder so)."""
    manifest = Manifest.load(paths.archive)
    jobs: list[_Job] = []
    results = []
    for meeting in selected:
        job = _Job.prepare(ctx, meeting, paths, manifest)
        results.append(job.result)
        if not force and _up_to_date(paths, ctx, manifest, job):
            job.result.skipped = True
            echo(f"skip     {meeting.date.isoformat()}: unchanged since the last build")
            continue
        jobs.append(job)

    def index_plan() -> archive_index.IndexPlan | None:  # once the jobs know what they will file
        return _index_plan(paths, ctx, manifest, jobs, force, before)

    if not jobs and before is None and index_plan() is None:
        return results

    try:
        converted = _render_and_convert(paths, ctx, jobs, index_plan, echo, progress)
    except ToolMissing:
        if before is None:  # a move is all or nothing
            with transaction(paths) as tx:
                for job in jobs:
                    job.result.written = _file_meeting(tx, ctx, job, _Converted(complete=False))
            echo("convert  LibreOffice missing: the DOCX files not issued yet were written, no PDFs")
        raise
    _sign_approved(paths, ctx, jobs, converted, echo)
    calendar = commit_build(paths, ctx, jobs, converted, echo, before)
    if converted.index_plan is not None:
        archive_index.report_index(converted.index_plan, converted.index_plan.missing, paths.archive.name, echo)
    for job in jobs:
        where = f"{paths.archive.name}/{ctx.relative(ctx.key(job.meeting, NOTICE)).rsplit('/', 1)[0]}"
        echo(f"archive  {where}: {len(job.result.written)} files")
        for line in job.issue_lines():
            echo(line)
    echo(f"calendar {paths.archive.name}/{calendar}")
    return results


def _sign_approved(paths: Paths, ctx: Context, jobs: list[_Job], converted: _Converted, echo: Echo) -> None:
    """Minutes approved in this build are signed (PAdES, at the approval date) before the
    archive is locked; a later build never touches them (see _Job._guard_approved)."""
    identity = None
    for job in jobs:
        minutes = [k for k in converted.pdfs if k.kind == MINUTES and k.date == job.meeting.date]
        if not job.approves_now or not minutes:
            continue
        from .sign import sign_approved_minutes, signing_identity  # pyHanko takes ~0.5 s to import

        identity = identity or signing_identity(paths, ctx.committee)
        on = job.approval_day
        for key in minutes:
            converted.pdfs[key] = sign_approved_minutes(
                converted.pdfs[key], name=key.stem(ctx.committee.short), identity=identity, committee=ctx.committee,
                meeting_date=job.meeting.date, approved_on=on)
        echo(f"sign     {job.meeting.date.isoformat()}: approved minutes signed (PAdES) on {on.isoformat()}"
             + (" with the SELF-SIGNED TEST certificate: integrity only, not identity"
                if identity.self_signed_test else ""))


def commit_build(paths: Paths, ctx: Context, jobs: list[_Job], converted: _Converted, echo: Echo = print,
                 before: Callable[[Transaction], None] | None = None) -> str:
    """File everything a build made in ONE archive transaction: `before`'s changes (a move),
    each meeting's documents and packets, the index and the calendar. Returns the calendar's
    archive path."""
    from .ical import write_calendar  # icalendar is slow to import; loaded while LibreOffice ran

    with transaction(paths, echo=echo) as tx:
        if before is not None:
            before(tx)
        for job in jobs:
            job.result.written = _file_meeting(tx, ctx, job, converted)
        if converted.index_plan is not None and converted.index_pdf is not None:  # links need the files in `tx`
            archive_index.write_index(tx, converted.index_plan, converted.index_pdf, converted.index_words)
        return write_calendar(tx, ctx, events=converted.calendar)  # the calendar shows every meeting


def _render_and_convert(paths: Paths, ctx: Context, jobs: list[_Job],
                        index_plan: Callable[[], archive_index.IndexPlan | None],
                        echo: Echo, progress: Progress | None) -> _Converted:
    """Render every document to DOCX and convert them to PDF/A; make the packets of each
    meeting as soon as its PDFs are there, while later batches still convert. Issued
    documents whose content is unchanged are not converted again: they stay as issued."""
    expected = sum(len(plans) for job in jobs for plans in job.plans.values()) + 1
    short = ctx.committee.short
    out = _Converted()
    with tempfile.TemporaryDirectory(prefix="alu-build-") as work_name, \
            PdfBatches(Path(work_name) / "pdf-out", expected, progress=progress, work=paths.work,
                       echo=echo) as batches:
        work = Path(work_name)
        (work / "docx").mkdir()
        keys: dict[Path, DocKey | None] = {}  # DOCX in the work folder -> its document (None: the index)

        def add(name: str, key: DocKey | None, data: bytes) -> None:
            path = work / "docx" / f"{name}.docx"
            path.write_bytes(data)
            keys[path] = key
            batches.add(path, private=key is not None and key.edition != "public")

        started = time.monotonic()
        for job in jobs:
            job.render(ctx, paths)
            for message in job.result.messages:
                echo(message)
            for doc in job.docs:  # editions share a run: distinct names in one folder
                add(f"{doc.key.edition}--{doc.key.stem(short)}", doc.key, doc.docx)
            out.pdfs.update(job.kept_pdfs)  # what the packet takes from the archive as issued
        out.index_plan = index_plan()
        if out.index_plan is not None:  # the index goes through the same LibreOffice run(s)
            add(archive_index.DOCX_NAME, None, archive_index.render_index(out.index_plan, paths.templates))
        echo(f"render   {len(keys)} documents in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        # LibreOffice converts in its own processes now: meanwhile load what the steps after it use
        from . import ical  # icalendar is slow to import
        from .reproducible import reproducible_pdf  # so is pikepdf
        packets_coming = any(job.kept_pdfs or any(d.key.kind == NOTICE for d in job.docs) for job in jobs)
        if packets_coming and batches.busy():  # the packet's fonts (~0.25 s), if there is time
            load_fonts()

        packet_lines: list[str] = []  # shown after the conversion line
        waiting = list(jobs)

        repaired: list[str] | None = None

        def packets_of_ready() -> None:  # the meetings whose PDFs are all here, while later runs convert
            nonlocal waiting, repaired
            # the packet PDFs (all but the minutes) are here: merge while the rest converts
            ready = [j for j in waiting if all(d.key in out.pdfs for d in j.docs if d.key.kind != MINUTES)]
            waiting = [j for j in waiting if j not in ready]
            if ready and repaired is None:  # the packets need the archival copies now: wait for them, once
                repaired = copies.result()
                packet_lines.extend(repaired)
            out.packets.update(make_packets(ctx, [(j.packet_meeting, j.packet_editions) for j in ready], out.pdfs,
                                            cache=paths.cache, echo=packet_lines.append))

        with ThreadPoolExecutor(1) as pool, ThreadPoolExecutor(1) as attachments:
            # the attachments' archival copies (normalise.py, cached by sha256), while LibreOffice converts
            copies = attachments.submit(_normalise_attachments, paths, jobs)
            calendar = pool.submit(ical.calendar_events, ctx)  # the slow part of the calendar, meanwhile
            words = None
            for run in batches.completed():
                for docx, pdf in run.items():
                    if keys[docx] is None:
                        out.index_pdf = pdf.read_bytes()
                        words = pool.submit(pdf_words, out.index_pdf)  # its link texts (pdftotext), meanwhile
                    else:  # dated by its meeting, not the clock: the same input gives the same bytes
                        key = keys[docx]
                        out.pdfs[key] = reproducible_pdf(pdf.read_bytes(), name=key.stem(short), created=key.date,
                                                         cache=_cache_for(paths, key.edition))
                packets_of_ready()
            packets_of_ready()  # meetings with nothing to convert
            out.index_words = words.result() if words else None
            out.calendar = calendar.result()
        converted = sum(1 for key in keys.values() if key is None or key in out.pdfs)
        echo(f"convert  {converted} PDF/A-2b files in {time.monotonic() - started:.1f} s ({batches.describe()})")
        for line in packet_lines:
            echo(line)
    return out


def _cache_for(paths: Paths, edition: str) -> Path | None:
    """The cache of filled and finished documents: the public edition's only (the cache is not
    internal/, where confidential text may live)."""
    return paths.cache if edition == "public" else None


def _normalise_attachments(paths: Paths, jobs: list[_Job]) -> list[str]:
    """Make (or find in the cache) the archival copy of every attachment of `jobs`; return the
    lines to show: a warning for each file that had to be repaired."""
    from .normalise import normalise

    lines = []
    for path in dict.fromkeys(a.path for job in jobs for c in job.meeting.cases for a in c.attachments):
        copy = normalise(path, paths.cache, label=display_path(path))
        if copy.warning:
            lines.append(f"attach   {copy.warning}")
    return lines


@dataclass
class _Job:
    """One meeting's share of a build."""

    meeting: Meeting
    plans: dict[str, list[DocPlan]]  # edition -> plans
    inputs: str
    approval: dict | None  # the minutes' approval record (restored from meeting.yaml if the manifest lost it)
    seen: dict | None  # the approval as the manifest had it when the build began
    issued: Issued  # what the archive had issued of the meeting when the build began
    intact: Callable[[DocKey], bool]  # whether an issued document's files are on disk as recorded
    result: BuildResult
    docs: list[RenderedDoc] = field(default_factory=list)  # to convert and file
    keep_minutes: bool = False
    settlement: Settlement | None = None
    kept_pdfs: dict[DocKey, bytes] = field(default_factory=dict)  # issued, unchanged: for the packet
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def prepare(cls, ctx: Context, meeting: Meeting, paths: Paths, manifest: Manifest) -> _Job:
        issued = Issued.of(manifest, meeting)
        plans: dict[str, list[DocPlan]] = {}
        if meeting.cancelled is None or issued.documents:  # a cancelled meeting's first notice is never issued
            plans["public"] = plan_meeting(ctx, meeting, "public")
            if ctx.needs_internal(meeting) and not any(c.content_missing for c in meeting.cases):
                plans["internal"] = plan_meeting(ctx, meeting, "internal")
        inputs = input_hash(ctx, meeting, [p for ps in plans.values() for p in ps], paths)
        seen = manifest.approval(meeting.date)
        approval = seen or restored_approval(paths, ctx, meeting)
        result = BuildResult(meeting.date)
        missing = [c for c in meeting.cases if c.content_missing]
        if missing:
            result.messages.append(f"note     {meeting.date.isoformat()}: {display_path(missing[0].content_file)} "
                                   "is not on this machine (git-ignored): only the public edition is made")
        return cls(meeting, plans, inputs, approval, seen, issued, records.intact(manifest, ctx.committee.short),
                   result)

    @property
    def packet_meeting(self) -> Meeting:
        """The meeting as its packet shows it: without withdrawn cases."""
        return replace(self.meeting, cases=[c for c in self.meeting.cases if not c.withdrawn])

    @property
    def packet_editions(self) -> list[str]:
        """The editions whose packet this build makes: the public one only when it is issued now."""
        public = self.settlement is None or any(k.kind == PACKET for k in self.settlement.decisions)
        return [e for e in self.plans if e != "public" or public]

    @property
    def approval_day(self) -> dt.date:
        """The day the minutes are (or were) approved: kept in meeting.yaml, else today."""
        return self.meeting.approved_on or self.today

    @property
    def approves_now(self) -> bool:
        """This build makes the approved minutes (they were not approved and kept before; a
        meeting held before alu-docs has none to make)."""
        return self.meeting.minutes_status == "approved" and not self.keep_minutes and any(
            plan.key.kind == MINUTES for plans in self.plans.values() for plan in plans)

    def outputs(self, ctx: Context) -> list[str]:
        """The public files this build of the meeting makes: DOCX and PDF of each document, the packet."""
        keys = [p.key for p in self.plans.get("public", [])]
        found = [ctx.relative(k, suffix) for k in keys for suffix in (".docx", ".pdf")]
        if any(k.kind == NOTICE for k in keys):
            found.append(ctx.relative(ctx.key(self.meeting, PACKET)))
        return found

    def render(self, ctx: Context, paths: Paths) -> None:
        for edition, plans in self.plans.items():
            self.docs.extend(render_plans(ctx, self.meeting, plans, paths.templates,
                                          cache=_cache_for(paths, edition)))
        if self.approval:
            self._guard_approved()
        if "public" in self.plans:
            self._settle(ctx, paths)

    def _settle(self, ctx: Context, paths: Paths) -> None:
        """Decide what of the issued documents this build issues again (records.settle); mark a
        revised notice; leave unchanged issued documents out of the conversion."""
        meeting = self.meeting
        language = ctx.committee.language
        attachments = [file_sha256(a.path) for c in meeting.cases if not (c.withdrawn or c.confidential)
                       for a in c.attachments]
        settled = records.settle(ctx, meeting, self.docs, attachments, self.issued, self.today, self.intact)
        self.settlement = settled
        notice = ctx.key(meeting, NOTICE)
        revised_now = notice in settled.decisions and not settled.decisions[notice].restore
        revision = settled.revision if revised_now else self.issued.current_revision(language)
        if revision:  # every edition's notice shows the mark of the issue it belongs to
            for edition, plans in self.plans.items():
                for plan in plans:
                    if plan.key.kind == NOTICE:
                        plan.context = notice_context(ctx, meeting, edition, revision)
                        again = render_plans(ctx, meeting, [plan], paths.templates)[0]
                        self.docs = [again if d.key == plan.key else d for d in self.docs]
        self.docs = [d for d in self.docs if d.key not in settled.kept]
        if PACKET in {k.kind for k in settled.decisions}:
            short = ctx.committee.short
            self.kept_pdfs = {key: (paths.archive / key.relative(short)).read_bytes() for key in settled.kept
                              if key.kind != PACKET}

    def issue_lines(self) -> list[str]:
        """What the build issued again and why, for the secretary ('issue    2025-08-27: …')."""
        if self.settlement is None or not self.result.written:
            return []
        date = self.meeting.date.isoformat()
        lines = []
        revised = [k for k, d in self.settlement.decisions.items() if d.earlier is not None and not d.restore]
        if revised:
            what = ", ".join(k.document for k in revised)
            lines.append(f"issue    {date}: issued again ({what}); the earlier versions are kept as superseded")
        for change in (self.settlement.revision or {}).get("changes", []):
            lines.append(f"issue    {date}: {change}")
        if self.settlement.kept:
            lines.append(f"issue    {date}: {len(self.settlement.kept)} issued documents unchanged, left as issued")
        return lines

    def _guard_approved(self) -> None:
        """Approved minutes are never rewritten: drop them from this build, and say so."""
        date = self.meeting.date.isoformat()
        minutes = [d for d in self.docs if d.key.kind == MINUTES]
        kept = self.approval["docx"]
        changed = any(d.key.edition in kept and sha256(d.docx) != kept[d.key.edition] for d in minutes)
        self.docs = [d for d in self.docs if d.key.kind != MINUTES]
        self.keep_minutes = True
        if changed:
            self.result.messages.append(
                f"minutes  {date}: approved on {self.approval['on']}; the YAML or what the minutes "
                "draw on has changed since, but approved minutes are left unchanged. To change "
                f"them: alu-docs approve {date} --reapprove --reason '…'"
            )
        else:
            self.result.messages.append(f"minutes  {date}: approved on {self.approval['on']}; unchanged")


def restored_approval(paths: Paths, ctx: Context, meeting: Meeting) -> dict | None:
    """The approval record of minutes whose sha256 meeting.yaml keeps but the manifest does not
    (a lost or replaced manifest), rebuilt from the archived files — or an error when the
    approved minutes are not in the archive as approved."""
    if not meeting.approved_sha256:
        return None
    relative = ctx.relative(ctx.key(meeting, MINUTES))
    pdf = paths.archive / relative
    if not pdf.is_file() or file_sha256(pdf) != meeting.approved_sha256:
        state = "changed" if pdf.is_file() else "missing"
        raise ArchiveError(
            f"{paths.archive.name}/{relative}: the approved minutes are {state} (meeting.yaml records sha256 "
            f"{meeting.approved_sha256[:12]}…) and the manifest has no approval; restore the file from a backup, "
            f"or replace the minutes: alu-docs approve {meeting.date.isoformat()} --reapprove --reason '…'")
    on = (meeting.approved_on or meeting.date).isoformat()
    approval: dict = {"on": on, "docx": {}, "pdf": {"public": meeting.approved_sha256}, "restored": True}
    docx = pdf.with_suffix(".docx")
    if docx.is_file():
        approval["docx"]["public"] = file_sha256(docx)
    return approval


def _file_meeting(tx: Transaction, ctx: Context, job: _Job, converted: _Converted) -> list[str]:
    """Decide what of one meeting goes where: public documents and packet to archive/ (issued
    ones through records.write_issued), the internal edition to internal/, approvals and
    issued case numbers recorded. Returns what it writes into archive/."""
    meeting = job.meeting
    date = meeting.date.isoformat()
    short = ctx.committee.short
    if tx.manifest.approval(meeting.date) != job.seen:  # approve ran while this build rendered
        raise ArchiveError(f"the minutes of {date} were approved while this build ran; nothing was written. "
                           f"Build again: alu-docs build {date}")
    if Issued.of(tx.manifest, meeting).state() != job.issued.state():
        raise ArchiveError(f"another build issued documents of {date} while this one ran; nothing was written. "
                           f"Build again: alu-docs build {date}")
    written: list[str] = []
    approve_now = job.approves_now
    approval: dict = {"on": job.approval_day.isoformat(), "docx": {}, "pdf": {}}
    files: list[tuple[DocKey, str, bytes]] = []
    for doc in job.docs:
        files.append((doc.key, ".docx", doc.docx))
        if doc.key in converted.pdfs:
            files.append((doc.key, ".pdf", converted.pdfs[doc.key]))
        if doc.key.kind == MINUTES and approve_now:
            approval["docx"][doc.key.edition] = sha256(doc.docx)
            if doc.key in converted.pdfs:
                approval["pdf"][doc.key.edition] = sha256(converted.pdfs[doc.key])
    for edition in job.plans:  # the packet, see packet.py
        key = ctx.key(meeting, PACKET, edition=edition)
        if key in converted.packets:
            files.append((key, ".pdf", converted.packets[key]))
    decisions = job.settlement.decisions if job.settlement else {}
    today = job.today
    internal: dict[str, str] = {}
    for key, suffix, data in files:
        relative = ctx.relative(key, suffix)
        if key.edition == "internal":
            internal[tx.write(relative, data, root="internal")] = sha256(data)
        elif key in decisions and converted.complete:
            written.append(records.write_issued(tx, decisions[key], short, suffix, data, today))
        elif records.is_issued(key) and tx.manifest.files.get(relative, {}).get("issued"):
            continue  # LibreOffice missing: an issued file is never replaced by a mere DOCX
        else:
            extra = {"approved": True, **({"signed": True} if suffix == ".pdf" else {})} \
                if approve_now and key.kind == MINUTES else {}
            written.append(tx.write(relative, data, meeting=date, **extra))
    if "internal" in job.plans:
        tx.write("README.md", INTERNAL_README.encode(), root="internal")
    issued_files = {f"{d['file'].removesuffix('.pdf')}{suffix}" for d in job.issued.documents.values()
                    for suffix in (".pdf", ".docx")}  # kept as issued (an archive from before records too)
    _drop_stale(tx, meeting, set(written) | issued_files)
    record = tx.manifest.meeting(meeting.date)
    if converted.complete:  # without PDFs (no LibreOffice) the next build must make them
        record["inputs"] = job.inputs
        if job.settlement is not None:
            records.record_issue(tx.manifest, meeting, job.settlement, job.issued, short, today)
    if internal:
        record["internal"] = internal
    if approve_now and converted.pdfs:
        record["approved"] = approval
        tx.manifest.note("minutes approved", meeting=date)
        if "public" in approval["pdf"]:  # kept in the git-tracked YAML too: a lost manifest cannot undo it
            on = dt.date.fromisoformat(approval["on"])
            from .yamledit import with_approval  # ruamel.yaml: only when the YAML is written

            tx.edit(meeting.yaml_relative, lambda text: with_approval(text, approval["pdf"]["public"], on))
    elif job.approval and job.approval.get("restored"):
        _readopt_approved(tx, ctx, job)
    numbers = {c.position: ctx.numbers[(meeting.date, c.position)] for c in meeting.cases
               if c.number is None or c.number_restored}
    if numbers and converted.complete:
        from .yamledit import with_case_numbers  # ruamel.yaml: only when the YAML is written

        tx.edit(meeting.yaml_relative, lambda text: with_case_numbers(text, numbers))
    return written


def _readopt_approved(tx: Transaction, ctx: Context, job: _Job) -> None:
    """Put a restored approval back into the manifest, with its files as they are on disk."""
    meeting = job.meeting
    approval = {k: v for k, v in job.approval.items() if k != "restored"}
    tx.manifest.meeting(meeting.date)["approved"] = approval
    for suffix in (".pdf", ".docx"):
        relative = ctx.relative(ctx.key(meeting, MINUTES), suffix)
        if tx.exists(relative):
            tx.manifest.record(relative, tx.read(relative), meeting.date.isoformat(), approved=True)
    tx.manifest.note("approval restored from meeting.yaml", meeting=meeting.date.isoformat())


def _drop_stale(tx: Transaction, meeting: Meeting, keep: set[str]) -> None:
    """Remove this meeting's files that the new build no longer makes (draft minutes of a
    cancelled meeting, a document never issued), but never an issued or superseded one,
    approved minutes or imported legacy documents."""
    for relative, entry in list(tx.manifest.files.items()):
        if entry.get("meeting") != meeting.date.isoformat() or relative in keep:
            continue
        if any(entry.get(mark) for mark in ("approved", "imported", "kind", "issued", "superseded")):
            continue
        tx.remove(relative)


def _index_plan(paths: Paths, ctx: Context, manifest: Manifest, jobs: list[_Job], force: bool,
                before: Callable[[Transaction], None] | None) -> archive_index.IndexPlan | None:
    """The archive index as the archive will be after this build, from a dry run of the
    filing on a copy of the manifest; None when the archived index already shows exactly that."""
    dry = preview(paths, manifest)
    if before is not None:
        before(dry)
    for job in jobs:
        stand_in = _Converted(pdfs={doc.key: b"" for doc in job.docs})
        stand_in.packets = {ctx.key(job.meeting, PACKET, edition=edition): b"" for edition in job.packet_editions
                            if any(p.key.kind == NOTICE for p in job.plans[edition])}
        _file_meeting(dry, ctx, job, stand_in)
    plan = archive_index.plan_index(ctx, paths.templates, dry.manifest.files, dry.manifest.meetings)
    return None if not force and archive_index.is_current(manifest, plan) else plan


def build_all(paths: Paths, *, echo: Echo = print, force: bool = False,
              progress: Progress | None = None, stamp: str | None = None) -> list[BuildResult]:
    """`alu-docs build --all` (`make archive`): every meeting and the index, unchanged
    meetings skipped, all conversions in a few LibreOffice runs on both cores. `stamp`:
    uptodate.inputs_stamp(paths), when the caller has it already."""
    stamp = stamp or _inputs_stamp(paths)
    if not force and _stamp_matches(paths, stamp):
        echo(NOTHING_CHANGED)
        return []
    committee, meetings = load_checked(paths)  # an issued case deleted, a meeting folder gone: errors
    ctx = Context.build(committee, meetings)
    echo(f"check    {len(meetings)} meetings valid")
    for line in leaks(paths.meetings, meetings):
        echo(f"warning  {line}")
    results = build_meetings(paths, ctx, meetings, echo=echo, force=force, progress=progress)
    built = sum(1 for r in results if not r.skipped)
    echo(f"done     {built} meetings built, {len(results) - built} unchanged")
    _save_stamp(paths, stamp)
    return results
