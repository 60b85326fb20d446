"""Supplementing an online dossier before it is accepted: the counter asks (Mẫu 02), the citizen adds and resubmits.

While the citizen gathers the documents the dossier has status 5 (Yêu cầu bổ sung giấy tờ), as for a
dossier the counter asked to supplement in person: it is not accepted, so no clock runs (domain.md §6
starts it at the receipt of a complete dossier). Resubmitted, it is back in the counter's online tab
with status 1. The citizen's files are kept as they arrive, so a refused file never costs the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Attachment, CitizenAccount, Dossier, OnlineApplication, User
from engine.services import advance, online_mail
from engine.services.attachments import MAX_ATTACHMENT_BYTES, UploadedFile
from engine.services.errors import Conflict, InvalidInput, NotFound
from engine.services.online_intake import MAX_REASON, locked_new, one_wins
from engine.services.online_uploads import store_upload, upload_problem
from engine.status import Channel, DossierStatus
from engine.storage import AttachmentStore

NOT_WAITING = "Hồ sơ này hiện không chờ bổ sung trực tuyến."


def request_online_supplement(
    session: Session,
    officer: User,
    code: str,
    reasons: dict[int, str],
    *,
    note: str = "",
    version: int | None = None,
) -> Dossier:
    """Ask for supplements, a reason per component row (``reasons``: row id -> reason); the reasons are e-mailed."""
    with one_wins():
        dossier = locked_new(session, officer, code, version)
        rows = {row.id: row for row in dossier.components}
        errors: dict[str, str] = {}
        asked = {int(k): " ".join(str(v or "").split()) for k, v in reasons.items() if str(v or "").strip()}
        for row_id, reason in asked.items():
            if row_id not in rows:
                errors[f"missing.{row_id}"] = "Thành phần cần bổ sung không thuộc hồ sơ này."
            elif not 3 <= len(reason) <= 1000:
                errors[f"missing.{row_id}"] = "Lý do bổ sung phải từ 3 đến 1000 ký tự."
        if not asked:
            errors["missing"] = "Hãy ghi rõ thành phần cần bổ sung và lý do."
        note = " ".join((note or "").split())[:MAX_REASON]
        if errors:
            raise InvalidInput(errors)
        now = clock.now()
        for row_id, reason in asked.items():
            # Not handed in until the citizen uploads it again: that is what the resubmission checks.
            rows[row_id].missing_reason = reason
            rows[row_id].submitted = False
        dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
        dossier.paused_at = now  # since when it waits for the citizen, as for a supplement asked at the counter
        dossier.received_by_id = officer.id  # the guiding officer of Mẫu 02
        lines = "; ".join(f"{rows[i].name}: {r}" for i, r in asked.items())
        advance.record(
            session,
            dossier,
            officer,
            "supplement_requested",
            now,
            from_step="Tiếp nhận hồ sơ trực tuyến",
            note=lines + (f" ({note})" if note else ""),
        )
        online_mail.send(session, dossier, online_mail.supplement_email(dossier, note), now)
        session.flush()
    return dossier


def citizen_dossier(session: Session, citizen: CitizenAccount, code: str) -> Dossier:
    """One of the citizen's own dossiers; anyone else's is not found."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == (code or "").strip().upper())).first()
    if dossier is None or dossier.citizen_id != citizen.id:
        raise NotFound(f"Không tìm thấy hồ sơ mã “{code}” trong các hồ sơ của Ông/Bà.")
    return dossier


def waits_for_supplement(dossier: Dossier) -> bool:
    return (
        dossier.channel == Channel.ONLINE
        and dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
        and dossier.process_version_id is None
    )


def add_supplement_files(
    session: Session,
    citizen: CitizenAccount,
    code: str,
    uploads: Sequence[UploadedFile],
    store: AttachmentStore | None,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> tuple[Dossier, dict[str, str]]:
    """Keep each acceptable file with the dossier; messages for the others.

    An upload's ``component`` is the id of the dossier's component row it belongs to.
    """
    dossier = citizen_dossier(session, citizen, code)
    if not waits_for_supplement(dossier):
        raise Conflict(NOT_WAITING)
    rows = {row.id: row for row in dossier.components}
    errors: dict[str, str] = {}
    now = clock.now()
    for upload in uploads:
        if upload.component not in rows:
            errors["files"] = "Tệp tải lên không gắn với thành phần nào của hồ sơ này."
            continue
        problem = upload_problem(upload, max_bytes) or (None if store else "Hệ thống chưa cấu hình nơi lưu tệp.")
        if problem:
            errors[f"files.{upload.component}"] = problem
            continue
        assert store is not None
        dossier.attachments.append(
            Attachment(
                component_id=upload.component,
                **store_upload(session, upload, store),
                uploaded_by_id=None,
                uploaded_at=now,
            )
        )
        rows[upload.component].submitted = True
    session.flush()
    return dossier, errors


def resubmit(session: Session, citizen: CitizenAccount, code: str, note: Any = "") -> Dossier:
    """Send the supplemented dossier back to the counter (status 1); every component asked for needs a new file."""
    dossier = citizen_dossier(session, citizen, code)
    if not waits_for_supplement(dossier):
        raise Conflict(NOT_WAITING)
    missing = [row for row in dossier.components if row.missing_reason and not row.submitted]
    if missing:
        errors = {f"files.{row.id}": f"Chưa tải lên “{row.name}” theo yêu cầu bổ sung." for row in missing}
        errors["files"] = "Còn thiếu giấy tờ cần bổ sung: " + "; ".join(row.name for row in missing) + "."
        raise InvalidInput(errors, "Chưa gửi được hồ sơ bổ sung: vui lòng tải lên các giấy tờ còn thiếu.")
    now = clock.now()
    dossier.status = DossierStatus.NEW
    dossier.paused_at = None
    application = session.get(OnlineApplication, dossier.id)
    if application is not None:
        application.resubmitted_at = now
    text = " ".join(str(note or "").split())[:MAX_REASON]
    event = advance.record(
        session,
        dossier,
        None,
        "supplement_received",
        now,
        from_step="Công dân bổ sung hồ sơ trực tuyến",
        actor_name=citizen.full_name,
        note=text,
    )
    event.to_unit = dossier.receiving_unit.name
    session.flush()
    return dossier
