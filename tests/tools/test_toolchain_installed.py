"""The installed toolchain: kubeconform with the generated schemas, and an idempotent bootstrap.

Marked `toolchain`: needs `make bootstrap` to have run; fails (never skips) when it has not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import bootstrap

pytestmark = pytest.mark.toolchain

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOOLS_SRC = Path(bootstrap.__file__).resolve().parent


def kubeconform(tools_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PAVEDROAD_TOOLS_DIR=str(tools_dir))
    return subprocess.run(
        ["bash", str(TOOLS_SRC / "kubeconform.sh"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_kubeconform_accepts_valid_core_and_crd_objects(tools_dir: Path) -> None:
    result = kubeconform(tools_dir, "-verbose", str(FIXTURES / "valid.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    for kind in (
        "Deployment",
        "Service",
        "Rollout",
        "PrometheusRule",
        "VirtualService",
        "ExternalSecret",
    ):
        assert f"{kind} " in result.stdout and "is valid" in result.stdout, result.stdout
    assert "Valid: 6, Invalid: 0, Errors: 0, Skipped: 0" in result.stdout


def test_kubeconform_rejects_misspelled_fields_and_wrong_types(tools_dir: Path) -> None:
    result = kubeconform(tools_dir, str(FIXTURES / "invalid.yaml"))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "additional properties 'imagePullPolice' not allowed" in out, out
    assert "additional properties 'stepz' not allowed" in out, out
    assert "/spec/replicas" in out, out
    assert "Invalid: 3, Errors: 0" in out, out


def test_kubeconform_fails_on_a_kind_without_schema(tools_dir: Path, tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n")
    result = kubeconform(tools_dir, str(unknown))
    assert result.returncode == 1
    assert "could not find schema for Gadget" in result.stdout


def test_every_generated_schema_compiles(tools_dir: Path, tmp_path: Path) -> None:
    """One minimal object per schema file: kubeconform must load every schema (Errors: 0)."""
    import json

    docs = []
    for path in sorted((tools_dir / "schemas").rglob("*.json")):
        props = json.loads(path.read_text()).get("properties", {})
        try:
            api_version = props["apiVersion"]["enum"][0]
            kind = props["kind"]["enum"][0]
        except (KeyError, IndexError):
            continue
        docs.append(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n")
    assert len(docs) > 300
    stream = tmp_path / "all.yaml"
    stream.write_text("---\n".join(docs))
    result = kubeconform(tools_dir, str(stream))
    assert f"{len(docs)} resources found" in result.stdout, result.stdout[-2000:]
    assert "Errors: 0, Skipped: 0" in result.stdout, result.stdout[-2000:]


def test_rerun_of_bootstrap_is_fast_and_changes_nothing(tools_dir: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(TOOLS_SRC / "bootstrap.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert took < 30, f"re-running the bootstrap took {took:.1f}s (limit 30s)\n{result.stdout}"
    for word in ("building", "downloading", "installing"):
        assert f" {word} " not in result.stdout, result.stdout
