"""archive/index.html: the index for a browser, same content as index.pdf, relative links,
checked with html5lib (parse errors fatal) and opened from a copied archive in headless Chromium."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import html5lib

from alu_docs.archive import Manifest
from alu_docs.build import Paths
from alu_docs.context import Context
from alu_docs.index import plan_index, render_html
from alu_docs.model import load_all
from tests.conftest import need, run_cli

HTML = "{http://www.w3.org/1999/xhtml}"
FILES = {  # what the manifest holds; the case paper of 3/25 is recorded but not on disk
    "2025/2025-08-27/ALU-2025-08-27-innkalling.pdf": {"meeting": "2025-08-27"},
    "2025/2025-08-27/ALU-2025-08-27-referat.pdf": {"meeting": "2025-08-27"},
    "2025/2025-08-27/ALU-2025-08-27-sak-003.pdf": {"meeting": "2025-08-27"},
}


def text_of(element: object) -> str:
    return " ".join("".join(element.itertext()).split())  # type: ignore[attr-defined]


def tags(tree: object, name: str) -> list[object]:
    return list(tree.iter(f"{HTML}{name}"))  # type: ignore[attr-defined]


def test_the_html_index_says_what_the_pdf_says_in_the_same_order(paths: Paths) -> None:
    committee, meetings = load_all(paths.meetings)
    plan = plan_index(Context.build(committee, meetings), paths.templates, FILES, today=dt.date(2025, 9, 1))
    on_disk = set(FILES) - {"2025/2025-08-27/ALU-2025-08-27-sak-003.pdf"}
    page = render_html(plan, lambda target: target in on_disk)
    assert render_html(plan, lambda target: target in on_disk) == page  # same plan, same bytes
    tree = html5lib.HTMLParser(strict=True).parse(page.decode())  # raises on any parse error
    assert tree.get("lang") == "nb"
    assert [text_of(h) for h in tags(tree, "h1")] == ["Møtearkiv"]
    assert [text_of(h) for h in tags(tree, "h2")] == ["2025", "2024", "2023"]
    assert [text_of(h) for h in tags(tree, "h3")] == [entry.heading for entry in plan.entries]
    assert len(plan.entries) == 26

    # every text of the PDF index (heading, state, documents, cases), in the PDF's order
    text = text_of(tree)
    position = 0
    for fragment, _ in plan.fragments:
        position = text.index(" ".join(fragment.split()), position)
    assert "Ordinært møte. Innkalling. Referatet er et utkast, ikke godkjent." in text
    assert "Planlagt møte. Innkalling er ikke sendt ennå." in text
    assert "Innkalling (ikke i dette arkivet)" in text

    links = {text_of(a): a.get("href") for a in tags(tree, "a")}  # type: ignore[attr-defined]
    assert links["Innkalling"] == "2025/2025-08-27/ALU-2025-08-27-innkalling.pdf"
    assert links["Referat (utkast)"] == "2025/2025-08-27/ALU-2025-08-27-referat.pdf"
    assert links["Møtearkivet som PDF"] == "index.pdf"
    assert "ALU-sak 3/25" not in links  # recorded, but not in the archive folder: not linked
    assert all(href.startswith("#y") for label, href in links.items() if label.isdigit())
    assert not tags(tree, "script")
    assert not [name for e in tree.iter() for name in e.attrib if name.startswith("on")]  # no event handlers


def chromium_dom(url: str, profile: Path) -> str:
    """The page as headless Chromium has loaded and parsed it (its DOM, serialised)."""
    need("chromium")
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


def test_index_html_works_in_a_browser_from_a_copied_archive(
        project: Path, paths: Paths, soffice: None, poppler: None, tmp_path: Path) -> None:
    need("chromium")
    status, output = run_cli("build", "2025-08-27")
    assert status == 0, output
    index_html = paths.archive / "index.html"
    assert Manifest.load(paths.archive).files["index.html"]["kind"] == "index"
    assert run_cli("verify")[0] == 0

    copy = tmp_path / "copied" / "arkiv"  # a copy somewhere else: links must not depend on where
    shutil.copytree(paths.archive, copy)
    url = (copy / "index.html").as_uri()
    tree = html5lib.parse(chromium_dom(url, tmp_path / "chromium-profile"))
    assert tree.get("lang") == "nb"
    assert [text_of(h) for h in tags(tree, "h1")] == ["Møtearkiv"]
    assert [text_of(h) for h in tags(tree, "h2")] == ["2025", "2024", "2023"]
    assert len(tags(tree, "h3")) == 26
    assert not tags(tree, "script")

    ids = {e.get("id") for e in tree.iter() if e.get("id")}  # type: ignore[attr-defined]
    linked = set()
    for a in tags(tree, "a"):
        target = urlparse(urljoin(url, a.get("href")))  # type: ignore[attr-defined]
        if target.fragment:
            assert target.path == urlparse(url).path and target.fragment in ids
            continue
        path = Path(unquote(target.path))
        assert target.scheme == "file" and path.is_file() and path.is_relative_to(copy), a.get("href")  # type: ignore
        linked.add(path.relative_to(copy).as_posix())
    archived = {p.relative_to(copy).as_posix() for p in copy.rglob("*.pdf")}
    assert linked == archived and len(archived) == 8  # notice, 4 case papers, packet, minutes, index.pdf

    # an archive built before index.html existed gets it with the next index run
    index_html.unlink()
    status, output = run_cli("index")
    assert status == 0 and "up to date" not in output and index_html.is_file()
    assert run_cli("verify")[0] == 0
