#!/usr/bin/env python
"""Benchmark of the statistics: Biểu 06 for one year over many dossiers in PostgreSQL.

Target: "with 1,000,000 dossiers in PostgreSQL, Biểu 06 for one year p95 <= 2 s",
with indexes and SQL, not with cached figures.

Not a test: it prints figures. Unless --url names a database that is already loaded
(say by a loader of a million dossiers), it drops and re-creates --db-name from the
admin URL, migrates it, loads the demo data and inserts --rows synthetic dossiers in
one INSERT ... SELECT over generate_series, server side: received uniformly over the
five years up to today, the demo procedures in turn (their fields, departments and
process versions), channels 40 % online, 50 % in person, 10 % by post; 3 % refused at
intake, 2 % stopped; older than 45 days: finished 1 to 21 days after reception (90 %
returned); younger: open, paused, waiting for fees or finished; due dates ten days
after reception at 17:00, 5 % without one. Then VACUUM ANALYZE.

The services then run in-process, as the web layer calls them, for the last full year
(--year to choose): Biểu 06 by field and by unit for the whole agency (an
administrator), Biểu 06 for one department (its leader), the Mẫu 07 register's first
page and the per-procedure report. The baseline, measured in the same rounds, is a
bare count of the dossiers received in that year (the rows a report must at least
touch). Calls are interleaved, the order flipping every round; p50 and p95 of each,
and the ratio of its p50 to the baseline's. Finally EXPLAIN (ANALYZE, BUFFERS) of
Biểu 06's query shows which indexes serve it.

    .venv/bin/python scripts/bench_reports.py [--admin-url postgresql://user:pw@host:5432/postgres]
        [--rows 1000000] [--quick] [--repeat 30] [--year 2025] [--url postgresql://…/loaded_db] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics as stats
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import clock  # noqa: E402
from engine.db import make_engine  # noqa: E402
from engine.models import Unit, User  # noqa: E402
from engine.services.register import register_page  # noqa: E402
from engine.services.report_scope import resolve_scope  # noqa: E402
from engine.services.statistics import bieu_06, per_procedure  # noqa: E402
from scripts.bench_inbox import vacuum_analyze  # noqa: E402

SYNTHETIC = """
WITH p AS (
    SELECT row_number() OVER (ORDER BY pr.id) - 1 AS k, pr.id, pr.department_id, pr.agency_id,
           (SELECT min(v.id) FROM process_version v WHERE v.process_key = pr.process_key) AS version_id
    FROM procedure pr
), n AS (SELECT count(*) AS c FROM p),
g AS (
    SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
           CAST(:today AS timestamp) - random() * :span_days * interval '1 day' AS received_at
    FROM generate_series(1, :rows) AS i
), s AS (
    SELECT g.*, p.id AS procedure_id, p.department_id, p.agency_id, p.version_id,
           CASE WHEN g.r1 < 0.03 THEN 3
                WHEN g.r1 < 0.05 THEN 8
                WHEN g.received_at < CAST(:today AS timestamp) - interval '45 days'
                    THEN CASE WHEN g.r2 < 0.9 THEN 10 ELSE 9 END
                ELSE (ARRAY[2, 4, 4, 4, 5, 6, 9, 10])[1 + floor(g.r2 * 8)::int] END AS status,
           least(g.received_at + (1 + g.r3 * 20) * interval '1 day', CAST(:today AS timestamp)) AS finished
    FROM g CROSS JOIN n JOIN p ON p.k = g.i % n.c
)
INSERT INTO dossier (code, procedure_id, process_version_id, receiving_unit_id, department_id, agency_id,
    channel, status, applicant_kind, organisation_name, tax_code, applicant_name, applicant_name_folded,
    id_number, phone, email, address, received_at, due_at, finished_at, returned_at, received_by_id,
    sets_count, return_method, refusal_reason, paused_at, extension_count, stop_reason, version)
SELECT 'BENCH-' || i, procedure_id, CASE WHEN status = 3 THEN NULL ELSE version_id END, :counter,
    department_id, agency_id,
    CASE WHEN (i * 7) % 10 < 4 THEN 2 WHEN (i * 7) % 10 < 9 THEN 1 ELSE 3 END,
    status, 'person', '', '', 'Người nộp ' || i, 'nguoi nop ' || i, lpad((i % 1000000000)::text, 12, '0'),
    '0912345678', '', 'Bình Phước', received_at,
    CASE WHEN r4 < 0.05 THEN NULL ELSE date_trunc('day', received_at) + interval '10 days 17 hours' END,
    CASE WHEN status IN (9, 10) THEN finished END,
    CASE WHEN status = 10 THEN finished + interval '1 day' END,
    NULL, 1, 'counter', '', CASE WHEN status = 5 THEN received_at + interval '2 days' END, 0, '', 1
FROM s ORDER BY received_at
"""


def log(msg: str = "") -> None:
    print(msg, flush=True)


def git_state() -> str:
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return head[:100]


def create_database(admin: str, name: str) -> str:
    base = make_url(admin)
    engine = create_engine(base.set(database=base.database or "postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(admin: str, name: str) -> None:
    base = make_url(admin)
    engine = create_engine(base.set(database=base.database or "postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def build(url: str, rows: int) -> None:
    from engine import migrate
    from engine.db import session_scope
    from engine.demo import load_demo
    from engine.forms import FormRegistry

    started = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_demo(session, ROOT / "processes", FormRegistry(ROOT / "forms"))
    with engine.begin() as conn:
        counter = conn.execute(select(Unit.id).where(Unit.kind == "counter")).scalars().first()
        conn.execute(text(SYNTHETIC), {"today": clock.now(), "span_days": 5 * 365, "rows": rows, "counter": counter})
    inserted = time.perf_counter() - started
    vacuum_analyze(url)
    engine.dispose()
    vacuumed = time.perf_counter() - started - inserted
    log(f"  {rows:,} dossiers inserted in {inserted:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(url: str, year: int, repeat: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    session = Session(engine)
    users = {u.username: u for u in session.scalars(select(User))}
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    department = session.scalars(select(Unit).where(Unit.code == "000.00.13.H10")).one()
    admin_field = resolve_scope(session, users["quantri"], {**period, "by": "field"})
    admin_unit = resolve_scope(session, users["quantri"], {**period, "by": "unit"})
    leader = resolve_scope(session, users["truongphong"], {**period, "by": "field", "unit": department.code})
    start, end = datetime.combine(date(year, 1, 1), clock_time()), datetime.combine(date(year + 1, 1, 1), clock_time())
    baseline_sql = text("SELECT count(*) FROM dossier WHERE received_at >= :start AND received_at < :end")
    calls: dict[str, Callable[[], Any]] = {
        "baseline: count(*) received in the year": lambda: session.execute(
            baseline_sql, {"start": start, "end": end}
        ).scalar(),
        "Biểu 06 by field, whole agency": lambda: bieu_06(session, admin_field),
        "Biểu 06 by unit, whole agency": lambda: bieu_06(session, admin_unit),
        "Biểu 06 by field, one department": lambda: bieu_06(session, leader),
        "Mẫu 07, first page (50 rows + count)": lambda: register_page(session, admin_field, 1),
        "per procedure, whole agency": lambda: per_procedure(session, admin_field),
    }
    for call in calls.values():  # warm the caches once
        call()
        session.rollback()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for round_ in range(repeat):
        order = list(calls.items())
        for name, call in order if round_ % 2 == 0 else reversed(order):
            t0 = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - t0) * 1000)
            session.rollback()
    total = bieu_06(session, admin_field).total
    log(f"\n  Biểu 06 {year}, totals: received {total.received_total:,} (carried {total.carried:,}), "
        f"resolved {total.resolved_total:,}, in progress {total.open_total:,}")  # fmt: skip
    explain(session, admin_field)
    session.close()
    engine.dispose()
    return samples


def explain(session: Session, scope: Any) -> None:
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "FROM dossier" in statement and "count(*) FILTER" in statement:
            statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        bieu_06(session, scope)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = statements[0]
    raw = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = [row[0] for row in cursor.fetchall()]
    session.rollback()
    log("\n  EXPLAIN (ANALYZE, BUFFERS) of Biểu 06 by field, whole agency:")
    for line in plan:
        log("    " + line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--admin-url", help="PostgreSQL admin URL (default $BENCH_POSTGRES_ADMIN_URL, $TEST_POSTGRES_URL)")
    ap.add_argument("--url", help="an already loaded database: measure only, load nothing, drop nothing")
    ap.add_argument("--rows", type=int, help="synthetic dossiers (default 1,000,000; 200,000 with --quick)")
    ap.add_argument("--repeat", type=int, help="timed rounds (default 30; 15 with --quick)")
    ap.add_argument("--year", type=int, help="the year reported on (default: last year)")
    ap.add_argument("--db-name", default="motcua_bench_reports")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = ap.parse_args()
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    repeat = args.repeat or (15 if args.quick else 30)
    year = args.year or clock.today().year - 1
    log(f"bench_reports: {' '.join(sys.argv)}")
    log(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    log(f"  code: {git_state()}")
    admin = ""
    url = args.url
    if url is None:
        admin = args.admin_url or os.environ.get("BENCH_POSTGRES_ADMIN_URL") or os.environ.get("TEST_POSTGRES_URL", "")
        if not admin:
            raise SystemExit("No PostgreSQL: pass --admin-url or --url, or set TEST_POSTGRES_URL.")
        log("\nsetup")
        url = create_database(admin, args.db_name)
        build(url, rows)
    try:
        with make_engine(url).connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM dossier")).scalar()
            in_year = conn.execute(
                text("SELECT count(*) FROM dossier WHERE extract(year FROM received_at) = :y"), {"y": year}
            ).scalar()
        log(f"\n{count:,} dossiers, {in_year:,} received in {year}; {repeat} rounds, in-process service calls")
        samples = measure(url, year, repeat)
        base = stats.median(samples["baseline: count(*) received in the year"])
        log(f"\n  {'call':<42} {'p50 ms':>9} {'p95 ms':>9} {'p50 / baseline':>15}")
        for name, values in samples.items():
            p50, p95 = stats.median(values), percentile(values, 0.95)
            log(f"  {name:<42} {p50:9.1f} {p95:9.1f} {p50 / base:15.2f}")
        worst = max(percentile(v, 0.95) for k, v in samples.items() if k.startswith("Biểu 06"))
        log(f"\n  target: Biểu 06 for one year p95 <= 2000 ms: worst p95 {worst:.1f} ms "
            f"({'met' if worst <= 2000 else 'NOT met'})")  # fmt: skip
    finally:
        if admin and not args.keep:
            drop_database(admin, args.db_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
