"""Tools built from source report what upstream's release binaries report.

helm: upstream's release build sets, through ldflags, the Kubernetes version that `helm
template` and `helm lint` assume when no cluster is asked (the k8s.io/client-go minor of its
go.mod); a plain `go install` leaves helm's fallback, v1.20.0, which every chart requiring a
newer Kubernetes fails on. Marked `toolchain`: needs `make bootstrap` to have run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.toolchain


def _chart(root: Path, kube_version: str) -> Path:
    chart = root / "probe"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        f'apiVersion: v2\nname: probe\nversion: 0.1.0\nkubeVersion: "{kube_version}"\n'
    )
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n"
        "data:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
    )
    return chart


def test_plain_helm_template_assumes_upstreams_kubernetes_version(
    tools_dir: Path, tmp_path: Path
) -> None:
    helm = str(tools_dir / "bin" / "helm")
    result = subprocess.run(
        [helm, "template", str(_chart(tmp_path, ">=1.29.0-0"))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, (
        "helm assumes an old Kubernetes: rebuild it with upstream's ldflags "
        f"(tools/versions.toml [go.helm]): {result.stderr}"
    )
    assert 'kube: "v1.37.0"' in result.stdout, result.stdout


def test_helm_still_refuses_a_chart_for_a_newer_kubernetes(tools_dir: Path, tmp_path: Path) -> None:
    helm = str(tools_dir / "bin" / "helm")
    result = subprocess.run(
        [helm, "template", str(_chart(tmp_path, ">=1.99.0-0"))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "incompatible with Kubernetes v1.37.0" in result.stderr
