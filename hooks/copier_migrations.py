"""The template's copier `_migrations` (copier.yml): each moves an existing service over one
breaking change while `copier update` brings it to the release that made the change.

copier runs them after the update, in the service, with the interpreter copier itself runs on
(`_copier_python`), so this module uses the standard library only. Each migration is idempotent:
a service that has nothing to move is left as it is.

Usage (as copier.yml runs it): python hooks/copier_migrations.py NAME [SERVICE_DIR]
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

OLD_LOG_LEVEL, NEW_LOG_LEVEL = "APP_LOG_LEVEL", "PAVEDROAD_LOG_LEVEL"
_WORD = re.compile(rf"\b{OLD_LOG_LEVEL}\b")
_EXTRA_CONFIG_ENTRY = re.compile(
    rf"^(?P<indent> +){OLD_LOG_LEVEL}: *(?P<value>[^#\s][^#]*?)? *(?:#.*)?$"
)
# Chart values files: the chart maps app.logLevel to PAVEDROAD_LOG_LEVEL itself, and app.extraConfig
# admits only APP_ and OTEL_ names (values.schema.json).
_VALUES_FILE = re.compile(r"^charts/[^/]+/(?:values[^/]*|ci/[^/]+)\.ya?ml$")


class MigrationError(Exception):
    """The migration cannot run; the message names the problem and the fix."""


def service_files(service: Path) -> list[str]:
    """The service's files as git sees them (tracked, and new files not ignored)."""
    result = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise MigrationError(
            f"{service} is not a git repository ({result.stderr.strip()}); "
            "`copier update` needs the service under git"
        )
    return sorted(set(filter(None, result.stdout.split("\0"))))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _parent(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above ``index`` that is less indented (its mapping key)."""
    indent = _indent(lines[index])
    for above in range(index - 1, -1, -1):
        if _is_content(lines[above]) and _indent(lines[above]) < indent:
            return above
    return None


def _children(lines: list[str], parent: int) -> list[int]:
    """The indexes of the content lines nested under line ``parent``."""
    indent, found = _indent(lines[parent]), []
    for below in range(parent + 1, len(lines)):
        if not _is_content(lines[below]):
            continue
        if _indent(lines[below]) <= indent:
            break
        found.append(below)
    return found


def move_extra_config_log_level(text: str) -> str:
    """``app.extraConfig.APP_LOG_LEVEL: X`` in a chart values file becomes ``app.logLevel: X``
    (the chart sets PAVEDROAD_LOG_LEVEL from it); comments and the rest of the file stay."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        entry = _EXTRA_CONFIG_ENTRY.match(line.rstrip("\n"))
        extra = _parent(lines, index) if entry else None
        app = _parent(lines, extra) if extra is not None else None
        if entry is None or extra is None or app is None:
            continue
        if lines[extra].strip() != "extraConfig:" or lines[app].rstrip() != "app:":
            continue
        value, key_indent = entry["value"] or '""', " " * _indent(lines[extra])
        del lines[index]
        if not _children(lines, extra):
            lines[extra] = f"{key_indent}extraConfig: {{}}\n"
        for sibling in _children(lines, app):
            if lines[sibling].startswith(f"{key_indent}logLevel:"):
                lines[sibling] = f"{key_indent}logLevel: {value}\n"
                break
        else:
            lines.insert(extra, f"{key_indent}logLevel: {value}\n")
        return move_extra_config_log_level("".join(lines))  # the next one, if any
    return text


def pavedroad_log_level(service: Path) -> list[str]:
    """Release 0.2.0 removed the ``APP_LOG_LEVEL`` setting: the service reads
    ``PAVEDROAD_LOG_LEVEL`` (pavedroad-observability's) only, and the chart sets it from
    ``app.logLevel``. A service that still sets APP_LOG_LEVEL would silently log at the default
    level. In chart values files an ``app.extraConfig`` entry moves to ``app.logLevel`` and an
    ``env`` entry is renamed; in every other file the name is replaced. Returns what it did."""
    done = []
    for rel in service_files(service):
        path = service / rel
        if path.is_symlink() or not path.is_file():
            continue
        try:
            before = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary or unreadable: no setting to move
        if not _WORD.search(before):
            continue
        after = before
        if _VALUES_FILE.match(rel):
            after = move_extra_config_log_level(after)
            after = re.sub(rf"(\bname: *[\"']?){OLD_LOG_LEVEL}\b", rf"\g<1>{NEW_LOG_LEVEL}", after)
            for number, line in enumerate(after.splitlines(), 1):
                if _WORD.search(line):
                    done.append(
                        f"{rel}:{number}: {OLD_LOG_LEVEL} is no longer read and was left as it "
                        "is; set app.logLevel instead"
                    )
        else:
            after = _WORD.sub(NEW_LOG_LEVEL, after)
        if after != before:
            path.write_text(after, encoding="utf-8")
            done.append(f"{rel}: {OLD_LOG_LEVEL} -> {NEW_LOG_LEVEL} (app.logLevel in chart values)")
    return done


MIGRATIONS: dict[str, Callable[[Path], list[str]]] = {"pavedroad-log-level": pavedroad_log_level}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in MIGRATIONS:
        print(
            f"usage: copier_migrations.py {{{','.join(MIGRATIONS)}}} [SERVICE_DIR]", file=sys.stderr
        )
        return 2
    try:
        done = MIGRATIONS[argv[0]](Path(argv[1] if len(argv) > 1 else "."))
    except MigrationError as exc:
        print(f"migration {argv[0]}: {exc}", file=sys.stderr)
        return 1
    for line in done:
        print(f"migration {argv[0]}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
