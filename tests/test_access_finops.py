"""Access governance, FinOps guardrails and the capacity plan of the generated repository.

The default render's checks pass (compliance mapping, break-glass checklist, capacity plan);
`make grant-access` writes a grant the policies accept and refuses bad requests; a real bounded
load test runs against the default render on SQLite and the capacity script reads its baseline;
and each mutation (a standing elevated binding, a wildcard role, no quota, an HPA over the quota,
a missing cost label, a compliance entry to a deleted file) fails the generated CI naming the rule.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import harness

CHART = "charts/team-notes"
T = f"{CHART}/templates"


@pytest.mark.generated_ci
@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.usefixtures("chart_tools")
def test_default_render_passes_compliance_break_glass_and_capacity_checks(
    fresh_project: Callable[..., Path],
) -> None:
    project = fresh_project("default")
    output = harness.assert_make_passes(
        project, "compliance-check", args=["break-glass-check", "capacity-plan"]
    )
    assert "the incomplete sample is rejected (missing step, late step, absent review)" in output
    plan = json.loads((project / "out" / "capacity" / "prod.json").read_text())
    assert plan["problems"] == []
    assert plan["chart"]["max_replicas"] == 12


@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.usefixtures("chart_tools")
def test_grant_access_writes_a_checked_binding_and_refuses_bad_requests(
    fresh_project: Callable[..., Path],
) -> None:
    project = fresh_project("default")
    output = harness.assert_make_passes(
        project,
        "grant-access",
        args=["USER=alice@example.com", "ROLE=operator", "HOURS=4", "REASON=INC-7 restart workers"],
    )
    (grant,) = (project / "out" / "access" / "grants").glob("*.yaml")
    assert f"wrote out/access/grants/{grant.name}" in output
    text = grant.read_text()
    assert "name: team-notes-operator" in text and "access.pavedroad.io/expires-at" in text

    harness.assert_make_fails(
        project,
        "grant-access",
        args=["USER=bob", "HOURS=9", "REASON=too long a grant"],
        expect="HOURS=9: the maximum grant is 8 hours",
    )
    harness.assert_make_fails(
        project, "grant-access", args=["USER=bob", "REASON=x"], expect="REASON: say why"
    )
    harness.assert_make_fails(project, "grant-access", expect="give USER=<IdP user>")
    assert len(list((project / "out" / "access" / "grants").glob("*"))) == 1

    # The policy itself rejects a grant that has expired (the cleanup deletes such bindings).
    expired = re.sub(r'expires-at: "[^"]+"', 'expires-at: "2020-01-01T00:00:00Z"', text)
    grant.write_text(expired)
    result = subprocess.run(
        ["conftest", "test", "--no-color", "--all-namespaces", "--policy", "policy", str(grant)],
        cwd=project,
        env=harness.toolchain_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        result.returncode == 1 and "[ACC-004] " in result.stdout and "expired at" in result.stdout
    )


@pytest.mark.generated_ci
@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.usefixtures("chart_tools")
def test_bounded_load_test_writes_the_baseline_the_capacity_plan_reads(
    fresh_project: Callable[..., Path], wheelhouse: Path
) -> None:
    project = fresh_project("default")
    harness.install_project_venv(project, wheelhouse)
    env = harness.generated_ci_env(harness.load_example("default"), wheelhouse)
    harness.assert_make_passes(
        project, "loadtest", env=env, args=["LOADTEST_DURATION=8", "LOADTEST_CONCURRENCY=4"]
    )
    baseline = json.loads((project / "docs" / "capacity" / "baseline.json").read_text())
    assert baseline["requests"] > 0 and baseline["rps"] > 0
    assert baseline["error_rate"] == 0, baseline["errors"]
    assert 0 < baseline["p50_ms"] <= baseline["p95_ms"] <= baseline["p99_ms"]
    assert set(baseline["mix"]) == {"command_list", "command_add", "app_mention"}
    assert baseline["cpu_seconds_per_request"] > 0

    harness.assert_make_passes(project, "out/chart/default.manifests")
    result = subprocess.run(
        [
            "python3",
            "scripts/capacity_plan.py",
            "--manifests",
            "out/chart/default.manifests",
            "--output",
            "out/capacity/measured.json",
        ],
        cwd=project,
        env=harness.toolchain_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    # Whether this machine's numbers agree with the chart is not the point (timing never gates a
    # test); the plan must be computed from the fresh baseline and say what it found.
    assert result.returncode in (0, 1), result.stderr
    plan = json.loads((project / "out" / "capacity" / "measured.json").read_text())
    assert plan["cpu_seconds_per_request"] == baseline["cpu_seconds_per_request"]
    assert plan["replicas_at_peak"] >= 1
    assert "capacity-plan out/chart/default.manifests: peak 30 rps" in result.stdout


@dataclass(frozen=True)
class Mutation:
    rule: str
    what: str
    target: str
    path: str
    transform: Callable[[str], str]


def _replace(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new)


MUTATIONS = [
    Mutation(
        "ACC-004",
        "bind the IdP group to the operator role without expiry",
        "chart-policy",
        f"{T}/rbac.yaml",
        lambda text: re.sub(
            r"(kind: Group.*?roleRef:.*?name: \{\{ \$fullname \}\})-viewer",
            r"\1-operator",
            text,
            count=1,
            flags=re.S,
        ),
    ),
    Mutation(
        "ACC-001",
        "give the operator a wildcard verb",
        "chart-policy",
        f"{T}/_access.tpl",
        _replace("verbs: [get, update, patch]", 'verbs: ["*"]'),
    ),
    Mutation(
        "FIN-001",
        "delete the ResourceQuota",
        "chart-policy",
        f"{T}/resourcequota.yaml",
        lambda _: "",
    ),
    Mutation(
        "FIN-003",
        "let the HPA scale three times beyond the quota",
        "chart-policy",
        f"{T}/hpa.yaml",
        _replace(
            "maxReplicas: {{ .Values.autoscaling.maxReplicas }}",
            "maxReplicas: {{ mul .Values.autoscaling.maxReplicas 3 }}",
        ),
    ),
    Mutation(
        "FIN-005",
        "drop the cost-center label",
        "chart-policy",
        f"{T}/_finops.tpl",
        lambda text: re.sub(r"\ncost-center: [^\n]*", "", text, count=1),
    ),
    Mutation(
        "CMP-001",
        "delete a file the compliance mapping names",
        "compliance-check",
        "docs/capacity.md",
        lambda _: "",
    ),
]


@pytest.mark.mutation
@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.usefixtures("chart_tools")
@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.rule for m in MUTATIONS])
def test_breaking_access_or_finops_fails_ci(
    fresh_project: Callable[..., Path], mutation: Mutation
) -> None:
    project = fresh_project("default")
    if mutation.rule == "CMP-001":
        (project / mutation.path).unlink()
    else:
        harness.mutate(project, mutation.path, mutation.transform)
    # The default values set is enough to show the rule fires; the other sets render the same
    # templates (tests/test_policy_mutation.py covers the matrix for the Kubernetes rules).
    args = ["CHART_VALUE_SETS=default"] if mutation.target == "chart-policy" else []
    output = harness.assert_make_fails(
        project, mutation.target, args=args, expect=f"[{mutation.rule}] "
    )
    assert re.search(rf"FAIL - \S+ - \S+ - \[{mutation.rule}\]", output), mutation.what
