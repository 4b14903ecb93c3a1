"""Observability tier: the default service's SLO rules, rule tests, alert routing, dashboard and
Collector checks pass with the real tools, and each broken artifact fails the check that names it.

One rendered copy with its virtualenv serves every case: a mutation edits files, runs the one
`make` target that must catch it, and restores the files, so no case pays for a new venv.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests import harness

pytestmark = [pytest.mark.mutation, pytest.mark.toolchain, pytest.mark.slow]

CHART_FILES = "charts/team-notes/files"
SLO_SPEC = "observability/slos.yaml"
SLO_RULES = f"{CHART_FILES}/prometheus/slo-rules.yaml"
ALERTMANAGER = "observability/alertmanager/alertmanager.yaml"
DASHBOARD = f"{CHART_FILES}/grafana/dashboard.json"
COLLECTOR = "observability/collector/config.yaml"
CHECKS = (
    "slo-spec-check",
    "slo-rules-check",
    "slo-buckets-check",
    "rules-check",
    "rules-test",
    "alert-metadata-check",
    "promql-check",
    "alertmanager-check",
    "collector-check",
)


@pytest.fixture(scope="module")
def project(
    rendered: Callable[..., Path],
    toolchain: Path,
    wheelhouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, dict[str, str]]]:
    copy = harness.copy_project(rendered("default"), tmp_path_factory.mktemp("obs") / "svc")
    env = harness.generated_ci_env(harness.load_example("default"), wheelhouse)
    harness.install_project_venv(copy, wheelhouse)
    yield copy, env


@pytest.fixture
def restored(project: tuple[Path, dict[str, str]]) -> Iterator[Path]:
    """The project; every file a case touches is put back afterwards."""
    root = project[0]
    keep = {
        rel: (root / rel).read_text(encoding="utf-8")
        for rel in (SLO_SPEC, SLO_RULES, ALERTMANAGER, DASHBOARD, COLLECTOR)
    }
    yield root
    for rel, text in keep.items():
        (root / rel).write_text(text, encoding="utf-8")


def test_observability_checks_pass(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    output = harness.assert_make_passes(root, "--keep-going", env=env, args=CHECKS)
    rules = yaml.safe_load((root / SLO_RULES).read_text(encoding="utf-8"))
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    # Availability, latency and (Slack app) acknowledgement SLOs, each with a page and a ticket.
    assert {(a["alert"], a["labels"]["severity"]) for a in alerts} == {
        (f"TeamNotes{slo}BudgetBurn", severity)
        for slo in ("Availability", "Latency", "SlackAck")
        for severity in ("page", "ticket")
    }
    for alert in alerts:
        assert f"route ok: {alert['alert']} severity={alert['labels']['severity']}" in output
    assert "SUCCESS" in output  # promtool test rules


def test_slo_rules_carry_the_workbook_burn_rates(project: tuple[Path, dict[str, str]]) -> None:
    text = (project[0] / SLO_RULES).read_text(encoding="utf-8")
    for factor in ("14.4", "6", "3", "1"):
        assert re.search(rf"\({re.escape(factor)} \* ", text), f"no {factor}x burn-rate condition"


@dataclass(frozen=True)
class Mutation:
    id: str
    check: str
    expect: str
    edit: Callable[[Path], None]
    regenerate: bool = False


def _replace(rel: str, old: str, new: str, *, regex: bool = False) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        harness.mutate(
            root,
            rel,
            (lambda t: re.sub(old, new, t, flags=re.S))
            if regex
            else (lambda t: t.replace(old, new)),
        )

    return edit


MUTATIONS = [
    Mutation(
        "burn-factor",
        "slo-rules-check",
        "slo-rules-check: charts/team-notes/files/prometheus/slo-rules.yaml is stale",
        _replace(SLO_RULES, "(14.4 * ", "(10 * "),
    ),
    Mutation(
        "runbook-url",
        "alert-metadata-check",
        "missing annotation runbook_url",
        _replace(
            SLO_SPEC,
            '        runbook_url: "https://github.com/acme/team-notes/blob/main/docs/runbooks/latency.md"\n',
            "",
        ),
        regenerate=True,
    ),
    Mutation(
        "page-route",
        "alertmanager-check",
        "must reach platform-page",
        _replace(
            ALERTMANAGER,
            r"    - receiver: platform-page\n.*?(?=    - receiver: platform-ticket)",
            "",
            regex=True,
        ),
    ),
    Mutation(
        "objective-out-of-range",
        "slo-spec-check",
        "slos[1].objective: 100.5 is outside (0, 100)",
        _replace(SLO_SPEC, "    objective: 99\n", "    objective: 100.5\n"),
    ),
    Mutation(
        "dashboard-metric",
        "promql-check",
        "reads route:http_server_requests:rate1m",
        _replace(
            DASHBOARD, "route:http_server_requests:rate5m", "route:http_server_requests:rate1m"
        ),
    ),
    Mutation(
        "collector-processor",
        "collector-check",
        "memory_limiter",
        _replace(COLLECTOR, "  memory_limiter:\n", "  memory_limiter_typo:\n"),
    ),
    Mutation(
        "latency-bucket",
        "slo-buckets-check",
        'le="0.35" is not a bucket boundary',
        _replace(SLO_SPEC, 'le="0.3"', 'le="0.35"'),
    ),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_broken_observability_fails_the_named_check(
    project: tuple[Path, dict[str, str]], restored: Path, mutation: Mutation
) -> None:
    env = project[1]
    mutation.edit(restored)
    if mutation.regenerate:
        harness.assert_make_passes(restored, "slo-rules", env=env)
    output = harness.assert_make_fails(restored, mutation.check, expect=mutation.expect, env=env)
    assert f"{mutation.check}] Error" in output  # make names the failed target
