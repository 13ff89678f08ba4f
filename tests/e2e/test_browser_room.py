"""The trainer's room in a real browser: what a projector and a room need.

The typical run belongs to the scenario on screen; status and clock tell the truth; no
internal identifier reaches the screen; text is legible from the back (16 px at least) and
the clock stays in view on small screens; the space bar and → drive the run; nothing is
fetched from the internet, by the browser or by the server on its behalf.
"""

from __future__ import annotations

import re
import time

import pytest

from dashboards.components.setup_panel import LIVE_TIP
from dashboards.serving import free_port, wait_for_http
from dashboards.theme import MIN_FONT_PX
from tests.e2e.conftest import start_dashboard
from tests.e2e.test_browser_dashboard import (
    assert_fits,
    choose,
    day_of,
    pause,
    typical_headline,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

# Every visible piece of text with the size it is drawn at on screen (CSS pixels): the
# computed font size times any scaling on the way (a Vuetify label shrunk with a transform,
# an SVG drawn smaller than its own coordinates).
TEXT_SIZES = """
() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.bottom < 0 || box.top > window.innerHeight) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    let scale = 1;
    if (el instanceof SVGElement) {
      const m = el.getScreenCTM();
      scale = m ? Math.hypot(m.a, m.b) : 1;
    } else if (el.offsetHeight > 0 && Math.abs(box.height / el.offsetHeight - 1) > 0.05) {
      scale = box.height / el.offsetHeight;
    }
    found.push([parseFloat(style.fontSize) * scale, text.slice(0, 40)]);
  }
  return found;
}
"""
# The browser's own tooltips: non-empty `title` attributes, and SVG <title> elements.
BROWSER_TOOLTIPS = """
() => [...document.querySelectorAll('[title]')]
  .filter(e => e.getAttribute('title').trim())
  .map(e => `${e.tagName}.${e.className}: ${e.getAttribute('title')}`)
  .concat([...document.querySelectorAll('svg title')].map(e => `svg title: ${e.textContent}`))
"""
# Every visible control (buttons, sliders, selects, switches, fields, tabs, links) that is
# cut horizontally or cannot be brought into view: outside the window's width, cut by a box
# that clips it, or below a box that clips without scrolling. A box that scrolls makes what
# it holds reachable: the control is then checked at that box's place.
CONTROLS_OUT_OF_REACH = """
() => {
  const found = [];
  const controls = document.querySelectorAll('.v-btn, .v-input, .v-tab, button, a[href]');
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('[aria-hidden="true"]')) continue;
    const name = `${el.className.baseVal ?? el.className} "${el.innerText.trim().slice(0, 30)}"`;
    let r = {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
    if (r.left < -0.5 || r.right > window.innerWidth + 0.5) {
      found.push(`outside the width: ${name}`);
      continue;
    }
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const cs = getComputedStyle(p);
      const pr = p.getBoundingClientRect();
      if (cs.overflowX !== 'visible' && (r.left < pr.left - 1 || r.right > pr.right + 1)) {
        found.push(`cut across by ${p.className}: ${name}`);
        break;
      }
      if (cs.overflowY === 'auto' || cs.overflowY === 'scroll') {
        const height = Math.min(r.bottom - r.top, pr.height);
        r = {left: r.left, right: r.right, top: pr.top, bottom: pr.top + height};
      } else if (cs.overflowY !== 'visible' && (r.top < pr.top - 1 || r.bottom > pr.bottom + 1)) {
        found.push(`cut by ${p.className}: ${name}`);
        break;
      }
    }
    if (r.top < -0.5 || r.bottom > window.innerHeight + 0.5) found.push(`below the window: ${name}`);
  }
  return found;
}
"""
# The text an ECharts chart has drawn on its canvas, read from its scene graph: [text,
# rotation in degrees, size in CSS pixels] of each piece (ECharts draws on a canvas: there is
# no SVG text to read; the component keeps its chart as `chart` on the Vue instance).
CHART_TEXTS = """
(name) => {
  const el = document.querySelector(`.chart[data-chart='${name}']`);
  let vm = el && el.__vue__;
  while (vm && !vm.chart) vm = vm.$parent;
  if (!vm) return null;
  const found = [];
  for (const piece of vm.chart.getZr().storage.getDisplayList(true)) {
    const text = piece.style && piece.style.text;
    if (!text) continue;
    const m = piece.getComputedTransform() || [1, 0, 0, 1, 0, 0];
    const size = parseFloat((piece.style.font || '').match(/([0-9.]+)px/)[1]);
    found.push([String(text), Math.atan2(m[1], m[0]) * 180 / Math.PI, size * Math.hypot(m[0], m[1])]);
  }
  return found;
}
"""
MARK_LABEL = re.compile(r"^([①-⑳]+|\(\d+\)|plan|deadline)$")
# Names only the code uses: a policy, a mechanism or a KPI as written in scenario files.
IDENTIFIERS = re.compile(r"\b[a-z]+_[a-z_]+\b")


def small_text(page) -> list[tuple[float, str]]:
    """Visible text drawn under MIN_FONT_PX (a tenth of a pixel of rounding allowed)."""
    return [(size, text) for size, text in page.evaluate(TEXT_SIZES) if size < MIN_FONT_PX - 0.1]


def in_view(page, selector: str) -> bool:
    """True when the element is wholly inside the window."""
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.width > 0 && r.left >= 0 && r.top >= 0"
        " && r.right <= window.innerWidth && r.bottom <= window.innerHeight; }"
    )


def out_of_reach(page, seconds: float = 5.0) -> list[str]:
    """Controls cut or out of reach (CONTROLS_OUT_OF_REACH), once the page has settled: a
    panel sliding in is cut by its frame until it has arrived; a real cut stays."""
    deadline = time.monotonic() + seconds
    found = page.evaluate(CONTROLS_OUT_OF_REACH)
    while found and time.monotonic() < deadline:
        time.sleep(0.2)
        found = page.evaluate(CONTROLS_OUT_OF_REACH)
    return found


def mark_labels(page, chart: str) -> list[tuple[str, float, float]]:
    """(text, rotation in degrees, size in px) of the labels of a chart's vertical marks."""
    texts = page.evaluate(CHART_TEXTS, chart) or []
    return [(text, angle, size) for text, angle, size in texts if MARK_LABEL.match(text)]


def upright_and_legible(labels: list[tuple[str, float, float]]) -> bool:
    """True when every label is horizontal (within half a degree) and at least 16 px."""
    return all(abs(angle) < 0.5 and size >= MIN_FONT_PX - 0.1 for _, angle, size in labels)


def status_of(page) -> str:
    return page.locator(".run-status").first.inner_text()


def open_compare(page, dashboard: str) -> None:
    page.goto(dashboard + "/compare")
    page.locator(".policy-column").nth(1).wait_for(timeout=60_000)


def test_switching_scenario_while_the_typical_run_computes_cancels_it(offline, dashboard):
    page = offline().new_page()
    open_compare(page, dashboard)
    # The largest built-in takes long enough (seconds a run) to be caught while it computes.
    choose(page, "Scenario", "transformation-programme")
    wait_until(
        lambda: (
            "transformation-programme"
            in page.locator(".org-network").first.get_attribute("aria-label")
        ),
        60,
    )
    button = page.locator(".typical-button")
    button.click()
    wait_until(lambda: "Running" in button.inner_text(), 30)
    choose(page, "Scenario", "workshop")
    note = page.locator(".typical-note")
    note.wait_for(timeout=30_000)
    assert "cancelled" in note.inner_text()
    assert page.locator(".typical-headline").count() == 0
    assert "Typical run" in button.inner_text()  # the button is free again

    button.click()
    headline = typical_headline(page)
    assert headline.inner_text().startswith("workshop, seed ")
    assert "transformation-programme" not in headline.inner_text()
    # A new seed, then Reset: the headline goes with the settings it belonged to.
    seed = page.locator(".v-input:has(label:text-is('Seed')) input")
    seed.fill(str(int(seed.input_value()) + 50))
    seed.press("Enter")
    wait_until(lambda: page.locator(".typical-headline").count() == 0)
    page.get_by_role("button", name="Reset").click()
    assert page.locator(".typical-headline").count() == 0
    assert page.errors == []


def test_status_says_paused_and_compare_shows_a_lead_time_only_at_the_finish(offline, dashboard):
    page = offline().new_page()
    open_compare(page, dashboard)
    lead_times = page.locator(".kpi-table tbody tr").first
    assert status_of(page) == "ready"
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 1.0)
    assert status_of(page) == "running"
    assert re.findall(r"\d", lead_times.inner_text()) == []  # no lead time before the end
    page.get_by_role("button", name="Pause").click()
    wait_until(lambda: status_of(page) == "paused")
    page.locator(".speed").get_by_role("button", name="5").click()
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: "Final KPIs" in page.locator(".kpi-table").inner_text(), 120)
    finishes = [
        float(
            re.search(
                r"finished day ([0-9.]+)", page.locator(".policy-column").nth(i).inner_text()
            ).group(1)
        )
        for i in range(3)
    ]
    cells = lead_times.locator("td").all_inner_texts()[1:]
    assert [float(c) for c in cells] == finishes  # the table's lead time is each run's finish
    assert day_of(page) == max(finishes)  # the clock stopped at the last finish
    assert status_of(page).startswith("finished on day")
    assert page.console_errors == []  # e.g. no "Initialize failed: invalid dom" from a chart


def test_no_internal_identifier_reaches_the_screen(page, offline, dashboard):
    choose(page, "Policy", "self-managed")
    page.get_by_role("tab", name="Intervene").click()
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 2.0)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Apply").click()
    wait_until(lambda: page.locator(".feed-change").count() == 1)
    texts = {"Simulate": page.locator(".orgsim-app").inner_text()}
    compare = offline().new_page()
    open_compare(compare, dashboard)
    for _ in range(8):
        compare.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(compare) >= 1.0)
    texts["Compare"] = compare.locator(".orgsim-app").inner_text()
    experiments = offline().new_page()
    experiments.goto(dashboard + "/experiments")
    experiments.locator(".result-figure").nth(2).wait_for(timeout=60_000)
    texts["Experiments"] = experiments.locator(".orgsim-app").inner_text()
    for name, text in texts.items():
        assert IDENTIFIERS.findall(text) == [], name
    assert "self-managed" in texts["Compare"] and "who solves problems" in texts["Simulate"]
    assert "self-managed" in texts["Experiments"] and "problem rate" in texts["Experiments"]


def test_text_is_at_least_16_px_and_presentation_mode_gives_the_network_the_room(
    page, offline, dashboard
):
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 2.0)
    page.get_by_role("button", name="Pause").click()
    assert small_text(page) == []
    for tab in ("Intervene", "Files"):
        page.get_by_role("tab", name=tab).click()
        assert small_text(page) == [], tab
    network = page.locator(".network").first
    width = network.bounding_box()["width"]
    page.get_by_role("button", name="Presentation").click()
    page.locator(".presenting").wait_for()
    assert page.locator(".side-panel").count() == 0 or not page.locator(".side-panel").is_visible()
    wait_until(lambda: network.bounding_box()["width"] > width + 200)
    assert small_text(page) == []
    boxes = [page.locator(s).first.bounding_box() for s in (".network", ".charts", ".feed")]
    areas = [b["width"] * b["height"] for b in boxes]
    assert areas[0] == max(areas)  # the network is the largest thing on the page
    page.get_by_role("button", name="Leave presentation").click()

    compare = offline().new_page()
    open_compare(compare, dashboard)
    compare.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(compare) > 0)
    assert small_text(compare) == []


@pytest.mark.parametrize(
    "window",
    [
        {"viewport": {"width": 1024, "height": 768}},
        {"viewport": {"width": 1024, "height": 576}, "device_scale_factor": 1.25},  # 125% zoom
    ],
    ids=["1024x768", "1280x720-at-125%"],
)
def test_small_screens_keep_the_clock_and_status_in_view(offline, dashboard, window):
    page = offline(**window).new_page()
    page.goto(dashboard + "/")
    page.locator(".org-network").wait_for(timeout=60_000)
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: day_of(page) > 0)
    for tab in ("Intervene", "Files", "Set up"):
        page.get_by_role("tab", name=tab).click()
        assert out_of_reach(page) == [], tab
    for where in ("Simulate", "Compare"):
        if where == "Compare":
            page.get_by_role("button", name="Compare").click()
            page.locator(".policy-column").nth(2).wait_for()
        assert in_view(page, ".day-counter"), where
        assert in_view(page, ".run-status"), where
        assert in_view(page, ".network"), where
        assert_fits(page)
        assert out_of_reach(page) == [], where
    assert small_text(page) == []
    page.get_by_role("button", name="Knobs").click()
    page.locator(".compare-knobs .knob-slider").first.wait_for()
    assert out_of_reach(page) == [], "Compare's knobs"
    assert in_view(page, ".day-counter") and in_view(page, ".run-status")
    page.get_by_role("button", name="Experiments").click()
    page.locator(".result-figure").first.wait_for(timeout=60_000)
    assert out_of_reach(page) == [], "Experiments"


def test_space_plays_and_pauses_and_the_right_arrow_steps(page):
    page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) > 0)
    assert page.locator(".day-counter").inner_text().startswith("Day 0.1")  # one hour of 8
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) == 0.5)
    assert status_of(page) == "paused"
    page.keyboard.press(" ")
    wait_until(lambda: status_of(page) == "running")
    wait_until(lambda: day_of(page) >= 1.0)
    page.keyboard.press(" ")
    wait_until(lambda: status_of(page) == "paused")
    page.get_by_role("button", name="Play").wait_for()
    paused = day_of(page)
    page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) > paused)
    # Typing a seed is typing, not driving the run.
    seed = page.locator(".v-input:has(label:text-is('Seed')) input")
    seed.click()
    seed.press(" ")
    assert status_of(page) == "paused"


def test_opening_experiments_makes_the_server_fetch_nothing(offline, tmp_path):
    """With an empty results folder the Experiments page explains itself in Markdown (above
    the shipped sample), whose component loads KaTeX through the server's CDN proxy unless
    the page says formulas are handled."""
    port = free_port()
    log = tmp_path / "server.log"
    (tmp_path / "results").mkdir()
    server = start_dashboard(port, tmp_path / "results", log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", 90)
        page = offline().new_page()
        page.goto(f"http://127.0.0.1:{port}/experiments")
        page.get_by_text("No results under").first.wait_for(timeout=60_000)
        # Solara's Markdown sets window.md once its scripts are loaded; a failed KaTeX
        # fetch never lets it get there.
        page.wait_for_function("() => window.md !== undefined", timeout=60_000)
        page.get_by_role("button", name="Compare").click()
        page.locator(".policy-column").nth(2).wait_for(timeout=60_000)
        assert page.errors == [] and page.console_errors == []
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert "Could not load URL" not in text
    assert "katex" not in text.lower()


def test_a_shock_on_compare_hits_every_policy(offline, dashboard):
    page = offline().new_page()
    open_compare(page, dashboard)
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) == 0.5)
    page.get_by_role("button", name="An expert leaves").click()
    columns = page.locator(".policy-column")
    wait_until(
        lambda: (
            [columns.nth(i).locator(".person[data-state='departed']").count() for i in range(3)]
            == [1, 1, 1]
        )
    )
    page.get_by_role("button", name=re.compile("Problems ×3")).click()
    page.get_by_role("button", name="Back to normal").wait_for()
    overlay = page.locator(".chart[data-chart='overlay']")
    wait_until(lambda: overlay.get_attribute("data-marks") == "2")
    assert "Every policy:" in page.locator(".shock-note").inner_text()
    # The marks' numbers stand upright and legible on the overlay, with the plan's name.
    wait_until(lambda: {t for t, _, _ in mark_labels(page, "overlay")} == {"①②", "plan"})
    labels = mark_labels(page, "overlay")
    assert upright_and_legible(labels), labels


def test_a_live_knob_moved_during_the_run_is_a_numbered_change(page):
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) == 0.5)
    page.get_by_text("Live: act on the run at once").wait_for()
    # The first live slider is the problem rate: a click near the end of its track.
    track = page.locator(".knob-slider").first
    box = track.bounding_box()
    track.click(position={"x": box["width"] * 0.9, "y": box["height"] / 2})
    wait_until(lambda: page.locator(".feed-change").count() >= 1)
    change = page.locator(".feed-change").first.inner_text()
    assert "problem rate changed" in change and "①" in page.locator(".orgsim-app").inner_text()
    assert day_of(page) == 0.5  # the same run goes on: no Reset, no new run
    assert page.get_by_text("New settings apply on Reset.").count() == 0
    # Each chart marks it with the same number, upright and legible from the back.
    for chart in ("progress", "problems", "messages"):
        wait_until(lambda chart=chart: "①" in [t for t, _, _ in mark_labels(page, chart)])
        labels = mark_labels(page, chart)
        assert upright_and_legible(labels), (chart, labels)


def test_a_live_knob_on_compare_is_a_numbered_change_in_every_policy(
    offline, dashboard, screenshots
):
    page = offline().new_page()
    open_compare(page, dashboard)
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) == 0.5)
    page.get_by_role("button", name="Knobs").click()
    page.get_by_text("Live: act on the run at once").wait_for()
    # The first live slider is the problem rate: a click at three quarters of its track
    # (a short one: the slider's ends are padding).
    track = page.locator(".compare-knobs .knob-slider").first
    box = track.bounding_box()
    track.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
    columns = page.locator(".policy-column")
    wait_until(lambda: all(columns.nth(i).locator(".feed-pin").count() == 1 for i in range(3)))
    for i in range(3):
        change = columns.nth(i).locator(".feed-pin").inner_text()
        assert "①" in change and "problem rate changed" in change, i
    overlay = page.locator(".chart[data-chart='overlay']")
    wait_until(lambda: overlay.get_attribute("data-marks") == "1")
    assert page.get_by_text("New settings apply on Reset.").count() == 0
    # The same runs go on from where they were.
    assert day_of(page) == 0.5
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: day_of(page) >= 1.0)
    assert status_of(page) == "running"
    assert page.get_by_text("New settings apply on Reset.").count() == 0
    assert [columns.nth(i).locator(".feed-pin").count() for i in range(3)] == [1, 1, 1]
    wait_until(lambda: day_of(page) >= 3.0)
    pause(page)
    page.screenshot(path=str(screenshots / "compare-knobs.png"))
    assert page.errors == []


def shown_tip(page, selector: str, target) -> tuple[str, float]:
    """Hover `target`; the text and font size (px) of the tooltip `selector` that appears."""
    target.hover()
    tip = page.locator(selector)
    tip.first.wait_for(state="visible")
    size = tip.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    return tip.first.inner_text(), size


def test_tooltips_are_the_pages_own_and_legible_never_the_browsers(page, offline, dashboard):
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    wait_until(lambda: day_of(page) == 1.0)
    for tab in ("Set up", "Intervene", "Files"):
        page.get_by_role("tab", name=tab).click()
        assert page.evaluate(BROWSER_TOOLTIPS) == [], tab
    page.get_by_role("tab", name="Set up").click()
    text, size = shown_tip(
        page, ".v-tooltip__content.menuable__content__active", page.locator(".knob-label").first
    )
    assert text == f"Problem rate: {LIVE_TIP}" and size >= MIN_FONT_PX
    text, size = shown_tip(page, ".orgsim-tip", page.locator(".kpi").first)
    assert text == "tasks finished so far" and size >= MIN_FONT_PX
    person = page.locator(".org-network .person").first
    text, size = shown_tip(page, ".orgsim-tip", person)
    assert "expertise" in text and size >= MIN_FONT_PX
    page.locator(".day-counter").hover()
    page.locator(".orgsim-tip").wait_for(state="hidden")

    compare = offline().new_page()
    open_compare(compare, dashboard)
    compare.get_by_role("button", name="Knobs").click()
    compare.locator(".compare-knobs .knob-label").first.wait_for()
    assert compare.evaluate(BROWSER_TOOLTIPS) == []
    people = compare.locator(".policy-column").nth(2).locator(".person")
    text, size = shown_tip(compare, ".orgsim-tip", people.first)
    assert "expertise" in text and size >= MIN_FONT_PX

    experiments = offline().new_page()
    experiments.goto(dashboard + "/experiments")
    experiments.locator(".result-figure").nth(2).wait_for(timeout=60_000)
    assert experiments.evaluate(BROWSER_TOOLTIPS) == []
