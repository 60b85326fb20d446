"""Running a job in two processes at once, as two web workers' schedulers would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import sessionmaker

from engine.db import make_engine


def run_at_once(db_url: str, job: Callable[[sessionmaker], Any], runners: int = 2) -> tuple[list[Any], list[Exception]]:
    """Start ``job(sessions)`` in ``runners`` threads at the same moment, each with its own engine (separate
    connections and sessions, like separate processes); what they returned, and what they raised."""
    engines = [make_engine(db_url) for _ in range(runners)]
    start = threading.Barrier(runners)
    results: list[Any] = []
    errors: list[Exception] = []

    def runner(engine) -> None:
        try:
            start.wait()
            results.append(job(sessionmaker(bind=engine, expire_on_commit=False)))
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=runner, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return results, errors
