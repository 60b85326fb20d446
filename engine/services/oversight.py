"""Which units a person oversees on the dashboard and the warnings page, as SQL conditions.

A leader (department or agency) oversees their unit and every unit under it
(``unit.parent_id``); everyone else sees their own unit only. A dossier belongs to a
unit through the column that unit's kind stands for: the agency (``agency_id``), the
counter that received it (``receiving_unit_id``) or the department that handles it
(``department_id``). Units are few, so the tree is read whole and walked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from engine.models import Dossier, Task, Unit, User
from engine.roles import Role

LEADER_ROLES = (Role.DEPARTMENT_LEADER, Role.AGENCY_LEADER)


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    kind: str
    parent_id: int | None


@dataclass(frozen=True)
class Oversight:
    """The units one person oversees: their own first, then those under it, depth first."""

    unit_id: int
    leader: bool
    units: tuple[UnitRef, ...]

    @property
    def unit_ids(self) -> list[int]:
        return [unit.id for unit in self.units]

    def of_kind(self, kind: str) -> list[UnitRef]:
        return [unit for unit in self.units if unit.kind == kind]

    def name(self, unit_id: int | None) -> str:
        return next((unit.name for unit in self.units if unit.id == unit_id), "")

    def dossiers(self) -> Any:
        """The condition on ``dossier`` rows of these units.

        An agency's dossiers all carry its ``agency_id``, its counters' and departments'
        included, so with an agency in the set that one column is enough (and one index serves).
        """
        agencies = [unit.id for unit in self.of_kind("agency")]
        if agencies:
            return Dossier.agency_id.in_(agencies)
        conditions = []
        if counters := [unit.id for unit in self.of_kind("counter")]:
            conditions.append(Dossier.receiving_unit_id.in_(counters))
        if departments := [unit.id for unit in self.of_kind("department")]:
            conditions.append(Dossier.department_id.in_(departments))
        return or_(*conditions) if conditions else false()

    def tasks(self) -> Any:
        """The condition on open ``task`` rows waiting in, or held by people of, these units."""
        return Task.unit_id.in_(self.unit_ids)


def is_leader(user: User) -> bool:
    return any(user.has_role(role) for role in LEADER_ROLES)


def oversight_of(session: Session, user: User) -> Oversight:
    """The units ``user`` oversees: the subtree under their unit for a leader, their unit alone otherwise."""
    rows = session.execute(select(Unit.id, Unit.name, Unit.kind, Unit.parent_id).order_by(Unit.id)).all()
    refs = {row.id: UnitRef(row.id, row.name, row.kind, row.parent_id) for row in rows}
    leader = is_leader(user)
    if not leader:
        return Oversight(user.unit_id, False, (refs[user.unit_id],))
    children: dict[int | None, list[UnitRef]] = {}
    for ref in refs.values():
        children.setdefault(ref.parent_id, []).append(ref)
    ordered: list[UnitRef] = []
    stack = [refs[user.unit_id]]
    while stack:
        unit = stack.pop()
        if unit in ordered:  # a cycle in bad data must not loop forever
            continue
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.id, [])))
    return Oversight(user.unit_id, True, tuple(ordered))
