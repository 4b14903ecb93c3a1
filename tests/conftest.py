"""Shared fixtures: a clean snapshot of the template and cached renders of it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import harness

GIT_ENV = {
    "GIT_AUTHOR_NAME": "pavedroad-tests",
    "GIT_AUTHOR_EMAIL": "tests@pavedroad.invalid",
    "GIT_COMMITTER_NAME": "pavedroad-tests",
    "GIT_COMMITTER_EMAIL": "tests@pavedroad.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user configuration."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{result.stderr}")
    return result.stdout


def snapshot_working_tree(dest: Path) -> Path:
    """Copy the files git would commit (tracked and untracked-not-ignored) into a new repo."""
    listed = git(harness.REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        source = harness.REPO_ROOT / rel
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree but not yet in the index
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot of the working tree")
    return dest


@pytest.fixture(scope="session")
def template_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean git repository holding the template exactly as in the working tree."""
    return snapshot_working_tree(tmp_path_factory.mktemp("template") / "pavedroad")


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


@pytest.fixture
def fresh_project(rendered: Callable[..., Path], tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """A private, writable copy of an example's render (for mutation and update tests)."""

    def _fresh(name: str, engine: harness.Engine = "copier") -> Path:
        return harness.copy_project(rendered(name, engine), tmp_path / f"{name}-{engine}")

    yield _fresh
