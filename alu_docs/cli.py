"""The `alu-docs` command line: parses arguments and calls library functions, nothing else.

User errors are AluError (a click.ClickException): one clean message, exit status 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from . import build as build_module
from .build import Paths
from .check import check_meetings


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


@cli.command()
@click.argument("date", type=DATE, required=False)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.pass_obj
def check(paths: Paths, date: dt.date | None, strict: bool) -> None:
    """Validate one meeting (or all); print every problem; write nothing."""
    check_meetings(paths, date, strict=strict, echo=click.echo)


@cli.command()
@click.argument("date", type=DATE)
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.pass_obj
def build(paths: Paths, date: dt.date, force: bool) -> None:
    """Check, render, convert and archive one meeting (what `make meeting` runs)."""
    build_module.build(paths, date, echo=click.echo, force=force)


@cli.command()
@click.argument("date", type=DATE)
@click.option("--reapprove", is_flag=True, help="Replace minutes that were approved before.")
@click.option("--reason", help="Why approved minutes are replaced (logged).")
@click.pass_obj
def approve(paths: Paths, date: dt.date, reapprove: bool, reason: str | None) -> None:
    """Approve a meeting's minutes: final PDF, its sha256 kept in the manifest."""
    build_module.approve(paths, date, echo=click.echo, reapprove=reapprove, reason=reason)


def main() -> None:
    cli(prog_name="alu-docs")
