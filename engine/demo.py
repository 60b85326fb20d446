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
from engine.models import CitizenAccount, Dossier, Procedure, Unit, User, UserRole
from engine.roles import Role
from engine.services.auth import hash_password
from engine.services.calendars import seed_calendar
from engine.services.catalogue import load_procedure

DEMO_PASSWORD = "demo"
# The portal's demo citizen (same password), verified; ``load_demo_dossiers`` gives it two dossiers.
DEMO_CITIZEN = {
    "email": "congdan@example.vn",
    "full_name": "Lê Thị Thu",
    "phone": "0987123456",
    "id_number": "070190001234",
    "address": "Số 12 đường Phú Riềng Đỏ, phường Tân Phú, tỉnh Bình Phước",
}


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
    if session.scalars(select(CitizenAccount).where(CitizenAccount.email == DEMO_CITIZEN["email"])).first() is None:
        session.add(
            CitizenAccount(
                **DEMO_CITIZEN, password_hash=password, created_at=clock.now(), email_verified_at=clock.now()
            )
        )
    year = clock.now().year
    seed_calendar(session, range(year - 1, year + 3))
    for folder in sorted(p for p in processes_dir.iterdir() if (p / "process.bpmn").exists()):
        load_procedure(session, folder, units["agency"], units, forms)
    return units


def load_demo_dossiers(session: Session, forms: FormRegistry) -> list[Dossier]:
    """Two dossiers of the demo citizen, received at the counter: a birth registration and a building permit.

    Not part of ``load_demo``: the tests start from the catalogue without dossiers. Nothing is added
    when the demo citizen already has dossiers.
    """
    from engine.services.receive import receive_dossier

    citizen = session.scalars(select(CitizenAccount).where(CitizenAccount.email == DEMO_CITIZEN["email"])).one()
    if session.scalars(select(Dossier.id).where(Dossier.citizen_id == citizen.id)).first() is not None:
        return []
    counter = session.scalars(select(User).where(User.username == "motcua")).one()
    applicant = {k: DEMO_CITIZEN[k] for k in ("full_name", "phone", "id_number", "address")}
    child = {
        "child_full_name": "Nguyễn Lê Minh An",
        "child_birth_date": clock.today().isoformat(),
        "child_sex": "female",
        "birth_place": "Bệnh viện Đa khoa tỉnh Bình Phước",
        "mother_full_name": DEMO_CITIZEN["full_name"],
        "father_full_name": "Nguyễn Văn Hùng",
        "declarant_relationship": "mẹ",
    }
    received = []
    for code, data in (("1.001193", child), ("1.009994", None)):
        procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one()
        payload = {
            "procedure_code": code,
            "applicant": {**applicant, "email": DEMO_CITIZEN["email"]},
            "components": [c.id for c in procedure.components],
            **({"data": data} if data else {}),
        }
        dossier = receive_dossier(session, counter, payload, forms)
        dossier.citizen_id = citizen.id
        received.append(dossier)
    session.flush()
    return received
