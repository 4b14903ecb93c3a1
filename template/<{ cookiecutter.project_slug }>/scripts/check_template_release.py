"""Warn when the service template has a newer release than this repository was rendered from.

Reads `_commit` and `_src_path` from .copier-answers.yml (copier records the template's
`git describe` there, e.g. ``v0.1.0``, ``v0.1.0-4-g1a2b3c4``, or a bare commit when the template
had no tags), lists the template's release tags (``vX.Y.Z``) with `git ls-remote`, and prints a
GitHub Actions warning naming the newer release and the `copier update` command. A template
without tags still records each release's commit in its CHANGELOG.md heading
(``## 0.1.0 - 2026-11-30 (commit <sha>)``): then the check reads that from a blobless clone and
compares commits by ancestry. It never fails the build: an unreachable template or one with no
release at all is reported as a notice.

Usage: python scripts/check_template_release.py [.copier-answers.yml]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

RELEASE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
DESCRIBED = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(?:-\d+-g[0-9a-f]+)?$")
CHANGELOG_RELEASE = re.compile(
    r"^## (\d+)\.(\d+)\.(\d+) - \d{4}-\d{2}-\d{2} \(commit ([0-9a-f]{40})\)$", re.MULTILINE
)
COMMIT = re.compile(r"^(?:v[\d.]+-\d+-g)?([0-9a-f]{7,40})$")


def answers(path: Path) -> dict[str, str]:
    """The top-level ``key: value`` lines of a copier answers file."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition(": ")
        if sep and not line.startswith((" ", "#")):
            values[key] = value.strip().strip("'\"")
    return values


def release_tags(source: str) -> list[tuple[int, int, int]]:
    result = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", source],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    tags = []
    for line in result.stdout.splitlines():
        match = RELEASE.match(line.rsplit("refs/tags/", 1)[-1])
        if match:
            tags.append((int(match[1]), int(match[2]), int(match[3])))
    return tags


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def recorded_release(source: str, commit: str) -> tuple[str, bool] | None:
    """For a template without tags: its newest release in CHANGELOG.md as ``(version, commit)``
    and whether the render at `commit` already contains it (the release is `commit` or one of
    its ancestors). None when the changelog records no release."""
    with tempfile.TemporaryDirectory() as scratch:
        clone = Path(scratch) / "template"
        cloned = _git("clone", "--quiet", "--filter=blob:none", "--no-checkout", source, str(clone))
        if cloned.returncode != 0:
            raise OSError(cloned.stderr.strip())
        changelog = _git("show", "HEAD:CHANGELOG.md", cwd=clone).stdout
        releases = [
            ((int(m[1]), int(m[2]), int(m[3])), m[4]) for m in CHANGELOG_RELEASE.finditer(changelog)
        ]
        if not releases:
            return None
        newest, released = max(releases)
        rendered = COMMIT.match(commit)
        contains = rendered is not None and (
            _git("merge-base", "--is-ancestor", released, rendered[1], cwd=clone).returncode == 0
        )
        return f"{released} (release {'.'.join(map(str, newest))})", contains


def main(argv: list[str]) -> int:
    values = answers(Path(argv[0] if argv else ".copier-answers.yml"))
    source, commit = values.get("_src_path", ""), values.get("_commit", "")
    try:
        tags = release_tags(source)
        recorded = None if tags else recorded_release(source, commit)
    except (OSError, subprocess.SubprocessError) as exc:
        print(
            f"::notice title=Template release check::cannot read the releases of {source!r}: {exc}"
        )
        return 0
    if recorded is not None:
        newest_ref, contains = recorded
        if contains:
            print(f"template {commit} contains the newest release, {newest_ref}")
            return 0
        print(
            f"::warning title=Template update available::rendered from {commit!r}; the newest "
            f"template release is {newest_ref}, recorded in its CHANGELOG.md (no tags). Update "
            f"with `copier update --trust --vcs-ref {newest_ref.split()[0]}` "
            "(README: Updating from the template)"
        )
        return 0
    if not tags:
        print(f"::notice title=Template release check::{source} has no vX.Y.Z release yet")
        return 0
    newest = max(tags)
    newest_tag = "v{}.{}.{}".format(*newest)
    rendered = DESCRIBED.match(commit)
    if rendered and (int(rendered[1]), int(rendered[2]), int(rendered[3])) >= newest:
        print(f"template {commit} is the newest release ({newest_tag})")
        return 0
    base = f"release {commit}" if rendered else f"untagged commit {commit!r}"
    print(
        f"::warning title=Template update available::rendered from {base}; the newest "
        f"template release is {newest_tag}. Update with "
        f"`copier update --trust --vcs-ref {newest_tag}` (README: Updating from the template)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
