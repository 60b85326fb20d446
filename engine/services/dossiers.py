"""Receiving dossiers, showing them to staff, and the public status lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, codes
from engine.forms import FormRegistry
from engine.models import Dossier, DossierComponent, HistoryEvent, User
from engine.roles import Role, role_for_lane
from engine.services import advance
from engine.services.access import agency_id_of, require_view
from engine.services.calendars import working_calendar
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.services.procedures import get_procedure, latest_version
from engine.services.reception import clean_reception
from engine.status import DossierStatus
from engine.text import fold
from engine.workflow import parse_process, start_instance


def receive_dossier(session: Session, actor: User, payload: Any, forms: FormRegistry) -> Dossier:
    """Receive a complete dossier at the counter: give it a code and start its workflow.

    ``payload`` is what the counter typed (see ReceptionSchema). The reception
    step of the process is completed by this call, on behalf of ``actor``.
    """
    if not actor.has_role(Role.COUNTER_OFFICER):
        raise Forbidden("Chỉ cán bộ bộ phận một cửa mới được tiếp nhận hồ sơ.")
    clean, errors = clean_reception(payload)
    if errors:
        raise InvalidInput(errors)
    try:
        procedure = get_procedure(session, clean["procedure_code"])
    except NotFound as err:
        raise InvalidInput({"procedure_code": err.message}) from err
    if procedure.agency_id != agency_id_of(actor):
        raise Forbidden("Thủ tục này không thuộc cơ quan của bạn.")

    by_id = {component.id: component for component in procedure.components}
    ticked = set(clean["components"])
    unknown = ticked - set(by_id)
    if unknown:
        raise InvalidInput({"components": "Thành phần hồ sơ không thuộc thủ tục này."})
    missing = [c.name for c in procedure.components if c.required and c.id not in ticked]
    if missing:
        raise InvalidInput({"components": "Còn thiếu thành phần bắt buộc: " + "; ".join(missing) + "."})

    version = latest_version(session, procedure.process_key)
    if version is None:
        raise Conflict("Thủ tục này chưa có quy trình được triển khai. Hãy báo người thiết kế quy trình.")
    process = parse_process(version.bpmn_xml, version.process_key)
    instance = start_instance(process)
    ready = instance.ready_tasks()
    reception = next((t for t in ready if role_for_lane(t.step.lane) == Role.COUNTER_OFFICER), None)
    form_data: dict[str, Any] = {}
    if reception is not None and reception.step.form:
        form_data, form_errors = forms.get(reception.step.form).validate(clean["data"])
        if form_errors:
            raise InvalidInput({f"data.{k}": v for k, v in form_errors.items()})

    now = clock.now()
    calendar = working_calendar(session)
    counter = actor.unit
    applicant = clean["applicant"]
    dossier = Dossier(
        code=codes.next_code(session, counter.id, counter.code, now.date()),
        procedure_id=procedure.id,
        process_version_id=version.id,
        receiving_unit_id=counter.id,
        department_id=procedure.department_id,
        agency_id=procedure.agency_id,
        channel=clean["channel"],
        status=DossierStatus.ACCEPTED,
        applicant_name=applicant["full_name"],
        applicant_name_folded=fold(applicant["full_name"]),
        id_number=applicant["id_number"],
        phone=applicant["phone"],
        email=applicant["email"],
        address=applicant["address"],
        received_at=now,
        due_at=calendar.due_at(now, procedure.time_kind, procedure.time_value),
        received_by_id=actor.id,
        components=[
            DossierComponent(
                position=c.position,
                name=c.name,
                originals=c.originals,
                certified_copies=c.certified_copies,
                photocopies=c.photocopies,
                submitted=c.id in ticked,
            )
            for c in procedure.components
        ],
    )
    session.add(dossier)
    session.flush()

    from_step = ""
    if reception is not None:
        instance.complete(reception.id, form_data)
        from_step = reception.step.title
    open_rows = advance.sync_tasks(session, dossier, instance, calendar, now, [])
    advance.save_state(session, dossier, instance, now, new=True)
    advance.record(
        session,
        dossier,
        actor,
        "receive",
        now,
        from_step=from_step or "Tiếp nhận hồ sơ",
        open_rows=open_rows,
        data=form_data,
    )
    session.flush()
    return dossier


def get_dossier(session: Session, actor: User, code: str) -> Dossier:
    """A dossier by code, for staff of its agency."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == code.strip())).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã “{code}”.")
    require_view(actor, dossier)
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
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier.id).order_by(HistoryEvent.id)
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
