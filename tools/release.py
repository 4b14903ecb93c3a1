"""Release the template (and, with it, any library that has changes): `make release VERSION=X.Y.Z`.

In one commit, tagged ``vX.Y.Z`` (the tag `copier copy` and `copier update` pick up):

1. CHANGELOG.md: the ``## Unreleased`` entries become ``## X.Y.Z - <date>`` under a new, empty
   ``## Unreleased``.
2. Each library named with ``--lib NAME=VERSION`` (``observability``, ``secrets``): its
   ``libs/NAME/CHANGELOG.md`` ``## [Unreleased]`` becomes ``## [VERSION] - <date>``, its
   pyproject version is set, and the generated service's pins of it (its pyproject.toml and
   requirements-internal.txt) follow, so the release's services install exactly that library;
   requirements-internal.txt records the sha256 of its wheel, built reproducibly from the release
   commit (tools/internal_hashes.py; needs `build`, which `make venv` installs).

A second commit then records the release commit in that heading,
``## X.Y.Z - <date> (commit <sha>)``: a clone without tags (tags are not always fetched or pushed)
still finds every release there, and ``--tag-recorded`` recreates the missing tags from it.

It refuses, naming the fix, a dirty tree, a version that is not newer than the last release, and
a changelog with nothing unreleased. See RELEASING.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as `python tools/release.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import internal_hashes

ROOT = Path(__file__).resolve().parent.parent
SERVICE = ROOT / "template" / "<{ cookiecutter.project_slug }>"
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# A template release's heading in CHANGELOG.md: "## 0.1.0 - 2026-11-30 (commit <40 hex>)".
RELEASE_HEADING = re.compile(
    r"^## (?P<version>\d+\.\d+\.\d+) - (?P<date>\d{4}-\d{2}-\d{2})"
    r"(?: \(commit (?P<commit>[0-9a-f]{40})\))?$",
    re.M,
)
LIBRARIES = {"observability": "pavedroad-observability", "secrets": "pavedroad-secrets"}


class ReleaseError(Exception):
    """The release cannot be made; the message names the problem and the fix."""


def _semver(text: str, what: str) -> tuple[int, int, int]:
    match = SEMVER.match(text)
    if not match:
        raise ReleaseError(f"{what} {text!r} is not a version X.Y.Z; give e.g. 0.2.0")
    return int(match[1]), int(match[2]), int(match[3])


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def release_changelog(
    path: Path, heading: re.Pattern[str], unreleased: str, new: str, version: tuple[int, int, int]
) -> None:
    """Move the entries under ``unreleased`` to a ``new`` section; older headings must be older."""
    text = path.read_text()
    if unreleased + "\n" not in text:
        raise ReleaseError(
            f"{path.parent.name}/{path.name} has no '{unreleased}' section; "
            "add the changes being released there"
        )
    head, _, rest = text.partition(unreleased + "\n")
    body, separator, older = rest.partition("\n## ")
    if not body.strip():
        raise ReleaseError(f"{path.name}: '{unreleased}' is empty; nothing to release")
    for found in heading.finditer(separator + older):
        if _semver(found[1], "a released version") >= version:
            raise ReleaseError(f"{path.name} already has release {found[1]}; give a newer version")
    path.write_text(f"{head}{unreleased}\n\n{new}\n{body.rstrip()}\n{separator}{older}")


def _record_wheel_hashes(root: Path) -> None:
    """Write the hashes of the libraries' wheels, as released, into requirements-internal.txt."""
    with tempfile.TemporaryDirectory() as wheelhouse:
        for lib in LIBRARIES:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "build",
                    "--wheel",
                    "-o",
                    wheelhouse,
                    str(root / "libs" / lib),
                ],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "SOURCE_DATE_EPOCH": internal_hashes.SOURCE_DATE_EPOCH},
            )
            if result.returncode != 0:
                raise ReleaseError(
                    f"building the {lib} wheel for its hash failed (run `make venv` first for "
                    f"`build`): {result.stderr.strip()[-2000:]}"
                )
        pinned = root / internal_hashes.REQUIREMENTS.relative_to(ROOT)
        try:
            found = internal_hashes.wheel_hashes(Path(wheelhouse))
            pinned.write_text(internal_hashes.with_hashes(pinned.read_text(), found))
        except internal_hashes.HashError as exc:
            raise ReleaseError(str(exc)) from exc


def recorded_releases(changelog: str) -> dict[str, str | None]:
    """The template releases in CHANGELOG.md's text, newest first: version -> recorded commit
    (None for a heading whose commit is not recorded yet)."""
    return {m["version"]: m["commit"] for m in RELEASE_HEADING.finditer(changelog)}


def release_commit(root: Path, version: str) -> str:
    """The commit of release ``version``: its tag's commit, else the changelog's recorded one."""
    tagged = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if tagged.returncode == 0:
        return tagged.stdout.strip()
    commit = recorded_releases((root / "CHANGELOG.md").read_text()).get(version)
    if not commit:
        raise ReleaseError(
            f"release {version} has neither a tag v{version} nor a recorded commit in "
            "CHANGELOG.md; add '(commit <sha>)' to its heading"
        )
    return commit


def tag_recorded(root: Path) -> list[str]:
    """Create the missing ``vX.Y.Z`` tags at the commits CHANGELOG.md records; returns them."""
    created = []
    for version, commit in recorded_releases((root / "CHANGELOG.md").read_text()).items():
        tag = f"v{version}"
        if commit is None or _git(root, "tag", "--list", tag):
            continue
        _git(root, "cat-file", "-e", f"{commit}^{{commit}}")
        _git(root, "tag", "-a", tag, "-m", f"pavedroad {tag}", commit)
        created.append(tag)
    return created


def release(root: Path, version: str, libraries: dict[str, str], today: datetime.date) -> str:
    """Make the release commit and tag in ``root``, then the commit that records the release
    commit in CHANGELOG.md; returns the tag."""
    number = _semver(version, "VERSION")
    if _git(root, "status", "--porcelain"):
        raise ReleaseError("the working tree has uncommitted changes; commit or stash them first")
    tag = f"v{version}"
    if _git(root, "tag", "--list", tag):
        raise ReleaseError(f"tag {tag} exists already; give a newer VERSION")
    try:
        _write_release(root, version, number, tag, libraries, today)
    except ReleaseError:
        _git(root, "checkout", "--", ".")  # the tree was clean: leave nothing half-written
        raise
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", f"Release {tag}")
    _git(root, "tag", "-a", tag, "-m", f"pavedroad {tag}")
    commit = _git(root, "rev-parse", "HEAD").strip()
    changelog = root / "CHANGELOG.md"
    heading = f"## {version} - {today.isoformat()}\n"
    changelog.write_text(
        changelog.read_text().replace(
            heading, f"## {version} - {today.isoformat()} (commit {commit})\n", 1
        )
    )
    _git(root, "commit", "-q", "-am", f"CHANGELOG: release {tag} is commit {commit[:12]}")
    return tag


def _write_release(
    root: Path,
    version: str,
    number: tuple[int, int, int],
    tag: str,
    libraries: dict[str, str],
    today: datetime.date,
) -> None:
    service = root / SERVICE.relative_to(ROOT)
    for name, lib_version in libraries.items():
        if name not in LIBRARIES:
            raise ReleaseError(f"--lib {name}: not a library; use one of {', '.join(LIBRARIES)}")
        lib_number = _semver(lib_version, f"--lib {name}")
        lib = root / "libs" / name
        release_changelog(
            lib / "CHANGELOG.md",
            re.compile(r"^## \[(\d+\.\d+\.\d+)\]", re.M),
            "## [Unreleased]",
            f"## [{lib_version}] - {today.isoformat()}",
            lib_number,
        )
        pyproject = lib / "pyproject.toml"
        pyproject.write_text(
            re.sub(
                r'(?m)^version = "[^"]+"$',
                f'version = "{lib_version}"',
                pyproject.read_text(),
                count=1,
            )
        )
        distribution = re.escape(LIBRARIES[name])
        for pinned in (service / "pyproject.toml", service / "requirements-internal.txt"):
            pinned.write_text(
                re.sub(
                    rf"({distribution}(?:\[[\w,]+\])?==)[\w.]+",
                    rf"\g<1>{lib_version}",
                    pinned.read_text(),
                )
            )
    if libraries:
        _record_wheel_hashes(root)
    release_changelog(
        root / "CHANGELOG.md",
        re.compile(r"^## (\d+\.\d+\.\d+) ", re.M),
        "## Unreleased",
        f"## {version} - {today.isoformat()}",
        number,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Release the template (see RELEASING.md).")
    parser.add_argument("version", nargs="?", help="the template's new version, X.Y.Z")
    parser.add_argument(
        "--tag-recorded",
        action="store_true",
        help="create the missing vX.Y.Z tags at the commits CHANGELOG.md records, and stop",
    )
    parser.add_argument(
        "--lib",
        action="append",
        default=[],
        metavar="NAME=VERSION",
        help="also release a library: observability=0.2.2",
    )
    args = parser.parse_args(argv)
    if args.tag_recorded:
        try:
            created = tag_recorded(ROOT)
        except ReleaseError as exc:
            print(f"release: {exc}", file=sys.stderr)
            return 1
        print(f"created {', '.join(created)}" if created else "every recorded release is tagged")
        return 0
    if not args.version:
        parser.error("give the version, X.Y.Z (or --tag-recorded)")
    libraries = dict(item.partition("=")[::2] for item in args.lib)
    try:
        tag = release(ROOT, args.version, libraries, datetime.date.today())
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    print(f"released {tag}: push it with `git push origin main {tag}`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
