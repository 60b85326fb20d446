"""Satisfaction ratings (domain.md §7): once per dossier, after status 9 or 10, by its applicant only.

The applicant is the account owning the dossier, or, for a dossier handed in at the counter
without an account, whoever gives its code and the applicant's phone or ID number. The unique
dossier column makes "once" hold under a race too: the second insert fails and becomes a 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.models import CitizenAccount, Dossier, SatisfactionRating, User
from engine.models.satisfaction import CRITERIA, SCALE
from engine.roles import Role
from engine.services.citizen_dossiers import FINISHED, my_dossier, verified_dossier
from engine.services.errors import Conflict, Forbidden, InvalidInput
from engine.status import DossierStatus

ALREADY_RATED = "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần."
ACCOUNT_RATES = "Hồ sơ này thuộc một tài khoản dịch vụ công: vui lòng đăng nhập tài khoản đó để đánh giá."
NOT_YET = "Chỉ đánh giá được khi hồ sơ đã xử lý xong (trạng thái 9) hoặc đã trả kết quả (trạng thái 10)."
COUNTS = {
    "contacts_count": ("Số lần phải liên hệ để hoàn thành hồ sơ", 1, 20),
    "agencies_count": ("Số cơ quan phải liên hệ", 1, 10),
}
MAX_COMMENT = 2000


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """The rating's columns from the answers; InvalidInput with a Vietnamese message per field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in CRITERIA:
        level = _int(values.get(name))
        if level not in SCALE:
            errors[name] = "Vui lòng chọn một mức: " + ", ".join(SCALE.values()) + "."
        clean[name] = level
    for name, (label, low, high) in COUNTS.items():
        count = _int(values.get(name))
        if count is None or not low <= count <= high:
            errors[name] = f"{label}: nhập một số từ {low} đến {high}."
        clean[name] = count
    comment = str(values.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Ý kiến dài quá {MAX_COMMENT} ký tự."
    clean["comment"] = comment
    if errors:
        raise InvalidInput(errors)
    return clean


def rating_of(session: Session, dossier_id: int) -> SatisfactionRating | None:
    return session.scalars(select(SatisfactionRating).where(SatisfactionRating.dossier_id == dossier_id)).first()


def _rate(session: Session, dossier: Dossier, values: Mapping[str, Any], citizen_id: int | None) -> SatisfactionRating:
    if DossierStatus(dossier.status) not in FINISHED:
        raise Conflict(NOT_YET)
    if rating_of(session, dossier.id) is not None:
        raise Conflict(ALREADY_RATED)
    clean = validate(values)
    rating = SatisfactionRating(
        dossier_id=dossier.id,
        citizen_id=citizen_id,
        channel="account" if citizen_id is not None else "lookup",
        rated_at=clock.now(),
        **clean,
    )
    try:
        with session.begin_nested():  # a concurrent rating wins the unique key: refuse cleanly
            session.add(rating)
    except IntegrityError as err:
        raise Conflict(ALREADY_RATED) from err
    return rating


def rate_as_citizen(
    session: Session, citizen: CitizenAccount, code: str, values: Mapping[str, Any]
) -> SatisfactionRating:
    """The account rates one of its own dossiers."""
    return _rate(session, my_dossier(session, citizen, code), values, citizen.id)


def rate_with_second_factor(session: Session, code: str, factor: str, values: Mapping[str, Any]) -> SatisfactionRating:
    """Whoever proves the applicant (phone or ID number) rates a dossier received at the counter.

    A dossier that belongs to an account is rated from that account only.
    """
    dossier = verified_dossier(session, code, factor)
    if dossier.citizen_id is not None:
        raise Conflict(ACCOUNT_RATES)
    return _rate(session, dossier, values, None)


@dataclass(frozen=True)
class Summary:
    """Ratings received: how many, the share satisfied (Hài lòng or better) and the mean level per criterion."""

    count: int
    satisfied_share: float | None  # on the overall criterion, QĐ 766's satisfaction indicator
    means: dict[str, float]


REPORT_ROLES = (Role.AGENCY_LEADER, Role.DEPARTMENT_LEADER, Role.ADMINISTRATOR)


def summary_for(session: Session, actor: User) -> Summary:
    """The summary, for the leaders and administrators who answer for the service."""
    if not any(actor.has_role(role) for role in REPORT_ROLES):
        raise Forbidden("Chỉ lãnh đạo và quản trị hệ thống xem được kết quả đánh giá mức độ hài lòng.")
    return summary(session)


def summary(session: Session) -> Summary:
    columns = [func.avg(getattr(SatisfactionRating, name)) for name in CRITERIA]
    row = session.execute(
        select(
            func.count(SatisfactionRating.id),
            func.sum(case((SatisfactionRating.overall >= 3, 1), else_=0)),
            *columns,
        )
    ).one()
    count = int(row[0] or 0)
    if count == 0:
        return Summary(0, None, {})
    return Summary(
        count=count,
        satisfied_share=float(row[1] or 0) / count,
        means={name: round(float(value), 2) for name, value in zip(CRITERIA, row[2:], strict=True)},
    )
