"""SQLAlchemy tables, one module per aggregate."""

from engine.models.calendar_day import CalendarDay
from engine.models.catalogue import Component, Field, Procedure
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
from engine.models.outbox import OutboxMessage
from engine.models.process import ProcessVersion

__all__ = [
    "Attachment",
    "CalendarDay",
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
    "Field",
    "FormVersion",
    "HistoryEvent",
    "IssuedDocument",
    "JobLease",
    "OutboxMessage",
    "Procedure",
    "ProcessVersion",
    "Task",
    "Unit",
    "User",
    "UserRole",
    "WorkflowState",
]
