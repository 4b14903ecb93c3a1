"""The internal pavedroad-* libraries come only from the company index or a local wheelhouse.

A generated repository never installs them from PyPI (anyone may publish those names there:
dependency confusion): `make venv` stops before installing anything when neither PIP_INDEX_URL
(a non-PyPI index) nor PIP_FIND_LINKS is set, and the generated CI has no PyPI fallback for a
missing PIP_INDEX_URL secret, so it fails closed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.render

UNSET = ("PIP_INDEX_URL", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "UV_INDEX_URL")


@pytest.mark.parametrize("index", [None, "https://pypi.org/simple"], ids=["no-index", "pypi"])
def test_make_venv_fails_closed_without_the_internal_index(
    fresh_project: Callable[..., Path], index: str | None
) -> None:
    project = fresh_project("default")
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    if index is not None:
        env["PIP_INDEX_URL"] = index
    result = subprocess.run(
        ["make", "--no-print-directory", "venv"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    assert "set PIP_INDEX_URL to the company index" in result.stderr, result.stderr
    assert not (project / ".venv").exists(), "it must stop before installing anything"


def test_the_generated_ci_has_no_pypi_fallback(rendered: Callable[..., Path]) -> None:
    workflow = yaml.safe_load((rendered("default") / ".github/workflows/ci.yml").read_text())
    assert workflow["env"]["PIP_INDEX_URL"] == "${{ secrets.PIP_INDEX_URL }}"
    internal = (rendered("default") / "requirements-internal.txt").read_text()
    assert "--extra-index-url" not in internal and "--index-url" not in internal
