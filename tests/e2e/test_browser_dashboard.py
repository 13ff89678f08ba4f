"""The dashboard in a real browser (Debian's Chromium through Playwright).

Stories a trainer or consultant lives through: open each page, load a scenario, play and
watch the clock and a chart move, change the policy, intervene mid-run, compare three
policies with the typical-run button, upload a bad file, open a results folder and
download its CSV, and two browsers driving different models. Every test also checks,
through the `offline` fixture, that no request left the machine.
"""

from __future__ import annotations

import re
import time

import pytest
import yaml

from simulator.loading import builtin_names, load_scenario
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
FITS_SCRIPT = """
() => {
  const doc = document.documentElement;
  const boxes = ['.orgsim-app', '.app-body', '.page'].map(s => document.querySelector(s));
  return {
    page: doc.scrollHeight <= window.innerHeight && doc.scrollWidth <= window.innerWidth,
    boxes: boxes.every(b => b && b.scrollHeight <= b.clientHeight + 1 && b.scrollWidth <= b.clientWidth + 1),
    bottom: Math.max(...boxes.map(b => b.getBoundingClientRect().bottom)) <= window.innerHeight,
  };
}
"""


def day_of(page) -> float:
    """The day on the page's clock."""
    text = page.locator(".day-counter").first.inner_text()
    return float(re.search(r"Day ([0-9.]+)", text).group(1))


def typical_headline(page, seconds: float = 120.0):
    """The typical run's headline, once shown; else a failure saying what the button and
    its note say instead (still running, cancelled, failed)."""
    headline = page.locator(".typical-headline")
    try:
        wait_until(lambda: headline.count() > 0, seconds)
    except AssertionError:
        button = page.locator(".typical-button").inner_text()
        notes = page.locator(".typical-note").all_inner_texts()
        pytest.fail(
            f"no typical-run headline after {seconds:.0f} s: button {button!r}, note {notes}"
        )
    return headline


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the select labelled `label`."""
    page.locator(f".v-select:has(label:text-is('{label}'))").first.click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()
    page.keyboard.press("Escape")


def pause(page) -> None:
    """Press Pause and wait until the page says it is paused (Play is back)."""
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    time.sleep(0.5)  # a frame already on its way may still arrive


def open_tab(page, name: str) -> None:
    """Open a tab of the Simulate side panel."""
    page.get_by_role("tab", name=name).click()


def assert_fits(page) -> None:
    """Nothing to scroll at 1280×720: the page and its layout boxes hold their content."""
    fits = page.evaluate(FITS_SCRIPT)
    assert fits == {"page": True, "boxes": True, "bottom": True}, fits


def test_every_page_is_readable_at_1280x720_offline(page, dashboard, screenshots):
    # Simulate, after a little play so that there is something on the charts.
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 2.0)
    pause(page)
    assert_fits(page)
    legend = page.locator(".org-legend").inner_text()
    for words in ("working", "blocked", "waiting for information", "idle", "left the project"):
        assert words in legend
    fills = set(
        page.eval_on_selector_all(
            # The people's shapes (the signs inside them are ink or white).
            ".org-network .person circle:not(.mark), .org-network .person rect:not(.mark)",
            "els => els.map(e => e.getAttribute('fill').toUpperCase())",
        )
    )
    assert fills <= OKABE_ITO | {"#D9D9D9", "#FFFFFF"}, fills  # state colours, idle grey, white
    page.screenshot(path=str(screenshots / "simulate.png"))

    page.get_by_role("button", name="Compare").click()
    page.locator(".policy-column").nth(2).wait_for()
    assert_fits(page)
    page.screenshot(path=str(screenshots / "compare.png"))

    page.get_by_role("button", name="Experiments").click()
    page.locator(".result-figure").first.wait_for(timeout=30_000)
    assert_fits(page)
    page.screenshot(path=str(screenshots / "experiments.png"))
    assert page.errors == []
    assert page.console_errors == []  # on every page: no error in the browser's console


def test_the_largest_builtin_organisation_still_fits(page):
    largest = max(builtin_names(), key=lambda n: len(load_scenario(n).organisation.departments))
    choose(page, "Scenario", largest)
    people = sum(d.collaborators or 0 for d in load_scenario(largest).organisation.departments)
    wait_until(lambda: page.locator(".org-network .person").count() > people)
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(page) > 0)
    assert_fits(page)  # long lists (one slider per department) scroll inside the panel


def test_play_moves_the_clock_and_the_charts(page):
    choose(page, "Scenario", "workshop")
    progress = page.locator(".chart[data-chart='progress']")
    assert day_of(page) == 0.0
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) > 1.5)
    wait_until(lambda: float(progress.get_attribute("data-last-day")) > 1.0)
    pause(page)
    paused = day_of(page)
    time.sleep(1.0)
    assert day_of(page) == paused  # paused means paused
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(page) > paused)
    page.get_by_role("button", name="Reset").click()
    wait_until(lambda: day_of(page) == 0.0)


def test_change_policy_then_intervene_mid_run_and_save(page, screenshots, tmp_path):
    choose(page, "Policy", "cooperative")
    open_tab(page, "Intervene")
    mechanisms = page.locator("table.mechanisms").inner_text()
    assert "co-decision" in mechanisms and "experts" in mechanisms

    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 3.0)
    pause(page)
    # Switch one mechanism: problems escalate up the chain of command from now on.
    page.get_by_role("button", name="escalate").click()
    page.get_by_role("button", name="Apply").click()
    feed = page.locator(".feed")
    wait_until(lambda: "who solves problems: experts → managers (escalate)" in feed.inner_text())
    assert "①" in feed.inner_text()
    wait_until(
        lambda: page.locator(".chart[data-chart='progress']").get_attribute("data-marks") == "1"
    )
    # Shocks: the best engineer leaves, problems triple.
    page.get_by_role("button", name="An expert leaves").click()
    wait_until(lambda: "left the project" in feed.inner_text())
    page.get_by_role("button", name=re.compile("Problem rate surges")).click()
    wait_until(lambda: "problem rate changed from" in feed.inner_text())
    assert page.locator(".org-network .person[data-state='departed']").count() == 1
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 5.0)
    pause(page)
    assert page.locator(".feed-change").count() == 3
    pinned = page.locator(".feed-pinned").inner_text()  # the room's changes stay in view
    assert page.locator(".feed-pin").count() == 3 and pinned.index("③") < pinned.index("①")
    wait_until(
        lambda: page.locator(".chart[data-chart='problems']").get_attribute("data-marks") == "3"
    )
    page.screenshot(path=str(screenshots / "intervention.png"))

    # Save the settings; `orgsim run` must accept the file.
    open_tab(page, "Files")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save as scenario YAML").click()
    saved = tmp_path / "saved.yaml"
    download.value.save_as(saved)
    scenario = load_scenario(str(saved))
    assert scenario.name == "workshop"
    assert scenario.policies["dashboard"].problem_solving == "escalate"
    assert "an expert" not in yaml.safe_dump(scenario.model_dump(mode="json"))


def test_bad_upload_shows_the_error_and_the_session_goes_on(page, tmp_path):
    open_tab(page, "Files")
    bad = tmp_path / "broken.yaml"
    bad.write_text(
        "name: broken\norganisation:\n  departments: [{name: a, collaborators: -3}]\n"
        "project: {tasks: 10}\n"
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    errors = page.locator(".upload-errors")
    errors.wait_for(timeout=20_000)
    assert "broken.yaml" in errors.inner_text()
    assert "collaborators" in errors.inner_text()

    # A file that points at a file on the server is refused too.
    sneaky = tmp_path / "sneaky.yaml"
    sneaky.write_text(
        "name: sneaky\norganisation:\n  departments: [{name: a, collaborators: 3}]\n"
        "project: {tasks_file: /etc/passwd}\n"
    )
    page.locator("input[type=file]").set_input_files(str(sneaky))
    wait_until(lambda: "files on the server" in errors.inner_text())

    # The session still works, and a good file loads.
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(page) > 0)
    good = tmp_path / "tiny.yaml"
    good.write_text(
        "name: tiny\norganisation:\n  departments: [{name: crew, collaborators: 4}]\n"
        "project: {tasks: 12}\n"
    )
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_text("Loaded tiny.yaml.").wait_for(timeout=20_000)
    open_tab(page, "Set up")
    assert "upload: tiny.yaml" in page.locator(".scenario-select").inner_text()
    wait_until(
        lambda: page.locator(".org-network .person").count() == 6
    )  # 4, a manager, the director


def test_compare_three_policies_and_the_typical_run(offline, dashboard, screenshots):
    page = offline().new_page()
    page.goto(dashboard + "/compare")
    columns = page.locator(".policy-column")
    columns.nth(2).wait_for(timeout=60_000)
    titles = [columns.nth(i).locator(".policy-title").inner_text() for i in range(3)]
    assert titles == ["hierarchical", "cooperative", "self-managed"]
    for _ in range(3):
        page.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(page) >= 0.37)
    days = page.locator(".org-network").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert len({d.split("day ")[1] for d in days}) == 1  # lockstep: one clock for all

    page.get_by_role("button", name=re.compile("Typical run")).click()
    headline = typical_headline(page)
    match = re.search(
        r"workshop, seed (\d+):.*?(\d+) of 20 runs look like this", headline.inner_text()
    )
    assert match, headline.inner_text()
    assert page.locator(".v-input:has(label:text-is('Seed')) input").input_value() == match.group(1)
    assert day_of(page) == 0.0  # the comparison restarted on the typical seed

    page.locator(".speed").get_by_role("button", name="5").click()
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: "Final KPIs" in page.locator(".kpi-table").inner_text(), seconds=120)
    assert page.locator(".chart[data-chart='overlay']").get_attribute("data-points") != "0"
    page.screenshot(path=str(screenshots / "compare-final.png"))


def test_results_folder_and_csv_download(offline, dashboard, tmp_path):
    page = offline().new_page()
    page.goto(dashboard + "/experiments")
    page.locator(".result-figure").nth(1).wait_for(timeout=60_000)
    assert "36 runs" in page.locator(".results-headline").inner_text()
    assert "hierarchical" in page.locator(".policy-table").inner_text()
    assert "0.08" in page.locator(".parameter-table").inner_text()
    # Paired differences to the baseline policy: per swept value, with wins in k of n.
    paired = page.locator(".paired-table").inner_text()
    assert "cooperative" in paired and "self-managed" in paired
    assert paired.count("of 4") == 6  # two policies × three rates, four pairs each
    choose(page, "Baseline policy", "cooperative")
    wait_until(lambda: "hierarchical" in page.locator(".paired-table").inner_text())
    assert "− cooperative" in page.locator(".paired-headline").inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="runs.csv").click()
    saved = tmp_path / "runs.csv"
    download.value.save_as(saved)
    header = saved.read_text().splitlines()[0].split(",")
    assert {"run_id", "policy", "seed", "lead_time_days", "project.problem_rate"} <= set(header)
    with page.expect_download() as download:
        page.get_by_role("button", name="summary.csv").click()
    assert download.value.suggested_filename == "summary.csv"


def test_two_browsers_drive_two_different_models(offline, dashboard):
    first = offline().new_page()
    second = offline().new_page()
    for page in (first, second):
        page.goto(dashboard + "/")
        page.locator(".org-network").wait_for(timeout=60_000)
    choose(second, "Policy", "self-managed")
    second.get_by_role("button", name="Play").click()
    for _ in range(4):
        first.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(second) >= 2.0)
    pause(second)
    assert day_of(first) == pytest.approx(0.5)  # four steps of one hour, whatever the other did
    assert "hierarchical" in first.locator(".org-network").get_attribute("aria-label")
    assert "self-managed" in second.locator(".org-network").get_attribute("aria-label")
    first.get_by_role("button", name="Reset").click()
    wait_until(lambda: day_of(first) == 0.0)
    assert day_of(second) >= 2.0
