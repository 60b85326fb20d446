"""What follows a dossier's change of status, written in the same transaction as the change.

Every service that moves a dossier calls ``status_changed``; the documents it
issues and the messages it queues then commit or roll back with the step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.services import notifications


def status_changed(
    session: Session,
    dossier: Any,
    actor: Any,
    previous: int,
    now: datetime,
    workflow: dict[str, Any] | None = None,
) -> None:
    """``dossier`` (ORM object or Core row namespace) went from ``previous`` to ``dossier.status``
    (``previous`` 0: it was just received); ``workflow`` is the workflow's data when the caller holds
    the instance."""
    if previous == dossier.status:
        return
    # The applicant hears of every change they can see (e-mail and SMS, through the outbox).
    notifications.notify_applicant(session, dossier, now, previous)
    # A resolved dossier gets its result document, numbered and with its verification code (once).
    if dossier.status == 9:  # DossierStatus.RESOLVED
        from engine.services.result_documents import issue_result  # local: it imports the dossier services

        issue_result(session, dossier.id, actor, now, workflow=workflow, dossier=dossier)
