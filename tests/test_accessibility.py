"""Accessibility of the archival PDFs, read from real LibreOffice output: the structure tree
with pikepdf, the tags and their text with pdfplumber, PDF/A with qpdf and `pdfinfo -meta`.
Headings: the title is H1 and comes first, levels never skip. Tables: header cells in every
table, the key column of key/value tables as row headers. Index links: a /Link element with
its text, in reading order, pages with /Tabs /S."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from docx import Document
from docx.shared import RGBColor

from alu_docs.build import build
from alu_docs.context import Context
from alu_docs.convert import to_pdf
from alu_docs.docxfill import render_docx
from alu_docs.links import add_links, pdf_words, place_links
from alu_docs.model import load_all
from alu_docs.paths import Paths
from alu_docs.render import notice_context
from alu_docs.schedule import make_schedule
from alu_docs.tagging import elements, kids, role, role_map, tag_pdf
from tests.conftest import ROOT, need, new_project, pdfinfo, pdftotext, working_in

DATE = "2025-08-27"
FOLDER = f"2025/{DATE}/ALU-{DATE}"
TITLES = {  # document -> its title, the one H1
    f"{FOLDER}-innkalling.pdf": "Møteinnkalling",
    f"{FOLDER}-referat.pdf": "Referat – Utkast – ikke godkjent",
    f"{FOLDER}-sak-001.pdf": "Saksframlegg",
    "index.pdf": "Møtearkiv",
    "2025/ALU-2025-autumn-moteplan.pdf": "Møteplan høsten 2025",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, libreoffice_cache: Path) -> Path:
    """One meeting built (notice, case papers, minutes, index) and the autumn plan, once."""
    for tool in ("soffice", "pdfinfo", "qpdf"):
        need(tool)
    root = new_project(tmp_path_factory.mktemp("accessibility") / "project")
    paths = Paths.at(root)
    with working_in(root, libreoffice_cache):
        build(paths, dt.date.fromisoformat(DATE), echo=lambda _: None)
        make_schedule(paths, 2025, "autumn", today=dt.date(2025, 10, 1), echo=lambda _: None)
    return paths.archive


@dataclass
class Tag:
    """An element of the structure tree as pdfplumber (pdfminer) reads it, with its text."""

    kind: str
    attributes: dict
    alt: str | None
    marked: list[tuple[int, int]]  # (page, MCID) under it, in content order
    text: str
    kids: list[Tag]

    def walk(self):  # type: ignore[no-untyped-def]
        yield self
        for kid in self.kids:
            yield from kid.walk()


def read_tags(pdf: Path) -> Tag:
    """The structure tree and the text of each element (its marked content's characters),
    read by pdfplumber: a reader that shares no code with alu_docs' pikepdf tagging."""
    with pdfplumber.open(pdf) as document:
        chars: dict[tuple[int, int], str] = {}
        for page in document.pages:
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (page.page_number, char["mcid"])
                    chars[key] = chars.get(key, "") + char["text"]

        def tag(element: dict) -> Tag:
            kids = [tag(kid) for kid in element.get("children", [])]
            own = [(element.get("page_number", 0), mcid) for mcid in element.get("mcids", [])]
            marked = sorted(own + [m for kid in kids for m in kid.marked])
            return Tag(element["type"], element.get("attributes", {}), element.get("alt_text"), marked,
                       "".join(chars.get(m, "") for m in marked), kids)

        return Tag("root", {}, None, [], "", [tag(e) for e in document.structure_tree])


def headings(tree: Tag) -> list[tuple[int, str]]:
    return [(int(t.kind[1]), t.text) for t in tree.walk() if re.fullmatch(r"H[1-6]", t.kind)]


@pytest.mark.parametrize("name", TITLES)
def test_the_title_is_the_first_element_and_the_only_h1_and_levels_never_skip(archive: Path, name: str) -> None:
    tree = read_tags(archive / name)
    [document] = tree.kids
    assert document.kind == "Document"
    first = document.kids[0]
    assert (first.kind, first.text) == ("H1", TITLES[name])
    levels = headings(tree)
    assert [text for level, text in levels if level == 1] == [TITLES[name]]
    assert len(levels) > 1
    for (before, _), (after, text) in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"{name}: H{after} {text!r} after H{before}"


def test_headings_of_the_notice_the_minutes_and_the_case_paper(archive: Path) -> None:
    notice = headings(read_tags(archive / f"{FOLDER}-innkalling.pdf"))
    assert notice == [(1, "Møteinnkalling"), (2, "Til"), (2, "Saksliste")]
    minutes = headings(read_tags(archive / f"{FOLDER}-referat.pdf"))
    assert minutes[1] == (2, "Godkjenning av innkalling og saksliste")
    assert (2, "ALU-sak 1/25 Administrativ omstilling – status høsten 2025") in minutes
    case = headings(read_tags(archive / f"{FOLDER}-sak-001.pdf"))
    assert case[:3] == [(1, "Saksframlegg"), (2, "Administrativ omstilling – status høsten 2025"),
                        (3, "Bakgrunn / sammendrag")]
    index = headings(read_tags(archive / "index.pdf"))
    assert index[1:3] == [(2, "2025"), (3, "onsdag 17. desember 2025")]


def tables(pdf: Path) -> list[list[list[pikepdf.Dictionary]]]:
    """Every table's rows of cells, from the structure tree with pikepdf."""
    with pikepdf.open(pdf) as document:
        root = document.Root.StructTreeRoot
        roles = role_map(root)
        found = []
        for table in (e for e in elements(root) if role(e, roles) == "/Table"):
            rows = [k for k in kids(table) if role(k, roles) == "/TR"]
            found.append([[(role(c, roles), scope(c)) for c in kids(row)] for row in rows])
        return found


def scope(cell: pikepdf.Dictionary) -> str | None:
    attributes = cell.get("/A")
    for entry in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
        if isinstance(entry, pikepdf.Dictionary) and entry.get("/O") == "/Table" and "/Scope" in entry:
            return str(entry.Scope)
    return None


@pytest.mark.parametrize("name", TITLES)
def test_every_table_has_header_cells(archive: Path, name: str) -> None:
    found = tables(archive / name)
    assert found, name
    for rows in found:
        header_row = all(kind == "/TH" and where == "/Column" for kind, where in rows[0])
        row_headers = all(row[0] == ("/TH", "/Row") and all(k == "/TD" for k, _ in row[1:]) for row in rows)
        assert header_row or row_headers, f"{name}: {rows}"


def key_column(pdf: Path) -> list[list[str]]:
    """The text of the row headers (TH) of each table without a header row."""
    found = []
    for table in (t for t in read_tags(pdf).walk() if t.kind == "Table"):
        cells = [row.kids[0] for row in table.kids if row.kind == "TR"]
        if all(cell.kind == "TH" and cell.attributes.get("Scope") == "Row" for cell in cells):
            found.append([cell.text for cell in cells])
    return found


def test_key_value_tables_have_their_keys_as_row_headers(archive: Path) -> None:
    notice = key_column(archive / f"{FOLDER}-innkalling.pdf")
    assert notice == [["Møtedato", "Møtestart", "Møteslutt", "Møtested", "Møteleder", "Sekretær"]]
    facts, attendance = key_column(archive / f"{FOLDER}-referat.pdf")
    assert facts == ["Møtedato", "Møtested", "Møteleder"]
    assert attendance[:3] == ["Til stede", "Forfall", "Vara"] and attendance[-1] == "Referent"
    assert key_column(archive / f"{FOLDER}-sak-001.pdf")[0][:3] == ["Utvalg", "Møtedato", "Saksnr."]
    assert ["ALU-sak 1/25", "ALU-sak 2/25", "ALU-sak 3/25", "ALU-sak 4/25"] in key_column(archive / "index.pdf")


@pytest.mark.parametrize("name", TITLES)
def test_still_pdf_a_2b_and_tagged(archive: Path, name: str) -> None:
    pdf = archive / name
    assert "Tagged:          yes" in pdfinfo(pdf)
    meta = pdfinfo(pdf, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    with pikepdf.open(pdf) as document:
        assert document.pdf_version == "1.6"
        assert "/OutputIntents" in document.Root and document.Root.MarkInfo.Marked


def test_bookmarks_start_below_the_title(archive: Path) -> None:
    with pikepdf.open(archive / f"{FOLDER}-innkalling.pdf") as document, document.open_outline() as outline:
        assert [item.title for item in outline.root] == ["Til", "Saksliste"]


def link_problems(pdf: Path) -> tuple[list[str], list[str]]:
    """(each /Link annotation's /Contents, problems): every annotation is reached from the
    parent tree by its /StructParent, through a /Link element that holds an OBJR to it, sits
    inside a paragraph or cell (not at the top of the tree), carries its text, on a page with
    /Tabs /S. And every marked content is owned by the element the parent tree names."""
    problems: list[str] = []
    texts: list[str] = []
    with pikepdf.open(pdf) as document:
        root = document.Root.StructTreeRoot
        roles = role_map(root)
        tree = pikepdf.NumberTree(root.ParentTree)
        for number, page in enumerate(document.pages):
            annotations = list(page.obj.get("/Annots") or [])
            if annotations and page.obj.get("/Tabs") != "/S":
                problems.append(f"page {number + 1}: no /Tabs /S")
            for annotation in annotations:
                texts.append(str(annotation.Contents))
                link = tree[int(annotation.StructParent)]
                refs = [k for k in kids(link) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
                if link.S != "/Link" or not any(r.Obj.objgen == annotation.objgen for r in refs):
                    problems.append(f"{annotation.Contents}: parent tree does not lead to its /Link")
                if role(link.P, roles) not in ("/P", "/TD", "/TH", "/Span", "/LBody"):
                    problems.append(f"{annotation.Contents}: /Link inside {link.P.S}")
                if content_order(link.P) != sorted(content_order(link.P)):
                    problems.append(f"{annotation.Contents}: its paragraph is out of reading order")
                if str(link.get("/Alt")) != str(annotation.Contents):
                    problems.append(f"{annotation.Contents}: /Alt {link.get('/Alt')}")
            owners = tree.get(int(page.obj.StructParents)) if "/StructParents" in page.obj else None
            for mcid, owner in enumerate(owners or []):
                held = [k if isinstance(k, int) else int(k.MCID) for k in kids(owner or {})
                        if isinstance(k, int) or k.get("/Type") == "/MCR"]
                if owner is not None and mcid not in held:
                    problems.append(f"page {number + 1}: MCID {mcid} is not in the element the parent tree names")
    return texts, problems


def content_order(element: pikepdf.Dictionary) -> list[int]:
    """The MCIDs under an element as its kids list them: reading order. (All on one page here.)"""
    found = []
    for kid in kids(element):
        if isinstance(kid, int):
            found.append(int(kid))
        elif kid.get("/Type") == "/MCR":
            found.append(int(kid.MCID))
        elif kid.get("/Type") != "/OBJR":
            found.extend(content_order(kid))
    return found


def link_tags(pdf: Path) -> list[tuple[str, str]]:
    """(text of the /Link element, its /Alt, text of its parent) in reading order."""
    found = []

    def visit(tag: Tag) -> None:
        for kid in tag.kids:
            if kid.kind == "Link":
                found.append((kid.text, kid.alt, tag.text))
            visit(kid)

    visit(read_tags(pdf))
    return found


def test_index_links_are_tagged_with_their_text_where_the_text_is(archive: Path) -> None:
    index = archive / "index.pdf"
    texts, problems = link_problems(index)
    assert problems == []
    assert texts == ["Innkalling", "Sakspapirer", "Referat (utkast)",
                     "ALU-sak 1/25", "ALU-sak 2/25", "ALU-sak 3/25", "ALU-sak 4/25"]
    # each /Link holds its visible text and sits in its paragraph, in reading order
    documents = "Dokumenter: Innkalling · Sakspapirer · Referat (utkast)"
    assert link_tags(index) == [
        ("Innkalling", "Innkalling", documents), ("Sakspapirer", "Sakspapirer", documents),
        ("Referat (utkast)", "Referat (utkast)", documents),
        *((f"ALU-sak {n}/25", f"ALU-sak {n}/25", f"ALU-sak {n}/25") for n in range(1, 5)),
    ]


def linked_paragraphs(folder: Path) -> bytes:
    """A real LibreOffice PDF with link texts LibreOffice does not put in a Span: coloured,
    not underlined ("Innkalling", "Referat"), and a link text inside a longer run of plain
    text ("saksliste")."""
    doc = Document()
    paragraph = doc.add_paragraph("Dokumenter: ")
    for i, label in enumerate(("Innkalling", "Referat")):
        if i:
            paragraph.add_run(" · ")
        paragraph.add_run(label).font.color.rgb = RGBColor(0x0B, 0x5C, 0xAD)
    doc.add_paragraph("Se saksliste for møtet.")
    doc.save(folder / "links.docx")
    return to_pdf([folder / "links.docx"], folder / "out")[0].read_bytes()


def test_links_without_a_span_are_tagged_in_their_paragraph(tmp_path: Path, soffice: None, poppler: None) -> None:
    pdf = tag_pdf(linked_paragraphs(tmp_path))
    words, heights = pdf_words(pdf)
    fragments = [("Dokumenter:", None), ("Innkalling", "a.pdf"), ("·", None), ("Referat", "b.pdf"),
                 ("Se", None), ("saksliste", "c.pdf")]
    out = tmp_path / "linked.pdf"
    out.write_bytes(add_links(pdf, place_links(words, heights, fragments)))
    texts, problems = link_problems(out)
    assert problems == [] and texts == ["Innkalling", "Referat", "saksliste"]
    # the first two hold their own text; "saksliste" shares its text with the sentence:
    # its /Link (text as /Alt) follows that text in the sentence's paragraph
    assert link_tags(out) == [("Innkalling", "Innkalling", "Dokumenter: Innkalling · Referat"),
                              ("Referat", "Referat", "Dokumenter: Innkalling · Referat")]
    with pikepdf.open(out) as document:
        *_, last = (e for e in elements(document.Root.StructTreeRoot) if e.S == "/Link")
        assert str(last.Alt) == "saksliste"
        [sentence] = [k for k in kids(last.P) if isinstance(k, int)]
        assert [k if isinstance(k, int) else str(k.S) for k in kids(last.P)] == [sentence, "/Link"]
    assert [t.text for t in read_tags(out).walk() if t.kind == "P"][1] == "Se saksliste for møtet."
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
    assert "Tagged:          yes" in pdfinfo(out)


def test_tagging_twice_gives_the_same_tags(archive: Path) -> None:
    once = tag_pdf((archive / f"{FOLDER}-referat.pdf").read_bytes())
    assert structure(tag_pdf(once)) == structure(once)


def structure(pdf: bytes) -> list[str]:
    """Every element's standard type in reading order."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.StructTreeRoot
        roles = role_map(root)
        return [role(e, roles) for e in elements(root)]


def test_revised_and_cancelled_notice_shows_both_under_the_title(tmp_path: Path, soffice: None,
                                                                 poppler: None) -> None:
    committee, meetings = load_all(ROOT / "meetings")
    ctx = Context.build(committee, meetings)
    meeting = next(m for m in meetings if m.date.isoformat() == DATE)
    context = notice_context(ctx, meeting, "public")
    assert context["revision"] is None and context["cancelled"] is None  # nothing changes today
    context["revision"] = {"heading": "Revidert innkalling 03.09.25",
                           "changes": ["Ny sak 5/25 Budsjettprosess 2026", "Sak 3/25 trukket",
                                       "Møtestart endret fra 09.00 til 10.00"]}
    context["cancelled"] = "Møtet er avlyst: for få deltakere <og> ingen saker & ingen vara"
    docx = render_docx(ROOT / "templates" / "innkalling.docx", context, "ALU – Møteinnkalling", language="nb",
                       author="NTNU ALU", day=meeting.date)
    (tmp_path / "notice.docx").write_bytes(docx)
    pdf = to_pdf([tmp_path / "notice.docx"], tmp_path / "out")[0]  # tagged by to_pdf (tagging.tag_pdf)
    text = " ".join(pdftotext(pdf).split())
    order = ["Møteinnkalling", "Møtet er avlyst: for få deltakere <og> ingen saker & ingen vara",
             "Revidert innkalling 03.09.25", "Ny sak 5/25 Budsjettprosess 2026", "Sak 3/25 trukket",
             "Møtestart endret fra 09.00 til 10.00", "Møtedato", "Saksliste"]
    positions = [text.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), text[:400]
    # the changes are a list for a screen reader; the title stays the first element and H1
    tree = read_tags(pdf)
    assert [t.text.strip() for t in tree.walk() if t.kind == "LI"] == [f"•{change}" for change in order[3:6]]
    assert tree.kids[0].kids[0].kind == "H1"


def test_an_ordinary_notice_has_no_revision_box(archive: Path) -> None:
    text = pdftotext(archive / f"{FOLDER}-innkalling.pdf")
    assert "Revidert" not in text and "avlyst" not in text
