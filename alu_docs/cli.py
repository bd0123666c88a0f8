"""The `alu-docs` command line: parses arguments and calls library functions, nothing else.

User errors are AluError (a click.ClickException): one clean message, exit status 2.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

import click

from .paths import Paths

# Library modules are imported inside each command: `alu-docs check` need not load
# LibreOffice's helpers, and `alu-docs build` starts converting sooner.


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"expected a date YYYY-MM-DD; got {value!r}", param, ctx)


DATE = DateType()


@click.group()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Project folder holding meetings/, templates/ and archive/.")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Notices, case papers, minutes and the archive of NTNU's ALU."""
    ctx.obj = Paths.at(root)
    from .archive import locked, needs_recovery, recover

    if needs_recovery(ctx.obj):  # an interrupted command left a change: finish or undo it first
        with locked(ctx.obj.archive):
            recover(ctx.obj, click.echo)
    if ctx.obj.meetings.is_dir():  # a project: clean up after dead runs, keep temporary files in .alu-work/tmp
        from .convert import cleanup, release_scratch, scratch

        try:
            cleanup(ctx.obj.work)
            previous, tempfile.tempdir = tempfile.tempdir, str(scratch(ctx.obj.work))
        except OSError:  # a read-only project: checks still work
            return
        ctx.call_on_close(lambda: (release_scratch(ctx.obj.work), setattr(tempfile, "tempdir", previous)))


@cli.command()
@click.argument("date", type=DATE, required=False)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.pass_obj
def check(paths: Paths, date: dt.date | None, strict: bool) -> None:
    """Validate one meeting (or all); print every problem; write nothing."""
    from .check import check_meetings

    check_meetings(paths, date, strict=strict, echo=click.echo)


@cli.command()
@click.argument("date", type=DATE, required=False)
@click.option("--all", "all_", is_flag=True, help="Every meeting and the index (what `make archive` runs).")
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.pass_obj
def build(paths: Paths, date: dt.date | None, all_: bool, force: bool) -> None:
    """Check, render, convert and archive one meeting (what `make meeting` runs), or --all."""
    if all_ == (date is not None):
        raise click.UsageError("give a DATE or --all")
    if all_:
        from .uptodate import NOTHING_CHANGED, inputs_stamp, stamp_matches

        stamp = inputs_stamp(paths)
        if not force and stamp_matches(paths, stamp):  # decided before loading the build
            click.echo(NOTHING_CHANGED)
            return
        from . import build as build_module

        build_module.build_all(paths, echo=click.echo, force=force, progress=_progress(), stamp=stamp)
        return
    from .convert import prestart

    with prestart(paths):  # LibreOffice starts while Python imports and renders
        from . import build as build_module

        build_module.build(paths, date, echo=click.echo, force=force)


@cli.command()
@click.argument("date", type=DATE)
@click.pass_obj
def watch(paths: Paths, date: dt.date) -> None:
    """Rebuild a meeting's draft PDFs in .alu-work/preview/DATE/ on every save of its YAML or
    attachments, until Ctrl-C. Never writes the archive."""
    from .watch import watch_meeting

    watch_meeting(paths, date, echo=click.echo)


def _progress():  # type: ignore[no-untyped-def]
    """A counter line per tenth of the conversions: 'convert  12/48 PDFs'."""
    shown = {"last": -1}

    def report(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        if step != shown["last"]:
            shown["last"] = step
            click.echo(f"convert  {done}/{total} PDFs")

    return report


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.pass_obj
def index(paths: Paths, force: bool) -> None:
    """Rebuild archive/index.pdf: every meeting, newest first, with links to its documents."""
    from .index import build_index

    build_index(paths, echo=click.echo, force=force)


@cli.command("import")
@click.argument("date", type=DATE)
@click.option("--notice", type=click.Path(path_type=Path), help="The notice (with agenda) as PDF.")
@click.option("--minutes", type=click.Path(path_type=Path), help="The minutes (referat) as PDF.")
@click.option("--note", help="A note for the archive, e.g. 'Referat ble ikke skrevet.'")
@click.pass_obj
def import_(paths: Paths, date: dt.date, notice: Path | None, minutes: Path | None, note: str | None) -> None:
    """Bring a document from before alu-docs into the archive under its standard name."""
    from .importer import import_documents

    import_documents(paths, date, notice=notice, minutes=minutes, note=note, echo=click.echo)


@cli.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--internal", is_flag=True, help="Also the text of confidential cases (not for the public).")
@click.pass_obj
def search(paths: Paths, text: tuple[str, ...], internal: bool) -> None:
    """Find meetings and cases by words in titles, YAML text and archived PDFs."""
    from .search import run_search

    run_search(paths, " ".join(text), internal=internal, echo=click.echo)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for moter.md and moter.html (default: archive/side/).")
@click.option("--base-url", help="Make document links absolute, e.g. https://example.ntnu.no/alu-arkiv/")
@click.pass_obj
def page(paths: Paths, out: Path | None, base_url: str | None) -> None:
    """Write the committee page's "Møteplan" and "Tidligere møter" as Markdown and HTML."""
    from .page import write_page

    write_page(paths, out=out, base_url=base_url, echo=click.echo)


@cli.command()
@click.option("--export", "export_folder", type=click.Path(file_okay=False, path_type=Path),
              help="A Noark 5 export to check too (default: internal/noark5/ when there is one).")
@click.pass_obj
def verify(paths: Paths, export_folder: Path | None) -> None:
    """Check every archived file against the sha256 manifest, and the Noark 5 export's files
    against their sjekksum."""
    from .noark5 import verify_export
    from .verify import verify_archive

    verify_archive(paths, echo=click.echo, extra=verify_export(paths, export_folder, echo=click.echo))


@cli.group()
def export() -> None:
    """Export the archive for others: `export noark5` is the deposit to the institution's archive."""


@export.command("noark5")
@click.option("--year", type=click.IntRange(2000, 2100), help="The meetings of one calendar year.")
@click.option("--from", "start", type=DATE, help="First day of the period (default: the first meeting).")
@click.option("--to", "end", type=DATE, help="Last day of the period (default: the last meeting).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (default: internal/noark5/; never inside archive/).")
@click.pass_obj
def export_noark5(paths: Paths, year: int | None, start: dt.date | None, end: dt.date | None,
                  out: Path | None) -> None:
    """Write a Noark 5 v5.0 archive extract: arkivstruktur.xml, dokumenter/ and info.txt."""
    if year is not None and (start or end):
        raise click.UsageError("give --year or --from/--to, not both")
    from .noark5 import export_noark5 as write_export

    write_export(paths, year=year, start=start, end=end, out=out, echo=click.echo)


@cli.command()
@click.argument("date", type=DATE)
@click.option("--reapprove", is_flag=True, help="Replace minutes that were approved before.")
@click.option("--reason", help="Why approved minutes are replaced (logged).")
@click.pass_obj
def approve(paths: Paths, date: dt.date, reapprove: bool, reason: str | None) -> None:
    """Approve a meeting's minutes: final PDF, its sha256 kept in the manifest."""
    from .convert import prestart

    with prestart(paths):
        from .approval import approve as approve_minutes

        approve_minutes(paths, date, echo=click.echo, reapprove=reapprove, reason=reason)


@cli.command()
@click.argument("date", type=DATE)
@click.option("--minutes", is_flag=True, help="The approved minutes instead of the notice.")
@click.option("--send", is_flag=True, help="Also send it through the SMTP server in committee.yaml (mail:).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.pass_obj
def mail(paths: Paths, date: dt.date, minutes: bool, send: bool, dry_run: bool) -> None:
    """The notice (or approved minutes) as an e-mail draft internal/mail/ALU-DATE-….eml, the packet attached."""
    from .mail import mail_meeting

    mail_meeting(paths, date, minutes=minutes, send=send, dry_run=dry_run, echo=click.echo)


@cli.command()
@click.argument("old", type=DATE)
@click.argument("new", type=DATE)
@click.pass_obj
def move(paths: Paths, old: dt.date, new: dt.date) -> None:
    """Move a meeting to another date: folder, YAML, a revised notice, index and calendar in one step."""
    from .move import move_meeting

    move_meeting(paths, old, new, echo=click.echo)


@cli.command("new-case")
@click.argument("date", type=DATE)
@click.option("--confidential", metavar="BASIS", help="A case exempt from public access, e.g. 'offl. § 14': its "
              "text goes to meetings/DATE/unntatt/ (git-ignored).")
@click.pass_obj
def new_case(paths: Paths, date: dt.date, confidential: str | None) -> None:
    """Append a commented case skeleton to meetings/DATE/meeting.yaml for a presenter to fill."""
    from .scaffold import new_case as add_case

    add_case(paths, date, confidential=confidential, echo=click.echo)


@cli.command("new-meeting")
@click.argument("date", type=DATE)
@click.pass_obj
def new_meeting(paths: Paths, date: dt.date) -> None:
    """Create meetings/DATE/meeting.yaml with time and place from committee.yaml."""
    from .scaffold import new_meeting as create

    create(paths, date, echo=click.echo)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of meeting.yaml (for editors: alu-docs schema > meeting.schema.json)."""
    from .scaffold import schema_text

    click.echo(schema_text(), nl=False)


@cli.command()
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--term", type=click.Choice(["spring", "autumn"]), help="One term; default: the whole year.")
@click.option("--create", is_flag=True, help="Create the meeting folders of the proposed dates.")
@click.pass_obj
def plan(paths: Paths, year: int, term: str | None, create: bool) -> None:
    """The meeting plan of a year or term (DOCX, PDF) and the calendar ALU-moter.ics."""
    from .schedule import make_schedule

    make_schedule(paths, year, term, create=create, echo=click.echo)


@cli.command()
@click.option("--today", type=DATE, help="Count overdue as of this date (default: today).")
@click.option("--internal", is_flag=True, help="Also the actions of confidential cases (not for the public).")
@click.pass_obj
def actions(paths: Paths, today: dt.date | None, internal: bool) -> None:
    """List open follow-up actions: meeting, case, owner, deadline; overdue first."""
    from . import followup

    today = today or dt.date.today()
    for line in followup.format_actions(followup.open_actions(paths, today, internal=internal), today):
        click.echo(line)


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM (a BaseException, so that click and `except Exception` let it pass)."""


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean-up
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted


def main() -> None:
    """Entry point. User errors end in one line and exit status 2; Ctrl-C (or SIGTERM) stops
    LibreOffice too and ends in one line and 130; an unexpected error still in one readable
    line (ALU_DEBUG=1 shows the traceback for a bug report)."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    gc.set_threshold(100_000, 50, 100)  # a short-lived command: fewer collections while importing and rendering
    if not os.environ.get("ALU_DEBUG"):  # libraries' log warnings (fontTools, pypdf) are not for the secretary
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        _run()
    finally:  # what is still alive goes with the process: spare the interpreter's last collections (~0.2 s)
        gc.freeze()


def _run() -> None:
    try:
        cli(prog_name="alu-docs", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # AluError and usage errors: one clean message
        exc.show()
        sys.exit(exc.exit_code)
    except (Interrupted, KeyboardInterrupt, click.exceptions.Abort):
        convert = sys.modules.get("alu_docs.convert")
        if convert is not None:  # LibreOffice runs in other threads and processes: kill them
            convert.stop_all()
        click.echo("interrupted; stopped (LibreOffice included); the archive was left whole", err=True)
        sys.exit(130)
    except OSError as exc:  # the disk: full, read-only, no permission, a folder gone
        where = exc.filename or "a file"
        click.echo(f"error: {where}: {exc.strerror or exc}; the archive was not changed", err=True)
        sys.exit(2)
    except RecursionError:
        click.echo("error: input nested too deeply to read; nothing was written", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug, not a user error: those are AluError
        if os.environ.get("ALU_DEBUG"):
            raise
        click.echo(f"error: unexpected {exc.__class__.__name__}: {exc} "
                   "(a bug in alu-docs; run again with ALU_DEBUG=1 and report the output)", err=True)
        sys.exit(1)
