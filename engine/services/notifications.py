"""What the applicant is told, by e-mail if they gave an address and by SMS if they gave a phone number.

At each change they can see: accepted (2), refused at intake (3), supplement requested (5), fee
requested (6) and paid, stopped (8), result ready (9), returned (10), and an apology with a new
date (Mẫu 04). The texts of 9 and 10 are built here by ``dossier_status_email``, the others in
``applicant_texts``; all are pure functions. ``notify_applicant`` queues them in the outbox in the
transaction of the change (``events.status_changed`` calls it); ``notify_extension`` for Mẫu 04.
Each message names only the dossier's own code, procedure and dates, to its own applicant.

The public address the e-mails link to is a setting of the deployment, not of a request: the
web app passes its ``PUBLIC_BASE_URL`` to ``configure`` when it starts (so the CLI and the
scheduler, which build the same app, have it too); a process that never does falls back to
the ``MOTCUA_PUBLIC_BASE_URL`` environment variable, and without either the e-mail tells the
applicant to look the code up instead of giving a link.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import OfficeHours
from engine.models import FeeRequest
from engine.services import applicant_texts
from engine.services.applicant_texts import Change
from engine.services.calendars import unit_calendar, unit_name
from engine.services.outbox import email_row, enqueue, sms_row
from engine.services.procedures import procedure_name
from engine.status import DossierStatus

LOOKUP_PATH = "/tra-cuu/"  # the public lookup page, as in the QR codes (webapp.portal)
PAY_PATH = "/thanh-toan/"  # the public fee payment page (webapp.payments)
NOTIFIED_STATUSES = frozenset({DossierStatus.RESOLVED, DossierStatus.RETURNED})

_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_settings: dict[str, str | None] = {"public_base_url": None}


def configure(public_base_url: str) -> None:
    """Set the address the public lookup is served under, e.g. ``https://dichvucong.example.gov.vn``."""
    _settings["public_base_url"] = public_base_url


def public_base_url() -> str:
    configured = _settings["public_base_url"]
    base = configured if configured is not None else os.environ.get("MOTCUA_PUBLIC_BASE_URL", "")
    return base.strip().rstrip("/")


def lookup_url(code: str, base_url: str | None = None) -> str:
    """The public lookup address of a dossier; empty when no public address is known."""
    base = public_base_url() if base_url is None else base_url.strip().rstrip("/")
    return f"{base}{LOOKUP_PATH}{code}" if base else ""


def pay_url(code: str) -> str:
    """The public payment page of a dossier; empty when no public address is known."""
    base = public_base_url()
    return f"{base}{PAY_PATH}{code}" if base else ""


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def dossier_status_email(
    dossier: Any,
    procedure_name: str,
    lookup_url: str,
    *,
    office_name: str = "",
    hours: OfficeHours | None = None,
    collect_from: datetime | None = None,
) -> Email | None:
    """The e-mail telling the applicant of ``dossier`` (ORM object or row) its new status; None for other statuses.

    ``office_name`` is the receiving unit (where the result is collected), ``hours`` its office
    hours and ``collect_from`` the first moment the result can be collected.
    """
    status = int(dossier.status)
    if status not in NOTIFIED_STATUSES:
        return None
    code = dossier.code
    office = office_name or "Bộ phận Một cửa"
    by_post = getattr(dossier, "return_method", "counter") == "post"
    address = (getattr(dossier, "address", "") or "").strip()
    about = f"Hồ sơ mã {code} về thủ tục “{procedure_name}”" if procedure_name else f"Hồ sơ mã {code}"

    if status == DossierStatus.RESOLVED:
        subject = f"Kết quả hồ sơ {code} đã sẵn sàng"
        news = f"{about} đã được giải quyết xong; kết quả đã sẵn sàng để trả."
        if by_post:
            how = "Kết quả sẽ được gửi đến Ông/Bà qua dịch vụ bưu chính công ích"
            how += f" theo địa chỉ đã đăng ký: {address}." if address else " theo địa chỉ đã đăng ký."
        else:
            how = _collect(office, hours, collect_from)
    else:
        subject = f"Hồ sơ {code} đã trả kết quả"
        returned_at = getattr(dossier, "returned_at", None)
        news = f"{about} đã được trả kết quả" + (f" lúc {_at(returned_at)}." if returned_at else ".")
        if by_post:
            news += " Kết quả được gửi qua dịch vụ bưu chính công ích"
            news += f" đến địa chỉ: {address}." if address else "."
        how = (
            f"Nếu Ông/Bà chưa nhận được kết quả hoặc có điều chưa rõ, xin liên hệ {office} và cho biết mã hồ sơ {code}."
        )

    lookup = (
        f"Ông/Bà có thể tra cứu tình trạng hồ sơ tại: {lookup_url}"
        if lookup_url
        else f"Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã {code} trên trang tra cứu hồ sơ của {office}."
    )
    paragraphs = [
        f"Kính gửi Ông/Bà {_addressee(dossier)},",
        news,
        how,
        lookup,
        f"Trân trọng,\n{office}",
        "Đây là thư tự động, xin Ông/Bà không trả lời thư này.",
    ]
    return Email(subject=subject, body="\n\n".join(paragraphs) + "\n")


def notify_applicant(
    session: Session, dossier: Any, now: datetime, previous: int | None = None
) -> list[int]:
    """Queue the e-mail and the SMS about ``dossier``'s move from ``previous`` to its status, if it is news to them."""
    status = int(dossier.status)
    if status in NOTIFIED_STATUSES:
        kind = "resolved" if status == DossierStatus.RESOLVED else "returned"
        return _queue(session, dossier, now, kind, lambda name, office: _result_email(session, dossier, name, now))
    kind = applicant_texts.change_of(dossier, previous)
    if kind is None:
        return []
    amount, note = _fee(session, dossier.id) if kind in ("fee", "fee_paid") else (0, "")
    change = Change(kind=kind, amount=amount, note=note if kind == "fee" else "")
    return _queue(
        session, dossier, now, kind, lambda name, office: _change_email(dossier, name, change, office), amount=amount
    )


def notify_extension(session: Session, dossier: Any, extension: Any, now: datetime) -> list[int]:
    """Queue the apology with the new return date (Mẫu 04) for the applicant."""
    change = Change(
        kind="extended",
        note=extension.reason,
        new_due_at=extension.new_due_at,
        previous_due_at=extension.previous_due_at,
        unit_at_fault=extension.unit_at_fault,
    )
    return _queue(
        session,
        dossier,
        now,
        "extended",
        lambda name, office: _change_email(dossier, name, change, office),
        new_due_at=extension.new_due_at,
    )


def _queue(
    session: Session,
    dossier: Any,
    now: datetime,
    kind: str,
    build: Any,
    new_due_at: datetime | None = None,
    amount: int = 0,
) -> list[int]:
    """Queue the e-mail that ``build(procedure name, office name)`` writes and the SMS of ``kind``;
    ``amount``: the fee the SMS names (a fee asked for or paid)."""
    email_to, phone = (dossier.email or "").strip(), (dossier.phone or "").strip()
    if not email_to and not phone:
        return []
    rows: list[dict[str, Any] | None] = []
    if email_to:
        email = build(procedure_name(session, dossier.procedure_id), unit_name(session, dossier.receiving_unit_id))
        if email is not None:
            rows.append(email_row(email_to, email.subject, email.body, dossier_id=dossier.id, now=now))
    if phone:
        link = pay_url(dossier.code) if kind == "fee" else lookup_url(dossier.code)
        text = applicant_texts.sms_text(dossier, kind, link, amount=amount, new_due_at=new_due_at)
        rows.append(sms_row(phone, text, dossier_id=dossier.id, now=now))
    return enqueue(session, rows)


def _result_email(session: Session, dossier: Any, procedure_name: str, now: datetime) -> Email | None:
    calendar = unit_calendar(session, dossier.receiving_unit_id)
    return dossier_status_email(
        dossier,
        procedure_name,
        lookup_url(dossier.code),
        office_name=unit_name(session, dossier.receiving_unit_id),
        hours=calendar.hours,
        collect_from=calendar.next_opening(now),
    )


def _change_email(dossier: Any, procedure_name: str, change: Change, office_name: str) -> Email:
    office = office_name or "Bộ phận Một cửa"
    subject, middle = applicant_texts.email_paragraphs(dossier, procedure_name, change, office, pay_url(dossier.code))
    link = lookup_url(dossier.code)
    lookup = (
        f"Ông/Bà có thể tra cứu tình trạng hồ sơ tại: {link}"
        if link
        else f"Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã {dossier.code} trên trang tra cứu hồ sơ của {office}."
    )
    paragraphs = [
        f"Kính gửi Ông/Bà {_addressee(dossier)},",
        *[p for p in middle if p],
        lookup,
        f"Trân trọng,\n{office}",
        "Đây là thư tự động, xin Ông/Bà không trả lời thư này.",
    ]
    return Email(subject=subject, body="\n\n".join(paragraphs) + "\n")


def _fee(session: Session, dossier_id: int) -> tuple[int, str]:
    """The amount and note of the dossier's latest fee request (the one just asked for, or just paid)."""
    row = session.execute(
        select(FeeRequest.amount, FeeRequest.note)
        .where(FeeRequest.dossier_id == dossier_id)
        .order_by(FeeRequest.id.desc())
        .limit(1)
    ).first()
    return (int(row.amount), str(row.note)) if row else (0, "")


def _addressee(dossier: Any) -> str:
    name = (dossier.applicant_name or "").strip()
    organisation = (getattr(dossier, "organisation_name", "") or "").strip()
    if getattr(dossier, "applicant_kind", "person") == "organisation" and organisation:
        return f"{name} ({organisation})" if name else organisation
    return name


def _collect(office: str, hours: OfficeHours | None, collect_from: datetime | None) -> str:
    when = f" từ {_at(collect_from)}" if collect_from else ""
    text = f"Mời Ông/Bà đến nhận kết quả tại {office}{when}"
    if hours is not None:
        text += f", trong giờ làm việc ({_periods(hours)}, {_weekdays(hours)}, trừ ngày nghỉ lễ)"
    return text + (
        ". Khi đến, xin mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả cùng giấy tờ tùy thân"
        " (căn cước hoặc hộ chiếu); nếu nhận thay, xin mang theo giấy ủy quyền."
    )


def _at(moment: datetime) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def _periods(hours: OfficeHours) -> str:
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in hours.periods)


def _weekdays(hours: OfficeHours) -> str:
    days = sorted(hours.weekdays)
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"từ {_WEEKDAYS[days[0]]} đến {_WEEKDAYS[days[-1]]}"
    return ", ".join(_WEEKDAYS[day] for day in days)
