"""Serving the dashboard from a script: `orgsim dashboard` as a process of its own on a free
port, waiting until it answers, and the options of a headless Chromium that drives it.

    port = free_port()
    server = start(port, results=None, log=Path("dashboard.log"))
    wait_for_http(f"http://127.0.0.1:{port}/", 90)
    ...
    server.terminate()

Used by the browser tests and the dashboard benchmark. Only the standard library is
imported here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# No sandbox (containers), no GPU, nothing fetched in the background: the dashboard must
# work offline, so any request leaving the machine is the dashboard's.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 720}


def chromium_executable() -> str | None:
    """Debian's Chromium, if installed (no browser is ever downloaded)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    port: int, results: Path | None, log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen:
    """`orgsim dashboard --port PORT [--results DIR]` as a process of its own, started the
    way a user starts it; its output goes to `log`. `env` defaults to this process's."""
    command = [sys.executable, "-m", "cli", "dashboard", "--port", str(port)]
    if results is not None:
        command += ["--results", str(results)]
    environment = dict(os.environ if env is None else env)
    with open(log, "w") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )


def wait_for_http(url: str, seconds: float) -> None:
    """Wait until `url` answers (raises TimeoutError)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")
