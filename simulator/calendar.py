"""Working days as dates: the project's start and calendar (weekdays worked, holidays).

Working day 0 is `time.start` (or the first working day after it). A run that ends at
working day 23.4 finishes on its 24th working day, the date of working day index 23.
"""

from __future__ import annotations

import datetime
import math

import numpy as np

from simulator.schema import WEEKDAYS, TimeSettings


def _weekmask(settings: TimeSettings) -> list[int]:
    worked = set(settings.calendar.weekdays)
    return [1 if day in worked else 0 for day in WEEKDAYS]


def working_date(settings: TimeSettings, index: int) -> datetime.date:
    """The date of working day `index` (0 = the first working day from the start)."""
    if settings.start is None:
        raise ValueError("the scenario has no time.start")
    day = np.busday_offset(
        np.datetime64(settings.start, "D"),
        int(index),
        roll="forward",
        weekmask=_weekmask(settings),
        holidays=[np.datetime64(h, "D") for h in settings.calendar.holidays],
    )
    return day.astype(datetime.date)


def date_at(settings: TimeSettings, days: float) -> datetime.date | None:
    """The date on which `days` working days after the start are over (None without a
    start): the date of the working day in which that moment falls, its end included."""
    if settings.start is None or days is None or not math.isfinite(days):
        return None
    return working_date(settings, max(0, math.ceil(days - 1e-9) - 1))
