"""Renovate's published configuration schema, and a JSON5 reader for Renovate config files.

The npm package `renovate` ships `renovate-schema.json` (the schema docs.renovatebot.com
publishes for that release). Its tarball alone is 3 MB; its `renovate-config-validator` needs the
whole dependency tree (hundreds of MB, native modules), so the generated `.github/renovate.json5`
is checked against the schema instead, which is what the validator starts with.

    python3 tools/renovate_schema.py          # prints the path of the cached schema

The tarball comes from the npm registry with `npm pack` and is checked against the integrity
pinned here; the schema is cached under ``${PAVEDROAD_CACHE:-~/.cache/pavedroad}/renovate/``.
Needs node and npm on PATH (node also reads JSON5, see `load_json5`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools.backstage_schemas import SchemaError, _fetch, _run

__all__ = ["SchemaError", "ensure", "load_json5"]

# The Renovate release whose schema the generated configuration is checked against.
RENOVATE = (
    "44.121.2",
    "sha512-gNsY+POw2UN3B4e8x0B5UK3onH1qF7wMirKGaUnJcSx3+xEWH4n35RS4rvVEtTIIV/BoZoFbsIo7njTb9Mydxg==",
)
# JSON5 is a subset of an ECMAScript object literal: node evaluates the file as an expression in
# an empty context (no globals, no I/O) and prints it as JSON.
_JSON5 = (
    "const fs = require('fs'), vm = require('vm');"
    "const value = vm.runInNewContext('(' + fs.readFileSync(process.argv[1], 'utf8') + '\\n)', {});"
    "process.stdout.write(JSON.stringify(value));"
)


def cache_file() -> Path:
    root = Path(os.environ.get("PAVEDROAD_CACHE", Path.home() / ".cache" / "pavedroad"))
    key = hashlib.sha256(json.dumps(RENOVATE).encode()).hexdigest()[:16]
    return root / "renovate" / key / "renovate-schema.json"


def ensure() -> Path:
    """The schema file of the pinned release, fetched once (cached)."""
    target = cache_file()
    if target.is_file():
        return target
    version, integrity = RENOVATE
    with tempfile.TemporaryDirectory() as tmp:
        package = _fetch("renovate", version, integrity, Path(tmp))
        schema = package / "renovate-schema.json"
        if not schema.is_file():
            raise SchemaError(
                f"renovate@{version} ships no renovate-schema.json: its layout changed"
            )
        json.loads(schema.read_text(encoding="utf-8"))
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_suffix(".tmp")
        shutil.copyfile(schema, staged)
        staged.replace(target)
    return target


def load_json5(path: Path) -> Any:
    """The value of a JSON5 file (Renovate's renovate.json5), parsed by node."""
    return json.loads(_run(["node", "-e", _JSON5, str(path.resolve())], path.parent))


def main() -> int:
    try:
        print(ensure())
    except SchemaError as exc:
        print(f"renovate_schema: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
