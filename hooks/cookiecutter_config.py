"""Generate template/cookiecutter.json from copier.yml.

Run `python -m hooks.cookiecutter_config` after changing copier.yml; `--check` exits 1 when the
committed file is out of date (the test suite runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jinja2 import Environment

from hooks.answers import Question, TemplateConfig, load

COOKIECUTTER_JSON = Path(__file__).resolve().parent.parent / "template" / "cookiecutter.json"


def namespaced(expression: str, names: set[str], env: Environment) -> str:
    """Rewrite references to other answers as `cookiecutter.<name>` (cookiecutter's namespace)."""
    out: list[str] = []
    previous = ""
    for _, token_type, value in env.lex(expression):
        # An attribute (`x.name`) or a filter (`| name`) is not a reference to an answer.
        if token_type == "name" and value in names and previous not in {".", "|"}:
            value = f"cookiecutter.{value}"
        out.append(value)
        if token_type != "whitespace":
            previous = value
    return "".join(out)


def _default(question: Question, names: set[str], env: Environment) -> Any:
    if question.choices:
        default = question.default
        return [default] + [c for c in question.choices if c != default]
    if question.type == "bool":
        return bool(question.default)
    if isinstance(question.default, str):
        return namespaced(question.default, names, env)
    return str(question.default)


def build(config: TemplateConfig) -> dict[str, Any]:
    """The cookiecutter.json document for `config`."""
    env = config.jinja_env()
    asked = config.asked()
    names = {q.name for q in asked}
    document: dict[str, Any] = {q.name: _default(q, names, env) for q in asked}
    document["__prompts__"] = {q.name: q.help for q in asked}
    document["_jinja2_env_vars"] = {
        k: v for k, v in config.envops.items() if k != "keep_trailing_newline"
    }
    document["_extensions"] = ["hooks.jinja_filters.RegexFilters"]
    document["_generated_from"] = "copier.yml (python -m hooks.cookiecutter_config)"
    return document


def render(config: TemplateConfig | None = None) -> str:
    return json.dumps(build(config or load()), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    expected = render()
    if args.check:
        exists = COOKIECUTTER_JSON.exists()
        current = COOKIECUTTER_JSON.read_text(encoding="utf-8") if exists else ""
        if current != expected:
            print(
                f"{COOKIECUTTER_JSON} is out of date with copier.yml; "
                "run `python -m hooks.cookiecutter_config` and commit the result.",
                file=sys.stderr,
            )
            return 1
        return 0
    COOKIECUTTER_JSON.write_text(expected, encoding="utf-8")
    print(f"wrote {COOKIECUTTER_JSON}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
