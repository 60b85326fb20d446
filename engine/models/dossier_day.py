"""Per unit and day: dossiers received, resolved, and resolved early, on time or late.

Kept by database triggers on ``dossier`` (migration 0008), in the transaction that
changes the dossier, so it is never behind the rows it sums: the dashboard's 12-month
charts read a few hundred of these rows instead of every dossier of the period. A
dossier counts once for each distinct unit among its agency, its counter and its
department; "resolved" is dated by ``finished_at`` and classified by date (domain.md §6).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class DossierDay(Base):
    __tablename__ = "dossier_day"

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    early: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
