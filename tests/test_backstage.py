"""Backstage: the Software Template (template.yaml) and every generated catalog-info.yaml are
valid against Backstage's published schemas (tools/backstage_schemas.py: the pinned npm
packages @backstage/catalog-model and @backstage/plugin-scaffolder-common)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests import harness
from tools import backstage_schemas

pytestmark = pytest.mark.render


@pytest.fixture(scope="session")
def backstage_validator() -> Callable[[dict[str, Any], str], list[str]]:
    """Validates an entity against the envelope, the entity and its kind's published schema."""
    try:
        directory = backstage_schemas.ensure()
    except backstage_schemas.SchemaError as exc:
        pytest.fail(str(exc), pytrace=False)
    schemas = {path.stem: json.loads(path.read_text()) for path in directory.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in schemas.values()
    )

    def validate(entity: dict[str, Any], kind_schema: str) -> list[str]:
        problems: list[str] = []
        for schema_id in ("EntityEnvelope", "Entity", kind_schema):
            validator = jsonschema.Draft7Validator(schemas[schema_id], registry=registry)
            problems += [
                f"{schema_id}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(entity)
            ]
        return problems

    return validate


def test_the_software_template_is_valid(
    backstage_validator: Callable[[dict[str, Any], str], list[str]],
) -> None:
    template = yaml.safe_load((harness.REPO_ROOT / "template.yaml").read_text())
    assert backstage_validator(template, "TemplateV1beta3") == []
    # Every value it hands cookiecutter is a question of copier.yml (so of cookiecutter.json).
    questions = json.loads((harness.REPO_ROOT / "template" / "cookiecutter.json").read_text())
    render = next(step for step in template["spec"]["steps"] if step["id"] == "render")
    assert set(render["input"]["values"]) <= set(questions)
    assert render["input"]["url"] == "./template"


@pytest.mark.parametrize("name", ["default", "minimal"])
def test_the_generated_catalog_entry_is_valid(
    rendered: Callable[..., Path],
    backstage_validator: Callable[[dict[str, Any], str], list[str]],
    name: str,
) -> None:
    answers = harness.load_example(name)
    entity = yaml.safe_load((rendered(name) / "catalog-info.yaml").read_text())
    assert backstage_validator(entity, "ComponentV1alpha1") == []
    assert entity["spec"]["owner"] == f"group:{answers['owner_team']}"
    assert entity["spec"]["lifecycle"] and entity["spec"]["system"]
    assert {link["title"].split(" ")[0] for link in entity["metadata"]["links"]} >= {
        "SLO",
        "Runbooks",
        "On-call",
    }
    annotations = entity["metadata"]["annotations"]
    assert annotations["github.com/project-slug"].endswith("/" + answers["project_slug"])
    assert "prometheus.io/rule" in annotations


@pytest.mark.parametrize(
    ("kind_schema", "break_it", "named"),
    [
        ("ComponentV1alpha1", lambda e: e["spec"].pop("owner"), "owner"),
        ("ComponentV1alpha1", lambda e: e["metadata"]["links"][0].update(url=7), "url"),
        ("TemplateV1beta3", lambda e: e["spec"].pop("steps"), "steps"),
    ],
    ids=["component-without-owner", "link-url-not-a-string", "template-without-steps"],
)
def test_the_schemas_reject_a_broken_entity(
    rendered: Callable[..., Path],
    backstage_validator: Callable[[dict[str, Any], str], list[str]],
    kind_schema: str,
    break_it: Callable[[dict[str, Any]], object],
    named: str,
) -> None:
    source = (
        harness.REPO_ROOT / "template.yaml"
        if kind_schema == "TemplateV1beta3"
        else rendered("default") / "catalog-info.yaml"
    )
    entity = yaml.safe_load(source.read_text())
    break_it(entity)
    problems = backstage_validator(entity, kind_schema)
    assert any(named in problem for problem in problems), problems
