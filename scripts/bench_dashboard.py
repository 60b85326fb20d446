#!/usr/bin/env python
"""Benchmark of the dashboard service on a big PostgreSQL database, per role, with a baseline.

Target: "with 1,000,000 dossiers in PostgreSQL, dashboard p95 <= 300 ms".

Not a test: it prints figures. Either it measures an existing database (--url, e.g. one
filled by a loader of its own), or it builds one from an admin URL: dropped and
re-created, migrated, the demo data, 18 more departments under the demo agency, and
--rows synthetic dossiers written with COPY (default 1,000,000; 200,000 with --quick):

  received over the last 24 months, all at the demo counter (the worst case for its
  officer); the demo construction department handles 10% of them, the other 19
  departments share the rest; dossiers received in the last 60 days are mostly open
  (2, 4, 5, 6), older ones finished (9, 10; some late) or refused, withdrawn, stopped
  (3, 7, 8); every open dossier has one open task (half assigned, half in the pool).

The dossier triggers are off during COPY and the per-unit daily counts (dossier_day) are
summed once afterwards, as migration 0008 does for existing rows.

Then the dashboard service (engine.services.dashboard.dashboard) runs in this process, on
one connection, for a counter officer (motcua), a department leader (truongphong) and an
agency leader (lanhdao), interleaved in every round with two baselines measured the same
way: the inbox counts of the same person (engine.services.inbox.inbox_counts, already
benchmarked by scripts/bench_inbox.py) and a primary-key count (SELECT count(*) FROM dossier
WHERE id = :id), a floor for one round trip. The warnings service is timed beside it.
Finally the dashboard's statements for the agency leader are re-run under EXPLAIN ANALYZE.

    .venv/bin/python scripts/bench_dashboard.py [--admin-url postgresql://user:pw@host/postgres]
        [--rows 1000000] [--quick] [--rounds 60] [--keep] [--url postgresql://.../existing]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from scripts.bench_inbox import Copier, admin_url, drop_database, vacuum_analyze  # noqa: E402
from scripts.bench_workflow import build_database, create_database, git_state, log, pct  # noqa: E402

TARGET_P95_MS = 300.0
DATABASE = "motcua_bench_dashboard"
PERSONAS = (("counter officer", "motcua"), ("department leader", "truongphong"), ("agency leader", "lanhdao"))
SEED = 20261130


def add_departments(session: Session, agency_id: int, count: int = 18) -> list[int]:
    from engine.models import Unit

    units = [
        Unit(code=f"000.00.{40 + i}.H10", name=f"Sở số {i + 1}", kind="department", parent_id=agency_id)
        for i in range(count)
    ]
    session.add_all(units)
    session.commit()
    return [unit.id for unit in units]


def daily_counts_backfill() -> str:
    """The statement of migration 0008 that sums ``dossier_day`` from the dossiers."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("m0008", ROOT / "migrations" / "versions" / "0008_dashboard.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.BACKFILL)


def after_copy(cursor: Any, tables: tuple[str, ...]) -> None:
    """What a COPY load with the dossier triggers off leaves to do: move the ``tables``' id sequences past the
    copied ids, sum the daily counts once (migration 0008), and turn the triggers back on."""
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
        )
    cursor.execute("DELETE FROM dossier_day")
    cursor.execute(daily_counts_backfill())
    cursor.execute("ALTER TABLE dossier ENABLE TRIGGER USER")


def fill(url: str, rows: int, batch: int = 20000) -> dict[str, float]:
    """Write ``rows`` synthetic dossiers and the open tasks of the open ones with COPY; then VACUUM ANALYZE."""
    from engine import clock
    from engine.models import Dossier, Procedure, Task, Unit, User

    engine = create_engine(url)
    with Session(engine) as session:
        unit = {u.code: u.id for u in session.scalars(select(Unit))}
        agency, counter, construction = unit["000.00.00.H10"], unit["000.00.01.H10"], unit["000.00.13.H10"]
        others = [unit["000.00.12.H10"], *add_departments(session, agency)]
        procedures = list(session.scalars(select(Procedure.id)))
        specialist = session.scalar(select(User.id).where(User.username == "chuyenvien"))
    rng = random.Random(SEED)
    now = clock.now()
    started = time.perf_counter()
    raw = engine.raw_connection()
    counts = {"dossiers": 0, "open": 0}
    try:
        cursor = raw.cursor()
        # As a bulk import should: the per-row triggers off during COPY, the daily counts summed once after.
        cursor.execute("ALTER TABLE dossier DISABLE TRIGGER USER")
        dossiers, tasks = Copier(Dossier.__table__), Copier(Task.__table__)
        for n in range(1, rows + 1):
            received = now - timedelta(days=730 * rng.random() ** 1.3, minutes=rng.randrange(600))
            department = construction if rng.random() < 0.10 else rng.choice(others)
            due = received + timedelta(days=rng.choice((3, 5, 7, 10, 15, 20)))
            age = (now - received).days
            if age < 60 and rng.random() < 0.8:
                status = rng.choice((2, 4, 4, 4, 4, 5, 6))
            else:
                status = rng.choices((9, 10, 3, 7, 8, 1), weights=(8, 80, 4, 3, 2, 3))[0]
            finished = None
            if status in (9, 10):
                finished = min(received + timedelta(days=rng.uniform(0.5, 25)), now)
            dossiers.add(
                {
                    "id": n,
                    "code": f"BENCH-{n:08d}",
                    "procedure_id": rng.choice(procedures),
                    "receiving_unit_id": counter,
                    "department_id": department,
                    "agency_id": agency,
                    "channel": rng.choice((1, 1, 2, 3)),
                    "status": status,
                    "applicant_kind": "person",
                    "applicant_name": f"Người nộp {n}",
                    "applicant_name_folded": f"nguoi nop {n}",
                    "id_number": f"{n:012d}",
                    "received_at": received,
                    "due_at": due,
                    "finished_at": finished,
                    "returned_at": finished if status == 10 else None,
                    "version": 1,
                }
            )
            counts["dossiers"] += 1
            if status in (2, 4, 5, 6):
                counts["open"] += 1
                assigned = rng.random() < 0.5
                tasks.add(
                    {
                        "id": f"bench-{n:08d}",
                        "dossier_id": n,
                        "step": "task_examine",
                        "title": "Thẩm định hồ sơ",
                        "form": "examine",
                        "role": "specialist",
                        "unit_id": department,
                        "assignee_id": specialist if assigned and department == construction else None,
                        "created_at": received,
                        "due_at": due - timedelta(days=1),
                        "outcome": "",
                    }
                )
            if n % batch == 0 or n == rows:
                dossiers.flush(cursor)
                tasks.flush(cursor)
                raw.commit()
        after_copy(cursor, ("dossier",))
        raw.commit()
    finally:
        raw.close()
    copied = time.perf_counter() - started
    vacuum_analyze(url)
    engine.dispose()
    return {"copy_s": copied, "vacuum_s": time.perf_counter() - started - copied, **counts}


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(url: str, rounds: int, warm: int) -> dict[str, dict[str, list[float]]]:
    """Per persona: the dashboard, the warnings, and the two baselines, each call in its own transaction."""
    from engine.models import User
    from engine.services.dashboard import dashboard
    from engine.services.inbox import inbox_counts
    from engine.services.warnings import warnings

    engine = create_engine(url)
    results: dict[str, dict[str, list[float]]] = {}
    rng = random.Random(SEED)
    with Session(engine) as session:
        top = session.scalar(text("SELECT max(id) FROM dossier")) or 1
        people = {name: session.scalars(select(User).where(User.username == name)).one() for _, name in PERSONAS}

        def one(call: Any) -> float:
            elapsed = timed(call)
            session.rollback()  # a fresh transaction, as a request has
            return elapsed

        for label, _ in PERSONAS:
            results[label] = {"dashboard": [], "warnings": [], "inbox counts": [], "pk count": []}
        for round_ in range(warm + rounds):
            order = list(PERSONAS) if round_ % 2 else list(reversed(PERSONAS))
            for label, name in order:
                user = people[name]
                calls = {
                    "dashboard": lambda user=user: dashboard(session, user),
                    "warnings": lambda user=user: warnings(session, user),
                    "inbox counts": lambda user=user: inbox_counts(session, user),
                    "pk count": lambda: session.execute(
                        text("SELECT count(*) FROM dossier WHERE id = :id"), {"id": rng.randrange(1, top + 1)}
                    ).scalar(),
                }
                for kind, call in calls.items():
                    elapsed = one(call)
                    if round_ >= warm:
                        results[label][kind].append(elapsed)
    engine.dispose()
    return results


def check_daily_counts(url: str) -> None:
    """The agency's 12 months from the daily counts against a count of the dossiers themselves."""
    from engine.models import User
    from engine.services.dashboard import dashboard

    engine = create_engine(url)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == "lanhdao")).one()
        board = dashboard(session, user)
        start = datetime.combine(board.since, datetime.min.time())
        live = session.execute(
            text("SELECT count(*) FROM dossier WHERE agency_id = :agency AND received_at >= :start"),
            {"agency": user.unit_id, "start": start},
        ).scalar()
        finished = session.execute(
            text(
                "SELECT count(*) FROM dossier WHERE agency_id = :agency AND status IN (9, 10) AND finished_at >= :start"
            ),
            {"agency": user.unit_id, "start": start},
        ).scalar()
    engine.dispose()
    received, resolved = sum(m.received for m in board.months), sum(m.resolved for m in board.months)
    same = received == live and resolved == finished
    log(
        f"  agency, 12 months: received {received:,} (dossiers counted: {live:,}), resolved {resolved:,}"
        f" (counted: {finished:,}), on-time share {board.on_time.share or 0:.1%} — {'same' if same else 'DIFFERENT'}"
    )


def explain(url: str) -> None:
    """The agency leader's dashboard statements under EXPLAIN ANALYZE: which index serves each."""
    from engine.models import User
    from engine.services.dashboard import dashboard

    engine = create_engine(url)
    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM dossier" in statement:
            captured.append((statement, parameters))

    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == "lanhdao")).one()
        event.listen(engine, "before_cursor_execute", capture)
        dashboard(session, user)
        event.remove(engine, "before_cursor_execute", capture)
        raw = session.connection().connection.dbapi_connection
        cursor = raw.cursor()
        for statement, parameters in captured:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
            plan = [row[0] for row in cursor.fetchall()]
            log("  " + " ".join(statement.split())[:110] + " …")
            for line in plan:
                if any(key in line for key in ("Scan", "Execution Time", "Aggregate")):
                    log(f"      {line.strip()}")
    engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--admin-url", help="PostgreSQL admin URL (default: $BENCH_POSTGRES_ADMIN_URL, $TEST_POSTGRES_URL)")
    ap.add_argument("--url", help="measure this existing database (migrated, with the demo users) instead")
    ap.add_argument("--rows", type=int, help="synthetic dossiers (default 1,000,000; 200,000 with --quick)")
    ap.add_argument("--rounds", type=int, help="measured rounds (default 60; 20 with --quick)")
    ap.add_argument("--warm", type=int, default=3, help="rounds not counted, to warm the caches")
    ap.add_argument("--quick", action="store_true", help="a smaller database and fewer rounds")
    ap.add_argument("--keep", action="store_true", help="keep the database built here")
    args = ap.parse_args()
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    rounds = args.rounds or (20 if args.quick else 60)

    log(f"bench_dashboard {git_state()}")
    admin = None
    url = args.url
    if url is None:
        admin = admin_url(args)
        url = create_database(admin, DATABASE)
        log("  migrating and loading the demo data …")
        build_database(url)
        log(f"  writing {rows:,} dossiers with COPY …")
        loaded = fill(url, rows)
        log(
            f"  {loaded['dossiers']:,} dossiers ({loaded['open']:,} open, each with an open task) in "
            f"{loaded['copy_s']:.0f} s, VACUUM ANALYZE {loaded['vacuum_s']:.0f} s"
        )
    try:
        with create_engine(url).connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM dossier")).scalar()
        log(f"  {total:,} dossiers in the database; {rounds} rounds after {args.warm} warm-up rounds")
        results = measure(url, rounds, args.warm)
        log("")
        log(f"{'persona':<19} {'call':<13} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   p95 / inbox counts, / pk count")
        verdicts = []
        for label, _ in PERSONAS:
            base = results[label]
            for kind in ("dashboard", "warnings", "inbox counts", "pk count"):
                values = base[kind]
                p95 = pct(values, 95)
                ratio = ""
                if kind in ("dashboard", "warnings"):
                    ratio = f"   {p95 / pct(base['inbox counts'], 95):6.1f}×, {p95 / pct(base['pk count'], 95):6.1f}×"
                log(f"{label:<19} {kind:<13} {pct(values, 50):8.2f} {p95:8.2f} {max(values):8.2f}{ratio}")
                if kind == "dashboard":
                    verdicts.append((label, p95))
            log("")
        for label, p95 in verdicts:
            log(
                f"dashboard p95 for the {label}: {p95:.1f} ms — {'OK' if p95 <= TARGET_P95_MS else 'OVER'} the "
                f"{TARGET_P95_MS:.0f} ms target"
            )
        log("")
        check_daily_counts(url)
        log("")
        log("EXPLAIN ANALYZE of the agency leader's dashboard statements:")
        explain(url)
    finally:
        if admin is not None and not args.keep:
            drop_database(admin, DATABASE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
