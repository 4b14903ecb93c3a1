"""tools/schemas.py converters: strictness, int-or-string, nulls, and kubeconform's file names."""

from __future__ import annotations

from typing import Any

from tools import schemas


def test_kind_suffix_matches_kubeconform() -> None:
    assert schemas.kind_suffix("v1") == "-v1"
    assert schemas.kind_suffix("apps/v1") == "-apps-v1"
    assert schemas.kind_suffix("networking.k8s.io/v1") == "-networking-v1"


def crd(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget"},
            "versions": [{"name": "v1", "schema": {"openAPIV3Schema": schema}}],
        },
    }


def test_crd_schema_is_strict_and_names_its_kind() -> None:
    [(group, kind, version, schema)] = schemas.crd_schemas(
        crd(
            {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"},
                    "kind": {"type": "string"},
                    "metadata": {"type": "object"},
                    "spec": {
                        "type": "object",
                        "required": ["port"],
                        "properties": {
                            "port": {
                                "x-kubernetes-int-or-string": True,
                                "anyOf": [{"type": "integer"}, {"type": "string"}],
                            },
                            "labels": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                            "raw": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                                "properties": {"a": {"type": "string"}},
                            },
                            "nullableName": {"type": "string", "nullable": True},
                            "template": {
                                "type": "object",
                                "x-kubernetes-embedded-resource": True,
                                "properties": {"spec": {"type": "object"}},
                            },
                        },
                    },
                },
            }
        )
    )
    assert (group, kind, version) == ("example.com", "Widget", "v1")
    assert schema["properties"]["kind"]["enum"] == ["Widget"]
    assert schema["properties"]["apiVersion"]["enum"] == ["example.com/v1"]
    assert schema["additionalProperties"] is False
    spec = schema["properties"]["spec"]
    assert spec["additionalProperties"] is False
    assert "type" not in spec["properties"]["port"]  # int-or-string: anyOf only, not nullable
    assert spec["properties"]["labels"]["additionalProperties"] == {"type": "string"}
    assert "additionalProperties" not in spec["properties"]["raw"]  # preserves unknown fields
    assert spec["properties"]["nullableName"]["type"] == ["string", "null"]
    template = spec["properties"]["template"]
    assert {"apiVersion", "kind", "metadata", "spec"} <= set(template["properties"])
    assert not any(k.startswith("x-kubernetes-") for k in str(schema).split("'"))


def test_core_converter_inlines_scalars_and_keeps_objects_as_local_refs() -> None:
    defs: dict[str, Any] = {
        "io.k8s.api.apps.v1.Thing": {
            "type": "object",
            "required": ["spec"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.ThingSpec"},
            },
            "x-kubernetes-group-version-kind": [
                {"group": "apps", "version": "v1", "kind": "Thing"}
            ],
        },
        "io.k8s.api.apps.v1.ThingSpec": {
            "type": "object",
            "properties": {
                "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
                "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
                "child": {"$ref": "#/definitions/io.k8s.api.apps.v1.ThingSpec"},
            },
        },
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
            "type": "string",
            "format": "int-or-string",
        },
        "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
    }
    schema = schemas.CoreConverter(defs).standalone(
        "io.k8s.api.apps.v1.Thing", "apps", "v1", "Thing"
    )
    assert schema["properties"]["kind"]["enum"] == ["Thing"]
    assert schema["properties"]["apiVersion"]["enum"] == ["apps/v1"]
    assert schema["properties"]["spec"] == {"$ref": "#/definitions/io.k8s.api.apps.v1.ThingSpec"}
    spec = schema["definitions"]["io.k8s.api.apps.v1.ThingSpec"]
    assert spec["additionalProperties"] is False
    assert spec["properties"]["port"]["oneOf"] == [{"type": "string"}, {"type": "integer"}]
    assert spec["properties"]["cpu"]["oneOf"] == [{"type": "string"}, {"type": "number"}]
    # recursive types stay references into the schema's own definitions: no external $ref
    assert spec["properties"]["child"] == {"$ref": "#/definitions/io.k8s.api.apps.v1.ThingSpec"}
    assert "_definitions.json" not in str(schema)


def test_yaml_bare_equals_sign_reads_as_string() -> None:
    docs = schemas.yaml_documents(b"enum: [=, '!=']\n")
    assert docs == [{"enum": ["=", "!="]}]
