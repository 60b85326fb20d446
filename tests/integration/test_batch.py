"""Writes sent as one query on PostgreSQL and one by one on SQLite: same rows, same refusals."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, bindparam, create_engine, event, select
from sqlalchemy import insert as sql_insert
from sqlalchemy import update as sql_update

from engine.batch import StaleWrite, WriteBatch

_META = MetaData()
_NOTE = Table(
    "batch_note",
    _META,
    Column("id", Integer, primary_key=True),
    Column("text", String(200)),
    Column("at", DateTime),
    Column("copies", Integer, default=5),  # a default computed in Python: that statement runs on its own
)
_ADD = sql_insert(_NOTE)
_RENAME = sql_update(_NOTE).where(_NOTE.c.id == bindparam("p_id")).values(text=bindparam("p_text"))


@pytest.fixture
def conn(db_url):
    engine = create_engine(db_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with engine.connect() as connection:
        _META.create_all(connection)
        connection.commit()
        connection.info["statements"] = statements
        yield connection
        connection.rollback()
        _META.drop_all(connection)
        connection.commit()
    engine.dispose()


def _rows(conn) -> list[tuple]:
    return [tuple(row) for row in conn.execute(select(_NOTE).order_by(_NOTE.c.id))]


def test_what_people_typed_arrives_intact_whatever_its_quotes_and_percent_signs(conn):
    typed = ["Nguyễn Văn An'; DROP TABLE batch_note; --", "Đạt 100% yêu cầu \\ %(x)s %s", "Trần Thị Bình"]
    batch = WriteBatch(conn)
    batch.add(_ADD, [{"id": 1, "text": typed[0], "at": datetime(2026, 12, 1, 8, 30), "copies": 1}])
    batch.add(_ADD, {"id": 2, "text": typed[1], "at": None, "copies": 2})
    batch.add(_RENAME, {"p_id": 1, "p_text": typed[2]})
    conn.info["statements"].clear()
    batch.send()
    assert _rows(conn) == [(1, typed[2], datetime(2026, 12, 1, 8, 30), 1), (2, typed[1], None, 2)]
    sent = conn.info["statements"][:-1]  # the last one is the check above
    assert len(sent) == (1 if conn.dialect.name == "postgresql" else 3)


def test_a_guard_that_changes_nothing_stops_the_batch_before_what_follows(conn):
    conn.execute(_ADD, {"id": 1, "text": "đã có", "at": None, "copies": 1})
    batch = WriteBatch(conn)
    batch.add(_RENAME, {"p_id": 99, "p_text": "không có dòng này"}, must_change=True)
    batch.add(_ADD, {"id": 2, "text": "không được ghi", "at": None, "copies": 1})
    with pytest.raises(StaleWrite):
        batch.send()
    assert _rows(conn) == [(1, "đã có", None, 1)]


def test_a_guard_last_is_checked_and_a_python_default_is_still_computed(conn):
    batch = WriteBatch(conn)
    batch.add(_ADD, {"id": 1, "text": "mặc định", "at": None})  # copies comes from the Python default
    batch.add(_RENAME, {"p_id": 1, "p_text": "đã sửa"}, must_change=True)
    batch.send()
    assert _rows(conn) == [(1, "đã sửa", None, 5)]
    batch.add(_RENAME, {"p_id": 2, "p_text": "không có"}, must_change=True)
    with pytest.raises(StaleWrite):
        batch.send()
