"""Satisfaction ratings (đánh giá mức độ hài lòng): one per dossier, given after its result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

# The four-level scale of the provincial portals and the national portal's survey, best first.
# Kept as 4..1 so that "satisfied" (QĐ 766's satisfaction share) is simply ``>= 3``.
SCALE: dict[int, str] = {4: "Rất hài lòng", 3: "Hài lòng", 2: "Chấp nhận được", 1: "Không hài lòng"}
CRITERIA: dict[str, str] = {
    "overall": "Mức độ hài lòng chung về việc giải quyết thủ tục",
    "convenience": "Sự thuận tiện khi thực hiện thủ tục",
    "timeliness": "Thời gian giải quyết so với quy định",
    "attitude": "Thái độ, tinh thần phục vụ của cán bộ, công chức",
    "transparency": "Sự công khai, minh bạch thông tin về thủ tục",
}


class SatisfactionRating(Base):
    """What the applicant said of the service for one dossier; the unique dossier makes it once only."""

    __tablename__ = "satisfaction_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), unique=True)
    # The account that rated; null when rated from the public lookup with the code and a second factor.
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_account.id"))
    overall: Mapped[int] = mapped_column(SmallInteger)
    convenience: Mapped[int] = mapped_column(SmallInteger)
    timeliness: Mapped[int] = mapped_column(SmallInteger)
    attitude: Mapped[int] = mapped_column(SmallInteger)
    transparency: Mapped[int] = mapped_column(SmallInteger)
    # How many times the applicant had to come or call, and how many agencies they dealt with.
    contacts_count: Mapped[int] = mapped_column(SmallInteger)
    agencies_count: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20))  # account | lookup
    rated_at: Mapped[datetime] = mapped_column(DateTime)
