"""Org charts from a people file: names, teams, roles, and the errors a bad file gets."""

from __future__ import annotations

import textwrap
import warnings

import pytest

from simulator.errors import InputError, ScenarioWarning
from simulator.loading import load_scenario
from simulator.model import OrgModel

SCENARIO = """\
name: named
organisation:
  people_file: people.csv
  departments:
    - {name: engineering, expertise: 0.55}
    - {name: legal}
project: {tasks: 30}
"""

PEOPLE = """\
name,department,team,role,expertise
Ada,engineering,core,collaborator,0.9
Bob,engineering,core,,0.6
Cy,engineering,apps,collaborator,
Dee,engineering,apps,collaborator,0.5
Eve,engineering,core,team_lead,
Fay,engineering,,manager,0.8
Gus,legal,,collaborator,0.7
Hal,,,director,0.5
"""


def _write(tmp_path, people: str, scenario: str = SCENARIO):
    (tmp_path / "people.csv").write_text(textwrap.dedent(people))
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario)
    return path


def test_people_file_gives_counts_teams_names_and_expertise(tmp_path):
    scn = load_scenario(_write(tmp_path, PEOPLE))
    engineering, legal = scn.organisation.departments
    assert (engineering.collaborators, engineering.teams) == (4, 2)
    assert (legal.collaborators, legal.teams) == (1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrgModel(scn, "hierarchical", rng=1)
        model.run_to_end()
    people = {p.name: p for p in model.org.people}
    assert people["Ada"].expertise == 0.9
    assert people["Cy"].expertise == 0.55  # empty: the department's mean
    assert people["Eve"].level == "team_lead" and people["Eve"].team == 0
    assert people["engineering lead 2"].level == "team_lead"  # no lead listed for "apps"
    assert people["Fay"].level == "department" and people["Fay"].expertise == 0.8
    assert people["Hal"].level == "director"
    assert model.kpis()["finished"]
    # Names appear in the records of who decided.
    deciders = {name for case in model.problem_records() for name in case.deciders.split(";")}
    assert deciders and deciders <= set(people)


@pytest.mark.parametrize(
    ("people", "line", "fragments"),
    [
        ("name,department\nAda,finance\n", 2, ["department", "unknown department", "finance"]),
        (
            "name,department,decision_hours\nAda,engineering,3\nGus,legal,\n",
            2,
            ["decision_hours", "applies to managers only", "(got 3)"],
        ),
        (
            "name,department,role,project_share\nAda,engineering,,\nGus,legal,,\n"
            "Mo,legal,manager,0.5\n",
            4,
            ["project_share", "applies to collaborators only"],
        ),
        (
            "name,department,expertise\nAda,engineering,1.4\nGus,legal,\n",
            2,
            ["expertise", "between 0 and 1"],
        ),
        (
            "name,department,role\nAda,engineering,boss\nGus,legal,\n",
            2,
            ["role", "unknown role", "boss"],
        ),
        ("name,department\nAda,engineering\nAda,legal\n", 3, ["named twice", "line 2"]),
        ("name,department\nAda,engineering\n", None, ["legal", "no collaborators"]),
        (
            "name,department,team,role\nAda,engineering,core,\nBo,engineering,apps,\nGus,legal,,\n"
            "Eve,engineering,ops,team_lead\n",
            5,
            ["team", "no collaborators"],
        ),
        (
            "name,department,team,role\nAda,engineering,,\nGus,legal,,\nEve,legal,,team_lead\n",
            4,
            ["role", "several teams"],
        ),
    ],
)
def test_bad_people_files_are_reported_with_file_line_and_column(tmp_path, people, line, fragments):
    path = _write(tmp_path, people)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    text = caught.value.render()
    assert text.startswith("error: ")
    assert len(text.splitlines()) <= 3
    for fragment in fragments:
        assert fragment in text
    if line is not None:
        assert f"people.csv:{line}:" in text


def test_extra_columns_are_kept_as_labels_and_a_misspelt_one_is_named(tmp_path):
    people = "name,department,grade,expertse\nAda,engineering,senior,0.9\nGus,legal,junior,\n"
    path = _write(tmp_path, people)
    with pytest.warns(ScenarioWarning, match="'expertse' is kept as a label.*expertise"):
        scn = load_scenario(path)
    model = OrgModel(scn, "cooperative")
    labels = {r.person: r.labels for r in model.person_records()}
    assert labels["Ada"] == "grade=senior; expertse=0.9"
    assert labels["Gus"] == "grade=junior"
    # The misspelt column is not read as expertise: Ada has the department's mean.
    ada = next(r for r in model.person_records() if r.person == "Ada")
    assert ada.expertise == scn.organisation.departments[0].expertise


def test_a_missing_people_file_is_an_input_error(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO)
    with pytest.raises(InputError, match="people_file"):
        load_scenario(path)
