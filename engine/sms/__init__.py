"""Sending one SMS: the gateway interface the outbox uses, and a registry of gateways chosen by settings.

A gateway has the outbox's ``send(recipient, subject, body, reference=...)`` (the subject is
ignored): it returns once the provider accepted the message, raises ``MessageRefused`` for a
problem of this message alone, and anything else when the provider cannot be used now.

Texts keep their Vietnamese diacritics: they go as UCS-2 (70 characters a segment, 67 when
concatenated), so the messages are kept short, one to three segments. A provider that only
takes GSM-7 would fold them (``engine.text.fold``) in its own ``send``.

The only gateway built in is ``test``: it "sends" by writing the message into the ``sms_log``
table, where tests and the demo read it. A real provider is a class registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

from sqlalchemy.orm import Session

from engine import clock
from engine.mail import MessageRefused
from engine.models import SmsLog


class SmsGateway(Protocol):
    name: ClassVar[str]

    def send(self, recipient: str, subject: str, body: str, *, reference: str | None = None) -> None: ...


GATEWAYS: dict[str, type[Any]] = {}


def register(cls: type[Any]) -> type[Any]:
    """Class decorator: make a gateway choosable by its ``name`` in ``SMS_PROVIDER``."""
    GATEWAYS[cls.name] = cls
    return cls


def gateway_from_settings(settings: Mapping[str, Any], sessions: Callable[[], Session]) -> SmsGateway | None:
    """The gateway ``SMS_PROVIDER`` names; None when it is empty (SMS then wait in the outbox)."""
    name = str(settings.get("SMS_PROVIDER") or "").strip()
    if not name:
        return None
    cls = GATEWAYS.get(name)
    if cls is None:
        raise ValueError(f"unknown SMS provider {name!r} (known: {', '.join(sorted(GATEWAYS))})")
    return cls.from_settings(settings, sessions)


@register
class RecordingGateway:
    """The test gateway: every message is written to ``sms_log`` (its own short transaction)."""

    name: ClassVar[str] = "test"

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self.sessions = sessions

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], sessions: Callable[[], Session]) -> RecordingGateway:
        return cls(sessions)

    def send(self, recipient: str, subject: str, body: str, *, reference: str | None = None) -> None:
        if not recipient.isdigit():
            raise MessageRefused(f"Số điện thoại không hợp lệ: {recipient}")
        with self.sessions() as session:
            session.add(SmsLog(recipient=recipient, body=body, reference=reference or "", sent_at=clock.now()))
            session.commit()
