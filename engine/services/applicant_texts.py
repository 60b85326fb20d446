"""What the applicant is told at the changes they can see, besides the result (notifications.py):
accepted, refused at intake, supplement requested, fee requested and paid, stopped, extended (Mẫu 04).

Pure functions of the dossier and a few facts, so the wording is tested without a database.
Each change has an e-mail (``Email``: subject and paragraphs) and a short SMS (diacritics kept:
UCS-2, one to three segments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.status import DossierStatus

ACCEPTED_FROM = frozenset({0, DossierStatus.NEW, DossierStatus.REFUSED, DossierStatus.SUPPLEMENT_REQUESTED})


@dataclass(frozen=True)
class Change:
    """What changed, for the texts: ``kind`` is accepted, refused, supplement, fee, fee_paid, stopped or extended."""

    kind: str
    amount: int = 0  # the fee, for fee and fee_paid
    note: str = ""  # the fee's note, the reason of a refusal, a stop or an extension
    new_due_at: datetime | None = None
    previous_due_at: datetime | None = None
    unit_at_fault: str = ""


def change_of(dossier: Any, previous: int | None) -> str | None:
    """The kind of change the applicant hears about when ``dossier`` went from ``previous`` to its status."""
    status = int(dossier.status)
    if status in (DossierStatus.ACCEPTED, DossierStatus.PROCESSING):
        if previous == DossierStatus.FEE_REQUESTED:
            return "fee_paid"
        return "accepted" if previous in ACCEPTED_FROM else None
    return {
        DossierStatus.REFUSED: "refused",
        DossierStatus.SUPPLEMENT_REQUESTED: "supplement",
        DossierStatus.FEE_REQUESTED: "fee",
        DossierStatus.STOPPED: "stopped",
    }.get(DossierStatus(status))


def email_paragraphs(
    dossier: Any, procedure_name: str, change: Change, office: str, pay_url: str
) -> tuple[str, list[str]]:
    """The subject and the middle paragraphs of the e-mail about ``change``; the caller adds the rest."""
    code = dossier.code
    about = f"Hồ sơ mã {code} về thủ tục “{procedure_name}”" if procedure_name else f"Hồ sơ mã {code}"
    if change.kind == "accepted":
        due = getattr(dossier, "due_at", None)
        return f"Hồ sơ {code} đã được tiếp nhận", [
            f"{about} đã được {office} tiếp nhận.",
            f"Ngày hẹn trả kết quả: {_at(due)}." if due else "Ông/Bà sẽ được thông báo khi có kết quả.",
        ]
    if change.kind == "refused":
        reason = (getattr(dossier, "refusal_reason", "") or "").strip()
        return f"Hồ sơ {code} không được tiếp nhận", [
            f"{about} không được tiếp nhận giải quyết" + (f" với lý do: {reason}" if reason else "") + ".",
            f"Nếu có điều chưa rõ, xin Ông/Bà liên hệ {office} và cho biết mã hồ sơ {code}.",
        ]
    if change.kind == "supplement":
        missing = [c for c in getattr(dossier, "components", []) if getattr(c, "missing_reason", "")]
        lines = [f"- {c.name}: {c.missing_reason}" for c in missing]
        return f"Hồ sơ {code} cần bổ sung giấy tờ", [
            f"{about} cần được bổ sung, hoàn thiện" + (":\n" + "\n".join(lines) if lines else "."),
            f"Xin Ông/Bà nộp đủ các giấy tờ trên tại {office}. "
            "Thời hạn giải quyết tạm dừng cho đến khi nhận đủ giấy tờ bổ sung.",
        ]
    if change.kind == "fee":
        how = f"Ông/Bà có thể nộp tiền mặt tại {office}"
        if pay_url:
            how = (
                f"Ông/Bà có thể nộp trực tuyến qua VNPAY tại: {pay_url} (nhập số điện thoại hoặc số định danh "
                f"cá nhân đã khai khi nộp hồ sơ), hoặc nộp tiền mặt tại {office}"
            )
        return f"Hồ sơ {code}: đề nghị nộp phí, lệ phí", [
            f"Để tiếp tục giải quyết, {about[0].lower()}{about[1:]} cần nộp {money(change.amount)}"
            + (f" ({change.note})" if change.note else "")
            + ".",
            how + ". Hồ sơ được tiếp tục xử lý ngay khi nhận được khoản phí.",
        ]
    if change.kind == "fee_paid":
        return f"Hồ sơ {code}: đã nhận phí, lệ phí", [
            f"{office} đã nhận khoản {money(change.amount)} của {about[0].lower()}{about[1:]}; "
            "hồ sơ tiếp tục được xử lý.",
        ]
    if change.kind == "stopped":
        reason = (getattr(dossier, "stop_reason", "") or "").strip()
        return f"Hồ sơ {code} đã dừng xử lý", [
            f"{about} đã dừng xử lý" + (f" với lý do: {reason}" if reason else "") + ".",
            f"Thông báo dừng xử lý (Mẫu 05) được gửi kèm theo hồ sơ; xin liên hệ {office} nếu có điều chưa rõ.",
        ]
    # extended (Mẫu 04)
    was = f" (hẹn trả {_at(change.previous_due_at)})" if change.previous_due_at else ""
    return f"Hồ sơ {code}: xin lỗi và hẹn lại ngày trả kết quả", [
        f"{about} chưa thể giải quyết đúng hẹn{was}. Lý do: {change.note}.",
        f"{change.unit_at_fault or office} xin lỗi Ông/Bà vì sự chậm trễ này.",
        f"Ngày hẹn trả kết quả mới: {_at(change.new_due_at)}." if change.new_due_at else "",
    ]


def sms_text(dossier: Any, change: str, link: str, *, amount: int = 0, new_due_at: datetime | None = None) -> str:
    """The short message about a change; ``change`` is a ``Change.kind``, or resolved / returned."""
    code = dossier.code
    due = getattr(dossier, "due_at", None)
    news = {
        "accepted": "đã được tiếp nhận" + (f", hẹn trả {due:%d/%m/%Y}" if due else ""),
        "refused": "không được tiếp nhận",
        "supplement": "cần bổ sung giấy tờ",
        "fee": f"cần nộp phí {money(amount, short=True)}",
        "fee_paid": f"đã nhận phí {money(amount, short=True)}, tiếp tục xử lý",
        "stopped": "đã dừng xử lý",
        "extended": "chậm so với hẹn, xin lỗi Ông/Bà; hẹn trả mới " + (f"{new_due_at:%d/%m/%Y}" if new_due_at else ""),
        "resolved": "đã có kết quả",
        "returned": "đã trả kết quả",
    }[change]
    text = f"Hồ sơ {code} {news}."
    return f"{text} Chi tiết: {link}" if link else text


def money(amount: int, short: bool = False) -> str:
    """150000 -> "150.000 đồng" (short: "150.000đ")."""
    return f"{amount:,}".replace(",", ".") + ("đ" if short else " đồng")


def _at(moment: datetime | None) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}" if moment else ""
