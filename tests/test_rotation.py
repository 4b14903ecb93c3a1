"""Secret rotation in the generated service (issue 17): what renders, and what CI refuses.

The rotation policies (policy/rotation/, ROT-001..003) have their own allow and deny fixtures,
which `make policy-test` runs. Here the default render's chart is broken the way a careless
change would break it, and its own `make chart-policy` (part of `make ci`) must fail naming the
rule. Only one values set is rendered, to keep each case to a few seconds. The database client
certificate (a cert-manager Certificate the service reloads without a restart) renders in its
chart ci/ values set, where kubeconform validates it against the pinned CRD schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

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


CLIENT_TLS = "edge-database-client-tls"


def _documents(manifests: str, kind: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(manifests) if isinstance(d, dict) and d["kind"] == kind]


@pytest.mark.toolchain
def test_the_database_client_certificate_renders_validates_and_is_mounted(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    project = fresh_project("default")
    sets = [f"CHART_VALUE_SETS=default {CLIENT_TLS}"]
    harness.assert_make_passes(project, "chart-kubeconform", args=sets)
    harness.assert_make_passes(project, "chart-policy", args=sets)
    manifests = (project / f"out/chart/{CLIENT_TLS}.manifests").read_text(encoding="utf-8")
    (certificate,) = _documents(manifests, "Certificate")
    spec = certificate["spec"]
    assert spec["secretName"] == "team-notes-database-client-tls"
    assert spec["privateKey"]["rotationPolicy"] == "Always"
    assert spec["renewBefore"] == "240h" and spec["duration"] == "720h"
    assert spec["issuerRef"] == {
        "group": "cert-manager.io",
        "kind": "Issuer",
        "name": "database-ca",
    }
    assert "client auth" in spec["usages"]
    # The server and the migration Job mount it read-only and point the service at it.
    workloads = [*_documents(manifests, "Deployment"), *_documents(manifests, "Job")]
    by_name = {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in workloads}
    for name in ("team-notes", "team-notes-migrate"):
        pod = by_name[name]
        (volume,) = [v for v in pod["volumes"] if v["name"] == "database-client-tls"]
        assert volume["projected"]["sources"] == [{"secret": {"name": spec["secretName"]}}]
        mounts = pod["containers"][0]["volumeMounts"]
        assert {
            "name": "database-client-tls",
            "mountPath": "/var/run/secrets/database-client",
            "readOnly": True,
        } in mounts
    migrate_env = {
        e["name"]: e.get("value") for e in by_name["team-notes-migrate"]["containers"][0]["env"]
    }
    assert migrate_env["APP_DATABASE_TLS_DIR"] == "/var/run/secrets/database-client"
    configs = {
        k: v for c in _documents(manifests, "ConfigMap") for k, v in c.get("data", {}).items()
    }
    assert configs["APP_DATABASE_TLS_DIR"] == "/var/run/secrets/database-client"
    # Off by default: the default values set has no Certificate for the database.
    default = (project / "out/chart/default.manifests").read_text(encoding="utf-8")
    assert not _documents(default, "Certificate")
    assert "database-client" not in default


@pytest.mark.mutation
@pytest.mark.toolchain
def test_a_broken_client_certificate_fails_kubeconform(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        f"{CHART}/templates/database-certificate.yaml",
        lambda text: text.replace("rotationPolicy: Always", "rotationPolicy: Sometimes", 1),
    )
    harness.assert_make_fails(
        project,
        "chart-kubeconform",
        expect=["Certificate", "rotationPolicy"],
        args=[f"CHART_VALUE_SETS={CLIENT_TLS}"],
    )
