"""The dashboard and the warnings, counted on hand-built dossiers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine import clock
from engine.db import make_engine
from engine.models import Unit
from engine.services.dashboard import dashboard, month_starts
from engine.services.errors import InvalidInput
from engine.services.warnings import WarningFilter, warnings
from tests.factories import add_dossier, add_task
from tests.integration.dashboard_data import demo_units, in_unit, user, warned_dossiers


@pytest.fixture
def session(db_url):
    from sqlalchemy.orm import Session

    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return clock.now()


def test_counter_officer_sees_what_waits_at_their_counter_only(session, now):
    units = demo_units(session)
    other = Unit(code="000.00.02.H10", name="Bộ phận một cửa Sở Xây dựng", kind="counter", parent_id=units["agency"])
    session.add(other)
    session.flush()
    units["other_counter"] = other.id
    at_counter = in_unit(units, "construction")
    received = now - timedelta(days=1)
    for status, channel in ((1, 2), (1, 2), (1, 1), (5, 1), (9, 1), (9, 2), (9, 1), (4, 1)):
        add_dossier(session, at_counter, status=status, channel=channel, received_at=received)
    add_dossier(session, in_unit(units, "construction", "other_counter"), status=1, channel=2, received_at=received)
    transferred = add_dossier(session, at_counter, status=9, received_at=received)
    add_task(session, transferred, "counter_officer", units["counter"])
    session.commit()

    board = dashboard(session, user(session, "motcua"), now)

    assert (board.counter.new_online, board.counter.waiting_supplement, board.counter.to_return) == (2, 1, 4)
    assert board.tasks["pool"] == 1 and board.tasks["mine"] == 0
    assert board.departments == [] and board.counters == []  # not a leader
    leader = dashboard(session, user(session, "lanhdao"), now)
    assert leader.counter is None
    queues = {queue.unit_id: (queue.new_online, queue.waiting_supplement, queue.to_return) for queue in leader.counters}
    assert queues == {units["counter"]: (2, 1, 4), other.id: (1, 0, 0)}


def test_leader_sees_the_units_under_them_and_a_specialist_only_their_department(session, now):
    units = demo_units(session)
    office = Unit(code="000.13.01.H10", name="Phòng Quản lý nhà", kind="department", parent_id=units["construction"])
    session.add(office)
    session.flush()
    units["office"] = office.id
    received = now - timedelta(hours=1)
    for department, count in (("construction", 2), ("office", 1), ("justice", 1)):
        for _ in range(count):
            add_dossier(
                session, in_unit(units, department), status=4, received_at=received, due_at=now - timedelta(days=1)
            )
    session.commit()

    head = dashboard(session, user(session, "truongphong"), now)
    assert head.by_status[4] == 3
    assert {load.unit_name: (load.open, load.overdue) for load in head.departments} == {
        "Sở Xây dựng": (2, 2),
        "Phòng Quản lý nhà": (1, 1),
    }
    assert dashboard(session, user(session, "chuyenvien"), now).by_status[4] == 2
    justice = dashboard(session, user(session, "chuyenvien_tp"), now)
    assert justice.by_status[4] == 1 and justice.departments == []
    agency = dashboard(session, user(session, "lanhdao"), now)
    assert agency.by_status[4] == 4
    assert {load.unit_name for load in agency.departments} == {"Sở Tư pháp", "Sở Xây dựng", "Phòng Quản lý nhà"}


def test_months_chart_counts_received_and_resolved_in_each_of_the_last_twelve_months(session, now):
    units = demo_units(session)
    where = in_unit(units, "construction")
    bounds = [datetime.combine(day, datetime.min.time()) for day in month_starts(now.date())]
    this_month, three_ago = bounds[11], bounds[8] + timedelta(days=2)
    add_dossier(session, where, status=4, received_at=this_month)
    add_dossier(session, where, status=10, received_at=this_month, finished_at=this_month, due_at=this_month)
    add_dossier(session, where, status=9, received_at=three_ago, finished_at=bounds[9] + timedelta(hours=9))
    add_dossier(
        session, where, status=10, received_at=bounds[0] - timedelta(days=40), finished_at=bounds[0] - timedelta(days=1)
    )
    session.commit()

    board = dashboard(session, user(session, "truongphong"), now)

    assert [m.month for m in board.months] == [b.date() for b in bounds[:12]]
    assert [m.received for m in board.months] == [0] * 8 + [1, 0, 0, 2]
    assert [m.resolved for m in board.months] == [0] * 9 + [1, 0, 1]
    assert (board.by_status[4], board.by_status[9], board.by_status.get(10)) == (1, 1, None)  # returned: gone


def test_on_time_share_is_by_date_and_counts_no_due_date_as_on_time(session, now):
    units = demo_units(session)
    where = in_unit(units, "construction")
    day = datetime.combine(now.date() - timedelta(days=3), datetime.min.time())
    finished = [
        (day.replace(hour=10), day + timedelta(days=2, hours=8), 10),  # early
        (day.replace(hour=16), day.replace(hour=8), 9),  # on the due date, hours after the due time: on time
        (day.replace(hour=11), None, 10),  # no due date: on time
        (day + timedelta(days=1, hours=9), day.replace(hour=17), 10),  # the next day: late
    ]
    for finished_at, due_at, status in finished:
        add_dossier(
            session, where, status=status, received_at=day - timedelta(days=5), finished_at=finished_at, due_at=due_at
        )
    add_dossier(session, where, status=4, received_at=day, due_at=day - timedelta(days=1))  # open: not finished
    session.commit()

    on_time = dashboard(session, user(session, "truongphong"), now).on_time

    assert (on_time.early, on_time.on_time, on_time.late) == (1, 2, 1)
    assert on_time.share == pytest.approx(0.75)


def test_warnings_group_by_person_unit_and_lateness_with_drill_down(session, now):
    warned = warned_dossiers(session, now)
    specialist = user(session, "chuyenvien")
    construction = demo_units(session)["construction"]

    found = warnings(session, user(session, "lanhdao"), now=now)

    assert (found.due_soon, found.overdue) == (1, 4)
    assert [(bucket.key, count) for bucket, count in found.by_lateness] == [("1", 1), ("2-3", 1), ("4-7", 1), ("8+", 1)]
    people = {group.key: (group.label, group.due_soon, group.overdue) for group in found.by_person}
    assert people == {
        f"u{specialist.id}": ("Trần Văn Bình", 1, 2),
        f"p{construction}": ("Chưa ai nhận · Sở Xây dựng", 0, 1),
        "none": ("Không có bước đang mở", 0, 1),
    }
    assert [(group.label, group.due_soon, group.overdue) for group in found.by_unit] == [("Sở Xây dựng", 1, 4)]
    listed = [row.code for row in found.rows]
    assert listed == [warned.late_10, warned.late_5, warned.late_2, warned.late_half_day, warned.soon]
    assert warned.paused not in listed and warned.resolved not in listed
    row = next(row for row in found.rows if row.code == warned.late_5)
    assert row.late_days == 5 and row.holders == "chưa ai nhận (Sở Xây dựng)"

    def drill(**values):
        return [row.code for row in warnings(session, user(session, "lanhdao"), WarningFilter(**values), now).rows]

    assert drill(person=f"u{specialist.id}", state="overdue") == [warned.late_2, warned.late_half_day]
    assert drill(bucket="8+") == [warned.late_10]
    assert drill(state="soon") == [warned.soon]
    assert drill(person=f"p{construction}") == [warned.late_5]


def test_warnings_show_others_only_their_own_tasks_and_no_other_department(session, now):
    warned = warned_dossiers(session, now)

    mine = warnings(session, user(session, "chuyenvien"), now=now)
    assert [row.code for row in mine.rows] == [warned.late_2, warned.late_half_day, warned.soon]
    assert warnings(session, user(session, "truongphong_tp"), now=now).rows == []
    with pytest.raises(InvalidInput):
        warnings(
            session, user(session, "truongphong_tp"), WarningFilter(unit_id=demo_units(session)["construction"]), now
        )


def test_the_twelve_month_figures_follow_every_change_of_a_dossier(session, now):
    units = demo_units(session)
    head, justice_head = user(session, "truongphong"), user(session, "truongphong_tp")
    received = now - timedelta(days=2)
    dossier = add_dossier(session, in_unit(units, "construction"), status=4, received_at=received, due_at=now)
    session.commit()

    def figures(leader):
        board = dashboard(session, leader, now)
        on_time = board.on_time
        return (
            sum(m.received for m in board.months),
            sum(m.resolved for m in board.months),
            (
                on_time.early,
                on_time.on_time,
                on_time.late,
            ),
        )

    assert figures(head) == (1, 0, (0, 0, 0))
    dossier.status, dossier.finished_at = 9, now + timedelta(days=1)  # finished the day after its due date
    session.commit()
    assert figures(head) == (1, 1, (0, 0, 1))
    dossier.status, dossier.returned_at = 10, now + timedelta(days=2)  # returned: still resolved once
    session.commit()
    assert figures(head) == (1, 1, (0, 0, 1))
    dossier.due_at = now + timedelta(days=5)  # a correction of the due date reclassifies it
    session.commit()
    assert figures(head) == (1, 1, (1, 0, 0))
    dossier.status, dossier.finished_at = 4, None  # sent back for rework: no longer resolved
    dossier.department_id = units["justice"]  # and handed to another department
    session.commit()
    assert figures(head) == (0, 0, (0, 0, 0))
    assert figures(justice_head) == (1, 0, (0, 0, 0))
    session.delete(dossier)
    session.commit()
    assert figures(justice_head) == (0, 0, (0, 0, 0))
    assert figures(user(session, "lanhdao")) == (0, 0, (0, 0, 0))
