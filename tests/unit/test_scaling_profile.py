"""The scaling profile's reading of perf's report and its per-event changes."""

import math

import pytest

from benchmarks.scaling_profile import changes, parse_report

REPORT = """\
# Samples: 6K of event 'cpu-clock'
#
# Overhead       Samples  Symbol
# ........  ............  ..............................
#
    42.75%          2036  [.] _PyEval_EvalFrameDefault
     1.93%            92  [.] list_richcompare
     0.41%            20  [k] exc_page_fault
     0.02%             1  [.] 0x00007f3a2b1c
"""


def test_the_report_gives_samples_per_symbol_and_skips_its_header():
    samples = parse_report(REPORT)
    assert samples == {
        "_PyEval_EvalFrameDefault": 2036,
        "list_richcompare": 92,
        "exc_page_fault": 20,
        "0x00007f3a2b1c": 1,
    }


def test_changes_are_per_event_largest_first_with_poisson_errors():
    low = (1_000, parse_report(REPORT))
    # Four times the events; the interpreter's samples grow in proportion, the heap's
    # comparisons eight times, and a function appears only at the larger size.
    high = (4_000, {"_PyEval_EvalFrameDefault": 8144, "list_richcompare": 736, "siftup": 40})
    rows = changes(low, high, frequency=1_000)
    by_symbol = {symbol: (before, after, error) for symbol, before, after, error in rows}
    assert by_symbol["_PyEval_EvalFrameDefault"][:2] == pytest.approx((2036.0, 2036.0))
    assert by_symbol["list_richcompare"][:2] == pytest.approx((92.0, 184.0))
    assert by_symbol["siftup"][:2] == pytest.approx((0.0, 10.0))
    assert by_symbol["exc_page_fault"][:2] == pytest.approx((20.0, 0.0))
    # Twice the standard error of a difference of two Poisson counts, each scaled.
    assert by_symbol["list_richcompare"][2] == pytest.approx(2 * math.sqrt(92 + 736 / 16))
    assert rows[0][0] == "list_richcompare"  # the largest change, whatever its sign
    assert rows[1][0] == "exc_page_fault"
