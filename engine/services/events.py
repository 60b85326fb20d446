"""What follows a dossier's change of status, written in the same transaction as the change.

Every service that moves a dossier calls ``status_changed``; the documents it
issues and the messages it queues then commit or roll back with the step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


def status_changed(session: Session, dossier: Any, actor: Any, previous: int, now: datetime) -> None:
    """``dossier`` (ORM object or Core row namespace) went from ``previous`` to ``dossier.status``."""
    if previous == dossier.status:
        return
