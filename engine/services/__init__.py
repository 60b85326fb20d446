"""Use cases. Each takes a session and an actor, checks authorisation, and raises domain errors.

The caller owns the commit (``transaction`` below) so that one request is one
transaction, whatever it calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back if it raised."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
