"""Units (agencies, counters, departments) and the people who work in them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.roles import Role


class Unit(Base):
    """An agency or one of its parts; ``code`` is its mã định danh (QCVN 102:2016)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(35), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))  # agency | counter | department
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # Office hours, e.g. "07:00-11:30,13:30-17:00", and working weekdays "0,1,2,3,4" (Monday = 0);
    # empty means the default of engine.calendar.OfficeHours. Units without their own take their parent's.
    office_hours: Mapped[str] = mapped_column(String(100), default="")
    working_weekdays: Mapped[str] = mapped_column(String(20), default="")

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    @property
    def agency(self) -> Unit:
        """The agency this unit belongs to (itself for an agency)."""
        unit = self
        while unit.kind != "agency" and unit.parent is not None:
            unit = unit.parent
        return unit


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to revoke every API token the user holds.
    token_generation: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, role: Role | str) -> bool:
        return any(row.role == str(role) for row in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
