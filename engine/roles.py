"""Roles, and how BPMN lanes map onto them.

A lane names a role; the dossier's units scope it. ``scope`` says which of the
dossier's units a role acts in: the counter that received it, the department
that handles its procedure, or the agency as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.text import fold


class Role(StrEnum):
    COUNTER_OFFICER = "counter_officer"
    SPECIALIST = "specialist"
    DEPARTMENT_LEADER = "department_leader"
    AGENCY_LEADER = "agency_leader"
    PROCESS_DESIGNER = "process_designer"
    ADMINISTRATOR = "administrator"


class Scope(StrEnum):
    RECEPTION = "reception"
    DEPARTMENT = "department"
    AGENCY = "agency"


@dataclass(frozen=True)
class RoleInfo:
    role: Role
    label: str
    scope: Scope | None
    lane_names: tuple[str, ...]


ROLES: dict[Role, RoleInfo] = {
    info.role: info
    for info in (
        RoleInfo(Role.COUNTER_OFFICER, "Cán bộ một cửa", Scope.RECEPTION, ("Một cửa", "Bộ phận một cửa")),
        RoleInfo(Role.SPECIALIST, "Chuyên viên", Scope.DEPARTMENT, ("Chuyên viên", "Cán bộ thụ lý")),
        RoleInfo(Role.DEPARTMENT_LEADER, "Lãnh đạo phòng", Scope.DEPARTMENT, ("Lãnh đạo phòng", "Trưởng phòng")),
        RoleInfo(Role.AGENCY_LEADER, "Lãnh đạo cơ quan", Scope.AGENCY, ("Lãnh đạo", "Lãnh đạo cơ quan")),
        RoleInfo(Role.PROCESS_DESIGNER, "Người thiết kế quy trình", None, ()),
        RoleInfo(Role.ADMINISTRATOR, "Quản trị hệ thống", None, ()),
    )
}

_ROLE_BY_LANE: dict[str, Role] = {
    fold(name): info.role for info in ROLES.values() for name in (*info.lane_names, info.role.value)
}


def role_for_lane(lane_name: str | None) -> Role | None:
    """The role a BPMN lane stands for, matched without case or diacritics; None if unknown."""
    if not lane_name:
        return None
    return _ROLE_BY_LANE.get(fold(lane_name))


def lane_names_hint() -> str:
    """The lane names a designer may use, for validation messages."""
    return ", ".join(f"“{name}”" for info in ROLES.values() for name in info.lane_names)
