"""Flag destructive operations in Alembic revisions that are not marked as contract steps.

Every revision declares its phase at module level: ``phase = "expand"``, ``"backfill"`` or
``"contract"`` (docs/migrations.md). Dropping, renaming, narrowing or deleting anything in
``upgrade()`` breaks the release still running during a rollout, so it is allowed only in a
``contract`` revision, shipped once no running code needs the old shape.

Usage: python scripts/check_migrations.py [FILE_OR_DIR ...]   (default: migrations/versions)
Exit status 1 lists every finding as path:line: what, and the fix.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

PHASES = ("expand", "backfill", "contract")
DESTRUCTIVE_CALLS = {
    "drop_table": "drops a table",
    "drop_column": "drops a column",
    "drop_constraint": "drops a constraint",
    "drop_index": "drops an index",
    "rename_table": "renames a table",
    "drop_table_comment": "drops a table comment",
    "drop_column_comment": "drops a column comment",
}
DESTRUCTIVE_SQL = re.compile(
    r"\b(DROP\s+(TABLE|COLUMN|INDEX|CONSTRAINT|SCHEMA|TYPE|VIEW)|TRUNCATE|DELETE\s+FROM|"
    r"RENAME\s+(TO|COLUMN)|SET\s+NOT\s+NULL|ALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE)\b",
    re.IGNORECASE,
)
DEFAULT_PATHS = (Path("migrations/versions"),)


def _phase(tree: ast.Module) -> str | None:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "phase" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    return None


def _upgrade(tree: ast.Module) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            return node
    return None


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def destructive_operations(function: ast.FunctionDef) -> Iterator[tuple[int, str]]:
    """(line, description) of every destructive operation in ``function``."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name in DESTRUCTIVE_CALLS:
            yield node.lineno, f"{name}() {DESTRUCTIVE_CALLS[name]}"
        elif name == "alter_column":
            keywords = {kw.arg: kw.value for kw in node.keywords}
            nullable = keywords.get("nullable")
            if isinstance(nullable, ast.Constant) and nullable.value is False:
                yield node.lineno, "alter_column(nullable=False) enforces NOT NULL"
            if "new_column_name" in keywords:
                yield node.lineno, "alter_column(new_column_name=...) renames a column"
            if "type_" in keywords:
                yield node.lineno, "alter_column(type_=...) changes a column type"
        elif name in ("execute", "text"):
            for text in _strings(node):
                match = DESTRUCTIVE_SQL.search(text)
                if match:
                    yield node.lineno, f"SQL {match.group(0).upper()!r}"


def check_file(path: Path) -> list[str]:
    """The findings for one revision file (empty when it is fine)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        return [f"{path}:{exc.lineno}: not valid Python: {exc.msg}"]
    phase = _phase(tree)
    if phase not in PHASES:
        return [
            f"{path}:1: missing or unknown `phase` ({phase!r}): declare "
            f'phase = "expand", "backfill" or "contract" at module level'
        ]
    upgrade = _upgrade(tree)
    if upgrade is None:
        return [f"{path}:1: no upgrade() function"]
    if phase == "contract":
        return []
    return [
        f"{path}:{line}: {what} in upgrade() of a {phase!r} revision; move it to a revision "
        'with phase = "contract", released once no running code uses the old shape '
        "(docs/migrations.md)"
        for line, what in destructive_operations(upgrade)
    ]


def revision_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.py") if p.name != "__init__.py"))
        else:
            files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = revision_files([Path(a) for a in args] or list(DEFAULT_PATHS))
    findings = [finding for file in files for finding in check_file(file)]
    for finding in findings:
        print(finding, file=sys.stderr)
    if findings:
        print(f"{len(findings)} destructive operation(s) outside a contract step", file=sys.stderr)
        return 1
    print(f"{len(files)} revision(s) checked: no destructive operation outside a contract step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
