"""A dossier's process diagram: the BPMN it runs on, with the steps done and the steps open.

Read from the deployed version and the inbox rows only; the workflow itself is not loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessVersion, Task, User
from engine.services.dossiers import get_dossier
from engine.services.errors import NotFound

# How a task row closes when someone finished it; recalled, reworked, cancelled or stopped rows do not count.
COMPLETED_OUTCOMES = ("completed", "")


@dataclass(frozen=True)
class DossierDiagram:
    """The BPMN XML of the dossier's process version and the BPMN ids of its user tasks, in order."""

    xml: str
    done: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)


def dossier_diagram(session: Session, actor: User, code: str) -> DossierDiagram:
    """The diagram of dossier ``code`` for ``actor`` (who must be allowed to view the dossier)."""
    dossier = get_dossier(session, actor, code)
    version = session.get(ProcessVersion, dossier.process_version_id) if dossier.process_version_id else None
    if version is None:
        raise NotFound(f"Hồ sơ “{dossier.code}” chưa chạy theo quy trình nào nên không có sơ đồ quy trình.")
    done = session.scalars(
        select(Task.step)
        .where(
            Task.dossier_id == dossier.id,
            Task.closed_at.is_not(None),
            Task.completed_by_id.is_not(None),
            Task.outcome.in_(COMPLETED_OUTCOMES),
        )
        .order_by(Task.closed_at, Task.id)
    ).all()
    current = session.scalars(
        select(Task.step)
        .where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))
        .order_by(Task.created_at, Task.id)
    ).all()
    return DossierDiagram(xml=version.bpmn_xml, done=_unique(done), current=_unique(current))


def _unique(steps: Iterable[str]) -> list[str]:
    """The steps in first-seen order, each once (a step done twice after a rework is listed once)."""
    return list(dict.fromkeys(steps))
