"""Reference rows (units, procedures, the holiday calendar) cached in the process for a minute.

They change a few times a year and every step reads them. Keyed by database as well, so that a
process serving several databases (tests, tools) never mixes their rows up; ``forget`` drops
everything after an edit made in this process (other processes catch up within the minute).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from engine.db import database_key

T = TypeVar("T")

TTL_SECONDS = 60.0


class ReferenceCache(Generic[T]):
    def __init__(self) -> None:
        self._entries: dict[tuple[object, Hashable], tuple[float, T]] = {}

    def get(self, session: Session, key: Hashable, load: Callable[[], T]) -> T:
        """The cached value of ``key``, or ``load()`` when it is missing or older than a minute."""
        full_key = (database_key(session), key)
        cached = self._entries.get(full_key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < TTL_SECONDS:
            return cached[1]
        value = load()
        self._entries[full_key] = (now, value)
        return value

    def forget(self) -> None:
        self._entries.clear()
