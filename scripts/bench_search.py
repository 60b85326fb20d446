"""Benchmark: the counter's procedure search with a catalogue of 2,000 procedures.

Prints p50/p95 of the search service and of the JSON endpoint the reception screen
calls while the officer types (one request per keystroke), on SQLite and, when
--postgres-url or TEST_POSTGRES_URL is given, on PostgreSQL. The baseline, measured
in the same run, is the endpoint with an empty query (no filtering at all).

    .venv/bin/python scripts/bench_search.py [--postgres-url postgresql://…/postgres] [--procedures 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine import migrate  # noqa: E402
from engine.db import make_engine, session_scope  # noqa: E402
from engine.demo import load_demo  # noqa: E402
from engine.forms import FormRegistry  # noqa: E402
from engine.models import Component, Field, Procedure  # noqa: E402
from engine.services.procedures import search_procedures  # noqa: E402
from engine.text import fold  # noqa: E402

WORDS = [
    "Cấp",
    "Đăng",
    "ký",
    "Gia",
    "hạn",
    "Điều",
    "chỉnh",
    "Thu",
    "hồi",
    "Chứng",
    "thực",
    "Xác",
    "nhận",
    "Thẩm",
    "định",
    "Phê",
    "duyệt",
    "Cấp",
    "lại",
    "Cấp",
    "đổi",
    "Công",
    "nhận",
    "giấy",
    "phép",
    "chứng",
    "chỉ",
    "giấy",
    "chứng",
    "nhận",
    "hộ",
    "kinh",
    "doanh",
    "doanh",
    "nghiệp",
    "khai",
    "sinh",
    "kết",
    "hôn",
    "khai",
    "tử",
    "tạm",
    "trú",
    "thường",
    "trú",
    "xây",
    "dựng",
    "đất",
    "đai",
    "môi",
    "trường",
    "lao",
    "động",
    "giáo",
    "dục",
    "y",
    "tế",
    "văn",
    "hóa",
    "du",
    "lịch",
    "giao",
    "thông",
    "nông",
    "nghiệp",
    "thủy",
    "sản",
    "lâm",
    "nghiệp",
    "thương",
    "mại",
    "công",
    "nghiệp",
    "tư",
    "pháp",
    "hộ",
    "tịch",
    "nhà",
    "ở",
    "quy",
    "hoạch",
    "tài",
    "nguyên",
    "nước",
    "khoáng",
    "sản",
]
TYPED = ["dang ky khai sinh", "giay phep xay dung", "chung thuc ban sao", "1.0011", "cap lai giay", "ho kinh doanh"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(url: str, count: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(7)
    with session_scope(engine) as session:
        units = load_demo(session, ROOT / "processes", FormRegistry(ROOT / "forms"))
        fields = list(session.scalars(select(Field)))
        existing = session.scalar(select(text("count(*)")).select_from(Procedure)) or 0
        for n in range(existing, count):
            name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12)))
            session.add(
                Procedure(
                    code=f"9.{n:06d}",
                    name=name,
                    name_folded=fold(name),
                    field_id=rng.choice(fields).id,
                    process_key="cap_phep_xay_dung",
                    agency_id=units["agency"].id,
                    department_id=units["construction"].id,
                    time_kind="working_days",
                    time_value=rng.randint(1, 30),
                    components=[Component(position=1, name="Đơn đề nghị", required=True)],
                )
            )
    engine.dispose()


def measure(url: str, label: str, rounds: int) -> dict[str, float]:
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    client = app.test_client()
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/dang-nhap", data={"username": "motcua", "password": "demo", "csrf_token": token})

    keystrokes = [query[:i] for query in TYPED for i in range(1, len(query) + 1)]
    service: list[float] = []
    endpoint: list[float] = []
    baseline: list[float] = []
    with app.app_context():
        for _ in range(3):  # warm-up
            search_procedures(db.session, "dang ky")
        for _ in range(rounds):
            for typed in keystrokes:
                start = time.perf_counter()
                search_procedures(db.session, typed)
                service.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
    for _ in range(rounds):
        for typed in keystrokes:
            start = time.perf_counter()
            response = client.get("/mot-cua/thu-tuc.json", query_string={"q": typed})
            endpoint.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            start = time.perf_counter()
            client.get("/mot-cua/thu-tuc.json", query_string={"q": ""})
            baseline.append((time.perf_counter() - start) * 1000)
    with app.app_context():
        found = [p.code for p in search_procedures(db.session, "dang ky khai sinh")]
        db.engine.dispose()
    figures = {
        "service_p50": statistics.median(service),
        "service_p95": percentile(service, 0.95),
        "endpoint_p50": statistics.median(endpoint),
        "endpoint_p95": percentile(endpoint, 0.95),
        "baseline_p50": statistics.median(baseline),
        "baseline_p95": percentile(baseline, 0.95),
    }
    print(f"\n{label}: {len(service)} searches per path ('dang ky khai sinh' → {found[:3]})")
    print(f"  search service            p50 {figures['service_p50']:6.2f} ms   p95 {figures['service_p95']:6.2f} ms")
    print(f"  GET /mot-cua/thu-tuc.json p50 {figures['endpoint_p50']:6.2f} ms   p95 {figures['endpoint_p95']:6.2f} ms")
    print(f"  baseline (empty query)    p50 {figures['baseline_p50']:6.2f} ms   p95 {figures['baseline_p95']:6.2f} ms")
    ratio = figures["endpoint_p50"] / figures["baseline_p50"]
    verdict = "PASS" if figures["endpoint_p95"] <= 30 else "FAIL"
    print(f"  target: endpoint p95 ≤ 30 ms → {verdict}; endpoint/baseline p50 ratio {ratio:.2f}×")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    )
    args = parser.parse_args()
    print(f"Procedure search with {args.procedures} procedures; command: {' '.join(sys.argv)}")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        build(url, args.procedures)
        results = [measure(url, "SQLite", args.rounds)]
    if args.postgres_url:
        admin = create_engine(make_url(args.postgres_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS motcua_bench_search WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE motcua_bench_search"))
        url = make_url(args.postgres_url).set(database="motcua_bench_search").render_as_string(hide_password=False)
        try:
            build(url, args.procedures)
            results.append(measure(url, "PostgreSQL", args.rounds))
        finally:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS motcua_bench_search WITH (FORCE)"))
            admin.dispose()
    return 0 if all(r["endpoint_p95"] <= 30 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
