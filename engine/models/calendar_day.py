"""Days that break the weekly rhythm: public holidays and swapped working days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class CalendarDay(Base):
    """A holiday (``kind='holiday'``) or a weekend day worked after a swap (``kind='workday'``)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(255), default="")
