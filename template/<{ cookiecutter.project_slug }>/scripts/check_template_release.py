"""Warn when the service template has a newer release than this repository was rendered from.

Reads `_commit` and `_src_path` from .copier-answers.yml (copier records the template's
`git describe` there, e.g. ``v0.1.0`` or ``v0.1.0-4-g1a2b3c4``), lists the template's release
tags (``vX.Y.Z``) with `git ls-remote`, and prints a GitHub Actions warning naming the newer
release and the `copier update` command. It never fails the build: an unreachable template or
an untagged render is reported as a notice.

Usage: python scripts/check_template_release.py [.copier-answers.yml]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

RELEASE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
DESCRIBED = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(?:-\d+-g[0-9a-f]+)?$")


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


def main(argv: list[str]) -> int:
    values = answers(Path(argv[0] if argv else ".copier-answers.yml"))
    source, commit = values.get("_src_path", ""), values.get("_commit", "")
    try:
        tags = release_tags(source)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"::notice title=Template release check::cannot list the tags of {source!r}: {exc}")
        return 0
    if not tags:
        print(f"::notice title=Template release check::{source} has no vX.Y.Z release tags")
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
        f"template release is {newest_tag}. Update with `copier update --vcs-ref {newest_tag}` "
        "(README: Updating from the template)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
