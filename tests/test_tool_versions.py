"""One set of tool versions: the generated .tool-versions pins the same versions as the
template's own toolchain (tools/versions.toml), and the generated workflows and
.pre-commit-config.yaml install exactly those versions."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

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


# Action inputs that choose a tool's version: input name -> tool in .tool-versions.
VERSION_INPUTS = {"syft-version": "syft", "cosign-release": "cosign", "tofu_version": "tofu"}
MISE_ACTION = "jdx/mise-action@"
# What a run: script may not do: build or pip-install a pinned tool instead of taking mise's.
INSTALL_IN_SCRIPT = re.compile(r"go install (?P<go>[^\s@]+)@|pip install[^\n]*?(?P<pip>[\w.-]+)==")


def _go_tool(package: str) -> str:
    """The tool a `go install` path builds: its last element, or the one before a /vN suffix."""
    parts = package.split("/")
    return parts[-2] if re.fullmatch(r"v\d+", parts[-1]) and len(parts) > 1 else parts[-1]


def _tool_versions(project: Path) -> dict[str, str]:
    lines = (project / ".tool-versions").read_text().splitlines()
    return dict(line.split()[:2] for line in lines if line.strip() and not line.startswith("#"))


def _steps(workflow: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for job in (workflow.get("jobs") or {}).values():
        yield from job.get("steps") or []


def _same(version: str, pinned: str) -> bool:
    return version.removeprefix("v") == pinned


def version_disagreements(project: Path) -> list[str]:
    """Every place in the generated workflows and pre-commit config whose tool version is not
    the one .tool-versions pins, or that installs a pinned tool some other way than mise."""
    pinned = _tool_versions(project)
    problems: list[str] = []
    for path in sorted((project / ".github" / "workflows").glob("*.yml")):
        name = path.relative_to(project)
        workflow = yaml.safe_load(path.read_text())
        python = (workflow.get("env") or {}).get("PYTHON_VERSION")
        if python is not None and str(python) != pinned.get("python"):
            problems.append(f"{name}: PYTHON_VERSION {python} != python {pinned.get('python')}")
        for step in _steps(workflow):
            uses, inputs = step.get("uses", ""), step.get("with") or {}
            if uses.startswith(MISE_ACTION):
                for tool in str(inputs.get("install_args", "")).split():
                    tool_name, _, version = tool.partition("@")
                    if tool_name not in pinned:
                        problems.append(f"{name}: mise installs {tool_name}, not in .tool-versions")
                    elif version and not _same(version, pinned[tool_name]):
                        problems.append(f"{name}: mise installs {tool}, pinned {pinned[tool_name]}")
            for key, tool in VERSION_INPUTS.items():
                value = str(inputs.get(key, ""))
                if value and "${{" not in value and not _same(value, pinned.get(tool, "")):
                    problems.append(f"{name}: {uses} {key}: {value} != {tool} {pinned.get(tool)}")
            for match in INSTALL_IN_SCRIPT.finditer(str(step.get("run", ""))):
                tool = match.group("pip") or _go_tool(match.group("go"))
                # A tool .tool-versions pins comes from mise; one it does not pin (pip-audit, run
                # only online in CI) is pinned where it is installed.
                if tool in pinned:
                    problems.append(f"{name}: a script installs {tool}; take it from mise-action")
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    for repo in config.get("repos") or []:
        if repo.get("repo") in ("local", "meta"):
            for hook in repo.get("hooks") or []:
                for requirement in hook.get("additional_dependencies") or []:
                    tool, _, version = str(requirement).partition("==")
                    if tool in pinned and not _same(version, pinned[tool]):
                        problems.append(f".pre-commit-config.yaml: {requirement} != {pinned[tool]}")
            continue
        tool = str(repo.get("repo", "")).rstrip("/").rsplit("/", 1)[-1]
        if tool in pinned and not _same(str(repo.get("rev", "")), pinned[tool]):
            problems.append(
                f".pre-commit-config.yaml: {repo['repo']} rev {repo.get('rev')} "
                f"!= {tool} {pinned[tool]}"
            )
    return problems


def test_workflows_and_pre_commit_install_the_pinned_versions(
    rendered: Callable[..., Path],
) -> None:
    project = rendered("default")
    assert not version_disagreements(project)
    uses = "\n".join(
        (project / ".github" / "workflows" / name).read_text()
        for name in ("ci.yml", "chart.yml", "terraform.yml")
    )
    assert uses.count(MISE_ACTION) >= 4, "the tools come from .tool-versions through mise"


@pytest.mark.parametrize(
    ("relpath", "before", "after", "named"),
    [
        (".github/workflows/ci.yml", "syft-version: v1.57.1", "syft-version: v1.24.0", "syft"),
        (
            ".github/workflows/chart.yml",
            "install_args: helm conftest",
            "install_args: helm@3.15.2 conftest",
            "helm@3.15.2",
        ),
        (
            ".github/workflows/ci.yml",
            "- run: make venv\n",
            "- run: go install github.com/open-policy-agent/conftest@v0.50.0\n",
            "installs conftest",
        ),
        (
            ".pre-commit-config.yaml",
            "repos:\n",
            "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.18.0\n"
            "    hooks:\n      - id: gitleaks\n",
            "gitleaks",
        ),
        (".tool-versions", "python 3.11", "python 3.12", "PYTHON_VERSION"),
    ],
    ids=["action-input", "mise-version", "go-install", "pre-commit-rev", "python"],
)
def test_a_disagreeing_version_is_named(
    fresh_project: Callable[..., Path], relpath: str, before: str, after: str, named: str
) -> None:
    project = fresh_project("default")
    harness.mutate(project, relpath, lambda text: text.replace(before, after, 1))
    problems = version_disagreements(project)
    assert any(named in problem for problem in problems), problems


@pytest.mark.toolchain
def test_check_tools_compares_versions_not_just_presence(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    project = fresh_project("default")
    harness.mutate(project, ".tool-versions", lambda text: text.replace("helm 3.22", "helm 3.21"))
    harness.assert_make_fails(project, "check-tools", expect=["helm", "reports v3.22.0", "3.21.0"])
