"""Biểu 06/VPCP/KSTT, the per-procedure and per-officer reports, and the QĐ 766 indicators.

What is counted (domain.md §5–§7), and the choices made where the texts leave room:

- Received = accepted dossiers. Not counted anywhere: status 1 (submitted online, not yet
  accepted), status 3 (refused at intake: never accepted), and a dossier waiting for
  supplements at intake (status 5 with no workflow yet: the legal time starts only when it is
  complete, and its reception date is then set anew).
- Withdrawn (7) and stopped (8) dossiers are left out of every column of Biểu 06: the form has
  no column for a dossier that ends without a result, and counting it as resolved would
  inflate the on-time share. They stay in the Mẫu 07 register (engine/services/register.py),
  whose note says why they ended. The figures of a past period therefore lose a dossier that
  was stopped afterwards.
- A dossier counts in a period when it was received by the period's end and not finished
  before its start. Received before the start: carried over (từ kỳ trước chuyển qua);
  otherwise newly received, online (channel 2) or in person / by post (channels 1 and 3).
- Resolved: status 9 or 10 with ``finished_at`` (the end of processing, not the return) within
  the period. Classified by local date against the due date's: earlier day = trước hạn; same
  day, or no due date = đúng hạn; later day = quá hạn. A dossier finished after the period is
  in progress for that period.
- In progress at the period's end: quá hạn if its due date is before the period's last day,
  otherwise trong hạn (due on the last day is still within time, as finishing on the due
  date is on time). Paused for a supplement at the period's end: the clock stands still, so
  it is judged on the day the pause began (engine/services/report_sql.open_late). Figures use
  the dossier's current due date, moved by past pauses and extensions.
- Units: a dossier belongs to the department that resolves it (``dossier.department_id``).

Every figure comes from one aggregate query per grouping (COUNT ... FILTER over the dossiers
alive in the period); nothing is cached.

Average resolution time is in calendar days, from reception to the end of processing,
computed in SQL: working days would need the agency calendar per dossier, which SQL cannot
apply cheaply; the procedure's legal time is shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from engine.models import Attachment, Field, Payment, Procedure, SatisfactionRating, Task, Unit, User
from engine.services.report_scope import ReportScope
from engine.services.report_sql import (
    DOSSIER,
    accepted,
    alive_in,
    days_between,
    finished_in,
    in_units,
    open_late,
    timeliness,
)
from engine.status import Channel

# The national form's two header rows: each group over its columns, (3) to (13).
BIEU_06_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
BIEU_06_HEADER: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Số hồ sơ nhận giải quyết",
        (
            "Tổng số",
            "Từ kỳ trước chuyển qua",
            "Mới tiếp nhận trực tuyến",
            "Mới tiếp nhận trực tiếp, bưu chính công ích",
        ),
    ),
    ("Số hồ sơ đã giải quyết", ("Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn")),
    ("Số hồ sơ đang giải quyết", ("Tổng số", "Trong hạn", "Quá hạn")),
)


@dataclass
class Bieu06Row:
    """One line of Biểu 06: a field or a unit, or the totals."""

    code: str
    label: str
    carried: int = 0
    new_online: int = 0
    new_in_person_or_post: int = 0
    resolved_before: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    open_within: int = 0
    open_late: int = 0

    @property
    def received_total(self) -> int:
        return self.carried + self.new_online + self.new_in_person_or_post

    @property
    def resolved_total(self) -> int:
        return self.resolved_before + self.resolved_on_time + self.resolved_late

    @property
    def open_total(self) -> int:
        return self.open_within + self.open_late

    def columns(self) -> list[int]:
        """The 11 figures in the order of the form, columns (3) to (13)."""
        return [
            self.received_total, self.carried, self.new_online, self.new_in_person_or_post,
            self.resolved_total, self.resolved_before, self.resolved_on_time, self.resolved_late,
            self.open_total, self.open_within, self.open_late,
        ]  # fmt: skip

    def add(self, other: Bieu06Row) -> None:
        for f in fields(self):
            if f.type in ("int", int):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "received": {
                "total": self.received_total,
                "carried_over": self.carried,
                "new_online": self.new_online,
                "new_in_person_or_post": self.new_in_person_or_post,
            },
            "resolved": {
                "total": self.resolved_total,
                "before_time": self.resolved_before,
                "on_time": self.resolved_on_time,
                "late": self.resolved_late,
            },
            "in_progress": {"total": self.open_total, "within_time": self.open_within, "late": self.open_late},
        }


@dataclass
class Bieu06:
    scope: ReportScope
    rows: list[Bieu06Row]
    total: Bieu06Row


def _bieu06_counts(scope: ReportScope) -> dict[str, ColumnElement[Any]]:
    c, period = DOSSIER.c, scope.period
    finished = finished_in(period)
    new = c.received_at >= period.start_at
    timely = timeliness(finished, c.finished_at, c.due_at)
    return {
        "carried": func.count().filter(c.received_at < period.start_at),
        "new_online": func.count().filter(and_(new, c.channel == Channel.ONLINE.value)),
        "new_in_person_or_post": func.count().filter(and_(new, c.channel != Channel.ONLINE.value)),
        "resolved_before": func.count().filter(timely["before"]),
        "resolved_on_time": func.count().filter(timely["on_time"]),
        "resolved_late": func.count().filter(timely["late"]),
        "open_within": func.count().filter(and_(~finished, ~open_late(period))),
        "open_late": func.count().filter(and_(~finished, open_late(period))),
    }


def bieu_06(session: Session, scope: ReportScope) -> Bieu06:
    """Biểu 06 per field or per unit (``scope.by``), with the totals row; ``scope`` comes from
    report_scope.resolve_scope, which has checked the actor."""
    counts = _bieu06_counts(scope)
    where = [accepted(), *alive_in(scope.period), *in_units(scope)]
    if scope.by == "field":
        key = Procedure.field_id
        query = select(key, *counts.values()).select_from(
            DOSSIER.join(Procedure.__table__, Procedure.id == DOSSIER.c.procedure_id)
        )
        names = {f.id: (f.code, f.name) for f in session.scalars(select(Field))}
    else:
        key = DOSSIER.c.department_id
        query = select(key, *counts.values()).select_from(DOSSIER)
        names = {u.id: (u.code, u.name) for u in session.scalars(select(Unit))}
    rows = []
    for group, *values in session.execute(query.where(*where).group_by(key)).all():
        code, label = names.get(group, ("", "(không rõ)"))
        rows.append(Bieu06Row(code, label, **dict(zip(counts, values, strict=True))))
    rows.sort(key=lambda row: (row.label, row.code))
    total = Bieu06Row("", "Tổng cộng")
    for row in rows:
        total.add(row)
    return Bieu06(scope, rows, total)


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name: str
    legal_time: str
    received: int
    resolved: int
    before: int
    on_time: int
    late: int
    open: int
    average_days: float | None

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["average_days"] = None if self.average_days is None else round(self.average_days, 2)
        return out


def per_procedure(session: Session, scope: ReportScope) -> list[ProcedureRow]:
    """Per procedure: newly received, resolved (before / on / late), still open, average days to resolve."""
    c, period = DOSSIER.c, scope.period
    finished = finished_in(period)
    timely = timeliness(finished, c.finished_at, c.due_at)
    query = (
        select(
            c.procedure_id,
            func.count().filter(c.received_at >= period.start_at),
            func.count().filter(finished),
            func.count().filter(timely["before"]),
            func.count().filter(timely["on_time"]),
            func.count().filter(timely["late"]),
            func.count().filter(~finished),
            func.avg(days_between(c.received_at, c.finished_at)).filter(finished),
        )
        .where(accepted(), *alive_in(period), *in_units(scope))
        .group_by(c.procedure_id)
    )
    procedures = {p.id: p for p in session.scalars(select(Procedure))}
    rows = []
    for procedure_id, received, resolved, before, on_time, late, open_, average in session.execute(query):
        p = procedures[procedure_id]
        average_days = None if average is None else float(average)
        rows.append(
            ProcedureRow(p.code, p.name, p.time_label, received, resolved, before, on_time, late, open_, average_days)
        )
    return sorted(rows, key=lambda row: row.code)


@dataclass(frozen=True)
class OfficerRow:
    username: str
    full_name: str
    unit_name: str
    dossiers: int
    steps: int
    on_time: int
    late: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def per_officer(session: Session, scope: ReportScope) -> list[OfficerRow]:
    """Per officer: the steps they completed in the period, and on the dossiers of how many, each
    on time or late by the step's own due date (same date rule as Biểu 06; no due date: on time)."""
    t, period = Task.__table__.c, scope.period
    done = and_(t.closed_at >= period.start_at, t.closed_at < period.end_before)
    timely = timeliness(done, t.closed_at, t.due_at)
    where = [t.outcome == "completed", t.completed_by_id.is_not(None), done]
    if scope.unit_ids is not None:
        where.append(t.unit_id.in_(scope.unit_ids))
    query = (
        select(
            t.completed_by_id,
            func.count(t.dossier_id.distinct()),
            func.count(),
            func.count().filter(or_(timely["before"], timely["on_time"])),
            func.count().filter(timely["late"]),
        )
        .where(*where)
        .group_by(t.completed_by_id)
    )
    counts = session.execute(query).all()
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([row[0] for row in counts])))}
    rows = [
        OfficerRow(users[uid].username, users[uid].full_name, users[uid].unit.name, dossiers, steps, on_time, late)
        for uid, dossiers, steps, on_time, late in counts
    ]
    return sorted(rows, key=lambda row: (row.unit_name, row.full_name))


@dataclass(frozen=True)
class Indicator:
    """One QĐ 766 indicator: a share in percent, or None with the reason when the data lacks it."""

    key: str
    label: str
    numerator: int | None
    denominator: int | None
    note: str = ""

    @property
    def percent(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return round(100.0 * self.numerator / self.denominator, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "percent": self.percent,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "note": self.note,
        }


NO_DATA = "chưa có dữ liệu"
SATISFIED = 3  # "Hài lòng" and "Rất hài lòng" on the portals' four-level scale


def _payments_and_satisfaction(session: Session, scope: ReportScope) -> list[Indicator]:
    """Fees paid online among fees paid in the period, and satisfied ratings among ratings given in it."""
    period, c = scope.period, DOSSIER.c
    paid_online, paid = session.execute(
        select(func.count().filter(Payment.provider != "cash"), func.count())
        .select_from(Payment)
        .join(DOSSIER, c.id == Payment.dossier_id)
        .where(
            Payment.status == "paid",
            Payment.paid_at >= period.start_at,
            Payment.paid_at < period.end_before,
            *in_units(scope),
        )
    ).one()
    satisfied, rated = session.execute(
        select(func.count().filter(SatisfactionRating.overall >= SATISFIED), func.count())
        .select_from(SatisfactionRating)
        .join(DOSSIER, c.id == SatisfactionRating.dossier_id)
        .where(
            SatisfactionRating.rated_at >= period.start_at,
            SatisfactionRating.rated_at < period.end_before,
            *in_units(scope),
        )
    ).one()
    return [
        Indicator(
            "online_payment",
            "Tỷ lệ thanh toán trực tuyến",
            paid_online,
            paid,
            "Khoản phí, lệ phí đã nộp trong kỳ qua cổng thanh toán trực tuyến." if paid else NO_DATA,
        ),
        Indicator(
            "satisfaction",
            "Tỷ lệ hài lòng của người dân, doanh nghiệp",
            satisfied,
            rated,
            "Đánh giá trong kỳ ở mức Hài lòng hoặc Rất hài lòng." if rated else NO_DATA,
        ),
    ]


def qd_766(session: Session, scope: ReportScope) -> tuple[list[Indicator], list[ProcedureRow]]:
    """The QĐ 766 indicators the data allows, and the average resolution time per procedure."""
    total = bieu_06(session, scope).total
    period = scope.period
    c = DOSSIER.c
    new_where = [accepted(), c.received_at >= period.start_at, c.received_at < period.end_before, *in_units(scope)]
    received, digitised = session.execute(
        select(
            func.count(),
            func.count().filter(select(Attachment.id).where(Attachment.dossier_id == c.id).exists()),
        ).where(*new_where)
    ).one()
    proc_where = [Procedure.active.is_(True)]
    if scope.unit_ids is not None:
        proc_where.append(Procedure.department_id.in_(scope.unit_ids))
    offered, online = session.execute(
        select(func.count(), func.count().filter(Procedure.online_level.in_(("toan_trinh", "mot_phan")))).where(
            *proc_where
        )
    ).one()
    indicators = [
        Indicator(
            "resolved_in_time",
            "Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn",
            total.resolved_before + total.resolved_on_time,
            total.resolved_total,
        ),
        Indicator("procedures_online", "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến", online, offered),
        Indicator(
            "dossiers_online",
            "Tỷ lệ hồ sơ nộp trực tuyến",
            total.new_online,
            total.new_online + total.new_in_person_or_post,
        ),
        Indicator(
            "digitised",
            "Tỷ lệ hồ sơ có thành phần được số hóa",
            digitised,
            received,
            "Hồ sơ tiếp nhận trong kỳ có ít nhất một tệp đính kèm.",
        ),
        *_payments_and_satisfaction(session, scope),
    ]
    return indicators, per_procedure(session, scope)
