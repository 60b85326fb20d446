"""Staff dossier search against a real database (SQLite and PostgreSQL): criteria, access, bad input."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import clock
from engine.db import make_engine, session_scope
from engine.models import Field, Procedure, Task, Unit, User
from engine.services.dossiers import get_dossier
from engine.services.errors import Forbidden, InvalidInput
from engine.services.search import COUNT_CAP, parse_criteria, search
from tests.factories import make_dossier

NOW = clock.now().replace(microsecond=0)


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _codes(session, username: str, **args) -> set[str]:
    page = search(session, _user(session, username), parse_criteria({k: str(v) for k, v in args.items()}))
    return {d.code for d in page.dossiers}


@pytest.fixture
def world(db_url):
    """A few dossiers that differ in one criterion each; yields (session, {label: code})."""
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        specialist = _user(session, "chuyenvien")
        made = {
            "an": make_dossier(session, applicant_name="Nguyễn Văn An", phone="0912345678", email="an@example.com"),
            "binh": make_dossier(
                session,
                applicant_name="Trần Thị Bình",
                id_number="079123456789",
                received_at=NOW - timedelta(days=40),
                due_at=NOW - timedelta(days=2),
            ),
            "cuong": make_dossier(
                session,
                applicant_name="Lê Cường",
                status=10,
                finished_at=NOW - timedelta(days=3),
                due_at=NOW - timedelta(days=1),
            ),
            "justice": make_dossier(session, "1.001193", applicant_name="Phạm Ánh Dương", email="duong@example.com"),
        }
        session.add(
            Task(
                id="t-held",
                dossier_id=made["binh"].id,
                step="task_examine",
                title="Thẩm định hồ sơ",
                form="examine",
                role="specialist",
                unit_id=specialist.unit_id,
                assignee_id=specialist.id,
                created_at=NOW,
            )
        )
        codes = {label: d.code for label, d in made.items()}
    with session_scope(engine) as session:
        yield session, codes
    engine.dispose()


def test_name_without_diacritics_finds_the_applicant(world):
    session, codes = world
    assert _codes(session, "lanhdao", name="nguyen van an") == {codes["an"]}
    assert _codes(session, "lanhdao", name="NGUYỄN an") == {codes["an"]}
    assert _codes(session, "lanhdao", name="anh duong") == {codes["justice"]}
    assert _codes(session, "lanhdao", name="xuyen") == set()


def test_code_finds_exactly_and_by_prefix(world):
    session, codes = world
    assert _codes(session, "lanhdao", code=codes["an"].lower()) == {codes["an"]}
    assert _codes(session, "lanhdao", code=codes["an"][:-2]) >= {codes["an"]}
    assert _codes(session, "lanhdao", code="000.00.99") == set()


def test_id_number_and_phone_find_only_their_dossier(world):
    session, codes = world
    assert _codes(session, "lanhdao", id_number="079123456789") == {codes["binh"]}
    assert _codes(session, "lanhdao", phone="0912.345.678") == {codes["an"]}
    assert _codes(session, "lanhdao", phone="+84912345678") == {codes["an"]}
    assert _codes(session, "lanhdao", phone="0900000000") == set()


def test_procedure_field_and_status_filter(world):
    session, codes = world
    birth = session.scalars(select(Procedure).where(Procedure.code == "1.001193")).one()
    civil = session.scalars(select(Field).where(Field.code == "HO_TICH")).one()
    assert _codes(session, "lanhdao", procedure=birth.id) == {codes["justice"]}
    assert _codes(session, "lanhdao", field=civil.id) == {codes["justice"]}
    assert _codes(session, "lanhdao", status=10) == {codes["cuong"]}


def test_received_and_due_periods(world):
    session, codes = world
    day = (NOW - timedelta(days=40)).date().isoformat()
    assert _codes(session, "lanhdao", received_from=day, received_to=day) == {codes["binh"]}
    assert codes["binh"] not in _codes(session, "lanhdao", received_from=(NOW - timedelta(days=2)).date())
    assert _codes(session, "lanhdao", due_to=(NOW - timedelta(days=1)).date()) == {codes["binh"], codes["cuong"]}


def test_overdue_only_takes_open_dossiers_past_their_due_date(world):
    session, codes = world
    # "cuong" is past due too, but finished: not overdue.
    assert _codes(session, "lanhdao", overdue="1") == {codes["binh"]}


def test_handler_finds_the_dossiers_a_person_holds(world):
    session, codes = world
    specialist = _user(session, "chuyenvien")
    assert _codes(session, "lanhdao", handler=specialist.id) == {codes["binh"]}
    assert _codes(session, "lanhdao", handler=_user(session, "chuyenvien2").id) == set()


def test_sorts_and_pages(world):
    session, codes = world
    leader = _user(session, "lanhdao")
    by_due = search(session, leader, parse_criteria({"sort": "due"})).dossiers
    assert [d.code for d in by_due[:2]] == [codes["binh"], codes["cuong"]]
    by_received = search(session, leader, parse_criteria({})).dossiers
    assert by_received[-1].code == codes["binh"]
    first = search(session, leader, parse_criteria({"per_page": "2", "sort": "code"}))
    second = search(session, leader, parse_criteria({"per_page": "2", "sort": "code", "page": "2"}))
    assert (first.total, first.pages, first.more) == (4, 2, False)
    assert [d.code for d in first.dossiers + second.dossiers] == sorted(codes.values())


def test_a_department_sees_only_its_own_dossiers(world):
    session, codes = world
    assert _codes(session, "chuyenvien_tp") == {codes["justice"]}
    assert _codes(session, "chuyenvien") == {codes["an"], codes["binh"], codes["cuong"]}
    assert _codes(session, "chuyenvien_tp", name="nguyen van an") == set()
    # The counter sees what it received; the agency's leader everything.
    assert _codes(session, "motcua") == set(codes.values()) == _codes(session, "lanhdao")


def test_a_leader_sees_the_units_under_their_department(world):
    session, _ = world
    construction = _user(session, "truongphong").unit
    division = Unit(code="000.00.13.01.H10", name="Phòng Quản lý nhà", kind="department", parent_id=construction.id)
    session.add(division)
    session.flush()
    inner = make_dossier(session, department_id=division.id, applicant_name="Đoàn Văn Hậu")
    assert inner.code in _codes(session, "truongphong", name="hau")
    assert _codes(session, "chuyenvien", name="hau") == set()  # a specialist sees their own unit only
    # What the search lists, the leader opens; the specialist may not.
    assert get_dossier(session, _user(session, "truongphong"), inner.code).applicant_name == "Đoàn Văn Hậu"
    with pytest.raises(Forbidden):
        get_dossier(session, _user(session, "chuyenvien"), inner.code)


def test_an_unknown_unit_procedure_field_or_person_is_refused(world):
    session, _ = world
    leader = _user(session, "chuyenvien_tp")
    construction = _user(session, "truongphong").unit_id
    with pytest.raises(InvalidInput) as refused:
        search(
            session,
            leader,
            parse_criteria({"unit": str(construction), "procedure": "9999", "field": "9999", "handler": "99999"}),
        )
    assert refused.value.errors == {
        "unit": "Không có đơn vị này trong phạm vi bạn được xem.",
        "procedure": "Không có thủ tục này.",
        "field": "Không có lĩnh vực này.",
        "handler": "Không có cán bộ này.",
    }


def test_a_ten_thousand_character_name_is_refused_before_any_query():
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as refused:
        parse_criteria({"name": "a" * 10_000, "code": "x" * 10_000})
    assert time.perf_counter() - started < 0.05
    assert refused.value.errors == {"name": "Quá dài: tối đa 100 ký tự.", "code": "Quá dài: tối đa 60 ký tự."}


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        (
            {"received_from": "2026-05-10", "received_to": "2026-05-01"},
            {"received_to": "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."},
        ),
        ({"due_from": "2019-01-01", "due_to": "2025-01-02"}, {"due_to": "Khoảng thời gian tối đa là 5 năm."}),
        ({"received_from": "31/02/2026"}, {"received_from": "Ngày không hợp lệ (ví dụ 2026-12-24 hoặc 24/12/2026)."}),
        (
            {"status": "11", "sort": "name"},
            {"status": "Trạng thái là một mã từ 1 đến 10.", "sort": "Chọn một trong: received, due, code."},
        ),
        ({"name": "an"}, {"name": "Nhập ít nhất một từ có từ 3 chữ cái trở lên của tên người nộp."}),
        ({"per_page": "500"}, {"per_page": "Mỗi trang từ 1 đến 100 hồ sơ."}),
        ({"id_number": "07912345678x"}, {"id_number": "Số giấy tờ tùy thân chỉ gồm chữ số."}),
    ],
)
def test_bad_criteria_are_refused_by_field(args, errors):
    with pytest.raises(InvalidInput) as refused:
        parse_criteria(args)
    assert refused.value.errors == errors


def test_a_five_year_period_is_accepted():
    criteria = parse_criteria({"received_from": "2021-01-01", "received_to": "2025-12-31"})
    assert criteria.received_to.year == 2025


def test_the_count_stops_at_the_cap(sqlite_url, monkeypatch):
    import engine.services.search as module

    monkeypatch.setattr(module, "COUNT_CAP", 3)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        for _ in range(5):
            make_dossier(session)
        page = search(session, _user(session, "lanhdao"), parse_criteria({"per_page": "1"}))
    engine.dispose()
    assert (page.total, page.more, page.pages) == (3, True, 3)
    assert COUNT_CAP == 1_000


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("received", ["-0005", "-0004"]), ("due", ["-0001", "-0002"]), ("code", ["-0001", "-0002"])],
)
def test_a_day_of_codes_beyond_the_cap_is_sorted_as_asked(db_url, monkeypatch, sort, expected):
    from datetime import timedelta

    import engine.services.search as module

    monkeypatch.setattr(module, "COUNT_CAP", 3)  # five matches: the sorted query picks the page
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        day = clock.now().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=30)
        for n in range(1, 6):
            make_dossier(
                session,
                code=f"000.00.01.H10-{day:%y%m%d}-{n:04d}",
                received_at=day + timedelta(minutes=n),
                due_at=day + timedelta(days=n),
            )
        make_dossier(session, code=f"000.00.01.H10-{day + timedelta(days=1):%y%m%d}-0001")  # another day
        page = search(
            session,
            _user(session, "lanhdao"),
            parse_criteria({"code": f"000.00.01.H10-{day:%y%m%d}", "sort": sort, "per_page": "2"}),
        )
        codes = [d.code[-5:] for d in page.dossiers]
    engine.dispose()
    assert page.more and codes == expected


def test_a_search_statement_that_runs_too_long_is_stopped_with_a_message(db_url, monkeypatch):
    from sqlalchemy import text

    import engine.services.search as module

    monkeypatch.setattr(module, "STATEMENT_TIMEOUT_MS", 100)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "sqlite":
            # SQLite has no statement timeout: the guard is the input limits alone, and lets the query run.
            with module.time_limited(session):
                assert session.execute(text("SELECT 1")).scalar() == 1
            return
        started = time.perf_counter()
        with pytest.raises(module.SearchTooSlow) as stopped, module.time_limited(session):
            session.execute(text("SELECT pg_sleep(5)"))
        assert time.perf_counter() - started < 2
        assert stopped.value.errors == {"_schema": stopped.value.message}
        assert "thu hẹp điều kiện" in stopped.value.message
        # The limit ends with the transaction: the session goes on working.
        assert session.execute(text("SHOW statement_timeout")).scalar() == "0"
    engine.dispose()
