"""Write the Word templates in templates/ (run by `make templates`).

The templates are ordinary DOCX files with docxtpl tags: the secretary may open and
restyle them in Word. This script is the reproducible starting point: A4, Carlito
(metric-compatible with Calibri), nb-NO as document language, page "X av Y" in the
footer, a header that carries the draft mark.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from alu_docs.docxfill import normalise_zip

BLUE = RGBColor(0x00, 0x3A, 0x70)
RED = RGBColor(0xB0, 0x00, 0x20)
PALE_RED = "FBEDEF"
GREY = "D9E2EC"
FONT = "Carlito"


def base_document(section_size: int = 14):
    """A4, Carlito, nb-NO. The document title is Heading 1 (LibreOffice tags it H1 and it
    comes first), its sections Heading 2 (`section_size` pt), their parts Heading 3: heading
    levels never skip, so a screen reader's list of headings is the document's outline."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        defaults.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    lang = defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        defaults.append(lang)
    lang.set(qn("w:val"), "nb-NO")
    lang.set(qn("w:eastAsia"), "nb-NO")
    lang.set(qn("w:bidi"), "ar-SA")

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, before in (("Heading 1", 22, 0), ("Heading 2", section_size, section_size),
                               ("Heading 3", 12, 10)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = BLUE
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
        rpr = style.element.get_or_add_rPr()
        for child in rpr.findall(qn("w:rFonts")):
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
                child.attrib.pop(qn(attr), None)
    styles["Heading 1"].paragraph_format.line_spacing = 1.0
    alert_styles(doc)
    small = styles.add_style("Small", 1)
    small.base_style = normal
    small.font.size = Pt(9)
    small.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    return doc


def alert_styles(doc) -> None:
    """A framed box in the draft mark's red for what a reader must not miss (a revised or
    cancelled notice): "Alert heading" for its first line, "Alert list" for bullet lines.
    Word and LibreOffice draw one frame around consecutive paragraphs with the same border
    and indents, so both styles have the list's indents (text at 0.9 cm, first line 0.3 cm)."""
    styles = doc.styles
    alert = styles.add_style("Alert heading", 1)
    alert.base_style = styles["Normal"]
    alert.font.bold = True
    alert.font.size = Pt(13)
    alert.font.color.rgb = RED
    alert.paragraph_format.space_before = Pt(8)
    alert.paragraph_format.space_after = Pt(2)
    alert.paragraph_format.keep_with_next = True
    items = styles.add_style("Alert list", 1)
    items.base_style = styles["List Bullet"]  # a real list: a screen reader says how many lines
    plain_bullet(doc, styles["List Bullet"])
    items.paragraph_format.space_after = Pt(10)  # after the box: List Bullet has contextual spacing
    for style in (alert, items):
        style.paragraph_format.left_indent = Cm(0.9)
        style.paragraph_format.first_line_indent = Cm(-0.6)
        style.paragraph_format.right_indent = Cm(0.3)
        p_pr = style.element.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        for side in ("top", "left", "bottom", "right"):
            line = OxmlElement(f"w:{side}")
            for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", str(RED))):
                line.set(qn(f"w:{key}"), value)
            borders.append(line)
        shading = OxmlElement("w:shd")
        for key, value in (("val", "clear"), ("color", "auto"), ("fill", PALE_RED)):
            shading.set(qn(f"w:{key}"), value)
        p_pr.append(borders)
        p_pr.append(shading)


def plain_bullet(doc, style) -> None:
    """The style's bullet as "•" in the text font. python-docx's default is U+F0B7 in Symbol,
    which the PDF gives readers as a private-use character instead of a bullet."""
    num_id = style.element.pPr.find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    level = abstract.find(qn("w:lvl"))
    level.find(qn("w:lvlText")).set(qn("w:val"), "\u2022")
    fonts = level.find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), FONT)


def field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that LibreOffice fills in when it lays out the page."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
        if kind == "end":
            break
        run = paragraph.add_run()


def header_footer(doc) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.style = doc.styles["Small"]
    head.add_run("{{ header_left }}")
    head.add_run("\t")
    mark = head.add_run("{% if draft %}{{ t.draft }}{% endif %}")
    mark.bold = True
    mark.font.color.rgb = RED
    head.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), alignment=2)  # right
    foot = section.footer.paragraphs[0]
    foot.style = doc.styles["Small"]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("{{ t.page }} ")
    field(foot, "PAGE")
    foot.add_run(" {{ t.of }} ")
    field(foot, "NUMPAGES")


def shade(cell, color: str = GREY) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    tc_pr.append(shd)


def keep_rows_whole(table) -> None:
    """A row is never split over two pages (w:cantSplit)."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        element = OxmlElement("w:cantSplit")
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def loop_table(doc, headers: list[str], cells: list[str], loop: str, widths: list[float]):
    """A table: a shaded header row, then one row per item of `loop` ('row in agenda')."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for i, text in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        shade(cell)
    repeat_header(table.rows[0])
    table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for i, text in enumerate(cells):
        table.rows[2].cells[i].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    set_widths(table, widths)
    keep_rows_whole(table)
    return table


def facts_table(doc, rows: list[tuple[str, str]]):
    table = doc.add_table(rows=len(rows), cols=2)
    for (label, value), row in zip(rows, table.rows, strict=True):
        row.cells[0].text = ""
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].text = value
    set_widths(table, [4.0, 12.4])
    keep_rows_whole(table)
    return table


def set_widths(table, widths: list[float]) -> None:
    """Column widths in the table grid (LibreOffice reads the grid, not the cells)."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(Cm(width).twips))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def tag(doc, text: str) -> None:
    """A paragraph that holds only a docxtpl paragraph tag ({%p … %})."""
    doc.add_paragraph(text)


def paragraphs(doc, var: str, style: str | None = None) -> None:
    tag(doc, f"{{%p for para in {var} %}}")
    doc.add_paragraph("{{ para }}", style=style)
    tag(doc, "{%p endfor %}")


def notice():
    doc = base_document()
    header_footer(doc)
    doc.add_paragraph("{{ t.notice }}", style="Heading 1")
    doc.add_paragraph("{{ committee.name }} ({{ committee.short }}) – {{ t.meeting_no }} {{ meeting.number }}")
    tag(doc, "{%p if cancelled %}")
    doc.add_paragraph("{{ cancelled }}", style="Alert heading")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if revision %}")
    doc.add_paragraph("{{ revision.heading }}", style="Alert heading")
    tag(doc, "{%p for line in revision.changes %}")
    doc.add_paragraph("{{ line }}", style="Alert list")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    facts_table(doc, [
        ("{{ t.date }}", "{{ meeting.long_date }}"),
        ("{{ t.start }}", "{{ meeting.start }}"),
        ("{{ t.end }}", "{{ meeting.end }}"),
        ("{{ t.place }}", "{{ meeting.place }}"),
        ("{{ t.chair }}", "{{ meeting.chair }}"),
        ("{{ t.secretary }}", "{{ meeting.secretary }}"),
    ])
    doc.add_paragraph("{{ t.to }}", style="Heading 2")
    p = doc.add_paragraph()
    p.add_run("{{ t.members }}: ").bold = True
    p.add_run("{{ recipients.members }}")
    tag(doc, "{%p if recipients.observers %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.observers }}: ").bold = True
    p.add_run("{{ recipients.observers }}")
    tag(doc, "{%p endif %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.copy_to }}: ").bold = True
    p.add_run("{{ recipients.cc }}")
    doc.add_paragraph("{{ t.apologies }}").runs[0].italic = True

    doc.add_paragraph("{{ t.agenda }}", style="Heading 2")
    loop_table(
        doc,
        ["{{ t.col_case }}", "{{ t.col_title }}", "{{ t.col_type }}", "{{ t.col_presenter }}",
         "{{ t.col_time }}", "{{ t.col_exempt }}"],
        ["{{ row.number }}", "{{ row.title }}", "{{ row.code }}", "{{ row.presenter }}",
         "{{ row.time }}", "{{ row.exempt }}"],
        "row in agenda",
        [1.6, 6.1, 1.2, 3.3, 1.3, 2.9],
    )
    doc.add_paragraph("{{ t.type_legend }}", style="Small")
    tag(doc, "{%p if followups %}")
    doc.add_paragraph("{{ t.followups }}", style="Heading 2")
    loop_table(
        doc,
        ["{{ t.col_from }}", "{{ t.col_case }}", "{{ t.col_task }}", "{{ t.col_owner }}", "{{ t.col_due }}"],
        ["{{ f.meeting }}", "{{ f.case }}", "{{ f.task }}", "{{ f.owner }}", "{{ f.due }}"],
        "f in followups",
        [2.0, 1.8, 7.0, 3.4, 2.2],
    )
    tag(doc, "{%p endif %}")
    return doc


def minutes():
    doc = base_document(section_size=12)  # many case headings, each a line at 12 pt
    header_footer(doc)
    doc.add_paragraph("{{ t.minutes }}{% if draft %} – {{ t.draft_note }}{% endif %}", style="Heading 1")
    doc.add_paragraph("{{ committee.name }} ({{ committee.short }}) – {{ t.meeting_no }} {{ meeting.number }}")
    facts_table(doc, [
        ("{{ t.date }}", "{{ meeting.long_date }}, {{ t.clock }} {{ meeting.start }}–{{ meeting.end }}"),
        ("{{ t.place }}", "{{ meeting.place }}"),
        ("{{ t.chair }}", "{{ meeting.chair }}"),
    ])
    doc.add_paragraph()
    table = doc.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "{%tr for row in attendance %}"
    table.rows[1].cells[0].text = ""
    table.rows[1].cells[0].paragraphs[0].add_run("{{ row.label }}").bold = True
    table.rows[1].cells[1].text = "{{ row.text }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    set_widths(table, [4.0, 12.4])

    tag(doc, "{%p for item in items %}")
    doc.add_paragraph("{{ item.heading }}", style="Heading 2")
    tag(doc, "{%p for para in item.paragraphs %}")
    doc.add_paragraph("{{ para }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if item.conclusion %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.conclusion }}: ").bold = True
    p.add_run("{{ item.conclusion }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for a in item.actions %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.followup }}: ").bold = True
    p.add_run("{{ a.task }} ")
    p.add_run("{{ t.owner }}: ").bold = True
    p.add_run("{{ a.owner }}{% if a.due %}. {% endif %}")
    p.add_run("{% if a.due %}{{ t.due }}: {% endif %}").bold = True
    p.add_run("{{ a.due }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p if followups %}")
    doc.add_paragraph("{{ t.followups }}", style="Heading 2")
    loop_table(
        doc,
        ["{{ t.col_from }}", "{{ t.col_case }}", "{{ t.col_task }}", "{{ t.col_owner }}", "{{ t.col_due }}"],
        ["{{ f.meeting }}", "{{ f.case }}", "{{ f.task }}", "{{ f.owner }}", "{{ f.due }}"],
        "f in followups",
        [2.0, 1.8, 7.0, 3.4, 2.2],
    )
    tag(doc, "{%p endif %}")
    return doc


def case_paper():
    doc = base_document()
    header_footer(doc)
    doc.add_paragraph("{{ t.case_paper }}", style="Heading 1")
    facts_table(doc, [
        ("{{ t.committee }}", "{{ committee.name }} ({{ committee.short }})"),
        ("{{ t.date }}", "{{ meeting.long_date }}"),
        ("{{ t.case_no }}", "{{ case.number }}"),
        ("{{ t.presenter }}", "{{ case.presenter }}"),
        ("{{ t.duration }}", "{{ case.duration }} {{ t.minutes_unit }}"),
        ("{{ t.col_type }}", "{{ case.type_name }}"),
    ])
    tag(doc, "{%p if case.exempt %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.exempt }}: {{ case.exempt }}").bold = True
    tag(doc, "{%p endif %}")
    doc.add_paragraph("{{ case.title }}", style="Heading 2")
    doc.add_paragraph("{{ t.summary }}", style="Heading 3")
    paragraphs(doc, "case.summary")
    tag(doc, "{%p if case.assessment %}")
    doc.add_paragraph("{{ t.assessment }}", style="Heading 3")
    paragraphs(doc, "case.assessment")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if case.proposal %}")
    doc.add_paragraph("{{ t.proposal }}", style="Heading 3")
    paragraphs(doc, "case.proposal")
    tag(doc, "{%p endif %}")
    doc.add_paragraph("{{ t.attachments }}", style="Heading 3")
    tag(doc, "{%p for a in case.attachments %}")
    doc.add_paragraph("{{ loop.index }}. {{ a }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not case.attachments %}")
    doc.add_paragraph("{{ t.no_attachments }}")
    tag(doc, "{%p endif %}")
    return doc


def archive_index():
    """archive/index.pdf: every meeting, newest first, grouped by year (Heading 2 = a bookmark
    per year, Heading 3 = one per meeting, under the title's Heading 1). Links are added to the PDF afterwards by
    alu_docs.index, which finds each link text in the PDF: keep the order heading, status,
    documents, cases when restyling."""
    doc = base_document()
    header_footer(doc)
    grey = RGBColor(0x44, 0x44, 0x44)
    doc.add_paragraph("{{ t.index_title }}", style="Heading 1")
    doc.add_paragraph("{{ committee.name }} ({{ committee.short }}), {{ committee.organisation }}")
    doc.add_paragraph("{{ summary }}", style="Small")
    doc.add_paragraph("{{ t.index_intro }}", style="Small")
    tag(doc, "{%p for year in years %}")
    doc.add_paragraph("{{ year.year }}", style="Heading 2")
    tag(doc, "{%p for m in year.meetings %}")
    doc.add_paragraph("{{ m.heading }}", style="Heading 3")
    status = doc.add_paragraph().add_run("{{ m.status }}")
    status.italic = True
    status.font.color.rgb = grey
    tag(doc, "{%p if m.docs %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.documents }}: ").bold = True
    p.add_run("{{r m.docs }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if m.cases %}")
    table = doc.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.rows[0].cells[0].text = "{%tr for c in m.cases %}"
    table.rows[1].cells[0].text = ""
    table.rows[1].cells[0].paragraphs[0].add_run("{{r c.number }}")
    table.rows[1].cells[1].text = "{{r c.title }}"
    for cell in table.rows[1].cells:
        cell.paragraphs[0].paragraph_format.space_after = Pt(2)
    table.rows[2].cells[0].text = "{%tr endfor %}"
    set_widths(table, [3.0, 13.4])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    return doc


def meeting_plan():
    """The meeting plan (alu-docs plan): facts, then one table of dates per term."""
    doc = base_document()
    header_footer(doc)
    cell_text = doc.styles.add_style("Table text", 1)
    cell_text.base_style = doc.styles["Normal"]
    cell_text.font.size = Pt(10)
    cell_text.paragraph_format.space_after = Pt(0)
    cell_text.paragraph_format.line_spacing = 1.0
    doc.add_paragraph("{{ plan.title }}", style="Heading 1")
    doc.add_paragraph("{{ committee.name }} ({{ committee.short }}) – {{ committee.organisation }}")
    facts_table(doc, [
        ("{{ t.plan_period }}", "{{ plan.period }}"),
        ("{{ t.plan_rhythm }}", "{{ plan.rhythm }}"),
        ("{{ t.plan_time }}", "{{ plan.time }}"),
        ("{{ t.place }}", "{{ plan.place }}"),
        ("{{ t.chair }}", "{{ plan.chair }}"),
        ("{{ t.secretary }}", "{{ plan.secretary }}"),
    ])
    tag(doc, "{%p for term in terms %}")
    doc.add_paragraph("{{ term.heading }}", style="Heading 2")
    table = loop_table(
        doc,
        ["{{ t.col_date }}", "{{ t.col_hours }}", "{{ t.col_place }}", "{{ t.col_cases }}", "{{ t.col_status }}"],
        ["{{ row.date }}", "{{ row.time }}", "{{ row.place }}", "{{ row.cases }}", "{{ row.status }}"],
        "row in term.rows",
        [4.5, 2.3, 3.0, 4.8, 1.8],
    )
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.style = cell_text
    tag(doc, "{%p if term.skipped %}")
    p = doc.add_paragraph(style="Small")
    p.paragraph_format.space_before = Pt(4)
    p.add_run("{{ t.plan_skipped }}: ").bold = True
    p.add_run("{{ term.skipped }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    note = doc.add_paragraph("{{ plan.note }}", style="Small")
    note.paragraph_format.space_before = Pt(12)
    doc.add_paragraph("{{ plan.as_of }}", style="Small")
    return doc


def slim(doc) -> None:
    """Drop what python-docx's default template carries and nothing here uses: the legacy
    stylesWithEffects part (440 kB), the thumbnail, the latent-style list and the styles
    no paragraph, run or table refers to. Every render parses and zips the template and
    LibreOffice reads it: a 10 kB styles part instead of 790 kB makes each document faster."""
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/webSettings")):
            doc.part.drop_rel(rel_id)
    for rel_id, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            doc.part.package.rels.pop(rel_id)
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    used = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}
    parts = [doc.element, *(p._element for s in doc.sections for p in (s.header, s.footer))]
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used.update(e.get(qn("w:val")) for e in part.iter(qn(tag)))
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    pending = list(used)
    while pending:  # keep what the used styles are based on or linked to
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in used:
                used.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in used:
            styles.remove(style)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, build in (("innkalling", notice), ("referat", minutes), ("saksframlegg", case_paper),
                        ("indeks", archive_index), ("moteplan", meeting_plan)):
        doc = build()
        slim(doc)
        buffer = io.BytesIO()
        doc.save(buffer)
        (out / f"{name}.docx").write_bytes(normalise_zip(buffer.getvalue()))  # same script, same bytes
        print(f"wrote {out / f'{name}.docx'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("templates"))
