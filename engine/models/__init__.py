"""SQLAlchemy tables, one module per aggregate."""

from engine.models.calendar_day import CalendarDay
from engine.models.catalogue import Component, Field, Procedure
from engine.models.directory import Unit, User, UserRole
from engine.models.dossier import (
    Attachment,
    Dossier,
    DossierComponent,
    DossierSequence,
    HistoryEvent,
    Task,
    WorkflowState,
)
from engine.models.process import ProcessVersion

__all__ = [
    "Attachment",
    "CalendarDay",
    "Component",
    "Dossier",
    "DossierComponent",
    "DossierSequence",
    "Field",
    "HistoryEvent",
    "Procedure",
    "ProcessVersion",
    "Task",
    "Unit",
    "User",
    "UserRole",
    "WorkflowState",
]
