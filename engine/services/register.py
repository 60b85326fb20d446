"""The Mẫu 07 register (sổ theo dõi hồ sơ): one row per dossier received in the period.

Every dossier received is written in the register, refused and stopped ones included (its
note says how it ended), in order of reception. The screen reads it a page at a time; an
export reads it whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Dossier, Procedure, Task, Unit
from engine.services.errors import InvalidInput
from engine.services.report_scope import ReportScope
from engine.status import DossierStatus

PAGE_SIZE = 50
REGISTER = Dossier.__table__


@dataclass(frozen=True)
class RegisterRow:
    """The columns of Mẫu 07 (domain.md §3); ``signature`` is left for the receiver's hand."""

    number: int
    code: str
    procedure_name: str
    sets_count: int
    applicant: str
    address_phone: str
    department: str
    received_at: datetime
    due_at: datetime | None
    sent_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat()
        return out


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    pages: int


def _where(scope: ReportScope) -> list[Any]:
    c, period = REGISTER.c, scope.period
    where = [c.received_at >= period.start_at, c.received_at < period.end_before]
    if scope.unit_ids is not None:
        where.append(c.department_id.in_(scope.unit_ids))
    return where


def _note(status: int, refusal: str, stop: str, extensions: int) -> str:
    parts = [DossierStatus(status).label]
    if status == DossierStatus.REFUSED and refusal:
        parts.append(f"Lý do: {refusal}")
    if status == DossierStatus.STOPPED and stop:
        parts.append(f"Lý do: {stop}")
    if extensions:
        parts.append(f"Gia hạn {extensions} lần")
    return ". ".join(parts)


def _rows(session: Session, scope: ReportScope, offset: int, limit: int | None) -> list[RegisterRow]:
    c, t = REGISTER.c, Task.__table__.c
    # Sent to the department: its first step there; the result back: the end of processing.
    sent = select(func.min(t.created_at)).where(t.dossier_id == c.id, t.unit_id == c.department_id).scalar_subquery()
    columns = (
        c.code, Procedure.name.label("procedure_name"), c.sets_count, c.applicant_name, c.organisation_name,
        c.address, c.phone, Unit.name.label("department"), c.received_at, c.due_at, sent.label("sent_at"),
        c.finished_at, c.returned_at, c.status, c.refusal_reason, c.stop_reason, c.extension_count,
    )  # fmt: skip
    query = (
        select(*columns)
        .select_from(REGISTER.join(Procedure, Procedure.id == c.procedure_id).join(Unit, Unit.id == c.department_id))
        .where(*_where(scope))
        .order_by(c.received_at, c.id)
        .offset(offset)
        .limit(limit)
    )
    rows = []
    for number, r in enumerate(session.execute(query), start=offset + 1):
        applicant = f"{r.organisation_name} ({r.applicant_name})" if r.organisation_name else r.applicant_name
        rows.append(
            RegisterRow(
                number=number,
                code=r.code,
                procedure_name=r.procedure_name,
                sets_count=r.sets_count,
                applicant=applicant,
                address_phone=", ".join(x for x in (r.address, r.phone) if x),
                department=r.department,
                received_at=r.received_at,
                due_at=r.due_at,
                sent_at=r.sent_at,
                result_at=r.finished_at,
                returned_at=r.returned_at,
                note=_note(r.status, r.refusal_reason, r.stop_reason, r.extension_count),
            )
        )
    return rows


def register_count(session: Session, scope: ReportScope) -> int:
    """How many dossiers the register of the period holds."""
    return session.execute(select(func.count()).select_from(REGISTER).where(*_where(scope))).scalar_one()


def register_page(session: Session, scope: ReportScope, page: int = 1) -> RegisterPage:
    """One screen of the register; ``page`` starts at 1 and is clamped to the pages there are."""
    total = register_count(session, scope)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    return RegisterPage(_rows(session, scope, (page - 1) * PAGE_SIZE, PAGE_SIZE), total, page, pages)


def register_rows(session: Session, scope: ReportScope, limit: int | None = None) -> list[RegisterRow]:
    """The whole register of the period, for an export; refused past ``limit`` rows (a file
    nobody can open or print is not made at the database's expense)."""
    if limit is not None:
        total = register_count(session, scope)
        if total > limit:
            count, most = (f"{n:,}".replace(",", ".") for n in (total, limit))
            raise InvalidInput(
                {"format": f"Sổ có {count} hồ sơ, quá {most} dòng của một tệp tải về; hãy chọn kỳ ngắn hơn."}
            )
    return _rows(session, scope, 0, None)
