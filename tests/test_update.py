"""Update tier: a service rendered from an older template version takes in the current one.

The fixture builds a template repository with two tags: v0.1.0 is the working tree with one
file missing and one README line older, v0.2.0 is the working tree as it is. A service rendered
from v0.1.0 gets user edits, then `copier update` moves it to v0.2.0.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import harness

pytestmark = [pytest.mark.update, pytest.mark.slow]

PROJECT = Path("template") / "<{ cookiecutter.project_slug }>"
NEW_FILE = "docs/adr/0001-record-architecture-decisions.md"
CHANGED_LINE = (
    "make ci     # run the repository's whole local CI (the same checks as the GitHub workflows)"
)
OLD_LINE = "make ci     # run the repository's local CI"
USER_LINE = "make ci     # run every check before pushing (our team's habit)"


@pytest.fixture(scope="module")
def versioned_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository tagged v0.1.0 (older) and v0.2.0 (the working tree)."""
    current = harness.snapshot_working_tree(tmp_path_factory.mktemp("current") / "pavedroad")
    repo = tmp_path_factory.mktemp("versioned") / "pavedroad"
    shutil.copytree(current, repo, symlinks=True)
    readme = repo / PROJECT / "README.md"
    assert CHANGED_LINE in readme.read_text(), "update fixture is out of step with the README"
    readme.write_text(readme.read_text().replace(CHANGED_LINE, OLD_LINE))
    (repo / PROJECT / NEW_FILE).unlink()
    harness.git(repo, "add", "-A")
    harness.git(repo, "commit", "-q", "-m", "v0.1.0")
    harness.git(repo, "tag", "v0.1.0")
    shutil.copy2(current / PROJECT / "README.md", readme)
    shutil.copy2(current / PROJECT / NEW_FILE, repo / PROJECT / NEW_FILE)
    harness.git(repo, "add", "-A")
    harness.git(repo, "commit", "-q", "-m", "v0.2.0")
    harness.git(repo, "tag", "v0.2.0")
    return repo


def test_update_keeps_edits_adds_new_files_and_shows_conflicts_inline(
    versioned_template: Path, tmp_path: Path
) -> None:
    project = tmp_path / "team-notes"
    harness.render_copier(
        harness.load_example("default"), project, src=versioned_template, vcs_ref="v0.1.0"
    )
    assert not (project / NEW_FILE).exists()
    harness.git(project, "init", "-q", "-b", "main")
    harness.git(project, "add", "-A")
    harness.git(project, "commit", "-q", "-m", "rendered from v0.1.0")

    readme = project / "README.md"
    readme.write_text(readme.read_text().replace(OLD_LINE, USER_LINE))
    with (project / ".gitignore").open("a") as handle:
        handle.write("# our addition\n*.local\n")
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "oncall-notes.md").write_text("# On-call notes\n\nOur own page.\n")
    harness.git(project, "add", "-A")
    harness.git(project, "commit", "-q", "-m", "user edits")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "update",
            "--trust",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "v0.2.0",
            "--conflict",
            "inline",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    assert (project / NEW_FILE).is_file(), "a file added by the new version must arrive"
    assert (project / "docs" / "oncall-notes.md").is_file(), "a user's own file must survive"
    assert "*.local" in (project / ".gitignore").read_text(), "a user's edit must survive"
    text = readme.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text, "a conflict must be shown inline"
    assert USER_LINE in text and CHANGED_LINE in text, "both sides of the conflict must be shown"
    answers = yaml.safe_load((project / harness.ANSWERS_FILE).read_text())
    assert answers["_commit"] == "v0.2.0"
