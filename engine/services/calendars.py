"""The working calendar as stored in the database (seeded from ``holidays.VN``, editable)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import OfficeHours, WorkingCalendar, vietnam_calendar_days
from engine.models import CalendarDay, Unit
from engine.reference_cache import ReferenceCache

# Calendar rows change a few times a year: re-reading them each minute is plenty.
_holidays: ReferenceCache[WorkingCalendar] = ReferenceCache()
_units: ReferenceCache[tuple[WorkingCalendar, str]] = ReferenceCache()


def hours_source(unit: Unit | None) -> Unit | None:
    """The unit whose office hours ``unit`` works: itself, its nearest parent with a setting, or None (default)."""
    while unit is not None and not (unit.office_hours or unit.working_weekdays):
        unit = unit.parent
    return unit


def office_hours(unit: Unit | None) -> OfficeHours:
    source = hours_source(unit)
    return OfficeHours.parse(source.office_hours, source.working_weekdays) if source else OfficeHours()


def working_calendar(session: Session, unit: Unit | None = None) -> WorkingCalendar:
    """The working calendar of ``unit`` (its own office hours, or its nearest parent's, or the default)."""
    return replace(_holiday_calendar(session), hours=office_hours(unit))


def _unit_entry(session: Session, unit_id: int) -> tuple[WorkingCalendar, str]:
    """A unit's calendar and name, cached for a minute: inbox rows are made on every step."""

    def load() -> tuple[WorkingCalendar, str]:
        unit = session.get(Unit, unit_id)
        return working_calendar(session, unit), unit.name if unit is not None else ""

    return _units.get(session, unit_id, load)


def unit_calendar(session: Session, unit_id: int) -> WorkingCalendar:
    return _unit_entry(session, unit_id)[0]


def unit_name(session: Session, unit_id: int) -> str:
    return _unit_entry(session, unit_id)[1]


def _holiday_calendar(session: Session) -> WorkingCalendar:
    """The shared holidays and swaps, read from the table at most once a minute per process."""

    def load() -> WorkingCalendar:
        rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
        return WorkingCalendar(
            holidays=frozenset(day for day, kind in rows if kind == "holiday"),
            workdays=frozenset(day for day, kind in rows if kind == "workday"),
        )

    return _holidays.get(session, None, load)


def forget_cached_calendar() -> None:
    """Drop what this process cached, after holidays, swaps or office hours changed."""
    _holidays.forget()
    _units.forget()


def seed_calendar(session: Session, years: Iterable[int]) -> int:
    """Add the holidays and swap days of ``years`` that the table does not have yet."""
    existing = set(session.scalars(select(CalendarDay.day)))
    added = 0
    for day, kind, name in vietnam_calendar_days(years):
        if day not in existing:
            session.add(CalendarDay(day=day, kind=kind, name=name))
            existing.add(day)
            added += 1
    forget_cached_calendar()
    return added
