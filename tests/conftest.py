"""Shared fixtures: a private copy of the project per test, and the external tools.

Tests that need LibreOffice or poppler are skipped with a reason when the tool is
missing on a developer's machine; under CI (CI=true) a missing tool is a failure, since
`make test` installs them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from alu_docs.cli import cli
from alu_docs.paths import Paths

ROOT = Path(__file__).resolve().parent.parent


def need(tool: str) -> None:
    if shutil.which(tool):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is missing under CI: `make test` should have installed it")
    pytest.skip(f"{tool} not installed (make system installs it)")


@pytest.fixture(scope="session")
def libreoffice_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Warm LibreOffice profiles shared by the tests (each run still locks its own)."""
    return tmp_path_factory.mktemp("cache")


def new_project(root: Path) -> Path:
    """A copy of meetings/ and templates/ with an empty archive at `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("meetings", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "archive").mkdir()
    return root


@contextlib.contextmanager
def working_in(root: Path, libreoffice_cache: Path) -> Iterator[None]:
    """For a module's one-off build: `root` as the working folder, a private HOME beside it and
    the shared LibreOffice profiles (what the `project` fixture sets for one test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("HOME", str(root.parent / "home"))
        patch.setenv("XDG_CACHE_HOME", str(libreoffice_cache))
        yield


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, libreoffice_cache: Path) -> Path:
    """A copy of meetings/ and templates/ with an empty archive, as the working folder."""
    root = new_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(libreoffice_cache))
    monkeypatch.setenv("ALU_CONVERTER_IDLE", "5")  # each project's warm converter goes soon after its test
    return root


@pytest.fixture
def paths(project: Path) -> Paths:
    return Paths.at(project)


@pytest.fixture
def soffice() -> None:
    need("soffice")


@pytest.fixture
def poppler() -> None:
    need("pdftotext")
    need("pdfinfo")


def run_cli(*args: str) -> tuple[int, str]:
    """Run alu-docs in-process; return (exit status, stdout+stderr)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdfinfo(pdf: Path, *flags: str) -> str:
    return subprocess.run(["pdfinfo", *flags, str(pdf)], capture_output=True, text=True,
                          check=True).stdout


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to show a command changed nothing (the
    disposable caches in .alu-work/, which any command may fill, are not counted)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not p.relative_to(folder).as_posix().startswith(".alu-work/")}
