"""The portal's e-mails to citizens about their account: the verification link and the reset link.

The texts are pure functions; ``send_verification`` and ``send_reset`` queue them in the outbox in
the caller's transaction, so a mail leaves only if the account change it announces is committed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models import CitizenAccount, OutboxMessage
from engine.services import citizens
from engine.services.notifications import Email
from engine.services.outbox import enqueue_email

VERIFY_PATH = "/cong-dan/xac-thuc/"
RESET_PATH = "/cong-dan/dat-lai-mat-khau/"
SIGNATURE = "Trân trọng,\nCổng dịch vụ công – Hệ thống một cửa điện tử"
AUTOMATIC = "Đây là thư tự động, xin Ông/Bà không trả lời thư này."


def verification_email(full_name: str, link: str) -> Email:
    hours = citizens.VERIFY_MAX_AGE // 3600
    paragraphs = [
        f"Kính gửi Ông/Bà {full_name},",
        "Ông/Bà vừa đăng ký tài khoản trên Cổng dịch vụ công bằng địa chỉ email này.",
        f"Để hoàn tất đăng ký, xin mở liên kết sau (có hiệu lực trong {hours} giờ):\n{link}",
        "Nếu Ông/Bà không đăng ký tài khoản, xin bỏ qua thư này; tài khoản sẽ không được kích hoạt.",
        SIGNATURE,
        AUTOMATIC,
    ]
    return Email(subject="Xác thực email đăng ký tài khoản dịch vụ công", body="\n\n".join(paragraphs) + "\n")


def reset_email(full_name: str, link: str) -> Email:
    hours = citizens.RESET_MAX_AGE // 3600
    paragraphs = [
        f"Kính gửi Ông/Bà {full_name},",
        "Chúng tôi nhận được yêu cầu đặt lại mật khẩu tài khoản dịch vụ công gắn với địa chỉ email này.",
        f"Để đặt mật khẩu mới, xin mở liên kết sau (có hiệu lực trong {hours} giờ, dùng được một lần):\n{link}",
        "Nếu Ông/Bà không yêu cầu, xin bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.",
        SIGNATURE,
        AUTOMATIC,
    ]
    return Email(subject="Đặt lại mật khẩu tài khoản dịch vụ công", body="\n\n".join(paragraphs) + "\n")


def _link(base_url: str, path: str, token: str) -> str:
    return base_url.strip().rstrip("/") + path + token


def send_verification(session: Session, account: CitizenAccount, secret: str, base_url: str) -> OutboxMessage | None:
    """Queue the verification link for ``account`` (nothing for an address already proven)."""
    if account.email_verified_at is not None:
        return None
    link = _link(base_url, VERIFY_PATH, citizens.verification_token(account, secret))
    mail = verification_email(account.full_name, link)
    return enqueue_email(session, account.email, mail.subject, mail.body)


def send_reset(session: Session, account: CitizenAccount, secret: str, base_url: str) -> OutboxMessage | None:
    """Queue a one-use reset link for ``account`` (none for a closed account)."""
    if not account.active:
        return None
    link = _link(base_url, RESET_PATH, citizens.reset_token(account, secret))
    mail = reset_email(account.full_name, link)
    return enqueue_email(session, account.email, mail.subject, mail.body)


def request_reset(session: Session, email: str, secret: str, base_url: str) -> None:
    """Send a reset link if ``email`` has an account; say nothing either way, so accounts cannot be probed."""
    account = citizens.find_by_email(session, email)
    if account is not None:
        send_reset(session, account, secret, base_url)


def resend_verification(session: Session, email: str, secret: str, base_url: str) -> None:
    """Send the verification link again to an unverified account; silent otherwise, for the same reason."""
    account = citizens.find_by_email(session, email)
    if account is not None and account.active:
        send_verification(session, account, secret, base_url)
