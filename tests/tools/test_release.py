"""`make release` (tools/release.py): one commit and tag release the template and its libraries."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from tests import harness
from tools import release

pytestmark = pytest.mark.slow  # a clone of the repository per test

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of this repository's committed tree; only secrets has unreleased changes."""
    repo = tmp_path / "pavedroad"
    harness.git(tmp_path, "clone", "-q", "--depth=1", f"file://{harness.REPO_ROOT}", str(repo))
    for changelog, heading in ((repo / "libs/secrets/CHANGELOG.md", "## [Unreleased]"),):
        text = changelog.read_text()
        first = text.index("\n## ") + 1
        changelog.write_text(f"{text[:first]}{heading}\n\n- A change.\n\n{text[first:]}")
    # and none in observability's (its pending entries as if released)
    observability = repo / "libs/observability/CHANGELOG.md"
    observability.write_text(
        observability.read_text().replace("## [Unreleased]", "## [0.3.1] - 2026-11-30", 1)
    )
    harness.git(repo, "commit", "-qam", "an unreleased library change")
    return repo


def test_release_moves_changelogs_bumps_pins_commits_and_tags(clone: Path) -> None:
    tag = release.release(clone, "9.0.0", {"secrets": "9.1.0"}, TODAY)
    assert tag == "v9.0.0"
    tagged = harness.git(clone, "rev-parse", "v9.0.0^{commit}").strip()
    assert harness.git(clone, "describe", "--tags", tagged).strip() == "v9.0.0"  # copier's record
    # The commit after the release records the tagged commit in the changelog's heading.
    assert harness.git(clone, "rev-parse", "HEAD~1").strip() == tagged
    changelog = (clone / "CHANGELOG.md").read_text()
    assert f"## Unreleased\n\n## 9.0.0 - 2026-12-01 (commit {tagged})\n" in changelog
    assert release.recorded_releases(changelog)["9.0.0"] == tagged
    assert release.release_commit(clone, "9.0.0") == tagged
    assert (
        "## [Unreleased]\n\n## [9.1.0] - 2026-12-01\n\n- A change."
        in (clone / "libs/secrets/CHANGELOG.md").read_text()
    )
    pyproject = (clone / "libs/secrets/pyproject.toml").read_text()
    assert re.search(r'(?m)^version = "9.1.0"$', pyproject)
    service = clone / release.SERVICE.relative_to(release.ROOT)
    internal = (service / "requirements-internal.txt").read_text()
    assert "pavedroad-secrets==9.1.0 \\\n    --hash=sha256:" in internal
    # the release commit records its own wheel's hash (the version is inside the wheel)
    before = (release.SERVICE / "requirements-internal.txt").read_text()
    hashes = re.compile(r"(?m)^pavedroad-secrets==\S+ \\\n\s+(--hash=\S+)")
    assert hashes.findall(internal) != hashes.findall(before) != []
    assert "pavedroad-secrets==9.1.0" in (service / "pyproject.toml").read_text()
    assert harness.git(clone, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("version", "libraries", "dirty", "named"),
    [
        ("0.1.0", {}, False, "already has release 0.1.0"),
        ("1.0", {}, False, "is not a version"),
        ("9.0.0", {"observability": "9.0.0"}, False, "no '## [Unreleased]' section"),
        ("9.0.0", {"nope": "1.0.0"}, False, "not a library"),
        ("9.0.0", {}, True, "uncommitted changes"),
    ],
    ids=["not-newer", "not-semver", "library-without-changes", "unknown-library", "dirty"],
)
def test_release_refuses_and_names_the_fix(
    clone: Path, version: str, libraries: dict[str, str], dirty: bool, named: str
) -> None:
    if dirty:
        (clone / "README.md").write_text("edited\n")
    head = harness.git(clone, "rev-parse", "HEAD")
    with pytest.raises(release.ReleaseError, match=re.escape(named)):
        release.release(clone, version, libraries, TODAY)
    assert harness.git(clone, "rev-parse", "HEAD") == head
    if not dirty:
        assert harness.git(clone, "status", "--porcelain") == "", "nothing half-written"
    assert not harness.git(clone, "tag", "--list", f"v{version}")


def test_recorded_commits_stand_in_for_missing_tags(clone: Path) -> None:
    """A clone without tags finds each release at its recorded commit, and --tag-recorded
    recreates the tags there."""
    releases = release.recorded_releases((clone / "CHANGELOG.md").read_text())
    assert releases, "CHANGELOG.md records no release with its commit"
    harness.git(clone, "fetch", "-q", "--unshallow")  # the recorded commits are older
    for tag in harness.git(clone, "tag", "--list").split():
        harness.git(clone, "tag", "-d", tag)
    for version, commit in releases.items():
        assert commit is not None, f"release {version} records no commit"
        assert release.release_commit(clone, version) == commit
    created = release.tag_recorded(clone)
    assert created == [f"v{version}" for version in releases]
    for version, commit in releases.items():
        assert harness.git(clone, "rev-parse", f"v{version}^{{commit}}").strip() == commit
    assert release.tag_recorded(clone) == [], "tags that exist are left alone"
