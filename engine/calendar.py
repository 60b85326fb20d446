"""Working time: office hours, holidays and swaps, and the deadline rules.

Every deadline in the product is computed here (domain.md §6): working days are
counted in office hours (8 hours = 1 working day), weekends and holidays are
skipped, swapped Saturdays are worked, a dossier received outside office hours
counts from the next opening, and same-day procedures received after 15:00 are
due the next working day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

SAME_DAY_CUTOFF = time(15, 0)


@dataclass(frozen=True)
class OfficeHours:
    """The periods of a working day, and the weekdays that are working days (Monday = 0)."""

    periods: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    weekdays: frozenset[int] = frozenset(range(5))

    @property
    def day_hours(self) -> float:
        return sum(_hours_between(start, end) for start, end in self.periods)

    @property
    def closing(self) -> time:
        return self.periods[-1][1]

    @classmethod
    def parse(cls, periods: str, weekdays: str = "") -> OfficeHours:
        """Read ``"07:00-11:30,13:30-17:00"`` and ``"0,1,2,3,4"``; empty parts keep the defaults.

        Raises ValueError with a Vietnamese message on a malformed or overlapping definition.
        """
        default = cls()
        parsed = default.periods
        if periods.strip():
            try:
                parsed = tuple(
                    (time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
                    for start, end in (part.split("-") for part in periods.split(","))
                )
            except ValueError as err:
                raise ValueError("Giờ làm việc phải có dạng 07:00-11:30,13:30-17:00.") from err
            ordered = all(start < end for start, end in parsed) and all(
                parsed[i][1] <= parsed[i + 1][0] for i in range(len(parsed) - 1)
            )
            if not ordered:
                raise ValueError("Các khoảng giờ làm việc phải tăng dần và không chồng lên nhau.")
        days = default.weekdays
        if weekdays.strip():
            try:
                days = frozenset(int(d) for d in weekdays.split(","))
            except ValueError as err:
                raise ValueError("Ngày làm việc trong tuần là các số 0 (thứ Hai) đến 6 (Chủ nhật).") from err
            if not days or not days <= set(range(7)):
                raise ValueError("Ngày làm việc trong tuần là các số 0 (thứ Hai) đến 6 (Chủ nhật).")
        return cls(periods=parsed, weekdays=days)


def _hours_between(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 3600


@dataclass
class WorkingCalendar:
    """A unit's working calendar. ``holidays`` are days off; ``workdays`` are weekend days worked."""

    hours: OfficeHours = field(default_factory=OfficeHours)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day.weekday() in self.hours.weekdays or day in self.workdays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` if the office is open then, else the next time it opens."""
        day = moment.date()
        while True:
            if self.is_working_day(day):
                for start, end in self.hours.periods:
                    opens, closes = datetime.combine(day, start), datetime.combine(day, end)
                    if moment < closes:
                        return max(moment, opens)
            day = self.next_working_day(day)
            moment = datetime.combine(day, time.min)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` office hours after ``start``; a deadline that ends a period stays there."""
        remaining = timedelta(hours=hours)
        moment = self.next_opening(start)
        while True:
            closes = next(
                datetime.combine(moment.date(), end)
                for begin, end in self.hours.periods
                if datetime.combine(moment.date(), begin) <= moment < datetime.combine(moment.date(), end)
            )
            if moment + remaining <= closes:
                return moment + remaining
            remaining -= closes - moment
            moment = self.next_opening(closes)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed from ``start`` to ``end`` (0 if ``end`` is not after ``start``)."""
        total = 0.0
        moment = self.next_opening(start)
        while moment < end:
            closes = next(
                datetime.combine(moment.date(), stop)
                for begin, stop in self.hours.periods
                if datetime.combine(moment.date(), begin) <= moment < datetime.combine(moment.date(), stop)
            )
            total += (min(closes, end) - moment).total_seconds() / 3600
            moment = self.next_opening(closes)
        return total

    def resume(self, due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
        """The due date after a pause: moved by the office hours the pause lasted, on a working time."""
        paused = self.working_hours_between(paused_at, resumed_at)
        return self.add_working_hours(due_at, paused) if paused > 0 else due_at

    def closing_of(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.closing)

    def due_at(self, received_at: datetime, time_kind: str, time_value: int) -> datetime | None:
        """The appointment for a dossier received at ``received_at`` under a procedure's legal time."""
        if time_kind == "same_day":
            start = self.next_opening(received_at)
            day = start.date()
            if start.time() >= SAME_DAY_CUTOFF:
                day = self.next_working_day(day)
            return self.closing_of(day)
        if time_kind == "calendar_days":
            # A period whose last day is a day off ends on the next working day.
            day = received_at.date() + timedelta(days=time_value)
            if not self.is_working_day(day):
                day = self.next_working_day(day)
            return self.closing_of(day)
        if time_kind == "working_days":
            if time_value <= 0:
                return None
            return self.add_working_hours(received_at, time_value * self.hours.day_hours)
        raise ValueError(f"unknown time kind {time_kind!r}")


_SUBSTITUTED_RE = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def vietnam_calendar_days(years: Iterable[int]) -> list[tuple[date, str, str]]:
    """Holidays and swapped working days for ``years`` from the ``holidays`` package.

    Returns ``(day, kind, name)`` rows ready for the editable calendar table.
    """
    import holidays  # imported here: only seeding needs it

    rows: list[tuple[date, str, str]] = []
    for day, name in sorted(holidays.VN(years=list(years), language="vi").items()):
        rows.append((day, "holiday", name))
    for day, name in sorted(holidays.VN(years=list(years)).items()):
        swap = _SUBSTITUTED_RE.search(name)
        if swap:
            month, dom, year = (int(part) for part in swap.groups())
            rows.append((date(year, month, dom), "workday", f"Làm bù cho ngày {day:%d/%m/%Y}"))
    return rows


def parse_day(value: object) -> date | None:
    """A day typed as 2026-09-02 (a date input) or 02/09/2026."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None
