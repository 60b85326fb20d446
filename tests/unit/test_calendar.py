"""Deadline arithmetic, checked by hand against the 2026 calendar (domain.md §6)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.calendar import OfficeHours, WorkingCalendar, vietnam_calendar_days

ROWS = vietnam_calendar_days([2026])
CAL = WorkingCalendar(
    holidays=frozenset(d for d, kind, _ in ROWS if kind == "holiday"),
    workdays=frozenset(d for d, kind, _ in ROWS if kind == "workday"),
)


def test_seed_has_tet_2026_and_the_new_cultural_day():
    holidays = {d for d, kind, _ in ROWS if kind == "holiday"}
    assert {date(2026, 2, d) for d in range(16, 21)} <= holidays
    assert {date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2), date(2026, 11, 24)} <= holidays


def test_swap_saturday_is_a_working_day():
    # 31/8/2026 (Monday) is off in exchange for Saturday 22/8/2026.
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert CAL.is_working_day(date(2026, 8, 22))


def test_one_working_day_counts_eight_office_hours():
    # Monday 09:00 + 8h: 2.5h until 11:30, 3.5h in the afternoon, 2h on Tuesday -> Tuesday 09:00.
    assert CAL.add_working_hours(datetime(2026, 3, 2, 9, 0), 8) == datetime(2026, 3, 3, 9, 0)


def test_friday_afternoon_reception_skips_the_weekend():
    # Friday 16:30: 0.5h that day; Monday 4.5h in the morning, 3h from 13:30 -> 16:30.
    due = CAL.due_at(datetime(2026, 3, 6, 16, 30), "working_days", 1)
    assert due == datetime(2026, 3, 9, 16, 30)


def test_reception_outside_office_hours_counts_from_next_opening():
    assert CAL.next_opening(datetime(2026, 3, 7, 10, 0)) == datetime(2026, 3, 9, 7, 0)  # Saturday
    assert CAL.next_opening(datetime(2026, 3, 9, 12, 0)) == datetime(2026, 3, 9, 13, 30)  # lunch


def test_deadline_ending_a_period_stays_at_its_end():
    assert CAL.add_working_hours(datetime(2026, 3, 2, 7, 0), 8) == datetime(2026, 3, 2, 17, 0)


def test_tet_2026_is_skipped():
    # Received Friday 13/2/2026 at 08:00, 3 working days: 13/2, then Tết 16–20/2, then 23 and 24/2.
    assert CAL.due_at(datetime(2026, 2, 13, 8, 0), "working_days", 3) == datetime(2026, 2, 25, 8, 0)


def test_april_30_and_may_1_are_skipped():
    # Wednesday 29/4 at 08:00 + 1 working day: 30/4 and 1/5 off, weekend -> Monday 4/5 at 08:00.
    assert CAL.due_at(datetime(2026, 4, 29, 8, 0), "working_days", 1) == datetime(2026, 5, 4, 8, 0)


def test_national_day_with_its_adjacent_day():
    # Friday 28/8 at 17:00 (closed) + 1 day: 31/8, 1/9, 2/9 off -> counts Thursday 3/9 all day.
    assert CAL.due_at(datetime(2026, 8, 28, 17, 0), "working_days", 1) == datetime(2026, 9, 3, 17, 0)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 3, 2, 14, 59), datetime(2026, 3, 2, 17, 0)),  # before 15:00: same day
        (datetime(2026, 3, 2, 15, 10), datetime(2026, 3, 3, 17, 0)),  # after 15:00: next working day
        (datetime(2026, 3, 6, 15, 10), datetime(2026, 3, 9, 17, 0)),  # Friday after 15:00: Monday
        (datetime(2026, 3, 7, 9, 0), datetime(2026, 3, 9, 17, 0)),  # Saturday: counts from Monday
    ],
)
def test_same_day_procedures_follow_the_15_00_rule(received, due):
    assert CAL.due_at(received, "same_day", 0) == due


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day():
    # 10 calendar days from Thursday 23/4 is Sunday 3/5 -> Monday 4/5.
    assert CAL.due_at(datetime(2026, 4, 23, 9, 0), "calendar_days", 10) == datetime(2026, 5, 4, 17, 0)


def test_a_pause_moves_the_due_date_by_the_office_hours_it_lasted():
    # Paused Monday 2/3 at 09:00, resumed Wednesday 4/3 at 09:00: 16 office hours.
    due = datetime(2026, 3, 10, 10, 0)
    assert CAL.working_hours_between(datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 4, 9, 0)) == 16
    assert CAL.resume(due, datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 4, 9, 0)) == datetime(2026, 3, 12, 10, 0)


def test_a_pause_over_a_weekend_counts_only_office_hours():
    # Friday 16:00 to Monday 08:00 is 1h on Friday and 1h on Monday.
    assert CAL.working_hours_between(datetime(2026, 3, 6, 16, 0), datetime(2026, 3, 9, 8, 0)) == 2


def test_unit_office_hours_are_parsed_and_checked():
    hours = OfficeHours.parse("07:30-11:30,13:00-17:00", "0,1,2,3,4,5")
    assert hours.day_hours == 8 and 5 in hours.weekdays
    with pytest.raises(ValueError, match="tăng dần"):
        OfficeHours.parse("13:00-17:00,07:30-11:30")
    with pytest.raises(ValueError, match="07:00-11:30"):
        OfficeHours.parse("sáng")


def test_a_saturday_office_counts_saturday_mornings():
    saturday = WorkingCalendar(hours=OfficeHours.parse("07:00-11:00", "0,1,2,3,4,5"))
    # Friday 10:00 + 2h: 1h Friday, 1h Saturday morning.
    assert saturday.add_working_hours(datetime(2026, 3, 6, 10, 0), 2) == datetime(2026, 3, 7, 8, 0)
