"""Check that every tool pinned in .tool-versions is on PATH at exactly the pinned version.

Each tool is asked for its version (``VERSION_ARGS``, default ``--version``); its output must
contain the pinned version as a whole token (``3.22.0`` or ``v3.22.0``, not ``3.22.01``).
Tools run in parallel, so the check takes about as long as the slowest tool's start.

Usage: python scripts/check_tools.py [.tool-versions]
Exit status 1 lists each missing or mismatched tool with what was found and how to fix it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Entries that are not command-line tools checked here (the interpreter and the database are
# provided by the platform: setup-python, a PostgreSQL service container).
NOT_CHECKED = frozenset({"python", "postgres"})
VERSION_ARGS: dict[str, tuple[str, ...]] = {
    "helm": ("version", "--short"),
    "kubeconform": ("-v",),
    "opa": ("version",),
    "actionlint": ("-version",),
    "gitleaks": ("version",),
    "cosign": ("version",),
    "syft": ("version",),
    "pint": ("version",),
    "sloth": ("version",),
    "tofu": ("version",),
}
# `checkov --version` loads every rule first (about 30 s), and `semgrep --version` asks
# semgrep.dev for a newer release (100 s to time out offline): when such a tool is a Python
# console script, its distribution's version is read from its interpreter's metadata instead.
PYTHON_DISTRIBUTIONS = {"checkov": "checkov", "semgrep": "semgrep"}
FIX = "install the pinned versions with `mise install` (mise and asdf read .tool-versions)"


def pinned_tools(path: Path) -> dict[str, str]:
    """Tool name -> pinned version, from an asdf/mise .tool-versions file."""
    tools: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) < 2:
            raise SystemExit(f"{path}:{number}: {fields[0]!r} has no version; write 'tool 1.2.3'")
        tools[fields[0]] = fields[1]
    return tools


def reports_version(output: str, version: str) -> bool:
    """Whether ``output`` names ``version`` as a whole token, with or without a leading v."""
    return re.search(rf"(?<![\w.])v?{re.escape(version)}(?![\w.])", output) is not None


def version_command(tool: str, executable: str) -> list[str]:
    """The command that prints ``tool``'s version."""
    distribution = PYTHON_DISTRIBUTIONS.get(tool)
    if distribution is not None:
        with open(executable, "rb") as script:
            first = script.readline().decode("utf-8", "replace")
        interpreter = first[2:].strip()
        if first.startswith("#!") and Path(interpreter).name.startswith("python"):
            query = f"import importlib.metadata as m; print(m.version({distribution!r}))"
            return [interpreter, "-c", query]
    return [executable, *VERSION_ARGS.get(tool, ("--version",))]


def check(tool: str, version: str) -> str | None:
    """None when ``tool`` is on PATH at ``version``; otherwise what is wrong."""
    executable = shutil.which(tool)
    if executable is None:
        return f"{tool}: not on PATH (pinned {version})"
    try:
        result = subprocess.run(
            version_command(tool, executable),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{tool}: {executable} did not report its version ({exc})"
    output = result.stdout + "\n" + result.stderr
    if reports_version(output, version):
        return None
    found = re.search(r"v?\d+\.\d+(?:\.\d+)?", output)
    return (
        f"{tool}: {executable} reports {found.group() if found else 'no version'}, "
        f".tool-versions pins {version}"
    )


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else ".tool-versions")
    tools = {t: v for t, v in pinned_tools(path).items() if t not in NOT_CHECKED}
    with ThreadPoolExecutor(max_workers=8) as pool:
        problems = [p for p in pool.map(check, tools, tools.values()) if p is not None]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} of {len(tools)} tools differ from {path}: {FIX}", file=sys.stderr)
        return 1
    print(f"{len(tools)} tools at the versions pinned in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
