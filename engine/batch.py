"""Writes whose results nobody reads back, sent to PostgreSQL in one round trip.

A workflow step writes five or six rows (the closed task, the new ones, the state, the dossier,
the history line). Sent one at a time, each waits for the server to wake, run it and answer,
and on a busy two-core machine that wait, not the work, is most of a statement's cost. psycopg2
binds parameters on the client, so on PostgreSQL the statements are rendered with its own
quoting (``cursor.mogrify``) and sent as one query: the server runs them in order, inside the
caller's transaction, and answers once. Any error aborts the whole query and the caller's
transaction rolls back as usual. Elsewhere (SQLite, in the same process, where a statement
costs no round trip) the statements run one by one.

A statement added with ``must_change`` is a guard: when it changes no row (someone else got
there first), ``send`` raises ``StaleWrite`` and runs nothing after it. On PostgreSQL a guard
ends the query it is in, since only a query's last row count comes back: put guards last, or
leave out those a row lock already guarantees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import Compiled

Params = Mapping[str, Any]

# (statement, dialect, parameter names) -> its compiled form, or None when it cannot go in a batch.
# Meant for statements built once (module constants): each one compiled is kept here.
_compiled: dict[tuple[Executable, str, frozenset[str]], Compiled | None] = {}


class StaleWrite(Exception):
    """A guard changed no row: what the caller read has changed since."""


class WriteBatch:
    """Statements to run in order in ``conn``'s transaction, sent by ``send``."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.one_query = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2"
        self._pending: list[tuple[Executable, Params, bool]] = []

    def add(self, statement: Executable, params: Params | Sequence[Params], *, must_change: bool = False) -> None:
        """Queue ``statement`` once, or once per mapping when ``params`` is a list of them."""
        for one in [params] if isinstance(params, Mapping) else params:
            self._pending.append((statement, one, must_change))

    def send(self) -> None:
        pending, self._pending = self._pending, []
        if not self.one_query:
            for statement, params, must_change in pending:
                if self.conn.execute(statement, params).rowcount == 0 and must_change:
                    raise StaleWrite
            return
        parts: list[bytes] = []
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for statement, params, must_change in pending:
                compiled = _compile(statement, self.conn, params)
                if compiled is None:  # e.g. a Python-side default to compute: run what came before, then it
                    self._send(parts)
                    parts = []
                    if self.conn.execute(statement, params).rowcount == 0 and must_change:
                        raise StaleWrite
                    continue
                values = compiled.construct_params(dict(params))
                processors = getattr(compiled, "_bind_processors", {})
                for name, process in processors.items():
                    if name in values:
                        values[name] = process(values[name])
                parts.append(cursor.mogrify(compiled.string, values))
                if must_change:
                    if self._send(parts) == 0:
                        raise StaleWrite
                    parts = []
        finally:
            cursor.close()
        self._send(parts)

    def _send(self, parts: list[bytes]) -> int:
        if not parts:
            return 0
        from psycopg2.extensions import encodings as psycopg2_encodings  # only ever on PostgreSQL

        encoding = psycopg2_encodings[self.conn.connection.dbapi_connection.encoding]  # type: ignore[union-attr]
        sql = b";\n".join(parts).decode(encoding)
        # no_parameters: the text is final, so a "%" typed by a person is not taken for a placeholder.
        result = self.conn.exec_driver_sql(sql, execution_options={"no_parameters": True})
        return int(result.rowcount)


def _compile(statement: Executable, conn: Connection, params: Params) -> Compiled | None:
    key = (statement, conn.dialect.name, frozenset(params))
    if key not in _compiled:
        compiled = statement.compile(dialect=conn.dialect, column_keys=sorted(params))  # type: ignore[attr-defined]
        # Defaults computed in Python, expanding IN lists and post-compile parameters need the full
        # execution path: such a statement runs on its own.
        own = (
            getattr(compiled, "insert_prefetch", None)
            or getattr(compiled, "update_prefetch", None)
            or getattr(compiled, "_render_postcompile", False)
            or getattr(compiled, "post_compile_params", None)
        )
        _compiled[key] = None if own else compiled
    return _compiled[key]
