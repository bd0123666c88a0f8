"""Fill a Word template: docxtpl with autoescape (a value like "A & B <C>" must not corrupt
the document) and StrictUndefined (a missing value is an error, not an empty cell), the
title, author and language set, and fixed zip dates, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate

from .texts import LANGUAGES

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_TITLE = 255  # characters in a DOCX title


class _CachingEnvironment(jinja2.Environment):
    """docxtpl compiles every XML part on every render; a build renders the same template
    (the case paper) many times, so compiled parts are kept by their source."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source, globals=None, template_class=None):  # type: ignore[no-untyped-def]
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


_JINJA = _CachingEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def render_docx(template: Path, context: dict[str, Any], title: str, *, language: str, author: str,
                day: dt.date) -> bytes:
    """Fill one template; `day` is the document's date in its properties (not the clock)."""
    tpl = DocxTemplate(template)
    tpl.render(context, jinja_env=_JINJA, autoescape=True)
    doc = tpl.docx
    props = doc.core_properties
    stamp = dt.datetime.combine(day, dt.time(0, 0))
    title = title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1] + "…"
    props.title, props.author, props.last_modified_by = title, author, author
    props.language, props.created, props.modified, props.revision = LANGUAGES[language], stamp, stamp, 1
    props.subject, props.keywords, props.comments = "", "", ""
    _set_language(doc, LANGUAGES[language])
    buffer = io.BytesIO()
    tpl.save(buffer)
    return normalise_zip(buffer.getvalue())


def _set_language(doc: Any, tag: str) -> None:
    """w:lang in the style defaults: LibreOffice writes it as the PDF's /Lang."""
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for lang in defaults.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a DOCX zip with fixed entry dates so identical input gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
