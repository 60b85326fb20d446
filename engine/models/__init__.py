"""SQLAlchemy tables, one module per aggregate."""

from engine.models.calendar_day import CalendarDay
from engine.models.catalogue import Component, Field, Procedure
from engine.models.delegation import Delegation
from engine.models.directory import Unit, User, UserRole
from engine.models.dossier import (
    Attachment,
    Comment,
    DocumentSequence,
    Dossier,
    DossierComponent,
    DossierSequence,
    Extension,
    HistoryEvent,
    IssuedDocument,
    Task,
    WorkflowState,
)
from engine.models.form_version import FormVersion
from engine.models.outbox import OutboxMessage
from engine.models.payment import FeeRequest, Payment, SmsLog
from engine.models.process import ProcessVersion

__all__ = [
    "Attachment",
    "CalendarDay",
    "Comment",
    "Component",
    "Delegation",
    "DocumentSequence",
    "Dossier",
    "DossierComponent",
    "DossierSequence",
    "Extension",
    "FeeRequest",
    "Field",
    "FormVersion",
    "HistoryEvent",
    "IssuedDocument",
    "OutboxMessage",
    "Payment",
    "Procedure",
    "ProcessVersion",
    "SmsLog",
    "Task",
    "Unit",
    "User",
    "UserRole",
    "WorkflowState",
]
