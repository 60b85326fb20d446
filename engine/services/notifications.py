"""What the applicant is told by e-mail when their dossier's result is ready (9) and when it is returned (10).

The texts are built by ``dossier_status_email`` (a pure function) and queued in the outbox by
``notify_applicant``, which ``events.status_changed`` calls in the step's transaction.

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
from engine.models import OutboxMessage, Procedure
from engine.services.calendars import unit_calendar, unit_name
from engine.services.outbox import enqueue_email
from engine.status import DossierStatus

LOOKUP_PATH = "/tra-cuu/"  # the public lookup page, as in the QR codes (webapp.portal)
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


def notify_applicant(session: Session, dossier: Any, now: datetime) -> OutboxMessage | None:
    """Queue the e-mail for ``dossier``'s new status in ``session``'s transaction, if it has one and an address."""
    if int(dossier.status) not in NOTIFIED_STATUSES or not (dossier.email or "").strip():
        return None
    procedure_name = session.scalar(select(Procedure.name).where(Procedure.id == dossier.procedure_id)) or ""
    calendar = unit_calendar(session, dossier.receiving_unit_id)
    email = dossier_status_email(
        dossier,
        procedure_name,
        lookup_url(dossier.code),
        office_name=unit_name(session, dossier.receiving_unit_id),
        hours=calendar.hours,
        collect_from=calendar.next_opening(now),
    )
    if email is None:
        return None
    return enqueue_email(session, dossier.email, email.subject, email.body, dossier_id=dossier.id, now=now)


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
