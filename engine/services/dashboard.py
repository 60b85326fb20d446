"""The dashboard: one person's counters and the charts of the units they oversee.

Every figure is read when asked, in a handful of aggregate statements: from the
indexed columns of ``dossier`` and ``task`` (``due_at`` compared with now: "due soon"
and "overdue" are never stored), bounded by open status so that a partial index serves
each, and for the year's charts from daily counts that triggers keep in step with every
dossier (migration 0008):

- counters at the person's counter (new online dossiers, waiting for a supplement,
  ready to return) and their tasks (the inbox's own counts);
- dossiers at the units now, by status (the open-status indexes: no pass over closed ones);
- dossiers received and resolved in each of the last 12 months, and early / on time / late,
  summed from the per-unit daily counts that triggers keep exact (``dossier_day``, migration 0008);
- for leaders, open dossiers per department and the counters' queues, over their unit
  and the units under it (summed from the same pass as the status chart).

"Due soon" is the inbox's rule (``inbox.DUE_SOON_WORKING_HOURS`` working hours of the
person's unit calendar from now), so a badge and a counter always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Dossier, DossierDay, User
from engine.roles import Role
from engine.services.calendars import unit_calendar
from engine.services.inbox import DUE_SOON_WORKING_HOURS, inbox_counts
from engine.services.oversight import Oversight, oversight_of
from engine.status import STATUS_LABELS, Channel, DossierStatus

MONTHS = 12
OPEN_STATUSES = (
    DossierStatus.ACCEPTED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.FEE_REQUESTED,
)
# While a supplement is awaited the clock pauses (domain.md §6): such a dossier is neither due soon nor late.
RUNNING_STATUSES = (DossierStatus.ACCEPTED, DossierStatus.PROCESSING, DossierStatus.FEE_REQUESTED)
FINISHED_STATUSES = (DossierStatus.RESOLVED, DossierStatus.RETURNED)
# Where the dossiers are now: everything not yet returned, refused, withdrawn or stopped.
AT_UNIT_STATUSES = (*sorted({DossierStatus.NEW, *OPEN_STATUSES, DossierStatus.RESOLVED}),)


@dataclass(frozen=True)
class CounterQueue:
    """What waits at one counter."""

    unit_id: int
    unit_name: str
    new_online: int = 0  # status 1, channel 2: submitted online, to receive
    waiting_supplement: int = 0  # status 5
    to_return: int = 0  # status 9


@dataclass(frozen=True)
class UnitLoad:
    """Open dossiers handled by one department."""

    unit_id: int
    unit_name: str
    open: int = 0
    due_soon: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class Month:
    month: date  # its first day
    received: int
    resolved: int


@dataclass(frozen=True)
class OnTime:
    """Dossiers finished in the period, classified by date (domain.md §6)."""

    early: int  # trước hạn
    on_time: int  # đúng hạn: on the due date, or no due date
    late: int  # quá hạn

    @property
    def total(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def share(self) -> float | None:
        """The on-time share (early or on time), None when nothing finished."""
        return (self.early + self.on_time) / self.total if self.total else None


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    soon_before: datetime
    oversight: Oversight
    tasks: dict[str, int]  # the inbox counts: mine, pool, all, soon, overdue
    counter: CounterQueue | None  # the person's own counter, for counter officers
    by_status: dict[int, int]  # at the units now, by status (AT_UNIT_STATUSES)
    months: list[Month]
    on_time: OnTime
    departments: list[UnitLoad] = field(default_factory=list)  # leaders only
    counters: list[CounterQueue] = field(default_factory=list)  # leaders only

    @property
    def since(self) -> date:
        return self.months[0].month

    @property
    def status_labels(self) -> dict[int, str]:
        return {int(status): label for status, label in STATUS_LABELS.items()}


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last ``months`` months (this one included) and of the next: ``months + 1`` bounds."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(months + 1)]


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def soon_window(session: Session, actor: User, now: datetime) -> datetime:
    """The end of "due soon" for ``actor``: the inbox's rule, on the calendar of their unit."""
    return unit_calendar(session, actor.unit_id).add_working_hours(now, DUE_SOON_WORKING_HOURS)


def dashboard(session: Session, actor: User, now: datetime | None = None) -> Dashboard:
    """The dashboard of ``actor``; what it shows depends on their roles and units only."""
    now = now or clock.now()
    soon_before = soon_window(session, actor, now)
    scope = oversight_of(session, actor)
    bounds = [_at(day) for day in month_starts(now.date())]
    at_units = _at_units(session, scope, now, soon_before)
    summed = _from_days(session, scope, bounds)
    if summed is None:  # units the daily sums would count twice: count the dossiers themselves
        summed = (_received(session, scope, bounds), *_finished(session, scope, bounds))
    received, resolved, on_time = summed
    months = [Month(bounds[i].date(), received[i], resolved[i]) for i in range(MONTHS)]

    counter = None
    if actor.has_role(Role.COUNTER_OFFICER):
        counter = _counter_queue(at_units, actor.unit_id, actor.unit.name)
    departments: list[UnitLoad] = []
    counters: list[CounterQueue] = []
    if scope.leader:
        departments = [_unit_load(at_units, unit.id, unit.name) for unit in scope.of_kind("department")]
        counters = [_counter_queue(at_units, unit.id, unit.name) for unit in scope.of_kind("counter")]
    by_status = {int(status): 0 for status in AT_UNIT_STATUSES}
    for row in at_units:
        by_status[row.status] += row.count
    return Dashboard(
        now=now,
        soon_before=soon_before,
        oversight=scope,
        tasks=inbox_counts(session, actor),
        counter=counter,
        by_status=by_status,
        months=months,
        on_time=on_time,
        departments=departments,
        counters=counters,
    )


def _day_of(column: Any) -> Any:
    """The date of a timestamp, to group by: a cheap cast per row (date_trunc per row costs twice the scan)."""
    return func.date(column)


def _month_index(value: Any, first: date) -> int:
    """Which of the period's months a day (a date, or text on SQLite) falls in."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return (day.year - first.year) * 12 + day.month - first.month


@dataclass(frozen=True)
class _AtUnit:
    """One group of the dossiers at the units now."""

    counter_id: int
    department_id: int
    status: int
    online: bool
    count: int
    due_soon: int
    overdue: int


def _at_units(session: Session, scope: Oversight, now: datetime, soon_before: datetime) -> list[_AtUnit]:
    """Dossiers at the units now (not returned, refused, withdrawn or stopped), grouped by counter, department,
    status and channel, with those due soon and overdue: one index-only pass over a partial index, from which
    the status chart, the departments' loads and the counters' queues are all summed."""
    running = Dossier.status.in_(RUNNING_STATUSES)
    online = Dossier.channel == Channel.ONLINE
    rows = session.execute(
        select(
            Dossier.receiving_unit_id,
            Dossier.department_id,
            Dossier.status,
            online,
            func.count(),
            func.count().filter(running, Dossier.due_at >= now, Dossier.due_at <= soon_before),
            func.count().filter(running, Dossier.due_at < now),
        )
        .where(scope.dossiers(), Dossier.status.in_(AT_UNIT_STATUSES))
        .group_by(Dossier.receiving_unit_id, Dossier.department_id, Dossier.status, online)
    ).all()
    return [_AtUnit(row[0], row[1], int(row[2]), bool(row[3]), *row[4:]) for row in rows]


def _unit_load(at_units: list[_AtUnit], unit_id: int, name: str) -> UnitLoad:
    """Open dossiers one department handles, with those due soon and overdue."""
    rows = [row for row in at_units if row.department_id == unit_id and row.status in OPEN_STATUSES]
    return UnitLoad(
        unit_id,
        name,
        open=sum(row.count for row in rows),
        due_soon=sum(row.due_soon for row in rows),
        overdue=sum(row.overdue for row in rows),
    )


def _counter_queue(at_units: list[_AtUnit], unit_id: int, name: str) -> CounterQueue:
    """New online dossiers to receive, those waiting for a supplement and those to return, at one counter."""
    rows = [row for row in at_units if row.counter_id == unit_id]
    return CounterQueue(
        unit_id,
        name,
        new_online=sum(row.count for row in rows if row.status == DossierStatus.NEW and row.online),
        waiting_supplement=sum(row.count for row in rows if row.status == DossierStatus.SUPPLEMENT_REQUESTED),
        to_return=sum(row.count for row in rows if row.status == DossierStatus.RESOLVED),
    )


def _from_days(
    session: Session, scope: Oversight, bounds: list[datetime]
) -> tuple[list[int], list[int], OnTime] | None:
    """Received and resolved per month, and timeliness, summed from the per-unit daily counts (``dossier_day``).

    Those are kept by triggers in each dossier's own transaction, so they are exact; a year is a few
    hundred rows per unit. None when the units mix counters and departments outside an agency: a
    dossier of both would be counted twice, and the live count is used instead.
    """
    agencies = [unit.id for unit in scope.of_kind("agency")]
    counters, departments = scope.of_kind("counter"), scope.of_kind("department")
    if agencies:
        unit_ids = agencies
    elif counters and departments:
        return None
    else:
        unit_ids = [unit.id for unit in counters or departments]
    rows = session.execute(
        select(
            DossierDay.day,
            func.sum(DossierDay.received),
            func.sum(DossierDay.resolved),
            func.sum(DossierDay.early),
            func.sum(DossierDay.on_time),
            func.sum(DossierDay.late),
        )
        .where(DossierDay.unit_id.in_(unit_ids), DossierDay.day >= bounds[0].date(), DossierDay.day < bounds[-1].date())
        .group_by(DossierDay.day)
    ).all()
    received, resolved = [0] * MONTHS, [0] * MONTHS
    early = on_time = late = 0
    for day, *counts in rows:
        month = _month_index(day, bounds[0].date())
        received[month] += counts[0] or 0
        resolved[month] += counts[1] or 0
        early, on_time, late = early + (counts[2] or 0), on_time + (counts[3] or 0), late + (counts[4] or 0)
    return received, resolved, OnTime(early=early, on_time=on_time, late=late)


def _received(session: Session, scope: Oversight, bounds: list[datetime]) -> list[int]:
    """Dossiers received in each month of the period: one index-only pass, grouped by day."""
    day = _day_of(Dossier.received_at)
    rows = session.execute(
        select(day, func.count())
        .where(scope.dossiers(), Dossier.received_at >= bounds[0], Dossier.received_at < bounds[-1])
        .group_by(day)
    ).all()
    received = [0] * MONTHS
    for key, count in rows:
        received[_month_index(key, bounds[0].date())] += count
    return received


def _finished(session: Session, scope: Oversight, bounds: list[datetime]) -> tuple[list[int], OnTime]:
    """Dossiers finished in the period (status 9 or 10, dated by ``finished_at``): by month, and by timeliness.

    By date (domain.md §6): finished before the due date is early, on it (whatever the hour) or
    without one on time, after it late.
    """
    finished_day, due_day = func.date(Dossier.finished_at), func.date(Dossier.due_at)
    timeliness = case((Dossier.due_at.is_(None), 0), (finished_day < due_day, -1), (finished_day > due_day, 1), else_=0)
    day = _day_of(Dossier.finished_at)
    rows = session.execute(
        select(day, timeliness, func.count())
        .where(
            scope.dossiers(),
            Dossier.status.in_(FINISHED_STATUSES),
            Dossier.finished_at >= bounds[0],
            Dossier.finished_at < bounds[-1],
        )
        .group_by(day, timeliness)
    ).all()
    resolved = [0] * MONTHS
    by_class = {-1: 0, 0: 0, 1: 0}
    for key, klass, count in rows:
        resolved[_month_index(key, bounds[0].date())] += count
        by_class[int(klass)] += count
    return resolved, OnTime(early=by_class[-1], on_time=by_class[0], late=by_class[1])
