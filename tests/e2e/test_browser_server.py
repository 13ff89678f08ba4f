"""`orgsim dashboard` as a process: it serves, it is the server, and stopping it stops it.

No browser here: plain HTTP to 127.0.0.1, the way a trainer's launcher or a script would
check the server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboards.serving import free_port, wait_for_http
from tests.e2e.conftest import start_dashboard


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_command_pid_stops_the_server(tmp_path, stop):
    port = free_port()
    process = start_dashboard(port, tmp_path, tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, 90)
        # The command became the server (exec): same pid, telemetry off in its environment.
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
        assert b"SOLARA_TELEMETRY_MIXPANEL_ENABLE=false" in environ
        assert f"ORGSIM_DASHBOARD_RESULTS={tmp_path}".encode() in environ
        process.send_signal(stop)
        process.wait(timeout=20)
        deadline = time.monotonic() + 5
        while answers(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not answers(url)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_missing_results_folder_stops_before_serving(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli", "dashboard", "--results", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: --results")
