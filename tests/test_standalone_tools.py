"""A generated repository's `make tools` (scripts/install_tools.py): what it does when a pinned
tool is missing from PATH. Its whole run, with the schemas, is the default example's standalone
generated CI (tests/test_generated_ci.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [pytest.mark.render]


def install_tools(
    project: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/install_tools.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def bare_env(tmp_path: Path) -> dict[str, str]:
    """No pinned tool on PATH (only Go, if any, and the system's), and a cache of the test's own."""
    go = shutil.which("go")
    path = [str(Path(go).parent)] if go else []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAVEDROAD_", "VIRTUAL_ENV"))}
    env.update(
        PATH=os.pathsep.join([*path, "/usr/bin", "/bin"]), TOOLS_CACHE=str(tmp_path / "cache")
    )
    return env


def test_a_tool_it_cannot_install_is_named_with_the_fix(
    fresh_project: Callable[..., Path], tmp_path: Path
) -> None:
    project = fresh_project("default")
    with (project / ".tool-versions").open("a") as fh:
        fh.write("nosuchtool 1.2.3\n")
    result = install_tools(project, bare_env(tmp_path), "--only", "nosuchtool")
    assert result.returncode == 1, result.stdout + result.stderr
    for expected in ("nosuchtool 1.2.3: could not install it", "not on PATH", "mise install"):
        assert expected in result.stderr


@pytest.mark.toolchain
def test_a_missing_go_tool_is_built_from_source_and_linked(
    fresh_project: Callable[..., Path], tmp_path: Path
) -> None:
    assert shutil.which("go"), "Go is part of the toolchain (docs/toolchain.md)"
    project = fresh_project("default")
    env = bare_env(tmp_path)
    # The bootstrap's Go caches, when present, make this a link step rather than a cold build.
    cache = Path(os.environ.get("PAVEDROAD_CACHE", Path.home() / ".cache" / "pavedroad")) / "go"
    if cache.is_dir():
        env.update(GOMODCACHE=str(cache / "mod"), GOCACHE=str(cache / "build"))
    lines = (project / ".tool-versions").read_text().splitlines()
    pins = dict(line.split()[:2] for line in lines if line.strip() and not line.startswith("#"))
    result = install_tools(project, env, "--only", "actionlint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"actionlint {pins['actionlint']}: installed (go)" in result.stdout
    linked = project / ".tools" / "bin" / "actionlint"
    assert linked.resolve().is_relative_to(tmp_path / "cache" / "go-bin")
    version = subprocess.run([linked, "-version"], capture_output=True, text=True, check=True)
    assert pins["actionlint"] in version.stdout
