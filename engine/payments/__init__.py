"""Payment providers: a small registry of classes, one chosen by the deployment's settings.

A provider turns a pending payment into the address the payer is sent to, and reads the
provider's signed answers (the browser's return and the server-to-server callback). It
knows nothing of dossiers or the database: ``engine.services.payments`` does the rest.
A new provider is a class with a ``name`` registered with ``@register``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol


class InvalidSignature(Exception):
    """The provider's answer was not signed with our secret, or was altered on the way."""


@dataclass(frozen=True)
class PaymentOrder:
    """What the payer is asked to pay: one pending payment row, as the provider needs it."""

    txn_ref: str
    amount: int  # VND
    description: str  # ASCII, no diacritics: some banks show nothing else
    return_url: str
    client_ip: str
    created_at: datetime  # Vietnam time


@dataclass(frozen=True)
class PaymentResult:
    """A provider's signed answer about one payment, checked."""

    txn_ref: str
    amount: int  # VND
    success: bool
    response_code: str
    transaction_no: str
    bank_code: str
    paid_at: datetime | None


@dataclass(frozen=True)
class CallbackReply:
    """What the provider's server expects back from its callback."""

    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


class PaymentProvider(Protocol):
    name: ClassVar[str]
    label: ClassVar[str]

    def payment_url(self, order: PaymentOrder) -> str: ...

    def verify(self, params: Mapping[str, str]) -> PaymentResult: ...


PROVIDERS: dict[str, type[Any]] = {}


def register(cls: type[Any]) -> type[Any]:
    """Class decorator: make a provider choosable by its ``name`` in the settings."""
    PROVIDERS[cls.name] = cls
    return cls


class NotConfigured(Exception):
    """The settings name no provider, or leave out what it needs."""


def provider_from_settings(settings: Mapping[str, Any]) -> PaymentProvider:
    """The provider ``PAYMENT_PROVIDER`` names, built from its settings (``from_settings``)."""
    from engine.payments import vnpay  # noqa: F401 - registers the built-in provider

    name = str(settings.get("PAYMENT_PROVIDER") or "")
    cls = PROVIDERS.get(name)
    if cls is None:
        raise NotConfigured(f"unknown payment provider {name!r}")
    return cls.from_settings(settings)
