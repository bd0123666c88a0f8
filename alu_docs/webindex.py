"""`archive/index.html`: the archive index for a browser, beside `index.pdf`.

Firefox's PDF viewer (pdf.js) does not follow links to local files, so a copied archive
opened in a browser needs an HTML index. This one is made from the same entries as
index.pdf (`index.MeetingEntry`, carried by the `IndexPlan`): the same meetings, newest
first, with the same states, cases and documents. Plain HTML5: the document's language
set, one h1, an h2 per year and an h3 per meeting, no scripts, and links relative to the
archive folder, so a copied or unzipped archive works wherever it is put.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from .names import INDEX
from .texts import ARCHIVE_TEXTS, texts

if TYPE_CHECKING:
    from .index import IndexPlan, MeetingEntry

# The PDF index's colours (index.LINK_COLOUR, index.GREY), readable on screen and paper.
STYLE = """
body { font-family: Carlito, Calibri, "Segoe UI", sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.4; color: #1a1a1a; }
a { color: #0B5CAD; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { margin-bottom: 0.2rem; }
.small, .status, .elsewhere { color: #595959; }
.status, .elsewhere { font-style: italic; margin-top: 0; }
ul.cases { padding-left: 1.2rem; }
""".strip()


def _link(label: str, target: str | None, linkable: Callable[[str], bool]) -> str:
    """A link to an archive-relative file when it is there, else the plain label."""
    if target and linkable(target):
        return f'<a href="{escape(quote(target))}">{escape(label)}</a>'
    return escape(label)


def _meeting(entry: MeetingEntry, documents_label: str, linkable: Callable[[str], bool]) -> list[str]:
    lines = ["<article>", f"<h3>{escape(entry.heading)}</h3>", f'<p class="status">{escape(entry.status)}</p>']
    if entry.docs:
        docs = " · ".join(f'<span class="elsewhere">{escape(d.label)}</span>' if d.elsewhere
                          else _link(d.label, d.target, linkable) for d in entry.docs)
        lines.append(f"<p><strong>{escape(documents_label)}:</strong> {docs}</p>")
    if entry.cases:
        lines += ['<ul class="cases">',
                  *(f"<li>{_link(c.number, c.target, linkable)} {escape(c.title)}</li>" for c in entry.cases),
                  "</ul>"]
    return [*lines, "</article>"]


def render_html(plan: IndexPlan, linkable: Callable[[str], bool]) -> bytes:
    """The index as an HTML page; a document is linked when `linkable(its archive-relative
    path)` is true (the file is in the archive), as in the PDF. Same plan, same bytes."""
    t = {**texts(plan.language), **ARCHIVE_TEXTS[plan.language]}
    committee = plan.context["committee"]
    years = sorted({e.date.year for e in plan.entries}, reverse=True)
    body = [
        "<header>",
        f"<h1>{escape(t['index_title'])}</h1>",
        f"<p>{escape(committee['name'])} ({escape(committee['short'])}), {escape(committee['organisation'])}</p>",
        f'<p class="small">{escape(plan.context["summary"])}</p>',
        f'<p class="small">{escape(t["index_intro"])}</p>',
        f'<p><a href="{INDEX}">{escape(t["index_pdf"])}</a></p>',
        "</header>",
        f'<nav aria-label="{escape(t["years"])}"><ul>',
        *(f'<li><a href="#y{year}">{year}</a></li>' for year in years),
        "</ul></nav>",
        "<main>",
    ]
    for year in years:
        body += [f'<section aria-labelledby="y{year}">', f'<h2 id="y{year}">{year}</h2>']
        for entry in (e for e in plan.entries if e.date.year == year):
            body += _meeting(entry, t["documents"], linkable)
        body.append("</section>")
    body.append("</main>")
    page = [
        "<!DOCTYPE html>", f'<html lang="{escape(plan.language)}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(plan.title)}</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>",
        *body, "</body>", "</html>", "",
    ]
    return "\n".join(page).encode()
