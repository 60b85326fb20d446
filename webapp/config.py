"""Every setting in one place, read from the environment (or instance/ for the embedded default)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else a random key kept in instance/ (never in the repo)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def settings(instance_path: Path) -> dict[str, object]:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'motcua.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A ping before each checkout costs a round trip per request; recycling old connections
        # covers most server restarts. Set MOTCUA_DB_PRE_PING=1 behind flaky networks.
        "SQLALCHEMY_ENGINE_OPTIONS": (
            {"pool_recycle": 1800, "pool_pre_ping": os.environ.get("MOTCUA_DB_PRE_PING") == "1"}
            if not database_url.startswith("sqlite")
            else {}
        ),
        # Where procedures (BPMN + catalogue facts) and task forms live.
        "PROCESSES_DIR": Path(os.environ.get("MOTCUA_PROCESSES_DIR", ROOT / "processes")),
        "FORMS_DIR": Path(os.environ.get("MOTCUA_FORMS_DIR", ROOT / "forms")),
        # Scanned attachments: a directory shared by every app process, and the size limit per file.
        "ATTACHMENTS_DIR": Path(os.environ.get("MOTCUA_ATTACHMENTS_DIR", instance_path / "attachments")),
        "MAX_ATTACHMENT_BYTES": int(os.environ.get("MOTCUA_MAX_ATTACHMENT_MB", "10")) * 1024 * 1024,
        # The address printed in QR codes and e-mails; the public lookup lives under it.
        "PUBLIC_BASE_URL": os.environ.get("MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Outgoing e-mail (SMTP). An empty MAIL_SERVER, the default, sends nothing: messages still wait in
        # the outbox and leave once a server is set and `flask outbox send` (or the scheduler) runs.
        "MAIL_SERVER": os.environ.get("MOTCUA_MAIL_SERVER", "").strip(),
        "MAIL_PORT": int(os.environ.get("MOTCUA_MAIL_PORT", "25")),
        "MAIL_SENDER": os.environ.get("MOTCUA_MAIL_SENDER", "Bộ phận Một cửa <no-reply@localhost>"),
        "MAIL_USERNAME": os.environ.get("MOTCUA_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MOTCUA_MAIL_PASSWORD", ""),
        "MAIL_STARTTLS": os.environ.get("MOTCUA_MAIL_STARTTLS", "0") == "1",
        "MAIL_TIMEOUT": float(os.environ.get("MOTCUA_MAIL_TIMEOUT", "10")),
        # SMS to applicants, through the outbox like e-mail. "test" (the default) records them in the
        # sms_log table instead of sending; an empty value keeps them waiting in the outbox.
        "SMS_PROVIDER": os.environ.get("MOTCUA_SMS_PROVIDER", "test").strip(),
        # Online fee payment. The hash secret is the merchant's, given by VNPAY: environment only.
        "PAYMENT_PROVIDER": os.environ.get("MOTCUA_PAYMENT_PROVIDER", "vnpay").strip(),
        "VNPAY_TMN_CODE": os.environ.get("MOTCUA_VNPAY_TMN_CODE", "").strip(),
        "VNPAY_HASH_SECRET": os.environ.get("MOTCUA_VNPAY_HASH_SECRET", "").strip(),
        "VNPAY_URL": os.environ.get("MOTCUA_VNPAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"),
        "PAYMENT_RATE_LIMIT": os.environ.get("MOTCUA_PAYMENT_RATE_LIMIT", "10 per minute"),
        # A job in each web process retrying due e-mails every minute; off unless MOTCUA_SCHEDULER=1.
        "SCHEDULER_ENABLED": os.environ.get("MOTCUA_SCHEDULER", "0") == "1",
        # When the scheduler queues the daily warning e-mails (HH:MM, Vietnam time).
        "DIGEST_TIME": os.environ.get("MOTCUA_DIGEST_TIME", "07:00"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("MOTCUA_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "API_TOKEN_MAX_AGE": int(os.environ.get("MOTCUA_API_TOKEN_MAX_AGE", 12 * 3600)),
        # Public lookups and logins are limited per client address; share the counts between
        # processes with e.g. redis://… in production (memory:// counts per process).
        "RATELIMIT_ENABLED": os.environ.get("MOTCUA_RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_STORAGE_URI": os.environ.get("MOTCUA_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOOKUP_RATE_LIMIT": os.environ.get("MOTCUA_LOOKUP_RATE_LIMIT", "30 per minute"),
        "LOGIN_RATE_LIMIT": os.environ.get("MOTCUA_LOGIN_RATE_LIMIT", "10 per minute"),
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # a whole dossier's scans in one request
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    }
