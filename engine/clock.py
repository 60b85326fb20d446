"""The current time, in the agencies' local time.

All timestamps are Vietnam local time (UTC+7, no daylight saving), stored
without a zone: deadlines are counted in office hours, which are local, and a
single zone keeps every comparison in SQL a plain one.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current local time, to the second, without tzinfo."""
    return datetime.now(VN_TZ).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """The date in Vietnam now (the server's own date may already, or still, be another day)."""
    return now().date()
