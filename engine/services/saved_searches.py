"""Saved searches: a staff member keeps search criteria under a name, runs them again, deletes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import SavedSearch, User
from engine.services.errors import Conflict, InvalidInput, NotFound
from engine.services.search import SearchCriteria, parse_criteria

MAX_NAME = 100
MAX_PER_PERSON = 50


def save_search(session: Session, actor: User, name: str, criteria: SearchCriteria) -> SavedSearch:
    """Keep ``criteria`` (without the page) under ``name`` for ``actor``; a name already used is refused."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput({"name": "Hãy đặt tên cho tìm kiếm."})
    if len(name) > MAX_NAME:
        raise InvalidInput({"name": f"Tên tối đa {MAX_NAME} ký tự."})
    if criteria.is_empty:
        raise InvalidInput({"name": "Chưa có điều kiện tìm kiếm nào để lưu."})
    mine = select(SavedSearch).where(SavedSearch.owner_id == actor.id)
    if session.scalars(mine.where(SavedSearch.name == name)).first() is not None:
        raise Conflict(f"Bạn đã có tìm kiếm tên “{name}”. Hãy chọn tên khác hoặc xóa tìm kiếm cũ.")
    if (session.scalar(select(func.count()).select_from(mine.subquery())) or 0) >= MAX_PER_PERSON:
        raise Conflict(f"Mỗi người lưu tối đa {MAX_PER_PERSON} tìm kiếm. Hãy xóa bớt tìm kiếm cũ.")
    saved = SavedSearch(
        owner_id=actor.id,
        name=name,
        criteria=json.dumps(criteria.to_args(paging=False), ensure_ascii=False),
        created_at=clock.now(),
    )
    session.add(saved)
    session.flush()
    return saved


def saved_searches(session: Session, actor: User) -> list[SavedSearch]:
    """The actor's own saved searches, by name."""
    return list(session.scalars(select(SavedSearch).where(SavedSearch.owner_id == actor.id).order_by(SavedSearch.name)))


def get_saved(session: Session, actor: User, saved_id: int) -> SavedSearch:
    """One of the actor's saved searches; another person's is as good as missing."""
    saved = session.get(SavedSearch, saved_id)
    if saved is None or saved.owner_id != actor.id:
        raise NotFound("Không tìm thấy tìm kiếm đã lưu.")
    return saved


def saved_args(saved: SavedSearch) -> dict[str, str]:
    """The query parameters of a saved search."""
    data: Mapping[str, Any] = json.loads(saved.criteria)
    return {str(k): str(v) for k, v in data.items()}


def saved_criteria(saved: SavedSearch) -> SearchCriteria:
    """The criteria of a saved search, checked again (limits may have changed since it was saved)."""
    return parse_criteria(saved_args(saved))


def delete_saved(session: Session, actor: User, saved_id: int) -> None:
    session.delete(get_saved(session, actor, saved_id))
    session.flush()
