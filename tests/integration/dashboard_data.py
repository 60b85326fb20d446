"""Hand-built dossiers and tasks for the dashboard, warnings and digest tests (demo units and people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from engine.models import Unit, User
from tests.factories import add_dossier, add_task


def unit_id(session, code: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.code == code))


def user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def demo_units(session) -> dict[str, int]:
    return {
        "agency": unit_id(session, "000.00.00.H10"),
        "counter": unit_id(session, "000.00.01.H10"),
        "justice": unit_id(session, "000.00.12.H10"),
        "construction": unit_id(session, "000.00.13.H10"),
    }


def in_unit(units: dict[str, int], department: str, counter: str = "counter") -> dict[str, int]:
    """The three unit columns of a dossier handled by ``department``."""
    return {"agency": units["agency"], "counter": units[counter], "department": units[department]}


@dataclass
class Warned:
    """Open construction dossiers: one due soon, four late by ½, 2, 5 and 10 days, and two that never warn."""

    soon: str
    late_half_day: str
    late_2: str
    late_5: str
    late_10: str
    paused: str
    resolved: str


def warned_dossiers(session, now: datetime) -> Warned:
    units = demo_units(session)
    construction = in_unit(units, "construction")
    specialist = user(session, "chuyenvien")

    def dossier(due_at: datetime, status: int = 4):
        return add_dossier(session, construction, status=status, due_at=due_at, received_at=now - timedelta(days=20))

    soon = dossier(now + timedelta(minutes=5))
    add_task(session, soon, "specialist", units["construction"], specialist.id, due_at=soon.due_at)
    half = dossier(now - timedelta(hours=12))
    add_task(session, half, "specialist", units["construction"], specialist.id, due_at=half.due_at)
    two = dossier(now - timedelta(days=2))
    add_task(session, two, "specialist", units["construction"], specialist.id, due_at=two.due_at)
    five = dossier(now - timedelta(days=5))
    add_task(session, five, "department_leader", units["construction"], None, due_at=five.due_at)
    ten = dossier(now - timedelta(days=10))  # no open step: waiting at no one
    paused = dossier(now - timedelta(days=3), status=5)  # waiting for a supplement: the clock is stopped
    resolved = dossier(now - timedelta(days=3), status=9)
    later = dossier(now + timedelta(days=30))
    add_task(session, later, "specialist", units["construction"], user(session, "chuyenvien2").id, due_at=later.due_at)
    session.commit()
    return Warned(soon.code, half.code, two.code, five.code, ten.code, paused.code, resolved.code)
