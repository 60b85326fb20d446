#!/usr/bin/env python
"""Benchmark of the inbox: a user with 500 open tasks among 100,000 open dossiers in PostgreSQL.

Target: "The inbox of a user with 500 open tasks, among 100,000 open dossiers in
PostgreSQL, answers p95 <= 50 ms."

Not a test: it prints figures and checks them against the target. It builds two
PostgreSQL databases from an admin URL (dropped and re-created at start, dropped at
the end unless --keep), both migrated and loaded with the demo data and ~200 extra
staff:

  big   --dossiers open dossiers (default 100,000), bulk-loaded with COPY: the demo
        procedures and units, codes <counter code>-<YYMMDD>-<NNNN>, received over the
        last 60 days, statuses 2/4/5, one open task each (step, title, form, role and
        unit from the procedure's BPMN), closed task rows for the earlier steps and
        history lines. Among them, the demo "chuyenvien" holds exactly --mine open
        assigned tasks (examine steps) and the demo "truongphong" a pool of --pool
        unassigned department_leader tasks of his department.
  twin  the baseline: the same users and only those --mine + --pool dossiers (same
        ids, codes, task ids and dates), so every page answers the same rows.

Each database is served by its own gunicorn (2 workers). The endpoints are called
interleaved (big, twin, next endpoint, ...; the order flips every round), so that a
drift of the machine's speed hits both alike; the ratio big/twin shows what the
other rows cost. Server time comes from a Server-Timing header "wsgi;dur=..." that a
WSGI wrapper around create_app() adds to every response (the HTML blueprint sets
none; the API's own "app;dur=..." is shown beside it); the round trip is measured
with http.client on localhost, and the verdict is taken on the round trip's p95.

Finally the inbox service runs in-process on the big database, its SQL is captured
and re-run under EXPLAIN (ANALYZE, BUFFERS), to show which indexes serve it.

    .venv/bin/python scripts/bench_inbox.py [--admin-url postgresql://user:pw@host:5432/postgres]
        [--dossiers 100000] [--mine 500] [--pool 300] [--requests 200] [--quick] [--keep]
        [--wait-idle 120] [--extra-sql "CREATE INDEX ..."]

--extra-sql runs a statement on both databases after loading (a candidate index, say),
so that its effect can be measured without touching the migrations.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import platform
import random
import re
import shlex
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from scripts.bench_workflow import (  # noqa: E402
    BenchError,
    Client,
    CpuMonitor,
    Response,
    Server,
    build_database,
    create_database,
    git_state,
    log,
    pct,
)

TARGET_P95_MS = 50.0
PASSWORD = "demo"
SPECIALIST = "chuyenvien"
LEADER = "truongphong"
SEED = 20240601

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Hoàng", "Thanh", "Ngọc", "Quốc", "Hữu", "Thu", "Gia", "Bảo")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến")
STREETS = ("Hùng Vương", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Phú Riềng Đỏ", "Quốc lộ 14", "Hai Bà Trưng")
WARDS = ("Tân Phú", "Tân Bình", "Tân Đồng", "Tân Xuân", "Tiến Thành", "Phú Thịnh", "An Lộc")


# --------------------------------------------------------------------------- the app under gunicorn


class ServerTimingMiddleware:
    """Adds ``Server-Timing: wsgi;dur=<ms>`` to every response: the time until Flask starts the response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()

        def timed_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append(("Server-Timing", f"wsgi;dur={(time.perf_counter() - started) * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        return self.app(environ, timed_start)


def timed_app() -> Any:
    """The gunicorn target: webapp.create_app() inside the timing wrapper (nothing else changes)."""
    from webapp import create_app

    app = create_app()
    app.wsgi_app = ServerTimingMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


def inbox_server(db_url: str, workers: int) -> Server:
    """bench_workflow's Server (gunicorn -w N in its own session), serving timed_app()."""
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return Server(db_url, workers, app="scripts.bench_inbox:timed_app()", env={"PYTHONPATH": pythonpath},
                  log_prefix="bench-inbox-gunicorn-", discard_log=True)


# --------------------------------------------------------------------------- HTTP clients with cookies


def html_login(port: int, username: str) -> Client:
    """The browser's way in: GET the form, POST it with its CSRF token, keep the session cookie."""
    client = Client(port, cookies=True)
    r = client.request("GET", "/dang-nhap")
    found = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    if r.status != 200 or not found:
        raise BenchError(f"GET /dang-nhap: HTTP {r.status}, no csrf_token")
    form = urlencode({"csrf_token": html.unescape(found.group(1)), "username": username, "password": PASSWORD})
    r = client.request("POST", "/dang-nhap", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    if r.status != 302:
        raise BenchError(f"POST /dang-nhap as {username}: HTTP {r.status} (expected a redirect)")
    r = client.request("GET", "/cong-viec")
    if r.status != 200 or 'name="password"' in r.text:
        raise BenchError(f"GET /cong-viec as {username} after login: HTTP {r.status}")
    return client


def api_login(port: int, username: str) -> Client:
    client = Client(port, cookies=True)
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    r = client.request("POST", "/api/v1/tokens", body, {"Content-Type": "application/json"})
    if r.status != 201:
        raise BenchError(f"token for {username}: HTTP {r.status}: {r.text[:200]}")
    client.token = json.loads(r.raw)["token"]
    return client


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    form: str
    role: str
    status: int
    hours: float
    assignee_field: str | None


@dataclass(frozen=True)
class Proc:
    id: int
    code: str
    department_id: int
    agency_id: int
    version_id: int
    time_kind: str
    time_value: int
    receive: Step
    steps: tuple[Step, ...]  # after reception, before the return at the counter


@dataclass
class World:
    """What the generator needs from the demo data and the extra staff (ids are the same in both databases)."""

    now: datetime
    counter_id: int
    counter_code: str
    agency_id: int
    procs: list[Proc]
    users: dict[str, int]  # demo username -> id
    specialists: dict[int, list[int]] = field(default_factory=dict)  # unit -> specialist ids (all)
    leaders: dict[int, list[int]] = field(default_factory=dict)  # unit -> department leader ids (all)
    agency_leaders: list[int] = field(default_factory=list)
    counter_officers: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)

    def unit_of(self, role: str, proc: Proc) -> int:
        return {"counter_officer": self.counter_id, "agency_leader": proc.agency_id}.get(role, proc.department_id)


@dataclass(frozen=True)
class Plan:
    """One dossier to write: which procedure, which open step, for whom; the rest follows from ``seed``."""

    id: int
    code: str
    received_at: datetime
    proc: int  # index into World.procs
    step: int  # index into Proc.steps
    kind: str  # mine | pool | other
    seed: int


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def add_staff(url: str) -> None:
    """~200 extra staff: specialists and deputy leaders in each department, counter officers, agency leaders."""
    engine = create_engine(url)
    from engine.models import Unit, User, UserRole

    rng = random.Random(SEED)
    with engine.begin() as conn:
        pw = conn.execute(select(User.password_hash).where(User.username == SPECIALIST)).scalar_one()
        units = conn.execute(select(Unit.id, Unit.code, Unit.kind).order_by(Unit.id)).all()
        plan: list[tuple[str, int, str]] = []
        for unit_id, _code, kind in units:
            if kind == "department":
                plan += [(f"bench_cv_{unit_id}_{i:03d}", unit_id, "specialist") for i in range(80)]
                plan += [(f"bench_lp_{unit_id}_{i:03d}", unit_id, "department_leader") for i in range(8)]
            elif kind == "counter":
                plan += [(f"bench_mc_{unit_id}_{i:03d}", unit_id, "counter_officer") for i in range(16)]
            elif kind == "agency":
                plan += [(f"bench_ld_{unit_id}_{i:03d}", unit_id, "agency_leader") for i in range(8)]
        ids = conn.execute(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"username": u, "full_name": person(rng), "email": f"{u}@motcua.example", "password_hash": pw,
             "unit_id": unit_id, "active": True, "token_generation": 0} for u, unit_id, _ in plan]).scalars().all()
        conn.execute(insert(UserRole), [{"user_id": uid, "role": role} for uid, (_, _, role) in zip(ids, plan,
                                                                                                     strict=True)])
    engine.dispose()


def read_world(url: str) -> World:
    from engine import clock
    from engine.models import Procedure, ProcessVersion, Unit, User, UserRole
    from engine.roles import role_for_lane
    from engine.workflow import parse_process

    engine = create_engine(url)
    with engine.connect() as conn:
        counter_id, counter_code = conn.execute(
            select(Unit.id, Unit.code).join(User, User.unit_id == Unit.id).where(User.username == "motcua")).one()
        agency_id = conn.execute(select(Unit.id).where(Unit.kind == "agency")).scalar_one()
        users = dict(conn.execute(select(User.username, User.id).where(~User.username.like("bench\\_%"))).all())
        world = World(clock.now(), counter_id, counter_code, agency_id, [], users)
        latest: dict[str, tuple[int, str]] = {}
        for vid, key, xml in conn.execute(
                select(ProcessVersion.id, ProcessVersion.process_key, ProcessVersion.bpmn_xml)
                .order_by(ProcessVersion.number)):
            latest[key] = (vid, xml)
        for row in conn.execute(select(Procedure).order_by(Procedure.id)).all():
            if row.process_key not in latest:
                continue
            vid, xml = latest[row.process_key]
            spec = parse_process(xml, row.process_key)
            steps = [Step(s.name, s.title, s.form or "", str(role_for_lane(s.lane) or "counter_officer"),
                          s.status or 4, s.allotted_hours or 8.0, s.assignee_field) for s in spec.steps.values()]
            receive = next(s for s in steps if s.role == "counter_officer")
            middle = tuple(s for s in steps if s.role != "counter_officer")
            if middle:
                world.procs.append(Proc(row.id, row.code, row.department_id, row.agency_id, vid, row.time_kind,
                                        row.time_value, receive, middle))
        for uid, unit_id, role, name in conn.execute(
                select(User.id, User.unit_id, UserRole.role, User.full_name)
                .join(UserRole, UserRole.user_id == User.id).order_by(User.id)):
            world.names[uid] = name
            if role == "specialist":
                world.specialists.setdefault(unit_id, []).append(uid)
            elif role == "department_leader":
                world.leaders.setdefault(unit_id, []).append(uid)
            elif role == "agency_leader":
                world.agency_leaders.append(uid)
            elif role == "counter_officer":
                world.counter_officers.append(uid)
    engine.dispose()
    return world


def plan_dossiers(world: World, total: int, mine: int, pool: int) -> list[Plan]:
    """All dossiers of the big database, in reception order (ids and codes follow it), mine and pool mixed in."""
    rng = random.Random(SEED)
    specialist = world.users[SPECIALIST]
    leader = world.users[LEADER]
    sp_unit = next(u for u, ids in world.specialists.items() if specialist in ids)
    lp_unit = next(u for u, ids in world.leaders.items() if leader in ids)

    def steps_where(unit: int, role: str, assigned: bool) -> list[tuple[int, int]]:
        return [(pi, si) for pi, p in enumerate(world.procs) for si, s in enumerate(p.steps)
                if p.department_id == unit and s.role == role and bool(s.assignee_field) == assigned]

    mine_steps = steps_where(sp_unit, "specialist", True)
    pool_steps = steps_where(lp_unit, "department_leader", False)
    if not mine_steps or not pool_steps:
        raise BenchError("the demo procedures have no assigned specialist step or leader pool step in the department")
    kinds = ["mine"] * mine + ["pool"] * pool + ["other"] * max(0, total - mine - pool)
    rng.shuffle(kinds)
    start = world.now - timedelta(days=60)
    raw: list[tuple[datetime, int, int, str, int]] = []
    for kind in kinds:
        day = start + timedelta(days=rng.randrange(60))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        received = day.replace(hour=7, minute=30, second=0) + timedelta(seconds=rng.randrange(9 * 3600))
        received = min(received, world.now - timedelta(minutes=30))
        if kind == "mine":
            pi, si = rng.choice(mine_steps)
        elif kind == "pool":
            pi, si = rng.choice(pool_steps)
        else:
            pi = rng.randrange(len(world.procs))
            si = rng.randrange(len(world.procs[pi].steps))
        raw.append((received, pi, si, kind, rng.getrandbits(63)))
    raw.sort()
    per_day: dict[date, int] = defaultdict(int)
    plans = []
    for n, (received, pi, si, kind, seed) in enumerate(raw, start=1):
        per_day[received.date()] += 1
        code = f"{world.counter_code}-{received:%y%m%d}-{per_day[received.date()]:04d}"
        plans.append(Plan(n, code, received, pi, si, kind, seed))
    return plans


def due_offset_hours(rng: random.Random) -> float:
    """Where a task's due time falls against now: ~20% overdue, ~10% due within a working day, the rest later."""
    x = rng.random()
    if x < 0.20:
        return -rng.uniform(0.5, 120)
    if x < 0.30:
        return rng.uniform(0.2, 8)
    return rng.uniform(8, 240)


def rows_for(world: World, plan: Plan) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The dossier row, its task rows (closed ones, then the open one) and its history lines."""
    from engine.text import fold

    rng = random.Random(plan.seed)
    proc = world.procs[plan.proc]
    step = proc.steps[plan.step]
    specialist = world.users[SPECIALIST]
    leader = world.users[LEADER]
    now = world.now
    received = plan.received_at
    name = person(rng)
    officer = rng.choice(world.counter_officers)

    # The open task: its due time spread around now, created between reception and then.
    due = now + timedelta(hours=due_offset_hours(rng))
    latest = min(now, due - timedelta(hours=min(step.hours, 24)))
    created = received + timedelta(minutes=10)
    if latest > created:
        created += (latest - created) * rng.random()
    unit = world.unit_of(step.role, proc)
    if plan.kind == "mine":
        assignee: int | None = specialist
    elif plan.kind == "pool":
        assignee = None
    elif step.role == "specialist":
        others = [u for u in world.specialists.get(unit, []) if u != specialist]
        assignee = rng.choice(others) if step.assignee_field or rng.random() < 0.85 else None
    elif step.role == "department_leader":
        others = [u for u in world.leaders.get(unit, []) if u != leader]
        # The leader's own department: claimed by a deputy, so that the measured pool is exactly --pool.
        in_leader_unit = leader in world.leaders.get(unit, [])
        assignee = rng.choice(others) if in_leader_unit or rng.random() < 0.3 else None
    else:
        assignee = rng.choice(world.agency_leaders) if rng.random() < 0.5 else None

    status = step.status
    paused = None
    if plan.kind == "other" and rng.random() < 0.05:
        status, paused = 5, created + (now - created) * rng.random()
    if proc.time_kind == "same_day":
        dossier_due = received.replace(hour=17, minute=0, second=0)
    else:
        dossier_due = received + timedelta(days=proc.time_value * 7 / 5)
    dossier = {
        "id": plan.id, "code": plan.code, "procedure_id": proc.id, "process_version_id": proc.version_id,
        "receiving_unit_id": world.counter_id, "department_id": proc.department_id, "agency_id": proc.agency_id,
        "channel": rng.choice((1, 1, 1, 2)), "status": status, "applicant_kind": "person",
        "applicant_name": name, "applicant_name_folded": fold(name),
        "id_number": f"0{rng.randrange(10**11):011d}", "phone": f"09{rng.randrange(10**8):08d}",
        "email": f"nguoi{plan.id}@example.com",
        "address": f"Số {rng.randrange(1, 300)} đường {rng.choice(STREETS)}, phường {rng.choice(WARDS)}, "
                   "tỉnh Bình Phước",
        "received_at": received, "due_at": dossier_due, "received_by_id": officer, "paused_at": paused,
    }

    # The steps before the open one, closed in turn between reception and its creation.
    earlier = [proc.receive, *proc.steps[:plan.step]]
    tasks: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    moment = received
    span = (created - received) / len(earlier)
    previous_id: str | None = None
    previous_by: int | None = None
    for k, s in enumerate(earlier):
        tid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        s_unit = world.unit_of(s.role, proc)
        if k == 0:
            by = officer
        elif s.role == "specialist":
            by = rng.choice(world.specialists.get(s_unit, [specialist]))
        elif s.role == "department_leader":
            by = rng.choice(world.leaders.get(s_unit, [leader]))
        else:
            by = rng.choice(world.agency_leaders)
        opened = moment
        moment = received + span * (k + 1) if k + 1 < len(earlier) else created
        tasks.append({
            "id": tid, "dossier_id": plan.id, "step": s.name, "title": s.title, "form": s.form, "role": s.role,
            "unit_id": s_unit, "assignee_id": by, "created_at": opened, "due_at": None, "closed_at": moment,
            "completed_by_id": by, "opened_by_id": previous_by, "opened_from_task_id": previous_id,
            "outcome": "completed",
        })
        history.append({
            "dossier_id": plan.id, "at": moment, "actor_id": by, "actor_name": world.names.get(by, ""),
            "action": "receive" if k == 0 else "complete", "from_step": s.title,
            "to_step": (earlier[k + 1] if k + 1 < len(earlier) else step).title,
            "to_person": world.names.get(assignee, "") if k + 1 == len(earlier) and assignee else "",
            "note": "", "step_due_at": None, "status_after": 2 if k == 0 else status,
        })
        previous_id, previous_by = tid, by
    tasks.append({
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "dossier_id": plan.id, "step": step.name,
        "title": step.title, "form": step.form, "role": step.role, "unit_id": unit, "assignee_id": assignee,
        "created_at": created, "due_at": due, "closed_at": None, "completed_by_id": None,
        "opened_by_id": previous_by, "opened_from_task_id": previous_id, "outcome": "",
    })
    # One more line where it fits: the claim of the open task, a request for a supplement, or a
    # colleague who took the pool task and handed it back.
    extra: tuple[str, int | None, str] | None = None
    if assignee is not None and not step.assignee_field:
        extra = ("claim", assignee, "")
    elif paused is not None:
        extra = ("supplement_request", by, "Bổ sung bản vẽ thiết kế")
    elif assignee is None and len(history) < 3:
        pool = {"specialist": world.specialists, "department_leader": world.leaders}.get(step.role, {})
        extra = ("release", rng.choice(pool.get(unit, world.agency_leaders)), "")
    if extra is not None:
        action, actor, note = extra
        history.append({
            "dossier_id": plan.id, "at": paused or created + (now - created) * 0.1, "actor_id": actor,
            "actor_name": world.names.get(actor, ""), "action": action, "from_step": step.title,
            "to_step": step.title, "to_person": world.names.get(assignee, "") if assignee else "", "note": note,
            "step_due_at": due, "status_after": status,
        })
    return dossier, tasks, history


def _cell(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    s = str(value)
    if any(c in s for c in "\\\t\n\r"):
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


class Copier:
    """COPY of whole rows into one table: every column written, Python-side defaults filled in."""

    def __init__(self, table: Any) -> None:
        self.table = table.name
        self.columns = [(c.name, c.default.arg if c.default is not None and c.default.is_scalar else None)
                        for c in table.columns]
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.write("\t".join(_cell(row.get(name, default)) for name, default in self.columns))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self, cursor: Any) -> None:
        self.buffer.seek(0)
        cursor.copy_expert(f"COPY {self.table} ({', '.join(n for n, _ in self.columns)}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()


def load(url: str, world: World, plans: Iterable[Plan], batch: int = 10000) -> dict[str, float]:
    """Write the planned dossiers with COPY, in batches; then VACUUM ANALYZE. Returns timings and counts."""
    from engine.models import Dossier, DossierSequence, HistoryEvent, Task

    engine = create_engine(url)
    started = time.perf_counter()
    raw = engine.raw_connection()
    history_id = 0
    last_seq: dict[date, int] = {}
    counts = defaultdict(int)
    try:
        cursor = raw.cursor()
        copiers = {name: Copier(t.__table__) for name, t in
                   (("dossier", Dossier), ("task", Task), ("history_event", HistoryEvent))}

        def flush() -> None:
            for name in ("dossier", "task", "history_event"):  # parents first
                copiers[name].flush(cursor)
            raw.commit()

        pending = 0
        for plan in plans:
            dossier, tasks, history = rows_for(world, plan)
            copiers["dossier"].add(dossier)
            for t in tasks:
                copiers["task"].add(t)
                counts["open tasks" if t["closed_at"] is None else "closed tasks"] += 1
            for h in history:
                history_id += 1
                copiers["history_event"].add({"id": history_id, **h})
            counts["history lines"] += len(history)
            counts["dossiers"] += 1
            seq = int(plan.code.rsplit("-", 1)[1])
            day = plan.received_at.date()
            last_seq[day] = max(last_seq.get(day, 0), seq)
            pending += 1
            if pending >= batch:
                flush()
                pending = 0
        flush()
        cursor.executemany(
            f"INSERT INTO {DossierSequence.__tablename__} (unit_id, day, last_value) VALUES (%s, %s, %s)",
            [(world.counter_id, day, value) for day, value in sorted(last_seq.items())])
        for table in ("dossier", "history_event"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    copied = time.perf_counter() - started
    vacuum_analyze(url)
    engine.dispose()
    return {"copy_s": copied, "vacuum_s": time.perf_counter() - started - copied, **counts}


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Endpoint:
    label: str
    user: str
    kind: str  # html | api
    path: str


ENDPOINTS = (
    Endpoint("GET /cong-viec", SPECIALIST, "html", "/cong-viec"),
    Endpoint("GET /cong-viec?tab=mine&sort=received", SPECIALIST, "html", "/cong-viec?tab=mine&sort=received"),
    Endpoint("GET /cong-viec?due=overdue", SPECIALIST, "html", "/cong-viec?due=overdue"),
    Endpoint("GET /api/v1/tasks?tab=mine", SPECIALIST, "api", "/api/v1/tasks?tab=mine"),
    Endpoint("GET /api/v1/tasks/counts", SPECIALIST, "api", "/api/v1/tasks/counts"),
    Endpoint("GET /cong-viec?tab=pool", LEADER, "html", "/cong-viec?tab=pool"),
)


@dataclass
class Target:
    name: str  # big | twin
    server: Server
    clients: dict[tuple[str, str], Client] = field(default_factory=dict)  # (user, kind) -> client

    def call(self, ep: Endpoint) -> Response:
        r = self.clients[(ep.user, ep.kind)].request("GET", ep.path, headers={
            "Accept": "application/json" if ep.kind == "api" else "text/html"})
        if r.status != 200:
            raise BenchError(f"{self.name}: {ep.label} as {ep.user}: HTTP {r.status}: {r.text[:300]}")
        return r


def rows_shown(ep: Endpoint, r: Response) -> str:
    if ep.kind == "html":
        total = re.search(r"Trang \d+/\d+ · (\d+) công việc", r.text)
        return f"{r.text.count('data-task=')} rows" + (f" of {total.group(1)}" if total else "")
    data = json.loads(r.raw)
    return f"{len(data)} tasks" if isinstance(data, list) else json.dumps(data)


def measure(targets: list[Target], rounds: int, warm: int) -> dict[tuple[str, str], dict[str, list[float]]]:
    """Every endpoint on every target, interleaved; the target order flips every call."""
    samples: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in range(warm + rounds):
        for k, ep in enumerate(ENDPOINTS):
            for target in (targets if (r + k) % 2 else targets[::-1]):
                reply = target.call(ep)
                if r < warm:
                    continue
                s = samples[(ep.label, target.name)]
                s["rtt"].append(reply.rtt_ms)
                s["wsgi"].append(reply.timings.get("wsgi", float("nan")))
                if "app" in reply.timings:
                    s["app"].append(reply.timings["app"])
    return samples


# --------------------------------------------------------------------------- EXPLAIN


PLAN_KEEP = re.compile(r"->|^\S|Index Cond|Recheck Cond|Filter|Rows Removed|Heap Blocks|Sort Method|Sort Key|"
                       r"Execution Time|Planning Time|Hash Cond|Join Filter")


def explain_inbox(url: str, cases: list[tuple[str, str, Any]]) -> None:
    """Run the inbox service in-process, capture its SQL on the task table, EXPLAIN (ANALYZE, BUFFERS) it."""
    from sqlalchemy.orm import Session

    from engine.models import User
    from engine.services.inbox import inbox

    engine = create_engine(url)
    captured: list[tuple[str, Any]] = []
    recording = [False]

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if recording[0]:
            captured.append((statement, parameters))

    for label, username, filt in cases:
        with Session(engine) as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            inbox(session, user, filt)  # warm: calendars cached, pages in memory
            captured.clear()
            recording[0] = True
            t0 = time.perf_counter()
            page = inbox(session, user, filt)
            dt = (time.perf_counter() - t0) * 1000
            recording[0] = False
        statements = [(s, p) for s, p in captured if re.search(r"\bFROM task\b", s)]
        log(f"\n  {label} as {username}: one in-process inbox() call {dt:.1f} ms, {len(captured)} statements, "
            f"{len(statements)} on task; counts {page.counts}, total {page.total}")
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for k, (statement, params) in enumerate(statements, start=1):
                what = ("counts per tab (aggregate)" if "count(*) FILTER" in statement
                        else "total of the filter" if statement.lstrip().startswith("SELECT count(*)")
                        else "page of tasks + dossier + procedure + assignee")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                lines = [row[0] for row in cursor.fetchall()]
                log(f"    [{k}] {what}:")
                for line in lines:
                    if PLAN_KEEP.search(line):
                        log("      " + re.sub(r"\s*\(cost=[^)]*\)", "", line))
            raw.rollback()
        finally:
            raw.close()
    engine.dispose()


# --------------------------------------------------------------------------- main


def vacuum_analyze(url: str) -> None:
    """After a bulk load. VACUUM as well as ANALYZE: a lived-in table has its visibility map set by
    autovacuum, and autovacuum must not start on the freshly copied rows in the middle of the measurements."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def admin_url(args: argparse.Namespace) -> str:
    url = args.admin_url or os.environ.get("BENCH_POSTGRES_ADMIN_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("No PostgreSQL: pass --admin-url, or set BENCH_POSTGRES_ADMIN_URL or TEST_POSTGRES_URL.")
    return url


def wait_idle(monitor: CpuMonitor, timeout: float) -> None:
    """Wait until other processes take under 10% of the CPUs over a 3 s window, or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        mark = monitor.start()
        time.sleep(3)
        line = monitor.stop(mark, "idle check")
        other = monitor.busy_phases.pop()[1]
        if other < 10 or time.monotonic() > deadline:
            log(f"  idle check: {line}")
            return


def drop_database(admin: str, name: str) -> None:
    base = make_url(admin)
    engine = create_engine(base.set(database=base.database or "postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def fmt(v: float) -> str:
    return f"{v:7.2f}" if v == v else "    n/a"




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--admin-url", help="PostgreSQL admin URL (default: $BENCH_POSTGRES_ADMIN_URL, then "
                                        "$TEST_POSTGRES_URL)")
    ap.add_argument("--dossiers", type=int, help="open dossiers in the big database (default 100000; 10000 with "
                                                 "--quick)")
    ap.add_argument("--mine", type=int, default=500, help=f"open tasks assigned to {SPECIALIST} (default 500)")
    ap.add_argument("--pool", type=int, default=300, help=f"unassigned leader tasks in {LEADER}'s pool (default 300)")
    ap.add_argument("--requests", type=int, help="timed requests per endpoint and database (default 200; 50 with "
                                                 "--quick)")
    ap.add_argument("--warm", type=int, default=10, help="untimed rounds first (default 10)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers per database (default 2)")
    ap.add_argument("--db-name", default="motcua_bench_inbox", help="the big database; the twin gets _twin")
    ap.add_argument("--quick", action="store_true", help="10,000 dossiers, 50 requests per endpoint")
    ap.add_argument("--keep", action="store_true", help="do not drop the databases at the end")
    ap.add_argument("--extra-sql", action="append", default=[], metavar="SQL",
                    help="run on both databases after loading, then ANALYZE (repeatable): e.g. a candidate "
                         "index, to measure its effect")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="before measuring, wait up to SECONDS for other processes to take < 10%% of the CPUs")
    args = ap.parse_args()
    dossiers = args.dossiers or (10000 if args.quick else 100000)
    rounds = args.requests or (50 if args.quick else 200)
    if dossiers < args.mine + args.pool:
        raise SystemExit("--dossiers must be at least --mine + --pool")
    admin = admin_url(args)
    names = {"big": args.db_name, "twin": f"{args.db_name}_twin"}
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    started = time.perf_counter()
    log(f"bench_inbox: {command}")
    log(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    log(f"  code: {git_state()}")
    log(f"  big: {dossiers} open dossiers, {args.mine} tasks of {SPECIALIST}, a pool of {args.pool} for {LEADER}; "
        f"twin: only those {args.mine + args.pool}; {rounds} timed requests per endpoint and database")

    urls: dict[str, str] = {}
    servers: dict[str, Server] = {}
    monitor = CpuMonitor()
    results: dict[str, Any] = {}
    try:
        try:
            log("\nsetup")
            t0 = time.perf_counter()
            for key in ("big", "twin"):
                urls[key] = create_database(admin, names[key])
                build_database(urls[key])
                add_staff(urls[key])
            world = read_world(urls["big"])
            twin_world = read_world(urls["twin"])
            if (world.users, world.names, [p.id for p in world.procs]) != (
                    twin_world.users, twin_world.names, [p.id for p in twin_world.procs]):
                raise BenchError("the twin's users or procedures differ from the big database's")
            log(f"  both databases migrated, demo data and {len(world.names) - len(world.users)} extra staff loaded in "
                f"{time.perf_counter() - t0:.1f} s; procedures: {', '.join(p.code for p in world.procs)}")
            t0 = time.perf_counter()
            plans = plan_dossiers(world, dossiers, args.mine, args.pool)
            log(f"  planned {len(plans)} dossiers in {time.perf_counter() - t0:.1f} s")
            for key, subset in (("big", plans), ("twin", [p for p in plans if p.kind != "other"])):
                t0 = time.perf_counter()
                stats = load(urls[key], world, subset)
                results[f"load_{key}"] = {**stats, "total_s": time.perf_counter() - t0}
                log(f"  {key}: {stats['dossiers']} dossiers, {stats['open tasks']} open tasks, "
                    f"{stats['closed tasks']} closed tasks, {stats['history lines']} history lines: generated + COPY "
                    f"{stats['copy_s']:.1f} s, VACUUM ANALYZE {stats['vacuum_s']:.1f} s, "
                    f"total {time.perf_counter() - t0:.1f} s")
            for sql in args.extra_sql:
                t0 = time.perf_counter()
                for key in ("big", "twin"):
                    with create_engine(urls[key], isolation_level="AUTOCOMMIT").connect() as conn:
                        conn.execute(text(sql))
                        conn.execute(text("ANALYZE"))
                log(f"  extra SQL on both databases ({time.perf_counter() - t0:.1f} s): {sql}")
            with create_engine(urls["big"]).connect() as conn:
                sizes = conn.execute(text(
                    "SELECT pg_size_pretty(pg_total_relation_size('task')), "
                    "pg_size_pretty(pg_total_relation_size('dossier')), "
                    "pg_size_pretty(pg_total_relation_size('history_event')), "
                    "pg_size_pretty(pg_database_size(current_database()))")).one()
                log(f"  big sizes (with indexes): task {sizes[0]}, dossier {sizes[1]}, history_event {sizes[2]}; "
                    f"database {sizes[3]}")

            for key in ("big", "twin"):
                servers[key] = inbox_server(urls[key], args.workers)
            targets = []
            for key in ("big", "twin"):
                servers[key].wait_ready()
                target = Target(key, servers[key])
                target.clients[(SPECIALIST, "html")] = html_login(servers[key].port, SPECIALIST)
                target.clients[(SPECIALIST, "api")] = api_login(servers[key].port, SPECIALIST)
                target.clients[(LEADER, "html")] = html_login(servers[key].port, LEADER)
                targets.append(target)
                log(f"  {key}: {' '.join(shlex.quote(c) for c in servers[key].cmd)} (pid {servers[key].proc.pid})")

            log("\nwhat each endpoint answers (first call; big | twin)")
            for ep in ENDPOINTS:
                shown = [rows_shown(ep, t.call(ep)) for t in targets]
                log(f"  {ep.label:<40} {ep.user:<12} {shown[0]}  |  {shown[1]}"
                    + ("" if shown[0] == shown[1] else "   <- DIFFERENT"))
            counts = json.loads(targets[0].call(ENDPOINTS[4]).raw)
            if counts["mine"] != args.mine:
                raise BenchError(f"{SPECIALIST} has {counts['mine']} open tasks, expected {args.mine}")

            log(f"\nmeasuring: {args.warm} untimed rounds, then {rounds} rounds of {len(ENDPOINTS)} endpoints x "
                f"big + twin, interleaved")
            engine = create_engine(urls["big"])
            monitor.engine, monitor.server_pid = engine, servers["big"].proc.pid
            monitor.extra_pids = {servers["twin"].proc.pid}
            if args.wait_idle > 0:
                wait_idle(monitor, args.wait_idle)
            mark = monitor.start()
            t0 = time.perf_counter()
            results["samples"] = measure(targets, rounds, args.warm)
            results["measure_s"] = time.perf_counter() - t0
            results["noise"] = monitor.stop(mark, "measure")
            results["others_pct"] = monitor.busy_phases[-1][1]
            engine.dispose()
            log(f"  {results['measure_s']:.1f} s  {results['noise']}")
            for target in targets:
                for client in target.clients.values():
                    client.close()
        finally:
            for server in servers.values():
                server.stop()
            if servers:
                exits = ", ".join(f"{k} exit {s.proc.returncode}" for k, s in servers.items())
                log(f"  gunicorn stopped ({exits})")

        from engine.services.inbox import InboxFilter

        log(f"\nEXPLAIN (ANALYZE, BUFFERS) of the inbox's SQL on the big database ({names['big']}); "
            "plan nodes, conditions and times (costs left out)")
        explain_inbox(urls["big"], [
            ("default tab (all, sort by due)", SPECIALIST, InboxFilter()),
            ("tab=mine&sort=received", SPECIALIST, InboxFilter(tab="mine", sort="received")),
            ("tab=pool", LEADER, InboxFilter(tab="pool")),
        ])
        summary(results, rounds, dossiers, args)
    finally:
        if args.keep:
            log(f"\n  databases kept: {', '.join(names.values())}")
        else:
            for name in names.values():
                drop_database(admin, name)
            log(f"\n  databases dropped: {', '.join(names.values())}")
    log(f"  total run time {time.perf_counter() - started:.0f} s")
    log(f"  command: {command}")
    return 0


def summary(results: dict[str, Any], rounds: int, dossiers: int, args: argparse.Namespace) -> None:
    samples = results["samples"]
    big = results["load_big"]
    log(f"\nsummary ({dossiers} open dossiers; {SPECIALIST} has {args.mine} open tasks, {LEADER} a pool of "
        f"{args.pool}; n = {rounds} per endpoint and database)")
    for sql in args.extra_sql:
        log(f"  WITH EXTRA SQL (not in the migrations): {sql}")
    log("  server = Server-Timing wsgi;dur (the whole Flask request, SQL + rendering, HTML and API alike);")
    log("  rtt = client round trip on localhost (adds gunicorn's connection handling); the verdict is on rtt p95;")
    log("  twin = the same endpoint on the baseline database (only the user's own rows), in the same seconds;")
    log("  ratio = big / twin server time")
    header = (f"  {'endpoint':<40} {'user':<12} {'n':>4}  {'server p50':>10} {'p95':>7}  {'rtt p50':>7} {'p95':>7}  "
              f"{'twin srv p50':>12} {'p95':>7}  {'ratio p50':>9} {'p95':>5}  target")
    log(header)
    log("  " + "-" * (len(header) - 2))
    for ep in ENDPOINTS:
        b = samples[(ep.label, "big")]
        t = samples[(ep.label, "twin")]
        b50, b95 = pct(b["wsgi"], 50), pct(b["wsgi"], 95)
        t50, t95 = pct(t["wsgi"], 50), pct(t["wsgi"], 95)
        r95 = pct(b["rtt"], 95)
        log(f"  {ep.label:<40} {ep.user:<12} {len(b['rtt']):>4}  {fmt(b50):>10} {fmt(b95)}  "
            f"{fmt(pct(b['rtt'], 50))} {fmt(r95)}  {fmt(t50):>12} {fmt(t95)}  {b50 / t50:>8.2f}x {b95 / t95:>4.2f}x  "
            f"{'PASS' if r95 <= TARGET_P95_MS else 'FAIL'} (rtt p95 {r95:.1f} <= {TARGET_P95_MS:.0f} ms)")
    for ep in ENDPOINTS:
        b = samples[(ep.label, "big")]
        if b.get("app"):
            log(f"  (API's own Server-Timing app;dur for {ep.label}: p50 {pct(b['app'], 50):.2f} ms, "
                f"p95 {pct(b['app'], 95):.2f} ms)")
    log(f"  load of the big database: {big['dossiers']} dossiers, {big['open tasks']} open + {big['closed tasks']} "
        f"closed task rows, {big['history lines']} history lines in {big['total_s']:.1f} s "
        f"(COPY {big['copy_s']:.1f} s, VACUUM ANALYZE {big['vacuum_s']:.1f} s)")
    log(f"  measuring took {results['measure_s']:.1f} s; CPU taken by others: {results['noise']}")
    if results["others_pct"] > 15:
        log("  WARNING: other processes were busy while measuring; latencies are inflated. Re-run on an idle "
            "machine before trusting a FAIL (the ratios to the twin, taken in the same seconds, still hold).")


if __name__ == "__main__":
    sys.exit(main())
