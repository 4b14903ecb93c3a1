"""Delivery of the generated service: Argo CD (deploy/), Argo Rollouts and the Istio mesh.

The default render's `make ci` runs every check of mk/deploy.mk (tests/test_generated_ci.py). Here:
- the canary analysis is derived from the SLO rules, not copied;
- the mesh=none render has no Istio resource and its Rollout is a replica-weighted canary;
- promotion refuses a digest that skipped an environment;
- the mutation tier: each broken delivery control fails the check of what Argo CD deploys to
  prod (`make deploy-policy-prod`: the prod render and deploy/argocd against the policies, the
  same rules `make chart-policy` and `make deploy-policy` apply in `make ci`), naming the rule.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import harness

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

CHART = "charts/team-notes"
T = f"{CHART}/templates"
ZERO_DIGEST = "sha256:" + "0" * 64
# The interpreter running the tests has PyYAML, all the promotion script needs.
VENV_BIN = f"VENV_BIN={Path(sys.executable).parent}"


def chart(project: Path) -> Path:
    (path,) = (project / "charts").iterdir()
    return path


def render(project: Path, *values: str) -> list[dict[str, Any]]:
    """`helm template` of the project's chart with the given values files."""
    files = [arg for name in values for arg in ("-f", str(chart(project) / name))]
    result = subprocess.run(
        [
            "helm",
            "template",
            chart(project).name,
            str(chart(project)),
            "--namespace",
            chart(project).name,
            "--kube-version",
            "1.35.4",
            *files,
        ],
        env=harness.toolchain_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if isinstance(doc, dict)]


def only(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


@pytest.mark.render
def test_canary_analysis_is_the_slo(rendered: Callable[..., Path]) -> None:
    project = rendered("default")
    docs = render(project, "values-prod.yaml", "ci/release.yaml")
    rules = yaml.safe_load((project / CHART / "files/prometheus/slo-rules.yaml").read_text())
    error_ratio = {
        rule["labels"]["sloth_slo"]: rule["expr"]
        for group in rules["groups"]
        for rule in group["rules"]
        if rule.get("record") == "slo:sli_error:ratio_rate5m"
    }
    slos = yaml.safe_load((project / "observability/slos.yaml").read_text())
    assert set(error_ratio) == {slo["name"] for slo in slos["slos"]}
    template = only(docs, "AnalysisTemplate")
    metrics = {m["name"]: m for m in template["spec"]["metrics"]}
    assert set(metrics) == {f"slo-{name}" for name in error_ratio}
    canary = 'job="team-notes",rollouts_pod_template_hash="{{args.pod-template-hash}}"'
    for name, expr in error_ratio.items():
        query = metrics[f"slo-{name}"]["provider"]["prometheus"]["query"]
        narrowed = expr.replace('job="team-notes"', canary)
        assert " ".join(narrowed.split()) in " ".join(query.split()), name
        assert 'job="team-notes"}' not in query and 'job="team-notes",' not in query.replace(
            canary, ""
        ), f"{name}: a selector of the query is not narrowed to the canary"
    availability = metrics["slo-availability"]["failureCondition"]
    assert availability == f"result[0] > {14.4 * (1 - 0.999):.6g}"
    rollout = only(docs, "Rollout")
    canary_strategy = rollout["spec"]["strategy"]["canary"]
    assert canary_strategy["analysis"]["templates"] == [{"templateName": "team-notes-slo"}]
    assert canary_strategy["steps"][-1] == {"pause": {}}, "prod needs the manual gate"
    monitor = only(docs, "ServiceMonitor")
    assert monitor["spec"]["podTargetLabels"] == ["rollouts-pod-template-hash"]


@pytest.mark.render
def test_mesh_resources_of_the_default_render(rendered: Callable[..., Path]) -> None:
    docs = render(rendered("default"), "values-staging.yaml")
    assert only(docs, "PeerAuthentication")["spec"] == {"mtls": {"mode": "STRICT"}}
    assert only(docs, "Sidecar")["spec"]["outboundTrafficPolicy"] == {"mode": "REGISTRY_ONLY"}
    entries = {d["metadata"]["name"] for d in docs if d["kind"] == "ServiceEntry"}
    assert entries == {"team-notes-slack-api", "team-notes-database"}
    rule = only(docs, "DestinationRule", "team-notes")["spec"]
    assert rule["trafficPolicy"]["tls"] == {"mode": "ISTIO_MUTUAL"}
    assert rule["trafficPolicy"]["outlierDetection"]["consecutive5xxErrors"] == 5
    assert [s["name"] for s in rule["subsets"]] == ["stable", "canary"]
    policies = {
        d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "AuthorizationPolicy"
    }
    assert policies["allow-nothing"] == {}
    assert set(policies) == {"allow-nothing", "team-notes-ingress-gateway", "team-notes-prometheus"}
    routes = only(docs, "VirtualService", "team-notes")["spec"]["http"]
    assert [r["name"] for r in routes] == ["slack", "read", "write"]
    routing = only(docs, "Rollout")["spec"]["strategy"]["canary"]["trafficRouting"]["istio"]
    assert routing["virtualService"]["routes"] == ["slack", "read", "write"]
    limit = only(docs, "EnvoyFilter")["spec"]["configPatches"]
    assert limit[0]["patch"]["value"]["name"] == "envoy.filters.http.local_ratelimit"


@pytest.mark.render
def test_mesh_none_has_no_istio_and_a_replica_weighted_canary(
    rendered: Callable[..., Path],
) -> None:
    project = rendered("alternatives")
    templates = sorted(p.name for p in (chart(project) / "templates").iterdir())
    assert not [name for name in templates if "istio" in name], templates
    for values in ("values-dev.yaml", "values-staging.yaml", "values-prod.yaml"):
        docs = render(project, values)
        istio = [d["kind"] for d in docs if "istio.io" in d["apiVersion"]]
        assert not istio, f"{values}: Istio resources without the mesh: {istio}"
        canary = only(docs, "Rollout")["spec"]["strategy"]["canary"]
        assert "trafficRouting" not in canary and canary["analysis"]["templates"]
    apps = (project / "deploy/argocd/apps/prod.yaml").read_text()
    assert "istio" not in apps


@pytest.mark.render
def test_promotion_refuses_a_digest_that_skipped_an_environment(
    fresh_project: Callable[..., Path],
) -> None:
    project = fresh_project("default")
    digest = "sha256:" + "a" * 64
    harness.assert_make_passes(project, "promote", args=["ENV=dev", f"DIGEST={digest}", VENV_BIN])
    harness.assert_make_fails(
        project, "promote", args=["ENV=staging", VENV_BIN], expect=f"{digest} has not passed dev"
    )
    harness.assert_make_passes(project, "promotion-record", args=["ENV=dev", VENV_BIN])
    harness.assert_make_passes(project, "promote", args=["ENV=staging", VENV_BIN])
    staging = (project / CHART / "values-staging.yaml").read_text()
    assert f'  digest: "{digest}"' in staging
    # A hand edit that skips staging is caught by `make ci`'s promotion check.
    harness.mutate(project, f"{CHART}/values-prod.yaml", lambda t: t.replace(ZERO_DIGEST, digest))
    harness.assert_make_fails(
        project,
        "promotion-check",
        args=["-o", ".venv/.installed", VENV_BIN],
        expect=f"values-prod.yaml: image.digest {digest} has not passed staging",
    )


@dataclass(frozen=True)
class Mutation:
    rule: str
    what: str
    path: str
    transform: Callable[[str], str]


def _sub(pattern: str, new: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, new, text, count=1, flags=re.S)


MUTATIONS = [
    Mutation(
        "MSH-001",
        "accept plain text (PERMISSIVE mTLS)",
        f"{T}/istio-security.yaml",
        _sub(r"mode: STRICT", "mode: PERMISSIVE"),
    ),
    Mutation(
        "MSH-002",
        "drop the DestinationRule's outlier detection",
        f"{T}/_mesh.tpl",
        _sub(
            r"outlierDetection:\n"
            r"  \{\{- toYaml \.Values\.mesh\.outlierDetection \| nindent 2 \}\}\n",
            "",
        ),
    ),
    Mutation(
        "MSH-003",
        "retry /slack/ past Slack's 3 s",
        f"{CHART}/values.yaml",
        _sub(r"(    slack:\n      timeout: 2500ms\n      retries:\n        attempts:) 1", r"\1 3"),
    ),
    Mutation(
        "GIT-001",
        "sync prod automatically",
        "deploy/argocd/apps/prod.yaml",
        _sub(r"  syncPolicy:\n", "  syncPolicy:\n    automated:\n      prune: true\n"),
    ),
    Mutation(
        "DLV-001",
        "roll out without the analysis",
        f"{T}/_rollout.tpl",
        _sub(
            r"  analysis:\n    \{\{- toYaml \$analysis \| nindent 4 \}\}\n    startingStep: 1\n", ""
        ),
    ),
]


@pytest.mark.mutation
@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.rule for m in MUTATIONS])
def test_breaking_a_delivery_control_fails_ci(
    fresh_project: Callable[..., Path], mutation: Mutation
) -> None:
    project = fresh_project("default")
    harness.mutate(project, mutation.path, mutation.transform)
    output = harness.assert_make_fails(project, "deploy-policy-prod", expect=f"[{mutation.rule}] ")
    failures = set(re.findall(r"FAIL - \S+ - \S+ - \[([A-Z]{3}-[0-9]{3})\]", output))
    assert mutation.rule in failures, f"{mutation.what}: {mutation.rule} did not fail"


@pytest.mark.render
def test_project_must_allow_every_rendered_kind(fresh_project: Callable[..., Path]) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        "deploy/argocd/project.yaml",
        lambda text: text.replace("    - group: argoproj.io\n      kind: Rollout\n", ""),
    )
    harness.assert_make_fails(
        project,
        "deploy-check",
        args=["-o", ".venv/.installed", VENV_BIN],
        expect="prod renders Rollout (group 'argoproj.io') but spec.namespaceResourceWhitelist",
    )
