"""The procedure catalogue: fields, procedures and their components."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.directory import Unit

ONLINE_LEVELS = {"toan_trinh": "Toàn trình", "mot_phan": "Một phần", "none": "Không"}
TIME_KINDS = {"working_days": "Ngày làm việc", "calendar_days": "Ngày (theo lịch)", "same_day": "Trong ngày"}


class Field(Base):
    """A lĩnh vực (sector), e.g. Hộ tịch, Xây dựng."""

    __tablename__ = "field"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))


class Procedure(Base):
    """A thủ tục hành chính, bound to the BPMN process that runs its dossiers."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    name_folded: Mapped[str] = mapped_column(String(500))
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"))
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # working_days | calendar_days | same_day (due next working day if received after 15:00)
    time_kind: Mapped[str] = mapped_column(String(20))
    time_value: Mapped[int] = mapped_column(Integer, default=0)
    fee: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    effective_from: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # toan_trinh (fully online) | mot_phan (partly online) | none  (Nghị định 42/2022)
    online_level: Mapped[str] = mapped_column(String(20), default="none")
    # The application form (tờ khai) the counter fills at reception: a name under forms/.
    application_form: Mapped[str] = mapped_column(String(100), default="")
    # The .docx in templates_docx/ the result document is filled into; empty: the generic decision.
    result_template: Mapped[str] = mapped_column(String(100), default="")

    field: Mapped[Field] = relationship(lazy="joined")
    agency: Mapped[Unit] = relationship(foreign_keys=[agency_id])
    department: Mapped[Unit] = relationship(foreign_keys=[department_id])
    components: Mapped[list[Component]] = relationship(order_by="Component.position", cascade="all, delete-orphan")

    @property
    def online_level_label(self) -> str:
        return ONLINE_LEVELS.get(self.online_level, "Không")

    @property
    def time_label(self) -> str:
        if self.time_kind == "same_day":
            return "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"
        if self.time_kind == "calendar_days":
            return f"{self.time_value} ngày"
        return f"{self.time_value} ngày làm việc"


class Component(Base):
    """A thành phần hồ sơ: one document the applicant hands in."""

    __tablename__ = "component"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    originals: Mapped[int] = mapped_column(Integer, default=1)
    certified_copies: Mapped[int] = mapped_column(Integer, default=0)
    photocopies: Mapped[int] = mapped_column(Integer, default=0)
