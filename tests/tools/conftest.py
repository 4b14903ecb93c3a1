"""Fixtures for the toolchain tests: the manifest, and the installed toolchain when required."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tools import bootstrap

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPO_ROOT / "tools" / "bootstrap.py"


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    return bootstrap.load_manifest()


@pytest.fixture(scope="session")
def tools_dir() -> Path:
    """The bootstrapped toolchain. Fails (never skips) when `make bootstrap` has not run."""
    layout = bootstrap.Layout.from_env()
    check = subprocess.run(
        [sys.executable, str(BOOTSTRAP), "--check"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    if check.returncode != 0:
        pytest.fail(
            f"the pinned toolchain is not installed in {layout.tools}: run `make bootstrap` "
            f"(python3 tools/bootstrap.py) first.\n{check.stdout}\n{check.stderr}",
            pytrace=False,
        )
    return layout.tools
