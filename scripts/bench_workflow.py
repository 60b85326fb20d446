#!/usr/bin/env python
"""Benchmark of the workflow path: Spiff in memory, then POST /api/v1/tasks/<id>/complete under gunicorn.

Not a test: it prints figures and checks them against targets. It builds its own
PostgreSQL database (dropped and re-created at start), loads the demo data,
starts gunicorn (2 workers) on a free port and always stops it at the end.

    TEST_POSTGRES_URL=postgresql://user:password@127.0.0.1:5432/postgres \\
        .venv/bin/python scripts/bench_workflow.py [--quick] [--wait-idle 120]

Phases (the procedure is 1.009994, process cap_phep_xay_dung:
receive -> assign -> examine -> approve (reject loops back to examine) -> return):

  (a) one step in memory: stock Spiff (deserialize_json, run, serialize_json with the
      spec) and our runtime (load_instance, complete, serialize without the spec),
      interleaved; median and p95
  (a2) the stock Spiff cycle with its state in PostgreSQL, no app code: a plain table
      bench_bare(id, state text), one row per instance, psycopg2 on one connection with
      prepared statements: BEGIN; SELECT state ... FOR UPDATE; deserialize, complete,
      engine steps, serialize; UPDATE; COMMIT; interleaved with (a), same count
  (b) POST .../complete latency, server side (Server-Timing) and round trip,
      one client, then four concurrent clients (threads, one connection each)
  (c) completed tasks per second with the four clients
  (d) (b) again after N more dossiers (default 10,000, through the API), alternating
      with a reference server on a fresh twin database, so that both are measured
      in the same seconds
  (e) examine+approve latency on the first pass against passes after 50 rejections
      (same dossiers), with fresh dossiers interleaved as a control
  (profile) where one completion's time goes, in-process (Flask test client, same
      database): SQL statements and time, Spiff time, the rest; cProfile shares

The target "(b) p50 <= 10 ms and <= 4x (a)" leaves open whether (a)'s "load ... save" is
in memory or, as in SpiffArena, from and to the database, so the summary prints the
verdict against both readings side by side: (a) in memory (the original line) and (a2)
with PostgreSQL. The in-memory reading holds an HTTP request and its PostgreSQL
transaction to four bare in-memory cycles (a few ms), which the database round trips
alone may use up, while (a2) gives the baseline the same persistence to pay for.

The machine this was written on drifts in speed by tens of per cent over minutes,
and other processes come and go: every timed phase prints how much CPU others took
and a yardstick (the stock Spiff cycle re-timed), and the summary warns when a
figure was taken in noise. The controls of (d) and (e) are immune to the drift.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import json
import os
import platform
import pstats
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

PERMIT = "1.009994"
PROCESS_KEY = "cap_phep_xay_dung"
STEPS = ("assign", "examine", "approve", "return")
STEP_USER = {"assign": "truongphong", "examine": "chuyenvien", "approve": "lanhdao", "return": "motcua"}
USERS = ("motcua", "truongphong", "chuyenvien", "lanhdao")
PASSWORD = "demo"


# --------------------------------------------------------------------------- figures


def pct(values: list[float], p: float) -> float:
    """Percentile with linear interpolation (p in 0..100)."""
    if not values:
        return float("nan")
    data = sorted(values)
    k = (len(data) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_ms(value: float) -> str:
    return f"{value:.2f} ms" if value == value else "n/a"


def describe(values: list[float]) -> str:
    return f"p50 {pct(values, 50):7.2f} ms  p95 {pct(values, 95):7.2f} ms  (n={len(values)})"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def log(msg: str = "") -> None:
    print(msg, flush=True)


@dataclass
class Samples:
    """Latencies of completions: server side (Server-Timing) and client round trip, per step."""

    app: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    rtt: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    truncated: bool = False

    def add(self, step: str, app_ms: float, rtt_ms: float) -> None:
        self.app[step].append(app_ms)
        self.rtt[step].append(rtt_ms)

    def merge(self, other: Samples) -> None:
        for step, vals in other.app.items():
            self.app[step].extend(vals)
        for step, vals in other.rtt.items():
            self.rtt[step].extend(vals)
        self.truncated = self.truncated or other.truncated

    def all_app(self) -> list[float]:
        return [v for vals in self.app.values() for v in vals]

    def all_rtt(self) -> list[float]:
        return [v for vals in self.rtt.values() for v in vals]

    def count(self) -> int:
        return len(self.all_app())

    def report(self, indent: str = "    ") -> None:
        log(f"{indent}server (Server-Timing): {describe(self.all_app())}")
        log(f"{indent}client round trip:      {describe(self.all_rtt())}")
        for step in self.app:
            app, rtt = self.app[step], self.rtt[step]
            log(f"{indent}  {step:<8} server p50 {pct(app, 50):6.2f}  p95 {pct(app, 95):6.2f}"
                f"   rtt p50 {pct(rtt, 50):6.2f}  p95 {pct(rtt, 95):6.2f}  (n={len(app)})")
        if self.truncated:
            log(f"{indent}(truncated by the phase time limit)")


# --------------------------------------------------------------------------- HTTP client


class BenchError(RuntimeError):
    pass


@dataclass
class Response:
    status: int
    body: Any  # the JSON document if the response is JSON, else the text
    rtt_ms: float
    app_ms: float  # Server-Timing app;dur (the API's own timing), NaN if absent
    raw: bytes = b""
    timings: dict[str, float] = field(default_factory=dict)  # every Server-Timing entry with a dur
    location: str = ""

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


def server_timings(values: list[str]) -> dict[str, float]:
    """``{name: dur}`` of Server-Timing header values: repeated headers, comma-separated entries
    (``app;dur=4.16, wsgi;dur=5.02``) and parameters in any order; entries without a dur are left out."""
    out: dict[str, float] = {}
    for value in values:
        for entry in value.split(","):
            name, *params = (part.strip() for part in entry.split(";"))
            for param in params:
                key, _, dur = param.partition("=")
                if name and key.strip().lower() == "dur":
                    with contextlib.suppress(ValueError):
                        out[name] = float(dur.strip().strip('"'))
    return out


class Client:
    """One connection's worth of client: http.client, reconnecting when the server closes.

    ``token`` is sent as a bearer token unless a call gives its own; with ``cookies`` the client
    keeps a cookie jar (the browser's session cookie)."""

    def __init__(self, port: int, token: str | None = None, cookies: bool = False) -> None:
        self.port = port
        self.token = token
        self.cookies: dict[str, str] | None = {} if cookies else None
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Response:
        """A JSON call: ``body`` (if any) is sent as JSON."""
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request(method, path, payload, headers)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """Any call: ``body`` sent as it is, with ``headers`` (plus the cookies and the client's token)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        reused = self.conn is not None
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.close()
            if not reused:
                raise
            # The server closed an idle kept-alive connection (gthread workers do after a few
            # seconds) before reading the request: send it again on a new one.
            return self.request(method, path, body, headers)
        except Exception:
            self.close()
            raise
        rtt = (time.perf_counter() - started) * 1000
        if resp.will_close:
            self.close()
        if self.cookies is not None:
            for cookie in resp.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
        timings = server_timings(resp.headers.get_all("Server-Timing") or [])
        data: Any = raw.decode("utf-8", "replace")
        if raw and "json" in (resp.getheader("Content-Type") or ""):
            with contextlib.suppress(ValueError):
                data = json.loads(raw)
        return Response(resp.status, data, rtt, timings.get("app", float("nan")), raw, timings,
                        resp.getheader("Location") or "")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --------------------------------------------------------------------------- machine noise


def _proc_cpu(pid: int) -> int:
    """utime + stime of ``pid`` in clock ticks (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _cpu_totals() -> tuple[int, int]:
    """(busy, total) clock ticks over all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return total - idle, total


class CpuMonitor:
    """Where the CPU went during a phase: our processes by group (the bench client, the gunicorn
    servers and their workers, PostgreSQL: our databases' backends and the server's background
    processes), and everything else on the machine ("others": noise)."""

    def __init__(self, engine: Any = None, server_pid: int | None = None) -> None:
        self.engine = engine
        self.server_pid = server_pid
        self.busy_phases: list[tuple[str, float]] = []
        self.extra_pids: set[int] = set()
        self.last: dict[str, float] = {}

    def _our_pids(self) -> dict[int, str]:
        pids = {os.getpid(): "client"}
        for server_pid in {self.server_pid, *self.extra_pids} - {None}:
            pids[server_pid] = "app"
            pids.update({child: "app" for child in _children(server_pid)})  # type: ignore[arg-type]
        if self.engine is not None:
            try:
                with self.engine.connect() as conn:
                    pids.update({pid: "postgres" for pid in conn.execute(text(
                        "SELECT pid FROM pg_stat_activity WHERE datname LIKE current_database() || '%' "
                        "OR backend_type <> 'client backend'")).scalars()})
            except Exception:
                pass
        return pids

    def start(self) -> dict[str, Any]:
        pids = self._our_pids()
        busy, total = _cpu_totals()
        return {"busy": busy, "total": total, "cpu": {pid: _proc_cpu(pid) for pid in pids}, "groups": pids,
                "load": os.getloadavg()[0], "t": time.perf_counter()}

    def stop(self, mark: dict[str, Any], label: str) -> str:
        busy, total = _cpu_totals()
        groups = {**mark["groups"], **self._our_pids()}
        ticks = os.sysconf("SC_CLK_TCK")
        by_group: dict[str, float] = defaultdict(float)
        for pid, group in groups.items():
            by_group[group] += max(0, _proc_cpu(pid) - mark["cpu"].get(pid, 0)) / ticks
        ours = sum(by_group.values()) * ticks
        d_total = max(1, total - mark["total"])
        d_busy = busy - mark["busy"]
        other = max(0.0, (d_busy - ours) / d_total * 100)
        self.busy_phases.append((label, other))
        self.last = dict(by_group)
        ncpu = os.cpu_count() or 1
        return (f"[machine: {d_busy / d_total * 100:.0f}% of {ncpu} CPUs busy, others "
                f"{other:.0f}% ({other * ncpu / 100:.2f} CPUs); load avg {mark['load']:.2f} -> "
                f"{os.getloadavg()[0]:.2f}]")

    def per_completion(self, completions: int) -> str:
        """CPU time per completion by group, from the last stop()."""
        if not completions:
            return ""
        parts = [f"{group} {self.last.get(group, 0.0) * 1000 / completions:.1f}"
                 for group in ("app", "postgres", "client")]
        total = sum(self.last.values()) * 1000 / completions
        return f"CPU per completion (ms): {', '.join(parts)}; total {total:.1f}"


MONITOR = CpuMonitor()
CALIBRATION: dict[str, Any] = {}


def speed_note() -> str:
    """How fast the machine runs now, against phase (a): it drifts by tens of per cent over minutes here."""
    if "fn" not in CALIBRATION:
        return ""
    now = CALIBRATION["fn"]()
    factor = now / CALIBRATION["base"]
    CALIBRATION.setdefault("factors", []).append(factor)
    CALIBRATION["last"] = now
    return f"[yardstick: stock Spiff cycle now p50 {now:.3f} ms = {factor:.2f}x its time in (a)]"


# --------------------------------------------------------------------------- the bench context


@dataclass
class Ctx:
    port: int
    db_url: str
    tokens: dict[str, str]
    specialist_id: int
    components: list[int]
    engine: Any  # SQLAlchemy engine for look-ups (task ids, sizes)
    applicant_seq: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_applicant(self) -> dict[str, str]:
        with self.lock:
            self.applicant_seq += 1
            n = self.applicant_seq
        return applicant(n)


def applicant(n: int) -> dict[str, str]:
    return {
        "full_name": f"Nguyễn Văn An {n}",
        "id_number": f"0010{n % 10**8:08d}",
        "phone": f"09{n % 10**8:08d}",
        "email": f"an{n}@example.com",
        "address": "Số 5 đường Hùng Vương, phường Tân Phú, tỉnh Bình Phước",
    }


def step_data(step: str, ctx: Ctx, decision: str = "approve", round_: int = 1) -> dict[str, Any]:
    if step == "assign":
        return {"specialist": str(ctx.specialist_id)}
    if step == "examine":
        return {"proposal": "approve", "examination": f"Đủ điều kiện, lần {round_}"}
    if step == "approve":
        return {"decision": decision, "note": "Bổ sung thuyết minh" if decision == "reject" else ""}
    return {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}


def complete(client: Client, ctx: Ctx, step: str, task_id: str, data: dict[str, Any]) -> Response:
    r = client.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": data}, ctx.tokens[STEP_USER[step]])
    if r.status != 200:
        raise BenchError(f"complete {step} {task_id}: HTTP {r.status}: {r.body}")
    return r


def next_task_id(r: Response, expect_step: str | None) -> str | None:
    tasks = r.body.get("next_tasks") or []
    if expect_step is None:
        if tasks:
            raise BenchError(f"expected no next task, got {tasks}")
        return None
    if len(tasks) != 1 or tasks[0]["step"] != f"task_{expect_step}":
        raise BenchError(f"expected next task task_{expect_step}, got {tasks}")
    return str(tasks[0]["id"])


def receive_many(ctx: Ctx, n: int, threads: int = 4, lookup: bool = True) -> tuple[list[str], list[float]]:
    """Receive ``n`` permit dossiers through the API; return their assign task ids (or codes) and server times."""
    codes: list[str] = []
    app_times: list[float] = []
    errors: list[BaseException] = []
    per = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]

    def worker(count: int) -> None:
        client = Client(ctx.port)
        try:
            for _ in range(count):
                body = {"procedure_code": PERMIT, "applicant": ctx.next_applicant(), "components": ctx.components}
                r = client.call("POST", "/api/v1/dossiers", body, ctx.tokens["motcua"])
                if r.status != 201:
                    raise BenchError(f"receive: HTTP {r.status}: {r.body}")
                with ctx.lock:
                    codes.append(r.body["code"])
                    app_times.append(r.app_ms)
        except BaseException as err:
            errors.append(err)
        finally:
            client.close()

    ts = [threading.Thread(target=worker, args=(c,)) for c in per if c]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return (assign_tasks(ctx, codes) if lookup else codes), app_times


def assign_tasks(ctx: Ctx, codes: list[str]) -> list[str]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT d.code, t.id FROM task t JOIN dossier d ON d.id = t.dossier_id "
            "WHERE t.closed_at IS NULL AND t.step = 'task_assign' AND d.code = ANY(:codes)"
        ), {"codes": codes}).all()
    by_code = dict(rows)
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise BenchError(f"no open assign task for {len(missing)} dossiers, e.g. {missing[:3]}")
    return [by_code[c] for c in codes]


def walk(ctx: Ctx, client: Client, task_ids: list[str], samples: Samples | None,
         deadline: float | None = None, steps: tuple[str, ...] = STEPS) -> int:
    """Complete ``steps`` for every dossier, step by step (all assigns, then all examines, ...)."""
    done = 0
    ids: list[str | None] = list(task_ids)
    for k, step in enumerate(steps):
        after = steps[k + 1] if k + 1 < len(steps) else None
        data = step_data(step, ctx)
        for i, tid in enumerate(ids):
            if tid is None:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                if samples is not None:
                    samples.truncated = True
                return done
            r = complete(client, ctx, step, tid, data)
            ids[i] = next_task_id(r, after)
            done += 1
            if samples is not None:
                samples.add(step, r.app_ms, r.rtt_ms)
    return done


def walk_concurrently(ctx: Ctx, slices: list[list[str]], time_limit: float) -> tuple[Samples, int, float]:
    """Each slice walked by its own thread and connection; returns samples, completions, wall seconds."""
    barrier = threading.Barrier(len(slices) + 1)
    results: list[Samples] = [Samples() for _ in slices]
    counts = [0] * len(slices)
    errors: list[BaseException] = []
    deadline_box: list[float] = []

    def worker(i: int) -> None:
        client = Client(ctx.port)
        try:
            barrier.wait()
            counts[i] = walk(ctx, client, slices[i], results[i], deadline_box[0])
        except BaseException as err:
            errors.append(err)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(slices))]
    for t in threads:
        t.start()
    start = time.perf_counter()
    deadline_box.append(start + time_limit)
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise errors[0]
    merged = Samples()
    for s in results:
        merged.merge(s)
    return merged, sum(counts), wall


def warm_up(ctx: Ctx, dossiers: int) -> None:
    client = Client(ctx.port)
    try:
        for user in USERS:
            client.call("GET", "/api/v1/tasks", token=ctx.tokens[user])
        ids, _ = receive_many(ctx, dossiers, threads=2)
        walk(ctx, client, ids, None)
    finally:
        client.close()


# --------------------------------------------------------------------------- (a) in memory


def bench_in_memory(iterations: int, loops_extra: int, bare: BarePostgres | None = None) -> dict[str, float]:
    """Phase (a), and (a2) when ``bare`` is given: the stock cycle with its state in PostgreSQL."""
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    from engine.workflow import load_instance, parse_process, start_instance

    xml = (ROOT / "processes" / PROCESS_KEY / "process.bpmn").read_text(encoding="utf-8")
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"))
    spec = parser.get_spec(PROCESS_KEY)
    subs = parser.get_subprocess_specs(PROCESS_KEY)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def ready(wf: Any) -> Any:
        return next(t for t in wf.get_tasks(state=TaskState.READY, manual=True) if isinstance(t.task_spec, UserTask))

    def run_step(wf: Any, data: dict[str, Any]) -> None:
        task = ready(wf)
        task.data.update(data)
        task.run()
        wf.do_engine_steps()

    def stock_cycle(state: str, data: dict[str, Any]) -> str:
        wf = serializer.deserialize_json(state)
        run_step(wf, data)
        return serializer.serialize_json(wf)

    data_for = {
        "assign": {"specialist": "2"},
        "examine": {"proposal": "approve", "examination": "Đủ điều kiện"},
        "approve": {"decision": "approve", "note": ""},
        "return": {"receiver_name": "Nguyễn Văn An", "return_method": "counter"},
    }
    reject = {"decision": "reject", "note": "Bổ sung thuyết minh"}

    # Stock: the state before each of the four steps.
    wf = BpmnWorkflow(spec, subs)
    wf.do_engine_steps()
    run_step(wf, {})  # receive
    stock_states: dict[str, str] = {}
    for step in STEPS:
        stock_states[step] = serializer.serialize_json(wf)
        run_step(wf, data_for[step])
    assert wf.completed

    # Ours: the same, with the ready task id the request would carry.
    process = parse_process(xml, PROCESS_KEY)
    inst = start_instance(process)
    inst.complete(inst.ready_tasks()[0].id, {})
    our_states: dict[str, tuple[bytes, str]] = {}
    for step in STEPS:
        tid = inst.ready_tasks()[0].id
        our_states[step] = (inst.serialize(), tid)
        inst.complete(tid, data_for[step])
    assert inst.completed

    def timed(fn: Callable[[], Any], n: int) -> list[float]:
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
        return out

    for step in STEPS:  # warm up
        for _ in range(20):
            stock_cycle(stock_states[step], data_for[step])
            i = load_instance(process, our_states[step][0])
            i.complete(our_states[step][1], data_for[step])
            i.serialize()

    def our_cycle(step: str) -> None:
        state, tid = our_states[step]
        i = load_instance(process, state)
        i.complete(tid, data_for[step])
        i.serialize()

    per = max(1, iterations // len(STEPS))
    if bare is not None:
        bare.use(serializer, run_step)
        # (a2): one row per instance, all at the state after reception; every timed cycle moves
        # one instance on by one step, so each row is walked through the four steps to the end.
        warm_rows = bare.insert(stock_states["assign"], 5)
        for row in warm_rows:
            for step in STEPS:
                bare.cycle(row, data_for[step])
        rows = bare.insert(stock_states["assign"], per)

    # Interleaved (stock, ours, bare with PostgreSQL, step after step), so that a drift of the
    # machine's speed touches them alike.
    stock: dict[str, list[float]] = defaultdict(list)
    ours: dict[str, list[float]] = defaultdict(list)
    pg: dict[str, list[float]] = defaultdict(list)
    for n in range(per):
        for step in STEPS:
            t0 = time.perf_counter()
            stock_cycle(stock_states[step], data_for[step])
            t1 = time.perf_counter()
            our_cycle(step)
            t2 = time.perf_counter()
            stock[step].append((t1 - t0) * 1000)
            ours[step].append((t2 - t1) * 1000)
            if bare is not None:
                t0 = time.perf_counter()
                bare.cycle(rows[n], data_for[step])
                pg[step].append((time.perf_counter() - t0) * 1000)
    if bare is not None:
        bare.check_completed(rows)

    all_stock = [v for vals in stock.values() for v in vals]
    all_ours = [v for vals in ours.values() for v in vals]
    log(f"  stock Spiff cycle (deserialize_json, run, do_engine_steps, serialize_json), {per} per step:")
    log(f"    all steps          p50 {pct(all_stock, 50):6.3f} ms  p95 {pct(all_stock, 95):6.3f} ms  "
        f"(n={len(all_stock)})")
    for step in STEPS:
        log(f"    {step:<8} state {len(stock_states[step]):6d} B  p50 {pct(stock[step], 50):6.3f} ms  "
            f"p95 {pct(stock[step], 95):6.3f} ms")
    log("  our runtime cycle (load_instance -> complete (+prune) -> serialize, no spec in state):")
    log(f"    all steps          p50 {pct(all_ours, 50):6.3f} ms  p95 {pct(all_ours, 95):6.3f} ms  (n={len(all_ours)})")
    for step in STEPS:
        log(f"    {step:<8} state {len(our_states[step][0]):6d} B  p50 {pct(ours[step], 50):6.3f} ms  "
            f"p95 {pct(ours[step], 95):6.3f} ms")
    all_pg = [v for vals in pg.values() for v in vals]
    if bare is not None:
        log("  (a2) bare Spiff cycle with PostgreSQL load/save (psycopg2, one connection: BEGIN; SELECT state ... "
            "FOR UPDATE; deserialize_json, run, do_engine_steps, serialize_json; UPDATE; COMMIT):")
        log(f"    all steps          p50 {pct(all_pg, 50):6.3f} ms  p95 {pct(all_pg, 95):6.3f} ms  (n={len(all_pg)})")
        for step in STEPS:
            log(f"    {step:<8} state {len(stock_states[step]):6d} B  p50 {pct(pg[step], 50):6.3f} ms  "
                f"p95 {pct(pg[step], 95):6.3f} ms")
        log(f"    of which PostgreSQL (BEGIN .. COMMIT minus the Spiff part): p50 "
            f"{pct(all_pg, 50) - pct(all_stock, 50):6.3f} ms (difference of medians)")

    # For (e): the same cycle (examine step) after 50 rejection loops, stock against ours.
    wf = serializer.deserialize_json(stock_states["examine"])
    inst = load_instance(process, our_states["examine"][0])
    for _ in range(50):
        run_step(wf, data_for["examine"])
        run_step(wf, reject)
        inst.complete(inst.ready_tasks()[0].id, data_for["examine"])
        inst.complete(inst.ready_tasks()[0].id, reject)
    stock_late = serializer.serialize_json(wf)
    our_late = (inst.serialize(), inst.ready_tasks()[0].id)
    s_late = timed(lambda: stock_cycle(stock_late, data_for["examine"]), loops_extra)

    def our_late_cycle() -> None:
        i = load_instance(process, our_late[0])
        i.complete(our_late[1], data_for["examine"])
        i.serialize()

    o_late = timed(our_late_cycle, loops_extra)
    log("  examine step after 50 rejection loops (informs (e)):")
    log(f"    stock    state {len(stock_late):6d} B  p50 {pct(s_late, 50):6.3f} ms  "
        f"({pct(s_late, 50) / pct(stock['examine'], 50):.1f}x first pass)")
    log(f"    ours     state {len(our_late[0]):6d} B  p50 {pct(o_late, 50):6.3f} ms  "
        f"({pct(o_late, 50) / pct(ours['examine'], 50):.1f}x first pass)")
    def calibrate() -> float:
        """The stock cycle's median now (50 per step): a yardstick of the machine's speed."""
        out = []
        for _ in range(50):
            for step in STEPS:
                t0 = time.perf_counter()
                stock_cycle(stock_states[step], data_for[step])
                out.append((time.perf_counter() - t0) * 1000)
        return med(out)

    CALIBRATION["fn"] = calibrate
    CALIBRATION["base"] = pct(all_stock, 50)
    return {
        "stock_p50": pct(all_stock, 50), "stock_p95": pct(all_stock, 95),
        "ours_p50": pct(all_ours, 50), "ours_p95": pct(all_ours, 95),
        "stock_late_p50": pct(s_late, 50), "ours_late_p50": pct(o_late, 50),
        "bare_p50": pct(all_pg, 50), "bare_p95": pct(all_pg, 95),
    }


class BarePostgres:
    """(a2): stock Spiff with its state in a plain table, no app code: ``bench_bare(id serial primary key,
    state text)`` in the benchmark's database, psycopg2 with one connection (autocommit off by hand:
    explicit BEGIN and COMMIT), the two statements prepared once (PREPARE / EXECUTE)."""

    def __init__(self, db_url: str) -> None:
        import psycopg2

        url = make_url(db_url)
        self.conn = psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username,
                                     password=url.password, dbname=url.database)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.serializer: Any = None
        self.run_step: Callable[[Any, dict[str, Any]], None] = lambda _wf, _data: None
        self.cur.execute("DROP TABLE IF EXISTS bench_bare")
        self.cur.execute("CREATE TABLE bench_bare (id serial PRIMARY KEY, state text)")
        self.cur.execute("PREPARE bare_load(integer) AS SELECT state FROM bench_bare WHERE id = $1 FOR UPDATE")
        self.cur.execute("PREPARE bare_save(integer, text) AS UPDATE bench_bare SET state = $2 WHERE id = $1")

    def use(self, serializer: Any, run_step: Callable[[Any, dict[str, Any]], None]) -> None:
        """The stock serializer and step of phase (a), so that both time the same Spiff work."""
        self.serializer, self.run_step = serializer, run_step

    def insert(self, state: str, n: int) -> list[int]:
        """``n`` new instances at ``state`` (untimed); their row ids."""
        self.cur.execute("INSERT INTO bench_bare (state) SELECT %s FROM generate_series(1, %s) RETURNING id",
                         (state, n))
        ids = [row[0] for row in self.cur.fetchall()]
        self.cur.execute("ANALYZE bench_bare")
        return ids

    def cycle(self, row: int, data: dict[str, Any]) -> None:
        """One step of one instance: load it locked, complete its ready user task, save it."""
        cur = self.cur
        cur.execute("BEGIN")
        cur.execute("EXECUTE bare_load(%s)", (row,))
        wf = self.serializer.deserialize_json(cur.fetchone()[0])
        self.run_step(wf, data)
        cur.execute("EXECUTE bare_save(%s, %s)", (row, self.serializer.serialize_json(wf)))
        cur.execute("COMMIT")

    def check_completed(self, rows: list[int]) -> None:
        """Every walked instance is at its end (the cycles really moved them on)."""
        self.cur.execute("SELECT state FROM bench_bare WHERE id = ANY(%s)", (rows,))
        states = [row[0] for row in self.cur.fetchall()]
        if len(states) != len(rows) or not all(self.serializer.deserialize_json(st).completed for st in states):
            raise BenchError("(a2): an instance walked through the four steps did not complete")

    def close(self) -> None:
        self.cur.close()
        self.conn.close()


# --------------------------------------------------------------------------- database and server


def admin_url(args: argparse.Namespace) -> str:
    url = args.postgres_url or os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("No PostgreSQL: pass --postgres-url, or set BENCH_POSTGRES_URL or TEST_POSTGRES_URL.")
    return url


def create_database(admin: str, name: str) -> str:
    base = make_url(admin)
    engine = create_engine(base.set(database=base.database or "postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    log(f"  PostgreSQL {version}; database {name} dropped and re-created")
    return base.set(database=name).render_as_string(hide_password=False)


def build_database(url: str) -> None:
    from engine import migrate
    from engine.db import make_engine, session_scope
    from engine.demo import load_demo
    from engine.forms import FormRegistry

    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_demo(session, ROOT / "processes", FormRegistry(ROOT / "forms"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn -w N in its own session, stopped (TERM, then KILL) by its pid.

    ``app`` is gunicorn's app spec; ``env`` is added to the environment (after DATABASE_URL and
    SECRET_KEY, so it may override them); with ``discard_log`` the log file is deleted when gunicorn
    exits cleanly (else its name is printed)."""

    def __init__(self, db_url: str, workers: int, app: str = "webapp:create_app()",
                 threads: int = 1,
                 env: dict[str, str] | None = None, log_prefix: str = "bench-gunicorn-",
                 discard_log: bool = False) -> None:
        self.port = free_port()
        self.discard_log = discard_log
        self.log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the server's lifetime
            "w+", prefix=log_prefix, suffix=".log", delete=False)
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        if not gunicorn.exists():
            gunicorn = Path(sys.executable).parent / "gunicorn"
        full_env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY=secrets.token_hex(32), PYTHONUNBUFFERED="1")
        full_env.update(env or {})
        self.cmd = [str(gunicorn), "-w", str(workers), *(["--threads", str(threads)] if threads > 1 else []),
                    "-b", f"127.0.0.1:{self.port}", app]
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env=full_env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        client = Client(self.port)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if client.call("GET", "/api/v1/openapi.json").status == 200:
                    client.close()
                    return
            except OSError:
                client.close()
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self.log_file.flush()
        return "\n".join(Path(self.log_file.name).read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the group is gunicorn's own (start_new_session)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.log_file.close()
        if self.discard_log:
            if self.proc.returncode == 0:
                Path(self.log_file.name).unlink(missing_ok=True)
            else:
                log(f"  gunicorn exited with {self.proc.returncode}; its log: {self.log_file.name}")


def login(port: int) -> dict[str, str]:
    client = Client(port)
    tokens = {}
    for user in USERS:
        r = client.call("POST", "/api/v1/tokens", {"username": user, "password": PASSWORD})
        if r.status != 201:
            raise BenchError(f"token for {user}: HTTP {r.status}: {r.body}")
        tokens[user] = r.body["token"]
    client.close()
    return tokens


def permit_components(port: int, token: str) -> list[int]:
    client = Client(port)
    r = client.call("GET", "/api/v1/procedures", token=token)
    client.close()
    procedure = next(p for p in r.body if p["code"] == PERMIT)
    return [c["id"] for c in procedure["components"]]


# --------------------------------------------------------------------------- phases (b), (c), (d)


def measure_completions(ctx: Ctx, single: int, per_client: int, clients: int, warm: int,
                        time_limit: float, label: str) -> dict[str, Any]:
    log(f"  warm-up: {warm} dossiers received and walked to the end (untimed)")
    warm_up(ctx, warm)

    note = speed_note()
    stock_now = CALIBRATION.get("last", float("nan"))
    log(f"  {note}")
    ids, recv1 = receive_many(ctx, single, threads=1)
    log(f"  single client: {single} dossiers prepared (POST /dossiers, 1 client: server p50 {pct(recv1, 50):.2f} ms "
        f"p95 {pct(recv1, 95):.2f} ms); timing {single * len(STEPS)} completions, step by step")
    client = Client(ctx.port)
    one = Samples()
    mark = MONITOR.start()
    t0 = time.perf_counter()
    n1 = walk(ctx, client, ids, one, time.perf_counter() + time_limit)
    wall1 = time.perf_counter() - t0
    noise1 = MONITOR.stop(mark, f"({label}) 1 client")
    client.close()
    log(f"    {n1} completions in {wall1:.1f} s ({n1 / wall1:.0f}/s, one client)  {noise1}")
    log(f"    {MONITOR.per_completion(n1)}")
    one.report()

    ids, recv4 = receive_many(ctx, per_client * clients, threads=clients)
    slices = [ids[i::clients] for i in range(clients)]
    log(f"  {clients} concurrent clients: {len(ids)} dossiers prepared (POST /dossiers, {clients} clients: server p50 "
        f"{pct(recv4, 50):.2f} ms p95 {pct(recv4, 95):.2f} ms); timing {len(ids) * len(STEPS)} completions")
    mark = MONITOR.start()
    many, n4, wall4 = walk_concurrently(ctx, slices, time_limit)
    noise4 = MONITOR.stop(mark, f"({label}) {clients} clients")
    log(f"    {n4} completions in {wall4:.1f} s -> {n4 / wall4:.1f} completed tasks/s  {noise4}")
    log(f"    {MONITOR.per_completion(n4)}")
    many.report()
    return {
        "label": label,
        "one_p50": pct(one.all_app(), 50), "one_p95": pct(one.all_app(), 95),
        "one_rtt_p50": pct(one.all_rtt(), 50), "one_rtt_p95": pct(one.all_rtt(), 95),
        "many_p50": pct(many.all_app(), 50), "many_p95": pct(many.all_app(), 95),
        "many_rtt_p50": pct(many.all_rtt(), 50), "many_rtt_p95": pct(many.all_rtt(), 95),
        "throughput": n4 / wall4,
        "recv1_p50": pct(recv1, 50), "recv4_p50": pct(recv4, 50),
        "stock_now": stock_now,
    }


def walk_pair(ctx_a: Ctx, ctx_b: Ctx, ids_a: list[str], ids_b: list[str], time_limit: float,
              ) -> tuple[Samples, Samples]:
    """One client walking two servers' dossiers step by step, alternating request by request."""
    client_a, client_b = Client(ctx_a.port), Client(ctx_b.port)
    sa, sb = Samples(), Samples()
    ids = [list(ids_a), list(ids_b)]
    deadline = time.perf_counter() + time_limit
    try:
        for k, step in enumerate(STEPS):
            after = STEPS[k + 1] if k + 1 < len(STEPS) else None
            for i in range(min(len(ids[0]), len(ids[1]))):
                if time.perf_counter() > deadline:
                    sa.truncated = sb.truncated = True
                    return sa, sb
                for side, (ctx, client, samples) in enumerate(((ctx_a, client_a, sa), (ctx_b, client_b, sb))):
                    r = complete(client, ctx, step, ids[side][i], step_data(step, ctx))
                    ids[side][i] = next_task_id(r, after)  # type: ignore[call-overload]
                    samples.add(step, r.app_ms, r.rtt_ms)
    finally:
        client_a.close()
        client_b.close()
    return sa, sb


def measure_against_reference(ctx: Ctx, ref: Ctx, single: int, per_client: int, clients: int, warm: int,
                              rounds: int, time_limit: float) -> dict[str, Any]:
    """(d): the loaded database against a reference server on a fresh twin database, at the same time.

    One client alternates request by request between the two servers; then the
    concurrent clients alternate between them in ``rounds`` bursts. The machine's
    speed drifts over minutes here, so only figures taken side by side compare well.
    """
    log(f"  warm-up: {warm} dossiers walked to the end on each server (untimed)")
    warm_up(ctx, warm)
    warm_up(ref, warm)
    log(f"  {speed_note()}")
    ids_a, recv_a = receive_many(ctx, single, threads=1)
    ids_b, recv_b = receive_many(ref, single, threads=1)
    log(f"  single client, alternating between the servers: {single} dossiers on each (POST /dossiers p50 loaded "
        f"{pct(recv_a, 50):.2f} ms, reference {pct(recv_b, 50):.2f} ms); timing {2 * single * len(STEPS)} completions")
    mark = MONITOR.start()
    one, one_ref = walk_pair(ctx, ref, ids_a, ids_b, time_limit)
    log(f"    {MONITOR.stop(mark, '(d) 1 client')}")
    log(f"    {MONITOR.per_completion(one.count() + one_ref.count())}")
    log("    loaded database:")
    one.report("      ")
    log("    reference (fresh twin database, same moments):")
    one_ref.report("      ")

    ids_a, _ = receive_many(ctx, per_client * clients, threads=clients)
    ids_b, _ = receive_many(ref, per_client * clients, threads=clients)
    log(f"  {clients} concurrent clients, {rounds} alternating bursts per server: {len(ids_a)} dossiers on each; "
        f"timing {2 * len(ids_a) * len(STEPS)} completions")
    many, many_ref = Samples(), Samples()
    count = {"a": 0, "b": 0}
    wall = {"a": 0.0, "b": 0.0}
    mark = MONITOR.start()
    for r in range(rounds):
        for key, c, ids, samples in (("a", ctx, ids_a, many), ("b", ref, ids_b, many_ref)):
            part = ids[r::rounds]
            got, n, w = walk_concurrently(c, [part[i::clients] for i in range(clients)], time_limit / rounds / 2)
            samples.merge(got)
            count[key] += n
            wall[key] += w
    log(f"    {MONITOR.stop(mark, '(d) 4 clients')}")
    log(f"    {MONITOR.per_completion(count['a'] + count['b'])}")
    log(f"    loaded: {count['a']} completions in {wall['a']:.1f} s -> {count['a'] / wall['a']:.1f} tasks/s")
    many.report("      ")
    log(f"    reference: {count['b']} completions in {wall['b']:.1f} s -> {count['b'] / wall['b']:.1f} tasks/s")
    many_ref.report("      ")
    out: dict[str, Any] = {}
    for prefix, o, m, k in (("", one, many, "a"), ("ref_", one_ref, many_ref, "b")):
        out.update({
            prefix + "one_p50": pct(o.all_app(), 50), prefix + "one_p95": pct(o.all_app(), 95),
            prefix + "one_rtt_p50": pct(o.all_rtt(), 50), prefix + "one_rtt_p95": pct(o.all_rtt(), 95),
            prefix + "many_p50": pct(m.all_app(), 50), prefix + "many_p95": pct(m.all_app(), 95),
            prefix + "many_rtt_p50": pct(m.all_rtt(), 50), prefix + "many_rtt_p95": pct(m.all_rtt(), 95),
            prefix + "throughput": count[k] / wall[k],
        })
    return out


def load_dossiers_api(ctx: Ctx, count: int, threads: int) -> float:
    """Receive ``count`` dossiers through POST /api/v1/dossiers with ``threads`` clients."""
    start = time.perf_counter()
    done = 0
    chunk = 1000
    while done < count:
        n = min(chunk, count - done)
        receive_many(ctx, n, threads=threads, lookup=False)
        done += n
        if done % (chunk * 2) == 0 or done == count:
            elapsed = time.perf_counter() - start
            log(f"    {done:6d} dossiers  {elapsed:6.1f} s  ({done / elapsed:.0f}/s)")
    return time.perf_counter() - start


def load_dossiers(ctx: Ctx, count: int, batch: int) -> float:
    """Receive ``count`` dossiers in-process with receive_dossier, committing every ``batch``."""
    from engine.db import make_engine
    from engine.forms import FormRegistry
    from engine.models import User
    from engine.services.dossiers import receive_dossier

    forms = FormRegistry(ROOT / "forms")
    engine = make_engine(ctx.db_url)
    factory = sessionmaker(bind=engine)
    start = time.perf_counter()
    done = 0
    try:
        while done < count:
            n = min(batch, count - done)
            with factory() as session:
                actor = session.scalars(select(User).where(User.username == "motcua")).one()
                for _ in range(n):
                    payload = {"procedure_code": PERMIT, "applicant": ctx.next_applicant(),
                               "components": ctx.components}
                    receive_dossier(session, actor, payload, forms)
                session.commit()
            done += n
            if done % (batch * 8) == 0 or done == count:
                elapsed = time.perf_counter() - start
                log(f"    {done:6d} dossiers  {elapsed:6.1f} s  ({done / elapsed:.0f}/s)")
    finally:
        engine.dispose()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- (e) the rejection loop


def bench_rework(ctx: Ctx, dossiers: int, loops: int, later_passes: int, clients: int) -> dict[str, Any]:
    """First pass of ``dossiers`` against their passes after ``loops`` rejections (same dossiers).

    As a control against machine noise, the later passes are interleaved with the
    first passes of fresh dossiers, so both are measured in the same seconds.
    """
    client = Client(ctx.port)

    def assigned(n: int) -> list[str]:
        ids, _ = receive_many(ctx, n)
        out = []
        for tid in ids:
            r = complete(client, ctx, "assign", tid, step_data("assign", ctx))
            out.append(next_task_id(r, "examine"))
        return out

    def one_pass(cl: Client, tid: str, round_: int, samples: Samples | None) -> str:
        r = complete(cl, ctx, "examine", tid, step_data("examine", ctx, round_=round_))
        approve_id = next_task_id(r, "approve")
        r2 = complete(cl, ctx, "approve", approve_id, step_data("approve", ctx, "reject"))
        if samples is not None:
            samples.add("examine", r.app_ms, r.rtt_ms)
            samples.add("approve", r2.app_ms, r2.rtt_ms)
        return next_task_id(r2, "examine")

    log(f"  {speed_note()}")
    tids = assigned(dossiers)
    first = Samples()
    mark = MONITOR.start()
    tids = [one_pass(client, tid, 1, first) for tid in tids]
    noise_first = MONITOR.stop(mark, "(e) first pass")
    size_first = state_sizes(ctx, tids)

    # The rejection loops, untimed, spread over the clients to save time.
    t0 = time.perf_counter()
    chunks = [tids[i::clients] for i in range(clients)]
    results: list[list[str]] = [[] for _ in chunks]
    errors: list[BaseException] = []

    def looper(i: int) -> None:
        cl = Client(ctx.port)
        try:
            cur = chunks[i]
            for round_ in range(2, loops + 2):
                cur = [one_pass(cl, tid, round_, None) for tid in cur]
            results[i] = cur
        except BaseException as err:
            errors.append(err)
        finally:
            cl.close()

    threads = [threading.Thread(target=looper, args=(i,)) for i in range(len(chunks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    tids = [t for chunk in results for t in chunk]
    log(f"  {dossiers} dossiers x {loops} rejection loops: {dossiers * loops * 2} completions in "
        f"{time.perf_counter() - t0:.1f} s (untimed, {clients} clients)")

    fresh_ids = assigned(dossiers * later_passes)
    log(f"  {speed_note()}")
    later = Samples()
    control = Samples()
    mark = MONITOR.start()
    for p in range(later_passes):
        for i in range(len(tids)):
            tids[i] = one_pass(client, tids[i], loops + 2 + p, later)
            one_pass(client, fresh_ids[p * len(tids) + i], 1, control)
    noise_later = MONITOR.stop(mark, "(e) later passes")
    client.close()
    size_later = state_sizes(ctx, tids)
    with ctx.engine.connect() as conn:
        history, task_rows = conn.execute(text(
            "SELECT (SELECT count(*) FROM history_event h WHERE h.dossier_id = t.dossier_id), "
            "(SELECT count(*) FROM task t2 WHERE t2.dossier_id = t.dossier_id) FROM task t WHERE t.id = :tid"),
            {"tid": tids[0]}).one()
    log(f"  first pass (single client), examine + approve(reject):  {noise_first}")
    first.report("    ")
    log(f"  passes {loops + 2}..{loops + 1 + later_passes} of the same dossiers, after {loops} loops (single client):"
        f"  {noise_later}")
    later.report("    ")
    log("  control: first passes of fresh dossiers, interleaved with those later passes:")
    control.report("    ")
    log(f"  workflow_state size: first pass median {size_first} B, after the loops {size_later} B; "
        f"one looped dossier now has {history} history lines and {task_rows} task rows")
    return {
        "first_p50": med(first.all_app()), "later_p50": med(later.all_app()),
        "control_p50": med(control.all_app()),
        "first_rtt_p50": med(first.all_rtt()), "later_rtt_p50": med(later.all_rtt()),
        "n_first": first.count(), "n_later": later.count(),
    }


def state_sizes(ctx: Ctx, task_ids: list[str]) -> int:
    with ctx.engine.connect() as conn:
        sizes = conn.execute(text(
            "SELECT length(w.state) FROM workflow_state w JOIN task t ON t.dossier_id = w.dossier_id "
            "WHERE t.id = ANY(:ids)"), {"ids": task_ids}).scalars().all()
    return int(med(sizes)) if sizes else 0


# --------------------------------------------------------------------------- profile (in-process)


def profile_in_process(db_url: str, dossiers: int) -> None:
    """Where one completion's time goes: Flask test client, same database, no HTTP server.

    Wall-clock timers wrap the SQL cursor calls and the Spiff calls (low overhead);
    a cProfile pass afterwards lists the heaviest functions.
    """
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    from sqlalchemy import event

    import engine.services.tasks as tasks_mod
    from engine.workflow import runtime
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    client = app.test_client()
    tokens = {}
    for user in USERS:
        r = client.post("/api/v1/tokens", json={"username": user, "password": PASSWORD})
        tokens[user] = r.json["token"]
    listing = client.get("/api/v1/procedures", headers={"Authorization": f"Bearer {tokens['motcua']}"}).json
    procedure = next(p for p in listing if p["code"] == PERMIT)
    components = [c["id"] for c in procedure["components"]]
    with app.app_context():
        specialist = db.session.execute(text("SELECT id FROM user_account WHERE username='chuyenvien'")).scalar()
        sql_engine = db.engine

    acc: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    statements: list[tuple[str, float]] = []
    record_statements = [False]

    @event.listens_for(sql_engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(sql_engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        dt = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
        acc["sql"] += dt
        counts["sql"] += 1
        if record_statements[0]:
            statements.append((" ".join(statement.split())[:110], dt * 1000))

    @event.listens_for(sql_engine, "commit")
    def _commit(conn):
        counts["commit"] += 1

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                acc[name] += time.perf_counter() - t0
        return inner

    orig = (tasks_mod.load_instance, runtime.WorkflowInstance.complete, runtime.WorkflowInstance.serialize,
            tasks_mod.form_choices)
    tasks_mod.load_instance = wrap("spiff load", orig[0])
    runtime.WorkflowInstance.complete = wrap("spiff complete+prune", orig[1])
    runtime.WorkflowInstance.serialize = wrap("spiff serialize", orig[2])
    tasks_mod.form_choices = wrap("form_choices (incl. its SQL)", orig[3])

    def headers(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[user]}"}

    def prepare(n: int) -> list[str]:
        codes = []
        for i in range(n):
            body = {"procedure_code": PERMIT, "applicant": applicant(900000 + i + int(time.time()) % 1000 * 1000),
                    "components": components}
            r = client.post("/api/v1/dossiers", headers=headers("motcua"), json=body)
            codes.append(r.json["code"])
        with sql_engine.connect() as conn:
            rows = dict(conn.execute(text(
                "SELECT d.code, t.id FROM task t JOIN dossier d ON d.id = t.dossier_id "
                "WHERE t.closed_at IS NULL AND t.step='task_assign' AND d.code = ANY(:c)"), {"c": codes}).all())
        return [rows[c] for c in codes]

    def run(ids: list[str], times: dict[str, list[float]] | None) -> None:
        for step in STEPS:
            data = {"assign": {"specialist": str(specialist)},
                    "examine": {"proposal": "approve", "examination": "Đủ điều kiện"},
                    "approve": {"decision": "approve"},
                    "return": {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}}[step]
            for i, tid in enumerate(ids):
                t0 = time.perf_counter()
                c0 = time.process_time()
                q0 = counts["sql"]
                r = client.post(f"/api/v1/tasks/{tid}/complete", headers=headers(STEP_USER[step]), json={"data": data})
                if times is not None:
                    times["total"].append((time.perf_counter() - t0) * 1000)
                    times["cpu"].append((time.process_time() - c0) * 1000)
                    times["app"].append(float(r.headers["Server-Timing"].split("dur=")[1]))
                    times[f"{step} wall"].append((time.perf_counter() - t0) * 1000)
                    times[f"{step} cpu"].append((time.process_time() - c0) * 1000)
                    times[f"{step} sql"].append(counts["sql"] - q0)
                if r.status_code != 200:
                    raise BenchError(f"profile: {step}: {r.status_code} {r.json}")
                nxt = r.json["next_tasks"]
                ids[i] = nxt[0]["id"] if nxt else None

    run(prepare(5), None)  # warm
    ids = prepare(dossiers)
    acc.clear()
    counts.clear()
    times: dict[str, list[float]] = defaultdict(list)
    run(ids, times)
    n = len(times["total"])
    total = sum(times["total"])
    log(f"  {n} completions in-process (Flask test client, no HTTP server): "
        f"test-client p50 {pct(times['total'], 50):.2f} ms, Server-Timing p50 {pct(times['app'], 50):.2f} ms")
    log(f"  per completion (mean): total {total / n:.2f} ms wall, {statistics.mean(times['cpu']):.2f} ms CPU of this "
        f"process (p50 {pct(times['cpu'], 50):.2f}); SQL statements {counts['sql'] / n:.1f} "
        f"(+ pool pre-ping), commits {counts['commit'] / n:.1f}")
    for step in STEPS:
        log(f"    {step:<8} wall p50 {pct(times[step + ' wall'], 50):6.2f} ms  "
            f"CPU p50 {pct(times[step + ' cpu'], 50):6.2f} ms"
            f"  SQL statements {statistics.mean(times[step + ' sql']):.0f}")
    log("  split of the wall time (mean per completion):")
    for name in ("sql", "spiff load", "spiff complete+prune", "spiff serialize", "form_choices (incl. its SQL)"):
        log(f"    {name:<30} {acc[name] * 1000 / n:6.2f} ms  ({acc[name] * 1000 / total * 100:4.1f} %)")
    spiff = acc["spiff load"] + acc["spiff complete+prune"] + acc["spiff serialize"]
    rest = total / 1000 - acc["sql"] - spiff
    log(f"    {'rest (Flask, ORM, validation)':<30} {rest * 1000 / n:6.2f} ms  ({rest * 1000 / total * 100:4.1f} %)")

    # The statements of one completion (assign, then examine), with their times.
    ids = prepare(1)
    statements.clear()
    record_statements[0] = True
    r = client.post(f"/api/v1/tasks/{ids[0]}/complete", headers=headers("truongphong"),
                    json={"data": {"specialist": str(specialist)}})
    record_statements[0] = False
    log(f"  SQL of one assign completion ({len(statements)} statements, {sum(d for _, d in statements):.2f} ms):")
    for stmt, dt in statements:
        log(f"    {dt:6.2f} ms  {stmt}")
    examine_id = r.json["next_tasks"][0]["id"]
    statements.clear()
    record_statements[0] = True
    client.post(f"/api/v1/tasks/{examine_id}/complete", headers=headers("chuyenvien"),
                json={"data": {"proposal": "approve", "examination": "Đủ điều kiện"}})
    record_statements[0] = False
    log(f"  SQL of one examine completion ({len(statements)} statements, {sum(d for _, d in statements):.2f} ms):")
    for stmt, dt in statements:
        log(f"    {dt:6.2f} ms  {stmt}")

    # cProfile: the project's own functions by cumulative time (cProfile inflates Python-heavy
    # code, so read the shares, not the milliseconds).
    tasks_mod.load_instance, runtime.WorkflowInstance.complete, runtime.WorkflowInstance.serialize, \
        tasks_mod.form_choices = orig
    ids = prepare(max(10, dossiers // 2))
    n_prof = len(ids) * len(STEPS)
    prof = cProfile.Profile()
    prof.enable()
    run(ids, None)
    prof.disable()
    stats = pstats.Stats(prof)
    total_prof = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, ncalls, _tt, cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rel = filename.replace(str(ROOT) + "/", "")
        if rel.startswith(("engine/", "webapp/")) or name in ("do_execute", "commit", "_checkout"):
            rows.append((cum, f"{rel}:{line}({name})", ncalls))
    rows.sort(reverse=True)
    log(f"  cProfile of {n_prof} completions, project functions (and SQL execute/commit/pool checkout), "
        "cumulative share:")
    for cum, label, ncalls in rows[:24]:
        log(f"    {cum / total_prof * 100:5.1f} %  {ncalls / n_prof:5.1f} calls/completion  {label}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def git_state() -> str:
    """The commit under test, and whether the working tree differs from it."""
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return head + (f" (+ uncommitted changes in {len(dirty)} tracked files)" if dirty else "")


def wait_idle(timeout: float) -> None:
    """Wait until other processes take under 10% of the CPUs over a 3 s window, or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        mark = MONITOR.start()
        time.sleep(3)
        line = MONITOR.stop(mark, "idle check")
        other = MONITOR.busy_phases.pop()[1]
        if other < 10 or time.monotonic() > deadline:
            log(f"  idle check: {line}")
            return


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a smaller, faster run")
    ap.add_argument("--postgres-url", help="admin URL (default: $BENCH_POSTGRES_URL, then $TEST_POSTGRES_URL)")
    ap.add_argument("--db-name", default="motcua_bench", help="database to drop, create and use")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads per gunicorn worker (1: sync workers; more: gthread, as scripts/demo serves)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients")
    ap.add_argument("--load-count", type=int, help="dossiers added before (d) (default 10000; 2000 with --quick)")
    ap.add_argument("--load-via", choices=("api", "inprocess"), default="api",
                    help="how (d) adds its dossiers: through the API with the clients (default, the faster "
                         "here), or in-process with receive_dossier in batches")
    ap.add_argument("--load-clients", type=int, help="clients for an API load (default: one per worker)")
    ap.add_argument("--phase-seconds", type=float, default=60.0, help="time limit of each timed loop")
    ap.add_argument("--no-profile", action="store_true", help="skip the in-process profile")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="first wait up to SECONDS for the machine to be idle (other processes < 10%% CPU)")
    args = ap.parse_args()

    q = args.quick
    sizes = {
        "spiff_iterations": 1000 if q else 4000,
        "spiff_late_iterations": 200 if q else 600,
        "warm": 6 if q else 10,
        "single": 40 if q else 100,
        "per_client": 20 if q else 40,
        "rework_dossiers": 8 if q else 12,
        "rework_loops": 50,
        "rework_later": 2,
        "load": args.load_count if args.load_count is not None else (2000 if q else 10000),
        "load_batch": 250,
        "profile": 20,
    }
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    started = time.perf_counter()
    log(f"bench_workflow: {command}")
    log(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    from importlib.metadata import version as pkg_version

    import SpiffWorkflow  # noqa: F401
    log(f"  SpiffWorkflow {pkg_version('SpiffWorkflow')}, SQLAlchemy {pkg_version('SQLAlchemy')}, "
        f"gunicorn {pkg_version('gunicorn')}, psycopg2 {pkg_version('psycopg2-binary')}")
    log(f"  code: {git_state()}")
    log(f"  sizes: {sizes}")

    log("\nsetup")
    t0 = time.perf_counter()
    db_url = create_database(admin_url(args), args.db_name)
    build_database(db_url)
    log(f"  migrated and demo data loaded in {time.perf_counter() - t0:.1f} s")
    engine = create_engine(db_url)
    MONITOR.engine = engine  # (a2)'s PostgreSQL backend is ours, not noise

    if args.wait_idle > 0:
        wait_idle(args.wait_idle)
    log(f"\n(a) one step in memory, interleaved with (a2) the same with its state in PostgreSQL "
        f"(table bench_bare in {args.db_name})")
    bare = BarePostgres(db_url)  # open until MONITOR.stop, which counts its backend's CPU as ours
    try:
        mark = MONITOR.start()
        a = bench_in_memory(sizes["spiff_iterations"], sizes["spiff_late_iterations"], bare)
        log(f"  {MONITOR.stop(mark, '(a)+(a2)')}")
    finally:
        bare.close()

    server = Server(db_url, args.workers, threads=args.threads)
    results: dict[str, Any] = {}
    ref_server: Server | None = None
    ref_engine: Any = None
    try:
        server.wait_ready()
        log(f"  {' '.join(shlex.quote(c) for c in server.cmd)}  (pid {server.proc.pid}, log {server.log_file.name})")
        MONITOR.engine, MONITOR.server_pid = engine, server.proc.pid
        tokens = login(server.port)
        with engine.connect() as conn:
            specialist = conn.execute(text("SELECT id FROM user_account WHERE username = 'chuyenvien'")).scalar_one()
        ctx = Ctx(server.port, db_url, tokens, specialist, permit_components(server.port, tokens["motcua"]), engine)

        log(f"\n(b)+(c) POST /api/v1/tasks/<id>/complete, {args.workers} gunicorn workers"
            + (f" of {args.threads} threads" if args.threads > 1 else " (sync)"))
        results["b"] = measure_completions(ctx, sizes["single"], sizes["per_client"], args.clients,
                                           sizes["warm"], args.phase_seconds, "fresh")

        log(f"\n(e) rejection loop: {sizes['rework_dossiers']} dossiers, {sizes['rework_loops']} loops")
        results["e"] = bench_rework(ctx, sizes["rework_dossiers"], sizes["rework_loops"], sizes["rework_later"],
                                    args.clients)

        log(f"\n(d) after {sizes['load']} more dossiers")
        mark = MONITOR.start()
        if args.load_via == "api":
            load_clients = args.load_clients or args.workers
            log(f"  loading through POST /api/v1/dossiers, {load_clients} clients:")
            load_s = load_dossiers_api(ctx, sizes["load"], load_clients)
        else:
            log(f"  loading in-process (engine.services.dossiers.receive_dossier, commit every "
                f"{sizes['load_batch']}):")
            load_s = load_dossiers(ctx, sizes["load"], sizes["load_batch"])
        log(f"  {MONITOR.stop(mark, '(d) load')}")
        with engine.connect() as conn:
            counts = conn.execute(text(
                "SELECT (SELECT count(*) FROM dossier), (SELECT count(*) FROM task WHERE closed_at IS NULL), "
                "(SELECT count(*) FROM task), (SELECT count(*) FROM history_event)")).one()
        log(f"  loaded {sizes['load']} dossiers in {load_s:.1f} s ({sizes['load'] / load_s:.0f}/s); now "
            f"{counts[0]} dossiers, {counts[1]} open tasks, {counts[2]} task rows, {counts[3]} history lines")
        results["load_s"] = load_s
        log(f"  reference: database {args.db_name}_ref (demo data only), its own gunicorn -w {args.workers}")
        ref_url = create_database(admin_url(args), f"{args.db_name}_ref")
        build_database(ref_url)
        ref_server = Server(ref_url, args.workers, threads=args.threads)
        ref_server.wait_ready()
        ref_tokens = login(ref_server.port)
        ref_engine = create_engine(ref_url)
        with ref_engine.connect() as conn:
            ref_specialist = conn.execute(text(
                "SELECT id FROM user_account WHERE username = 'chuyenvien'")).scalar_one()
        ref_ctx = Ctx(ref_server.port, ref_url, ref_tokens, ref_specialist,
                      permit_components(ref_server.port, ref_tokens["motcua"]), ref_engine)
        ref_ctx.applicant_seq = 10**7
        MONITOR.extra_pids = {ref_server.proc.pid}
        results["d"] = measure_against_reference(ctx, ref_ctx, sizes["single"], sizes["per_client"], args.clients,
                                                 sizes["warm"], 4, 2 * args.phase_seconds)
    finally:
        if ref_server is not None:
            ref_server.stop()
        if ref_engine is not None:
            ref_engine.dispose()
        server.stop()
        engine.dispose()
        log(f"\n  gunicorn stopped (exit {server.proc.returncode})")

    if not args.no_profile:
        log(f"\n(profile) in-process, {sizes['profile']} dossiers x 4 steps, database {args.db_name}")
        try:
            profile_in_process(db_url, sizes["profile"])
        except Exception as err:  # the profile is an extra: report, and still print the summary
            log(f"  profile failed: {type(err).__name__}: {err}")

    # ------------------------------------------------------------------ summary
    b, d, e = results["b"], results["d"], results["e"]
    limit_b = min(10.0, 4 * a["stock_p50"])
    rows = [
        ("(a) stock Spiff cycle", f"p50 {a['stock_p50']:.3f} ms  p95 {a['stock_p95']:.3f} ms", "", ""),
        ("(a) our runtime cycle", f"p50 {a['ours_p50']:.3f} ms  p95 {a['ours_p95']:.3f} ms",
         f"{a['ours_p50'] / a['stock_p50']:.2f}x stock", ""),
        ("(a2) bare Spiff cycle with PostgreSQL load/save", f"p50 {a['bare_p50']:.3f} ms  p95 {a['bare_p95']:.3f} ms",
         f"{a['bare_p50'] / a['stock_p50']:.2f}x (a)", ""),
        ("(b) 1 client, server", f"p50 {b['one_p50']:.2f} ms  p95 {b['one_p95']:.2f} ms",
         f"p50 <= 10 ms and <= 4x(a)={4 * a['stock_p50']:.2f} ms; is {b['one_p50'] / a['stock_p50']:.1f}x(a)",
         verdict(b["one_p50"] <= limit_b)),
        ("(b) vs (a2)", f"4x(a2) = {4 * a['bare_p50']:.2f} ms",
         f"(b) p50 <= 4x (a2); is {b['one_p50'] / a['bare_p50']:.1f}x", verdict(b["one_p50"] <= 4 * a["bare_p50"])),
        ("(b) vs stock cycle just before (b)", f"{b['stock_now']:.3f} ms (yardstick)",
         f"(b) p50 is {b['one_p50'] / b['stock_now']:.1f}x it", verdict(b["one_p50"] <= min(10.0, 4 * b["stock_now"]))),
        ("(b) 1 client, round trip", f"p50 {b['one_rtt_p50']:.2f} ms  p95 {b['one_rtt_p95']:.2f} ms", "", ""),
        (f"(b) {args.clients} clients, server", f"p50 {b['many_p50']:.2f} ms  p95 {b['many_p95']:.2f} ms", "", ""),
        (f"(b) {args.clients} clients, round trip", f"p50 {b['many_rtt_p50']:.2f} ms  p95 {b['many_rtt_p95']:.2f} ms",
         "", ""),
        (f"(c) throughput, {args.clients} clients", f"{b['throughput']:.1f} tasks/s", ">= 150 tasks/s",
         verdict(b["throughput"] >= 150)),
        (f"(d) load of {sizes['load']} dossiers ({args.load_via})",
         f"{results['load_s']:.1f} s ({sizes['load'] / results['load_s']:.0f}/s)", "", ""),
        ("(d) 1 client, server", f"p50 {d['one_p50']:.2f} ms  p95 {d['one_p95']:.2f} ms",
         f"<= 1.2x (b) p50; is {d['one_p50'] / b['one_p50']:.2f}x", verdict(d["one_p50"] <= 1.2 * b["one_p50"])),
        ("(d) 1 client, round trip", f"p50 {d['one_rtt_p50']:.2f} ms  p95 {d['one_rtt_p95']:.2f} ms", "", ""),
        (f"(d) {args.clients} clients, server", f"p50 {d['many_p50']:.2f} ms  p95 {d['many_p95']:.2f} ms",
         f"<= 1.2x (b) p50; is {d['many_p50'] / b['many_p50']:.2f}x", verdict(d["many_p50"] <= 1.2 * b["many_p50"])),
        (f"(d) {args.clients} clients, round trip",
         f"p50 {d['many_rtt_p50']:.2f} ms  p95 {d['many_rtt_p95']:.2f} ms", "", ""),
        (f"(d) throughput, {args.clients} clients", f"{d['throughput']:.1f} tasks/s", "", ""),
        ("(d) reference, 1 client, server", f"p50 {d['ref_one_p50']:.2f} ms  p95 {d['ref_one_p95']:.2f} ms",
         f"loaded/reference, same moments: {d['one_p50'] / d['ref_one_p50']:.2f}x", ""),
        (f"(d) reference, {args.clients} clients, server",
         f"p50 {d['ref_many_p50']:.2f} ms  p95 {d['ref_many_p95']:.2f} ms",
         f"loaded/reference, same moments: {d['many_p50'] / d['ref_many_p50']:.2f}x", ""),
        (f"(d) reference throughput, {args.clients} clients", f"{d['ref_throughput']:.1f} tasks/s", "", ""),
        ("(e) first pass, server", f"median {e['first_p50']:.2f} ms (n={e['n_first']})", "", ""),
        ("(e) after 50 loops, server", f"median {e['later_p50']:.2f} ms (n={e['n_later']})",
         f"<= 2x first; is {e['later_p50'] / e['first_p50']:.2f}x", verdict(e["later_p50"] <= 2 * e["first_p50"])),
        ("(e) control: fresh, interleaved", f"median {e['control_p50']:.2f} ms",
         f"later/control {e['later_p50'] / e['control_p50']:.2f}x", ""),
    ]
    log("\nsummary")
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    for r in rows:
        log(f"  {r[0]:<{w0}}  {r[1]:<{w1}}  {r[2]:<{w2}}  {r[3]}")
    ncpu = os.cpu_count() or 1
    busy = [f"{label} {other * ncpu / 100:.2f}" for label, other in MONITOR.busy_phases]
    log(f"\n  CPUs taken by other processes during each phase (of {ncpu}): " + "; ".join(busy))
    factors = CALIBRATION.get("factors", [])
    if factors:
        log("  yardstick (stock Spiff cycle) before the HTTP phases, against (a): "
            + ", ".join(f"{f:.2f}x" for f in factors)
            + ("  -- the machine's speed drifted; compare figures taken side by side (the controls)"
               if max(factors) / min(factors) > 1.15 or max(factors) > 1.15 else ""))
    if any(other > 15 for _, other in MONITOR.busy_phases):
        log("  WARNING: other processes were busy during some phases; latencies there are inflated. "
            "Re-run on an idle machine (--wait-idle 120) before trusting a FAIL.")
    log(f"\n  total run time {time.perf_counter() - started:.0f} s")
    log(f"  command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
