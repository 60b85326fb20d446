"""Online submission, the citizen's side: drafts kept until submitted, submitting, and supplementing.

A draft holds what the citizen typed, as typed, and the files uploaded per component; every file is
checked when it arrives, and a refused file never takes an accepted one with it. Submitting checks
everything at once and, in one transaction, turns the draft into a dossier with status 1 (Mới đăng ký)
and channel 2 (trực tuyến). The dossier gets its code at submission: it is the citizen's handle to
follow it and to supplement it, and the code's date is the day the system received it (domain.md §4).
The legal time starts only when the counter accepts it (domain.md §6; see online_intake).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, codes
from engine.forms import FormDefinition, FormRegistry
from engine.models import (
    Attachment,
    CitizenAccount,
    Dossier,
    DossierComponent,
    OnlineApplication,
    OnlineDraft,
    OnlineDraftFile,
    Procedure,
    Unit,
)
from engine.services import advance
from engine.services.attachments import MAX_ATTACHMENT_BYTES, UploadedFile
from engine.services.errors import InvalidInput, NotFound
from engine.services.online_uploads import add_files
from engine.services.procedures import get_procedure, search_procedures
from engine.services.receive import applicant_columns
from engine.services.reception import ApplicantSchema
from engine.status import Channel, DossierStatus
from engine.storage import AttachmentStore

OFFERED_LEVELS = ("toan_trinh", "mot_phan")
APPLICANT_FIELDS = ("kind", "full_name", "id_number", "phone", "email", "address", "organisation_name", "tax_code")
MAX_VALUE = 2000  # a typed value kept in a draft; longer text is cut, the schemas refuse it at submission
# Bounds on what one account can pile up: drafts are kept with no end date, so they must stay small.
MAX_DRAFTS = 30
_applicant_schema = ApplicantSchema()


# --- Procedures and receiving units ---------------------------------------------------------------


def offered_procedures(session: Session, query: str = "", limit: int = 50) -> list[Procedure]:
    """Procedures a citizen can submit online (toàn trình or một phần), found by name or code."""
    found = search_procedures(session, query, limit=1000)
    return [p for p in found if p.online_level in OFFERED_LEVELS][:limit]


def offered_procedure(session: Session, code: str) -> Procedure:
    """The procedure ``code``; InvalidInput when it is not offered online."""
    procedure = get_procedure(session, code)
    if procedure.online_level not in OFFERED_LEVELS:
        raise InvalidInput(
            {"procedure_code": not_online_message(procedure)},
            not_online_message(procedure),
        )
    return procedure


def not_online_message(procedure: Procedure) -> str:
    return (
        f"Thủ tục “{procedure.name}” chưa được cung cấp trực tuyến. "
        "Vui lòng nộp hồ sơ trực tiếp tại Bộ phận Một cửa hoặc qua bưu chính."
    )


def receiving_units(session: Session, procedure: Procedure, today: date | None = None) -> list[Unit]:
    """The counters of the procedure's agency that receive dossiers today: where a citizen may submit."""
    today = today or clock.today()
    counters = session.scalars(select(Unit).where(Unit.kind == "counter").order_by(Unit.name)).all()
    return [
        u
        for u in counters
        if u.agency.id == procedure.agency_id
        and (u.valid_from is None or u.valid_from <= today)
        and (u.valid_to is None or today <= u.valid_to)
    ]


# --- Drafts ---------------------------------------------------------------------------------------


def start_draft(session: Session, citizen: CitizenAccount, procedure_code: str, unit_id: Any) -> OnlineDraft:
    """A new draft for ``procedure_code`` at receiving unit ``unit_id``, the applicant prefilled from the account."""
    procedure = offered_procedure(session, procedure_code)
    units = {u.id: u for u in receiving_units(session, procedure)}
    chosen = int(unit_id) if isinstance(unit_id, int) or (isinstance(unit_id, str) and unit_id.isdigit()) else None
    if chosen not in units:
        raise InvalidInput({"unit_id": "Vui lòng chọn nơi tiếp nhận hồ sơ trong danh sách."})
    if len(drafts_of(session, citizen)) >= MAX_DRAFTS:
        raise InvalidInput(
            {
                "unit_id": f"Ông/Bà đã có {MAX_DRAFTS} hồ sơ nháp. "
                "Vui lòng nộp hoặc xóa bớt hồ sơ nháp trước khi tạo mới."
            }
        )
    now = clock.now()
    applicant = {
        "kind": "person",
        "full_name": citizen.full_name,
        "id_number": citizen.id_number,
        "phone": citizen.phone,
        "email": citizen.email,
        "address": citizen.address,
        "organisation_name": "",
        "tax_code": "",
    }
    draft = OnlineDraft(
        citizen_id=citizen.id,
        procedure_id=procedure.id,
        receiving_unit_id=chosen,
        form=json.dumps({"applicant": applicant, "data": {}, "return_method": "counter"}, ensure_ascii=False),
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def drafts_of(session: Session, citizen: CitizenAccount) -> list[OnlineDraft]:
    """The citizen's own drafts, the latest edited first."""
    query = select(OnlineDraft).where(OnlineDraft.citizen_id == citizen.id)
    return list(session.scalars(query.order_by(OnlineDraft.updated_at.desc(), OnlineDraft.id.desc())))


def get_draft(session: Session, citizen: CitizenAccount, draft_id: int) -> OnlineDraft:
    """One of the citizen's drafts; another person's draft is not found, as if it did not exist."""
    draft = session.get(OnlineDraft, draft_id)
    if draft is None or draft.citizen_id != citizen.id:
        raise NotFound("Không tìm thấy hồ sơ nháp này. Có thể hồ sơ đã được nộp hoặc đã bị xóa.")
    return draft


def draft_form(draft: OnlineDraft) -> dict[str, Any]:
    """What was typed into the draft: ``applicant``, ``data`` (the application form) and ``return_method``."""
    try:
        form = json.loads(draft.form or "{}")
    except ValueError:
        form = {}
    form = form if isinstance(form, dict) else {}
    return {
        "applicant": form.get("applicant") if isinstance(form.get("applicant"), dict) else {},
        "data": form.get("data") if isinstance(form.get("data"), dict) else {},
        "return_method": form.get("return_method") or "counter",
    }


def save_draft(
    session: Session,
    citizen: CitizenAccount,
    draft_id: int,
    form: dict[str, Any] | None,
    uploads: Sequence[UploadedFile] = (),
    store: AttachmentStore | None = None,
    forms: FormRegistry | None = None,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> tuple[OnlineDraft, dict[str, str]]:
    """Keep what was typed (``form``, None to leave it) and every acceptable upload; return the refused files' messages.

    A refused upload does not stop the rest: the typed text and the good files are kept, and the
    message (keyed ``files.<component id>``) says which file to choose again and why.
    """
    draft = get_draft(session, citizen, draft_id)
    if form is not None:
        draft.form = json.dumps(_typed(draft, form, forms), ensure_ascii=False)
    errors = add_files(session, draft, uploads, store, max_bytes)
    draft.updated_at = clock.now()
    session.flush()
    return draft, errors


def _typed(draft: OnlineDraft, form: dict[str, Any], forms: FormRegistry | None) -> dict[str, Any]:
    """Only the known keys, as short strings: a draft keeps what was typed, not whatever was sent."""
    raw_applicant = form.get("applicant") if isinstance(form.get("applicant"), dict) else {}
    applicant = {k: _text(raw_applicant.get(k)) for k in APPLICANT_FIELDS}
    applicant["kind"] = applicant["kind"] if applicant["kind"] in ("person", "organisation") else "person"
    raw_data = form.get("data") if isinstance(form.get("data"), dict) else {}
    names = {f.name for f in application_form(draft.procedure, forms).fields} if forms is not None else set(raw_data)
    data = {k: _text(v) for k, v in list(raw_data.items())[:200] if k in names and v not in (None, "")}
    method = form.get("return_method")
    return {
        "applicant": applicant,
        "data": data,
        "return_method": method if method in ("counter", "post") else "counter",
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value))[:MAX_VALUE]


def remove_file(session: Session, citizen: CitizenAccount, draft_id: int, file_id: int) -> str:
    """Take one file off the draft; returns its storage key, for the caller to delete after the commit."""
    draft = get_draft(session, citizen, draft_id)
    row = next((f for f in draft.files if f.id == file_id), None)
    if row is None:
        raise NotFound("Không tìm thấy tệp này trong hồ sơ nháp.")
    draft.files.remove(row)
    draft.updated_at = clock.now()
    session.flush()
    return row.storage_key


def delete_draft(session: Session, citizen: CitizenAccount, draft_id: int) -> list[str]:
    """Delete the draft and its files' rows; returns the storage keys to delete after the commit."""
    draft = get_draft(session, citizen, draft_id)
    keys = [f.storage_key for f in draft.files]
    session.delete(draft)
    session.flush()
    return keys


# --- Checking and submitting ----------------------------------------------------------------------


def application_form(procedure: Procedure, forms: FormRegistry | None) -> FormDefinition:
    """The procedure's application form (tờ khai); an empty one when it has none."""
    if forms is not None and procedure.application_form and procedure.application_form in forms.names():
        return forms.get(procedure.application_form)
    return FormDefinition(name="application", title="Tờ khai", fields=())


def clean_applicant(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The applicant by the counter's rules (ApplicantSchema); errors keyed ``applicant.<field>``."""
    try:
        clean = _applicant_schema.load(raw)
    except ValidationError as err:
        messages = err.normalized_messages()
        return {}, {f"applicant.{k}": str(v[0] if isinstance(v, list) else v) for k, v in messages.items()}
    for key in APPLICANT_FIELDS[1:]:
        clean[key] = " ".join(str(clean.get(key) or "").split())
    clean["phone"] = clean["phone"].replace(" ", "").replace(".", "")
    return clean, {}


def check_draft(draft: OnlineDraft, forms: FormRegistry) -> tuple[dict[str, Any], dict[str, str]]:
    """``(clean, errors)`` of the whole draft, as submission needs it; one Vietnamese message per problem."""
    typed = draft_form(draft)
    applicant, errors = clean_applicant(typed["applicant"])
    data, data_errors = application_form(draft.procedure, forms).validate(typed["data"])
    errors.update({f"data.{k}": v for k, v in data_errors.items()})
    with_files = {f.component_id for f in draft.files}
    missing = [c for c in draft.procedure.components if c.required and c.id not in with_files]
    for component in missing:
        errors[f"files.{component.id}"] = f"Chưa tải lên “{component.name}” (thành phần bắt buộc)."
    if missing:
        errors["files"] = "Còn thiếu thành phần bắt buộc: " + "; ".join(c.name for c in missing) + "."
    clean = {"applicant": applicant, "data": data, "return_method": typed["return_method"]}
    return (clean, {}) if not errors else ({}, errors)


def submit_draft(session: Session, citizen: CitizenAccount, draft_id: int, forms: FormRegistry) -> Dossier:
    """Submit the draft: a dossier with status 1 and channel 2, its files moved over, the draft gone.

    Raises InvalidInput (the draft untouched) when anything is missing or wrong.
    """
    draft = get_draft(session, citizen, draft_id)
    clean, errors = check_draft(draft, forms)
    if errors:
        raise InvalidInput(
            errors, "Hồ sơ chưa nộp được: vui lòng sửa các mục được đánh dấu. Dữ liệu đã nhập vẫn được giữ."
        )
    procedure, counter, now = draft.procedure, draft.receiving_unit, clock.now()
    applicant = clean["applicant"]
    with_files = {f.component_id for f in draft.files}
    rows = {
        c.id: DossierComponent(
            position=c.position,
            name=c.name,
            required=c.required,
            originals=c.originals,
            certified_copies=c.certified_copies,
            photocopies=c.photocopies,
            submitted=c.id in with_files,
        )
        for c in procedure.components
    }
    dossier = Dossier(
        code=codes.next_code(session, counter.id, counter.code, now.date()),
        procedure_id=procedure.id,
        receiving_unit_id=counter.id,
        department_id=procedure.department_id,
        agency_id=procedure.agency_id,
        channel=Channel.ONLINE,
        status=DossierStatus.NEW,
        **applicant_columns(applicant),
        received_at=now,
        citizen_id=citizen.id,
        return_method=clean["return_method"],
        components=list(rows.values()),
    )
    session.add(dossier)
    session.flush()
    for row in draft.files:
        session.add(attachment_from(dossier, rows[row.component_id], row))
    session.add(
        OnlineApplication(dossier_id=dossier.id, data=json.dumps(clean["data"], ensure_ascii=False), submitted_at=now)
    )
    event = advance.record(
        session, dossier, None, "submit_online", now, from_step="Nộp hồ sơ trực tuyến", actor_name=citizen.full_name
    )
    event.to_unit = counter.name
    session.delete(draft)
    session.flush()
    return dossier


def attachment_from(dossier: Dossier, row: DossierComponent, file: OnlineDraftFile) -> Attachment:
    """The dossier's attachment row for a draft's file: the bytes stay where they are."""
    return Attachment(
        dossier_id=dossier.id,
        component_id=row.id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        storage_key=file.storage_key,
        uploaded_by_id=None,
        uploaded_at=file.uploaded_at,
    )
