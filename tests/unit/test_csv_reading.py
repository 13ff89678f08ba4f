"""CSV files (plans, people) are read alike: a header, rows with their lines, bad rows located."""

from __future__ import annotations

import csv

import pytest

from simulator.errors import InputError
from simulator.loading import load_scenario
from simulator.reading import csv_table


def test_rows_come_with_the_line_they_end_on_stripped_and_blank_ones_skipped():
    header, rows = csv_table('id, department \n\n a ,b\n"x\ny",z\n,,\n', "f.csv")
    assert header == ["id", "department"]
    assert list(rows) == [(3, ["a", "b"]), (5, ["x\ny", "z"])]


def test_the_header_is_the_first_row_even_when_blank():
    assert csv_table("", "f.csv")[0] == []
    assert csv_table("\nid\n", "f.csv")[0] == []


def test_a_row_the_csv_module_refuses_is_an_input_error_at_its_line():
    too_long = "x" * (csv.field_size_limit() + 1)
    _, rows = csv_table(f"name\nAda\n{too_long}\n", "f.csv")
    with pytest.raises(InputError) as caught:
        list(rows)
    assert caught.value.lines() == [
        f"error: f.csv:3: not valid CSV: field larger than field limit ({csv.field_size_limit()})"
    ]


def test_a_people_file_the_csv_module_refuses_is_an_input_error(tmp_path):
    too_long = "x" * (csv.field_size_limit() + 1)
    (tmp_path / "people.csv").write_text(f"name,department\nAda,eng\n{too_long},eng\n")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "name: named\n"
        "organisation:\n"
        "  people_file: people.csv\n"
        "  departments: [{name: eng}]\n"
        "project: {tasks: 3}\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    assert caught.value.lines() == [
        "error: people.csv:3: not valid CSV: field larger than field limit "
        f"({csv.field_size_limit()})"
    ]
