"""Receiving a dossier at the counter: accept it, ask for supplements, or refuse it (Mẫu 01–03)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import clock, codes
from engine.forms import FormDefinition, FormField, FormRegistry
from engine.models import Dossier, DossierComponent, Procedure, ProcessVersion, User, WorkflowState
from engine.roles import Role, role_for_lane
from engine.services import advance, events
from engine.services.access import agency_id_of, require_counter_of
from engine.services.attachments import NO_SCANS, Scans
from engine.services.calendars import working_calendar
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.services.procedures import get_procedure, latest_version, process_of_version
from engine.services.reception import clean_reception
from engine.status import DossierStatus
from engine.text import fold
from engine.workflow import WorkflowInstance, start_instance


def applicant_columns(applicant: dict[str, Any]) -> dict[str, Any]:
    """The dossier's applicant columns from validated applicant data (ApplicantSchema), the folded name included."""
    return {
        "applicant_kind": applicant["kind"],
        "organisation_name": applicant["organisation_name"],
        "tax_code": applicant["tax_code"],
        "applicant_name": applicant["full_name"],
        "applicant_name_folded": fold(applicant["organisation_name"] + " " + applicant["full_name"]),
        "id_number": applicant["id_number"],
        "phone": applicant["phone"],
        "email": applicant["email"],
        "address": applicant["address"],
    }

def receive_dossier(
    session: Session,
    actor: User,
    payload: Any,
    forms: FormRegistry,
    *,
    scans: Scans = NO_SCANS,
) -> Dossier:
    """Receive a dossier at the counter and give it a code.

    ``payload`` is what the counter typed (see ReceptionSchema). With the
    outcome ``accept`` the workflow starts and its reception step is completed
    on behalf of ``actor`` (status 2); with ``supplement`` the dossier waits for
    the missing components (status 5, not started); with ``refuse`` it is
    refused at intake (status 3). Everything is validated before anything is
    written, so a refusal by validation leaves no trace.
    """
    if not actor.has_role(Role.COUNTER_OFFICER):
        raise Forbidden("Chỉ cán bộ bộ phận một cửa mới được tiếp nhận hồ sơ.")
    now = clock.now()
    clean, errors = clean_reception(payload, now)
    if errors:
        raise InvalidInput(errors)
    try:
        procedure = get_procedure(session, clean["procedure_code"])
    except NotFound as err:
        raise InvalidInput({"procedure_code": err.message}) from err
    if procedure.agency_id != agency_id_of(actor):
        raise Forbidden("Thủ tục này không thuộc cơ quan của bạn.")

    components, errors = _components(procedure, clean)
    errors.update(scans.errors())
    outcome = clean["outcome"]
    if outcome == "accept":
        missing = [c.name for c in components if c.required and not c.submitted]
        if missing:
            errors.setdefault("components", "Còn thiếu thành phần bắt buộc: " + "; ".join(missing) + ".")
    version = latest_version(session, procedure.process_key)
    form_data: dict[str, Any] = {}
    if outcome == "accept":
        form_data, form_errors = reception_form(session, procedure, version, forms).validate(clean["data"])
        errors.update({f"data.{k}": v for k, v in form_errors.items()})
    if errors:
        raise InvalidInput(errors)
    if version is None and outcome == "accept":
        raise Conflict("Thủ tục này chưa có quy trình được triển khai. Hãy báo người thiết kế quy trình.")

    counter = actor.unit
    received_at = clean["received_at"] or now
    applicant = clean["applicant"]
    dossier = Dossier(
        code=codes.next_code(session, counter.id, counter.code, received_at.date()),
        procedure_id=procedure.id,
        receiving_unit_id=counter.id,
        department_id=procedure.department_id,
        agency_id=procedure.agency_id,
        channel=clean["channel"],
        status=DossierStatus.ACCEPTED,
        **applicant_columns(applicant),
        received_at=received_at,
        received_by_id=actor.id,
        sets_count=clean["sets_count"],
        return_method=clean["return_method"],
        components=components,
    )
    session.add(dossier)
    session.flush()
    by_catalogue_id = {
        c_id: row for c_id, row in zip(_catalogue_ids(procedure, clean), components, strict=False) if c_id
    }
    scans.save(session, dossier, actor, by_catalogue_id)

    if outcome == "accept":
        assert version is not None
        start_workflow(session, dossier, version, actor, form_data, received_at)
    elif outcome == "supplement":
        dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
        dossier.paused_at = received_at
        advance.record(
            session,
            dossier,
            actor,
            "supplement_requested",
            now,
            from_step="Tiếp nhận hồ sơ",
            data={"note": "; ".join(f"{c.name}: {c.missing_reason}" for c in components if c.missing_reason)},
        )
    else:
        dossier.status = DossierStatus.REFUSED
        dossier.refusal_reason = clean["reason"].strip()
        advance.record(
            session, dossier, actor, "refused", now, from_step="Tiếp nhận hồ sơ", data={"note": dossier.refusal_reason}
        )
    session.flush()
    events.status_changed(session, dossier, actor, 0, now)  # 0: new, so the applicant hears of it
    return dossier


def reception_form(
    session: Session, procedure: Procedure, version: ProcessVersion | None, forms: FormRegistry
) -> FormDefinition:
    """What the counter fills at reception: the procedure's application form, then the reception step's form."""
    fields: list[FormField] = []
    if procedure.application_form in forms.names():
        fields += forms.get(procedure.application_form).fields
    if version is not None:
        process = process_of_version(session, version.id)
        step = next((s for s in process.steps.values() if role_for_lane(s.lane) == Role.COUNTER_OFFICER), None)
        if step is not None and step.form in forms.names():
            names = {f.name for f in fields}
            fields += [f for f in forms.get(step.form).fields if f.name not in names]
    return FormDefinition(name="reception", title="Tờ khai và ghi chú tiếp nhận", fields=tuple(fields))


def start_workflow(
    session: Session,
    dossier: Dossier,
    version: ProcessVersion,
    actor: User,
    form_data: dict[str, Any],
    received_at: datetime,
) -> WorkflowInstance:
    """Start the dossier's workflow on ``version``, complete its reception step, set the appointment."""
    procedure: Procedure = dossier.procedure
    calendar = working_calendar(session, dossier.receiving_unit)
    dossier.process_version_id = version.id
    dossier.received_at = received_at
    dossier.due_at = calendar.due_at(received_at, procedure.time_kind, procedure.time_value)
    dossier.status = DossierStatus.ACCEPTED
    dossier.paused_at = None
    now = clock.now()
    instance = start_instance(process_of_version(session, version.id))
    reception = next((t for t in instance.ready_tasks() if role_for_lane(t.step.lane) == Role.COUNTER_OFFICER), None)
    from_step = "Tiếp nhận hồ sơ"
    if reception is not None:
        instance.complete(reception.id, form_data)
        from_step = reception.step.title
        # The reception step is done at the counter: kept as a closed inbox row, so that the
        # diagram marks it and the next holder's recall or rework can return the dossier to it.
        done = advance.new_row(session, dossier, reception, now, actor.id)
        done.assignee_id = done.completed_by_id = actor.id
        done.closed_at, done.outcome, done.due_at = now, "completed", None
        done.alert_pending = False
        session.add(done)
    plan = advance.plan_tasks(
        session,
        dossier,
        instance,
        now,
        [],
        opened_by_id=actor.id,
        opened_from_task_id=reception.id if reception is not None else None,
    )
    session.add_all(plan.new_rows)
    session.add(
        WorkflowState(dossier_id=dossier.id, state=instance.serialize(), completed=instance.completed, updated_at=now)
    )
    advance.record(
        session, dossier, actor, "receive", now, from_step=from_step, open_rows=plan.open_rows, data=form_data
    )
    return instance


def _catalogue_ids(procedure: Procedure, clean: dict[str, Any]) -> list[int | None]:
    """The catalogue id behind each row that _components builds, in the same order."""
    extras = [item for item in clean["components"] if item.get("id") is None]
    return [c.id for c in procedure.components] + [None] * len(extras)


def _components(procedure: Procedure, clean: dict[str, Any]) -> tuple[list[DossierComponent], dict[str, str]]:
    """The dossier's component rows: every catalogue component (ticked or not), then the extras."""
    errors: dict[str, str] = {}
    by_id = {c.id: c for c in procedure.components}
    ticked: dict[int, dict[str, Any]] = {}
    extras: list[dict[str, Any]] = []
    for index, item in enumerate(clean["components"]):
        if item.get("id") is None:
            extras.append(item)
        elif item["id"] not in by_id:
            errors[f"components.{index}"] = "Thành phần hồ sơ không thuộc thủ tục này."
        else:
            ticked[item["id"]] = item
    reasons = _missing_reasons(procedure, clean, errors)
    rows: list[DossierComponent] = []
    for component in procedure.components:
        item = ticked.get(component.id, {})
        rows.append(
            DossierComponent(
                position=component.position,
                name=component.name,
                required=component.required,
                originals=_count(item, "originals", component.originals),
                certified_copies=_count(item, "certified_copies", component.certified_copies),
                photocopies=_count(item, "photocopies", component.photocopies),
                submitted=component.id in ticked,
                missing_reason=reasons.get(component.id, ""),
            )
        )
    for offset, item in enumerate(extras, start=len(rows) + 1):
        rows.append(
            DossierComponent(
                position=offset,
                name=" ".join(item["name"].split()),
                required=False,
                extra=True,
                # No count typed: one original, the usual case; otherwise zero where nothing was typed.
                originals=_count(item, "originals", 0 if _any_count(item) else 1),
                certified_copies=_count(item, "certified_copies", 0),
                photocopies=_count(item, "photocopies", 0),
                submitted=True,
            )
        )
    return rows, errors


def _any_count(item: dict[str, Any]) -> bool:
    return any(item.get(key) is not None for key in ("originals", "certified_copies", "photocopies"))


def _count(item: dict[str, Any], key: str, default: int) -> int:
    value = item.get(key)
    return default if value is None else int(value)


def _missing_reasons(procedure: Procedure, clean: dict[str, Any], errors: dict[str, str]) -> dict[int, str]:
    """Mẫu 02 lines, keyed by catalogue component; a reason may name a component by id or by name."""
    reasons: dict[int, str] = {}
    by_name = {fold(c.name): c.id for c in procedure.components}
    ids = {c.id for c in procedure.components}
    for index, line in enumerate(clean.get("missing") or []):
        ref = line["component"]
        component_id = ref if isinstance(ref, int) and ref in ids else by_name.get(fold(str(ref)))
        if component_id is None:
            errors[f"missing.{index}"] = "Thành phần cần bổ sung không thuộc thủ tục này."
        else:
            reasons[component_id] = line["reason"].strip()
    return reasons


def accept_supplemented(
    session: Session,
    actor: User,
    code: str,
    payload: Any,
    forms: FormRegistry,
    *,
    scans: Scans = NO_SCANS,
) -> Dossier:
    """Accept a dossier that waited for supplements: the applicant brought what was missing.

    ``payload`` holds ``components`` (ids of the dossier's component rows now handed in) and the
    application form ``data``. The legal time counts from now, when the dossier
    is complete; the workflow starts as at an ordinary reception.
    """
    from sqlalchemy import select  # local: keeps the module's import list about reception

    dossier = session.scalars(select(Dossier).where(Dossier.code == code).with_for_update(of=Dossier.__table__)).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã “{code}”.")
    require_counter_of(actor, dossier)
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or dossier.process_version_id is not None:
        raise Conflict("Hồ sơ này không ở trạng thái chờ bổ sung khi tiếp nhận.")
    payload = payload if isinstance(payload, dict) else {}
    raw = payload.get("components") or []
    handed_in = {int(x) for x in raw if isinstance(x, int) or (isinstance(x, str) and x.isdigit())}
    errors = scans.errors()
    # The dossier's own rows (its snapshot of the catalogue at reception), by their ids: the
    # catalogue may have changed while the applicant was gathering the documents.
    rows = {row.id: row for row in dossier.components}
    for row_id in handed_in & set(rows):
        rows[row_id].submitted = True
    missing = [row.name for row in dossier.components if row.required and not row.submitted]
    if missing:
        errors["components"] = "Còn thiếu thành phần bắt buộc: " + "; ".join(missing) + "."
    procedure = dossier.procedure
    version = latest_version(session, procedure.process_key)
    form_data, form_errors = reception_form(session, procedure, version, forms).validate(payload.get("data") or {})
    errors.update({f"data.{k}": v for k, v in form_errors.items()})
    if errors:
        raise InvalidInput(errors)
    if version is None:
        raise Conflict("Thủ tục này chưa có quy trình được triển khai. Hãy báo người thiết kế quy trình.")
    scans.save(session, dossier, actor, rows)
    for row in dossier.components:
        if row.submitted:
            row.missing_reason = ""
    previous = dossier.status
    start_workflow(session, dossier, version, actor, form_data, clock.now())
    session.flush()
    events.status_changed(session, dossier, actor, previous, clock.now())
    return dossier
