"""The generated repository warns when the template has a newer release than it was rendered
from (scripts/check_template_release.py, run weekly by .github/workflows/template-update.yml)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness
from tools import release

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
        assert "::warning" in output and "copier update --trust --vcs-ref v0.2.0" in output, output
    else:
        assert "::warning" not in output, output


def test_an_unreachable_template_is_a_notice(rendered: Callable[..., Path], tmp_path: Path) -> None:
    output = _check(rendered("default"), tmp_path, "v0.1.0", tmp_path / "missing")
    assert "::notice" in output, output


@pytest.fixture
def untagged_template(tmp_path: Path) -> tuple[Path, list[str]]:
    """A template repository without tags whose CHANGELOG.md records release 0.1.0 at its second
    commit (as tools/release.py writes it); returns it and its three commits, oldest first."""
    repo = tmp_path / "untagged"
    repo.mkdir()
    harness.git(repo, "init", "-q")
    commits = []
    for message in ("before", "released", "after"):
        harness.git(repo, "commit", "-q", "--allow-empty", "-m", message)
        commits.append(harness.git(repo, "rev-parse", "HEAD").strip())
    (repo / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## Unreleased\n\n## 0.1.0 - 2026-11-30 (commit {commits[1]})\n\n- First.\n"
    )
    harness.git(repo, "add", "CHANGELOG.md")
    harness.git(repo, "commit", "-q", "-m", "changelog records 0.1.0")
    return repo, commits


@pytest.mark.parametrize(("rendered_at", "warns"), [(0, True), (1, False), (2, False)])
def test_without_tags_the_changelogs_recorded_commit_is_the_release(
    rendered: Callable[..., Path],
    untagged_template: tuple[Path, list[str]],
    tmp_path: Path,
    rendered_at: int,
    warns: bool,
) -> None:
    """copier records a bare commit when the template has no tags; the check compares it with the
    release commit CHANGELOG.md records, by ancestry."""
    repo, commits = untagged_template
    output = _check(rendered("default"), tmp_path, commits[rendered_at][:7], repo)
    if warns:
        assert "::warning" in output and f"--vcs-ref {commits[1]}" in output, output
        assert "release 0.1.0" in output, output
    else:
        assert "::warning" not in output and "::notice" not in output, output


def test_the_real_changelog_records_a_release_the_check_reads(
    rendered: Callable[..., Path], tmp_path: Path
) -> None:
    """This repository's CHANGELOG.md, in the format the generated check parses."""
    project = rendered("default")
    spec = importlib.util.spec_from_file_location(
        "check_template_release", project / "scripts" / "check_template_release.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    changelog = (harness.REPO_ROOT / "CHANGELOG.md").read_text()
    found = [m[4] for m in module.CHANGELOG_RELEASE.finditer(changelog)]
    assert found == list(release.recorded_releases(changelog).values()), found
    assert found, "CHANGELOG.md records no release commit"
