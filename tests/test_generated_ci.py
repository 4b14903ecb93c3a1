"""Generated CI tier: each example's own `make ci` passes with the pinned toolchain.

A failure shows the generated repository's own output, so the cause is visible here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

pytestmark = [pytest.mark.generated_ci, pytest.mark.toolchain, pytest.mark.slow]


@pytest.mark.parametrize("name", harness.example_names())
def test_generated_ci_passes(
    fresh_project: Callable[..., Path], toolchain: Path, wheelhouse: Path, name: str
) -> None:
    env = harness.generated_ci_env(harness.load_example(name), wheelhouse)
    output = harness.assert_make_passes(fresh_project(name), "ci", env=env)
    assert "make ci: passed:" in output
