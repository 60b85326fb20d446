"""What a report covers: its period, the units it may count, and who may ask for it.

A report's period is whole local days, ``start`` to ``end`` inclusive; in SQL it is the
half-open range [start 00:00, end + 1 day 00:00) over naive local timestamps (engine/clock.py).
A leader sees their unit and every unit under it (``unit.parent_id``); an administrator
sees every unit; nobody else sees statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import parse_day
from engine.models import Unit, User
from engine.roles import Role
from engine.services.errors import Forbidden, InvalidInput

MAX_YEARS = 5
GROUPINGS = {"field": "Lĩnh vực", "unit": "Đơn vị"}
ALL_UNITS_NAME = "Tất cả đơn vị"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time())

    @property
    def end_before(self) -> datetime:
        """The first moment after the period: the period is [start_at, end_before)."""
        return datetime.combine(self.end + timedelta(days=1), time())

    @property
    def end_day_start(self) -> datetime:
        """Midnight opening the period's last day: a due date before it is before the end date."""
        return datetime.combine(self.end, time())

    @property
    def label(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"


@dataclass(frozen=True)
class ReportScope:
    """The period, the unit reported on (None: every unit) and the units counted (None: all)."""

    period: Period
    unit: Unit | None
    unit_ids: tuple[int, ...] | None
    by: str = "field"

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit is not None else ALL_UNITS_NAME

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit is not None else ""


def can_see_reports(user: User) -> bool:
    return any(user.has_role(role) for role in (Role.DEPARTMENT_LEADER, Role.AGENCY_LEADER, Role.ADMINISTRATOR))


def require_reports(user: User) -> None:
    if not can_see_reports(user):
        raise Forbidden("Chỉ lãnh đạo đơn vị và quản trị hệ thống được xem báo cáo thống kê.")


def parse_period(start_raw: object, end_raw: object) -> tuple[Period | None, dict[str, str]]:
    """The period typed in, or the Vietnamese reason per field; checked before any query runs."""
    errors: dict[str, str] = {}
    start, end = parse_day(start_raw), parse_day(end_raw)
    if start is None:
        errors["from"] = "Hãy nhập ngày bắt đầu kỳ báo cáo hợp lệ (ví dụ 2026-01-01)."
    if end is None:
        errors["to"] = "Hãy nhập ngày kết thúc kỳ báo cáo hợp lệ (ví dụ 2026-12-31)."
    if start is None or end is None:
        return None, errors
    if end < start:
        errors["to"] = "Ngày kết thúc kỳ báo cáo phải từ ngày bắt đầu trở đi."
    elif _add_years(start, MAX_YEARS) <= end:
        errors["to"] = f"Kỳ báo cáo dài tối đa {MAX_YEARS} năm; hãy chọn kỳ ngắn hơn."
    return (None if errors else Period(start, end)), errors


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def visible_unit_ids(units: Mapping[int, Unit], root_id: int) -> tuple[int, ...]:
    """``root_id`` and every unit under it, walking the parent links (the tree is small)."""
    children: dict[int | None, list[int]] = {}
    for unit in units.values():
        children.setdefault(unit.parent_id, []).append(unit.id)
    found, stack = [], [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(children.get(current, []))
    return tuple(sorted(found))


def report_units(session: Session, actor: User) -> list[Unit]:
    """The units ``actor`` may report on, for a choice list: all for an administrator."""
    require_reports(actor)
    units = {u.id: u for u in session.scalars(select(Unit).order_by(Unit.code))}
    if actor.has_role(Role.ADMINISTRATOR):
        return list(units.values())
    allowed = set(visible_unit_ids(units, actor.unit_id))
    return [u for u in units.values() if u.id in allowed]


def resolve_scope(session: Session, actor: User, args: Mapping[str, object]) -> ReportScope:
    """Check the request (``from``, ``to``, ``unit``, ``by``) and who asks, before anything is counted.

    Raises InvalidInput with a message per field, or Forbidden for a unit outside the actor's.
    """
    require_reports(actor)
    period, errors = parse_period(args.get("from"), args.get("to"))
    by = str(args.get("by") or "field")
    if by not in GROUPINGS:
        errors["by"] = "Hãy chọn thống kê theo lĩnh vực hoặc theo đơn vị."
    code = str(args.get("unit") or "").strip()
    units = {u.id: u for u in session.scalars(select(Unit))}
    unit: Unit | None = None
    if code:
        unit = next((u for u in units.values() if u.code == code), None)
        if unit is None:
            errors["unit"] = f"Không có đơn vị mã “{code[:40]}”."
    if errors:
        raise InvalidInput(errors)
    assert period is not None
    is_admin = actor.has_role(Role.ADMINISTRATOR)
    if unit is None and not is_admin:
        unit = units[actor.unit_id]
    if unit is None:
        return ReportScope(period, None, None, by)
    if not is_admin and unit.id not in visible_unit_ids(units, actor.unit_id):
        raise Forbidden("Bạn chỉ xem được báo cáo của đơn vị mình và các đơn vị trực thuộc.")
    return ReportScope(period, unit, visible_unit_ids(units, unit.id), by)
