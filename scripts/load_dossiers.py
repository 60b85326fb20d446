#!/usr/bin/env python
"""Load a province-sized history into PostgreSQL: by default 1,000,000 dossiers over two years.

For the leaders' pages (dashboard, warnings, search, statistics) and their benchmarks. The
database is dropped and re-created from an admin URL, migrated, loaded with the demo data and
~200 extra staff (as scripts/bench_inbox.py does), then filled with COPY:

- received on working days over --years years, spread over office hours, in reception order
  (ids and codes <counter>-<YYMMDD>-<NNNN> follow it); channels 1 in person (~60%), 2 online
  (~38%), 3 postal (~2%);
- every status: most older dossiers finished (9/10) before, on or after their due date (a few
  exactly on it, and same-day procedures finished after 17:00 too), some refused at intake (3),
  withdrawn (7) or stopped (8); recent ones open at a step (2/4), waiting for a supplement (5,
  paused), for fees (6), or submitted online and not yet accepted (1); a tail of old late ones
  still open;
- a closed task row per step done (with its own due time and who completed it), the open task
  of open dossiers (assigned or in the pool), and the history lines of each.

    .venv/bin/python scripts/load_dossiers.py --admin-url postgresql://user:pw@host:5432/postgres
        [--database motcua_million] [--dossiers 1000000] [--years 2] [--batch 20000]

The URL of the loaded database is printed last; the benchmarks take it with --url.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from scripts.bench_dashboard import after_copy  # noqa: E402
from scripts.bench_inbox import (  # noqa: E402
    STREETS,
    WARDS,
    Copier,
    Proc,
    Step,
    World,
    add_staff,
    person,
    read_world,
    vacuum_analyze,
)
from scripts.bench_workflow import build_database, create_database, log  # noqa: E402

SEED = 20261130
RETURN_STEP = Step("task_return", "Trả kết quả", "return", "counter_officer", 9, 8.0, None)


def working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def due_for(proc: Proc, received: datetime) -> datetime:
    """The appointment, near enough for statistics: same day at 17:00 (next day after 15:00), else
    the legal working days as calendar days (x 7/5), at the office's closing time."""
    if proc.time_kind == "same_day":
        day = received.date() + timedelta(days=1 if received.hour >= 15 else 0)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, datetime.min.time()).replace(hour=17)
    due = received + timedelta(days=round(proc.time_value * 7 / 5))
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due.replace(hour=17, minute=0, second=0)


def finish_time(rng: random.Random, received: datetime, due: datetime) -> datetime:
    """Before the due date (~35%), on it (~50%, some at 16:59), or after it (~15%)."""
    x = rng.random()
    span = max(due - received, timedelta(hours=1))
    if x < 0.35:
        at = received + span * rng.uniform(0.2, 0.85)
        if at.date() >= due.date():
            at = received + span * 0.5
    elif x < 0.85:
        at = due.replace(hour=rng.choice((8, 9, 10, 14, 15, 16)), minute=rng.randrange(60))
        if rng.random() < 0.1:
            at = due.replace(hour=16, minute=59)
        at = max(at, received + timedelta(minutes=20))
    else:
        at = due + timedelta(days=rng.choice((1, 1, 2, 3, 5, 8, 15)), hours=rng.uniform(-6, 0))
    return at


class Generator:
    """The rows of one dossier, from its plan; deterministic for a seed."""

    def __init__(self, world: World, now: datetime) -> None:
        self.world = world
        self.now = now
        self.counts: Counter[str] = Counter()

    def actor(self, rng: random.Random, role: str, unit: int) -> int:
        w = self.world
        if role == "specialist":
            return rng.choice(w.specialists.get(unit) or w.counter_officers)
        if role == "department_leader":
            return rng.choice(w.leaders.get(unit) or w.agency_leaders)
        if role == "agency_leader":
            return rng.choice(w.agency_leaders)
        return rng.choice(w.counter_officers)

    def fate(self, rng: random.Random, proc: Proc, received: datetime, due: datetime, channel: int) -> str:
        age = (self.now - received).days
        x = rng.random()
        if channel == 2 and age < 2 and x < 0.3:
            return "submitted"
        if x < 0.02:
            return "refused"
        if x < 0.025:
            return "withdrawn"
        if x < 0.032:
            return "stopped"
        open_share = 0.9 if self.now < due else (0.25 if age < 30 else 0.06 if age < 90 else 0.004)
        return "open" if rng.random() < open_share else "finished"

    def rows(self, n: int, code: str, received: datetime, seed: int) -> tuple[dict, list[dict], list[dict]]:
        w, now = self.world, self.now
        rng = random.Random(seed)
        proc = w.procs[rng.randrange(len(w.procs))]
        channel = 2 if rng.random() < 0.38 else (3 if rng.random() < 0.03 else 1)
        due = due_for(proc, received)
        fate = self.fate(rng, proc, received, due, channel)
        self.counts[fate] += 1
        name = person(rng)
        officer = rng.choice(w.counter_officers)
        dossier: dict[str, Any] = {
            "id": n, "code": code, "procedure_id": proc.id, "process_version_id": proc.version_id,
            "receiving_unit_id": w.counter_id, "department_id": proc.department_id, "agency_id": proc.agency_id,
            "channel": channel, "status": 4, "applicant_kind": "person", "applicant_name": name,
            "applicant_name_folded": fold(name), "id_number": f"0{rng.randrange(10**11):011d}",
            "phone": f"09{rng.randrange(10**8):08d}", "email": f"nguoi{n}@example.com",
            "address": f"Số {rng.randrange(1, 300)} đường {rng.choice(STREETS)}, phường {rng.choice(WARDS)}, "
                       "tỉnh Bình Phước",
            "received_at": received, "due_at": due, "received_by_id": officer,
        }
        history: list[dict] = []

        def line(at: datetime, actor: int | None, action: str, frm: str, to: str, status: int, note: str = "") -> None:
            history.append({"dossier_id": n, "at": at, "actor_id": actor,
                            "actor_name": w.names.get(actor, "") if actor else name, "action": action,
                            "from_step": frm, "to_step": to, "note": note, "status_after": status})

        if fate in ("submitted", "refused"):
            submitted = fate == "submitted"
            dossier.update(process_version_id=None, due_at=None, received_by_id=None if submitted else officer,
                           status=1 if submitted else 3)
            if fate == "refused":
                dossier["refusal_reason"] = "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan."
                line(received, officer, "refuse", "Tiếp nhận hồ sơ", "", 3, dossier["refusal_reason"])
            else:
                line(received, None, "submit", "", "Tiếp nhận hồ sơ", 1)
            return dossier, [], history

        steps = [proc.receive, *proc.steps, RETURN_STEP]
        if fate == "finished":
            end = min(finish_time(rng, received, due), now - timedelta(minutes=5))
            done = len(steps) - 1  # all but the return
        else:
            end = now if fate == "open" else min(received + (due - received) * rng.uniform(0.2, 1.5), now)
            done = rng.randrange(1, len(proc.steps) + 1)  # reception and some of the steps
        tasks: list[dict] = []
        moment, previous_id, previous_by = received, None, None
        span = (end - received) / done
        for k, step in enumerate(steps[:done]):
            unit = w.unit_of(step.role, proc)
            by = officer if k == 0 else self.actor(rng, step.role, unit)
            opened, moment = moment, received + span * (k + 1)
            tid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            tasks.append({"id": tid, "dossier_id": n, "step": step.name, "title": step.title, "form": step.form,
                          "role": step.role, "unit_id": unit, "assignee_id": by, "created_at": opened,
                          "due_at": None if k == 0 else opened + timedelta(hours=step.hours * 3),
                          "closed_at": moment, "completed_by_id": by, "opened_by_id": previous_by,
                          "opened_from_task_id": previous_id, "outcome": "completed"})
            line(moment, by, "receive" if k == 0 else "complete", step.title, steps[k + 1].title,
                 2 if k == 0 else step.status)
            previous_id, previous_by = tid, by

        if fate == "finished":
            dossier.update(status=9, finished_at=end)
            returned = end + timedelta(days=rng.choice((0, 0, 1, 2, 3, 7)), hours=rng.uniform(0, 3))
            if returned < now and rng.random() < 0.97:
                dossier.update(status=10, returned_at=returned)
                tid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                tasks.append({"id": tid, "dossier_id": n, "step": RETURN_STEP.name, "title": RETURN_STEP.title,
                              "form": RETURN_STEP.form, "role": "counter_officer", "unit_id": w.counter_id,
                              "assignee_id": officer, "created_at": end, "due_at": None, "closed_at": returned,
                              "completed_by_id": officer, "opened_by_id": previous_by,
                              "opened_from_task_id": previous_id, "outcome": "completed"})
                line(returned, officer, "return", RETURN_STEP.title, "", 10)
            else:
                tasks.append(self.open_task(rng, n, RETURN_STEP, w.counter_id, end, previous_by, previous_id))
            return dossier, tasks, history
        if fate in ("withdrawn", "stopped"):
            status = 7 if fate == "withdrawn" else 8
            dossier.update(status=status, finished_at=None)
            if status == 8:
                dossier["stop_reason"] = "Người nộp không bổ sung hồ sơ trong thời hạn."
            line(end, previous_by, "stop" if status == 8 else "withdraw", steps[done].title, "", status)
            return dossier, tasks, history

        step = steps[done]
        unit = w.unit_of(step.role, proc)
        task = self.open_task(rng, n, step, unit, moment, previous_by, previous_id)
        tasks.append(task)
        x = rng.random()
        if x < 0.07:
            paused = moment + (now - moment) * rng.random()
            dossier.update(status=5, paused_at=paused)
            line(paused, task["assignee_id"] or previous_by, "supplement_request", step.title, step.title, 5,
                 "Bổ sung bản vẽ thiết kế")
        elif x < 0.09:
            dossier["status"] = 6
        else:
            dossier["status"] = step.status if step.status in (2, 4) else 4
        return dossier, tasks, history

    def open_task(self, rng: random.Random, n: int, step: Step, unit: int, created: datetime,
                  by: int | None, from_id: str | None) -> dict:
        pool = rng.random() < 0.25
        return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "dossier_id": n, "step": step.name,
                "title": step.title, "form": step.form, "role": step.role, "unit_id": unit,
                "assignee_id": None if pool else self.actor(rng, step.role, unit), "created_at": created,
                "due_at": created + timedelta(hours=step.hours * 3), "closed_at": None, "completed_by_id": None,
                "opened_by_id": by, "opened_from_task_id": from_id, "outcome": ""}


def fold(text_: str) -> str:
    from engine.text import fold as fold_

    return fold_(text_)


def load(url: str, world: World, total: int, years: int, batch: int) -> Counter[str]:
    from engine.models import Dossier, DossierSequence, HistoryEvent, Task

    now = world.now
    # Only days whose office has opened by now, so that every planned dossier is written.
    days = [d for d in working_days((now - timedelta(days=365 * years)).date(), now.date())
            if datetime.combine(d, datetime.min.time()).replace(hour=16, minute=30) < now]
    rng = random.Random(SEED)
    per_day = Counter(rng.choice(days) for _ in range(total))
    generator = Generator(world, now)
    engine = create_engine(url)
    raw = engine.raw_connection()
    copiers = {name: Copier(t.__table__) for name, t in
               (("dossier", Dossier), ("task", Task), ("history_event", HistoryEvent))}
    counts: Counter[str] = Counter()
    n = history_id = pending = 0
    started = time.perf_counter()
    try:
        cursor = raw.cursor()
        # The daily counts (migration 0008) are summed once at the end: row triggers under COPY cost hours.
        cursor.execute("ALTER TABLE dossier DISABLE TRIGGER USER")

        def flush() -> None:
            for name in ("dossier", "task", "history_event"):  # parents first
                copiers[name].flush(cursor)
            raw.commit()

        for day in sorted(per_day):
            opening = datetime.combine(day, datetime.min.time()).replace(hour=7, minute=30)
            times = sorted(opening + timedelta(seconds=rng.randrange(9 * 3600)) for _ in range(per_day[day]))
            for seq, received in enumerate(times):
                n += 1
                code = f"{world.counter_code}-{received:%y%m%d}-{seq + 1:04d}"
                dossier, tasks, history = generator.rows(n, code, received, rng.getrandbits(63))
                copiers["dossier"].add(dossier)
                for t in tasks:
                    copiers["task"].add(t)
                for h in history:
                    history_id += 1
                    copiers["history_event"].add({"id": history_id, "to_unit": "", "to_person": "",
                                                  "step_due_at": None, **h})
                counts["dossiers"] += 1
                counts["tasks"] += len(tasks)
                counts["history lines"] += len(history)
                pending += 1
                if pending >= batch:
                    flush()
                    pending = 0
                    if counts["dossiers"] % (batch * 10) == 0:
                        rate = counts["dossiers"] / (time.perf_counter() - started)
                        log(f"  {counts['dossiers']:,} dossiers ({rate:,.0f}/s)")
        flush()
        cursor.executemany(
            f"INSERT INTO {DossierSequence.__tablename__} (unit_id, day, last_value) VALUES (%s, %s, %s)",
            [(world.counter_id, day, count) for day, count in sorted(per_day.items())])
        after_copy(cursor, ("dossier", "history_event"))
        raw.commit()
    finally:
        raw.close()
    counts["copy seconds"] = round(time.perf_counter() - started)
    vacuum_analyze(url)
    engine.dispose()
    return counts + Counter({f"fate {k}": v for k, v in generator.counts.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_POSTGRES_ADMIN_URL")
                        or os.environ.get("TEST_POSTGRES_URL"), help="a PostgreSQL URL allowed to create databases")
    parser.add_argument("--database", default="motcua_million")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--batch", type=int, default=20_000)
    args = parser.parse_args()
    if not args.admin_url:
        parser.error("give --admin-url (or set BENCH_POSTGRES_ADMIN_URL)")
    started = time.perf_counter()
    url = create_database(args.admin_url, args.database)
    build_database(url)
    add_staff(url)
    world = read_world(url)
    log(f"  {len(world.procs)} procedures with a process; loading {args.dossiers:,} dossiers over {args.years} years")
    counts = load(url, world, args.dossiers, args.years, args.batch)
    for key, value in sorted(counts.items()):
        log(f"  {key}: {value:,}")
    log(f"  done in {time.perf_counter() - started:,.0f} s")
    print(url.replace(url.split("@")[0].split("//")[1], "…") if "@" in url else url)


if __name__ == "__main__":
    main()
