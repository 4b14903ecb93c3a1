"""pytest-cookies renders the template in-process with cookiecutter's Python API.

pytest-cookies and pytest-copie both define `--template`, so they cannot load in one pytest
process: `make test` runs this directory in a run of its own (`-p no:copie -p cookies`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import harness

pytestmark = pytest.mark.render

TEMPLATE = str(harness.REPO_ROOT / "template")


@pytest.mark.parametrize("name", harness.example_names())
def test_cookies_bakes_each_example(cookies: Any, name: str) -> None:
    result = cookies.bake(extra_context=harness.load_example(name), template=TEMPLATE)
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == harness.load_example(name)["project_slug"]
    assert (result.project_path / "Makefile").is_file()
    assert not (result.project_path / harness.ANSWERS_FILE).exists()


def test_cookies_rejects_an_invalid_answer(cookies: Any) -> None:
    context = {**harness.load_example("default"), "slo_availability": "101"}
    result = cookies.bake(extra_context=context, template=TEMPLATE)
    assert result.exit_code != 0
    assert result.project_path is None or not result.project_path.exists()
