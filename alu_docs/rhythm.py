"""The committee's rhythm: its weekday and cadence, Norwegian public holidays and the breaks.

`alu-docs plan` proposes dates from these rules (`next_free`, `term_window`);
`alu-docs check` warns about a meeting that breaks them (`rhythm_warnings`) and, when a
likely intended date fits the rhythm, names it (the committee page's "17.2.25" was
17.12.25: three weeks after 26.11.25, a Wednesday like the others).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from dateutil.easter import easter

from .load import display_path
from .model import Committee, Meeting

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# The breaks in which no meeting is proposed and a planned one is warned about.
# Summer: ISO weeks 26-32 (late June to early August): the end of the spring term, the
# Norwegian fellesferie in July and the weeks before the autumn term starts.
SUMMER_WEEKS = range(26, 33)
# Christmas: 20 December to 6 January, both inclusive.
CHRISTMAS_START = (12, 20)
CHRISTMAS_END = (1, 6)
# Easter week ("påskeuka"): Monday to Wednesday before Maundy Thursday are working days,
# but most of the organisation is away; Maundy Thursday to Easter Monday are holidays.
EASTER_DAYS_BEFORE = 6  # Monday of Holy Week is 6 days before Easter Sunday

# A meeting further than this many cadences from its previous one in the same term
# (or from every other meeting) is "far off the rhythm"; closer than a week is too close.
FAR_OFF_CADENCES = 2
TERMS = ("spring", "autumn")


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[dt.date, str]:
    """Norway's public holidays in `year`, from the `holidays` package: kept in the user's
    cache per year and package version, since importing its countries takes 0.2 s."""
    kept = _holiday_file()
    with contextlib.suppress(OSError, LookupError, ValueError, TypeError, AttributeError):  # not kept yet
        days = json.loads(kept.read_text(encoding="utf-8"))[str(year)]
        return {dt.date.fromisoformat(day): name for day, name in days.items()}
    import holidays

    found = dict(holidays.country_holidays("NO", years=year, language="no").items())
    with contextlib.suppress(OSError, ValueError):
        try:
            known = json.loads(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        known[str(year)] = {day.isoformat(): name for day, name in found.items()}
        kept.parent.mkdir(parents=True, exist_ok=True)
        temporary = kept.with_name(f".{kept.name}.{os.getpid()}")
        temporary.write_text(json.dumps(known, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, kept)
    return found


def _holiday_file() -> Path:
    """XDG_CACHE_HOME/alu-docs/holidays-NO-<the installed package's stamp>.json"""
    stamp = "none"
    spec = importlib.util.find_spec("holidays")
    with contextlib.suppress(OSError, TypeError, AttributeError):
        stat = Path(spec.origin).stat()  # type: ignore[union-attr, arg-type]
        stamp = f"{stat.st_size}-{stat.st_mtime_ns}"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "alu-docs" / f"holidays-NO-{stamp}.json"


def holiday_name(day: dt.date) -> str | None:
    """The Norwegian name of the public holiday on `day` ('Første juledag'), or None."""
    return _holidays(day.year).get(day)


def break_name(day: dt.date) -> str | None:
    """'summer', 'christmas' or 'easter' when `day` falls in that break, else None."""
    if day.isocalendar().week in SUMMER_WEEKS and 6 <= day.month <= 8:
        return "summer"
    if (day.month, day.day) >= CHRISTMAS_START or (day.month, day.day) <= CHRISTMAS_END:
        return "christmas"
    sunday = easter(day.year)
    if sunday - dt.timedelta(days=EASTER_DAYS_BEFORE) <= day <= sunday + dt.timedelta(days=1):
        return "easter"
    return None


def term_of(day: dt.date) -> str:
    """'spring' (January to June) or 'autumn' (July to December)."""
    return "spring" if day.month <= 6 else "autumn"


def term_window(year: int, term: str) -> tuple[dt.date, dt.date]:
    """The first and last day a meeting may be proposed in a term (outside the breaks)."""
    if term == "spring":
        first = dt.date(year, CHRISTMAS_END[0], CHRISTMAS_END[1]) + dt.timedelta(days=1)
        last = dt.date.fromisocalendar(year, SUMMER_WEEKS.start, 1) - dt.timedelta(days=1)
    else:
        first = dt.date.fromisocalendar(year, SUMMER_WEEKS.stop, 1)
        last = dt.date(year, CHRISTMAS_START[0], CHRISTMAS_START[1]) - dt.timedelta(days=1)
    return first, last


def weekday_of(committee: Committee) -> int:
    """The committee's weekday as Python numbers it (Monday = 0)."""
    return WEEKDAYS.index(committee.weekday)


def why_not(day: dt.date) -> str | None:
    """Why no meeting should be on `day`: a holiday's name or a break key, else None."""
    return holiday_name(day) or break_name(day)


def _regular(meeting: Meeting) -> bool:
    """Ordinary meetings made with alu-docs follow the rhythm; seminars and imported
    (legacy) meetings from before it often did not, and warning about history helps nobody."""
    return meeting.kind == "ordinary" and not meeting.is_legacy


def _weeks(days: int) -> str:
    """'3 weeks', or 'about 27 weeks' when not whole weeks."""
    weeks = round(days / 7)
    return f"{'' if days % 7 == 0 else 'about '}{weeks} week{'s' if weeks != 1 else ''}"


def rhythm_warnings(committee: Committee, meetings: list[Meeting], meeting: Meeting) -> list[str]:
    """Warnings about a meeting's date: a public holiday, a break, another weekday than the
    committee's, too close to or far from the other meetings; with the likely intended date
    when the date itself looks mistyped and a date that fits the rhythm is near it.

    Seminars and imported (legacy) meetings are only checked for public holidays.
    """
    day = meeting.date
    odd: list[str] = []  # what is wrong with the date itself
    name = holiday_name(day)
    if name:
        odd.append(f"is a public holiday in Norway ({name})")
    if not _regular(meeting):
        return [_line(meeting, odd, None)] if odd else []
    if not name and break_name(day):
        odd.append(f"falls in the {break_name(day)} break")
    if day.weekday() != weekday_of(committee):
        odd.append(f"is a {WEEKDAYS[day.weekday()].title()}; the committee meets on "
                   f"{committee.weekday.title()}s")
    cadence = committee.cadence_weeks * 7
    far = FAR_OFF_CADENCES * cadence
    rhythm = f"far off the {committee.cadence_weeks}-week rhythm"
    others = sorted(m.date for m in meetings if _regular(m) and m.date != day)
    before = [d for d in others if d < day and term_of(d) == term_of(day) and d.year == day.year]
    gap = (day - before[-1]).days if before else None
    if gap is not None and gap < 7:
        odd.append(f"is only {gap} day{'s' if gap != 1 else ''} after the meeting on {before[-1].isoformat()}")
    nearest = min(others, key=lambda d: abs((d - day).days), default=None)
    isolated = nearest is not None and abs((nearest - day).days) > far
    suggestion = _suggest(day, committee, others, cadence_guess=bool(odd)) if odd or isolated else None
    if gap is not None and gap > far:
        odd.append(f"is {_weeks(gap)} after the previous meeting ({before[-1].isoformat()}), {rhythm}")
    elif isolated and nearest is not None and (odd or suggestion):
        side = "later" if nearest > day else "earlier"
        odd.append(f"has no other meeting within {_weeks(far)} (the nearest is {nearest.isoformat()}, "
                   f"{_weeks(abs((nearest - day).days))} {side}), {rhythm}")
    return [_line(meeting, odd, suggestion)] if odd else []


def _line(meeting: Meeting, odd: list[str], suggestion: str | None) -> str:
    text = f"{display_path(meeting.yaml_path)}: warning: {meeting.date.isoformat()} " + "; it ".join(odd)
    return text + (f"; likely intended: {suggestion}" if suggestion else "")


def _variants(text: str) -> set[str]:
    """Numbers one typed digit away from `text`: a digit left out or one too many."""
    found = {text[:i] + text[i + 1:] for i in range(len(text))}
    found |= {text[:i] + d + text[i:] for i in range(len(text) + 1) for d in "0123456789"}
    return {v.lstrip("0") for v in found if v.lstrip("0")}


def candidates(day: dt.date, committee: Committee, others: Iterable[dt.date],
               cadence_guess: bool = True) -> set[dt.date]:
    """Dates the user may have meant: one digit more or less in the day or month, day and
    month swapped, the year next to it, the committee's weekday in the same week, the next
    free date after a holiday or break, and (with `cadence_guess`) the cadence continued
    from the previous meeting."""
    found: set[dt.date] = set()
    tries = [(day.year, m, day.day) for m in _variants(str(day.month))]
    tries += [(day.year, day.month, d) for d in _variants(str(day.day))]
    tries += [(day.year, day.day, day.month), (day.year - 1, day.month, day.day), (day.year + 1, day.month, day.day)]
    for year, month, dom in tries:
        try:
            found.add(dt.date(year, int(month), int(dom)))
        except ValueError:
            continue
    found.add(day + dt.timedelta(days=weekday_of(committee) - day.weekday()))
    if why_not(day):
        found.add(next_free(day)[0])
    earlier = [d for d in others if d < day]
    if earlier and cadence_guess:
        found.add(earlier[-1] + dt.timedelta(weeks=committee.cadence_weeks))
    found.discard(day)
    return found


def _suggest(day: dt.date, committee: Committee, others: list[dt.date], cadence_guess: bool) -> str | None:
    """The candidate that fits the rhythm best, described; None when none fits."""
    cadence = committee.cadence_weeks * 7
    best: tuple[tuple[int, int], str] | None = None
    for candidate in candidates(day, committee, others, cadence_guess):
        if candidate.weekday() != weekday_of(committee) or why_not(candidate):
            continue
        before = [d for d in others if d < candidate]
        after = [d for d in others if d > candidate]
        gap_before = (candidate - before[-1]).days if before else None
        gap_after = (after[0] - candidate).days if after else None
        if gap_before == cadence:
            rank, why = 0, f"{committee.cadence_weeks} weeks after {before[-1].isoformat()}"
        elif gap_after == cadence:
            rank, why = 0, f"{committee.cadence_weeks} weeks before {after[0].isoformat()}"
        elif gap_before is not None and abs(gap_before - cadence) <= 7 and (gap_after or cadence) >= 7:
            rank, why = 1, f"{_weeks(gap_before)} after {before[-1].isoformat()}"
        else:
            continue
        if candidate in others:
            why += "; that date has a meeting folder too: is this one a stray copy?"
        key = (rank, abs((candidate - day).days))
        if best is None or key < best[0]:
            best = (key, f"{candidate.isoformat()} (a {WEEKDAYS[candidate.weekday()].title()}, {why})")
    return best[1] if best else None


def next_free(day: dt.date) -> tuple[dt.date, list[tuple[dt.date, str]]]:
    """The first date from `day` on, week by week, that is neither a holiday nor in a break;
    with the dates passed over and why (a holiday's name or a break key)."""
    skipped: list[tuple[dt.date, str]] = []
    while (reason := why_not(day)) is not None:
        skipped.append((day, reason))
        day += dt.timedelta(weeks=1)
    return day, skipped
