"""Demo data: a provincial agency, its counter and two departments, a user per role, real procedures.

The password ``demo`` exists in demo data only; ``load_demo`` refuses to run
twice on the same database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.forms import FormRegistry
from engine.models import Unit, User, UserRole
from engine.roles import Role
from engine.services.auth import hash_password
from engine.services.calendars import seed_calendar
from engine.services.catalogue import load_procedure

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit: str
    roles: tuple[Role, ...]


UNITS = (
    # key, code (mã định danh), name, kind, parent key
    ("agency", "000.00.00.H10", "Ủy ban nhân dân tỉnh Bình Phước", "agency", None),
    ("counter", "000.00.01.H10", "Trung tâm Phục vụ hành chính công tỉnh", "counter", "agency"),
    ("justice", "000.00.12.H10", "Sở Tư pháp", "department", "agency"),
    ("construction", "000.00.13.H10", "Sở Xây dựng", "department", "agency"),
)

USERS = (
    DemoUser("motcua", "Nguyễn Thị Mai", "counter", (Role.COUNTER_OFFICER,)),
    DemoUser("chuyenvien", "Trần Văn Bình", "construction", (Role.SPECIALIST,)),
    DemoUser("truongphong", "Lê Hoàng Cường", "construction", (Role.DEPARTMENT_LEADER,)),
    DemoUser("lanhdao", "Phạm Minh Đức", "agency", (Role.AGENCY_LEADER,)),
    DemoUser("thietke", "Võ Thị Hạnh", "agency", (Role.PROCESS_DESIGNER,)),
    DemoUser("quantri", "Đặng Quốc Khánh", "agency", (Role.ADMINISTRATOR,)),
    DemoUser("chuyenvien2", "Hoàng Thị Lan", "construction", (Role.SPECIALIST,)),
    DemoUser("chuyenvien_tp", "Bùi Văn Nam", "justice", (Role.SPECIALIST,)),
    DemoUser("truongphong_tp", "Đỗ Thị Oanh", "justice", (Role.DEPARTMENT_LEADER,)),
    # The department's deputy head: examines dossiers, and leads while the head delegates to them.
    DemoUser("phophong", "Vũ Đức Thắng", "construction", (Role.SPECIALIST,)),
)


def load_demo(session: Session, processes_dir: Path, forms: FormRegistry) -> dict[str, Unit]:
    """Create the demo agency, users and procedures (idempotent for procedures)."""
    units: dict[str, Unit] = {}
    for key, code, name, kind, parent in UNITS:
        unit = session.scalars(select(Unit).where(Unit.code == code)).first()
        if unit is None:
            unit = Unit(code=code, name=name, kind=kind, parent_id=units[parent].id if parent else None)
            session.add(unit)
            session.flush()
        units[key] = unit
    password = hash_password(DEMO_PASSWORD)
    for spec in USERS:
        if session.scalars(select(User).where(User.username == spec.username)).first() is None:
            session.add(
                User(
                    username=spec.username,
                    full_name=spec.full_name,
                    email=f"{spec.username}@motcua.example",
                    password_hash=password,
                    unit_id=units[spec.unit].id,
                    role_rows=[UserRole(role=role.value) for role in spec.roles],
                )
            )
    session.flush()
    year = clock.now().year
    seed_calendar(session, range(year - 1, year + 3))
    for folder in sorted(p for p in processes_dir.iterdir() if (p / "process.bpmn").exists()):
        load_procedure(session, folder, units["agency"], units, forms)
    return units
