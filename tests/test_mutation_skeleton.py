"""Mutation tier for the repository-wide checks: a broken artifact must fail `make ci`.

Later concerns (image, chart, policies, rules) add their own mutation tests using the same
helper, `harness.mutate`, and require the generated CI to name the broken rule.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

pytestmark = [pytest.mark.mutation, pytest.mark.toolchain]


def test_duplicate_yaml_key_fails_ci(fresh_project: Callable[..., Path], toolchain: Path) -> None:
    project = fresh_project("minimal")
    harness.mutate(
        project,
        ".pre-commit-config.yaml",
        lambda text: text.replace("repos:\n", "repos:\nrepos:\n", 1),
    )
    harness.assert_make_fails(
        project, "lint-yaml", expect=[".pre-commit-config.yaml", "duplication of key"]
    )


def test_missing_pinned_tool_fails_ci(fresh_project: Callable[..., Path], toolchain: Path) -> None:
    project = fresh_project("minimal")
    harness.mutate(project, ".tool-versions", lambda text: text + "no-such-tool 1.2.3\n")
    harness.assert_make_fails(
        project, "check-tools", expect="no-such-tool: not on PATH (pinned 1.2.3)"
    )


def test_mutation_that_changes_nothing_is_refused(
    fresh_project: Callable[..., Path],
) -> None:
    project = fresh_project("minimal")
    with pytest.raises(AssertionError, match="changed nothing"):
        harness.mutate(project, "Makefile", lambda text: text)
