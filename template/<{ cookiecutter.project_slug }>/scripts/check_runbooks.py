"""Fail when a runbook step names a script or a make target that does not exist.

    python3 scripts/check_runbooks.py docs/dr.md docs/runbooks   (run by `make runbook-check`)

Reads the Markdown files given (directories: every *.md in them) and checks each reference to
`scripts/<file>` (the file must exist) and each `make <target>` inside backticks or code blocks
(the target must be defined in the Makefile or mk/*.mk). A runbook is read at the worst moment;
a step that points nowhere costs minutes of an outage. Standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
SCRIPT = re.compile(r"(?<![\w/.-])scripts/[\w./-]*\w")
MAKE = re.compile(r"(?<![\w-])make\s+((?:[\w.-]+=\S+\s+)*)([a-z][\w.-]*)")
TARGET = re.compile(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", re.MULTILINE)


def make_targets(root: Path) -> set[str]:
    targets: set[str] = set()
    for path in [root / "Makefile", *sorted((root / "mk").glob("*.mk"))]:
        if path.is_file():
            targets.update(TARGET.findall(path.read_text(encoding="utf-8")))
    return targets


def problems(files: list[Path], root: Path = ROOT) -> list[str]:
    targets = make_targets(root)
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for block in CODE.finditer(text):
            line = text.count("\n", 0, block.start()) + 1
            for script in SCRIPT.findall(block.group()):
                if not (root / script).exists():
                    found.append(f"{path}:{line}: {script} does not exist; fix the step or add it")
            for _, target in MAKE.findall(block.group()):
                if target not in targets:
                    found.append(
                        f"{path}:{line}: `make {target}`: no such target in Makefile or mk/*.mk"
                    )
    return found


def main(argv: list[str]) -> int:
    files: list[Path] = []
    for arg in argv or ["docs/runbooks"]:
        path = Path(arg)
        files += sorted(path.glob("*.md")) if path.is_dir() else [path]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        print(f"check_runbooks: not found: {', '.join(missing)}", file=sys.stderr)
        return 1
    found = problems(files)
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"check_runbooks: {len(files)} files, {len(found)} broken references")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
