"""Unit tests for hooks/: copier.yml parsing, validators and the generated cookiecutter config."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hooks import answers, cookiecutter_config
from hooks.jinja_filters import regex_replace, regex_search
from tests import harness


@pytest.fixture(scope="module")
def config() -> answers.TemplateConfig:
    return answers.load()


def defaults(config: answers.TemplateConfig, **overrides: Any) -> dict[str, Any]:
    """The default answers (rendering defaults that refer to other answers) plus overrides."""
    env = config.jinja_env()
    values: dict[str, Any] = {}
    for question in config.asked():
        default = question.default
        if isinstance(default, str):
            default = env.from_string(default).render(**values)
        values[question.name] = overrides.get(question.name, default)
    return values


REQUIRED_QUESTIONS = [
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "owner_team",
    "python_version",
    "slack_app",
    "database",
    "cloud",
    "gitops",
    "mesh",
    "oncall",
    "slo_availability",
    "slo_latency_ms",
]


def test_copier_yml_asks_every_required_question_with_help(config: answers.TemplateConfig) -> None:
    asked = {q.name: q for q in config.asked()}
    for name in REQUIRED_QUESTIONS:
        assert name in asked, f"copier.yml must ask {name}"
    for question in asked.values():
        assert question.help, f"{question.name} needs help text"
        if question.type != "bool":
            assert question.validator, f"{question.name} needs a validator"


def test_defaults_are_valid(config: answers.TemplateConfig) -> None:
    assert answers.validate(defaults(config), config) == []


@pytest.mark.parametrize("name", harness.example_names())
def test_examples_are_valid(config: answers.TemplateConfig, name: str) -> None:
    merged = defaults(config, **harness.load_example(name))
    assert answers.validate(merged, config) == []


@pytest.mark.parametrize(
    ("overrides", "names", "fix"),
    [
        ({"project_slug": "My Service!"}, "project_slug 'My Service!'", "lowercase letters"),
        ({"project_slug": "a--b"}, "project_slug 'a--b'", "single hyphens"),
        ({"package_name": "logging"}, "package_name 'logging'", "specific to the service"),
        ({"python_version": "2.7"}, "python_version '2.7'", 'choose "3.11" or "3.12"'),
        ({"slo_availability": "101"}, "slo_availability '101.0'", "up to but excluding 100"),
        ({"slo_availability": "abc"}, "slo_availability 'abc'", "float"),
        ({"slo_latency_ms": "0"}, "slo_latency_ms '0'", "5 to 30000"),
        ({"aws_account_id": "12345"}, "aws_account_id '12345'", "12-digit"),
        ({"aws_region_secondary": "us-east-1"}, "equals aws_region", "different region"),
        ({"domain": "Example.COM"}, "domain 'Example.COM'", "lowercase labels"),
        ({"mesh": "linkerd"}, "mesh 'linkerd'", '"istio" or "none"'),
        (
            {"slack_app": "true", "database": "none"},
            "slack_app=true with database=none is not supported",
            "database=postgresql, or slack_app=false",
        ),
    ],
)
def test_invalid_answers_name_the_answer_and_the_fix(
    config: answers.TemplateConfig, overrides: dict[str, Any], names: str, fix: str
) -> None:
    errors = answers.validate(defaults(config, **overrides), config)
    assert errors, f"{overrides} must be rejected"
    text = "\n".join(errors)
    assert names in text
    assert fix in text


def test_every_error_is_reported_at_once(config: answers.TemplateConfig) -> None:
    errors = answers.validate(
        defaults(config, project_slug="Bad!", package_name="ok_pkg", python_version="2.7"), config
    )
    assert len(errors) == 2


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("No", False), ("1", True), (False, False)]
)
def test_bool_answers_from_cookiecutter_are_cast(raw: Any, expected: bool) -> None:
    question = answers.load().question("slack_app")
    assert answers.cast(question, raw) is expected


def test_unparseable_bool_names_the_question() -> None:
    question = answers.load().question("slack_app")
    with pytest.raises(answers.AnswerError, match="slack_app 'maybe' is not a valid bool"):
        answers.cast(question, "maybe")


def test_missing_answer_is_reported(config: answers.TemplateConfig) -> None:
    values = defaults(config)
    del values["owner_team"]
    assert "owner_team is missing" in "\n".join(answers.validate(values, config))


def test_namespacing_rewrites_only_answer_names(config: answers.TemplateConfig) -> None:
    env = config.jinja_env()
    source = "<{ project_name | lower | replace('project_name', '-') }>-<{ x.project_slug }>"
    rewritten = cookiecutter_config.namespaced(source, {"project_name", "project_slug"}, env)
    assert rewritten == (
        "<{ cookiecutter.project_name | lower | replace('project_name', '-') }>"
        "-<{ x.project_slug }>"
    )


def test_cookiecutter_json_is_generated_from_copier_yml() -> None:
    assert cookiecutter_config.main(["--check"]) == 0, (
        "template/cookiecutter.json is stale: run `python -m hooks.cookiecutter_config`"
    )


def test_cookiecutter_json_mirrors_every_question(config: answers.TemplateConfig) -> None:
    document = json.loads(cookiecutter_config.render(config))
    for question in config.asked():
        assert question.name in document
        if question.choices:
            assert document[question.name][0] == question.default
            assert set(document[question.name]) == set(question.choices)
    assert document["_jinja2_env_vars"]["variable_start_string"] == "<{"


def test_regex_filters_match_ansible_semantics() -> None:
    assert regex_search("team-notes", "^[a-z-]+$") == "team-notes"
    assert regex_search("Team Notes", "^[a-z-]+$") is None
    assert regex_replace("team  notes!", "[^a-z0-9]+", "-") == "team-notes-"
