"""How smooth is the dashboard? Server-side frame time, and what the browser shows.

    .venv/bin/python -m benchmarks.dashboard_frame            # server side only (~1 min)
    .venv/bin/python -m benchmarks.dashboard_frame --browser  # also Chromium (~4 min)

Server side: one frame is what the play loop does each tick — advance the model one
working hour (the default speed, ½ day/s at 4 frames/s) and redraw the page (Solara
render, network SVG, chart options, widget updates) — timed by pressing Step on a page
rendered with Solara's test renderer. Measured on the workshop at about 60 people, on
the largest built-in scenario, and on Compare (three runs in lockstep).

Browser side (Chromium, needs the `chromium` Debian package): the time from pressing
Step to the new clock on screen (the round trip and the browser's update), the frames
shown per second while playing, and the wall time for the three presets to play to the
end on Compare at the default speed. Numbers go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
import uuid

WORKSHOP_60 = [  # the workshop scaled to 61 people (56 collaborators, 5 managers)
    "organisation.departments[0].collaborators=24",
    "organisation.departments[1].collaborators=14",
    "organisation.departments[2].collaborators=14",
    "organisation.departments[3].collaborators=4",
]
FRAMES = 120


def _largest_builtin() -> str:
    from simulator.loading import builtin_names, load_scenario

    def size(name: str) -> tuple[int, int]:
        scenario = load_scenario(name)
        tasks = scenario.project.tasks
        return scenario.organisation.headcount, tasks if isinstance(tasks, int) else len(tasks)

    return max(builtin_names(), key=size)


def _summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms"


def server_frames(page_name: str, scenario: str, overrides: list[str]) -> tuple[int, list[float]]:
    """Press Step FRAMES times on a rendered page; (people, seconds per frame)."""
    import ipyvuetify as v
    import solara
    import solara.server.starlette
    from solara.server import kernel, kernel_context

    from dashboards import state
    from dashboards.pages import compare, simulate
    from simulator.loading import load_scenario

    context = kernel_context.VirtualKernelContext(
        id=f"bench-{uuid.uuid4()}", kernel=kernel.Kernel(), session_id="bench"
    )
    with context:
        state.setup.value = state.ScenarioSetup.of(scenario, load_scenario(scenario, overrides))
        page = simulate.Page if page_name == "simulate" else compare.Page
        _box, rc = solara.render(page(), handle_error=False)
        step = next(w for w in rc.find(v.Btn).widgets if "Step" in w.children)
        if page_name == "simulate":
            people = len(state.simulate_run.value.model.org.people)
        else:
            people = sum(len(r.model.org.people) for r in state.compare_runs.value.runs)
        times = []
        for _ in range(FRAMES):
            started = time.perf_counter()
            step.click()
            times.append(time.perf_counter() - started)
    return people, times


def model_only(scenario: str, overrides: list[str]) -> list[float]:
    """The model's share of a frame: one working hour, no drawing."""
    from dashboards.simulation import SimulationRun
    from simulator.loading import load_scenario

    run = SimulationRun(load_scenario(scenario, overrides), "hierarchical", 3)
    times = []
    for _ in range(FRAMES):
        started = time.perf_counter()
        run.advance(1.0)
        run.frame()
        times.append(time.perf_counter() - started)
    return times


def browser_figures() -> None:
    """Round trip of Step, frames shown while playing, presets to the end on Compare."""
    import tempfile
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from dashboards.serving import (
        CHROMIUM_ARGS,
        VIEWPORT,
        chromium_executable,
        free_port,
        start,
        wait_for_http,
    )

    port = free_port()
    log = Path(tempfile.mkdtemp()) / "dashboard.log"
    server = start(port, None, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/", 90)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_ARGS
            )
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(url + "/")
            page.locator(".org-network").wait_for(timeout=60_000)
            round_trips = []
            for _ in range(20):
                before = page.locator(".day-counter").inner_text()
                started = time.perf_counter()
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(
                    "t => document.querySelector('.day-counter').innerText !== t", arg=before
                )
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
                round_trips.append(time.perf_counter() - started)
            print(f"browser  Step → new clock painted (workshop)      {_summary(round_trips)}")

            page.evaluate(
                """() => { window.__shown = []; new MutationObserver(() =>
                   window.__shown.push(performance.now())).observe(
                   document.querySelector('.day-counter'), {childList: true, subtree: true,
                   characterData: true}); }"""
            )
            page.get_by_role("button", name="Play").click()
            time.sleep(10)
            page.get_by_role("button", name="Pause").click()
            shown = page.evaluate("() => window.__shown")
            gaps = [(b - a) / 1000 for a, b in itertools.pairwise(shown)]
            print(
                f"browser  frames shown while playing: {len(shown) / 10:.1f}/s; "
                f"gap between frames {_summary(gaps)}"
            )

            page.goto(url + "/compare")
            page.locator(".policy-column").nth(2).wait_for(timeout=60_000)
            started = time.perf_counter()
            page.get_by_role("button", name="Play").click()
            page.wait_for_function(
                "() => document.querySelector('.kpi-table').innerText.includes('Final KPIs')",
                timeout=600_000,
                polling=250,
            )
            elapsed = time.perf_counter() - started
            finish = page.locator(".kpi-table").inner_text()
            print(
                f"browser  Compare, three presets (workshop, default speed) to the end: "
                f"{elapsed:.1f} s"
            )
            print(
                "         "
                + " | ".join(line for line in finish.splitlines() if line.startswith("lead time"))
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also measure in Chromium")
    args = parser.parse_args(argv)
    largest = _largest_builtin()
    cases = [
        ("simulate", "workshop", []),
        ("simulate", "workshop", WORKSHOP_60),
        ("simulate", largest, []),
        ("compare", "workshop", []),
    ]
    print(f"server-side frame = advance 1 working hour + redraw ({FRAMES} frames each)")
    for page, scenario, overrides in cases:
        people, times = server_frames(page, scenario, overrides)
        label = f"{page:8} {scenario}{' ×60' if overrides else ''} ({people} people)"
        print(f"server   {label:42} {_summary(times)}")
    for scenario, overrides in (("workshop", WORKSHOP_60), (largest, [])):
        label = f"model only {scenario}{' ×60' if overrides else ''}"
        print(f"server   {label:42} {_summary(model_only(scenario, overrides))}")
    if args.browser:
        browser_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
