"""The administrator's working calendar: holidays and swapped days, and each unit's office hours.

Every change forgets this process's cached calendar, so the next deadline uses
it at once; other processes re-read the table within a minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import OfficeHours, parse_day
from engine.models import CalendarDay, Unit, User
from engine.services.calendars import forget_cached_calendar, hours_source, office_hours, seed_calendar
from engine.services.catalogue_admin import require_administrator
from engine.services.errors import InvalidInput, NotFound

DAY_KINDS = {"holiday": "Ngày nghỉ lễ", "workday": "Ngày làm bù"}
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
FIRST_YEAR, LAST_YEAR = 2000, 2100


# --- holidays and swapped days ---------------------------------------------------------------------


def list_calendar_days(session: Session, actor: User, year: int) -> list[CalendarDay]:
    require_administrator(actor)
    return list(
        session.scalars(
            select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    )


def add_calendar_day(session: Session, actor: User, raw: Mapping[str, Any]) -> CalendarDay:
    """Add a holiday, or a weekend day worked in a swap, from ``raw`` (day, kind, name)."""
    require_administrator(actor)
    errors: dict[str, str] = {}
    day = parse_day(raw.get("day"))
    kind = raw.get("kind") if isinstance(raw.get("kind"), str) else ""
    name = " ".join(raw["name"].split()) if isinstance(raw.get("name"), str) else ""
    if day is None:
        errors["day"] = "Hãy nhập một ngày có thật, ví dụ 02/09/2026."
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}."
    if kind not in DAY_KINDS:
        errors["kind"] = "Hãy chọn ngày nghỉ lễ hoặc ngày làm bù."
    elif day is not None and kind == "workday" and day.weekday() < 5:
        errors["kind"] = f"Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; {day:%d/%m/%Y} là {WEEKDAY_NAMES[day.weekday()]}."
    if not name:
        errors["name"] = "Hãy ghi tên ngày lễ hoặc lý do làm bù."
    elif len(name) > 255:
        errors["name"] = "Tên dài quá 255 ký tự."
    if day is not None and "day" not in errors:
        existing = session.get(CalendarDay, day)
        if existing is not None:
            errors["day"] = (
                f"Ngày {day:%d/%m/%Y} đã có trong lịch ({DAY_KINDS.get(existing.kind, existing.kind).lower()}: "
                f"{existing.name}). Muốn đổi, hãy xóa dòng cũ trước."
            )
    if errors:
        raise InvalidInput(errors)
    assert day is not None
    row = CalendarDay(day=day, kind=kind, name=name)
    session.add(row)
    session.flush()
    forget_cached_calendar()
    return row


def delete_calendar_day(session: Session, actor: User, value: Any) -> CalendarDay:
    """Remove the holiday or swapped day on ``value`` (a date, or a day as typed)."""
    require_administrator(actor)
    day = parse_day(value)
    if day is None:
        raise InvalidInput({"day": "Ngày cần xóa không hợp lệ."}, "Ngày cần xóa không hợp lệ.")
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound(f"Ngày {day:%d/%m/%Y} không có trong lịch ngày nghỉ, ngày làm bù.")
    session.delete(row)
    session.flush()
    forget_cached_calendar()
    return row


def import_holidays(session: Session, actor: User, year: Any) -> int:
    """Add the holidays and swaps of ``year`` from the ``holidays`` package; days already listed stay."""
    require_administrator(actor)
    number = int(year) if isinstance(year, int) or (isinstance(year, str) and year.strip().isdigit()) else None
    if number is None or not FIRST_YEAR <= number <= LAST_YEAR:
        raise InvalidInput({"year": f"Năm phải là một số từ {FIRST_YEAR} đến {LAST_YEAR}."})
    added = seed_calendar(session, [number])
    session.flush()
    forget_cached_calendar()
    return added


# --- office hours per unit -------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitHours:
    """A unit with the office hours it actually works: its own, its nearest parent's, or the default."""

    unit: Unit
    hours: OfficeHours
    inherited_from: Unit | None  # None: its own setting, or the default when no unit up the tree has one


def list_unit_hours(session: Session, actor: User) -> list[UnitHours]:
    require_administrator(actor)
    units = session.scalars(select(Unit).order_by(Unit.code))
    return [_effective(unit) for unit in units]


def _effective(unit: Unit) -> UnitHours:
    source = hours_source(unit)
    return UnitHours(unit, office_hours(unit), source if source is not unit else None)


def unit_for_edit(session: Session, actor: User, code: str) -> Unit:
    require_administrator(actor)
    unit = session.scalars(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã “{code}”.")
    return unit


def update_office_hours(session: Session, actor: User, code: str, office_hours: Any, working_weekdays: Any) -> Unit:
    """Set a unit's office hours and working weekdays; empty means it takes its parent's (or the default)."""
    unit = unit_for_edit(session, actor, code)
    periods = office_hours.strip() if isinstance(office_hours, str) else ""
    weekdays = working_weekdays.strip() if isinstance(working_weekdays, str) else ""
    errors: dict[str, str] = {}
    parsed = OfficeHours()
    try:
        parsed = OfficeHours.parse(periods)
    except ValueError as err:
        errors["office_hours"] = str(err)
    try:
        parsed = OfficeHours(periods=parsed.periods, weekdays=OfficeHours.parse("", weekdays).weekdays)
    except ValueError as err:
        errors["working_weekdays"] = str(err)
    if errors:
        raise InvalidInput(errors)
    # Stored in the canonical spelling, so "07:00 - 11:30" and "07:00-11:30" read the same.
    unit.office_hours = format_periods(parsed) if periods else ""
    unit.working_weekdays = ",".join(str(d) for d in sorted(parsed.weekdays)) if weekdays else ""
    session.flush()
    forget_cached_calendar()  # units' calendars are cached too (engine.services.calendars.unit_calendar)
    return unit


def format_periods(hours: OfficeHours) -> str:
    return ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in hours.periods)


def weekday_label(hours: OfficeHours) -> str:
    return ", ".join(WEEKDAY_NAMES[d] for d in sorted(hours.weekdays))
