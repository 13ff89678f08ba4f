"""Working days as dates: weekends and holidays are skipped, a run's end falls in its day."""

from __future__ import annotations

import datetime

import pytest

from simulator.calendar import date_at, working_date
from simulator.errors import InputError
from simulator.loading import load_scenario


def _time(*sets: str):
    return load_scenario("workshop", list(sets)).time


def test_working_days_skip_weekends_and_holidays():
    # 2027-01-04 is a Monday; the 6th is a holiday.
    clock = _time("time.start=2027-01-04", "time.calendar.holidays=[2027-01-06]")
    dates = [working_date(clock, i) for i in range(6)]
    assert dates == [
        datetime.date(2027, 1, 4),
        datetime.date(2027, 1, 5),
        datetime.date(2027, 1, 7),
        datetime.date(2027, 1, 8),
        datetime.date(2027, 1, 11),
        datetime.date(2027, 1, 12),
    ]


def test_a_start_on_a_day_off_begins_on_the_next_working_day():
    clock = _time("time.start=2027-01-02")  # a Saturday
    assert working_date(clock, 0) == datetime.date(2027, 1, 4)


def test_a_run_ends_on_the_day_its_last_hour_falls_in():
    clock = _time("time.start=2027-01-04")
    assert date_at(clock, 0.5) == datetime.date(2027, 1, 4)
    assert date_at(clock, 1.0) == datetime.date(2027, 1, 4)  # the end of day 1
    assert date_at(clock, 1.01) == datetime.date(2027, 1, 5)
    assert date_at(clock, 5.0) == datetime.date(2027, 1, 8)
    assert date_at(clock, 6.0) == datetime.date(2027, 1, 11)


def test_other_weekdays_can_be_worked():
    clock = _time("time.start=2027-01-04", "time.calendar.weekdays=[mon, tue, wed, thu, fri, sat]")
    assert working_date(clock, 5) == datetime.date(2027, 1, 9)  # the Saturday


def test_without_a_start_there_are_no_dates():
    assert date_at(_time(), 3.0) is None


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("time.start=2027-13-04", "time.start"),
        ("time.calendar.weekdays=[mon, funday]", "time.calendar.weekdays"),
        ("time.calendar.weekdays=[mon, mon]", "listed twice"),
        ("time.calendar.holidays=[someday]", "time.calendar.holidays"),
    ],
)
def test_bad_dates_are_one_located_line(setting, fragment):
    with pytest.raises(InputError) as caught:
        load_scenario("workshop", [setting])
    lines = caught.value.lines()
    assert len(lines) == 1 and fragment in lines[0] and lines[0].startswith("error: --set ")
