"""Clickable links in a PDF that LibreOffice made: LibreOffice 7.4 drops DOCX hyperlinks
when it exports, so the texts to link are found in the PDF (`pdftotext -bbox`), boxed
(one box per line a link text runs over), and given /Link annotations with a GoToR action
(a relative file name, allowed in PDF/A-2) and /Link structure elements in reading order.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name, String

from .errors import ConversionFailed, ToolMissing
from .tagging import elements, is_element, kids, role, role_map, tab_order, text_origins


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def _norm(text: str) -> str:
    """Compare texts without spaces, ligatures or compatibility forms."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "\u00ad\u200b")


PdfWords = tuple[list[Word], list[float]]


def pdf_words(pdf: bytes) -> PdfWords:
    """Every word with its box (top-left origin, points) and each page's height, via
    poppler's `pdftotext -bbox`."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise ToolMissing("pdftotext (poppler-utils) is needed to place the links of the archive index: "
                          "sudo apt-get install poppler-utils (or run `make system` as root)")
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        pages = len(opened.pages)
    # pdftotext is CPU-bound (about 0.15 s a page): split the pages over the cores
    parts = min(pages, os.cpu_count() or 1)
    ranges = [(1 + pages * i // parts, pages * (i + 1) // parts) for i in range(parts)]
    with tempfile.TemporaryDirectory(prefix="alu-index-") as tmp:
        source = Path(tmp) / "index.pdf"
        source.write_bytes(pdf)
        runs = [subprocess.Popen([tool, "-bbox", "-enc", "UTF-8", "-f", str(first), "-l", str(last), str(source), "-"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for first, last in ranges]
        outputs = [run.communicate(timeout=120) for run in runs]
    words: list[Word] = []
    heights: list[float] = []
    for run, (stdout, stderr) in zip(runs, outputs, strict=True):
        if run.returncode != 0:
            raise ConversionFailed(f"pdftotext could not read the index: {stderr.decode(errors='replace').strip()}")
        root = etree.fromstring(stdout, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
        for page in root.iter("{*}page"):
            page_no = len(heights)
            heights.append(float(page.get("height")))
            for w in page.iter("{*}word"):
                words.append(Word(page_no, float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                                  float(w.get("yMax")), w.text or ""))
    return words, heights


@dataclass
class PlacedLink:
    page: int
    rect: tuple[float, float, float, float]  # PDF user space, bottom-left origin
    target: str
    label: str
    link: int = 0  # which link text the box is part of: a text over two lines has two boxes


def place_links(words: list[Word], heights: list[float], fragments: list[tuple[str, str | None]],
                unplaced: list[str] | None = None) -> list[PlacedLink]:
    """Find each fragment in the PDF's words, in document order, and box the linked ones
    (one box per line a link text runs over). Link texts not found go to `unplaced`."""
    stream: list[str] = []
    owner: list[int] = []
    for i, word in enumerate(words):
        text = _norm(word.text)
        stream.append(text)
        owner.extend([i] * len(text))
    joined = "".join(stream)
    placed: list[PlacedLink] = []
    at = 0
    for number, (text, target) in enumerate(fragments):
        key = _norm(text)
        if not key:
            continue
        found = joined.find(key, at)
        if found < 0 and not target:
            # text the PDF shows differently (right-to-left, missing glyphs, …): step over its
            # start if that is near, so a link word inside it is not taken for the link
            for size in (40, 20, 8):
                near = joined.find(key[:size], at, at + 4000)
                if near >= 0:
                    at = near + size
                    break
            continue
        if found < 0:
            if unplaced is not None:
                unplaced.append(target)
            continue
        at = found + len(key)
        if not target:
            continue
        lines: dict[tuple[int, int], list[Word]] = {}
        for index in dict.fromkeys(owner[found:at]):
            word = words[index]
            lines.setdefault((word.page, round(word.y1)), []).append(word)
        for (page, _), line in lines.items():
            height = heights[page]
            x0, x1 = min(w.x0 for w in line), max(w.x1 for w in line)
            top, bottom = min(w.y0 for w in line), max(w.y1 for w in line)
            placed.append(PlacedLink(page, (x0, height - bottom, x1, height - top), target, text, number))
    return placed


def add_links(pdf: bytes, links: list[PlacedLink]) -> bytes:
    """Add /Link annotations (GoToR to a relative file name, print flag set, no border, the
    link text as /Contents) and tag each link text as a /Link structure element in reading
    order, keeping the PDF/A identification and metadata as LibreOffice wrote them."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        tree = LinkTagger.read(document)
        boxes: dict[tuple[int, str, str], list[PlacedLink]] = {}
        for link in links:
            boxes.setdefault((link.link, link.target, link.label), []).append(link)
        for group in boxes.values():
            annotations = []
            for box in group:
                page = document.pages[box.page]
                annotation = document.make_indirect(Dictionary(
                    Type=Name.Annot, Subtype=Name.Link, Rect=[round(v, 2) for v in box.rect], Border=[0, 0, 0],
                    F=4, Contents=String(box.label),
                    A=Dictionary(S=Name.GoToR, F=String(box.target), D=Array([0, Name.Fit])),
                ))
                if "/Annots" not in page.obj:
                    page.obj.Annots = Array()
                page.obj.Annots.append(annotation)
                annotations.append((page, annotation))
            if tree is not None:
                tree.tag(group, annotations)
        tab_order(document)
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


class LinkTagger:
    """Puts a /Link structure element where its text is: the text's marked content (found
    by where it starts on the page, see tagging.text_origins) moves into the /Link element,
    with an object reference to each of its annotations. LibreOffice tags an underlined
    link text as a Span: the Span goes into the /Link element as a whole."""

    def __init__(self, document: pikepdf.Pdf, root: Dictionary) -> None:
        self.document = document
        self.root = root
        self.roles = role_map(root)
        self.parent_tree = pikepdf.NumberTree(root.ParentTree)
        used = [int(key) + 1 for key, _ in self.parent_tree.items()]
        self.next_key = max([int(root.get("/ParentTreeNextKey", 0)), *used])
        self.origins = [text_origins(page) for page in document.pages]
        self.owner: dict[tuple[tuple[int, int], int], Dictionary] = {}  # (page, MCID) -> element
        for element in elements(root):
            for kid in kids(element):
                mcid = self._mcid(element, kid)
                if mcid is not None:
                    self.owner[mcid] = element

    @classmethod
    def read(cls, document: pikepdf.Pdf) -> LinkTagger | None:
        root = document.Root.get("/StructTreeRoot")
        if root is None or "/ParentTree" not in root:
            return None
        return cls(document, root)

    @staticmethod
    def _page_of(element: Dictionary) -> Dictionary | None:
        while isinstance(element, Dictionary):
            if "/Pg" in element:
                return element.Pg
            element = element.get("/P")
        return None

    def _mcid(self, element: Dictionary, kid: object) -> tuple[tuple[int, int], int] | None:
        """(page, MCID) of a kid that is marked content, else None."""
        if isinstance(kid, int):
            page = self._page_of(element)
            return (page.objgen, int(kid)) if page is not None else None
        if isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
            page = kid.Pg if "/Pg" in kid else self._page_of(element)
            return (page.objgen, int(kid.MCID)) if page is not None else None
        return None

    def _marked(self, group: list[PlacedLink]) -> list[tuple[tuple[int, int], int]]:
        """The (page, MCID) whose text starts inside the link's boxes, in order."""
        found = []
        for box in group:
            x0, y0, x1, y1 = box.rect
            page = self.document.pages[box.page].obj.objgen
            for mcid, (x, y) in self.origins[box.page].items():
                if x0 - 1 <= x < x1 - 1 and y0 - 1 <= y <= y1 + 1 and (page, mcid) in self.owner:
                    found.append((page, mcid))
        return list(dict.fromkeys(found))

    def tag(self, group: list[PlacedLink], annotations: list[tuple[pikepdf.Page, Dictionary]]) -> None:
        label = group[0].label
        link = self.document.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Link, Alt=String(label),
                                                      Pg=annotations[0][0].obj))
        marked = self._marked(group)
        owners = list({self.owner[m].objgen: self.owner[m] for m in marked}.values())
        content: list = []
        if owners and all(self._only(o, marked) and role(o, self.roles) == "/Span" for o in owners) \
                and len({o.P.objgen for o in owners}) == 1:
            parent = owners[0].P  # Span(s) of the link text: the /Link takes their place
            at = self._remove(parent, owners)
            for span in owners:
                span.P = link
            content = owners
        elif len(owners) == 1:
            parent = owners[0]  # part of a paragraph: its marked content moves into the /Link
            mine = [k for k in kids(parent) if self._mcid(parent, k) in marked]
            at = self._remove(parent, mine)
            content = [k if isinstance(k, Dictionary) else Dictionary(Type=Name.MCR, MCID=k, Pg=self._page_of(parent))
                       for k in mine]
            for page, mcid in marked:
                self.parent_tree[self._page_key(page)][mcid] = link
        else:  # the link text shares its marked content with other text: the /Link (its text
            # as /Alt) goes right after that marked content, or at the end when none is found
            around = self._around(group[0])
            parent = self.owner[around] if around else self._document_element()
            places = [i + 1 for i, k in enumerate(kids(parent)) if around and self._mcid(parent, k) == around]
            at = places[0] if places else len(kids(parent))
        link.P = parent
        link.K = Array(content + [Dictionary(Type=Name.OBJR, Obj=a, Pg=page.obj) for page, a in annotations])
        k = Array(kids(parent))
        k.insert(at, link)
        parent.K = k
        for _, annotation in annotations:
            annotation.StructParent = self.next_key
            self.parent_tree[self.next_key] = link
            self.next_key += 1
        self.root.ParentTreeNextKey = self.next_key

    def _around(self, box: PlacedLink) -> tuple[tuple[int, int], int] | None:
        """The (page, MCID) whose text the link text is part of: the last one that starts
        on the same line before the link."""
        x0, y0, _, y1 = box.rect
        page = self.document.pages[box.page].obj.objgen
        before = [(x, mcid) for mcid, (x, y) in self.origins[box.page].items()
                  if x < x0 + 1 and y0 - 1 <= y <= y1 + 1 and (page, mcid) in self.owner]
        return (page, max(before)[1]) if before else None

    def _only(self, element: Dictionary, marked: list) -> bool:
        """Every piece of marked content under `element` belongs to the link."""
        inside = [self._mcid(e, k) for e in [element, *elements(element)] for k in kids(e)]
        inside = [m for m in inside if m is not None]
        return bool(inside) and all(m in marked for m in inside)

    @staticmethod
    def _remove(parent: Dictionary, members: list) -> int:
        """Take `members` out of the parent's kids; return where the first one was."""
        current = kids(parent)
        same = [any(_same(k, m) for m in members) for k in current]
        at = same.index(True)
        parent.K = Array([k for k, drop in zip(current, same, strict=True) if not drop])
        return at

    def _page_key(self, page: tuple[int, int]) -> int:
        return int(next(p for p in self.document.pages if p.obj.objgen == page).obj.StructParents)

    def _document_element(self) -> Dictionary:
        top = kids(self.root)
        return top[0] if len(top) == 1 and is_element(top[0]) else self.root


def _same(a: object, b: object) -> bool:
    if isinstance(a, Dictionary) and isinstance(b, Dictionary):
        return a.objgen == b.objgen if a.is_indirect else a is b
    return type(a) is type(b) and a == b
