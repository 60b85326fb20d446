"""SQL pieces the reports share: a timestamp's date, elapsed days, and which dossiers count.

Both backends store naive local timestamps (engine/clock.py), so the local date of a
timestamp is its date part: ``date(x)`` in SQLite, ``CAST(x AS DATE)`` in PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, Float, and_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from engine.models import Dossier
from engine.services.report_scope import Period, ReportScope
from engine.status import DossierStatus

DOSSIER = Dossier.__table__
FINISHED_STATUSES = (DossierStatus.RESOLVED.value, DossierStatus.RETURNED.value)
# Accepted dossiers: in processing, paused, waiting for fees, or finished. Not counted: 1 (not yet
# accepted), 3 (refused at intake), 7 and 8 (withdrawn, stopped; see engine/services/statistics.py).
OPEN_STATUSES = (2, 4, 5, 6)
COUNTED_STATUSES = (*OPEN_STATUSES, *FINISHED_STATUSES)


class day_of(FunctionElement):
    """The date of a naive local timestamp."""

    type = Date()
    inherit_cache = True


@compiles(day_of)
def _day_of_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


class days_between(FunctionElement):
    """Elapsed calendar days (fractional) from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


def accepted() -> ColumnElement[bool]:
    """Dossiers the agency accepted: a dossier waiting for supplements at intake (status 5 with no
    workflow yet) was not accepted and is not counted."""
    c = DOSSIER.c
    return and_(
        c.status.in_(COUNTED_STATUSES),
        or_(c.status != DossierStatus.SUPPLEMENT_REQUESTED.value, c.process_version_id.is_not(None)),
    )


def in_units(scope: ReportScope) -> list[ColumnElement[bool]]:
    """Dossiers handled by the scope's units (by the department that resolves them)."""
    return [] if scope.unit_ids is None else [DOSSIER.c.department_id.in_(scope.unit_ids)]


def alive_in(period: Period) -> list[ColumnElement[bool]]:
    """Dossiers on hand at some time in the period: received by its end, not finished before it.

    Written as two ranges the indexes of migration 0009 serve: finished since the period's
    start (ix_dossier_finished_at), or still open (the partial ix_dossier_open, which leaves
    out refused and stopped dossiers: they have no end date but never count).
    """
    c = DOSSIER.c
    still_open = and_(c.finished_at.is_(None), c.status.in_(OPEN_STATUSES))
    return [c.received_at < period.end_before, or_(c.finished_at >= period.start_at, still_open)]


def finished_in(period: Period) -> ColumnElement[bool]:
    """Resolved within the period (status 9 or 10, dated by the end of processing)."""
    c = DOSSIER.c
    return and_(c.status.in_(FINISHED_STATUSES), c.finished_at.is_not(None), c.finished_at < period.end_before)


def timeliness(finished: ColumnElement[bool], at: Any, due: Any) -> dict[str, ColumnElement[bool]]:
    """Before time, on time, late, by the date of ``at`` against the date of ``due`` (no due date: on time)."""
    return {
        "before": and_(finished, due.is_not(None), day_of(at) < day_of(due)),
        "on_time": and_(finished, or_(due.is_(None), day_of(at) == day_of(due))),
        "late": and_(finished, due.is_not(None), day_of(at) > day_of(due)),
    }


def open_late(period: Period) -> ColumnElement[bool]:
    """Still open at the period's end and late by then.

    Late means its due date is before the period's last day. A dossier paused for a
    supplement at that moment has a stopped clock: it is late only if it was already
    late on the day the pause began (its due date will move by the pause when the
    supplement arrives, engine/services/dossier_actions.py).
    """
    c = DOSSIER.c
    paused = and_(c.paused_at.is_not(None), c.paused_at < period.end_before)
    return and_(
        c.due_at.is_not(None),
        or_(
            and_(paused, day_of(c.due_at) < day_of(c.paused_at)),
            and_(~paused, c.due_at < period.end_day_start),
        ),
    )
