#!/usr/bin/env python3
"""Generate offline JSON schemas for kubeconform from upstream artifacts at pinned versions.

Inputs come from tools/versions.toml ([schemas.*]); every input is a Go module fetched with
`go mod download -json MODULE@VERSION` (checksum-verified by the go command) and read straight from
its zip in the module cache:

- core Kubernetes: api/openapi-spec/swagger.json of k8s.io/kubernetes, converted to standalone
  (no external $ref) strict schemas at
  kubernetes/v<version>-standalone-strict/<kind><kind-suffix>.json, the layout of kubeconform's
  default location `{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/
  {{ .ResourceKind }}{{ .KindSuffix }}.json`;
- CRDs: each version's openAPIV3Schema, converted to strict JSON schema at
  crds/<group>/<kind>_<version>.json (the CRDs-catalog layout
  `{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`).

Strict means: an object with declared properties rejects unknown ones (additionalProperties:
false), except where the API says otherwise (x-kubernetes-preserve-unknown-fields, maps). Optional
scalar fields also accept null, as the API server does (YAML `key:` with no value).
kubeconform compiles schemas as JSON Schema draft 4, so only draft-4 keywords are produced.

Usage: python tools/schemas.py --out DIR [--manifest tools/versions.toml]
Needs `go` on PATH (GOMODCACHE/GOFLAGS from the environment) and PyYAML.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import os
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DEFAULT_MANIFEST = Path(__file__).resolve().parent / "versions.toml"
SCALARS = {"string", "integer", "number", "boolean"}


class SchemaError(Exception):
    pass


def yaml_documents(raw: bytes) -> list[Any]:
    """All YAML documents in raw. PyYAML is imported here so that the converters can be
    used (and tested) without it. A bare `=` (YAML 1.1's value tag) reads as the string "=", as
    in Go's YAML decoder and the API server (prometheus-operator's enums contain it)."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.add_constructor(
        "tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node)
    )
    try:
        return list(yaml.load_all(raw, Loader=Loader))
    except yaml.YAMLError as exc:
        raise SchemaError(str(exc)) from exc


# ----------------------------------------------------------------------------- module access


def module_zip(module: str, version: str) -> zipfile.ZipFile:
    """Download MODULE@VERSION into the module cache and open its verified zip."""
    cmd = ["go", "mod", "download", "-json", f"{module}@{version}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=os.environ.get("TMPDIR", "/tmp"))
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        raise SchemaError(
            f"{module}@{version}: `{' '.join(cmd)}` failed: "
            f"{proc.stderr.strip() or proc.stdout.strip()}"
        ) from None
    zip_path = Path(info.get("Zip", ""))
    error = info.get("Error", "")
    # A module that requires a newer Go than ours is still downloaded and verified: the go command
    # only refuses to extract it. We read files from the zip, so that is fine.
    if error and not ("requires go >=" in error and zip_path.is_file()):
        raise SchemaError(f"{module}@{version}: `{' '.join(cmd)}`: {error}")
    ziphash = zip_path.with_suffix(".ziphash")
    if not zip_path.is_file() or not ziphash.is_file():
        raise SchemaError(f"{module}@{version}: no module zip at {zip_path}")
    if ziphash.read_text().strip() != info.get("Sum"):
        raise SchemaError(
            f"{module}@{version}: zip hash {ziphash.read_text().strip()} does not "
            f"match the checksum database's {info.get('Sum')}"
        )
    return zipfile.ZipFile(zip_path)


def zip_files(
    zf: zipfile.ZipFile, module: str, version: str, patterns: Iterable[str]
) -> list[tuple[str, bytes]]:
    """Files of the module zip whose module-relative path matches a pattern (per path segment)."""
    prefix = f"{module}@{version}/"
    found = []
    for pattern in patterns:
        parts = pattern.split("/")
        hits = []
        for name in zf.namelist():
            if not name.startswith(prefix):
                continue
            rel = name[len(prefix) :]
            rel_parts = rel.split("/")
            if len(rel_parts) == len(parts) and all(
                fnmatch.fnmatchcase(a, b) for a, b in zip(rel_parts, parts, strict=True)
            ):
                hits.append(rel)
        if not hits:
            raise SchemaError(f"{module}@{version}: no file matches {pattern!r}")
        found += [(rel, zf.read(prefix + rel)) for rel in sorted(hits)]
    return found


def write_json(path: Path, schema: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------- conversion helpers


def allow_null(prop: dict[str, Any]) -> dict[str, Any]:
    """Let an optional scalar field be null, like the API server."""
    t = prop.get("type")
    if isinstance(t, str) and t in SCALARS | {"object", "array"}:
        prop = dict(prop, type=[t, "null"])
    return prop


def int_or_string(node: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in node.items() if k not in ("type", "format")}
    if "anyOf" not in out and "oneOf" not in out:
        out["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    return out


def kind_suffix(api_version: str) -> str:
    """kubeconform's {{ .KindSuffix }} (pkg/registry/registry.go)."""
    group_parts = api_version.split("/")
    suffix = "-" + group_parts[0].split(".")[0].lower()
    if len(group_parts) > 1:
        suffix += "-" + group_parts[1].lower()
    return suffix


# ----------------------------------------------------------------------------- core Kubernetes


class CoreConverter:
    """Swagger 2.0 definitions -> standalone strict draft-4 schemas."""

    def __init__(self, definitions: dict[str, dict[str, Any]]) -> None:
        self.defs = definitions

    def is_scalar_def(self, name: str) -> bool:
        d = self.defs.get(name, {})
        return d.get("type") in SCALARS or name.endswith(".api.resource.Quantity")

    @staticmethod
    def ref_name(ref: str) -> str:
        return ref.removeprefix("#/definitions/")

    def scalar_def(self, name: str) -> dict[str, Any]:
        d = self.defs[name]
        if name.endswith(".api.resource.Quantity"):
            return {
                "description": d.get("description", ""),
                "oneOf": [{"type": "string"}, {"type": "number"}],
            }
        if d.get("format") == "int-or-string":
            return int_or_string(d)
        return dict(d)

    def convert(self, node: Any, refs: set[str]) -> Any:
        if isinstance(node, list):
            return [self.convert(v, refs) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = self.ref_name(node["$ref"])
            if self.is_scalar_def(name):
                # Small scalar types (Time, Quantity, IntOrString) are inlined, so that the
                # optional-field null rule applies to them.
                return self.convert(self.scalar_def(name), refs)
            refs.add(name)
            return {"$ref": f"#/definitions/{name}"}
        if node.get("format") == "int-or-string":
            node = int_or_string(node)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("x-kubernetes-") and key != "x-kubernetes-preserve-unknown-fields":
                continue
            if key == "properties":
                required = set(node.get("required", []))
                out[key] = {}
                for pname, pschema in value.items():
                    converted = self.convert(pschema, refs)
                    out[key][pname] = converted if pname in required else allow_null(converted)
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self.convert(value, refs)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self.convert(v, refs) for v in value]
            else:
                out[key] = value
        preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
        if "properties" in out and "additionalProperties" not in out and not preserve:
            out["additionalProperties"] = False
        return out

    def standalone(self, name: str, group: str, version: str, kind: str) -> dict[str, Any]:
        refs: set[str] = set()
        root = self.convert(copy.deepcopy(self.defs[name]), refs)
        definitions: dict[str, Any] = {}
        pending = sorted(refs)
        while pending:
            ref = pending.pop()
            if ref in definitions:
                continue
            more: set[str] = set()
            definitions[ref] = self.convert(self.defs[ref], more)
            pending += sorted(more - set(definitions))
        api_version = f"{group}/{version}" if group else version
        props = root.setdefault("properties", {})
        if "kind" in props:
            props["kind"] = dict(props["kind"], enum=[kind])
        if "apiVersion" in props:
            props["apiVersion"] = dict(props["apiVersion"], enum=[api_version])
        if definitions:
            root["definitions"] = dict(sorted(definitions.items()))
        return dict(root)


def generate_core(spec: dict[str, Any], out: Path) -> int:
    module, version = spec.get("module", "k8s.io/kubernetes"), spec["version"]
    zf = module_zip(module, version)
    openapi = spec.get("openapi", "api/openapi-spec/swagger.json")
    [(_, raw)] = zip_files(zf, module, version, [openapi])
    definitions = json.loads(raw)["definitions"]
    conv = CoreConverter(definitions)
    target = out / "kubernetes" / f"{version}-standalone-strict"
    count = 0
    written: set[str] = set()
    for name in sorted(definitions):
        for gvk in definitions[name].get("x-kubernetes-group-version-kind", []):
            group, ver, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            api_version = f"{group}/{ver}" if group else ver
            filename = f"{kind.lower()}{kind_suffix(api_version)}.json"
            if filename in written:
                continue
            written.add(filename)
            write_json(target / filename, conv.standalone(name, group, ver, kind))
            count += 1
    if "deployment-apps-v1.json" not in written:
        raise SchemaError(f"{module}@{version}: no Deployment (apps/v1) in the OpenAPI document")
    return count


# ----------------------------------------------------------------------------- CRDs


def crd_node(node: Any, *, root: bool = False) -> Any:
    """OpenAPI v3 (structural CRD schema) -> strict draft-4 JSON schema."""
    if isinstance(node, list):
        return [crd_node(v) for v in node]
    if not isinstance(node, dict):
        return node
    if node.get("x-kubernetes-int-or-string") or node.get("format") == "int-or-string":
        node = int_or_string(node)
    preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
    embedded = bool(node.get("x-kubernetes-embedded-resource"))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key == "nullable":
            continue
        if key == "properties":
            required = set(node.get("required", []))
            out[key] = {}
            for pname, pschema in value.items():
                converted = crd_node(pschema)
                out[key][pname] = converted if pname in required else allow_null(converted)
        elif key in ("items", "not"):
            out[key] = crd_node(value)
        elif key == "additionalProperties":
            out[key] = crd_node(value) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [crd_node(v) for v in value]
        else:
            out[key] = value
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if embedded or root:
        props = out.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
        if not root:
            out.setdefault("type", "object")
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


def crd_schemas(doc: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """[(group, kind, version, schema)] for every version of one CRD document."""
    spec = doc["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    results = []
    versions = spec.get("versions") or [
        {
            "name": spec.get("version"),
            "schema": {"openAPIV3Schema": spec.get("validation", {}).get("openAPIV3Schema")},
        }
    ]
    for ver in versions:
        raw = (ver.get("schema") or {}).get("openAPIV3Schema") or spec.get("validation", {}).get(
            "openAPIV3Schema"
        )
        if not raw:
            continue
        schema = crd_node(copy.deepcopy(raw), root=True)
        props = schema.setdefault("properties", {})
        props["apiVersion"] = dict(
            props.get("apiVersion", {}), type="string", enum=[f"{group}/{ver['name']}"]
        )
        props["kind"] = dict(props.get("kind", {}), type="string", enum=[kind])
        schema.setdefault("type", "object")
        results.append((group, kind, ver["name"], schema))
    return results


def generate_crds(name: str, spec: dict[str, Any], out: Path) -> tuple[int, set[str]]:
    module, version = spec["module"], spec["version"]
    zf = module_zip(module, version)
    kinds: set[str] = set()
    count = 0
    for rel, raw in zip_files(zf, module, version, spec["files"]):
        try:
            docs = yaml_documents(raw)
        except SchemaError as exc:
            raise SchemaError(f"{name}: {module}@{version}/{rel} is not valid YAML: {exc}") from exc
        for doc in docs:
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            for group, kind, ver, schema in crd_schemas(doc):
                write_json(out / "crds" / group / f"{kind.lower()}_{ver}.json", schema)
                kinds.add(kind)
                count += 1
    missing = set(spec.get("kinds", [])) - kinds
    if missing:
        raise SchemaError(
            f"{name}: {module}@{version} files {spec['files']} hold no CRD for "
            f"{', '.join(sorted(missing))} (found: {', '.join(sorted(kinds))})"
        )
    return count, kinds


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", help="generate only these [schemas.crds.*] entries")
    args = parser.parse_args(argv)
    with args.manifest.open("rb") as fh:
        schemas = tomllib.load(fh).get("schemas", {})
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    failures = []
    try:
        if not args.only:
            started = time.monotonic()
            k8s = schemas["kubernetes"]
            n = generate_core(k8s, out)
            print(
                f"kubernetes {k8s['version']}: {n} standalone strict schemas "
                f"({time.monotonic() - started:.1f}s)",
                flush=True,
            )
        for name, spec in schemas.get("crds", {}).items():
            if args.only and name not in args.only:
                continue
            started = time.monotonic()
            try:
                n, kinds = generate_crds(name, spec, out)
            except SchemaError as exc:
                failures.append(str(exc))
                print(f"FAILED {exc}", flush=True)
                continue
            print(
                f"{name} {spec['module']}@{spec['version']}: {n} schemas for "
                f"{len(kinds)} kinds ({time.monotonic() - started:.1f}s)",
                flush=True,
            )
    except SchemaError as exc:
        failures.append(str(exc))
        print(f"FAILED {exc}", flush=True)
    if failures:
        print(f"{len(failures)} schema source(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
