"""Generated CI tier: each example's own `make ci` passes with the pinned toolchain.

The default example runs standalone, as a new user's clone would: rendered, pushed to a repository
of its own and cloned into an empty directory with no template on disk, it installs what it needs
with its own `make tools` (the pinned tools on PATH, the kubeconform schemas generated from its
own copy of the generator) and then passes `make ci` with nothing pointing into the template,
its `.venv` built by its own `make venv` with pip. The other examples get their `.venv` from the
same lock files through the harness (uv), which saves a minute of CPU per run.

A failure shows the generated repository's own output, so the cause is visible here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

pytestmark = [pytest.mark.generated_ci, pytest.mark.toolchain, pytest.mark.slow]

STANDALONE = "default"
# Where a real service's answers point: a template repository this machine cannot reach.
UNREACHABLE_TEMPLATE = "https://git.invalid/platform/pavedroad.git"


def assert_chart_checks_reported(output: str) -> None:
    """`make ci`'s chart and policy targets ran and reported clean results."""
    assert "Invalid: 0, Errors: 0" in output  # kubeconform
    assert "0 failures" in output  # conftest
    assert "rejected as expected" in output  # chart-schema's invalid values
    assert "in sync with the Rego" in output  # the Gatekeeper templates


@pytest.mark.parametrize("name", [n for n in harness.example_names() if n != STANDALONE])
def test_generated_ci_passes(
    fresh_project: Callable[..., Path], toolchain: Path, wheelhouse: Path, name: str
) -> None:
    answers = harness.load_example(name)
    env = harness.generated_ci_env(answers, wheelhouse)
    project = fresh_project(name)
    # The venv from the same lock files with uv (seconds, where pip takes a minute of CPU): the
    # standalone run below builds it with the generated `make venv` itself.
    harness.install_project_venv(project, wheelhouse, harness.answers_python(answers))
    output = harness.assert_make_passes(project, "ci", env=env)
    assert "make ci: passed:" in output
    assert_chart_checks_reported(output)


def standalone_clone(rendered: Path, workdir: Path) -> Path:
    """The render committed to a repository of its own, whose answers name an unreachable
    template, and a `git clone` of it into an empty directory."""
    origin = harness.copy_project(rendered, workdir / "origin")
    answers = origin / harness.ANSWERS_FILE
    text = answers.read_text(encoding="utf-8")
    src_line = next(line for line in text.splitlines() if line.startswith("_src_path:"))
    answers.write_text(text.replace(src_line, f"_src_path: {UNREACHABLE_TEMPLATE}"), "utf-8")
    harness.git(origin, "init", "-q", "-b", "main")
    harness.git(origin, "add", "-A")
    harness.git(origin, "commit", "-q", "-m", "the service as rendered")
    clone = workdir / "clone"
    harness.git(workdir, "clone", "-q", str(origin), str(clone))
    return clone


def standalone_env(
    project: Path, toolchain: Path, workdir: Path, wheelhouse: Path
) -> dict[str, str]:
    """A user's machine after `mise install`: exactly the tools of .tool-versions on PATH (links
    to the pinned toolchain's), Go and Python, and nothing that names the template checkout."""
    pinned = [
        line.split()[0]
        for line in (project / ".tool-versions").read_text().splitlines()
        if line.strip() and not line.startswith("#") and line.split()[0] != "python"
    ]
    bin_dir = workdir / "bin"
    bin_dir.mkdir()
    for tool in pinned:
        assert (toolchain / tool).exists(), f"{tool} is pinned but not in {toolchain}"
        (bin_dir / tool).symlink_to(toolchain / tool)
    hidden = (str(harness.REPO_ROOT), str(harness.tools_dir()))
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p and not p.startswith(hidden)]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PAVEDROAD_", "KUBECONFORM"))
        and key not in ("PATH", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ARGS")
        and not any(h in value for h in hidden)  # PWD, OLDPWD, ... of the checkout
    }
    env["PATH"] = os.pathsep.join([str(bin_dir), *path])
    assert shutil.which("go", path=env["PATH"]), "the schemas need Go on PATH"
    # A cache of its own proves the schemas are generated here; Go's module cache is shared
    # (the bootstrap's, if any) so that the upstream modules are not downloaded again.
    env["TOOLS_CACHE"] = str(workdir / "tools-cache")
    cache = Path(os.environ.get("PAVEDROAD_CACHE", Path.home() / ".cache" / "pavedroad"))
    if (cache / "go" / "mod").is_dir():
        env.setdefault("GOMODCACHE", str(cache / "go" / "mod"))
    env.update(harness.generated_ci_env(harness.load_example(STANDALONE), wheelhouse))
    leaks = {k: v for k, v in env.items() if any(h in v for h in hidden)}
    assert not leaks, f"the environment still names the template checkout: {leaks}"
    return env


def test_default_example_stands_alone(
    rendered: Callable[..., Path], toolchain: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    clone = standalone_clone(rendered(STANDALONE), tmp_path)
    env = standalone_env(clone, toolchain, tmp_path, wheelhouse)
    outputs = []
    for target in ("tools", "ci"):
        result = subprocess.run(
            ["make", "--no-print-directory", target],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, (
            f"`make {target}` failed in the standalone clone {clone} (exit {result.returncode})\n"
            f"{output[-harness.OUTPUT_TAIL :]}"
        )
        outputs.append(output)
    tools, ci = outputs
    assert "schemas: generating for template" in tools
    schemas = clone / ".tools" / "schemas"
    assert schemas.is_symlink() and schemas.resolve().is_relative_to(tmp_path / "tools-cache")
    assert "make ci: passed:" in ci and "chart-kubeconform" in ci
    assert_chart_checks_reported(ci)
