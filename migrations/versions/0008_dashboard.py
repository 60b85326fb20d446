"""Dashboard and warnings: indexes for the per-role figures, the digest log and the job lease.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:00:00.000000

The dashboard counts dossiers of a unit (an agency, a counter or a department, each
through its own column). Open ones by due time and those at the units now by status are
index-only scans of partial indexes holding those statuses only. Received and resolved
per month and their timeliness are summed from ``dossier_day``: per unit and day, kept
exact by triggers on ``dossier`` in the transaction of each change (PL/pgSQL on
PostgreSQL, plain triggers on SQLite) and filled here from the dossiers already there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = "status IN (2, 4, 5, 6)"
AT_UNIT = "status IN (1, 2, 4, 5, 6, 9)"
AT_UNIT_INCLUDE = ["channel", "due_at"]  # and the other unit column(s): what the status chart pass groups by

# name, columns, partial condition, included columns (PostgreSQL)
INDEXES = (
    # Open dossiers in due order: due soon, overdue, per department, the warnings list.
    ("ix_dossier_agency_open_due", ["agency_id", "due_at"], OPEN, ["department_id", "status"]),
    ("ix_dossier_department_open_due", ["department_id", "due_at"], OPEN, ["status"]),
    # What is at the units now: by status, counter, department, channel (online ones to receive) and due time.
    (
        "ix_dossier_agency_at_unit",
        ["agency_id", "status"],
        AT_UNIT,
        [*AT_UNIT_INCLUDE, "receiving_unit_id", "department_id"],
    ),
    ("ix_dossier_department_at_unit", ["department_id", "status"], AT_UNIT, [*AT_UNIT_INCLUDE, "receiving_unit_id"]),
    ("ix_dossier_counter_at_unit", ["receiving_unit_id", "status"], AT_UNIT, [*AT_UNIT_INCLUDE, "department_id"]),
)

# dossier_day: per unit and day, received, resolved and how timely, kept by triggers on dossier (see
# engine/models/dossier_day.py). A dossier counts once for each distinct unit among its three.
FINISHED_ROW = "{r}.status IN (9, 10) AND {r}.finished_at IS NOT NULL"
TRACKED = (
    "OLD.received_at {ne} NEW.received_at OR OLD.agency_id {ne} NEW.agency_id"
    " OR OLD.receiving_unit_id {ne} NEW.receiving_unit_id OR OLD.department_id {ne} NEW.department_id"
    " OR (OLD.status IN (9, 10) AND OLD.finished_at IS NOT NULL) {ne} (NEW.status IN (9, 10) AND NEW.finished_at IS NOT NULL)"
    " OR (NEW.status IN (9, 10) AND (OLD.finished_at {ne} NEW.finished_at OR OLD.due_at {ne} NEW.due_at))"
)


def _timely(r: str, n: str) -> str:
    """early, on_time, late for one finished row: by date; no due date is on time."""
    early = f"CASE WHEN {r}.due_at IS NOT NULL AND date({r}.finished_at) < date({r}.due_at) THEN {n} ELSE 0 END"
    on_time = f"CASE WHEN {r}.due_at IS NULL OR date({r}.finished_at) = date({r}.due_at) THEN {n} ELSE 0 END"
    late = f"CASE WHEN {r}.due_at IS NOT NULL AND date({r}.finished_at) > date({r}.due_at) THEN {n} ELSE 0 END"
    return f"{early}, {on_time}, {late}"


def _sqlite_add(r: str, n: str) -> str:
    units = f"(SELECT {r}.agency_id AS u UNION SELECT {r}.receiving_unit_id UNION SELECT {r}.department_id)"
    return f"""
    INSERT INTO dossier_day (unit_id, day, received, resolved, early, on_time, late)
    SELECT u, date({r}.received_at), {n}, 0, 0, 0, 0 FROM {units} WHERE true
    ON CONFLICT (unit_id, day) DO UPDATE SET received = received + excluded.received;
    INSERT INTO dossier_day (unit_id, day, received, resolved, early, on_time, late)
    SELECT u, date({r}.finished_at), 0, {n}, {_timely(r, n)} FROM {units} WHERE {FINISHED_ROW.format(r=r)}
    ON CONFLICT (unit_id, day) DO UPDATE SET resolved = resolved + excluded.resolved, early = early + excluded.early,
        on_time = on_time + excluded.on_time, late = late + excluded.late;"""


POSTGRES_ROLLUP = (
    f"""
CREATE FUNCTION dossier_day_add(r dossier, n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    unit integer;
BEGIN
    -- Units in a fixed order, so that two transactions never wait on each other's rows in a cycle.
    FOR unit IN SELECT DISTINCT u FROM unnest(ARRAY[r.agency_id, r.receiving_unit_id, r.department_id]) AS u ORDER BY u
    LOOP
        INSERT INTO dossier_day AS d (unit_id, day, received, resolved, early, on_time, late)
        VALUES (unit, date(r.received_at), n, 0, 0, 0, 0)
        ON CONFLICT (unit_id, day) DO UPDATE SET received = d.received + excluded.received;
        IF {FINISHED_ROW.format(r="r")} THEN
            INSERT INTO dossier_day AS d (unit_id, day, received, resolved, early, on_time, late)
            VALUES (unit, date(r.finished_at), 0, n, {_timely("r", "n")})
            ON CONFLICT (unit_id, day) DO UPDATE SET resolved = d.resolved + excluded.resolved,
                early = d.early + excluded.early, on_time = d.on_time + excluded.on_time, late = d.late + excluded.late;
        END IF;
    END LOOP;
END $$""",
    """
CREATE FUNCTION dossier_day_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM dossier_day_add(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM dossier_day_add(NEW, 1); END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER dossier_day_insert_delete AFTER INSERT OR DELETE ON dossier"
    " FOR EACH ROW EXECUTE FUNCTION dossier_day_track()",
    f"CREATE TRIGGER dossier_day_update AFTER UPDATE ON dossier FOR EACH ROW"
    f" WHEN ({TRACKED.format(ne='IS DISTINCT FROM')}) EXECUTE FUNCTION dossier_day_track()",
)
POSTGRES_ROLLUP_DROP = (
    "DROP TRIGGER IF EXISTS dossier_day_update ON dossier",
    "DROP TRIGGER IF EXISTS dossier_day_insert_delete ON dossier",
    "DROP FUNCTION IF EXISTS dossier_day_track()",
    "DROP FUNCTION IF EXISTS dossier_day_add(dossier, integer)",
)
SQLITE_ROLLUP = (
    f"CREATE TRIGGER dossier_day_insert AFTER INSERT ON dossier BEGIN {_sqlite_add('NEW', '1')} END",
    f"CREATE TRIGGER dossier_day_delete AFTER DELETE ON dossier BEGIN {_sqlite_add('OLD', '-1')} END",
    f"CREATE TRIGGER dossier_day_update AFTER UPDATE ON dossier WHEN {TRACKED.format(ne='IS NOT')}"
    f" BEGIN {_sqlite_add('OLD', '-1')} {_sqlite_add('NEW', '1')} END",
)
SQLITE_ROLLUP_DROP = tuple(f"DROP TRIGGER IF EXISTS dossier_day_{op}" for op in ("insert", "delete", "update"))
_LINKS = (
    "(SELECT id, agency_id AS u FROM dossier UNION SELECT id, receiving_unit_id FROM dossier"
    " UNION SELECT id, department_id FROM dossier)"
)
BACKFILL = f"""
INSERT INTO dossier_day (unit_id, day, received, resolved, early, on_time, late)
SELECT unit_id, day, sum(received), sum(resolved), sum(early), sum(on_time), sum(late) FROM (
    SELECT l.u AS unit_id, date(d.received_at) AS day, 1 AS received, 0 AS resolved, 0 AS early, 0 AS on_time, 0 AS late
    FROM dossier d JOIN {_LINKS} l ON l.id = d.id
    UNION ALL
    SELECT l.u, date(d.finished_at), 0, 1, {_timely("d", "1")}
    FROM dossier d JOIN {_LINKS} l ON l.id = d.id WHERE {FINISHED_ROW.format(r="d")}
) parts GROUP BY unit_id, day
"""


def upgrade() -> None:
    for name, columns, where, include in INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(
            name,
            "dossier",
            columns,
            unique=False,
            postgresql_where=condition,
            sqlite_where=condition,
            postgresql_include=include,
        )
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_digest_sent_user_id_user_account")),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"], ["outbox_message.id"], name=op.f("fk_digest_sent_outbox_message_id_outbox_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sent")),
        sa.UniqueConstraint("kind", "user_id", "day", name="uq_digest_sent_kind_user_day"),
    )
    op.create_table(
        "dossier_day",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("early", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "day", name=op.f("pk_dossier_day")),
    )
    op.execute(BACKFILL)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_ROLLUP if postgres else SQLITE_ROLLUP:
        op.execute(statement)
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lease")),
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_ROLLUP_DROP if postgres else SQLITE_ROLLUP_DROP:
        op.execute(statement)
    op.drop_table("dossier_day")
    op.drop_table("job_lease")
    op.drop_table("digest_sent")
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name="dossier")
