"""Refuse a contract migration that removes what the previous release still reads.

During a rollout the previous release keeps serving beside the new one (docs/delivery.md), so a
release may only expand the schema; dropping or renaming a column or table is a later release's
contract step, once no running code reads the old shape. For every revision new in this release,
each dropped or renamed table and column is looked up in the previous release's SQLAlchemy models
(`__tablename__` and their mapped columns): if that release maps it, the migration is refused and
the finding names table.column.

Usage:
  check_release_migrations.py [--previous-release REF]   new revisions since the git ref REF,
                                                          compared with the models at REF
  check_release_migrations.py --previous-src DIR FILE...  the given revisions, against models in DIR
Without a previous release (no tag yet) there is nothing to compare, and the check passes.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = "migrations/versions"


def mapped_schema(sources: dict[str, str]) -> dict[str, set[str]]:
    """Table -> mapped column names of the declarative models in ``sources`` (path -> text)."""
    tables: dict[str, set[str]] = {}
    for text in sources.values():
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            table, columns = None, set()
            for item in node.body:
                if isinstance(item, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "__tablename__" for t in item.targets
                ):
                    if isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
                        table = item.value.value
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    columns.add(item.target.id)
            if table:
                tables.setdefault(table, set()).update(columns)
    return tables


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def removals(text: str) -> Iterator[tuple[int, str, str | None, str]]:
    """(line, table, column or None, what) of each drop or rename in a revision's upgrade()."""
    tree = ast.parse(text)
    for function in tree.body:
        if not (isinstance(function, ast.FunctionDef) and function.name == "upgrade"):
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            args = [_literal(a) for a in node.args]
            keywords = {kw.arg: kw.value for kw in node.keywords}
            name = node.func.attr
            if name == "drop_column" and len(args) >= 2 and args[0] and args[1]:
                yield node.lineno, args[0], args[1], "drops column"
            elif (
                name == "alter_column"
                and "new_column_name" in keywords
                and len(args) >= 2
                and args[0]
                and args[1]
            ):
                yield node.lineno, args[0], args[1], "renames column"
            elif name in ("drop_table", "rename_table") and args and args[0]:
                yield (
                    node.lineno,
                    args[0],
                    None,
                    "drops table" if name == "drop_table" else "renames table",
                )


def check(revisions: dict[str, str], previous: dict[str, str], release: str) -> list[str]:
    schema = mapped_schema(previous)
    findings = []
    for path, text in sorted(revisions.items()):
        for line, table, column, what in removals(text):
            if table not in schema:
                continue
            if column is None:
                findings.append(
                    f"{path}:{line}: {what} {table}, which {release} still maps; "
                    f"expand now and drop {table} in a later release, once no running code "
                    "reads it (docs/migrations.md)"
                )
            elif column in schema[table]:
                findings.append(
                    f"{path}:{line}: {what} {table}.{column}, which {release} still reads; "
                    f"keep it in this release and drop {table}.{column} in a later release's "
                    "contract step (docs/migrations.md)"
                )
    return findings


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def from_git(ref: str) -> tuple[dict[str, str], dict[str, str]]:
    """Revisions added since ``ref``, and the Python sources of src/ at ``ref``."""
    old = set(_git("ls-tree", "-r", "--name-only", ref, "--", VERSIONS).split())
    revisions = {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in sorted((ROOT / VERSIONS).glob("*.py"))
        if str(p.relative_to(ROOT)) not in old
    }
    previous = {
        name: _git("show", f"{ref}:{name}")
        for name in _git("ls-tree", "-r", "--name-only", ref, "--", "src").split()
        if name.endswith(".py")
    }
    return revisions, previous


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--previous-release",
        help="git ref of the release that runs beside this one during a rollout",
    )
    parser.add_argument(
        "--previous-src", type=Path, help="source tree of that release (instead of git)"
    )
    parser.add_argument(
        "revisions", nargs="*", type=Path, help="revisions of this release (with --previous-src)"
    )
    args = parser.parse_args(argv)
    if args.previous_src:
        revisions = {str(p): p.read_text(encoding="utf-8") for p in args.revisions}
        previous = {
            str(p): p.read_text(encoding="utf-8") for p in sorted(args.previous_src.rglob("*.py"))
        }
        release = f"the previous release ({args.previous_src})"
    elif args.previous_release:
        revisions, previous = from_git(args.previous_release)
        release = f"the previous release ({args.previous_release})"
    else:
        print("migrations release check: no previous release (no tag yet); nothing to compare")
        return 0
    findings = check(revisions, previous, release)
    for finding in findings:
        print(finding, file=sys.stderr)
    if findings:
        return 1
    print(f"migrations release check: {len(revisions)} new revision(s) keep what {release} reads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
