"""Render tier for the generated service: the application, image and CI files of each example.

These checks need no toolchain; the generated repository's own `make ci` (generated-CI tier)
and the image build (e2e tier) exercise the same files for real.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests import harness

pytestmark = pytest.mark.render

EXAMPLES = harness.example_names()
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v?\d+(\.\d+)*$")


@pytest.fixture(params=EXAMPLES)
def project(request: pytest.FixtureRequest, rendered: Callable[..., Path]) -> tuple[str, Path]:
    return request.param, rendered(request.param)


def _answers(name: str) -> dict[str, object]:
    return {
        "slack_app": True,
        "database": "postgresql",
        "python_version": "3.11",
        **harness.load_example(name),
    }


def test_the_service_modules_match_the_answers(project: tuple[str, Path]) -> None:
    name, root = project
    answers = _answers(name)
    package = root / "src" / str(answers["package_name"])
    slack_modules = {"slack_app.py", "slack_client.py", "slack_endpoints.py", "event_dedup.py"}
    present = {p.name for p in package.glob("*.py")}
    if answers["slack_app"]:
        assert slack_modules <= present
        assert "api.py" not in present
    else:
        assert not slack_modules & present
        assert "api.py" in present
    has_postgres_helper = (root / "scripts" / "throwaway_postgres.py").exists()
    assert has_postgres_helper == (answers["database"] == "postgresql")
    assert (root / "migrations" / "versions" / "0001_initial_schema.py").exists()


def test_the_dockerfile_is_pinned_minimal_and_non_root(project: tuple[str, Path]) -> None:
    _name, root = project
    dockerfile = (root / "Dockerfile").read_text(encoding="utf-8")
    defaults = dict(
        re.findall(r"^ARG (BUILDER_IMAGE|RUNTIME_IMAGE)=(\S+)$", dockerfile, re.MULTILINE)
    )
    assert set(defaults) == {"BUILDER_IMAGE", "RUNTIME_IMAGE"}
    for image in defaults.values():
        assert re.search(r"@sha256:[0-9a-f]{64}$", image), f"{image} is not pinned by digest"
    if _answers(_name)["database"] == "postgresql":
        # builder and runtime, and the rotation runner's two stages before them (docs/rotation.md)
        assert dockerfile.count("\nFROM ") == 4, "builder, rotation-builder, rotation, runtime"
        assert "FROM ${RUNTIME_IMAGE} AS rotation\n" in dockerfile
        assert "!requirements-rotation.lock" in (root / ".dockerignore").read_text(encoding="utf-8")
    else:
        assert dockerfile.count("\nFROM ") == 2, "two stages: builder and runtime"
    # The app is the last stage, so a build without --target produces it.
    assert dockerfile.rsplit("\nFROM ", 1)[1].startswith("${RUNTIME_IMAGE}\n")
    assert dockerfile.count("USER 65532:65532") == dockerfile.count("FROM ${RUNTIME_IMAGE}")
    assert re.search(r"^USER 65532:65532$", dockerfile, re.MULTILINE)
    assert "--require-hashes" in dockerfile
    for line in dockerfile.splitlines():
        if "hadolint ignore" in line:
            index = dockerfile.splitlines().index(line)
            assert dockerfile.splitlines()[index - 1].startswith("#"), "an ignore needs its reason"
    ignore = (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in ignore, ".dockerignore must exclude everything by default"
    assert not any(entry.startswith("!tests") or entry.startswith("!.venv") for entry in ignore)


def test_the_workflow_is_pinned_least_privilege_and_complete(project: tuple[str, Path]) -> None:
    _, root = project
    text = (root / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert {"lint", "test", "security", "audit", "dast", "build", "scan", "sign"} <= set(
        workflow["jobs"]
    )
    for line in text.splitlines():
        if "uses:" in line:
            action = line.split("uses:", 1)[1].strip()
            assert SHA_PIN.match(action), f"not pinned by full SHA with a version comment: {action}"
    for job in workflow["jobs"].values():
        assert set(job.get("permissions", {"contents": "read"})) <= {
            "contents",
            "packages",
            "id-token",
            "security-events",
            "attestations",
        }
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uploads = {step["with"]["name"] for step in steps if "upload-artifact" in step.get("uses", "")}
    assert {"test-reports", "sbom"} <= uploads
    caches = [step["with"].get("cache") for step in steps if "setup-python" in step.get("uses", "")]
    assert caches
    assert all(cache == "pip" for cache in caches)


def test_the_lock_files_hold_no_local_paths(project: tuple[str, Path]) -> None:
    _, root = project
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (root / name).read_text(encoding="utf-8")
        assert "--hash=sha256:" in text
        assert "file:" not in text
        assert "/tmp" not in text
        assert "pavedroad-" not in text.split("#", 1)[0]
