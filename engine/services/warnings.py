"""Warnings: open dossiers due soon or overdue, by the person who holds them, by department, by how late.

A dossier is due soon or overdue by its own ``due_at`` (the date promised to the
applicant), compared with now when asked; dossiers waiting for a supplement are left
out, since their clock is paused. "Due soon" is the inbox's rule (see
``dashboard.soon_window``). Lateness is counted in calendar days since the due time
(up to 1 day, 2–3, 4–7, more than 7): a leader reads it as "how long the applicant has
been waiting past the promise", and it needs no calendar per row.

A leader sees the dossiers of their unit and the units under it; anyone else sees the
dossiers whose open task they may act on (as in their inbox), nobody else's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Dossier, Procedure, Task, Unit, User
from engine.services.dashboard import RUNNING_STATUSES, soon_window
from engine.services.errors import InvalidInput
from engine.services.inbox import actionable
from engine.services.oversight import Oversight, oversight_of

LIST_LIMIT = 200
STATES = ("", "soon", "overdue")


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    min_days: int  # late by more than this many calendar days
    max_days: int | None  # and at most this many


BUCKETS = (
    Bucket("1", "Quá hạn đến 1 ngày", 0, 1),
    Bucket("2-3", "Quá hạn 2–3 ngày", 1, 3),
    Bucket("4-7", "Quá hạn 4–7 ngày", 3, 7),
    Bucket("8+", "Quá hạn trên 7 ngày", 7, None),
)


@dataclass(frozen=True)
class Group:
    key: str  # the drill-down parameter: "u<user id>", "p<unit id>" (unclaimed in a unit), "none", or a unit id
    label: str
    due_soon: int
    overdue: int


@dataclass(frozen=True)
class WarningFilter:
    state: str = ""  # "", "soon" or "overdue"
    person: str = ""  # a Group.key of the person grouping
    unit_id: int | None = None
    bucket: str = ""


@dataclass(frozen=True)
class Row:
    code: str
    applicant_name: str
    procedure_name: str
    department: str
    due_at: datetime | None
    holders: str
    late_days: int | None  # whole calendar days past due (0: less than a day); None when not late


@dataclass(frozen=True)
class Warnings:
    now: datetime
    soon_before: datetime
    leader: bool
    by_person: list[Group]
    by_unit: list[Group]
    by_lateness: list[tuple[Bucket, int]]
    rows: list[Row]
    filter: WarningFilter
    more: bool  # the list was cut at LIST_LIMIT

    @property
    def due_soon(self) -> int:
        return sum(group.due_soon for group in self.by_unit)

    @property
    def overdue(self) -> int:
        return sum(group.overdue for group in self.by_unit)


def parse_filter(args: Mapping[str, Any]) -> WarningFilter:
    """A WarningFilter from query parameters; a value that does not fit is refused by name."""
    errors: dict[str, str] = {}
    state = str(args.get("state") or "")
    if state not in STATES:
        errors["state"] = "Chọn “soon” (sắp đến hạn) hoặc “overdue” (quá hạn)."
    bucket = str(args.get("bucket") or "")
    if bucket and bucket not in {b.key for b in BUCKETS}:
        errors["bucket"] = f"Chọn một trong: {', '.join(b.key for b in BUCKETS)}."
    person = str(args.get("person") or "").strip()
    if person and not (person == "none" or (person[:1] in "up" and person[1:].isdigit() and len(person) < 12)):
        errors["person"] = "Người xử lý không hợp lệ."
    unit = str(args.get("unit") or "").strip()
    if unit and (not unit.isdigit() or len(unit) > 9):
        errors["unit"] = "Đơn vị phải là một số."
    if errors:
        raise InvalidInput(errors, "Bộ lọc chưa hợp lệ.")
    return WarningFilter(state=state, person=person, unit_id=int(unit) if unit else None, bucket=bucket)


def warnings(session: Session, actor: User, filt: WarningFilter | None = None, now: datetime | None = None) -> Warnings:
    """The warnings ``actor`` may see, grouped, and the dossiers of the chosen group."""
    filt = filt or WarningFilter()
    now = now or clock.now()
    soon_before = soon_window(session, actor, now)
    scope = oversight_of(session, actor)
    if filt.unit_id is not None and filt.unit_id not in scope.unit_ids:
        raise InvalidInput({"unit": "Đơn vị này không thuộc phạm vi bạn theo dõi."}, "Bộ lọc chưa hợp lệ.")
    visible = _visible(session, actor, scope, now)
    warned = and_(visible, Dossier.status.in_(RUNNING_STATUSES), Dossier.due_at <= soon_before)
    soon = Dossier.due_at >= now
    late = Dossier.due_at < now

    by_unit, by_lateness = _by_unit(session, scope, warned, soon, late, now)
    rows, more = _rows(session, and_(warned, *_chosen(filt, soon, late, now)), now)
    return Warnings(
        now=now,
        soon_before=soon_before,
        leader=scope.leader,
        by_person=_by_person(session, scope, warned, soon, late),
        by_unit=by_unit,
        by_lateness=by_lateness,
        rows=rows,
        filter=filt,
        more=more,
    )


def _visible(session: Session, actor: User, scope: Oversight, now: datetime) -> Any:
    if scope.leader:
        return scope.dossiers()
    mine = select(Task.id).where(
        Task.dossier_id == Dossier.id, Task.closed_at.is_(None), actionable(session, actor, now)
    )
    return _exists(mine)


def _exists(query: Any) -> Any:
    """EXISTS over ``task`` rows of the outer dossier, even inside a query that joins ``task`` itself."""
    return exists(query.correlate_except(Task))


def _late_between(bucket: Bucket, now: datetime) -> Any:
    condition = Dossier.due_at < now - timedelta(days=bucket.min_days) if bucket.min_days else Dossier.due_at < now
    if bucket.max_days is not None:
        condition = and_(condition, Dossier.due_at >= now - timedelta(days=bucket.max_days))
    return condition


def _chosen(filt: WarningFilter, soon: Any, late: Any, now: datetime) -> list[Any]:
    conditions: list[Any] = []
    if filt.state == "soon":
        conditions.append(soon)
    elif filt.state == "overdue":
        conditions.append(late)
    if filt.bucket:
        conditions.append(_late_between(next(b for b in BUCKETS if b.key == filt.bucket), now))
    if filt.unit_id is not None:
        conditions.append(Dossier.department_id == filt.unit_id)
    if filt.person:
        open_task = and_(Task.dossier_id == Dossier.id, Task.closed_at.is_(None))
        if filt.person == "none":
            conditions.append(~_exists(select(Task.id).where(open_task)))
        elif filt.person[0] == "u":
            conditions.append(_exists(select(Task.id).where(open_task, Task.assignee_id == int(filt.person[1:]))))
        else:
            pool = and_(open_task, Task.assignee_id.is_(None), Task.unit_id == int(filt.person[1:]))
            conditions.append(_exists(select(Task.id).where(pool)))
    return conditions


def _by_unit(
    session: Session, scope: Oversight, warned: Any, soon: Any, late: Any, now: datetime
) -> tuple[list[Group], list[tuple[Bucket, int]]]:
    """Per department: due soon and overdue, with the overdue split by lateness (one GROUP BY)."""
    columns = [func.count().filter(soon), func.count().filter(late)]
    columns += [func.count().filter(_late_between(bucket, now)) for bucket in BUCKETS]
    rows = session.execute(select(Dossier.department_id, *columns).where(warned).group_by(Dossier.department_id)).all()
    names = _unit_names(session, [row[0] for row in rows], scope)
    groups = [Group(str(row[0]), names.get(row[0], ""), row[1], row[2]) for row in rows]
    groups.sort(key=lambda group: (-group.overdue, -group.due_soon, group.label))
    lateness = [(bucket, sum(row[3 + i] for row in rows)) for i, bucket in enumerate(BUCKETS)]
    return groups, lateness


def _by_person(session: Session, scope: Oversight, warned: Any, soon: Any, late: Any) -> list[Group]:
    """Per holder of the dossiers' open tasks: a person, or "chưa ai nhận" in a unit (one GROUP BY)."""
    pool_unit = case((Task.assignee_id.is_(None), Task.unit_id), else_=None)
    rows = session.execute(
        select(
            Task.assignee_id,
            pool_unit,
            func.count(Dossier.id.distinct()).filter(soon),
            func.count(Dossier.id.distinct()).filter(late),
        )
        .select_from(Dossier)
        .outerjoin(Task, and_(Task.dossier_id == Dossier.id, Task.closed_at.is_(None)))
        .where(warned)
        .group_by(Task.assignee_id, pool_unit)
    ).all()
    people = dict(
        session.execute(select(User.id, User.full_name).where(User.id.in_([r[0] for r in rows if r[0]]))).all()
    )
    units = _unit_names(session, [r[1] for r in rows if r[1]], scope)
    groups = []
    for assignee_id, unit_id, due_soon, overdue in rows:
        if assignee_id is not None:
            groups.append(Group(f"u{assignee_id}", people.get(assignee_id, ""), due_soon, overdue))
        elif unit_id is not None:
            groups.append(Group(f"p{unit_id}", f"Chưa ai nhận · {units.get(unit_id, '')}", due_soon, overdue))
        else:
            groups.append(Group("none", "Không có bước đang mở", due_soon, overdue))
    groups.sort(key=lambda group: (-group.overdue, -group.due_soon, group.label))
    return groups


def _unit_names(session: Session, unit_ids: list[int], scope: Oversight) -> dict[int, str]:
    known = {unit.id: unit.name for unit in scope.units}
    missing = [unit_id for unit_id in unit_ids if unit_id not in known]
    if missing:
        known.update(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(missing))).all())
    return known


def _rows(session: Session, condition: Any, now: datetime) -> tuple[list[Row], bool]:
    """The chosen dossiers, most urgent first, with who holds each; at most LIST_LIMIT."""
    found = session.execute(
        select(Dossier.id, Dossier.code, Dossier.applicant_name, Procedure.name, Unit.name, Dossier.due_at)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Unit, Unit.id == Dossier.department_id)
        .where(condition)
        .order_by(Dossier.due_at, Dossier.id)
        .limit(LIST_LIMIT + 1)
    ).all()
    more = len(found) > LIST_LIMIT
    found = found[:LIST_LIMIT]
    holders = holders_of(session, [row[0] for row in found])
    rows = []
    for dossier_id, code, applicant, procedure, department, due_at in found:
        late_days = (now - due_at).days if due_at is not None and due_at < now else None
        rows.append(Row(code, applicant, procedure, department, due_at, holders.get(dossier_id, ""), late_days))
    return rows, more


def holders_of(session: Session, dossier_ids: list[int]) -> dict[int, str]:
    """Who holds each dossier's open tasks: names, or "chưa ai nhận (<unit>)"."""
    if not dossier_ids:
        return {}
    rows = session.execute(
        select(Task.dossier_id, User.full_name, Unit.name)
        .join(Unit, Unit.id == Task.unit_id)
        .outerjoin(User, User.id == Task.assignee_id)
        .where(Task.dossier_id.in_(dossier_ids), Task.closed_at.is_(None))
        .order_by(Task.dossier_id, Task.created_at)
    ).all()
    names: dict[int, list[str]] = {}
    for dossier_id, person, unit in rows:
        names.setdefault(dossier_id, []).append(person or f"chưa ai nhận ({unit})")
    return {dossier_id: ", ".join(parts) for dossier_id, parts in names.items()}
