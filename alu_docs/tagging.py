"""What LibreOffice's tagged PDF lacks, added to its structure tree with pikepdf.

LibreOffice 7.4 tags a DOCX table's header rows (w:tblHeader) as TH with /Scope /Column,
but it has no way to say that the first column of a key/value table ("Møtedato | onsdag
27. august 2025") holds row headers: such a table comes out with TD cells only. Here a
table without any TH gets its first column as row headers (TH, /Scope /Row). And since
the document title is a Heading 1, LibreOffice nests every bookmark under it: the title's
bookmark is dropped, its children take its place (the bookmarks stay as they were before).

`tag_pdf` is a pure function, PDF bytes in and out; it leaves the PDF/A identification
(XMP, output intent) and everything else as LibreOffice wrote it. Call it once on each PDF
LibreOffice writes: the tags come out the same on a second call, but the bookmarks would
lose one more level if only one was left at the top.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name


def tag_pdf(pdf: bytes) -> bytes:
    """Row headers in key/value tables, one bookmark level less, /Tabs /S on pages with
    annotations. A PDF without a structure tree (not LibreOffice's tagged export) is
    returned as it is."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        roles = role_map(root)
        for table in (e for e in elements(root) if role(e, roles) == "/Table"):
            add_row_headers(table, roles)
        drop_title_bookmark(document)
        tab_order(document)
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


def role_map(root: Dictionary) -> dict[str, str]:
    mapping = root.get("/RoleMap")
    return {str(k): str(v) for k, v in mapping.items()} if mapping is not None else {}


def role(element: Dictionary, roles: dict[str, str]) -> str:
    """The standard structure type of an element (its /S through the /RoleMap)."""
    kind = str(element.get("/S", ""))
    for _ in range(8):  # a role map may chain; never loop forever
        if kind not in roles or roles[kind] == kind:
            break
        kind = roles[kind]
    return kind


def kids(element: Dictionary) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(obj: object) -> bool:
    """A structure element (not an MCID, a marked-content or an object reference)."""
    return isinstance(obj, Dictionary) and "/S" in obj and obj.get("/Type") not in ("/MCR", "/OBJR")


def elements(parent: Dictionary) -> Iterator[Dictionary]:
    """Every structure element under `parent`, depth first, in reading order."""
    for kid in kids(parent):
        if is_element(kid):
            yield kid
            yield from elements(kid)


def rows(table: Dictionary, roles: dict[str, str]) -> list[list[Dictionary]]:
    """The table's rows (also inside THead/TBody/TFoot), each a list of its TH/TD cells."""
    found = []
    for kid in (k for k in kids(table) if is_element(k)):
        kind = role(kid, roles)
        if kind == "/TR":
            found.append([c for c in kids(kid) if is_element(c) and role(c, roles) in ("/TH", "/TD")])
        elif kind in ("/THead", "/TBody", "/TFoot"):
            found.extend(rows(kid, roles))
    return found


def add_row_headers(table: Dictionary, roles: dict[str, str]) -> None:
    """A table without header cells, two or more columns: its first column becomes TH
    with /Scope /Row. A table that has header cells is left as it is."""
    cells = rows(table, roles)
    if not cells or any(role(c, roles) == "/TH" for row in cells for c in row) or any(len(r) < 2 for r in cells):
        return
    for row in cells:
        header = row[0]
        header.S = Name.TH
        scope = Dictionary(O=Name.Table, Scope=Name.Row)
        current = header.get("/A")
        if current is None:
            header.A = scope
        elif isinstance(current, Array):
            current.append(scope)
        else:
            header.A = Array([current, scope])


def drop_title_bookmark(document: pikepdf.Pdf) -> None:
    """One top-level bookmark with children (the document title, a Heading 1): put its
    children in its place."""
    if "/Outlines" not in document.Root:
        return
    with document.open_outline() as outline:
        if len(outline.root) == 1 and outline.root[0].children:
            outline.root[:] = list(outline.root[0].children)


def tab_order(document: pikepdf.Pdf) -> None:
    """Pages with annotations are tabbed through in structure order (PDF/UA: /Tabs /S)."""
    for page in document.pages:
        if page.obj.get("/Annots"):
            page.obj.Tabs = Name.S


def text_origins(page: pikepdf.Page) -> dict[int, tuple[float, float]]:
    """Where the text of each marked-content sequence (MCID) on a page starts, in user space:
    the origin of its first text-showing operator, when that operator follows a positioning
    one (LibreOffice starts each run of text with BT … Td). Text drawn by form XObjects and
    positions after a previous text show (which needs glyph widths) are not followed."""
    origins: dict[int, tuple[float, float]] = {}
    ctm, saved = pikepdf.Matrix(), []
    line = matrix = pikepdf.Matrix()
    leading, positioned = 0.0, False
    marks: list[int | None] = []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image
        op, args = str(instruction.operator), list(instruction.operands)
        if op == "q":
            saved.append(ctm)
        elif op == "Q" and saved:
            ctm = saved.pop()
        elif op == "cm":
            ctm = pikepdf.Matrix(*map(float, args)) @ ctm
        elif op == "BT":
            line = matrix = pikepdf.Matrix()
            positioned = True
        elif op in ("Td", "TD", "Tm", "T*", "'", '"'):
            if op == "Tm":
                line = pikepdf.Matrix(*map(float, args))
            else:
                tx, ty = (float(args[0]), float(args[1])) if op in ("Td", "TD") else (0.0, -leading)
                leading = -ty if op == "TD" else leading
                line = pikepdf.Matrix(1, 0, 0, 1, tx, ty) @ line
            matrix, positioned = line, True
        elif op == "TL":
            leading = float(args[0])
        elif op == "BDC":
            properties = args[1] if len(args) > 1 else None
            if isinstance(properties, Name):
                properties = page.Resources.get("/Properties", Dictionary()).get(properties)
            mcid = properties.get("/MCID") if isinstance(properties, Dictionary) else None
            marks.append(int(mcid) if mcid is not None else None)
        elif op == "BMC":
            marks.append(None)
        elif op == "EMC" and marks:
            marks.pop()
        if op in ("Tj", "TJ", "'", '"'):
            mcid = next((m for m in reversed(marks) if m is not None), None)
            if positioned and mcid is not None and mcid not in origins:
                origins[mcid] = (matrix @ ctm).transform((0, 0))
            positioned = False
    return origins
