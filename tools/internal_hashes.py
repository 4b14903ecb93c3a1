"""The sha256 of the internal libraries' wheels, which requirements-internal.txt records.

A generated service installs pavedroad-observability and pavedroad-secrets with
`pip install --require-hashes` from the company index, so the template records the hash of the
exact wheel each release publishes. The wheels are byte-reproducible (hatchling pinned in each
library's build-system, SOURCE_DATE_EPOCH fixed by every build here: `make wheels`,
tests/e2e/images.build_library_wheels), so the hash of a wheel built from a commit is the hash of
the wheel published from it.

    python -m tools.internal_hashes dist/wheelhouse            # rewrite the hashes
    python -m tools.internal_hashes dist/wheelhouse --check    # fail if they differ

`make wheels` runs the first (commit the change with the library change); the tests run the check.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = (
    REPO_ROOT / "template" / "<{ cookiecutter.project_slug }>" / "requirements-internal.txt"
)
# The SOURCE_DATE_EPOCH every wheel build here uses: hatchling's own default for reproducible
# builds (2020-02-02), set explicitly so an exported value in the environment cannot change it.
SOURCE_DATE_EPOCH = "1580601600"
# A requirement and its `\`-continued --hash lines.
_ENTRY = re.compile(
    r"^(?P<name>pavedroad-[a-z-]+)==(?P<version>\S+)(?:[ \t]*\\\n[ \t]+--hash=\S+)*", re.M
)
_WHEEL = re.compile(r"^(?P<name>pavedroad_[a-z_]+)-(?P<version>[^-]+)-py3-none-any\.whl$")


class HashError(RuntimeError):
    """The wheelhouse and the pins disagree; the message names the library and the fix."""


def wheel_hashes(wheelhouse: Path) -> dict[str, tuple[str, str]]:
    """distribution name -> (version, sha256) of each library wheel in ``wheelhouse``."""
    found: dict[str, tuple[str, str]] = {}
    for wheel in sorted(wheelhouse.glob("pavedroad_*.whl")):
        match = _WHEEL.match(wheel.name)
        if match is None:
            raise HashError(f"{wheel}: not a pure-Python wheel name this tool knows")
        name = match["name"].replace("_", "-")
        if name in found:
            raise HashError(f"{wheelhouse} holds two wheels of {name}; build into an empty one")
        found[name] = (match["version"], hashlib.sha256(wheel.read_bytes()).hexdigest())
    return found


def with_hashes(text: str, found: dict[str, tuple[str, str]]) -> str:
    """``text`` (requirements-internal.txt) with each pin's hash set to its wheel's."""

    def entry(match: re.Match[str]) -> str:
        name, version = match["name"], match["version"]
        if name not in found:
            raise HashError(f"no wheel of {name} in the wheelhouse; run `make wheels`")
        built, digest = found[name]
        if built != version:
            raise HashError(
                f"requirements-internal.txt pins {name}=={version} but the wheel is {built}: "
                "change the pin with the library's version (tools/release.py does)"
            )
        return f"{name}=={version} \\\n    --hash=sha256:{digest}"

    updated = _ENTRY.sub(entry, text)
    missing = set(found) - {m["name"] for m in _ENTRY.finditer(text)}
    if missing:
        raise HashError(f"requirements-internal.txt does not pin {sorted(missing)}")
    return updated


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheelhouse", type=Path, help="directory with the freshly built wheels")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when stale")
    args = parser.parse_args(argv)
    current = REQUIREMENTS.read_text(encoding="utf-8")
    try:
        updated = with_hashes(current, wheel_hashes(args.wheelhouse))
    except HashError as exc:
        print(f"internal_hashes: {exc}", file=sys.stderr)
        return 1
    if updated == current:
        return 0
    if args.check:
        print(
            f"internal_hashes: {REQUIREMENTS.relative_to(REPO_ROOT)} does not record the hashes "
            f"of the wheels in {args.wheelhouse}; run `make wheels` and commit the file",
            file=sys.stderr,
        )
        return 1
    REQUIREMENTS.write_text(updated, encoding="utf-8")
    print(f"internal_hashes: updated {REQUIREMENTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
