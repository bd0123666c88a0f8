"""Issued records: what a build has issued, and how a later build issues it again.

A document is *issued* when a build (`alu-docs build`, `build --all`, `approve`, `move`)
files it into archive/, the public record: the notice, each case paper and the packet.
Draft minutes are not issued (rebuilt until approved, then never changed); the internal
edition is a working copy, rebuilt every time; `watch` writes drafts elsewhere. From then on:

- a later build that makes the same document with the same content (its text, whatever the
  template's styling or alu-docs' version) leaves the issued file alone, byte for byte;
- when the content changes, the issued file stays beside the new one as a superseded
  version (`…-innkalling-v1.pdf`, `superseded: true` in the manifest), and the new file is
  the current one with the next `version` and `issued: <day>`; a revised notice says
  "Revidert innkalling <day>" and lists what changed since the previous issue, computed
  from snapshots of what each issued notice stated;
- no build deletes an issued or superseded file, and an issued case never leaves the YAML:
  it is withdrawn (`withdrawn: <reason>`).

The manifest's meeting record keeps `documents` ({document: version, content, issued, file,
case}) and `issues` (each issued notice: version, day, snapshot, changes).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from lxml import etree

from . import names
from .archive import Manifest, Transaction, file_sha256, sha256
from .load import display_path
from .names import CASE, NOTICE, PACKET, DocKey
from .render import presenter_label
from .texts import cancelled_note, clock, short_date, texts

if TYPE_CHECKING:
    from .context import Context
    from .model import Meeting
    from .render import RenderedDoc

ISSUED_KINDS = (NOTICE, CASE, PACKET)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_TOLERANT = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster than pure Python


def is_issued(key: DocKey) -> bool:
    """Whether a build issues this document (public notice, case paper, packet)."""
    return key.edition == "public" and key.kind in ISSUED_KINDS and key.version is None


def docx_content(docx: bytes) -> str:
    """sha256 of what a reader sees in a DOCX: the text of its paragraphs. Styling, the
    template's other parts and the zip's bytes do not count."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zipped:
        root = etree.fromstring(zipped.read("word/document.xml"))
    lines = ["".join((node.text or "") if node.tag == f"{_W}t" else " "
                     for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br")) for p in root.iter(f"{_W}p")]
    return sha256("\n".join(lines).encode())


# --- what an issued notice states, and what changed -------------------------------------------


def snapshot(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    """The facts of the public notice: date, times, place, cancellation, and per case its
    number, public title, type, presenter, position and whether it is withdrawn (nothing of a
    confidential case but its number and legal basis)."""
    cases = []
    for case in meeting.cases:
        hidden = bool(case.confidential)
        cases.append({"number": ctx.case_number(meeting, case), "title": ctx.public_title(case),
                      "type": "" if hidden else case.code, "presenter": "" if hidden else presenter_label(case),
                      "position": case.position, "withdrawn": bool(case.withdrawn)})
    return {"date": meeting.date.isoformat(), "start": clock(meeting.start), "end": clock(meeting.end),
            "place": meeting.place or "", "cancelled": meeting.cancelled, "cases": cases}


def changes(old: dict[str, Any] | None, new: dict[str, Any], language: str) -> list[str]:
    """What changed between two issued notices, one line each ("Ny sak 6/25 …", "Sak 3/25
    trukket", "Møtestart endret fra 09.00 til 10.00"); [] when none of these facts changed."""
    if old is None:
        return []
    t = texts(language)
    lines = []
    if old["date"] != new["date"]:
        lines.append(t["change_moved"].format(old=short_date(dt.date.fromisoformat(old["date"])),
                                              new=short_date(dt.date.fromisoformat(new["date"]))))
    if new["cancelled"] is not None and new["cancelled"] != old.get("cancelled"):
        lines.append(t["change_cancelled"].format(reason=new["cancelled"]) if new["cancelled"]
                     else cancelled_note(None, language))
    elif old.get("cancelled") is not None and new["cancelled"] is None:
        lines.append(t["change_held"])
    for name in ("start", "end", "place"):
        if old[name] != new[name]:
            lines.append(t[f"change_{name}"].format(old=old[name] or "–", new=new[name] or "–"))
    before = {c["number"]: c for c in old["cases"]}
    after = {c["number"]: c for c in new["cases"]}
    for number, case in after.items():
        was = before.get(number)
        if was is None:
            lines.append(t["change_new_case"].format(number=number, title=case["title"]))
            continue
        if case["withdrawn"] != was["withdrawn"]:
            lines.append(t["change_withdrawn" if case["withdrawn"] else "change_restored"].format(number=number))
        if case["title"] != was["title"]:
            lines.append(t["change_title"].format(number=number, title=case["title"]))
        if case["type"] != was["type"] and case["type"] and was["type"]:
            lines.append(t["change_type"].format(number=number, old=was["type"], new=case["type"]))
        if case["presenter"] != was["presenter"] and case["presenter"]:
            lines.append(t["change_presenter"].format(number=number, presenter=case["presenter"]))
    lines += [t["change_removed"].format(number=number) for number in before if number not in after]
    if [n for n in before if n in after] != [n for n in after if n in before]:
        lines.append(t["change_order"])
    return lines


# --- the issued state of a meeting ------------------------------------------------------------


@dataclass
class Issued:
    """What the archive has issued of one meeting: `documents` and `issues` of its manifest
    record (during `alu-docs move`, the record still under the old date)."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, manifest: Manifest, meeting: Meeting) -> Issued:
        date = meeting.date.isoformat()
        record = manifest.meetings.get(date, {})
        if "documents" in record:
            return cls(record["documents"], record.get("issues", []))
        if meeting.moved_from:  # a move under way: the record is still under the old date
            old = meeting.moved_from[-1].isoformat()
            earlier = manifest.meetings.get(old, {})
            if "documents" in earlier and not earlier.get("moved_to"):
                return cls(earlier["documents"], earlier.get("issues", []))
        return cls(_found_in_files(manifest, date))

    @property
    def snapshot(self) -> dict[str, Any] | None:
        return self.issues[-1]["snapshot"] if self.issues else None

    def current_revision(self, language: str) -> dict[str, Any] | None:
        """The revision mark of the current issued notice (None for a first issue), to render
        it again the same way (the internal edition, a restored file)."""
        if not self.issues or self.issues[-1]["version"] == 1:
            return None
        last = self.issues[-1]
        return {"heading": texts(language)["revised"].format(date=short_date(dt.date.fromisoformat(last["on"]))),
                "changes": list(last["changes"])}

    def state(self) -> str:
        """A fingerprint, to notice a build that issued meanwhile."""
        return sha256(json.dumps([self.documents, self.issues], sort_keys=True).encode())


def _found_in_files(manifest: Manifest, date: str) -> dict[str, dict[str, Any]]:
    """The issued documents of an archive built before records were kept: the current public
    notice, case papers and packet, their content read from the archived DOCX."""
    documents = {}
    for relative, entry in manifest.files.items():
        parsed = names.parse(relative)
        if entry.get("meeting") != date or not relative.endswith(".pdf") or entry.get("superseded") \
                or parsed is None or not is_issued(parsed.key):
            continue
        docx = manifest.root / relative.removesuffix(".pdf")
        docx = docx.with_name(docx.name + ".docx")
        content = docx_content(docx.read_bytes()) if parsed.key.kind != PACKET and docx.is_file() else None
        documents[parsed.key.document] = {"version": entry.get("version", 1), "content": content,
                                          "issued": entry.get("issued"), "file": relative, "case": parsed.key.case}
    return documents


def removed_cases(meetings_dir: Path, manifest: Manifest, dates: list[str] | None = None,
                  restored: dict[str, dict[int, int]] | None = None) -> list[str]:
    """An issued case gone from its meeting.yaml (an empty `cases:` included): one line each,
    naming the file and the number, telling to withdraw it instead. The YAML is read as typed,
    so this is said even when the file has other problems (a guest of the deleted case).
    A case whose number `restored` gives back (see lost_numbers) is not gone."""
    problems = []
    for date in _dates(manifest, dates):
        was = _issued_cases(manifest, date)
        path = meetings_dir / date / "meeting.yaml"
        numbers = _typed_numbers(path) if was else None
        if numbers is None:  # nothing issued, or no file to read (moved, gone: see `orphaned`)
            continue
        numbers |= set((restored or {}).get(date, {}).values())
        issues = manifest.meetings.get(date, {}).get("issues")
        where = f"in the notice of {short_date(dt.date.fromisoformat(issues[-1]['on']))}" if issues else \
            "in the archive"
        problems += [f"{display_path(path)}: cases: case {label} {title!r} was issued {where} and is gone from the "
                     f"file; an issued case cannot be removed: put it back (with number: {number}) and withdraw it "
                     "with `withdrawn: <reason>`"
                     for number, (label, title) in sorted(was.items()) if number not in numbers]
    return problems


def lost_numbers(meetings_dir: Path, manifest: Manifest, dates: list[str] | None = None) -> dict[str, dict[int, int]]:
    """Issued cases still in meeting.yaml under their issued title but without the `number:`
    the build wrote back (the file restored from git, or edited in another clone): the number
    they keep, as {date: {position on the agenda: number}}. A title that is not one unnumbered
    case's exactly is left alone (removed_cases names the case instead)."""
    found: dict[str, dict[int, int]] = {}
    for date in _dates(manifest, dates):
        was = _issued_cases(manifest, date)
        cases = _typed_cases(meetings_dir / date / "meeting.yaml") if was else None
        if not cases:
            continue
        numbers = {c["number"] for c in cases if isinstance(c, dict) and isinstance(c.get("number"), int)}
        unnumbered: dict[str, list[int]] = {}
        for index, case in enumerate(cases):
            if isinstance(case, dict) and case.get("number") is None and isinstance(case.get("title"), str):
                unnumbered.setdefault(unicodedata.normalize("NFC", case["title"].strip()), []).append(index + 1)
        for number, (_, title) in was.items():
            places = unnumbered.get(unicodedata.normalize("NFC", title.strip())) if title else None
            if number not in numbers and places and len(places) == 1:
                found.setdefault(date, {})[places[0]] = number
    return found


def _dates(manifest: Manifest, dates: list[str] | None) -> list[str]:
    """`dates`, or every date the manifest has issued documents or records for."""
    return sorted(dates if dates is not None else {e["meeting"] for e in manifest.files.values() if e.get("meeting")}
                  | set(manifest.meetings))


def _issued_cases(manifest: Manifest, date: str) -> dict[int, tuple[str, str]]:
    """{number: (label, public title)} of the cases issued for `date` (its last notice, and
    every case paper issued)."""
    record = manifest.meetings.get(date, {})
    if record.get("moved_to"):
        return {}
    cases = (record.get("issues") or [{}])[-1].get("snapshot", {}).get("cases", [])
    found = {int(c["number"].split("/")[0]): (c["number"], c["title"]) for c in cases}
    year = next(iter(found.values()))[0].split("/")[1] if found else date[2:4]
    papers = [d.get("case") for d in record.get("documents", {}).values()]
    papers += [p.key.case for r, e in manifest.files.items() if e.get("meeting") == date and not e.get("superseded")
               and r.endswith(".pdf") and (p := names.parse(r)) is not None and is_issued(p.key)]  # a DOCX alone
    # (LibreOffice missing) was never issued
    for number in papers:
        if number is not None:
            found.setdefault(number, (f"{number}/{year}", ""))
    return found


def typed_yaml(path: Path) -> Any:
    """meeting.yaml as typed, read tolerantly (None when it cannot be read: its own problems
    are reported when it is loaded), once per version of the file. Not to be changed."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _read_yaml(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _read_yaml(path: Path, size: int, mtime_ns: int) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_TOLERANT)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def _typed_cases(path: Path) -> list[Any] | None:
    """The `cases:` list of meeting.yaml as typed ([] when empty); None when it cannot be read."""
    data = typed_yaml(path)
    cases = data.get("cases") if isinstance(data, dict) else None
    return (cases or []) if isinstance(cases, list | None) else None


def _typed_numbers(path: Path) -> set[int] | None:
    """The case numbers meeting.yaml holds as typed; None when it cannot be read."""
    cases = _typed_cases(path)
    return None if cases is None else {c["number"] for c in cases if isinstance(c, dict)
                                       and isinstance(c.get("number"), int)}


def orphaned(manifest: Manifest, meetings: list[Meeting], meetings_label: str) -> list[str]:
    """Issued documents of a date whose meeting folder is gone (renamed by hand, deleted):
    the archive would keep them unindexed."""
    dates = {m.date.isoformat() for m in meetings}
    problems = []
    for relative, entry in sorted(manifest.files.items()):
        date = entry.get("meeting")
        if not date or date in dates or entry.get("superseded") or not entry.get("issued"):
            continue
        if manifest.meetings.get(date, {}).get("moved_to"):
            continue
        problems.append(f"{manifest.root.name}/{relative}: issued for the meeting of {date}, but "
                        f"{meetings_label}/{date}/ is gone; put the folder back (a meeting is moved with "
                        f"alu-docs move {date} NEW-DATE, cancelled with cancelled: <reason>)")
    return problems


# --- what a build issues -----------------------------------------------------------------------


@dataclass
class Decision:
    """One issued document a build writes: its content, and the issue it replaces (None: the
    first). `restore`: the issued file is missing or damaged on disk and is written again
    with the same content, version and issue day."""

    key: DocKey
    content: str
    earlier: dict[str, Any] | None
    restore: bool = False

    @property
    def version(self) -> int:
        if self.earlier is None:
            return 1
        return self.earlier["version"] + (0 if self.restore else 1)


@dataclass
class Settlement:
    """What a build does with a meeting's issued documents."""

    decisions: dict[DocKey, Decision]  # written now: first issues and revisions
    kept: set[DocKey]  # issued before with the same content: left as they are
    snapshot: dict[str, Any]
    revision: dict[str, Any] | None  # the revised notice's {"heading", "changes"}


def settle(ctx: Context, meeting: Meeting, docs: list[RenderedDoc], attachments: list[str],
           issued: Issued, today: dt.date, intact: Callable[[DocKey], bool]) -> Settlement:
    """Compare the documents a build made (rendered without a revision mark) with what was
    issued: unchanged ones are kept (restored when their file is not `intact`), changed ones
    revised, new ones issued. `attachments`: the sha256 of what the public packet attaches."""
    short = ctx.committee.short
    contents = {d.key: docx_content(d.docx) for d in docs if is_issued(d.key)}
    notice = ctx.key(meeting, NOTICE)
    if notice in contents:
        parts = [contents[k] for k in sorted(contents, key=lambda k: k.document)] + attachments
        contents[ctx.key(meeting, PACKET)] = sha256(json.dumps(parts).encode())
    decisions: dict[DocKey, Decision] = {}
    kept: set[DocKey] = set()
    for key in sorted(contents, key=lambda k: k.kind == PACKET):  # the packet after its parts
        earlier = issued.documents.get(key.document)
        same_place = earlier is not None and earlier["file"] == key.relative(short)
        unchanged = same_place and (earlier["content"] == contents[key] or (
            earlier["content"] is None and key.kind == PACKET and all(d.restore for d in decisions.values())))
        if unchanged and intact(key):
            kept.add(key)
        elif unchanged:
            decisions[key] = Decision(key, contents[key], earlier, restore=True)
        else:
            decisions[key] = Decision(key, contents[key], earlier)
    now = snapshot(ctx, meeting)
    revision = None  # the notice is revised now
    if notice in decisions and decisions[notice].earlier is not None:
        t = texts(ctx.committee.language)
        revision = {"heading": t["revised"].format(date=short_date(today)),
                    "changes": changes(issued.snapshot, now, ctx.committee.language) or [t["change_other"]]}
    return Settlement(decisions, kept, now, revision)


def write_issued(tx: Transaction, decision: Decision, short: str, suffix: str, data: bytes, today: dt.date) -> str:
    """Write one issued file in `tx`. A revision at the same place keeps the earlier issue
    beside it first, as `…-vN` with `superseded: true`."""
    key = decision.key
    relative = key.relative(short, suffix)
    date = key.date.isoformat()
    earlier = decision.earlier
    if decision.restore and earlier:
        return tx.write(relative, data, meeting=date, version=earlier["version"], issued=earlier["issued"] or
                        today.isoformat(), content=decision.content)
    if earlier and earlier["file"] == key.relative(short) and tx.exists(relative):
        old = tx.manifest.files.get(relative, {})
        version = old.get("version", earlier["version"])
        facts = {name: old[name] for name in ("issued", "content") if name in old}
        tx.write(key.as_version(version).relative(short, suffix), tx.read(relative), meeting=date,
                 **facts, version=version, superseded=True, replaced=today.isoformat())
    return tx.write(relative, data, meeting=date, version=decision.version, issued=today.isoformat(),
                    content=decision.content)


def record_issue(manifest: Manifest, meeting: Meeting, settlement: Settlement, issued: Issued, short: str,
                 today: dt.date) -> None:
    """Keep in the meeting's record what this build issued: each document's version and
    content, and for a notice the snapshot of what it states and the changes it lists. (An
    archive from before records were kept starts from what its files show.)"""
    record = manifest.meeting(meeting.date)
    documents = record.setdefault("documents", dict(issued.documents))
    for key, decision in settlement.decisions.items():
        if decision.restore:
            continue
        documents[key.document] = {"version": decision.version, "content": decision.content,
                                   "issued": today.isoformat(), "file": key.relative(short), "case": key.case}
    notice = next((d for k, d in settlement.decisions.items() if k.kind == NOTICE and not d.restore), None)
    if notice is not None:
        record.setdefault("issues", []).append({
            "version": notice.version, "on": today.isoformat(), "snapshot": settlement.snapshot,
            "changes": (settlement.revision or {}).get("changes", [])})
        if notice.version > 1:
            manifest.note("notice revised", meeting=meeting.date.isoformat(), version=notice.version)


def move_record(manifest: Manifest, old: dt.date, new: dt.date, today: dt.date) -> list[str]:
    """A meeting moved from `old` to `new` (alu-docs move): its issued files stay under the old
    date, superseded and marked `moved_to`; its record (issued documents and notices) goes to
    the new date. Returns the old date's files that were never issued (draft minutes): the
    caller removes them."""
    drop = []
    for relative, entry in manifest.files.items():
        if entry.get("meeting") != old.isoformat() or entry.get("kind"):
            continue
        if entry.get("issued") and not entry.get("superseded"):
            entry.update(superseded=True, replaced=today.isoformat(), moved_to=new.isoformat())
        elif not (entry.get("superseded") or entry.get("imported")):
            drop.append(relative)
    record = manifest.meetings.pop(old.isoformat(), {})
    manifest.meetings[new.isoformat()] = {**{k: v for k, v in record.items() if k in ("documents", "issues")},
                                          "moved_from": old.isoformat()}
    manifest.meetings[old.isoformat()] = {"moved_to": new.isoformat()}
    manifest.note("meeting moved", meeting=new.isoformat(), moved_from=old.isoformat())
    return drop


def latest_changes(manifest: Manifest, date: dt.date) -> list[str]:
    """The change lines of the meeting's current notice ([] for a first issue): what a
    revised notice's e-mail lists."""
    issues = manifest.meetings.get(date.isoformat(), {}).get("issues", [])
    return list(issues[-1]["changes"]) if issues else []


def intact(manifest: Manifest, short: str) -> Callable[[DocKey], bool]:
    """Whether an issued document's files (PDF, and DOCX but for the packet) are on disk with
    the sha256 the manifest records: only then is it kept as it is."""

    def check(key: DocKey) -> bool:
        for suffix in (".pdf",) if key.kind == PACKET else (".pdf", ".docx"):
            relative = key.relative(short, suffix)
            entry = manifest.files.get(relative)
            path = manifest.root / relative
            if not entry or not path.is_file() or file_sha256(path) != entry["sha256"]:
                return False
        return True

    return check
