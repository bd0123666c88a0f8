"""Clickable links in a PDF that LibreOffice made: LibreOffice 7.4 drops DOCX hyperlinks
when it exports, so the texts to link are found in the PDF (`pdftotext -bbox`), boxed
(one box per line a link text runs over), and given /Link annotations with a GoToR action
(a relative file name, allowed in PDF/A-2) and tagged /Link structure elements.
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

from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .errors import ConversionFailed, ToolMissing


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
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
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
    for text, target in fragments:
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
            placed.append(PlacedLink(page, (x0, height - bottom, x1, height - top), target, text))
    return placed


def add_links(pdf: bytes, links: list[PlacedLink]) -> bytes:
    """Add /Link annotations (GoToR to a relative file name, print flag set, no border) and
    tag each as a /Link structure element, keeping the PDF/A identification and metadata."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header  # keep LibreOffice's %PDF-1.6
    info = dict(reader.metadata or {})
    struct_root = writer.root_object.get("/StructTreeRoot")
    struct_root = struct_root.get_object() if struct_root is not None else None
    parent_nums = None
    document = None
    if struct_root is not None:
        tree = struct_root.get("/ParentTree")
        tree = tree.get_object() if tree is not None else None
        if tree is not None and "/Nums" in tree:
            parent_nums = tree["/Nums"]
        kids = struct_root.get("/K")
        kids = kids.get_object() if kids is not None else None
        document = kids[0].get_object() if isinstance(kids, ArrayObject) and kids else kids
    next_key = int(struct_root.get("/ParentTreeNextKey", 0)) if struct_root is not None else 0
    if parent_nums is not None:
        next_key = max([next_key] + [int(parent_nums[i]) + 1 for i in range(0, len(parent_nums), 2)])

    for link in links:
        page = writer.pages[link.page]
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject(FloatObject(round(v, 2)) for v in link.rect),
            NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
            NameObject("/F"): NumberObject(4),
            NameObject("/Contents"): TextStringObject(f"{link.label}: {link.target}"),
            NameObject("/A"): DictionaryObject({
                NameObject("/S"): NameObject("/GoToR"),
                NameObject("/F"): TextStringObject(link.target),
                NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")]),
            }),
        })
        annotation_ref = writer.add_annotation(page, annotation).indirect_reference
        if parent_nums is None or document is None:
            continue
        element = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Link"),
            NameObject("/P"): document.indirect_reference,
            NameObject("/Pg"): page.indirect_reference,
            NameObject("/Alt"): TextStringObject(link.label),
            NameObject("/K"): ArrayObject([DictionaryObject({
                NameObject("/Type"): NameObject("/OBJR"),
                NameObject("/Obj"): annotation_ref,
                NameObject("/Pg"): page.indirect_reference,
            })]),
        })
        element_ref = writer._add_object(element)
        kids = document.get("/K")
        if not isinstance(kids, ArrayObject):
            kids = ArrayObject([] if kids is None else [kids])
            document[NameObject("/K")] = kids
        kids.append(element_ref)
        annotation_ref.get_object()[NameObject("/StructParent")] = NumberObject(next_key)
        parent_nums.extend([NumberObject(next_key), element_ref])
        next_key += 1
    if struct_root is not None:
        struct_root[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    if info:
        writer.add_metadata(info)  # keep /Producer etc. as in the XMP (PDF/A wants them to agree)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
