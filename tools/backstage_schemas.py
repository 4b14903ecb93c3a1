"""Backstage's published JSON schemas, from the pinned npm packages that ship them.

@backstage/catalog-model ships the catalog's schemas (Entity, EntityEnvelope, EntityMeta, the
shared definitions and one per kind: Component, System, ...); @backstage/plugin-scaffolder-common
ships the Software Template's (Template v1beta3). Both ship them as CommonJS modules, so each is
loaded with node and written out as plain JSON, keyed by its ``$id``.

    python3 tools/backstage_schemas.py [--out DIR]    # prints the directory of the *.json

The tarballs come from the npm registry with `npm pack` and are checked against the integrity
pinned here (the registry's `dist.integrity`); the result is cached under
``${PAVEDROAD_CACHE:-~/.cache/pavedroad}/backstage/`` per pin. Needs node and npm on PATH.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# name -> (exact version, the registry's dist.integrity for that version)
PACKAGES: dict[str, tuple[str, str]] = {
    "@backstage/catalog-model": (
        "1.10.3",
        "sha512-RynNd3YiIrQ4QCB/aA05zmykaVKOduwTlOh6RjUuGJ0+SulrzIwI1SVoR/N4oM0HrFL1FY1XBT0ZOEVFQ1xPgg==",
    ),
    "@backstage/plugin-scaffolder-common": (
        "2.4.0",
        "sha512-mPGoQEGZqVOJhRt8TGrwXU69ZW6fDfPwMZ1jIW64XwXOpZuTq4jfgHA86ia7d8Sz8PNjCm5ivZ+30ePjinkohg==",
    ),
}
SCHEMA_SUFFIX = ".schema.json.cjs.js"
DUMP = "process.stdout.write(JSON.stringify(require(process.argv[1]).default))"


class SchemaError(RuntimeError):
    """The schemas could not be fetched or loaded; the message names the step and the fix."""


def cache_dir() -> Path:
    root = Path(os.environ.get("PAVEDROAD_CACHE", Path.home() / ".cache" / "pavedroad"))
    key = hashlib.sha256(json.dumps(PACKAGES, sort_keys=True).encode()).hexdigest()[:16]
    return root / "backstage" / key


def _run(cmd: list[str], cwd: Path) -> str:
    if shutil.which(cmd[0]) is None:
        raise SchemaError(f"{cmd[0]} is not on PATH; install Node.js with npm (Debian: nodejs npm)")
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise SchemaError(f"`{' '.join(cmd)}` failed (exit {result.returncode}): {result.stderr}")
    return result.stdout


def _fetch(name: str, version: str, integrity: str, work: Path) -> Path:
    """The verified tarball of name@version, unpacked; returns its package directory."""
    tarball = work / _run(["npm", "pack", f"{name}@{version}", "--silent"], work).strip()
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise SchemaError(
            f"{name}@{version}: the tarball's {algorithm} is {digest}, pinned "
            f"{expected}; re-pin from `npm view {name}@{version} dist.integrity`"
        )
    target = work / name.replace("/", "__")
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def generate(out: Path) -> Path:
    """Write every published schema of the pinned packages into ``out`` as ``<$id>.json``."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        staging = work / "schemas"
        staging.mkdir()
        for name, (version, integrity) in PACKAGES.items():
            package = _fetch(name, version, integrity, work)
            modules = sorted(package.glob(f"dist/**/*{SCHEMA_SUFFIX}"))
            if not modules:
                raise SchemaError(f"{name}@{version} ships no *{SCHEMA_SUFFIX}: its layout changed")
            for module in modules:
                schema = json.loads(_run(["node", "-e", DUMP, str(module)], work))
                (staging / f"{schema['$id']}.json").write_text(json.dumps(schema, indent=1))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(staging, out)
    return out


def ensure(out: Path | None = None) -> Path:
    """The schema directory, generated once per pin (cached)."""
    target = out or cache_dir()
    if not (target / "Entity.json").is_file():
        generate(target)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="directory to write (default: the cache)")
    args = parser.parse_args(argv)
    try:
        print(ensure(args.out))
    except SchemaError as exc:
        print(f"backstage_schemas: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
