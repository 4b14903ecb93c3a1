"""Render matrix: every example and supported combination, with both engines.

Each render must leave no template syntax behind, parse in every structured format, contain no
empty directory, and be identical between copier and cookiecutter apart from the answers file.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from tests import harness

pytestmark = pytest.mark.render

# Opening delimiters mark unrendered syntax. Closing ones are not checked: `}>` and `<#...>`
# are ordinary in rendered code (an f-string inside Slack's `<@{user}>` mention syntax).
LEFTOVER = re.compile(r"<\{|<%|%>|\bcookiecutter\.|_copier_")
HELM_TEMPLATES = re.compile(r"(^|/)charts/[^/]+/templates/")

# Each option once (against the default answers), then chosen pairs of non-default options.
SINGLE_OPTIONS: list[dict[str, Any]] = [
    {"python_version": "3.12"},
    {"slack_app": False},
    {"mesh": "none"},
    {"oncall": "opsgenie"},
    {"license": "MIT"},
    {"license": "Apache-2.0"},
]
PAIRS: list[dict[str, Any]] = [
    {"slack_app": False, "database": "none"},
    {"slack_app": False, "mesh": "none"},
    {"mesh": "none", "oncall": "opsgenie"},
    {"python_version": "3.12", "database": "postgresql", "slack_app": False},
]
# Combinations the template rejects, with the words its message must contain.
UNSUPPORTED: list[tuple[dict[str, Any], str]] = [
    ({"slack_app": True, "database": "none"}, "slack_app=true with database=none is not supported"),
]


def combo_id(combo: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in combo.items())


RUNNING_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# Parses Python files with the interpreter it runs on; prints one line per file that fails.
PARSE_SCRIPT = """
import ast, sys
for path in sys.argv[1:]:
    try:
        ast.parse(open(path, encoding="utf-8").read(), filename=path)
    except SyntaxError as exc:
        print(f"{path}\t{exc}")
"""


def check_render(project: Path, python_version: str = RUNNING_PYTHON) -> None:
    """The checks every render must pass. Python files are parsed by the render's own Python
    version (a 3.12 service may use 3.12-only syntax)."""
    files = harness.project_files(project)
    assert files, f"{project} is empty"
    problems: list[str] = []
    other_python: dict[str, str] = {}
    for rel, path in files.items():
        if LEFTOVER.search(rel):
            problems.append(f"{rel}: template syntax left in the file name")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if LEFTOVER.search(line):
                problems.append(f"{rel}:{lineno}: template syntax left: {line.strip()[:120]}")
        if text and not text.endswith("\n"):
            problems.append(f"{rel}: does not end with a newline")
        if rel.endswith(".py") and python_version != RUNNING_PYTHON:
            other_python[str(path)] = rel
            continue
        try:
            parse(rel, text)
        except Exception as exc:  # any parser's error is a finding
            problems.append(f"{rel}: does not parse: {exc}")
    if other_python:
        result = subprocess.run(
            [harness.python_for(python_version), "-c", PARSE_SCRIPT, *other_python],
            capture_output=True,
            text=True,
            check=True,
        )
        for line in result.stdout.splitlines():
            failed, _, error = line.partition("\t")
            problems.append(
                f"{other_python[failed]}: does not parse with Python {python_version}: {error}"
            )
    for directory in sorted(p for p in project.rglob("*") if p.is_dir()):
        if ".git" not in directory.parts and not any(directory.iterdir()):
            problems.append(f"{directory.relative_to(project)}/: empty directory")
    assert not problems, "\n".join(problems)


def parse(rel: str, text: str) -> None:
    """Parse a file by its type; raise on a syntax error."""
    name = rel.rsplit("/", 1)[-1]
    if name.endswith((".yaml", ".yml")) and not HELM_TEMPLATES.search(rel):
        list(yaml.safe_load_all(text))
    elif name.endswith(".json"):
        json.loads(text)
    elif name.endswith(".toml"):
        tomllib.loads(text)
    elif name.endswith((".tf", ".tfvars", ".hcl")):
        hcl2.loads(text)
    elif name.endswith(".py"):
        ast.parse(text, filename=rel)


@pytest.mark.parametrize("engine", harness.ENGINES)
@pytest.mark.parametrize("name", harness.example_names())
def test_example_renders_cleanly(rendered: Callable[..., Path], name: str, engine: str) -> None:
    version = str(harness.load_example(name).get("python_version", RUNNING_PYTHON))
    check_render(rendered(name, engine), version)


@pytest.mark.parametrize("name", harness.example_names())
def test_engines_agree_on_example(rendered: Callable[..., Path], name: str) -> None:
    harness.assert_same_tree(
        rendered(name, "copier"), rendered(name, "cookiecutter"), ignore=(harness.ANSWERS_FILE,)
    )


def test_copier_records_answers_for_update(rendered: Callable[..., Path]) -> None:
    recorded = yaml.safe_load((rendered("default") / harness.ANSWERS_FILE).read_text())
    expected = harness.load_example("default")
    assert recorded["_src_path"]
    assert recorded["_commit"]
    for key, value in expected.items():
        assert recorded[key] == value, f"answer {key} not recorded as given"
    assert "cookiecutter" not in recorded, "computed values must not be stored"


@pytest.mark.slow
@pytest.mark.parametrize("combo", SINGLE_OPTIONS + PAIRS, ids=combo_id)
def test_combination_renders_identically_with_both_engines(
    template_snapshot: Path,
    render_pool: harness.RenderPool,
    tmp_path: Path,
    combo: dict[str, Any],
) -> None:
    """Through the engines' Python APIs (the examples go through both commands above)."""
    answers = {**harness.load_example("default"), **combo}
    copier_render = render_pool.render("copier", answers, tmp_path / "copier", template_snapshot)
    cookiecutter_render = render_pool.render(
        "cookiecutter", answers, tmp_path / "cc", template_snapshot
    )
    check_render(copier_render, str(answers.get("python_version", RUNNING_PYTHON)))
    harness.assert_same_tree(copier_render, cookiecutter_render, ignore=(harness.ANSWERS_FILE,))


@pytest.mark.parametrize(
    ("combo", "message"), UNSUPPORTED, ids=[combo_id(c) for c, _ in UNSUPPORTED]
)
@pytest.mark.parametrize("engine", harness.ENGINES)
def test_unsupported_combination_is_rejected(
    template_snapshot: Path,
    tmp_path: Path,
    engine: harness.Engine,
    combo: dict[str, Any],
    message: str,
) -> None:
    answers = {**harness.load_example("default"), **combo}
    dest = tmp_path / "project"
    kwargs: dict[str, Any] = {"src": template_snapshot, "check": False}
    if engine == "copier":
        result = harness.render_copier(answers, dest, vcs_ref="HEAD", **kwargs)
    else:
        result = harness.render_cookiecutter(answers, dest, **kwargs)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not dest.exists(), "a rejected render must leave no output directory"


def test_copie_renders_default_in_process(copie: Any, template_snapshot: Path) -> None:
    """pytest-copie's fixture renders the same template (the in-process API path)."""
    result = copie.copy(
        extra_answers=harness.load_example("minimal"), template_dir=template_snapshot
    )
    assert result.exit_code == 0, result.exception
    version = str(harness.load_example("minimal").get("python_version", RUNNING_PYTHON))
    check_render(result.project_dir, version)
    assert (result.project_dir / "Makefile").is_file()
