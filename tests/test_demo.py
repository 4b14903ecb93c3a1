"""The README's first command: `make demo` renders the default example and runs it on its
embedded defaults with nothing but Python, and the `make simulate` command it prints gets the
service's reply through the Slack path, with no Slack workspace.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests import harness

SIMULATE = "make -C {dir} simulate TEXT='/notes add buy milk'"
READY_DEADLINE_SECONDS = 600


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.render
def test_make_demo_serves_and_its_simulate_command_replies(tmp_path: Path) -> None:
    demo_dir = tmp_path / "team-notes"
    env = {
        **os.environ,
        "APP_PORT": str(harness.free_port()),
        "LOCAL_SLACK_API_PORT": str(harness.free_port()),
    }
    for key in ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(key, None)
    # No pinned toolchain on PATH: the demo needs Python alone.
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(harness.tools_dir()))
    )
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(
            ["make", "--no-print-directory", "demo", f"DEMO_DIR={demo_dir}"],
            cwd=harness.REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{env['APP_PORT']}/readyz"
        end = time.monotonic() + READY_DEADLINE_SECONDS
        while not _ready(url):
            assert demo.poll() is None, f"make demo exited {demo.returncode}:\n{log.read_text()}"
            assert time.monotonic() < end, f"{url} never answered:\n{log.read_text()}"
            time.sleep(1)
        printed = log.read_text()
        command = SIMULATE.format(dir=demo_dir)
        assert command in printed, printed
        # The dev tools never went in: the runtime half of the venv is all the demo builds.
        assert not (demo_dir / ".venv" / ".installed").exists()
        assert not (demo_dir / ".venv" / "bin" / "ruff").exists()
        reply = subprocess.run(
            command, shell=True, env=env, capture_output=True, text=True, timeout=120
        )
        assert reply.returncode == 0, f"{reply.stdout}{reply.stderr}"
        assert "Saved note #1." in reply.stdout, reply.stdout
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)
