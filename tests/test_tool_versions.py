"""The generated .tool-versions pins the same versions as the template's own toolchain."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

pytestmark = pytest.mark.render

# Tools whose version in .tool-versions is not the Go module version of the manifest.
RELEASE_VERSIONS = {"promtool": "ldflags"}


def manifest_versions() -> dict[str, str]:
    manifest = tomllib.loads((harness.REPO_ROOT / "tools" / "versions.toml").read_text())
    versions: dict[str, str] = {}
    for name, spec in manifest.get("go", {}).items():
        version = spec["version"].removeprefix("v")
        if name in RELEASE_VERSIONS:  # e.g. promtool: module v0.316.0 is release 3.16.0
            version = spec["ldflags"].rsplit("=", 1)[-1]
        versions[name] = version
    for spec in manifest.get("pypi", {}).values():
        if isinstance(spec, dict):
            for binary in spec.get("bins", []):
                versions[binary] = spec["version"]
    return versions


def test_generated_tool_versions_match_the_manifest(rendered: Callable[..., Path]) -> None:
    pinned = manifest_versions()
    lines = (rendered("default") / ".tool-versions").read_text().splitlines()
    listed = dict(line.split() for line in lines if line and not line.startswith("#"))
    assert listed.pop("python") == "3.11"
    mismatched = {
        tool: (version, pinned.get(tool))
        for tool, version in listed.items()
        if pinned.get(tool) != version
    }
    assert not mismatched, f".tool-versions differs from tools/versions.toml: {mismatched}"
