"""Fixtures of the browser tests: a results folder, the dashboard server, Chromium.

The server is started the way a user starts it (`python -m cli dashboard`, which is
`orgsim dashboard`) on a free port, once per test session. Chromium is
Debian's (`.ci/run` installs it); no browser is ever downloaded. With CI=true a missing
Chromium fails the browser tests instead of skipping them.

Every browser context records requests that leave the machine and aborts them; each test
ends by checking that none happened (the dashboard must work offline).

Screenshots go to a temporary folder, or to docs/images when ORGSIM_UPDATE_SCREENSHOTS=1
(the pictures of docs/dashboard.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from dashboards import serving
from dashboards.serving import (
    CHROMIUM_ARGS,
    VIEWPORT,
    chromium_executable,
    free_port,
    wait_for_http,
)

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PREFIXES = (
    "http://127.0.0.1",
    "ws://127.0.0.1",
    "http://localhost",
    "ws://localhost",
    "data:",
    "blob:",
    "about:",
)
SERVER_START_SECONDS = 90
LOG_LINES_ON_FAILURE = 60
_server_logs: list[Path] = []  # the session's dashboard log, once the server is up


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the server's log: a failure seen once in CI
    can then be read from its report, without rerunning it."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _server_logs and "dashboard" in getattr(item, "fixturenames", ()):
        lines = _server_logs[0].read_text(errors="replace").splitlines()
        report.sections.append(
            (
                f"dashboard log (last {LOG_LINES_ON_FAILURE} lines)",
                "\n".join(lines[-LOG_LINES_ON_FAILURE:]),
            )
        )


def in_ci() -> bool:
    """True under CI (CI=true), where a missing browser is a failure."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


# --- a results folder in the layout of `orgsim sweep` -------------------------------------


def write_results_folder(folder: Path, replications: int = 4) -> Path:
    """A small real sweep of `workshop`: 3 policies × 3 problem rates × `replications` seeds.

    Written in the layout of the sweep engine (manifest.json, runs/part-*.parquet, and
    the files of `orgsim report`: summary.csv, report.html, a PNG), without its code.
    """
    import pandas as pd

    from simulator.loading import load_scenario
    from simulator.run import run_one

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runs").mkdir(exist_ok=True)
    rows = []
    rates = (0.01, 0.04, 0.08)
    policies = ("hierarchical", "cooperative", "self_managed")
    run_id = 0
    for cell, rate in enumerate(rates):
        scenario = load_scenario("workshop", [f"project.problem_rate={rate}"])
        for replicate in range(replications):
            seed = 100 + replicate
            for policy in policies:
                started = time.perf_counter()
                result = run_one(scenario, policy, seed)
                rows.append(
                    {
                        "run_id": run_id,
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": replicate,
                        "seed": seed,
                        "project.problem_rate": rate,
                        "status": "ok",
                        "error": None,
                        **result.kpis,
                        "elapsed_s": time.perf_counter() - started,
                    }
                )
                run_id += 1
    runs = pd.DataFrame(rows)
    runs.to_parquet(folder / "runs" / "part-00000.parquet", index=False)
    manifest = {
        "experiment": {"name": "uncertainty-vs-policy", "scenario": "workshop"},
        "parameters": {"project.problem_rate": {"values": list(rates)}},
        "runs": len(rows),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    summary = runs.groupby(["policy", "project.problem_rate"])["lead_time_days"].describe()
    summary.to_csv(folder / "summary.csv")
    (folder / "report.html").write_text("<html><body><h1>uncertainty-vs-policy</h1></body></html>")
    from dashboards.result_charts import distribution_figure, png_bytes

    (folder / "lead_time_days.png").write_bytes(png_bytes(distribution_figure(runs)))
    return folder


# --- the server -----------------------------------------------------------------------


def start_dashboard(port: int, results: Path | None, log: Path) -> subprocess.Popen:
    """`orgsim dashboard` as a process of its own, without the telemetry setting in its
    environment (the command must set it itself)."""
    env = dict(os.environ)
    env.pop("SOLARA_TELEMETRY_MIXPANEL_ENABLE", None)
    return serving.start(port, results, log, env=env)


@pytest.fixture(scope="session")
def results_root(tmp_path_factory) -> Path:
    """A results root holding one results folder ('uncertainty')."""
    root = tmp_path_factory.mktemp("results")
    write_results_folder(root / "uncertainty")
    return root


@pytest.fixture(scope="session")
def dashboard_server(results_root, tmp_path_factory):
    """(base URL, log file) of a dashboard server for the whole session."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "dashboard.log"
    process = start_dashboard(port, results_root, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/", SERVER_START_SECONDS)
    except TimeoutError:
        process.terminate()
        pytest.fail(f"the dashboard did not start:\n{log.read_text()[-3000:]}")
    _server_logs.append(log)
    yield url, log
    _server_logs.remove(log)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def dashboard(dashboard_server) -> str:
    """The base URL of the session's dashboard server."""
    return dashboard_server[0]


@pytest.fixture(scope="session")
def dashboard_log(dashboard_server) -> Path:
    """The session's dashboard server log (its output and Solara's warnings)."""
    return dashboard_server[1]


# --- the browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (missing: skip, or fail under CI)."""
    executable = chromium_executable()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class OfflineContext:
    """A browser context that aborts and records every request leaving the machine."""

    def __init__(self, browser, downloads: bool = True, **options):
        self.outside: list[str] = []
        options.setdefault("viewport", VIEWPORT)
        self.context = browser.new_context(accept_downloads=downloads, **options)
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def new_page(self):
        """A page of this context, with page errors and console errors recorded."""
        page = self.context.new_page()
        page.errors = []
        page.console_errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                page.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        return page

    def close(self) -> None:
        """Close the context."""
        self.context.close()


@pytest.fixture
def offline(browser):
    """Factory of offline contexts; checks at the end that nothing left the machine."""
    made: list[OfflineContext] = []

    def make(**options) -> OfflineContext:
        """A context; `options` go to Playwright (viewport, device_scale_factor...)."""
        context = OfflineContext(browser, **options)
        made.append(context)
        return context

    yield make
    outside = [url for context in made for url in context.outside]
    for context in made:
        context.close()
    assert outside == [], f"requests left the machine: {outside[:5]}"


@pytest.fixture
def page(offline, dashboard):
    """A page of a fresh session (its own model), on the Simulate page, loaded."""
    context = offline()
    opened = context.new_page()
    opened.goto(dashboard + "/")
    opened.locator(".orgsim-app .network svg").wait_for(timeout=60_000)
    return opened


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: docs/images with ORGSIM_UPDATE_SCREENSHOTS=1, else a temp folder."""
    if os.environ.get("ORGSIM_UPDATE_SCREENSHOTS", "") == "1":
        folder = ROOT / "docs" / "images"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")
