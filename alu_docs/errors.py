"""The exceptions alu-docs raises for the user. The CLI shows them as one clean message.

Every user-facing error subclasses `AluError`, a `click.ClickException`, so it reaches the
terminal without a traceback and with exit status 2.
"""

from __future__ import annotations

import click


class AluError(click.ClickException):
    """Base class: a problem the user can fix (bad input, missing tool, archive conflict)."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"error: {self.format_message()}", err=True)


class InvalidInput(AluError):
    """Raised when a YAML file fails validation; carries every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        summary = f"{count} problem{'s' if count != 1 else ''} found; nothing was written."
        super().__init__("\n".join([*problems, summary]))

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        for line in self.problems:
            click.echo(line, err=True)
        n = len(self.problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)


class ToolMissing(AluError):
    """Raised when an external program (LibreOffice) is not installed."""


class ConversionFailed(AluError):
    """Raised when LibreOffice did not produce a PDF that opens, or timed out."""


class ArchiveError(AluError):
    """Raised when the archive refuses a write (a file in the way, a path outside it)."""


class AttachmentError(AluError):
    """Raised when an attachment PDF cannot be read (encrypted, damaged, too large)."""
