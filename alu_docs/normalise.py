"""Attachments made archival: each attachment PDF becomes a PDF/A-2b copy, inert, with
every font embedded and a text layer on scanned pages, before it enters a public file.

    normalise(source, paths.cache, label="meetings/…/vedlegg/x.pdf") -> Normalised

The work is done once per source file and kept in `cache/attachments/` under the
sha256 of the source and NORMALISER (bump it when the output would change):

    attachments/<sha256>-n<NORMALISER>.pdf    the archival copy
    attachments/<sha256>-n<NORMALISER>.json   what happened (pages, warning, removed, ocr, tagged)

Steps, each done by a tool the field uses:
1. open (qpdf via pikepdf, which repairs damaged cross-reference tables and reads NUL
   bytes in names as the delimiters they are; what qpdf cannot open is rewritten by
   Ghostscript or poppler's pdftocairo); a file that needs a password, or that no tool
   opens, is refused;
2. Brotli-compressed streams are decompressed (the `brotli` package; qpdf and
   Ghostscript do not know /BrotliDecode);
3. made inert (pikepdf.sanitize: JavaScript, Launch, SubmitForm, ImportData, links to files
   (web links stay),
   embedded files, multimedia); signature fields removed; forms and comments flattened
   into the page (qpdf), whatever has no appearance removed, so no comment author
   (/T) or field value is left outside the page content; shared content streams split;
4. PDF/A-2b: pikepdf's PDF/A writer when its validator approves the file as it is
   (this keeps a tagged file's structure tree), else Ghostscript (which embeds every
   font but drops the structure tree; on 10.0.0-10.02.0 its legacy interpreter, as the
   new one spoils existing text there);
5. OCR (OCRmyPDF with Tesseract's Norwegian) of pages that have no text, in untagged files
   (scans); a tagged file keeps its structure tree whole.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .archive import file_sha256
from .errors import AttachmentError

NORMALISER = "2"  # bump when the copies would come out differently (part of the cache key)
OCR_LANGUAGE = "nor"


@dataclass
class Normalised:
    """The archival copy of one attachment and what was done to make it."""

    path: Path  # the PDF/A-2b copy in the cache; read it, never change it
    sha256: str  # of the source file
    pages: int
    warning: str | None = None  # one line naming the file when it had to be repaired
    removed: list[str] = field(default_factory=list)  # active content taken out, in words
    ocr_pages: int = 0  # pages that got a text layer by OCR
    tagged: bool = False  # the copy kept the source's structure tree


@dataclass
class Opened:
    """What opening a file found: its pages and what had to be repaired."""

    pages: int
    repairs: list[str]


class Refused(Exception):  # noqa: N818 - a verdict, turned into AttachmentError with the file's name
    """No tool can open the file, or it needs a password: `reason` says what to do."""


# --- opening ------------------------------------------------------------------------------------

PASSWORD = ("the PDF is protected by a password; save or export it again without a password "
            "(in Acrobat: File > Properties > Security > No Security) and try again")


def _repairs(warnings: list[str]) -> list[str]:
    """qpdf's warnings about a damaged file, in a few words each."""
    found = []
    for warning in warnings:
        text = str(warning)
        if re.search(r"xref|cross-reference|startxref|reconstruct", text, re.I):
            found.append("rebuilt its damaged cross-reference table")
        elif re.search(r"null character|name", text, re.I):
            found.append("repaired invalid bytes in names")
        else:
            found.append("repaired damaged objects")
    return list(dict.fromkeys(found))


def open_pdf(source: Path, work: Path):  # -> tuple[pikepdf.Pdf, list[str]]
    """Open with qpdf (pikepdf), which repairs what it can; if qpdf cannot, let Ghostscript
    or poppler rewrite the file and open that. Raises Refused for a password or a file no
    tool reads. Returns the open Pdf and the repairs made, in words."""
    import pikepdf

    try:
        pdf = _open_every_object(source)
    except pikepdf.PasswordError:
        raise Refused(PASSWORD) from None
    except Exception as exc:  # noqa: BLE001 - qpdf's many ways of saying "cannot read this"
        return rewrite(source, work, _first_line(exc, source))
    if len(pdf.pages) == 0:
        pdf.close()
        raise Refused("the PDF has no pages; open it and save or export it as PDF again")
    return pdf, _repairs(pdf.get_warnings())


def _open_every_object(path: Path):  # -> pikepdf.Pdf
    import pikepdf

    pdf = pikepdf.open(path, password="")
    try:
        for _ in pdf.objects:  # resolve every object now: damage shows as warnings, not later as errors
            pass
        _ = len(pdf.pages)
    except Exception:
        pdf.close()
        raise
    return pdf


def rewrite(source: Path, work: Path, why: str):  # -> tuple[pikepdf.Pdf, list[str]]
    """What Ghostscript (either interpreter) or poppler (pdftocairo) can read, rewritten as a
    new PDF, opened; Refused when none of them can."""
    attempts = [("Ghostscript", lambda target: ghostscript(source, target, pdfa=False, legacy=False)),
                ("Ghostscript", lambda target: ghostscript(source, target, pdfa=False, legacy=True)),
                ("poppler", lambda target: run_tool(["pdftocairo", "-pdf", str(source), str(target)], 300) is not None)]
    for number, (tool, attempt) in enumerate(attempts):
        target = work / f"rewritten-{number}.pdf"
        if not attempt(target) or not target.exists():
            continue
        try:
            pdf = _open_every_object(target)
        except Exception:  # noqa: BLE001, S112 - that tool's copy is no better; try the next
            continue
        if len(pdf.pages):
            return pdf, [f"rebuilt it with {tool}, as qpdf could not read it"]
        pdf.close()
    raise Refused(f"the PDF is damaged and cannot be read by qpdf ({why}), Ghostscript or poppler; open it and "
                  "save or export it as PDF again")


def inspect(source: Path) -> Opened:
    """What normalisation would find on opening `source`, without the rest of the work
    (used by `alu-docs check`). Raises Refused as normalisation would."""
    with tempfile.TemporaryDirectory(prefix="alu-inspect-") as work:
        pdf, repairs = open_pdf(source, Path(work))
        with pdf:
            return Opened(len(pdf.pages), repairs)


def _first_line(exc: BaseException, source: Path) -> str:
    text = str(exc).replace(str(source), "").strip().lstrip(":").strip()
    return (text.splitlines() or [exc.__class__.__name__])[0][:160]


# --- making inert -------------------------------------------------------------------------------


def decode_brotli(pdf) -> int:  # noqa: ANN001
    """Decompress /BrotliDecode streams, which qpdf and Ghostscript cannot read."""
    import brotli
    import pikepdf
    from pikepdf import Array, Name

    count = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = obj.get(Name.Filter)
        names = list(filters) if isinstance(filters, Array) else [filters] if filters is not None else []
        if not names or names[0] != Name("/BrotliDecode"):
            continue
        rest = names[1:]
        params = obj.get(Name.DecodeParms)
        rest_params = list(params)[1:] if isinstance(params, Array) else []
        data = brotli.decompress(obj.read_raw_bytes())
        obj.write(data, filter=Array(rest) if rest else None,
                  decode_parms=Array(rest_params) if rest and rest_params else None)
        count += 1
    return count


def _signature_fields(pdf) -> int:  # noqa: ANN001
    """Remove signature widgets (the signer's name, a signature that no longer matches the
    changed file) from the pages before the form is flattened; return how many."""
    from pikepdf import Array, Dictionary, Name

    def is_signature(node) -> bool:  # noqa: ANN001
        for _ in range(32):  # the field type may be inherited from a parent field
            if not isinstance(node, Dictionary):
                return False
            if Name.FT in node:
                return Name.Sig == node.FT
            node = node.get(Name.Parent)
        return False

    count = 0
    for page in pdf.pages:
        annots = page.obj.get(Name.Annots)
        if isinstance(annots, Array):
            kept = [a for a in annots if not (isinstance(a, Dictionary) and is_signature(a))]
            count += len(annots) - len(kept)
            page.obj.Annots = Array(kept)
    if Name.Perms in pdf.Root:  # the signature-based permissions (DocMDP)
        del pdf.Root[Name.Perms]
    return count


def _split_shared_contents(pdf) -> None:  # noqa: ANN001
    """Give every page its own content stream: pages that share one would all get the
    stamp meant for one of them."""
    import pikepdf
    from pikepdf import Array, Name

    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        contents = page.obj.get(Name.Contents)
        streams = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
        if any(s.is_indirect and s.objgen in seen for s in streams):
            page.obj.Contents = pdf.make_indirect(pikepdf.Stream(pdf, page.obj.Contents.read_bytes()
                                                  if not isinstance(contents, Array)
                                                  else b"\n".join(s.read_bytes() for s in streams)))
        seen.update(s.objgen for s in streams if s.is_indirect)


def _drop_private_keys(pdf) -> None:  # noqa: ANN001
    """Keys a viewer does not need and pikepdf's PDF/A validator does not know (a trailer
    checksum, slide-show transitions), so that more files keep their structure tree."""
    from pikepdf import Name

    for key in list(pdf.trailer.keys()):
        if key not in ("/Root", "/Info", "/ID", "/Size", "/Encrypt", "/Prev"):
            del pdf.trailer[key]
    for page in pdf.pages:
        for key in (Name.Trans, Name.Dur, Name.PresSteps):
            if key in page.obj:
                del page.obj[key]


def _web_links(pdf) -> list:  # noqa: ANN001
    """Link annotations that open a web page or an e-mail address (http, https, mailto), each
    with a plain /URI action to put back after sanitizing (which removes every /URI)."""
    from pikepdf import Dictionary, Name

    found = []
    for page in pdf.pages:
        for annot in page.obj.get(Name.Annots, []):
            if not isinstance(annot, Dictionary) or annot.get(Name.Subtype) != Name.Link:
                continue
            action = annot.get(Name.A)
            if isinstance(action, Dictionary) and action.get(Name.S) == Name.URI \
                    and str(action.get(Name.URI, "")).lower().startswith(("http://", "https://", "mailto:")):
                found.append((annot, Dictionary(S=Name.URI, URI=action.URI)))
    return found


def make_inert(pdf) -> list[str]:  # noqa: ANN001
    """Take out everything that acts rather than shows; return what was taken, in words."""
    from pikepdf import Array, Dictionary, Name, sanitize

    removed = []
    counts = _active_counts(pdf)
    signatures = _signature_fields(pdf)
    web_links = _web_links(pdf)
    sanitize.remove_javascript(pdf)
    sanitize.remove_external_access(pdf)
    for link, action in web_links:  # a link to a web page stays a link: reading it runs nothing
        link[Name.A] = action
    sanitize.remove_multimedia(pdf)
    sanitize.remove_attachments(pdf)
    sanitize.remove_collection(pdf)
    sanitize.remove_thumbnails(pdf)
    sanitize.remove_search_index(pdf)
    sanitize.remove_web_capture(pdf)
    sanitize.remove_private_app_data(pdf)
    for holder in (pdf.Root, *(p.obj for p in pdf.pages)):
        if Name.AA in holder:  # what sanitize left in /AA (page open/close) is not for an archive either
            del holder[Name.AA]
    if Name.OpenAction in pdf.Root:  # even a plain destination: the validator does not take it
        del pdf.Root[Name.OpenAction]
    fields = sum(1 for p in pdf.pages for a in p.obj.get(Name.Annots, [])
                 if isinstance(a, Dictionary) and a.get(Name.Subtype) == Name.Widget)
    acroform = pdf.Root.get(Name.AcroForm)
    if isinstance(acroform, Dictionary):
        if Name.XFA in acroform:
            del acroform[Name.XFA]
        with contextlib.suppress(Exception):  # a form qpdf cannot draw is flattened as it looks
            pdf.generate_appearance_streams()
    annotations_before = sum(len(p.obj.get(Name.Annots, [])) for p in pdf.pages)
    pdf.flatten_annotations("all")
    for page in pdf.pages:  # left: links, and annotations that had no appearance to flatten
        annots = page.obj.get(Name.Annots)
        if isinstance(annots, Array):
            links = [a for a in annots if isinstance(a, Dictionary) and a.get(Name.Subtype) == Name.Link]
            for link in links:
                for key in (Name.AA, Name.Popup, Name.T):
                    if key in link:
                        del link[key]
            if links:
                page.obj.Annots = Array(links)
            else:
                del page.obj[Name.Annots]
    if Name.AcroForm in pdf.Root:
        del pdf.Root[Name.AcroForm]
    _split_shared_contents(pdf)
    _drop_private_keys(pdf)
    annotations_after = sum(len(p.obj.get(Name.Annots, [])) for p in pdf.pages)
    for what, n in counts.items():
        if n:
            removed.append(f"{n} {what}")
    if signatures:
        removed.append(f"{signatures} signature field(s)")
    if fields:
        removed.append(f"{fields} form field(s) flattened")
    flattened = annotations_before - annotations_after - fields
    if flattened > 0:
        removed.append(f"{flattened} comment(s)/annotation(s) flattened or removed")
    return removed


def dictionaries(pdf) -> Iterator:  # noqa: ANN001
    """Every dictionary (and stream dictionary) reachable from the trailer, direct ones
    included, each indirect object once."""
    from pikepdf import Array, Dictionary, Stream

    seen: set[tuple[int, int]] = set()
    stack = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, (Dictionary, Stream, Array)):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (Dictionary, Stream)):
            yield obj
            stack.extend(obj.values())
        elif isinstance(obj, Array):
            stack.extend(obj)


def _active_counts(pdf) -> dict[str, int]:  # noqa: ANN001
    """How many actions of each kind, and embedded files, the file holds (for the report)."""
    from pikepdf import Name

    counts = dict.fromkeys(("JavaScript", "Launch", "SubmitForm", "ImportData", "embedded file"), 0)
    for obj in dictionaries(pdf):
        kind = obj.get(Name.S)
        if isinstance(kind, Name) and str(kind)[1:] in counts:
            counts[str(kind)[1:]] += 1
        if obj.get(Name.Type) == Name.EmbeddedFile:
            counts["embedded file"] += 1
    return counts


# --- the tools ----------------------------------------------------------------------------------


def run_tool(command: list[str], timeout: float) -> subprocess.CompletedProcess[str] | None:
    """Run a tool in its own process group; None when it fails or times out (then the
    whole group is killed, so no Ghostscript or Tesseract is left running)."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   errors="replace", start_new_session=True)
    except OSError:
        return None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    result = subprocess.CompletedProcess(command, process.returncode, out, err)
    return result if process.returncode == 0 else None


@functools.cache
def _ghostscript_version() -> tuple[int, ...]:
    result = run_tool(["gs", "--version"], 10)
    try:
        return tuple(int(x) for x in result.stdout.strip().split(".")) if result else ()
    except ValueError:
        return ()


def pdfa_definition(folder: Path) -> Path:
    """OCRmyPDF's PDF/A definition for Ghostscript (sRGB output intent), written once into
    `folder`: importing OCRmyPDF takes a second or more."""
    path = folder / f"pdfa-definition-n{NORMALISER}.ps"
    if not path.exists():
        from ocrmypdf.pdfa import generate_pdfa_ps

        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        generate_pdfa_ps(temporary)
        os.replace(temporary, path)
    return path


def text_regression() -> bool:
    """Ghostscript 10.0.0-10.02.0 (Debian 12 has 10.0.0) can spoil existing text when its new
    PDF interpreter rewrites a file; their legacy interpreter does not (OCRmyPDF refuses these
    versions for the same reason)."""
    return (10, 0) <= _ghostscript_version() < (10, 2, 1)


def ghostscript(source: Path, target: Path, *, pdfa: bool, pages: int = 1, definitions: Path | None = None,
                legacy: bool = False) -> bool:
    """Rewrite `source` with Ghostscript's pdfwrite, as PDF/A-2b (sRGB, every font embedded)
    when `pdfa` (the PDF/A definition is kept in `definitions`), with the legacy PDF
    interpreter when `legacy`. True when it wrote a file."""
    if not shutil.which("gs"):
        return False
    command = ["gs", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dQUIET", "-sDEVICE=pdfwrite", "-dAutoRotatePages=/None",
               "-dCompatibilityLevel=1.7", "-dEmbedAllFonts=true", "-dSubsetFonts=true"]
    if legacy and _ghostscript_version() < (10, 3):  # gone after 10.02
        command.append("-dNEWPDF=false")
    if pdfa:
        command += ["-dPDFA=2", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB",
                    "-o", str(target), str(pdfa_definition(definitions or target.parent)), str(source)]
    else:
        command += ["-o", str(target), str(source)]
    result = run_tool(command, 60 + 5 * pages)
    # Ghostscript "recovers" any file, writing a blank page for one it cannot read at all
    return (result is not None and "No pages will be processed" not in result.stderr + result.stdout
            and target.exists() and target.stat().st_size > 0)


def pages_without_text(path: Path) -> list[int]:
    """1-based numbers of the pages with no text at all (scans, or pages that are one picture)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return []
    try:
        empty = []
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            if textpage.count_chars() == 0:
                empty.append(number + 1)
            textpage.close()
            page.close()
        return empty
    finally:
        document.close()


def ocr(source: Path, target: Path, pages: list[int], *, pdfa: bool) -> bool:
    """Give `pages` a text layer (OCRmyPDF + Tesseract, Norwegian). With `pdfa` the result
    is checked by pikepdf's PDF/A validator, else OCRmyPDF keeps the file's own claim."""
    command = [sys.executable, "-m", "ocrmypdf", "--quiet", "-l", OCR_LANGUAGE, "--mode", "skip",
               "--jobs", "2", "--optimize", "0", "--tesseract-timeout", "120", "--pages", ",".join(map(str, pages)),
               "--output-type", "pdfa-2" if pdfa else "pdf", "--pdfa-backend", "internal",
               str(source), str(target)]
    return run_tool(command, 120 + 60 * len(pages)) is not None and target.exists()


# --- PDF/A --------------------------------------------------------------------------------------


def _pdfa_internal(pdf, target: Path) -> bool:  # noqa: ANN001
    """PDF/A-2b by pikepdf (declarations, output intent), if its validator approves the
    result; this keeps everything else (the structure tree, images) as it is."""
    from pikepdf import pdfa

    try:
        pdfa.save(pdf, target, "2b")
    except (pdfa.PdfaError, ValueError):
        return False
    return True


def claims_pdfa2(path: Path) -> bool:
    import pikepdf

    with pikepdf.open(path) as pdf:
        status = pdf.open_metadata().pdfa_status
    return status.startswith("2")


def nonembedded_fonts(path: Path) -> set[str]:
    """Fonts poppler's pdffonts lists as not embedded (nothing when poppler is missing)."""
    result = run_tool(["pdffonts", str(path)], 60)
    if result is None:
        return set()
    lines = result.stdout.splitlines()
    if len(lines) < 2 or "emb" not in lines[0]:
        return set()
    column = lines[0].index("emb")
    return {line.split()[0] for line in lines[2:] if line[column:column + 3].strip() == "no"}


def is_tagged(path: Path) -> bool:
    import pikepdf
    from pikepdf import Name

    with pikepdf.open(path) as pdf:
        return Name.StructTreeRoot in pdf.Root


# --- the whole step, cached ---------------------------------------------------------------------


def cache_entry(cache: Path, digest: str) -> tuple[Path, Path]:
    folder = cache / "attachments"
    return folder / f"{digest}-n{NORMALISER}.pdf", folder / f"{digest}-n{NORMALISER}.json"


def normalise(source: Path, cache: Path, *, label: str) -> Normalised:
    """The archival copy of attachment `source` (made once, then read from `cache`).

    Raises AttachmentError naming the file (`label`) when it needs a password or no tool
    can open it, or when no archival copy could be made. A repaired file gives a
    one-line `warning` for the build to print."""
    digest = file_sha256(source)
    pdf_path, record_path = cache_entry(cache, digest)
    if pdf_path.exists() and record_path.exists():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            record = json.loads(record_path.read_text())
            record["warning"] = _warning(label, record["repairs"])
            return Normalised(path=pdf_path, sha256=digest, **{k: v for k, v in record.items() if k != "repairs"})
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="normalise-", dir=pdf_path.parent) as tmp:
        work = Path(tmp)
        try:
            made, record = _make(source, work)
        except Refused as why:
            raise AttachmentError(f"{label}: {why}") from None
        except Exception as exc:  # a tool failed in a way nobody foresaw: still one line, naming the file
            raise AttachmentError(f"{label}: no archival copy could be made ({exc.__class__.__name__}: "
                                  f"{_first_line(exc, source)}); open it and save or export it as PDF again") from None
        os.replace(made, pdf_path)
        record_path.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    return Normalised(path=pdf_path, sha256=digest, warning=_warning(label, record["repairs"]),
                      **{k: v for k, v in record.items() if k != "repairs"})


def _warning(label: str, repairs: list[str]) -> str | None:
    """One line for the build to print: the file, and what was wrong with it."""
    if not repairs:
        return None
    return f"{label}: warning: the PDF was damaged; {'; '.join(repairs)} (compare its pages in the packet)"


def _make(source: Path, work: Path) -> tuple[Path, dict]:
    """Do the work in `work`; return the archival copy and its record."""
    pdf, repairs = open_pdf(source, work)
    pages = len(pdf.pages)
    clean, candidate = work / "clean.pdf", work / "pdfa.pdf"
    try:
        removed, internal = _clean(pdf, clean, candidate)
    except Exception as exc:  # noqa: BLE001 - qpdf met damage only when writing: start from a rewritten copy
        pdf.close()
        pdf, rebuilt = rewrite(source, work, _first_line(exc, source))
        repairs += rebuilt
        pages = len(pdf.pages)
        removed, internal = _clean(pdf, clean, candidate)
    finally:
        pdf.close()
    if internal and _problems(candidate, pages):
        internal = False
    legacy_first = [True, False] if text_regression() else [False]
    if not internal and not any(ghostscript(clean, candidate, pdfa=True, pages=pages, definitions=work.parent,
                                            legacy=legacy) for legacy in legacy_first):
        raise Refused("Ghostscript could not make an archival (PDF/A) copy of it; open it and save or "
                      "export it as PDF again")
    problems = _problems(candidate, pages)
    if problems:
        raise Refused(f"no archival copy could be made ({'; '.join(problems)}); open it and save or export "
                      "it as PDF/A again")
    # A tagged file is born digital: its pages without text are drawings, and an OCR layer would
    # be content outside its structure tree. Scans are untagged: those get a text layer.
    empty = [] if is_tagged(candidate) else pages_without_text(candidate)
    result = candidate
    if empty:
        ocred = work / "ocr.pdf"
        if (ocr(candidate, ocred, empty, pdfa=True) or ocr(candidate, ocred, empty, pdfa=False)) \
                and not _problems(ocred, pages):
            result = ocred
        else:  # the copy without a text layer is still a good archival copy
            repairs.append("OCR failed, so its scanned pages cannot be searched")
    record = {"pages": pages, "repairs": repairs, "removed": removed, "ocr_pages": len(empty) if result != candidate
              else 0, "tagged": is_tagged(result)}
    return result, record


def _clean(pdf, clean: Path, candidate: Path) -> tuple[list[str], bool]:  # noqa: ANN001
    """Make `pdf` inert and save it as `clean`; also as PDF/A `candidate` when pikepdf's
    validator approves it as it is. Returns what was removed and whether it was approved."""
    brotli_streams = decode_brotli(pdf)
    removed = make_inert(pdf)
    if brotli_streams:
        removed.append(f"{brotli_streams} Brotli-compressed stream(s) decompressed")
    pdf.save(clean)
    return removed, _pdfa_internal(pdf, candidate)


def _problems(path: Path, pages: int) -> list[str]:
    """How the copy falls short of what we promise: same pages, PDF/A-2, every font embedded."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            count = len(pdf.pages)
    except pikepdf.PdfError as exc:
        return [f"the copy does not open ({_first_line(exc, path)})"]
    problems = []
    if count != pages:
        problems.append(f"{count} pages instead of {pages}")
    if not claims_pdfa2(path):
        problems.append("not PDF/A-2")
    missing = nonembedded_fonts(path)
    if missing:
        problems.append(f"fonts not embedded: {', '.join(sorted(missing))}")
    return problems
