"""What staff do to a dossier beside its steps: comment, attach, ask for a supplement and record it,
apologise and extend (Mẫu 04), stop processing (Mẫu 05).

Each checks who may do it here, for the UI and the API alike, and leaves a line in the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.calendar import parse_day
from engine.forms import FormRegistry
from engine.models import Comment, Dossier, DossierComponent, Extension, Task, User
from engine.roles import Role
from engine.services import advance, events, notifications
from engine.services.access import require_counter_of, require_view
from engine.services.attachments import NO_SCANS, Scans
from engine.services.calendars import unit_calendar
from engine.services.delegation import Principal, acting_for, principals_of, signature
from engine.services.dossiers import get_dossier
from engine.services.errors import Conflict, Forbidden, InvalidInput
from engine.services.handover import lock_dossier, require_leader, touch
from engine.services.inputs import clean_text
from engine.services.procedures import process_of_version
from engine.services.tasks import Completion, complete_task
from engine.status import DossierStatus

OPEN_STATUSES = (DossierStatus.ACCEPTED, DossierStatus.PROCESSING, DossierStatus.SUPPLEMENT_REQUESTED)
MAX_COMMENT = 2000


def _locked(session: Session, actor: User, code: str) -> Dossier:
    dossier = get_dossier(session, actor, code)
    return lock_dossier(session, dossier.id)


def holder_of(session: Session, actor: User, dossier: Dossier) -> tuple[Task, Principal | None]:
    """The open task of the dossier the actor may act on (themselves or for their principal)."""
    tasks = session.scalars(select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))).all()
    principals = principals_of(session, actor.id)  # once, not once per task
    for task in tasks:
        try:
            return task, acting_for(session, actor, task, principals)
        except Forbidden:
            continue
    raise Forbidden("Chỉ người đang xử lý hồ sơ mới được làm việc này.")


def comment(session: Session, actor: User, code: str, payload: dict[str, Any]) -> Comment:
    """A remark for everyone working on the dossier."""
    dossier = get_dossier(session, actor, code)
    body = clean_text(payload.get("body"), "body", limit=MAX_COMMENT, label="ý kiến")
    row = Comment(dossier_id=dossier.id, author_id=actor.id, author_name=actor.full_name, at=clock.now(), body=body)
    session.add(row)
    session.flush()
    return row


def comments_of(session: Session, actor: User, dossier: Dossier) -> list[Comment]:
    require_view(session, actor, dossier)
    return list(session.scalars(select(Comment).where(Comment.dossier_id == dossier.id).order_by(Comment.id)))


def attach(session: Session, actor: User, code: str, scans: Scans) -> int:
    """Files added while the dossier is processed (a field report, a signed draft): by whoever holds it."""
    dossier = _locked(session, actor, code)
    if dossier.status not in OPEN_STATUSES:
        raise Conflict("Hồ sơ đã kết thúc xử lý; không thể thêm tệp.")
    holder_of(session, actor, dossier)
    if not scans.files:
        raise InvalidInput({"attachment": "Hãy chọn tệp cần đính kèm."})
    errors = scans.errors()
    if errors:
        raise InvalidInput(errors)
    scans.save(session, dossier, actor, {})
    touch(dossier)
    advance.record(
        session,
        dossier,
        actor,
        "attach",
        clock.now(),
        from_step="Bổ sung tệp trong quá trình xử lý",
        note=", ".join(f.filename for f in scans.files),
    )
    session.flush()
    return len(scans.files)


def request_supplement(session: Session, actor: User, code: str, payload: dict[str, Any]) -> Dossier:
    """The holder asks the applicant for more documents (Mẫu 02): the clock pauses (status 5).

    ``payload``: ``items`` — ``{"component_id": <id of the dossier's component>, "reason"}`` or
    ``{"name": <a document not in the dossier>, "reason"}`` — and an optional ``note``.
    """
    dossier = _locked(session, actor, code)
    if dossier.status not in (DossierStatus.ACCEPTED, DossierStatus.PROCESSING):
        raise Conflict("Chỉ yêu cầu bổ sung được khi hồ sơ đang xử lý.")
    task, principal = holder_of(session, actor, dossier)
    items = payload.get("items")
    if not isinstance(items, list) or not items:
        raise InvalidInput({"items": "Hãy nêu ít nhất một giấy tờ cần bổ sung, kèm lý do."})
    rows = {row.id: row for row in dossier.components}
    errors: dict[str, str] = {}
    wanted: list[tuple[DossierComponent | None, str, str]] = []
    for index, item in enumerate(items[:50]):
        item = item if isinstance(item, dict) else {}
        reason = str(item.get("reason") or "").strip()
        raw_id = item.get("component_id")
        row = rows.get(int(raw_id)) if str(raw_id or "").isdigit() else None
        name = str(item.get("name") or "").strip()
        if row is None and not name:
            errors[f"items.{index}.name"] = "Hãy chọn giấy tờ của hồ sơ hoặc ghi tên giấy tờ cần thêm."
        if len(name) > 500:
            errors[f"items.{index}.name"] = "Tên giấy tờ tối đa 500 ký tự."
        if not reason:
            errors[f"items.{index}.reason"] = "Hãy ghi lý do cần bổ sung."
        elif len(reason) > 1000:
            errors[f"items.{index}.reason"] = "Lý do tối đa 1000 ký tự."
        wanted.append((row, name, reason))
    note = clean_text(payload.get("note"), "note", limit=MAX_COMMENT, required=False)
    if errors:
        raise InvalidInput(errors)
    for row, name, reason in wanted:
        if row is None:
            row = DossierComponent(
                dossier_id=dossier.id,
                position=len(dossier.components) + 1,
                name=name,
                submitted=False,
                required=True,
                extra=True,
            )
            dossier.components.append(row)
        row.missing_reason = reason
    now = clock.now()
    previous = dossier.status
    dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
    dossier.paused_at = now
    advance.record(
        session,
        dossier,
        actor,
        "supplement_request",
        now,
        from_step=task.title,
        actor_name=signature(actor, principal),
        note="; ".join(f"{row.name if row else name}: {reason}" for row, name, reason in wanted)
        + (f". {note}" if note else ""),
        step_due_at=task.due_at,
    )
    session.flush()
    events.status_changed(session, dossier, actor, previous, now)
    return dossier


def receive_supplement(
    session: Session, actor: User, code: str, payload: dict[str, Any], scans: Scans = NO_SCANS
) -> Dossier:
    """The counter records the supplement: the clock resumes and every deadline moves by the pause."""
    dossier = _locked(session, actor, code)
    require_counter_of(actor, dossier)
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or dossier.paused_at is None:
        raise Conflict("Hồ sơ này không chờ bổ sung trong quá trình xử lý.")
    if dossier.process_version_id is None:
        raise Conflict("Hồ sơ này chờ bổ sung khi tiếp nhận; hãy dùng chức năng tiếp nhận sau bổ sung.")
    note = clean_text(payload.get("note"), "note", limit=MAX_COMMENT, required=False)
    errors = scans.errors()
    if errors:
        raise InvalidInput(errors)
    now = clock.now()
    paused_at = dossier.paused_at
    received = [row for row in dossier.components if row.missing_reason]
    scans.save(session, dossier, actor, {row.id: row for row in dossier.components})
    for row in received:
        row.submitted = True
        row.missing_reason = ""
    if dossier.due_at is not None:
        dossier.due_at = unit_calendar(session, dossier.receiving_unit_id).resume(dossier.due_at, paused_at, now)
    open_tasks = session.scalars(select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))).all()
    for task in open_tasks:
        if task.due_at is not None:
            task.due_at = unit_calendar(session, task.unit_id).resume(task.due_at, paused_at, now)
    steps = process_of_version(session, dossier.process_version_id).steps
    previous = dossier.status
    dossier.status = advance.status_of(steps, open_tasks) or DossierStatus.PROCESSING
    dossier.paused_at = None
    advance.record(
        session,
        dossier,
        actor,
        "supplement_received",
        now,
        from_step="Tiếp nhận hồ sơ bổ sung",
        open_rows=list(open_tasks),
        note="Đã nhận: " + "; ".join(row.name for row in received) + (f". {note}" if note else ""),
    )
    session.flush()
    events.status_changed(session, dossier, actor, previous, now)
    return dossier


def _new_due(session: Session, dossier: Dossier, raw: Any) -> datetime:
    day = parse_day(raw)
    if day is None:
        raise InvalidInput({"new_due_date": "Hãy nhập ngày hẹn trả mới hợp lệ (ví dụ 2026-12-24)."})
    calendar = unit_calendar(session, dossier.receiving_unit_id)
    moment = calendar.closing_of(day)
    if moment <= clock.now():
        raise InvalidInput({"new_due_date": "Ngày hẹn trả mới phải ở tương lai."})
    if dossier.due_at is not None and moment <= dossier.due_at:
        raise InvalidInput({"new_due_date": "Ngày hẹn trả mới phải sau ngày hẹn hiện tại."})
    if not calendar.is_working_day(day):
        raise InvalidInput({"new_due_date": "Ngày hẹn trả mới rơi vào ngày nghỉ; hãy chọn một ngày làm việc."})
    return moment


def extend(session: Session, actor: User, code: str, payload: dict[str, Any]) -> Extension:
    """An apology with a new return date (Mẫu 04), owed before the dossier goes late."""
    dossier = _locked(session, actor, code)
    principal = require_leader(session, actor, dossier, "xin lỗi và gia hạn")
    if dossier.status not in OPEN_STATUSES:
        raise Conflict("Chỉ gia hạn được hồ sơ đang xử lý.")
    now = clock.now()
    if dossier.due_at is not None and dossier.due_at < now:
        raise Conflict("Hồ sơ đã quá hạn; văn bản xin lỗi và gia hạn phải gửi trước khi đến hạn.")
    reason = clean_text(payload.get("reason"), "reason", limit=MAX_COMMENT, label="lý do chậm trễ")
    at_fault = clean_text(payload.get("unit_at_fault"), "unit_at_fault", limit=255, label="đơn vị, cá nhân để chậm trễ")
    new_due = _new_due(session, dossier, payload.get("new_due_date"))
    row = Extension(
        dossier_id=dossier.id,
        at=now,
        actor_id=actor.id,
        actor_name=signature(actor, principal),
        reason=reason,
        unit_at_fault=at_fault,
        previous_due_at=dossier.due_at,
        new_due_at=new_due,
    )
    session.add(row)
    dossier.due_at = new_due
    dossier.extension_count += 1
    advance.record(
        session,
        dossier,
        actor,
        "extend",
        now,
        from_step="Xin lỗi và gia hạn (Mẫu 04)",
        actor_name=signature(actor, principal),
        note=f"Hẹn trả mới {new_due:%H:%M %d/%m/%Y}. Lý do: {reason}",
    )
    session.flush()
    notifications.notify_extension(session, dossier, row, now)
    return row


def stop(session: Session, actor: User, code: str, payload: dict[str, Any]) -> Dossier:
    """Stop processing (Mẫu 05, status 8): the applicant withdrew, or the law requires it."""
    dossier = _locked(session, actor, code)
    principal = require_leader(session, actor, dossier, "dừng xử lý hồ sơ")
    if dossier.status not in OPEN_STATUSES:
        raise Conflict("Hồ sơ không còn đang xử lý; không thể dừng.")
    reason = clean_text(payload.get("reason"), "reason", limit=MAX_COMMENT, label="lý do dừng xử lý")
    now = clock.now()
    session.execute(
        update(Task)
        .where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))
        .values(closed_at=now, outcome="stopped")
    )
    previous = dossier.status
    dossier.status = DossierStatus.STOPPED
    dossier.stop_reason = reason
    dossier.paused_at = None
    advance.record(
        session,
        dossier,
        actor,
        "stop",
        now,
        from_step="Dừng xử lý hồ sơ (Mẫu 05)",
        actor_name=signature(actor, principal),
        note=reason,
    )
    session.flush()
    events.status_changed(session, dossier, actor, previous, now)
    return dossier


def return_result(session: Session, actor: User, code: str, data: Any, forms: FormRegistry) -> Completion:
    """The counter hands the result over: completes the dossier's open return step with ``data``
    (who received it, how), and the dossier goes to status 10."""
    return complete_task(session, actor, returning_task(session, actor, code).id, data, forms)


def returning_task(session: Session, actor: User, code: str) -> Task:
    """The open step that hands the result over at the counter (the dossier is at status 9)."""
    dossier = get_dossier(session, actor, code)
    if dossier.status != DossierStatus.RESOLVED:
        raise Conflict("Hồ sơ chưa có kết quả để trả (chưa ở trạng thái “Đã xử lý xong”).")
    task = session.scalars(
        select(Task).where(
            Task.dossier_id == dossier.id, Task.closed_at.is_(None), Task.role == Role.COUNTER_OFFICER.value
        )
    ).first()
    if task is None:
        raise Conflict("Hồ sơ không có bước trả kết quả đang chờ.")
    return task
