"""SQLAlchemy tables, one module per aggregate."""

from engine.models.calendar_day import CalendarDay
from engine.models.catalogue import Component, Field, Procedure
from engine.models.citizen import CitizenAccount
from engine.models.delegation import Delegation
from engine.models.digest import DigestSent, JobLease
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
from engine.models.dossier_day import DossierDay
from engine.models.form_version import FormVersion
from engine.models.online import OnlineApplication, OnlineDraft, OnlineDraftFile
from engine.models.outbox import OutboxAttachment, OutboxMessage
from engine.models.payment import FeeRequest, Payment, SmsLog
from engine.models.process import ProcessVersion
from engine.models.satisfaction import SatisfactionRating
from engine.models.saved_search import SavedSearch

__all__ = [
    "Attachment",
    "CalendarDay",
    "CitizenAccount",
    "Comment",
    "Component",
    "Delegation",
    "DigestSent",
    "DocumentSequence",
    "Dossier",
    "DossierComponent",
    "DossierDay",
    "DossierSequence",
    "Extension",
    "FeeRequest",
    "Field",
    "FormVersion",
    "HistoryEvent",
    "IssuedDocument",
    "JobLease",
    "OnlineApplication",
    "OnlineDraft",
    "OnlineDraftFile",
    "OutboxAttachment",
    "OutboxMessage",
    "Payment",
    "Procedure",
    "ProcessVersion",
    "SatisfactionRating",
    "SavedSearch",
    "SmsLog",
    "Task",
    "Unit",
    "User",
    "UserRole",
    "WorkflowState",
]
