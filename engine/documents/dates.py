"""Dates and times as Vietnamese administrative documents write them.

Nghị định 30/2020/NĐ-CP (the format of administrative documents) asks for a
leading zero on days below 10 and on months 1 and 2 ("ngày 05 tháng 02 năm 2026",
but "tháng 3"), so the written date cannot be altered by hand. Times are local
(see engine.clock); an aware datetime is converted to Vietnam time first.
"""

from __future__ import annotations

from datetime import datetime

from engine.clock import VN_TZ

BLANK = "……"  # what a printed form shows where a value is not known, to be filled in by hand


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ).replace(tzinfo=None) if moment.tzinfo else moment


def _day(moment: datetime) -> str:
    return f"{moment.day:02d}" if moment.day < 10 else str(moment.day)


def _month(moment: datetime) -> str:
    return f"{moment.month:02d}" if moment.month < 3 else str(moment.month)


def date_words(moment: datetime) -> str:
    """``ngày 05 tháng 02 năm 2026``: the date line under the national motto."""
    moment = _local(moment)
    return f"ngày {_day(moment)} tháng {_month(moment)} năm {moment.year}"


def place_date(place: str, moment: datetime) -> str:
    """``Bình Phước, ngày 24 tháng 11 năm 2026``."""
    return f"{place}, {date_words(moment)}"


def clock_date(moment: datetime | None) -> str:
    """``14 giờ 05 phút, ngày 24/11/2026``, or dotted blanks when there is no time (e.g. no deadline)."""
    if moment is None:
        return f"{BLANK} giờ {BLANK} phút, ngày {BLANK}/{BLANK}/{BLANK}"
    moment = _local(moment)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, ngày {moment:%d/%m/%Y}"
