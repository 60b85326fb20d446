"""Who may see and do what: checked here, for the UI and the API alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models import Dossier, Task, Unit, User
from engine.roles import ROLES, Role, Scope

if TYPE_CHECKING:
    from engine.services.auth import ActorRef
from engine.services.errors import Forbidden


def agency_id_of(user: User) -> int:
    return user.unit.agency.id


def can_view_dossier(user: User, dossier: Dossier) -> bool:
    """The units that hold the dossier see it: the counter that received it, the department that
    handles it, and the agency's own staff (its leaders); nobody else, other departments included."""
    return user.unit_id in (dossier.receiving_unit_id, dossier.department_id, dossier.agency_id)


LEADER_ROLES = (Role.DEPARTMENT_LEADER, Role.AGENCY_LEADER)


def visible_unit_ids(session: Session, user: User) -> set[int]:
    """The units whose dossiers ``user`` may list: their own, and for a leader every unit under it."""
    if not any(user.has_role(role) for role in LEADER_ROLES):
        return {user.unit_id}
    tree = select(Unit.id).where(Unit.id == user.unit_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return set(session.scalars(select(tree.c.id)))  # one statement, however deep the units go


def visible_dossiers(unit_ids: set[int]) -> Any:
    """SQL condition: the dossier is held by one of ``unit_ids`` (its counter, department or agency),
    the rule of ``can_view_dossier`` applied to a list."""
    ids = sorted(unit_ids)
    return or_(Dossier.receiving_unit_id.in_(ids), Dossier.department_id.in_(ids), Dossier.agency_id.in_(ids))


def require_view(session: Session, user: User, dossier: Dossier) -> None:
    """The units that hold the dossier see it (``can_view_dossier``), and so does a leader of a unit above
    one of them, however deep, as the search and the reports list it for them (``visible_unit_ids``)."""
    if can_view_dossier(user, dossier):
        return
    holders = {dossier.receiving_unit_id, dossier.department_id, dossier.agency_id}
    if any(user.has_role(role) for role in LEADER_ROLES) and holders & visible_unit_ids(session, user):
        return
    raise Forbidden("Bạn không có quyền xem hồ sơ này.")


def require_counter_of(user: User, dossier: Dossier) -> None:
    """Only officers of the counter that received the dossier act on it at the counter."""
    if not user.has_role(Role.COUNTER_OFFICER):
        raise Forbidden("Chỉ cán bộ bộ phận một cửa mới được tiếp nhận hồ sơ.")
    if user.unit_id != dossier.receiving_unit_id:
        raise Forbidden("Hồ sơ này do bộ phận một cửa khác tiếp nhận.")


def is_leader_of(user: User, dossier: Dossier) -> bool:
    """A leader over the dossier: of the department that handles it, or of its agency."""
    return (user.has_role(Role.DEPARTMENT_LEADER) and user.unit_id == dossier.department_id) or (
        user.has_role(Role.AGENCY_LEADER) and user.unit_id == dossier.agency_id
    )


def can_act_on(user: User | ActorRef, task: Task) -> bool:
    """The assignee acts on an assigned task; anyone with the role in the task's unit on the rest."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return user.unit_id == task.unit_id and user.has_role(Role(task.role))


def require_act(user: User | ActorRef, task: Task) -> None:
    if not can_act_on(user, task):
        if task.assignee_id is not None:
            raise Forbidden("Công việc này đã được giao cho người khác.")
        raise Forbidden(f"Công việc này dành cho {ROLES[Role(task.role)].label.lower()} của đơn vị xử lý.")


def unit_for_role(role: Role, dossier: Dossier) -> int:
    """Which of the dossier's units a role acts in."""
    scope = ROLES[role].scope
    if scope == Scope.RECEPTION:
        return dossier.receiving_unit_id
    if scope == Scope.DEPARTMENT:
        return dossier.department_id
    return dossier.agency_id
