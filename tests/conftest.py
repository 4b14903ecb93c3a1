"""Shared fixtures: a clean snapshot of the template and cached renders of it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import harness


@pytest.fixture(scope="session")
def template_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean git repository holding the template exactly as in the working tree."""
    return harness.snapshot_working_tree(tmp_path_factory.mktemp("template") / "pavedroad")


@pytest.fixture(scope="session")
def render_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return {}


@pytest.fixture(scope="session")
def rendered(
    template_snapshot: Path,
    tmp_path_factory: pytest.TempPathFactory,
    render_cache: dict[tuple[str, str], Path],
) -> Callable[..., Path]:
    """Pristine render of an example by name and engine, cached for the session. Do not modify."""

    def _rendered(name: str, engine: harness.Engine = "copier") -> Path:
        key = (name, engine)
        if key not in render_cache:
            dest = tmp_path_factory.mktemp(f"{name}-{engine}") / name
            answers = harness.load_example(name)
            kwargs: dict[str, Any] = {"src": template_snapshot}
            if engine == "copier":
                kwargs["vcs_ref"] = "HEAD"
            render_cache[key] = harness.render(engine, answers, dest, **kwargs)
        return render_cache[key]

    return _rendered


@pytest.fixture(scope="session")
def render_pool() -> Iterator[harness.RenderPool]:
    """A worker process that renders with copier or cookiecutter through their Python APIs,
    reusing compiled templates across the session's renders (harness.RenderPool)."""
    pool = harness.RenderPool(1)
    yield pool
    pool.close()


@pytest.fixture
def fresh_project(rendered: Callable[..., Path], tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """A private, writable copy of an example's render (for mutation and update tests)."""

    def _fresh(name: str, engine: harness.Engine = "copier") -> Path:
        return harness.copy_project(rendered(name, engine), tmp_path / f"{name}-{engine}")

    yield _fresh


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """tests/cookies runs only in its own pytest process, where pytest-cookies is loaded."""
    if collection_path.name == "cookies" and collection_path.parent == Path(__file__).parent:
        return not config.pluginmanager.has_plugin("cookies")
    return None


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Freshly built wheels of both libraries: the local stand-in for the company index."""
    from tests.e2e.images import build_library_wheels

    dest = tmp_path_factory.mktemp("wheelhouse")
    build_library_wheels(dest)
    return dest


@pytest.fixture(scope="session")
def toolchain() -> Path:
    """The pinned toolchain's bin directory; fails (never skips) when it is not installed."""
    bin_dir = harness.tools_dir() / "bin"
    required = ["helm", "conftest", "kubeconform", "yamllint", "hadolint", "actionlint"]
    missing = [tool for tool in required if not (bin_dir / tool).exists()]
    if missing:
        pytest.fail(
            f"the pinned toolchain is missing {missing} in {bin_dir}; run `make bootstrap`",
            pytrace=False,
        )
    return bin_dir


# The tools the chart tiers (test_chart, test_policy_mutation, test_access_finops) call.
CHART_TOOLS = ["helm", "conftest", "kubeconform", "opa", "helm-docs"]


@pytest.fixture(scope="session")
def chart_tools() -> dict[str, str]:
    """The pinned toolchain's environment; fails (never skips) when a chart tool is missing."""
    env = harness.toolchain_env()
    missing = [
        tool
        for tool in CHART_TOOLS
        if subprocess.run(["which", tool], env=env, capture_output=True).returncode
    ]
    if missing:
        pytest.fail(
            f"chart tools missing from the pinned toolchain: {missing}; run `make bootstrap`",
            pytrace=False,
        )
    return env
