"""The appointment the calendar gives for a reception: what kiosks and the portal tell people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Procedure, Unit
from engine.services.calendars import working_calendar
from engine.services.errors import InvalidInput
from engine.services.procedures import get_procedure


@dataclass(frozen=True)
class Appointment:
    procedure: Procedure
    unit: Unit
    received_at: datetime
    counts_from: datetime  # the next opening if received outside office hours
    due_at: datetime | None


def appointment_for(
    session: Session, procedure_code: str, unit_code: str | None, received_at: datetime | None
) -> Appointment:
    """Due date for a dossier of ``procedure_code`` received at ``unit_code`` at ``received_at`` (default now)."""
    errors: dict[str, str] = {}
    procedure = None
    try:
        procedure = get_procedure(session, (procedure_code or "").strip())
    except Exception as err:  # NotFound: reported per field below
        errors["procedure_code"] = getattr(err, "message", "Không tìm thấy thủ tục.")
    unit = None
    if unit_code:
        unit = session.scalars(select(Unit).where(Unit.code == unit_code.strip())).first()
        if unit is None:
            errors["unit"] = f"Không tìm thấy đơn vị có mã “{unit_code}”."
    if errors:
        raise InvalidInput(errors)
    assert procedure is not None
    if unit is None:
        unit = procedure.agency
    moment = received_at or clock.now()
    calendar = working_calendar(session, unit)
    return Appointment(
        procedure=procedure,
        unit=unit,
        received_at=moment,
        counts_from=calendar.next_opening(moment),
        due_at=calendar.due_at(moment, procedure.time_kind, procedure.time_value),
    )
