"""Fill a Word template: docxtpl with autoescape (a value like "A & B <C>" must not corrupt
the document) and StrictUndefined (a missing value is an error, not an empty cell), the
title, author and language set, and fixed zip dates, so the same input gives the same bytes.

Since the same input gives the same bytes, a DOCX is kept in the project's cache
(`cache/docx/`, by the sha256 of the template, the context and this code): a rebuild after
a one-case edit fills only the documents that show the edit. docxtpl (with jinja2 and
python-docx, ~0.2 s to import) is imported only when a template is filled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from . import cachefile
from .archive import file_sha256
from .texts import LANGUAGES

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_TITLE = 255  # characters in a DOCX title
CACHE_LIMIT = 400  # DOCX files kept in cache/docx/; the least recently used go first


@functools.cache
def _jinja() -> Any:
    """The jinja2 environment, made on first use. docxtpl compiles every XML part on every
    render; a build renders the same template (the case paper) many times, so compiled parts
    are kept by their source."""
    import jinja2

    class CachingEnvironment(jinja2.Environment):
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

    return CachingEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


@functools.cache
def _code_facts() -> str:
    """This file and the installed docxtpl, python-docx and jinja2 (an upgrade changes the bytes)."""
    facts = [file_sha256(Path(__file__))]
    for package in ("docxtpl", "docx", "jinja2"):
        spec = importlib.util.find_spec(package)
        with contextlib.suppress(OSError, TypeError):
            stat = Path(spec.origin).stat()  # type: ignore[union-attr, arg-type]
            facts.append(f"{package}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(facts)


def _plain(value: Any) -> Any:
    """JSON for what a context holds besides plain values: dates, times, docxtpl's RichText
    (by its XML). Anything else raises TypeError: that document is not cached."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    xml = getattr(value, "xml", None)
    if type(value).__name__ == "RichText" and isinstance(xml, str):
        return {"RichText": xml}
    raise TypeError(f"not cached: {type(value).__name__}")


def _cache_entry(cache: Path, template: Path, context: dict[str, Any], *facts: str) -> Path | None:
    try:
        text = json.dumps([_code_facts(), *facts, context], default=_plain, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(template.read_bytes() + text.encode()).hexdigest()
    except (TypeError, ValueError, OSError):
        return None
    return cache / "docx" / f"{digest}.docx"


def render_docx(template: Path, context: dict[str, Any], title: str, *, language: str, author: str,
                day: dt.date, cache: Path | None = None) -> bytes:
    """Fill one template; `day` is the document's date in its properties (not the clock).
    With `cache` (the project's .alu-work/cache/), the same input is filled only once."""
    entry = _cache_entry(cache, template, context, title, language, author, day.isoformat()) if cache else None
    kept = cachefile.find(entry) if entry is not None else None
    if kept is not None:
        return kept
    data = _fill(template, context, title, language=language, author=author, day=day)
    if entry is not None:
        cachefile.keep(entry, data, CACHE_LIMIT)
    return data


def _fill(template: Path, context: dict[str, Any], title: str, *, language: str, author: str,
          day: dt.date) -> bytes:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(template)
    tpl.render(context, jinja_env=_jinja(), autoescape=True)
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
