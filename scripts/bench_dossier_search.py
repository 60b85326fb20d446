#!/usr/bin/env python
"""Benchmark of the staff dossier search (engine.services.search) over many dossiers in PostgreSQL.

Targets (issue 6): with 1,000,000 dossiers, search by code or ID number p95 <= 20 ms, by
applicant name p95 <= 100 ms.

Not a test: it prints figures. Either give --url of a database already filled (say by
scripts/load_dossiers.py), or let it build one from an admin URL: the database --db-name is
dropped and re-created, migrated, loaded with the demo data, then --rows synthetic dossiers
(default 1,000,000; 200,000 with --quick) are written with COPY: Vietnamese names from common
family, middle and given names, codes <counter>-<YYMMDD>-<NNNN> over the last three years,
statuses as in a working agency, ID numbers, phones, an e-mail for most.

Each case calls search() in-process, as the page and the API do (the capped ids + one page of
50 with their procedures), with a fresh value per call (a random existing code, ID number,
name...), interleaved round by round. Baselines measured in the same run: a primary-key
lookup of one dossier (the floor of any query), and the name search with the trigram index
dropped inside a transaction that is rolled back (what the index buys).

    .venv/bin/python scripts/bench_dossier_search.py [--admin-url postgresql://…/postgres]
        [--rows 1000000] [--quick] [--requests 200] [--keep] [--url postgresql://…/filled_db]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shlex
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from engine.text import fold  # noqa: E402
from scripts.bench_workflow import build_database, create_database, git_state, log, pct  # noqa: E402

SEED = 20261130
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Hoàng", "Thanh", "Ngọc", "Quốc", "Hữu", "Thu", "Gia", "Bảo")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến")
# Status mix of a working agency: most dossiers returned, some in processing.
STATUSES = (10,) * 70 + (9,) * 5 + (4,) * 12 + (2,) * 4 + (5,) * 3 + (3,) * 2 + (7,) + (8,) + (6,) * 2
TARGETS = {"code": 20.0, "id_number": 20.0, "name": 100.0}


def _cell(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def load(url: str, rows: int, batch: int = 50_000) -> float:
    """Write ``rows`` synthetic dossiers with COPY, then VACUUM ANALYZE; returns the seconds taken."""
    from engine import clock
    from engine.models import Dossier, Procedure, Unit

    engine = create_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        procedures = [(p.id, p.department_id, p.agency_id) for p in session.scalars(select(Procedure))]
        counter = session.scalars(select(Unit).where(Unit.kind == "counter")).one()
    columns = [c.name for c in Dossier.__table__.columns if c.name != "id"]
    rng = random.Random(SEED)
    now = clock.now().replace(microsecond=0)
    first_day = datetime.combine((now - timedelta(days=3 * 365)).date(), datetime.min.time())
    per_day = max(1, rows // (3 * 365))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        buffer = io.StringIO()
        for n in range(rows):
            day, seq = divmod(n, per_day)
            received = first_day + timedelta(days=day, hours=7 + rng.random() * 9)  # the code's day
            due = received + timedelta(days=rng.choice((1, 3, 5, 10, 15, 20)))
            status = rng.choice(STATUSES)
            finished = due - timedelta(hours=rng.randint(-48, 72)) if status in (9, 10) else None
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            procedure_id, department_id, agency_id = rng.choice(procedures)
            row = {
                "code": f"{counter.code}-{received:%y%m%d}-{seq + 1:04d}",
                "procedure_id": procedure_id,
                "process_version_id": None,
                "receiving_unit_id": counter.id,
                "department_id": department_id,
                "agency_id": agency_id,
                "channel": rng.choice((1, 1, 2, 3)),
                "status": status,
                "applicant_kind": "person",
                "organisation_name": "",
                "tax_code": "",
                "applicant_name": name,
                "applicant_name_folded": fold(name),
                # Province, century and sex, year of birth, serial: people may come back with another dossier.
                "id_number": f"{rng.randint(1, 96):03d}{rng.randint(0, 3)}{rng.randint(40, 99):02d}{n % 10**6:06d}",
                "phone": f"09{n:08d}",
                "email": f"nguoinop{n}@example.com" if rng.random() < 0.7 else "",
                "address": "Bình Phước",
                "received_at": received,
                "due_at": due,
                "finished_at": finished,
                "returned_at": finished if status == 10 else None,
                "received_by_id": None,
                "sets_count": 1,
                "return_method": "counter",
                "refusal_reason": "",
                "paused_at": None,
                "extension_count": 0,
                "stop_reason": "",
                "version": 1,
            }
            buffer.write("\t".join(_cell(row[c]) for c in columns) + "\n")
            if (n + 1) % batch == 0 or n + 1 == rows:
                buffer.seek(0)
                cursor.copy_expert(f"COPY dossier ({', '.join(columns)}) FROM STDIN", buffer)
                raw.commit()
                buffer = io.StringIO()
                log(f"    {n + 1:>9,} rows, {time.perf_counter() - started:6.1f} s")
    finally:
        raw.close()
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("VACUUM ANALYZE dossier"))
    engine.dispose()
    return time.perf_counter() - started


def sample_values(session: Session, rng: random.Random, count: int) -> dict[str, list[Any]]:
    """Existing codes, ID numbers and ids to look for (a random sample of rows, by TABLESAMPLE)."""
    rows = session.execute(
        text("SELECT id, code, id_number, applicant_name_folded FROM dossier TABLESAMPLE SYSTEM (1) LIMIT :n"),
        {"n": count * 4},
    ).all()
    if len(rows) < count:
        rows = session.execute(
            text("SELECT id, code, id_number, applicant_name_folded FROM dossier ORDER BY random() LIMIT :n"),
            {"n": count * 4},
        ).all()
    rng.shuffle(rows)
    return {
        "id": [r.id for r in rows],
        "code": [r.code for r in rows],
        "id_number": [r.id_number for r in rows],
        "name": [r.applicant_name_folded for r in rows],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--admin-url", help="PostgreSQL admin URL (default: $BENCH_POSTGRES_ADMIN_URL, then "
                                        "$TEST_POSTGRES_URL)")
    ap.add_argument("--url", help="use this database as it is (already migrated and filled): nothing is loaded")
    ap.add_argument("--db-name", default="motcua_bench_dossier_search")
    ap.add_argument("--rows", type=int, help="synthetic dossiers to load (default 1,000,000; 200,000 with --quick)")
    ap.add_argument("--requests", type=int, help="timed calls per case (default 200; 100 with --quick)")
    ap.add_argument("--baseline-requests", type=int, default=20,
                    help="timed calls of the name search without its trigram index (slow; default 20)")
    ap.add_argument("--quick", action="store_true", help="200,000 dossiers, 100 calls per case")
    ap.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = ap.parse_args()
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    rounds = args.requests or (100 if args.quick else 200)
    log(f"bench_dossier_search: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")
    log(f"  code: {git_state()}; {os.cpu_count()} CPUs")

    url = args.url
    created = False
    if url is None:
        admin = args.admin_url or os.environ.get("BENCH_POSTGRES_ADMIN_URL") or os.environ.get("TEST_POSTGRES_URL")
        if not admin:
            raise SystemExit("No PostgreSQL: pass --url or --admin-url, or set TEST_POSTGRES_URL.")
        log("\nsetup")
        url = create_database(admin, args.db_name)
        created = True
        build_database(url)
        log(f"  migrated, demo data loaded; writing {rows:,} dossiers with COPY")
        seconds = load(url, rows)
        log(f"  loaded and analysed in {seconds:.1f} s")
    try:
        measure(url, rounds, args.baseline_requests)
    finally:
        if created and not args.keep:
            base = make_url(args.admin_url or os.environ.get("BENCH_POSTGRES_ADMIN_URL")
                            or os.environ["TEST_POSTGRES_URL"])
            engine = create_engine(base.set(database=base.database or "postgres"), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)'))
            engine.dispose()
    return 0


def measure(url: str, rounds: int, baseline_rounds: int) -> None:
    from engine.models import Dossier, User
    from engine.services.search import parse_criteria, search

    engine = create_engine(url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    rng = random.Random(SEED + 1)
    with sessions() as session:
        total, size = session.execute(
            text("SELECT count(*), pg_size_pretty(pg_total_relation_size('dossier')) FROM dossier")
        ).one()
        values = sample_values(session, rng, rounds)
        users = {u.username: u for u in session.scalars(select(User))}
    log(f"\n{total:,} dossiers in the table ({size} with indexes); {rounds} timed calls per case, interleaved")

    leader, specialist = users["lanhdao"], users["chuyenvien"]
    pick = iter(range(10**9))

    def nth(kind: str) -> Any:
        return values[kind][next(pick) % len(values[kind])]

    def partial_name() -> str:
        words = nth("name").split()
        return f"{words[1]} {words[-1]}"  # "van an": the family name left out

    def searching(user: User, make_args: Callable[[], dict[str, str]]) -> Callable[[Session], int]:
        def run(session: Session) -> int:
            page = search(session, session.merge(user, load=False), parse_criteria(make_args()))
            return len(page.dossiers)

        return run

    def by_id(session: Session) -> int:
        return 1 if session.get(Dossier, nth("id")) is not None else 0

    year_ago = (datetime.now() - timedelta(days=365)).date().isoformat()
    cases: dict[str, Callable[[Session], int]] = {
        "baseline: primary-key lookup": by_id,
        "code (exact)": searching(leader, lambda: {"code": nth("code")}),
        "code (prefix: one day)": searching(leader, lambda: {"code": nth("code")[:-5]}),
        "id_number (exact)": searching(leader, lambda: {"id_number": nth("id_number")}),
        "name (full, folded)": searching(leader, lambda: {"name": nth("name")}),
        "name (partial words)": searching(leader, lambda: {"name": partial_name()}),
        "name (one common word: nguyen)": searching(leader, lambda: {"name": "nguyen"}),
        "name + status 10 + last year, department": searching(
            specialist, lambda: {"name": nth("name"), "status": "10", "received_from": year_ago}
        ),
        "overdue only, department, by due": searching(specialist, lambda: {"overdue": "1", "sort": "due"}),
        "everything visible (capped count)": searching(leader, lambda: {}),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    found: dict[str, list[int]] = {name: [] for name in cases}
    with sessions() as session:
        for _ in range(5):
            for case in cases.values():
                case(session)
                session.rollback()
        for round_ in range(rounds):
            order = list(cases.items())
            if round_ % 2:
                order.reverse()
            for name, case in order:
                started = time.perf_counter()
                found[name].append(case(session))
                samples[name].append((time.perf_counter() - started) * 1000)
                session.rollback()
                session.expunge_all()

    # The same name searches without their trigram index: dropped in a transaction rolled back after.
    without: list[float] = []
    with sessions() as session:
        session.execute(text("DROP INDEX ix_dossier_name_trgm"))
        for _ in range(baseline_rounds):
            name = nth("name")
            started = time.perf_counter()
            search(session, session.merge(leader, load=False), parse_criteria({"name": name}))
            without.append((time.perf_counter() - started) * 1000)
        session.rollback()

    floor = pct(samples["baseline: primary-key lookup"], 50)
    log(f"\n{'case':44} {'p50 ms':>8} {'p95 ms':>8} {'p50/pk':>7} {'rows/page':>9}  target")
    for name, values_ms in samples.items():
        target = next((t for key, t in TARGETS.items() if name.startswith(key)), None)
        verdict = "" if target is None else (
            f"p95 <= {target:g} ms: {'met' if pct(values_ms, 95) <= target else 'NOT met'}")
        log(f"{name:44} {pct(values_ms, 50):8.2f} {pct(values_ms, 95):8.2f} {pct(values_ms, 50) / floor:7.1f} "
            f"{sum(found[name]) / len(found[name]):9.1f}  {verdict}")
    with_index = samples["name (full, folded)"]
    log(f"{'baseline: name (full) without trigram index':44} {pct(without, 50):8.2f} {pct(without, 95):8.2f} "
        f"{pct(without, 50) / floor:7.1f}            ({len(without)} calls; the index makes it "
        f"{pct(without, 50) / pct(with_index, 50):.0f}x faster at p50)")
    explain(sessions, leader, specialist, values)
    engine.dispose()


def explain(sessions: sessionmaker, leader: Any, specialist: Any, values: dict[str, list[Any]]) -> None:
    """The plan of each search's page query, to show which index serves it."""
    from engine import clock
    from engine.models import Dossier
    from engine.services.search import COUNT_CAP, matching, parse_criteria

    log("\nplans (the capped ids query that counts and picks the page; EXPLAIN ANALYZE, index lines only)")
    cases = {
        "code": (leader, {"code": values["code"][0]}),
        "id_number": (leader, {"id_number": values["id_number"][0]}),
        "name": (leader, {"name": values["name"][0]}),
        "overdue": (specialist, {"overdue": "1", "sort": "due"}),
    }
    with sessions() as session:
        for name, (user, raw) in cases.items():
            criteria = parse_criteria(raw)
            query = matching(session, session.merge(user, load=False), criteria, clock.now())
            query = query.with_only_columns(Dossier.id).limit(COUNT_CAP + 1)
            compiled = query.compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
            plan = [r[0] for r in session.connection().exec_driver_sql(f"EXPLAIN ANALYZE {compiled}", compiled.params)]
            used = [line.strip() for line in plan if "Index" in line or "Bitmap" in line or "Seq Scan" in line]
            log(f"  {name}: " + " | ".join(used[:4]) + f" | {plan[-1].strip()}")
            session.rollback()


if __name__ == "__main__":
    raise SystemExit(main())
