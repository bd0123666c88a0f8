"""Checks of a PDF by readers alu-docs does not write with: qpdf, poppler (pdfinfo, pdffonts)
and pikepdf walking the objects, the structure tree and the content streams.

`archival_problems(path)` lists what keeps a file from being the PDF/A-2b, tagged and inert
file it claims to be; `structure_problems(pdf)` what is wrong in its structure tree (marked
content without an element pointing back, content neither tagged nor an artifact, ...).
An empty list is a pass.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

# Keys and names that make a PDF active (PDF/A forbids most; the packet must have none)
ACTIVE = {"/JS", "/JavaScript", "/Launch", "/SubmitForm", "/EmbeddedFiles", "/EF", "/FileAttachment", "/AA",
          "/ImportData", "/ResetForm"}
PAINTING = {"Tj", "TJ", "'", '"', "Do", "BI"}  # what puts text or images on a page


def objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary, array and stream reachable from the trailer, each once."""
    seen: set[tuple[int, int]] = set()
    todo: list[pikepdf.Object] = [pdf.trailer]
    while todo:
        obj = todo.pop()
        if not isinstance(obj, Dictionary | Array | pikepdf.Stream):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        yield obj
        todo.extend(obj if isinstance(obj, Array) else obj.values())


def active_content(pdf: pikepdf.Pdf) -> set[str]:
    """The active keys and action names found anywhere in the file."""
    found: set[str] = set()
    for obj in objects(pdf):
        if isinstance(obj, Array):
            continue
        found |= set(obj.keys()) & ACTIVE
        found |= {str(v) for v in obj.values() if isinstance(v, Name) and str(v) in ACTIVE}
    return found


def strings(pdf: pikepdf.Pdf) -> str:
    """Every string in the file's objects (titles, /Alt, /Contents, bookmarks), one a line."""
    found = []
    for obj in objects(pdf):
        values = obj if isinstance(obj, Array) else obj.values()
        found.extend(str(v) for v in values if isinstance(v, pikepdf.String))
    return "\n".join(found)


def number_tree(node: pikepdf.Object) -> dict[int, pikepdf.Object]:
    found = {}
    nums = node.get("/Nums", Array())
    for i in range(0, len(nums) - 1, 2):
        found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", Array()):
        found.update(number_tree(kid))
    return found


def _kids(elem: pikepdf.Object) -> list[pikepdf.Object]:
    kids = elem.get("/K")
    return list(kids) if isinstance(kids, Array) else [] if kids is None else [kids]


def elements(elem: pikepdf.Object, depth: int = 0) -> Iterator[tuple[int, pikepdf.Object]]:
    """(depth, structure element) below `elem`, in reading order."""
    for kid in _kids(elem):
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield depth, kid
            yield from elements(kid, depth + 1)


def roles(elem: pikepdf.Object, role_map: pikepdf.Object | None = None) -> list[str]:
    """The standard roles of the elements below `elem`, in reading order."""
    role_map = role_map if role_map is not None else Dictionary()
    return [str(role_map.get(e.S, e.S)) for _, e in elements(elem)]


def _page_of(elem: pikepdf.Object) -> pikepdf.Object | None:
    while isinstance(elem, Dictionary):
        if "/Pg" in elem:
            return elem.Pg
        elem = elem.get("/P")
    return None


def _owns(elem: pikepdf.Object, mcid: int, page: pikepdf.Object) -> bool:
    """Does the element name marked content `mcid` of `page` among its kids?"""
    for kid in _kids(elem):
        if isinstance(kid, int) and int(kid) == mcid:
            where = _page_of(elem)
        elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR" and int(kid.MCID) == mcid:
            where = kid.get("/Pg", _page_of(elem))
        else:
            continue
        if where is not None and where.objgen == page.objgen:
            return True
    return False


def structure_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Tagging as a reader of the structure tree sees it."""
    problems = []
    if not pdf.Root.get("/MarkInfo", Dictionary()).get("/Marked"):
        problems.append("catalog: /MarkInfo /Marked is not true")
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return [*problems, "catalog: no /StructTreeRoot"]
    tops = _kids(tree)
    if len(tops) != 1 or tops[0].get("/S") != "/Document":
        problems.append("structure: not one Document element at the top")
    for _, elem in elements(tree):
        for kid in _kids(elem):
            if isinstance(kid, Dictionary) and "/S" in kid and kid.get("/P", Dictionary()).objgen != elem.objgen:
                problems.append(f"structure: {kid.S} below {elem.S} has another /P")
    parents = number_tree(tree.get("/ParentTree", Dictionary()))
    for n, page in enumerate(pdf.pages, 1):
        key = page.obj.get("/StructParents")
        owners = parents.get(int(key), Array()) if key is not None else Array()
        open_marks: list[str] = []  # "tagged", "artifact" or "other" per open marked-content sequence
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                props = operands[1] if op == "BDC" else None
                if operands[0] == "/Artifact":
                    open_marks.append("artifact")
                elif isinstance(props, Dictionary) and "/MCID" in props:
                    open_marks.append("tagged")
                    mcid = int(props.MCID)
                    owner = owners[mcid] if mcid < len(owners) else None
                    if not isinstance(owner, Dictionary) or not _owns(owner, mcid, page.obj):
                        problems.append(f"page {n}: MCID {mcid} has no structure element pointing back")
                else:
                    open_marks.append("other")
            elif op == "EMC" and open_marks:
                open_marks.pop()
            elif op in PAINTING and not {"tagged", "artifact"} & set(open_marks):
                problems.append(f"page {n}: {op} is neither tagged content nor an artifact")
        for annotation in page.obj.get("/Annots", Array()):
            if annotation.get("/Subtype") in ("/Link", "/Widget"):
                owner = parents.get(int(annotation.get("/StructParent", -1)))
                if owner is None or not any(isinstance(k, Dictionary) and k.get("/Type") == "/OBJR"
                                            and k.Obj.objgen == annotation.objgen for k in _kids(owner)):
                    problems.append(f"page {n}: {annotation.Subtype} annotation not in the structure tree")
        if "/Annots" in page.obj and page.obj.get("/Tabs") != "/S":
            problems.append(f"page {n}: annotations, but no /Tabs /S")
    return problems


def archival_problems(path: Path) -> list[str]:
    """What keeps `path` from being PDF/A-2b, tagged and inert, by qpdf, poppler and pikepdf."""
    problems = []
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        problems.append(f"qpdf --check: {check.stdout[-300:]}")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    if "Tagged:          yes" not in info:
        problems.append("pdfinfo: not tagged")
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    if "<pdfaid:part" not in meta or ">2</pdfaid:part>" not in meta or ">B</pdfaid:conformance>" not in meta:
        problems.append("pdfinfo -meta: no pdfaid part 2 conformance B")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    problems += [f"pdffonts: not embedded: {line}" for line in fonts.splitlines()[2:] if line.split()[-5] != "yes"]
    with pikepdf.open(path) as pdf:
        with pdf.open_metadata() as xmp:
            if xmp.get("dc:title") != str(pdf.docinfo.get("/Title")):
                problems.append(f"XMP dc:title {xmp.get('dc:title')!r} is not the Info title")
            if xmp.pdfa_status != "2B":
                problems.append(f"XMP PDF/A status {xmp.pdfa_status!r}")
        intents = [i for i in pdf.Root.get("/OutputIntents", Array()) if i.get("/S") == "/GTS_PDFA1"]
        if len(intents) != 1 or int(intents[0].DestOutputProfile.get("/N", 0)) != 3:
            problems.append("catalog: not one sRGB (N 3) GTS_PDFA1 output intent")
        if not pdf.Root.get("/Lang"):
            problems.append("catalog: no /Lang")
        if not pdf.Root.get("/ViewerPreferences", Dictionary()).get("/DisplayDocTitle"):
            problems.append("catalog: no /DisplayDocTitle")
        if "/Encrypt" in pdf.trailer or "/ID" not in pdf.trailer:
            problems.append("trailer: encrypted, or no /ID")
        if found := active_content(pdf):
            problems.append(f"active content: {sorted(found)}")
        for obj in objects(pdf):
            if isinstance(obj, Dictionary) and obj.get("/Type") == "/ExtGState" and "/TR" in obj:
                problems.append("an ExtGState has a transfer function")
            if isinstance(obj, pikepdf.Stream) and "/LZWDecode" in str(obj.get("/Filter", "")):
                problems.append("an LZW-compressed stream")
        for n, page in enumerate(pdf.pages, 1):
            for annotation in page.obj.get("/Annots", Array()):
                if annotation.get("/Subtype") != "/Popup" and int(annotation.get("/F", 0)) & 0b100100111 != 4:
                    problems.append(f"page {n}: annotation not printed or hidden (/F {annotation.get('/F')})")
        problems += structure_problems(pdf)
    return problems
