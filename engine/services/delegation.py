"""Delegation (ủy quyền): while a leader is away, a deputy of the same unit acts for them.

A delegation is a period, not a switch: it starts and ends by itself. During it
the deputy sees and acts on the leader's tasks (those assigned to the leader
and those waiting for the leader's role in the leader's unit), new ones
included; the history names both people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.calendar import parse_day
from engine.models import Delegation, User, UserRole
from engine.roles import Role
from engine.services.access import can_act_on, require_act
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound

LEADER_ROLES = (Role.DEPARTMENT_LEADER, Role.AGENCY_LEADER)
MAX_DAYS = 90


@dataclass(frozen=True)
class Principal:
    """A leader the caller acts for, as far as checking a task needs."""

    id: int
    full_name: str
    unit_id: int
    roles: frozenset[str]
    delegation_id: int

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles


def principals_of(session: Session, deputy_id: int, now: datetime | None = None) -> list[Principal]:
    """The people who delegate to ``deputy_id`` at ``now``, with their roles: one query."""
    now = now or clock.now()
    rows = (
        session.connection()
        .execute(
            select(Delegation.id, User.id, User.full_name, User.unit_id, UserRole.role)
            .join(User, User.id == Delegation.principal_id)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(
                Delegation.deputy_id == deputy_id,
                Delegation.revoked_at.is_(None),
                Delegation.starts_at <= now,
                Delegation.ends_at > now,
                User.active,
            )
        )
        .all()
    )
    found: dict[int, tuple[int, str, int, set[str]]] = {}
    for delegation_id, user_id, name, unit_id, role in rows:
        entry = found.setdefault(user_id, (delegation_id, name, unit_id, set()))
        if role:
            entry[3].add(role)
    return [
        Principal(user_id, name, unit_id, frozenset(roles), delegation_id)
        for user_id, (delegation_id, name, unit_id, roles) in found.items()
    ]


def acting_for(session: Session, actor: Any, task: Any, principals: list[Principal] | None = None) -> Principal | None:
    """None when ``actor`` may act on ``task`` themselves; the leader they act for by delegation;
    Forbidden (the actor's own reason) when neither."""
    if can_act_on(actor, task):
        return None
    for principal in principals if principals is not None else principals_of(session, actor.id):
        if can_act_on(principal, task):
            return principal
    require_act(actor, task)  # raises with the reason that fits the actor
    return None  # pragma: no cover - require_act raised


def signature(actor: Any, principal: Principal | None) -> str:
    """The name the history shows: "Trần B, được ủy quyền bởi Nguyễn A"."""
    if principal is None:
        return str(actor.full_name)
    return f"{actor.full_name}, được ủy quyền bởi {principal.full_name}"


def _moment(value: Any, field: str, errors: dict[str, str], end_of_day: bool = False) -> datetime | None:
    """A moment typed as 2026-12-24T08:00, or a day (its start, or its last second for an end)."""
    if isinstance(value, datetime):
        return value
    text = str(value or "").strip()
    if "T" in text:
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            pass
    day = parse_day(text)
    if day is None:
        errors[field] = "Hãy nhập ngày hợp lệ (ví dụ 2026-12-24)." if text else "Hãy nhập ngày."
        return None
    return datetime.combine(day, time(23, 59, 59) if end_of_day else time(0, 0))


def delegate(session: Session, actor: User, payload: dict[str, Any]) -> Delegation:
    """Name a deputy of the actor's own unit for a period. Only leaders delegate."""
    if not any(actor.has_role(role) for role in LEADER_ROLES):
        raise Forbidden("Chỉ lãnh đạo mới được ủy quyền xử lý công việc.")
    errors: dict[str, str] = {}
    raw_deputy = payload.get("deputy_id")
    deputy = None
    if isinstance(raw_deputy, int) or (isinstance(raw_deputy, str) and raw_deputy.strip().isdigit()):
        deputy = session.get(User, int(raw_deputy))
    if deputy is None or not deputy.active:
        errors["deputy_id"] = "Hãy chọn người được ủy quyền."
    elif deputy.id == actor.id:
        errors["deputy_id"] = "Không thể tự ủy quyền cho chính mình."
    elif deputy.unit_id != actor.unit_id:
        errors["deputy_id"] = "Người được ủy quyền phải thuộc cùng đơn vị với bạn."
    now = clock.now()
    starts_at = _moment(payload.get("starts_at") or now, "starts_at", errors)
    ends_at = _moment(payload.get("ends_at"), "ends_at", errors, end_of_day=True)
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = "Thời điểm kết thúc phải sau thời điểm bắt đầu."
        elif ends_at <= now:
            errors["ends_at"] = "Thời điểm kết thúc đã qua."
        elif (ends_at - starts_at).days > MAX_DAYS:
            errors["ends_at"] = f"Mỗi lần ủy quyền tối đa {MAX_DAYS} ngày."
    reason = str(payload.get("reason") or "").strip()
    if len(reason) > 1000:
        errors["reason"] = "Lý do tối đa 1000 ký tự."
    if errors:
        raise InvalidInput(errors)
    assert starts_at and ends_at and deputy
    overlapping = session.scalars(
        select(Delegation).where(
            Delegation.principal_id == actor.id,
            Delegation.revoked_at.is_(None),
            Delegation.starts_at < ends_at,
            Delegation.ends_at > starts_at,
        )
    ).first()
    if overlapping is not None:
        raise Conflict(
            f"Bạn đã ủy quyền cho {overlapping.deputy.full_name} trong khoảng thời gian này; "
            "hãy kết thúc ủy quyền đó trước."
        )
    delegation = Delegation(
        principal_id=actor.id, deputy_id=deputy.id, starts_at=starts_at, ends_at=ends_at, reason=reason, created_at=now
    )
    session.add(delegation)
    session.flush()
    return delegation


def end_delegation(session: Session, actor: User, delegation_id: int) -> Delegation:
    """The leader (or the deputy) ends a delegation now."""
    delegation = session.get(Delegation, delegation_id)
    if delegation is None:
        raise NotFound("Không tìm thấy ủy quyền.")
    if actor.id not in (delegation.principal_id, delegation.deputy_id):
        raise Forbidden("Bạn không phải người ủy quyền hay người được ủy quyền.")
    now = clock.now()
    if delegation.revoked_at is not None or delegation.ends_at <= now:
        raise Conflict("Ủy quyền này đã kết thúc.")
    delegation.revoked_at = now
    if delegation.starts_at > now:
        delegation.starts_at = now
    delegation.ends_at = now
    return delegation


def delegations_of(session: Session, actor: User) -> list[Delegation]:
    """Delegations the actor gave or received, current and future first."""
    return list(
        session.scalars(
            select(Delegation)
            .where(or_(Delegation.principal_id == actor.id, Delegation.deputy_id == actor.id))
            .order_by(Delegation.ends_at.desc())
            .limit(50)
        )
    )


def deputy_candidates(session: Session, actor: User) -> list[User]:
    """Active people of the actor's unit, the actor excepted."""
    return list(
        session.scalars(
            select(User).where(User.unit_id == actor.unit_id, User.active, User.id != actor.id).order_by(User.full_name)
        )
    )
