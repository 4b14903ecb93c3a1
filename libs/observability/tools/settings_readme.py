"""Write the README's configuration table from the settings table (``settings.SETTINGS``).

    python libs/observability/tools/settings_readme.py          # rewrite the table
    python libs/observability/tools/settings_readme.py --check  # fail if it is stale

The table sits between two markers in ``libs/observability/README.md``; the text around it is
left alone. The library's tests run ``--check``'s comparison too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pavedroad.observability.setting_kinds import Setting
from pavedroad.observability.settings import SETTINGS

README = Path(__file__).resolve().parents[1] / "README.md"
COMMAND = "python libs/observability/tools/settings_readme.py"
START = (
    f"<!-- generated from settings.SETTINGS by `{COMMAND}`: edit settings.py, not this table -->"
)
END = "<!-- end of the generated settings table -->"


def _code(text: str) -> str:
    return f"`{text}`"


def _default(setting: Setting[object]) -> str:
    if setting.default_doc is not None:
        return setting.default_doc
    if setting.default is None or (isinstance(setting.default, Mapping) and not setting.default):
        return "none"
    if isinstance(setting.default, bool):
        return _code(str(setting.default).lower())
    return _code(str(setting.default))


def _row(setting: Setting[object]) -> list[str]:
    argument = ""
    if setting.argument is not None:
        argument = _code(setting.argument)
        if setting.function != "configure":
            functions = setting.function.split(", ")
            argument += " of " + ", ".join(f"`{function}()`" for function in functions)
    meaning = " ".join(part for part in (setting.doc, setting.parse.allowed) if part)
    return [argument, ", ".join(map(_code, setting.variables)), _default(setting), meaning]


def render_table(settings: Iterable[Setting[object]] = SETTINGS) -> str:
    """The Markdown table, one row per setting, between the markers."""
    lines = [
        START,
        "| argument | variables (the first one set wins) | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for setting in settings:
        cells = _row(setting)
        if any("|" in cell or "\n" in cell for cell in cells):
            raise ValueError(f"setting {setting.name}: a table cell must not hold '|' or a newline")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(END)
    return "\n".join(lines)


def updated_readme(text: str) -> str:
    """``text`` with the part between the markers replaced by the current table."""
    start = text.find(START)
    end = text.find(END)
    if start < 0 or end < start:
        raise ValueError(
            f"the README has no settings table markers; put these two lines in it:\n{START}\n{END}"
        )
    return text[:start] + render_table() + text[end + len(END) :]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the README's table is stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = updated_readme(current)
    if args.check:
        if current != wanted:
            print(f"{README}: the configuration table is stale; run `{COMMAND}`.", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
