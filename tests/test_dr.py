"""Mutation tier for disaster recovery: the generated CI catches a missing backup and a runbook
step that points nowhere, and names the check.

- Without the Velero Schedules, `make chart-policy` (part of `make ci`) fails with BKP-001 for
  the release's workloads.
- A step of the restore runbook that names a script which does not exist fails
  `make runbook-check` (part of `make ci`), naming the file, the line and the script.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

pytestmark = [pytest.mark.mutation, pytest.mark.slow]

CHART = "charts/team-notes"


def test_default_render_backs_up_its_namespace(rendered: Callable[..., Path]) -> None:
    values = (rendered("default") / CHART / "values.yaml").read_text(encoding="utf-8")
    assert re.search(r"^backup:\n(?:  .*\n|\s*\n)*?  enabled: true$", values, re.MULTILINE)
    assert "runbook-check" in (rendered("default") / "mk" / "dr.mk").read_text(encoding="utf-8")


@pytest.mark.toolchain
def test_removing_the_velero_schedule_fails_ci(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        f"{CHART}/templates/velero.yaml",
        lambda text: text.replace(
            "{{- range $name, $schedule := .Values.backup.schedules }}",
            "{{- range $name, $schedule := dict }}",
        ),
    )
    output = harness.assert_make_fails(
        project, "chart-policy", expect="[BKP-001] ", args=harness.CHART_DEFAULT_AND_PROD
    )
    assert re.search(r"FAIL - \S+ - backup_namespace_backed_up - \[BKP-001\] Deployment/", output)


def test_restore_runbook_step_with_missing_script_fails_ci(
    fresh_project: Callable[..., Path],
) -> None:
    project = fresh_project("default")
    harness.assert_make_passes(project, "runbook-check")
    harness.mutate(
        project,
        "docs/runbooks/restore.md",
        lambda text: text.replace("scripts/restore_drill.py plan", "scripts/restore_db.py plan"),
    )
    harness.assert_make_fails(
        project, "runbook-check", expect="scripts/restore_db.py does not exist"
    )
