"""`orgsim dashboard`: its options, the server's command and environment, bad input."""

from __future__ import annotations

import argparse
import sys

import pytest

from cli import dashboard
from cli.main import build_parser, main


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["dashboard", *argv])


def test_defaults_serve_localhost_on_8765():
    args = parse()
    assert (args.host, args.port, args.results) == ("127.0.0.1", 8765, None)
    assert args.handler is dashboard.command


def test_options():
    args = parse("--host", "0.0.0.0", "--port", "9000", "--results", "out")
    assert (args.host, args.port, args.results) == ("0.0.0.0", 9000, "out")


@pytest.mark.parametrize("port", ["http", "-1", "70000"])
def test_bad_ports_are_refused(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse("--port", port)
    assert exit_.value.code == 2
    assert "port" in capsys.readouterr().err


def test_the_server_runs_the_app_in_production_mode():
    command = dashboard.server_command("127.0.0.1", 8765)
    assert command[:5] == [sys.executable, "-m", "solara", "run", "dashboards.app"]
    assert "--production" in command and "--no-open" in command
    assert command[command.index("--host") + 1] == "127.0.0.1"


def test_telemetry_is_off_and_the_results_root_is_passed(tmp_path):
    env = dashboard.server_environment(tmp_path, {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "true"})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["ORGSIM_DASHBOARD_RESULTS"] == str(tmp_path)
    assert "ORGSIM_DASHBOARD_RESULTS" not in dashboard.server_environment(
        None, {"ORGSIM_DASHBOARD_RESULTS": "/elsewhere"}
    )


def test_a_missing_results_folder_is_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dashboard.os, "execve", lambda *a: pytest.fail("server started"))
    code = main(["dashboard", "--results", str(tmp_path / "missing")])
    assert code == 2
    assert capsys.readouterr().err.startswith("error: --results")


def test_the_handler_becomes_the_server(tmp_path, monkeypatch):
    seen = {}

    def execve(path, argv, env):
        seen.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(dashboard.os, "execve", execve)
    main(["dashboard", "--port", "8999", "--results", str(tmp_path)])
    assert seen["argv"][seen["argv"].index("--port") + 1] == "8999"
    assert seen["env"]["ORGSIM_DASHBOARD_RESULTS"] == str(tmp_path.resolve())


def test_the_app_switches_telemetry_off_itself():
    import solara.server.settings

    import dashboards.app  # noqa: F401

    assert solara.server.settings.telemetry.mixpanel_enable is False
