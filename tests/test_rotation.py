"""Secret rotation in the generated service (issue 17): what renders, and what CI refuses.

The rotation policies (policy/rotation/, ROT-001..003) have their own allow and deny fixtures,
which `make policy-test` runs. Here the default render's chart is broken the way a careless
change would break it, and its own `make chart-policy` (part of `make ci`) must fail naming the
rule. Only the `default` values set is rendered, to keep each case to a few seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

CHART = "charts/team-notes"
ONE_SET = ["CHART_VALUE_SETS=default"]


def test_the_default_render_has_the_rotation_pieces(rendered: Callable[..., Path]) -> None:
    project = rendered("default")
    for relpath in (
        "docs/rotation.md",
        "requirements-rotation.lock",
        "mk/rotation.mk",
        ".github/workflows/rotate-secrets.yml",
        f"{CHART}/templates/rotation.yaml",
        "policy/rotation/database_rotation_job.rego",
    ):
        assert (project / relpath).is_file(), relpath
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    # The runner is a named stage; the app stays the last (default) one.
    assert "AS rotation\n" in dockerfile
    assert dockerfile.rstrip().endswith('CMD ["serve"]')
    lock = (project / "requirements-rotation.lock").read_text(encoding="utf-8")
    pins = re.findall(r"^([a-z0-9-]+)==", lock, flags=re.MULTILINE)
    assert {"boto3", "psycopg", "psycopg-binary"} <= set(pins)
    assert lock.count("--hash=sha256:") >= len(pins)
    internal = (project / "requirements-internal.txt").read_text(encoding="utf-8")
    assert "pavedroad-secrets==0.2.0" in internal


def test_a_service_without_database_has_no_rotation_job(rendered: Callable[..., Path]) -> None:
    project = rendered("minimal")
    answers = harness.load_example("minimal")
    if answers.get("database") == "postgresql":
        pytest.fail("examples/minimal.yml has a database; this test needs a render without one")
    assert not (project / "requirements-rotation.lock").exists()
    assert not (project / ".github/workflows/rotate-secrets.yml").exists()
    assert "AS rotation" not in (project / "Dockerfile").read_text(encoding="utf-8")


MUTATIONS = {
    "ROT-003": (
        f"{CHART}/templates/rotation.yaml",
        lambda text: text.replace(
            "{{- if and .Values.database.enabled .Values.rotation.enabled",
            "{{- if and false .Values.database.enabled .Values.rotation.enabled",
            1,
        ),
    ),
    "ROT-002": (
        f"{CHART}/values.yaml",
        lambda text: text.replace("  refreshInterval: 1h\n", "  refreshInterval: 200h\n", 1),
    ),
}


@pytest.mark.mutation
@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.parametrize("rule", sorted(MUTATIONS))
def test_breaking_rotation_fails_ci_naming_the_rule(
    fresh_project: Callable[..., Path], toolchain: Path, rule: str
) -> None:
    project = fresh_project("default")
    harness.mutate(project, *MUTATIONS[rule])
    output = harness.assert_make_fails(project, "chart-policy", expect=f"[{rule}] ", args=ONE_SET)
    failures = set(re.findall(r"FAIL - \S+ - \S+ - \[([A-Z]{3}-[0-9]{3})\]", output))
    assert failures == {rule}, output[-3000:]
