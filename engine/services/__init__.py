"""Use cases. Each takes a session and an actor, checks authorisation, and raises domain errors.

The caller owns the commit (``transaction`` below) so that one request is one
transaction, whatever it calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from engine.storage import forget_new_files


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back (files it stored included) if it raised."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        forget_new_files(session, delete=True)
        raise
    forget_new_files(session, delete=False)
