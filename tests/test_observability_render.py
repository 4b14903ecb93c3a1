"""Render tier for the observability files: the pinned Collector build is the one the generated
repository describes, and every example's alerts link runbooks that exist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests import harness

pytestmark = pytest.mark.render


def components(manifest: Path) -> dict[str, list[str]]:
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    kinds = ("receivers", "processors", "exporters", "extensions", "connectors", "providers")
    return {kind: [entry["gomod"] for entry in doc.get(kind) or []] for kind in kinds}


def test_collector_manifest_matches_the_pinned_build(rendered: Callable[..., Path]) -> None:
    generated = rendered("default") / "observability" / "collector" / "builder.yaml"
    pinned = harness.REPO_ROOT / "tools" / "go" / "otelcol-pavedroad" / "builder.yaml"
    assert components(generated) == components(pinned)
    versions = {gomod.split()[1] for entries in components(pinned).values() for gomod in entries}
    assert len(versions) == 1, f"collector components from several releases: {versions}"
    tool_versions = (rendered("default") / ".tool-versions").read_text(encoding="utf-8")
    assert f"otelcol-pavedroad {versions.pop().removeprefix('v')}" in tool_versions


@pytest.mark.parametrize("name", harness.example_names())
def test_every_alert_links_an_existing_runbook(rendered: Callable[..., Path], name: str) -> None:
    project = rendered(name)
    spec = yaml.safe_load((project / "observability" / "slos.yaml").read_text(encoding="utf-8"))
    for slo in spec["slos"]:
        url = slo["alerting"]["annotations"]["runbook_url"]
        runbook = project / "docs" / "runbooks" / url.rsplit("/", 1)[-1]
        assert runbook.is_file(), f"{name}: {slo['name']} links {url}, but {runbook} is missing"
    slack = harness.load_example(name)["slack_app"]
    assert {s["name"] for s in spec["slos"]} == {"availability", "latency"} | (
        {"slack-ack"} if slack else set()
    )
