"""`alu-docs page`: the committee page's "Møteplan" and "Tidligere møter" as Markdown and HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import html5lib
import pytest

from alu_docs import page as page_module
from alu_docs.archive import Manifest, transaction
from alu_docs.model import load_all
from alu_docs.page import write_page
from alu_docs.paths import Paths
from tests.conftest import run_cli

HTML = "{http://www.w3.org/1999/xhtml}"
ARCHIVED = {  # archive-relative path -> meeting
    "2025/2025-08-27/ALU-2025-08-27-innkalling.pdf": "2025-08-27",
    "2025/2025-08-27/ALU-2025-08-27-sakspapirer.pdf": "2025-08-27",
    "2025/2025-08-27/ALU-2025-08-27-referat.pdf": "2025-08-27",
    "2025/2025-08-27/ALU-2025-08-27-sak-003.pdf": "2025-08-27",  # case papers are not on the page
    "2025/2025-09-24/ALU-2025-09-24-innkalling-v1.pdf": "2025-09-24",  # superseded: not linked
    "2025/2025-09-24/ALU-2025-09-24-innkalling.pdf": "2025-09-24",
    "2024/2024-01-25/ALU-2024-01-25-referat.pdf": "2024-01-25",  # imported history
}


@pytest.fixture
def archived(paths: Paths) -> Paths:
    """The sample with a few documents in its archive (placeholder files, in the manifest)."""
    with transaction(paths) as tx:
        for relative, meeting in ARCHIVED.items():
            tx.write(relative, b"%PDF-1.7\n", meeting=meeting)
    return paths


def read(paths: Paths, today: dt.date) -> tuple[list[str], str]:
    written = write_page(paths, today=today, echo=lambda _: None)
    side = paths.archive / "side"
    assert written == [side / "moter.md", side / "moter.html"]
    return (side / "moter.md").read_text(encoding="utf-8").splitlines(), (side / "moter.html").read_text("utf-8")


def parse(page: str) -> object:
    """html5lib as browsers parse, but every parse error fatal."""
    return html5lib.HTMLParser(strict=True).parse(page)


def headings(tree: object) -> list[tuple[str, str]]:
    return [(e.tag.removeprefix(HTML), "".join(e.itertext())) for e in tree.iter()  # type: ignore[attr-defined]
            if e.tag in (f"{HTML}h1", f"{HTML}h2", f"{HTML}h3")]


def test_september_page_plans_the_autumn_and_links_from_its_folder(archived: Paths) -> None:
    lines, page = read(archived, dt.date(2025, 9, 30))
    plan = lines[:lines.index("## Tidligere møter 2023–2024")]
    assert plan == [
        "## Møteplan Høst 2025", "",
        "- 27.08.25: [innkalling](../2025/2025-08-27/ALU-2025-08-27-innkalling.pdf), "
        "[sakspapirer](../2025/2025-08-27/ALU-2025-08-27-sakspapirer.pdf), "
        "[referat (utkast)](../2025/2025-08-27/ALU-2025-08-27-referat.pdf)",
        "- 24.09.25: [innkalling](../2025/2025-09-24/ALU-2025-09-24-innkalling.pdf)",
        "- 15.10.25", "- 05.11.25", "- 26.11.25", "- 17.12.25", "",
    ]
    earlier = lines[len(plan):]
    assert earlier[:4] == ["## Tidligere møter 2023–2024", "", "### 2024", ""]
    january = "- 25. januar: [referat](../2024/2024-01-25/ALU-2024-01-25-referat.pdf)"  # imported
    assert january in earlier
    assert "- 6. mars: referat (ikke i dette arkivet)" in earlier  # history: named, not linked
    assert "- 9. februar: innkalling (ikke i dette arkivet). Referat ble ikke skrevet." in earlier
    assert ("- 18.–19. oktober: Samling på Baardshaug herregård. Ingen dokumenter i arkivet. "
            "Referat ikke skrevet.") in earlier
    assert earlier.index("### 2024") < earlier.index(january) < earlier.index("### 2023")

    tree = parse(page)
    assert tree.get("lang") == "nb"  # type: ignore[attr-defined]
    assert headings(tree) == [("h2", "Møteplan Høst 2025"), ("h2", "Tidligere møter 2023–2024"),
                              ("h3", "2024"), ("h3", "2023")]
    side = archived.archive / "side"
    hrefs = [a.get("href") for a in tree.iter(f"{HTML}a")]  # type: ignore[attr-defined]
    targets = {Path(os.path.normpath(side / href)).relative_to(archived.archive).as_posix() for href in hrefs}
    assert len(hrefs) == 5 and all((side / href).is_file() for href in hrefs)
    assert targets == {r for r in ARCHIVED if "-sak-" not in r and "-v1" not in r}
    assert Manifest.load(archived.archive).files["side/moter.html"]["kind"] == "page"
    assert run_cli("verify")[0] == 0


def test_february_page_heads_the_spring_term_and_lists_every_earlier_meeting(archived: Paths) -> None:
    lines, page = read(archived, dt.date(2026, 2, 10))
    assert lines[:4] == ["## Møteplan Vår 2026", "", "Ingen møter er lagt inn ennå.", ""]
    assert lines[4:8] == ["## Tidligere møter 2023–2025", "", "### 2025", ""]
    year_2025 = lines[8:lines.index("### 2024") - 1]
    assert [line.split(":")[0] for line in year_2025] == [
        "- 17. desember", "- 26. november", "- 5. november", "- 15. oktober", "- 24. september", "- 27. august"]
    assert "- 15. oktober: Ingen dokumenter i arkivet." in year_2025  # held without documents, not "planned"
    assert "<p>Ingen møter er lagt inn ennå.</p>" in page

    # a February meeting is in the spring plan; one planned for the autumn widens the heading
    for day in ("2026-02-11", "2026-09-02"):
        (archived.meetings / day).mkdir()
        (archived.meetings / day / "meeting.yaml").write_text(f"date: {day}\nminutes:\n  status: none\n")
    lines, page = read(archived, dt.date(2026, 2, 10))
    assert lines[:5] == ["## Møteplan Vår 2026–Høst 2026", "", "- 11.02.26", "- 02.09.26", ""]
    assert headings(parse(page))[0] == ("h2", "Møteplan Vår 2026–Høst 2026")
    lines, _ = read(archived, dt.date(2026, 9, 1))
    assert lines[:4] == ["## Møteplan Høst 2026", "", "- 02.09.26", ""]
    assert "### 2026" in lines and "- 11. februar: Ingen dokumenter i arkivet." in lines


def test_a_cancelled_meeting_says_so(archived: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    def cancelled(meetings_dir: Path):  # type: ignore[no-untyped-def]
        committee, meetings = load_all(meetings_dir)
        return committee, [dataclasses.replace(m, cancelled="for få saker") if m.date == dt.date(2025, 11, 5) else m
                           for m in meetings]

    monkeypatch.setattr(page_module, "load_all", cancelled)
    lines, _ = read(archived, dt.date(2025, 9, 30))
    assert "- 05.11.25: Møtet er avlyst: for få saker." in lines


def test_base_url_makes_links_absolute_and_out_writes_elsewhere(archived: Paths, tmp_path: Path) -> None:
    out = tmp_path / "web"
    status, output = run_cli("page", "--out", str(out), "--base-url", "https://example.ntnu.no/alu-arkiv/")
    assert status == 0, output
    assert f"page     {out / 'moter.md'}" in output
    markdown = (out / "moter.md").read_text(encoding="utf-8")
    assert "[innkalling](https://example.ntnu.no/alu-arkiv/2025/2025-08-27/ALU-2025-08-27-innkalling.pdf)" in markdown
    assert '<a href="https://example.ntnu.no/alu-arkiv/2024/2024-01-25/ALU-2024-01-25-referat.pdf">referat</a>' \
        in (out / "moter.html").read_text(encoding="utf-8")
    assert not any(relative.startswith("side/") for relative in Manifest.load(archived.archive).files)
