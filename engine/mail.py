"""Sending one e-mail: the ``Mailer`` protocol the outbox uses, and its SMTP implementation."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Protocol

from engine.clock import VN_TZ


class MessageRefused(Exception):
    """The server refused this message alone (its recipient or content); others may still go."""


class Mailer(Protocol):
    """Hands one message to a mail server, returning once the server has accepted it.

    Raises ``MessageRefused`` when the problem is the message's own; any other exception
    means the server cannot be used now, and the caller stops sending until later.
    """

    def send(self, recipient: str, subject: str, body: str, *, reference: str | None = None) -> None: ...


class SmtpMailer:
    """Plain-text UTF-8 e-mail through an SMTP server (optionally STARTTLS and login), one connection a message.

    ``reference`` names the message stably (the outbox passes its row's key), so a copy sent twice
    after a crash carries the same Message-ID and mail clients show it once.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username or None
        self.password = password or None
        self.starttls = starttls
        self.timeout = timeout

    @property
    def domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "localhost"

    def build(self, recipient: str, subject: str, body: str, *, reference: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(VN_TZ))
        message["Message-ID"] = f"<{reference}@{self.domain}>" if reference else make_msgid(domain=self.domain)
        # RFC 3834: an automatic message, so that vacation responders do not answer it.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body, charset="utf-8", cte="quoted-printable")
        # The body is encoded (lines of 76) by now; what is left to fold are the headers, and the standard
        # library's folding drops the space between two encoded words ("sắp đến hạn" arrives as "đếnhạn"):
        # keep each header on one line (at most SMTP's 998 characters) so that nothing is folded.
        message.policy = message.policy.clone(max_line_length=998)
        return message

    def send(self, recipient: str, subject: str, body: str, *, reference: str | None = None) -> None:
        try:
            message = self.build(recipient, subject, body, reference=reference)
        except (ValueError, TypeError) as err:  # e.g. a line break in an address
            raise MessageRefused(f"Thư không hợp lệ: {err}") from err
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as err:
                raise MessageRefused(_describe(err)) from err


def _describe(err: Exception) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace')}" for address, (code, reply) in err.recipients.items()
        )
    if isinstance(err, smtplib.SMTPResponseException):
        return f"{err.smtp_code} {err.smtp_error.decode('utf-8', 'replace')}"
    return str(err)
