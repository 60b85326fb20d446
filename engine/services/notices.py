"""Mẫu 04, 05 and 06 of a dossier, filled from what the database holds; staff of its agency only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.documents.notices import ApologyData, ControlRow, ControlSlipData, StopData
from engine.models import Extension, HistoryEvent, Unit, User
from engine.services.calendars import unit_name
from engine.services.documents import place_of
from engine.services.dossiers import get_dossier
from engine.services.errors import NotFound
from engine.status import DossierStatus

NOTICE_TITLES = {
    "mau-04": "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
    "mau-05": "Thông báo dừng giải quyết hồ sơ",
    "mau-06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}
APPLICANT_UNIT = "Người nộp hồ sơ"

# History actions that move the dossier from one holder to another: one row each on Mẫu 06.
# Claiming or releasing a task, comments, extensions and stops do not hand the dossier over.
HANDOVER_ACTIONS = frozenset(
    {
        "receive",
        "complete",
        "assign",
        "recall",
        "rework",
        "supplement_request",
        "supplement_requested",
        "supplement_received",
        "refused",
    }
)
# Actions where the dossier goes back to the applicant.
TO_APPLICANT = frozenset({"supplement_request", "supplement_requested", "refused"})
ACTION_NOTES = {
    "recall": "Thu hồi",
    "rework": "Chuyển lại để xử lý lại",
    "supplement_request": "Yêu cầu bổ sung hồ sơ",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "refused": "Từ chối tiếp nhận",
}




def mau04_data(session: Session, actor: User, code: str, sequence: int | None = None) -> ApologyData:
    """Mẫu 04 of the dossier's latest extension (or of its ``sequence``-th, counting from 1)."""
    dossier = get_dossier(session, actor, code)
    query = select(Extension).where(Extension.dossier_id == dossier.id).order_by(Extension.at, Extension.id)
    extensions = list(session.scalars(query))
    if not extensions:
        raise NotFound(
            "Hồ sơ này chưa gia hạn lần nào nên chưa có văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)."
        )
    if sequence is None:
        sequence = len(extensions)
    if not 1 <= sequence <= len(extensions):
        raise NotFound(f"Hồ sơ này chỉ có {len(extensions)} lần gia hạn.")
    extension = extensions[sequence - 1]
    agency_name = unit_name(session, dossier.agency_id)
    return ApologyData(
        agency_name=agency_name,
        unit_name=unit_name(session, dossier.department_id),
        receiving_unit=dossier.receiving_unit.name,
        place=place_of(agency_name),
        issued_at=extension.at,
        dossier_code=dossier.code,
        applicant_name=dossier.applicant_name,
        address=dossier.address,
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        previous_due_at=extension.previous_due_at,
        new_due_at=extension.new_due_at,
        reason=extension.reason,
        unit_at_fault=extension.unit_at_fault,
        sequence=sequence,
    )


def mau05_data(session: Session, actor: User, code: str) -> StopData:
    """Mẫu 05 of a dossier whose processing was stopped."""
    dossier = get_dossier(session, actor, code)
    stop = session.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.dossier_id == dossier.id, HistoryEvent.action == "stop")
        .order_by(HistoryEvent.id.desc())
        .limit(1)
    ).first()
    if stop is None and dossier.status != DossierStatus.STOPPED:
        raise NotFound("Hồ sơ này không bị dừng giải quyết nên không có thông báo dừng giải quyết (Mẫu 05).")
    agency_name = unit_name(session, dossier.agency_id)
    stopped_at = stop.at if stop else (dossier.finished_at or clock.now())
    return StopData(
        agency_name=agency_name,
        unit_name=unit_name(session, dossier.department_id),
        receiving_unit=dossier.receiving_unit.name,
        place=place_of(agency_name),
        issued_at=stopped_at,
        dossier_code=dossier.code,
        applicant_name=dossier.applicant_name,
        id_number=dossier.id_number,
        address=dossier.address,
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        stopped_at=stopped_at,
        reason=dossier.stop_reason or (stop.note if stop else ""),
    )


def control_rows(
    events: list[HistoryEvent], actor_units: dict[int, str], applicant_name: str
) -> tuple[ControlRow, ...]:
    """One Mẫu 06 row per handover in ``events`` (in order); ``actor_units`` names each actor's unit."""
    rows: list[ControlRow] = []
    holder = ("", "")  # who holds the dossier after the previous handover
    for event in events:
        if event.action not in HANDOVER_ACTIONS:
            continue
        actor_unit = actor_units.get(event.actor_id, "") if event.actor_id else ""
        giver = (actor_unit, event.actor_name)
        if event.action == "recall":  # the one who forwarded it takes it back from whoever held it
            giver = holder if any(holder) else giver
        elif event.action == "supplement_received":
            giver = (APPLICANT_UNIT, applicant_name)
        if event.action in TO_APPLICANT or (event.action == "complete" and not event.to_step):
            receiver = (APPLICANT_UNIT, applicant_name)  # the result or the dossier goes back to the applicant
        elif event.action == "supplement_received" and not event.to_unit:
            receiver = (actor_unit, event.actor_name)
        else:
            receiver = (event.to_unit, event.to_person)
        label = ACTION_NOTES.get(event.action, "")
        if event.action == "complete" and not event.to_step:
            label = "Trả kết quả"
        note = event.note.strip()
        if label and not note.startswith(label):
            note = f"{label}: {note}" if note else label
        rows.append(
            ControlRow(
                giver_unit=giver[0],
                giver_name=giver[1],
                receiver_unit=receiver[0],
                receiver_name=receiver[1],
                at=event.at,
                due_at=event.step_due_at,
                note=note,
            )
        )
        holder = receiver
    return tuple(rows)


def mau06_data(session: Session, actor: User, code: str) -> ControlSlipData:
    """Mẫu 06: the control slip of the dossier, one row per handover in its history."""
    dossier = get_dossier(session, actor, code)
    events = list(
        session.scalars(select(HistoryEvent).where(HistoryEvent.dossier_id == dossier.id).order_by(HistoryEvent.id))
    )
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actor_units: dict[int, str] = {}
    if actor_ids:
        query = select(User.id, Unit.name).join(Unit, Unit.id == User.unit_id).where(User.id.in_(actor_ids))
        actor_units = dict(session.execute(query).tuples().all())
    agency_name = unit_name(session, dossier.agency_id)
    return ControlSlipData(
        agency_name=agency_name,
        unit_name=dossier.receiving_unit.name,
        place=place_of(agency_name),
        issued_at=clock.now(),
        dossier_code=dossier.code,
        applicant_name=dossier.organisation_name or dossier.applicant_name,
        procedure_name=dossier.procedure.name,
        handling_unit=unit_name(session, dossier.department_id),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        rows=control_rows(events, actor_units, dossier.applicant_name),
    )
