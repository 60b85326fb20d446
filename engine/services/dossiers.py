"""Showing dossiers to staff, and the public status lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import codes
from engine.models import Dossier, HistoryEvent, User
from engine.services.access import require_view
from engine.services.errors import NotFound
from engine.services.receive import receive_dossier
from engine.status import DossierStatus

# Moves inside the agency that tell the applicant nothing: who took or handed a task around.
INTERNAL_ACTIONS = ("claim", "release", "assign", "recall", "attach", "migrate")


def get_dossier(session: Session, actor: User, code: str) -> Dossier:
    """A dossier by code, for the staff of the units that hold it (see access.can_view_dossier)."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == code.strip())).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã “{code}”.")
    require_view(session, actor, dossier)
    return dossier


@dataclass(frozen=True)
class PublicStep:
    title: str
    unit: str
    at: datetime


@dataclass(frozen=True)
class PublicStatus:
    """What anyone may learn from a dossier code: no names, numbers or addresses."""

    code: str
    procedure_name: str
    status: DossierStatus
    received_at: datetime
    due_at: datetime | None
    returned_at: datetime | None
    steps: list[PublicStep]


def lookup_public(session: Session, code: str) -> PublicStatus:
    code = (code or "").strip().upper()
    if not codes.is_dossier_code(code):
        raise NotFound("Mã hồ sơ không đúng định dạng (ví dụ 000.00.01.H10-260115-0001).")
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã “{code}”. Hãy kiểm tra lại mã trên giấy tiếp nhận.")
    events = session.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.dossier_id == dossier.id, HistoryEvent.action.not_in(INTERNAL_ACTIONS))
        .order_by(HistoryEvent.id)
    ).all()
    return PublicStatus(
        code=dossier.code,
        procedure_name=dossier.procedure.name,
        status=DossierStatus(dossier.status),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        returned_at=dossier.returned_at,
        steps=[PublicStep(title=e.from_step, unit=e.to_unit, at=e.at) for e in events],
    )


__all__ = ["PublicStatus", "PublicStep", "get_dossier", "lookup_public", "receive_dossier"]
