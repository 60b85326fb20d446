"""Online submission, the counter's side: the online tab, and accepting or refusing what was submitted.

Only officers of the receiving counter act (access.require_counter_of). Each decision locks the
dossier, checks it is still status 1, and may carry the version the officer saw: of two officers
deciding at once one wins, the other gets a Conflict (409) and nothing of theirs is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import clock
from engine.forms import FormDefinition, FormRegistry
from engine.models import Dossier, OnlineApplication, User
from engine.roles import Role
from engine.services import advance, online_mail
from engine.services.access import require_counter_of
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.services.online import application_form
from engine.services.procedures import latest_version
from engine.services.receive import reception_form, start_workflow
from engine.status import Channel, DossierStatus

TAKEN = "Hồ sơ này vừa được cán bộ khác xử lý. Vui lòng tải lại trang để xem trạng thái mới."
MAX_REASON = 2000


def _require_counter(officer: User) -> None:
    if not officer.has_role(Role.COUNTER_OFFICER):
        raise Forbidden("Chức năng này dành cho cán bộ bộ phận một cửa.")


def _waiting(officer: User) -> Select[tuple[Dossier]]:
    return select(Dossier).where(
        Dossier.receiving_unit_id == officer.unit_id,
        Dossier.status == DossierStatus.NEW,
        Dossier.channel == Channel.ONLINE,
    )


def online_dossiers(session: Session, officer: User, limit: int = 200) -> list[Dossier]:
    """Status-1 dossiers submitted online to the officer's counter, the newest first."""
    _require_counter(officer)
    query = _waiting(officer).order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(limit)
    return list(session.scalars(query))


def online_count(session: Session, officer: User) -> int:
    _require_counter(officer)
    return session.scalar(select(func.count()).select_from(_waiting(officer).subquery())) or 0


@dataclass(frozen=True)
class OnlineReview:
    dossier: Dossier
    form: FormDefinition  # the procedure's application form, to label ``data``
    data: dict[str, Any]
    submitted_at: Any
    resubmitted_at: Any


def application_of(session: Session, dossier: Dossier) -> dict[str, Any]:
    row = session.get(OnlineApplication, dossier.id)
    try:
        data = json.loads(row.data) if row is not None else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def review(session: Session, officer: User, code: str, forms: FormRegistry) -> OnlineReview:
    """What the citizen submitted, for the counter of the dossier."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == code.strip())).first()
    if dossier is None or dossier.channel != Channel.ONLINE:
        raise NotFound(f"Không tìm thấy hồ sơ trực tuyến mã “{code}”.")
    require_counter_of(officer, dossier)
    row = session.get(OnlineApplication, dossier.id)
    return OnlineReview(
        dossier=dossier,
        form=application_form(dossier.procedure, forms),
        data=application_of(session, dossier),
        submitted_at=row.submitted_at if row else dossier.received_at,
        resubmitted_at=row.resubmitted_at if row else None,
    )


def locked_new(session: Session, officer: User, code: str, version: int | None) -> Dossier:
    """The dossier, locked, still waiting at the counter (status 1), as the officer last saw it."""
    query = select(Dossier).where(Dossier.code == (code or "").strip())
    dossier = session.scalars(
        query.with_for_update(of=Dossier.__table__).execution_options(populate_existing=True)
    ).first()
    if dossier is None or dossier.channel != Channel.ONLINE:
        raise NotFound(f"Không tìm thấy hồ sơ trực tuyến mã “{code}”.")
    require_counter_of(officer, dossier)
    if dossier.status != DossierStatus.NEW or (version is not None and version != dossier.version):
        raise Conflict(TAKEN)
    return dossier


@contextmanager
def one_wins() -> Iterator[None]:
    """A write that finds the dossier's version moved (SQLite has no row lock) is the loser's: a Conflict."""
    try:
        yield
    except StaleDataError as err:
        raise Conflict(TAKEN) from err


def accept_online(
    session: Session, officer: User, code: str, forms: FormRegistry, *, version: int | None = None, note: str = ""
) -> Dossier:
    """Accept the dossier (status 2): the workflow starts as at the counter, the clock from now.

    The receipt (Mẫu 01) with the code and the appointment is e-mailed to the citizen.
    """
    with one_wins():
        dossier = locked_new(session, officer, code, version)
        procedure = dossier.procedure
        process = latest_version(session, procedure.process_key)
        if process is None:
            raise Conflict("Thủ tục này chưa có quy trình được triển khai. Hãy báo người thiết kế quy trình.")
        missing = [row.name for row in dossier.components if row.required and not row.submitted]
        if missing:
            raise InvalidInput({"components": "Còn thiếu thành phần bắt buộc: " + "; ".join(missing) + "."})
        data = application_of(session, dossier) | ({"note": note.strip()[:MAX_REASON]} if note.strip() else {})
        form_data, errors = reception_form(session, procedure, process, forms).validate(data)
        if errors:
            raise InvalidInput({f"data.{k}": v for k, v in errors.items()})
        now = clock.now()
        dossier.received_by_id = officer.id
        for row in dossier.components:
            row.missing_reason = ""
        start_workflow(session, dossier, process, officer, form_data, now)
        online_mail.send(session, dossier, online_mail.receipt_email(dossier), now)
        session.flush()
    return dossier


def refuse_online(session: Session, officer: User, code: str, reason: str, *, version: int | None = None) -> Dossier:
    """Refuse the dossier at intake (status 3, Mẫu 03) with a reason; the reason is e-mailed."""
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise InvalidInput({"reason": "Vui lòng ghi rõ lý do từ chối tiếp nhận."})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": f"Lý do dài quá {MAX_REASON} ký tự."})
    with one_wins():
        dossier = locked_new(session, officer, code, version)
        now = clock.now()
        dossier.status = DossierStatus.REFUSED
        dossier.refusal_reason = reason
        dossier.received_by_id = officer.id
        advance.record(session, dossier, officer, "refused", now, from_step="Tiếp nhận hồ sơ trực tuyến", note=reason)
        online_mail.send(session, dossier, online_mail.refusal_email(dossier), now)
        session.flush()
    return dossier
