"""The generated repository warns when the template has a newer release than it was rendered
from (scripts/check_template_release.py, run weekly by .github/workflows/template-update.yml)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

pytestmark = pytest.mark.render


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A template repository with the releases v0.1.0 and v0.2.0."""
    repo = tmp_path / "template"
    repo.mkdir()
    harness.git(repo, "init", "-q")
    for tag in ("v0.1.0", "v0.2.0"):
        harness.git(repo, "commit", "-q", "--allow-empty", "-m", tag)
        harness.git(repo, "tag", tag)
    return repo


def _check(project: Path, tmp_path: Path, commit: str, source: Path | str) -> str:
    answers = tmp_path / "answers.yml"
    answers.write_text(f"_commit: {commit}\n_src_path: {source}\nproject_slug: x\n")
    result = subprocess.run(
        [sys.executable, str(project / "scripts" / "check_template_release.py"), str(answers)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr  # a warning, never a failure
    return result.stdout


@pytest.mark.parametrize(
    ("commit", "warns"),
    [
        ("v0.1.0", True),
        ("v0.1.0-3-gabc1234", True),
        ("abc1234", True),
        ("v0.2.0", False),
        ("v0.2.0-1-gabc1234", False),
    ],
)
def test_a_newer_release_is_a_warning_naming_the_update(
    rendered: Callable[..., Path], template_repo: Path, tmp_path: Path, commit: str, warns: bool
) -> None:
    output = _check(rendered("default"), tmp_path, commit, template_repo)
    if warns:
        assert "::warning" in output and "copier update --vcs-ref v0.2.0" in output, output
    else:
        assert "::warning" not in output, output


def test_an_unreachable_template_is_a_notice(rendered: Callable[..., Path], tmp_path: Path) -> None:
    output = _check(rendered("default"), tmp_path, "v0.1.0", tmp_path / "missing")
    assert "::notice" in output, output
