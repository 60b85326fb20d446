"""The inbox: the open tasks a person may act on, in tabs, filtered, sorted, counted, paged.

Reads only the indexed ``task`` rows (with their dossier and procedure for the
columns shown); never a workflow. "Mine" is what is assigned to the person or
to a leader who delegates to them; "pool" is what waits, unassigned, for a role
they hold (or their principal holds) in that role's unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from engine import clock
from engine.calendar import parse_day
from engine.models import Dossier, Procedure, Task, User
from engine.services.calendars import unit_calendar
from engine.services.delegation import principals_of
from engine.services.errors import InvalidInput

TABS = ("all", "mine", "pool")
SORTS = ("due", "created", "received")
DUE_STATES = ("", "soon", "overdue")
DUE_SOON_WORKING_HOURS = 8
PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxFilter:
    tab: str = "all"
    procedure_id: int | None = None
    field_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    due: str = ""  # "", "soon" or "overdue"
    sort: str = "due"
    page: int = 1


@dataclass(frozen=True)
class InboxPage:
    tasks: list[Task]
    counts: dict[str, int]  # per tab, plus "soon" and "overdue" over everything the person may act on
    total: int  # tasks matching the filter, all pages
    page: int
    pages: int
    now: datetime
    soon_before: datetime  # due before this (and not yet late) = due soon
    filter: InboxFilter = field(default_factory=InboxFilter)

    def due_state(self, task: Task) -> str:
        if task.due_at is None:
            return ""
        if task.due_at < self.now:
            return "overdue"
        return "soon" if task.due_at <= self.soon_before else ""


def parse_filter(args: Mapping[str, Any]) -> InboxFilter:
    """An InboxFilter from query parameters; a value that does not fit is refused by name."""
    errors: dict[str, str] = {}

    def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = str(args.get(name) or default)
        if value not in allowed:
            errors[name] = f"Giá trị không hợp lệ; chọn một trong: {', '.join(v or '(trống)' for v in allowed)}."
        return value

    def number(name: str) -> int | None:
        value = str(args.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit() or len(value) > 9:
            errors[name] = "Phải là một số."
            return None
        return int(value)

    def day(name: str) -> date | None:
        value = str(args.get(name) or "").strip()
        if not value:
            return None
        parsed = parse_day(value)
        if parsed is None:
            errors[name] = "Ngày không hợp lệ (ví dụ 2026-12-24)."
        return parsed

    filt = InboxFilter(
        tab=choice("tab", TABS, "all"),
        procedure_id=number("procedure"),
        field_id=number("field"),
        received_from=day("received_from"),
        received_to=day("received_to"),
        due=choice("due", DUE_STATES, ""),
        sort=choice("sort", SORTS, "due"),
        page=number("page") or 1,
    )
    if filt.received_from and filt.received_to and filt.received_to < filt.received_from:
        errors["received_to"] = "Ngày kết thúc phải sau ngày bắt đầu."
    if errors:
        raise InvalidInput(errors, "Bộ lọc chưa hợp lệ.")
    return filt


def _scopes(session: Session, actor: User, now: datetime) -> tuple[Any, Any]:
    """The conditions for "mine" and "pool", the actor's principals included."""
    identities: list[tuple[int, int, frozenset[str]]] = [
        (actor.id, actor.unit_id, frozenset(role.value for role in actor.roles))
    ]
    identities += [(p.id, p.unit_id, p.roles) for p in principals_of(session, actor.id, now)]
    mine = Task.assignee_id.in_([user_id for user_id, _, _ in identities])
    pools = [and_(Task.unit_id == unit_id, Task.role.in_(sorted(roles))) for _, unit_id, roles in identities if roles]
    pool = and_(Task.assignee_id.is_(None), or_(*pools)) if pools else false()
    return mine, pool


def actionable(session: Session, actor: User, now: datetime) -> Any:
    """The condition on open ``task`` rows the actor may act on: theirs, their principals', and their pools."""
    mine, pool = _scopes(session, actor, now)
    return or_(mine, pool)


def _counts(session: Session, mine: Any, pool: Any, now: datetime, soon_before: datetime) -> dict[str, int]:
    """Tasks per tab, and due soon or overdue among them: one statement."""
    counted = session.execute(
        select(
            func.count().filter(mine),
            func.count().filter(pool),
            func.count().filter(and_(Task.due_at >= now, Task.due_at <= soon_before)),
            func.count().filter(Task.due_at < now),
        ).where(Task.closed_at.is_(None), or_(mine, pool))
    ).one()
    return {
        "mine": counted[0],
        "pool": counted[1],
        "all": counted[0] + counted[1],
        "soon": counted[2],
        "overdue": counted[3],
    }


def _window(session: Session, actor: User) -> tuple[datetime, datetime, Any, Any]:
    now = clock.now()
    soon_before = unit_calendar(session, actor.unit_id).add_working_hours(now, DUE_SOON_WORKING_HOURS)
    mine, pool = _scopes(session, actor, now)
    return now, soon_before, mine, pool


def inbox_counts(session: Session, actor: User) -> dict[str, int]:
    now, soon_before, mine, pool = _window(session, actor)
    return _counts(session, mine, pool, now, soon_before)


def inbox(session: Session, actor: User, filt: InboxFilter, page_size: int = PAGE_SIZE) -> InboxPage:
    now, soon_before, mine, pool = _window(session, actor)
    counts = _counts(session, mine, pool, now, soon_before)

    conditions = [Task.closed_at.is_(None), {"mine": mine, "pool": pool}.get(filt.tab, or_(mine, pool))]
    needs_dossier = bool(filt.procedure_id or filt.field_id or filt.received_from or filt.received_to)
    if filt.procedure_id:
        conditions.append(Dossier.procedure_id == filt.procedure_id)
    if filt.field_id:
        conditions.append(Procedure.field_id == filt.field_id)
    if filt.received_from:
        conditions.append(Dossier.received_at >= datetime.combine(filt.received_from, datetime.min.time()))
    if filt.received_to:
        end = datetime.combine(filt.received_to + timedelta(days=1), datetime.min.time())
        conditions.append(Dossier.received_at < end)
    if filt.due == "soon":
        conditions += [Task.due_at >= now, Task.due_at <= soon_before]
    elif filt.due == "overdue":
        conditions.append(Task.due_at < now)

    base = select(Task).where(*conditions)
    if needs_dossier or filt.sort == "received":
        base = base.join(Dossier, Dossier.id == Task.dossier_id)
        if filt.field_id:
            base = base.join(Procedure, Procedure.id == Dossier.procedure_id)
    if needs_dossier or filt.due:
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    else:
        total = counts[filt.tab]  # a tab alone: already counted
    pages = max(1, -(-total // page_size))
    page = min(max(filt.page, 1), pages)
    order = {
        "due": (Task.due_at.is_(None), Task.due_at, Task.created_at),
        "created": (Task.created_at.desc(),),
        "received": (Dossier.received_at,),
    }[filt.sort]
    # Sort and cut the task rows first; their dossiers and people are read for the page only.
    tasks = list(
        session.scalars(
            base.options(selectinload(Task.dossier).joinedload(Dossier.procedure), selectinload(Task.assignee))
            .order_by(*order, Task.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    return InboxPage(tasks, counts, total, page, pages, now, soon_before, filt)
