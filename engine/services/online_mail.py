"""The e-mails a citizen gets about an online dossier: accepted (the receipt), supplement asked, refused.

Queued in the outbox in the transaction of the counter's decision, so a decision and its e-mail
exist together or not at all. The texts are built by pure functions, apart from the queueing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import CitizenAccount, Dossier, OutboxMessage
from engine.services.notifications import Email, lookup_url, public_base_url
from engine.services.outbox import enqueue_email

SUPPLEMENT_PATH = "/cong-dan/ho-so/{code}/bo-sung"  # webapp.online: the citizen's supplement page
FOOTER = "Đây là thư tự động, xin Ông/Bà không trả lời thư này."


def _at(moment: datetime | None) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}" if moment else "(chưa có)"


def _head(dossier: Dossier) -> str:
    return f"Kính gửi Ông/Bà {dossier.organisation_name or dossier.applicant_name},"


def _lookup(dossier: Dossier) -> str:
    url = lookup_url(dossier.code)
    return f"Tra cứu tình trạng hồ sơ tại: {url}" if url else f"Tra cứu tình trạng hồ sơ bằng mã {dossier.code}."


def receipt_email(dossier: Dossier) -> Email:
    """Mẫu 01 in words: the code, what was received, and the appointment."""
    procedure, counter = dossier.procedure, dossier.receiving_unit
    components = "\n".join(
        f"  {i}. {row.name}" for i, row in enumerate((r for r in dossier.components if r.submitted), 1)
    )
    place = counter.name if dossier.return_method == "counter" else "qua dịch vụ bưu chính công ích"
    body = [
        _head(dossier),
        f"{counter.name} đã tiếp nhận hồ sơ Ông/Bà nộp trực tuyến về thủ tục “{procedure.name}”.",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ (Mẫu 01)\n"
        f"Mã hồ sơ: {dossier.code}\n"
        f"Thời điểm tiếp nhận: {_at(dossier.received_at)}\n"
        f"Thời hạn giải quyết: {procedure.time_label}\n"
        f"Ngày hẹn trả kết quả: {_at(dossier.due_at)}\n"
        f"Nơi trả kết quả: {place}\n"
        f"Lệ phí: {procedure.fee or 'Không'}\n"
        f"Giấy tờ đã nhận:\n{components}",
        "Xin Ông/Bà ghi lại mã hồ sơ để tra cứu và nhận kết quả.",
        _lookup(dossier),
        f"Trân trọng,\n{counter.name}",
        FOOTER,
    ]
    return Email(subject=f"Hồ sơ {dossier.code} đã được tiếp nhận", body="\n\n".join(body) + "\n")


def supplement_email(dossier: Dossier, note: str = "") -> Email:
    """Mẫu 02 in words: each component to add, with its reason, and where to add it."""
    lines = "\n".join(f"  - {row.name}: {row.missing_reason}" for row in dossier.components if row.missing_reason)
    base = public_base_url()
    where = (
        f"Ông/Bà bổ sung trực tuyến tại: {base}{SUPPLEMENT_PATH.format(code=dossier.code)}"
        if base
        else "Ông/Bà đăng nhập Cổng dịch vụ công, mở hồ sơ và chọn “Bổ sung hồ sơ”."
    )
    body = [
        _head(dossier),
        f"Hồ sơ mã {dossier.code} về thủ tục “{dossier.procedure.name}” cần được bổ sung, hoàn thiện "
        "trước khi được tiếp nhận (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, Mẫu 02):",
        lines,
        *([f"Ghi chú của cán bộ: {note}"] if note else []),
        where + " Các giấy tờ Ông/Bà đã nộp vẫn được giữ nguyên; chỉ cần tải lên những giấy tờ nêu trên.",
        f"Trân trọng,\n{dossier.receiving_unit.name}",
        FOOTER,
    ]
    return Email(subject=f"Hồ sơ {dossier.code} cần bổ sung giấy tờ", body="\n\n".join(body) + "\n")


def refusal_email(dossier: Dossier) -> Email:
    """Mẫu 03 in words: the dossier is not accepted, and why."""
    body = [
        _head(dossier),
        f"{dossier.receiving_unit.name} thông báo không tiếp nhận, giải quyết hồ sơ mã {dossier.code} "
        f"về thủ tục “{dossier.procedure.name}” (Phiếu từ chối tiếp nhận giải quyết hồ sơ, Mẫu 03).",
        f"Lý do: {dossier.refusal_reason}",
        "Nếu có điều chưa rõ, xin Ông/Bà liên hệ bộ phận một cửa và cho biết mã hồ sơ.",
        f"Trân trọng,\n{dossier.receiving_unit.name}",
        FOOTER,
    ]
    return Email(subject=f"Hồ sơ {dossier.code} không được tiếp nhận", body="\n\n".join(body) + "\n")


def send(session: Session, dossier: Dossier, email: Email, now: datetime) -> OutboxMessage | None:
    """Queue ``email`` to the citizen who submitted ``dossier`` (their account's address), else to the applicant's."""
    account = session.get(CitizenAccount, dossier.citizen_id) if dossier.citizen_id else None
    recipient = account.email if account is not None else dossier.email
    return enqueue_email(session, recipient, email.subject, email.body, dossier_id=dossier.id, now=now)
