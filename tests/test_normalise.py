"""Attachments are normalised into archival copies: checked with tools nobody here wrote
(qpdf --check and its QDF rewrite, pdfinfo -meta, pdffonts, pdftotext, pdfimages,
pdftoppm), on a corpus of hostile PDFs made in `tests/hostile.py`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from alu_docs import attachments, normalise
from alu_docs.attachments import Limits, check_attachment, meeting_attachments_problem
from alu_docs.errors import AttachmentError
from alu_docs.normalise import Normalised

from . import hostile
from .conftest import need, pdftotext, run_cli

# Tokens that must not survive in an archival copy (read in qpdf's uncompressed QDF form)
FORBIDDEN = [b"/JavaScript", b"/JS ", b"/Launch", b"/SubmitForm", b"/ImportData", b"/EmbeddedFile",
             b"/FileAttachment", b"/AcroForm", b"/Widget", b"/AA ", b"/OpenAction", b"/BrotliDecode",
             b"/Sig ", hostile.SIGNER.encode(), hostile.COMMENTER.encode(), b"hemmelig vedlegg"]


@pytest.fixture(scope="module")
def tools() -> None:
    for tool in ("qpdf", "gs", "pdfinfo", "pdffonts", "pdftotext", "pdfimages", "pdftoppm"):
        need(tool)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, tools) -> dict[str, tuple[Path, Normalised]]:
    """The corpus without scans, each normalised once (module scope: a few seconds)."""
    folder = tmp_path_factory.mktemp("corpus")
    cache = tmp_path_factory.mktemp("cache")
    result = {}
    for name in ("active_content", "attached_files", "signed_and_commented", "nul_in_name", "shared_contents",
                 "broken_xref", "brotli_stream", "owner_password_only"):
        source = getattr(hostile, name)(folder / f"{name}.pdf")
        result[name] = source, normalise.normalise(source, cache, label=f"vedlegg/{name}.pdf")
    return result


def qdf(path: Path) -> bytes:
    """The file as qpdf writes it uncompressed, every stream decoded where qpdf can."""
    return subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--decode-level=all", str(path), "-"],
                          capture_output=True, check=False).stdout


def assert_archival(copy: Path, pages: int) -> None:
    """qpdf --check clean, PDF/A-2 in the XMP, every font embedded, the same page count."""
    check = subprocess.run(["qpdf", "--check", str(copy)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    meta = subprocess.run(["pdfinfo", "-meta", str(copy)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"pdfaid:part(>|=['\"])2", meta), meta[-600:]
    fonts = subprocess.run(["pdffonts", str(copy)], capture_output=True, text=True, check=True).stdout.splitlines()
    header = fonts[0]
    column = header.index("emb")
    assert all(line[column:column + 3] == "yes" for line in fonts[2:]), "\n".join(fonts)
    info = subprocess.run(["pdfinfo", str(copy)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M), info


@pytest.mark.parametrize("name", ["active_content", "attached_files", "signed_and_commented", "nul_in_name",
                                  "shared_contents", "broken_xref", "brotli_stream", "owner_password_only"])
def test_copy_is_archival_and_inert(made, name):
    source, normalised = made[name]
    with pikepdf.open(source, password="") as original:
        pages = len(original.pages)
    assert normalised.pages == pages
    assert_archival(normalised.path, pages)
    flat = qdf(normalised.path)
    assert flat, "qpdf could not rewrite the copy"
    left = [token.decode(errors="replace") for token in FORBIDDEN if token in flat]
    assert not left, f"{name}: {left} left in the archival copy"


def test_the_corpus_really_is_hostile(made):
    """The same tokens are in the sources, so the test above can fail."""
    sources = b"".join(qdf(source) for source, _ in made.values())
    for token in (b"/JavaScript", b"/Launch", b"/SubmitForm", b"/ImportData", b"/EmbeddedFile", b"/FileAttachment",
                  b"/AA ", hostile.SIGNER.encode(), hostile.COMMENTER.encode()):
        assert token in sources, token


def test_removed_content_is_reported_and_flattened_fields_stay_visible(made):
    _, active = made["active_content"]
    assert {"1 Launch", "1 SubmitForm", "1 ImportData"} <= set(active.removed)
    assert any(r.endswith("JavaScript") for r in active.removed)
    assert "2 form field(s) flattened" in active.removed
    assert "Ola Nordmann" in pdftotext(active.path)  # the field's value is now page content
    _, signed = made["signed_and_commented"]
    assert "1 signature field(s)" in signed.removed
    assert hostile.SIGNER not in pdftotext(signed.path)
    _, attached = made["attached_files"]
    assert "2 embedded file" in attached.removed


def test_name_with_nul_byte_keeps_its_image(made, tmp_path):
    source, normalised = made["nul_in_name"]
    assert b"/DeviceRGB\x00255" in source.read_bytes()
    images = subprocess.run(["pdfimages", "-list", str(normalised.path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == 1 and " index " in images[0], images
    subprocess.run(["pdftoppm", "-png", "-r", "20", str(normalised.path), str(tmp_path / "page")], check=True)
    from PIL import Image

    colours = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB").getcolors(100000)
    reds = sum(n for n, (r, g, b) in colours if r > 200 and g < 60 and b < 60)
    blues = sum(n for n, (r, g, b) in colours if b > 200 and r < 60 and g < 60)
    assert reds > 100 and blues > 100, "the indexed image did not survive"


def test_pages_that_shared_one_content_stream_get_their_own(made):
    source, normalised = made["shared_contents"]
    with pikepdf.open(source) as pdf:
        assert len({p.obj.Contents.objgen for p in pdf.pages}) == 1
    with pikepdf.open(normalised.path) as pdf:
        streams = [p.obj.Contents for p in pdf.pages]
        ids = [s.objgen for s in streams if isinstance(s, pikepdf.Stream)]
        assert len(ids) == len(set(ids)) == 3


def test_damaged_file_is_repaired_with_a_one_line_warning(made):
    _, broken = made["broken_xref"]
    assert broken.warning == ("vedlegg/broken_xref.pdf: warning: the PDF was damaged; rebuilt its damaged "
                              "cross-reference table (compare its pages in the packet)")
    assert "Linje 30" in pdftotext(broken.path)
    assert made["active_content"][1].warning is None


def test_file_qpdf_cannot_open_is_rebuilt_by_ghostscript(tmp_path, tools):
    source = hostile.pages_loop(tmp_path / "ring.pdf")
    assert subprocess.run(["qpdf", "--check", str(source)], capture_output=True).returncode == 2
    normalised = normalise.normalise(source, tmp_path / "cache", label="vedlegg/ring.pdf")
    assert normalised.warning == ("vedlegg/ring.pdf: warning: the PDF was damaged; rebuilt it with Ghostscript, "
                                  "as qpdf could not read it (compare its pages in the packet)")
    assert_archival(normalised.path, normalised.pages)
    assert "Sidetreet gikk i ring" in pdftotext(normalised.path)
    assert check_attachment(tmp_path, "ring.pdf", cache=tmp_path / "cache") is None


def test_brotli_stream_is_made_readable(made):
    _, normalised = made["brotli_stream"]
    assert "Brotli-komprimert innhold" in pdftotext(normalised.path)
    source = made["brotli_stream"][0]
    assert len(attachments.open_attachment(source, deep=True).pages) == 1  # pypdf decodes it too (brotli)


@pytest.mark.parametrize("maker, message", [
    (hostile.with_password, "the PDF is protected by a password; save or export it again without a password"),
    (hostile.garbage, "the PDF is damaged and cannot be read by qpdf (unable to find trailer dictionary while "
                      "recovering damaged file), Ghostscript or poppler; open it and save or export it as PDF again"),
])
def test_only_locked_or_unreadable_files_are_refused(tmp_path, tools, maker, message):
    source = maker(tmp_path / "bad.pdf")
    with pytest.raises(AttachmentError) as caught:
        normalise.normalise(source, tmp_path / "cache", label="vedlegg/bad.pdf")
    assert caught.value.format_message().startswith(f"vedlegg/bad.pdf: {message}")
    assert "pip" not in caught.value.format_message()
    problem = check_attachment(tmp_path, "bad.pdf", cache=tmp_path / "cache")
    assert problem is not None and message in problem  # `check` gives the same verdict
    assert not list((tmp_path / "cache" / "attachments").glob("*.pdf"))


def test_check_gives_normalisations_verdict_and_reads_each_file_once(made, tmp_path, monkeypatch):
    folder = tmp_path / "meeting"
    folder.mkdir()
    for name in ("broken_xref", "brotli_stream", "active_content"):
        (folder / f"{name}.pdf").write_bytes(made[name][0].read_bytes())
        assert check_attachment(folder, f"{name}.pdf", cache=tmp_path / "cache") is None
    assert attachments.attachment_repairs(folder / "broken_xref.pdf", tmp_path / "cache") == (
        "rebuilt its damaged cross-reference table",)

    def no_reading(*args, **kwargs):
        raise AssertionError("opened a file whose verdict is cached")

    monkeypatch.setattr(attachments, "inspect", no_reading)
    monkeypatch.setattr(attachments, "file_sha256", no_reading)
    attachments.save_verdicts()
    attachments._caches.clear()  # a new process: the verdicts come from the JSON file
    for name in ("broken_xref", "brotli_stream", "active_content"):
        assert check_attachment(folder, f"{name}.pdf", cache=tmp_path / "cache") is None
    with pytest.raises(AssertionError, match="opened a file"):  # a changed file is read again
        (folder / "active_content.pdf").write_bytes(made["shared_contents"][0].read_bytes())
        check_attachment(folder, "active_content.pdf", cache=tmp_path / "cache")


def test_normalised_copy_comes_from_the_cache(made, monkeypatch):
    source, first = made["broken_xref"]

    def no_work(*args, **kwargs):
        raise AssertionError("normalised again")

    monkeypatch.setattr(normalise, "_make", no_work)
    again = normalise.normalise(source, first.path.parent.parent, label="vedlegg/broken_xref.pdf")
    assert again == first
    assert first.path.name == f"{first.sha256}-n{normalise.NORMALISER}.pdf"


def test_meeting_limits_on_size_and_pages(made, tmp_path, monkeypatch):
    files = [made["active_content"][0], made["shared_contents"][0]]  # 2 + 3 pages
    cache = tmp_path / "cache"
    assert meeting_attachments_problem(tmp_path, files, cache=cache, limits=Limits(megabytes=1, pages=5)) is None
    problem = meeting_attachments_problem(tmp_path, files, cache=cache, limits=Limits(megabytes=1, pages=4))
    assert problem == ("the attachments have 5 pages in all; a meeting's attachments may have at most 4 pages "
                       "(attach summaries or links instead, or set ALU_MAX_ATTACHMENT_PAGES)")
    big = tmp_path / "stor.pdf"
    big.write_bytes(made["active_content"][0].read_bytes() + b"\n%" + b"x" * (2 * 2**20))
    problem = meeting_attachments_problem(tmp_path, [big], cache=cache, limits=Limits(megabytes=1, pages=100))
    assert problem is not None and problem.startswith("the attachments are 2 MB in all; a meeting's attachments "
                                                      "may be at most 1 MB")
    monkeypatch.setenv("ALU_MAX_ATTACHMENTS_MB", "1")
    problem = check_attachment(tmp_path, "stor.pdf", cache=cache)
    assert problem is not None and "at most 1 MB in all" in problem and "ALU_MAX_ATTACHMENTS_MB" in problem


def test_check_command_accepts_a_repaired_file_and_names_a_refused_one(project, made, tools):
    from .test_packet import write_meeting

    broken = made["broken_xref"][0]
    write_meeting(project, {"Reparert": broken})
    code, output = run_cli("check", "2025-10-15")
    assert code == 0, output
    bad = hostile.with_password(project / "laast.pdf")
    write_meeting(project, {"Reparert": broken, "Låst": bad})
    code, output = run_cli("check", "2025-10-15")
    assert code == 2
    assert "cases[0].attachments[1].file: 'vedlegg/laast.pdf': the PDF is protected by a password" in output
    assert "Traceback" not in output
    assert (project / ".alu-work" / "cache" / "attachments" / f"index-n{normalise.NORMALISER}.json").exists()
    assert [p for p in project.rglob(".alu-work")] == [project / ".alu-work"]  # the project's cache, no other


def test_tagged_attachment_keeps_its_structure_tree(tmp_path, tools):
    need("soffice")
    text = tmp_path / "merket.txt"
    text.write_text("Overskrift\n\nLøsningen for økonomi og HR er et tekstdokument.\n", encoding="utf-8")
    export = ('pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},'
              '"UseTaggedPDF":{"type":"boolean","value":"true"}}')
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    export, "--outdir", str(tmp_path), str(text)], capture_output=True, timeout=180, check=True)
    source = tmp_path / "merket.pdf"
    normalised = normalise.normalise(source, tmp_path / "cache", label="merket.pdf")
    assert normalised.tagged
    assert_archival(normalised.path, 1)
    info = subprocess.run(["pdfinfo", str(normalised.path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert "Løsningen for økonomi og HR" in pdftotext(normalised.path)


@pytest.mark.slow
def test_scanned_pages_get_a_norwegian_text_layer(tmp_path, tools):
    need("tesseract")
    source = hostile.scanned(tmp_path / "skannet.pdf", pages=2)
    assert pdftotext(source).strip() == ""
    normalised = normalise.normalise(source, tmp_path / "cache", label="skannet.pdf")
    assert normalised.ocr_pages == 2
    assert_archival(normalised.path, 2)
    text = pdftotext(normalised.path)
    for word in ("Løsningen", "økonomi", "HR"):
        assert word in text, text


@pytest.mark.slow
def test_a_jbig2_scan_is_read_and_gets_a_text_layer(tmp_path, tools):
    """JBIG2 (decoded by jbig2dec, which the Makefile's system step installs) is neither
    "damaged" to check nor lost in the archival copy."""
    need("tesseract")
    need("jbig2dec")
    source = hostile.jbig2_scan(tmp_path / "skannet-jbig2.pdf")
    assert "jbig2" in subprocess.run(["pdfimages", "-list", str(source)], capture_output=True, text=True).stdout
    assert check_attachment(tmp_path, source.name) is None
    normalised = normalise.normalise(source, tmp_path / "cache", label=source.name)
    assert normalised.ocr_pages == 1
    assert_archival(normalised.path, 1)
    text = pdftotext(normalised.path)
    for word in ("Løsningen", "økonomi"):
        assert word in text, text
