"""Dossier codes: ``<agency code>-<YYMMDD>-<NNNN>`` (Thông tư 03/2025/TT-VPCP).

The sequence restarts every day per receiving unit. The next number comes from
one upsert that both creates and increments the day's row; the database's row
lock makes it race-free under concurrent reception on PostgreSQL and SQLite.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Engine, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import DocumentSequence, DossierSequence

AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")  # 000.00.12.H26
DOSSIER_CODE_RE = re.compile(r"^(?P<unit>[0-9A-Z.]{1,35})-(?P<day>\d{6})-(?P<seq>\d{4,})$")


def format_code(unit_code: str, day: date, sequence: int) -> str:
    return f"{unit_code}-{day:%y%m%d}-{sequence:04d}"


def is_dossier_code(text: str) -> bool:
    return bool(DOSSIER_CODE_RE.match(text))


def next_sequence(session: Session, unit_id: int, day: date) -> int:
    """Take the next number of ``unit_id``'s sequence for ``day``, inside the caller's transaction."""
    return _take(session, DossierSequence.__table__, unit_id=unit_id, day=day)


def next_document_number(session: Session, agency_id: int, year: int, kind: str) -> int:
    """Take the next number of the agency's ``kind`` of issued documents for ``year``."""
    return _take(session, DocumentSequence.__table__, agency_id=agency_id, year=year, kind=kind)


def _take(session: Session, table: Table, **key: object) -> int:
    """One upsert that creates the counter row at 1 or increments it, and returns the value."""
    bind = session.get_bind()
    dialect = bind.dialect.name if isinstance(bind, Engine) else bind.engine.dialect.name
    statement = _upserts.get((dialect, table.name))
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = _upserts[(dialect, table.name)] = (
            insert(table)
            .values({**{name: bindparam(f"k_{name}") for name in key}, "last_value": 1})
            .on_conflict_do_update(
                index_elements=[table.c[name] for name in key],
                set_={"last_value": table.c.last_value + 1},
            )
            .returning(table.c.last_value)
        )
    params = {f"k_{name}": value for name, value in key.items()}
    return int(session.connection().execute(statement, params).scalar_one())


# Built once per database kind and table: receptions and approvals take a number each.
_upserts: dict[tuple[str, str], Any] = {}


def next_code(session: Session, unit_id: int, unit_code: str, day: date) -> str:
    return format_code(unit_code, day, next_sequence(session, unit_id, day))
