"""Mutation tier for the chart and its policies: remove each mandatory control, one at a time.

Each case breaks the rendered chart (a template or a values file) of the default service the way
a careless change would, then requires the generated CI's policy check, `make chart-policy` (which
`make ci` runs; tests/test_chart.py proves that), to fail and to name the rule's ID. The advisory
rules are proven to warn without failing, unless POLICY_FAIL_ON_WARN is set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import harness

pytestmark = [
    pytest.mark.mutation,
    pytest.mark.toolchain,
    pytest.mark.slow,
    pytest.mark.usefixtures("chart_tools"),
]

CHART = "charts/team-notes"
T = f"{CHART}/templates"
CONTAINER_SC = "{{- toYaml .Values.securityContext | nindent 12 }}"
POD_SC = "{{- toYaml .Values.podSecurityContext | nindent 2 }}"


def omit_container(*keys: str) -> Callable[[str], str]:
    args = " ".join(f'"{k}"' for k in keys)
    return lambda text: text.replace(
        CONTAINER_SC, f"{{{{- toYaml (omit .Values.securityContext {args}) | nindent 12 }}}}"
    )


def omit_pod(*keys: str) -> Callable[[str], str]:
    args = " ".join(f'"{k}"' for k in keys)
    return lambda text: text.replace(
        POD_SC, f"{{{{- toYaml (omit .Values.podSecurityContext {args}) | nindent 2 }}}}"
    )


def cut(start: str, end: str) -> Callable[[str], str]:
    """Remove the text from `start` up to (not including) `end`."""
    return lambda text: re.sub(
        re.escape(start) + r".*?(?=" + re.escape(end) + ")", "", text, count=1, flags=re.S
    )


def replace(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new)


@dataclass(frozen=True)
class Mutation:
    rule: str
    what: str
    edits: tuple[tuple[str, Callable[[str], str]], ...]


MUTATIONS = [
    Mutation(
        "CTR-001",
        "drop runAsNonRoot from the pod and container securityContext",
        (
            (f"{T}/deployment.yaml", omit_container("runAsNonRoot")),
            (f"{T}/_helpers.tpl", omit_pod("runAsNonRoot")),
        ),
    ),
    Mutation(
        "CTR-002",
        "drop readOnlyRootFilesystem",
        ((f"{T}/deployment.yaml", omit_container("readOnlyRootFilesystem")),),
    ),
    Mutation(
        "CTR-003",
        "drop allowPrivilegeEscalation: false",
        ((f"{T}/deployment.yaml", omit_container("allowPrivilegeEscalation")),),
    ),
    Mutation(
        "CTR-004",
        "drop the capabilities drop list",
        ((f"{T}/deployment.yaml", omit_container("capabilities")),),
    ),
    Mutation(
        "CTR-005",
        "drop the seccomp profile",
        (
            (f"{T}/deployment.yaml", omit_container("seccompProfile")),
            (f"{T}/_helpers.tpl", omit_pod("seccompProfile")),
        ),
    ),
    Mutation(
        "CTR-006",
        "run the container privileged",
        (
            (
                f"{T}/deployment.yaml",
                replace(
                    CONTAINER_SC,
                    "{{- toYaml (set (deepCopy .Values.securityContext) "
                    '"privileged" true) | nindent 12 }}',
                ),
            ),
        ),
    ),
    Mutation(
        "CTR-007",
        "drop the resource limits",
        (
            (
                f"{T}/deployment.yaml",
                replace(
                    "{{- toYaml .Values.resources | nindent 12 }}",
                    '{{- toYaml (omit .Values.resources "limits") | nindent 12 }}',
                ),
            ),
        ),
    ),
    Mutation(
        "CTR-008",
        "delete the liveness probe",
        ((f"{T}/deployment.yaml", cut("          livenessProbe:", "          resources:")),),
    ),
    Mutation(
        "IMG-001",
        "deploy the latest tag",
        (
            (
                f"{T}/deployment.yaml",
                replace(
                    'image: {{ include "app.image" . | quote }}',
                    'image: "{{ .Values.image.repository }}:latest"',
                ),
            ),
        ),
    ),
    Mutation(
        "IMG-002",
        "promote to prod without the released digest",
        (
            (
                f"{CHART}/ci/release.yaml",
                lambda text: re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text),
            ),
        ),
    ),
    Mutation(
        "POD-001",
        "share the host network",
        (
            (
                f"{T}/deployment.yaml",
                replace(
                    "      serviceAccountName:",
                    "      hostNetwork: true\n      serviceAccountName:",
                ),
            ),
        ),
    ),
    Mutation(
        "POD-002",
        "mount a hostPath",
        (
            (
                f"{T}/deployment.yaml",
                replace(
                    "      volumes:\n",
                    "      volumes:\n        - name: host\n"
                    "          hostPath:\n            path: /var/run\n",
                ),
            ),
        ),
    ),
    Mutation(
        "POD-003",
        "mount the service account token",
        (
            (
                f"{T}/_helpers.tpl",
                replace(
                    "automountServiceAccountToken: false", "automountServiceAccountToken: true"
                ),
            ),
        ),
    ),
    Mutation(
        "AVL-001", "delete the PodDisruptionBudget template", ((f"{T}/pdb.yaml", lambda _: ""),)
    ),
    Mutation(
        "AVL-002", "delete the HorizontalPodAutoscaler template", ((f"{T}/hpa.yaml", lambda _: ""),)
    ),
    Mutation(
        "NET-001",
        "delete the default-deny NetworkPolicy",
        ((f"{T}/networkpolicy.yaml", cut("# Default deny:", "# The server:")),),
    ),
    Mutation(
        "NET-002",
        "allow DNS egress on every port",
        ((f"{T}/_networkpolicy.tpl", cut("  ports:\n    - protocol: UDP", "{{- end }}")),),
    ),
    Mutation(
        "NET-003",
        "admit the whole internet to the metrics port",
        (
            (
                f"{T}/networkpolicy.yaml",
                replace(
                    '{{- include "app.peer" (list $np.ingress.prometheus.namespace '
                    "$np.ingress.prometheus.podLabels) | nindent 8 }}",
                    "- ipBlock:\n            cidr: 0.0.0.0/0",
                ),
            ),
        ),
    ),
    Mutation(
        "SEC-001",
        "commit a Secret with plaintext data",
        (
            (
                f"{T}/configmap.yaml",
                lambda text: (
                    text + "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: handmade\n"
                    "stringData:\n  database-url: postgresql://app:hunter2@db/app\n"
                ),
            ),
        ),
    ),
    Mutation(
        "SEC-002",
        "put a password in the ConfigMap",
        (
            (
                f"{T}/configmap.yaml",
                replace("data:\n", 'data:\n  APP_DATABASE_PASSWORD: "hunter2"\n'),
            ),
        ),
    ),
    Mutation(
        "SEC-003",
        "put a Slack token in the environment",
        (
            (
                f"{CHART}/values.yaml",
                replace(
                    "env: []",
                    "env:\n  - name: APP_SLACK_BOT_TOKEN\n"
                    "    value: xoxb-123456789012-abcdefghijkl",
                ),
            ),
        ),
    ),
    Mutation(
        "SEC-004",
        "read the secrets without ExternalSecrets",
        ((f"{T}/externalsecret.yaml", lambda _: ""),),
    ),
    Mutation(
        "SEC-005",
        "never refresh the secrets",
        (
            (
                f"{T}/externalsecret.yaml",
                replace("  refreshInterval: {{ $.Values.externalSecrets.refreshInterval }}\n", ""),
            ),
        ),
    ),
    Mutation(
        "IAM-001",
        "drop the IRSA annotation",
        (
            (
                f"{T}/serviceaccount.yaml",
                lambda text: re.sub(r"    eks\.amazonaws\.com/role-arn:.*\n", "", text),
            ),
        ),
    ),
    Mutation(
        "ING-001",
        "serve the Ingress without TLS",
        ((f"{T}/ingress.yaml", cut("  tls:\n", "  rules:")),),
    ),
    Mutation(
        "ING-002",
        "drop the cert-manager issuer annotation",
        (
            (
                f"{T}/ingress.yaml",
                replace('{{- include "app.issuerAnnotation" . | nindent 4 }}', ""),
            ),
        ),
    ),
    Mutation(
        "JOB-001",
        "let the migration Job live forever",
        (
            (
                f"{T}/migration-job.yaml",
                lambda text: re.sub(r"  ttlSecondsAfterFinished:.*\n", "", text),
            ),
        ),
    ),
]


def apply(project: Path, mutation: Mutation) -> None:
    for relpath, transform in mutation.edits:
        harness.mutate(project, relpath, transform)


def test_every_mandatory_rule_has_a_mutation(rendered: Callable[..., Path]) -> None:
    policy = rendered("default") / "policy"
    mandatory = set()
    for path in policy.glob("kubernetes/*.rego"):
        text = path.read_text(encoding="utf-8")
        if "#   severity: deny" in text:
            (rule_id,) = re.findall(r"#   id: (\S+)", text)
            mandatory.add(rule_id)
    assert mandatory == {m.rule for m in MUTATIONS}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.rule for m in MUTATIONS])
def test_removing_a_mandatory_control_fails_ci(
    fresh_project: Callable[..., Path], mutation: Mutation
) -> None:
    project = fresh_project("default")
    apply(project, mutation)
    output = harness.assert_make_fails(
        project, "chart-policy", expect=f"[{mutation.rule}] ", args=harness.CHART_DEFAULT_AND_PROD
    )
    failures = set(re.findall(r"FAIL - \S+ - \S+ - \[([A-Z]{3}-[0-9]{3})\]", output))
    assert mutation.rule in failures, f"{mutation.what}: {mutation.rule} did not fail"


def test_advisory_rule_warns_without_failing_unless_asked(
    fresh_project: Callable[..., Path],
) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        f"{CHART}/values.yaml",
        lambda text: text.replace("podAntiAffinity: soft", "podAntiAffinity: none").replace(
            "topologySpread:\n  # -- Spread replicas over zones and nodes.\n  enabled: true",
            "topologySpread:\n  # -- Spread replicas over zones and nodes.\n  enabled: false",
        ),
    )
    output = harness.assert_make_passes(
        project, "chart-policy", args=harness.CHART_DEFAULT_AND_PROD
    )
    assert "WARN - " in output and "[AVL-101] " in output
    harness.assert_make_fails(
        project,
        "chart-policy",
        expect="[AVL-101] ",
        env={"POLICY_FAIL_ON_WARN": "1"},
        args=harness.CHART_DEFAULT_AND_PROD,
    )


def test_broken_rule_test_fails_ci(fresh_project: Callable[..., Path]) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        "policy/kubernetes/container_read_only_root.rego",
        replace("readOnlyRootFilesystem == true", "readOnlyRootFilesystem == false"),
    )
    harness.assert_make_fails(project, "policy-test", expect="container_read_only_root_test")


def test_stale_gatekeeper_templates_fail_ci(fresh_project: Callable[..., Path]) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        "policy/kubernetes/container_read_only_root.rego",
        lambda text: text.replace(
            "must set securityContext.readOnlyRootFilesystem",
            "needs securityContext.readOnlyRootFilesystem",
        ),
    )
    harness.assert_make_fails(
        project,
        "policy-gatekeeper-check",
        expect="out of date: policy/gatekeeper/templates/ctr-002-container-read-only-root.yaml",
    )


def test_stale_chart_readme_fails_ci(fresh_project: Callable[..., Path]) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        f"{CHART}/values.yaml",
        lambda text: text.replace("# -- Service type.", "# -- Kubernetes Service type."),
    )
    harness.assert_make_fails(project, "chart-docs-check", expect="README.md is out of date")
