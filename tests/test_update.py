"""Update tier: a service rendered from an older template version takes in the current one.

The synthetic fixture builds a template repository with two tags: v0.1.0 is the working tree with
one file missing and one README line older, v0.2.0 is the working tree as it is. The real-history
test renders a service from every release CHANGELOG.md records (at its tag, or at the commit the
changelog records when this clone has no tags), edits it as a team would, and `copier update`s it
to the working tree tagged as the coming release, with the template's `_migrations`; the oldest
release's result then runs its own `make ci`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from tests import harness
from tools import release

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


# --- The real history: every release recorded in CHANGELOG.md, updated to the working tree ---

CHANGELOG_RELEASES = list(
    release.recorded_releases((harness.REPO_ROOT / "CHANGELOG.md").read_text())
)
USER_NOTES = "docs/oncall-notes.md"
LOG_LEVEL_MIGRATION = Version("0.2.0")  # copier.yml's _migrations: APP_LOG_LEVEL is gone
CONFLICT = re.compile(
    r"^<<<<<<< [^\n]*\n(?P<ours>.*?)^=======\n(?P<theirs>.*?)^>>>>>>> [^\n]*\n", re.M | re.S
)


def _migration_versions() -> list[Version]:
    config = yaml.safe_load((harness.REPO_ROOT / "copier.yml").read_text())
    return [Version(str(m["version"])) for m in config.get("_migrations", []) if "version" in m]


@pytest.fixture(scope="module")
def released_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The working tree, tagged as the coming release (the next minor, or the newest migration's
    version if that is higher, so that every migration runs), with each release of CHANGELOG.md
    tagged at its commit: its tag's in this repository, or the changelog's recorded one. Returns
    the repository and the coming release's tag."""
    repo = harness.snapshot_working_tree(tmp_path_factory.mktemp("released") / "pavedroad")
    assert CHANGELOG_RELEASES, "CHANGELOG.md records no release with its commit"
    for version in CHANGELOG_RELEASES:
        commit = release.release_commit(harness.REPO_ROOT, version)
        fetched = subprocess.run(
            ["git", "fetch", "-q", str(harness.REPO_ROOT), commit],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        assert fetched.returncode == 0, (
            f"release {version}'s commit {commit} is not in this clone ({fetched.stderr.strip()}); "
            "the update tier needs the full history: `git fetch --unshallow`"
        )
        harness.git(repo, "tag", f"v{version}", commit)
    newest = Version(CHANGELOG_RELEASES[0])
    coming = max([Version(f"{newest.major}.{newest.minor + 1}.0"), *_migration_versions()])
    harness.git(repo, "tag", f"v{coming}", "main")
    return repo, f"v{coming}"


def _copier_update(project: Path, ref: str, *trust: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "update",
            *trust,
            "--defaults",
            "--vcs-ref",
            ref,
            "--conflict",
            "inline",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **harness.GIT_ENV},
        check=False,
    )


def _changed_line(old: Path, new: Path) -> tuple[str, str]:
    """A text file both renders have and a line of the old one that the new one changed
    (the README if it has one): the place for a user edit that must conflict."""
    old_files, new_files = harness.project_files(old), harness.project_files(new)
    common = sorted(set(old_files) & set(new_files) - {harness.ANSWERS_FILE})
    for rel in sorted(common, key=lambda rel: rel != "README.md"):
        try:
            old_lines = old_files[rel].read_text().splitlines()
            new_lines = set(new_files[rel].read_text().splitlines())
        except UnicodeDecodeError:
            continue
        for line in old_lines:
            if len(line.strip()) > 20 and line not in new_lines and old_lines.count(line) == 1:
                return rel, line
    raise AssertionError("no line of the old render changed: nothing to make a conflict with")


@pytest.mark.parametrize(
    "version",
    [
        pytest.param(
            version,
            id=f"v{version}",
            # The oldest release's update runs its own whole `make ci` (minutes); the rest do not.
            marks=[pytest.mark.generated_ci, pytest.mark.toolchain] if index == 0 else [],
        )
        for index, version in enumerate(reversed(CHANGELOG_RELEASES))
    ],
)
def test_every_release_updates_to_the_working_tree(
    released_template: tuple[Path, str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    version: str,
) -> None:
    repo, coming = released_template
    answers = yaml.safe_load(harness.git(repo, "show", f"v{version}:examples/default.yml"))
    project, expected = tmp_path / "team-notes", tmp_path / "expected" / "team-notes"
    harness.render_copier(answers, project, src=repo, vcs_ref=f"v{version}")
    harness.render_copier(answers, expected, src=repo, vcs_ref=coming)
    harness.git(project, "init", "-q", "-b", "main")
    harness.git(project, "add", "-A")
    harness.git(project, "commit", "-q", "-m", f"rendered from v{version}")

    # The user's edits: a line the template changes since, a file and a line of their own, and
    # (for a release before 0.2.0) the log level set the way that release read it.
    conflicted, old_line = _changed_line(project, expected)
    harness.mutate(project, conflicted, lambda text: text.replace(old_line, USER_LINE))
    with (project / ".gitignore").open("a") as handle:
        handle.write("# our addition\n*.local\n")
    migrates = Version(version) < LOG_LEVEL_MIGRATION <= Version(coming[1:])
    level = "APP_LOG_LEVEL" if migrates else "PAVEDROAD_LOG_LEVEL"
    (project / USER_NOTES).write_text(f"# On-call notes\n\nDebug with `{level}=DEBUG make run`.\n")
    values_prod = next(project.glob("charts/*/values-prod.yaml"))
    if migrates:
        harness.mutate(
            project,
            values_prod.relative_to(project).as_posix(),
            lambda text: text.replace(
                "\ntelemetry:\n", "\napp:\n  extraConfig:\n    APP_LOG_LEVEL: WARNING\ntelemetry:\n"
            ),
        )
    harness.git(project, "add", "-A")
    harness.git(project, "commit", "-q", "-m", "user edits")

    if migrates:  # a migration runs code from the template: copier asks for --trust
        refused = _copier_update(project, coming)
        assert refused.returncode != 0 and "migrations" in refused.stderr, refused.stderr
        assert harness.git(project, "status", "--porcelain") == "", (
            "a refused update changes nothing"
        )
    result = _copier_update(project, coming, "--trust")
    assert result.returncode == 0, result.stderr

    edited = {conflicted, ".gitignore", USER_NOTES, values_prod.relative_to(project).as_posix()}
    got, want = harness.project_files(project), harness.project_files(expected)
    rendered_before = harness.git(project, "ls-tree", "-r", "--name-only", "HEAD~1").splitlines()
    new_files = sorted(set(want) - set(rendered_before))
    assert new_files, f"nothing new since v{version}: the update would prove nothing"
    missing = [rel for rel in new_files if rel not in got]
    assert not missing, f"files the new version adds must arrive: {missing}"
    differs = [
        rel
        for rel in sorted(set(want) - edited - {harness.ANSWERS_FILE})
        if rel not in got or got[rel].read_bytes() != want[rel].read_bytes()
    ]
    assert not differs, f"files the user did not edit must equal the new render: {differs}"
    assert (project / USER_NOTES).is_file(), "a user's own file must survive"
    assert "*.local" in (project / ".gitignore").read_text(), "a user's edit must survive"
    text = (project / conflicted).read_text()
    conflicts = [m for m in CONFLICT.finditer(text) if USER_LINE in m["ours"]]
    assert conflicts, f"the edit of {conflicted} must be an inline conflict:\n{text[:3000]}"
    answers_file = yaml.safe_load((project / harness.ANSWERS_FILE).read_text())
    assert answers_file["_commit"] == coming
    if migrates:
        assert "migration pavedroad-log-level" in result.stdout + result.stderr
        assert "`PAVEDROAD_LOG_LEVEL=DEBUG make run`" in (project / USER_NOTES).read_text()
        values = yaml.safe_load(values_prod.read_text())
        assert values["app"] == {"logLevel": "WARNING", "extraConfig": {}}, values["app"]
    leftovers = subprocess.run(
        ["git", "grep", "-n", "-w", "APP_LOG_LEVEL"], cwd=project, capture_output=True, text=True
    )
    assert leftovers.stdout == "", f"APP_LOG_LEVEL is no longer read:\n{leftovers.stdout}"

    if request.node.get_closest_marker("generated_ci") is None:
        return
    # The user resolves the conflicts (here: the template's side) and commits; then the
    # updated service's own `make ci` must pass.
    for path in harness.project_files(project).values():
        try:
            content = path.read_text()
        except UnicodeDecodeError:
            continue
        if "<<<<<<< " in content:
            path.write_text(CONFLICT.sub(lambda m: m["theirs"], content))
    harness.git(project, "add", "-A")
    harness.git(project, "commit", "-q", "-m", f"update to {coming}")
    request.getfixturevalue("toolchain")
    wheelhouse: Path = request.getfixturevalue("wheelhouse")
    python_version = harness.answers_python(answers)
    harness.install_project_venv(project, wheelhouse, python_version)
    env = harness.generated_ci_env(answers, wheelhouse)
    assert "make ci: passed:" in harness.assert_make_passes(project, "ci", env=env)
