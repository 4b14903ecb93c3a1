#!/usr/bin/env python3
"""Generate Gatekeeper ConstraintTemplates and Constraints from the conftest policies.

One Rego source serves both engines (the konstraint pattern). Policies are grouped by concern
(policy/kubernetes/, and one folder per further concern), each rule beside its test, with shared
helpers in policy/lib/. Each policy package carries METADATA (title, description and custom id/severity/scope/kinds/remediation) and
`deny` or `warn` rules that read objects through data.lib.kubernetes, which accepts conftest's
input and Gatekeeper's `input.review.object` alike. For every policy whose scope is `object`
(it judges one object at a time, as admission does) this writes:

- templates/<id>.yaml: a ConstraintTemplate whose Rego (v1) is the policy's own source plus a
  generated `violation` rule, with the policy/lib/ packages it imports as its libs;
- constraints/<id>.yaml: a Constraint matching the policy's kinds, enforcementAction `deny` for
  the mandatory set and `warn` for the advisory set.

Policies with scope `release` compare several objects of a release (a PDB for a Deployment,
a default-deny NetworkPolicy for its pods); admission sees one object at a time, so they stay
in CI only, and so do policies with scope `file`, which judge files that never reach the API
server (Terraform, Alertmanager configuration, checklists).

Usage: python3 policy/gatekeeper/generate.py [--check]
--check writes nothing and fails if the committed files differ from what would be generated.
Needs `opa` on PATH (it parses the METADATA annotations).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

POLICY_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = Path(__file__).resolve().parent
KIND_PREFIX = "Pavedroad"
SCOPES = ("object", "release", "file")
LIB_IMPORT = re.compile(r"^import data\.(lib\.[a-z0-9_.]+)", re.MULTILINE)

KIND_GROUPS = {
    "workloads": [
        ("", ["Pod"]),
        ("apps", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]),
        ("batch", ["Job", "CronJob"]),
        ("argoproj.io", ["Rollout"]),
    ],
    "longRunning": [
        ("apps", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]),
        ("argoproj.io", ["Rollout"]),
    ],
}

VIOLATION_RULE = """
# Generated for Gatekeeper by policy/gatekeeper/generate.py: every {rule} message is a violation.
violation contains {{"msg": msg}} if {{
\tsome msg in {rule}
}}
"""


class PolicyError(Exception):
    """A policy's METADATA is incomplete or inconsistent."""


def inspect(policy_dir: Path) -> list[dict]:
    """Package annotations of every policy, from `opa inspect`."""
    result = subprocess.run(
        ["opa", "inspect", "--annotations", "--format", "json", str(policy_dir)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise PolicyError(f"opa inspect failed:\n{result.stderr}")
    policies = []
    for entry in json.loads(result.stdout).get("annotations", []):
        annotation = entry["annotations"]
        custom = annotation.get("custom") or {}
        if annotation.get("scope") != "package" or "id" not in custom:
            continue
        package = ".".join(part["value"] for part in entry["path"][1:])
        source = Path(entry["location"]["file"])
        if not source.is_absolute():
            source = policy_dir / source
        policies.append({"package": package, "file": source, **annotation, **custom})
    return policies


def validate(policies: list[dict]) -> None:
    """Every policy has the fields the docs, CI and Gatekeeper rely on; IDs are unique."""
    seen: dict[str, str] = {}
    for p in policies:
        where = f"{source_name(p)} (package {p['package']})"
        for field in ("title", "description", "remediation", "severity", "scope"):
            if not p.get(field):
                raise PolicyError(f"{where}: METADATA lacks {field}; add it under custom: or at the top")
        if not re.fullmatch(r"[A-Z]{3}-[0-9]{3}", p["id"]):
            raise PolicyError(f"{where}: id {p['id']!r} must look like ABC-123")
        if p["id"] in seen:
            raise PolicyError(f"{where}: id {p['id']} is already used by {seen[p['id']]}")
        seen[p["id"]] = where
        if p["severity"] not in ("deny", "warn"):
            raise PolicyError(f"{where}: severity {p['severity']!r} must be deny or warn")
        if p["scope"] not in SCOPES:
            raise PolicyError(f"{where}: scope {p['scope']!r} must be one of {', '.join(SCOPES)}")
        text = p["file"].read_text(encoding="utf-8")
        if not re.search(rf"^{p['severity']} contains ", text, re.MULTILINE):
            raise PolicyError(f"{where}: severity is {p['severity']} but no `{p['severity']} contains` rule exists")
        if f'"{p["id"]}"' not in text:
            raise PolicyError(f"{where}: its messages must name the id {p['id']}")
        if p["scope"] == "object" and not p.get("kinds"):
            raise PolicyError(f"{where}: an object-scoped policy needs custom.kinds for its Constraint")


def source_name(policy: dict) -> str:
    """The policy's file as a repository path, e.g. policy/kubernetes/container_non_root.rego."""
    return str(policy["file"].relative_to(POLICY_DIR.parent))


def lib_sources(policy_dir: Path) -> dict[str, str]:
    """The shared library packages (tests excluded), by package name."""
    libs = {}
    for path in sorted((policy_dir / "lib").glob("*.rego")):
        if path.name.endswith("_test.rego"):
            continue
        text = path.read_text(encoding="utf-8")
        package = re.search(r"^package (\S+)", text, re.MULTILINE)
        if package:
            libs[package.group(1)] = text
    return libs


def imported_libs(text: str, libs: dict[str, str]) -> list[str]:
    """The library sources a policy needs: what it imports, and what those import, in order."""
    needed: list[str] = []
    pending = LIB_IMPORT.findall(text)
    while pending:
        package = pending.pop(0)
        if package in needed:
            continue
        if package not in libs:
            raise PolicyError(f"imports data.{package}, which policy/lib/ does not define")
        needed.append(package)
        pending += LIB_IMPORT.findall(libs[package])
    return [libs[package] for package in sorted(needed)]


def match_kinds(kinds: list[str]) -> list[tuple[str, list[str]]]:
    """custom.kinds (`workloads`, `longRunning`, `core/Kind`, `group/Kind`) as Constraint match kinds."""
    groups: dict[str, list[str]] = {}
    for item in kinds:
        pairs = KIND_GROUPS.get(item)
        if pairs is None:
            group, _, kind = item.rpartition("/")
            if not kind or not group:
                raise PolicyError(f"kind {item!r}: use workloads, longRunning, core/<Kind> or <group>/<Kind>")
            pairs = [("" if group == "core" else group, [kind])]
        for group, names in pairs:
            groups.setdefault(group, [])
            groups[group] += [n for n in names if n not in groups[group]]
    return list(groups.items())


def crd_kind(package: str) -> str:
    return KIND_PREFIX + "".join(part.capitalize() for part in re.split(r"[._]", package))


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}{line}" if line else "" for line in text.rstrip("\n").split("\n")]


def template_yaml(policy: dict, libs: list[str]) -> str:
    kind = crd_kind(policy["package"])
    rule = policy["severity"]
    rego = policy["file"].read_text(encoding="utf-8").rstrip("\n") + "\n" + VIOLATION_RULE.format(rule=rule)
    lines = [
        f"# Generated by policy/gatekeeper/generate.py from {source_name(policy)}; do not edit.",
        "# The Rego is embedded verbatim, so its long lines stay long.",
        "# yamllint disable rule:line-length",
        "apiVersion: templates.gatekeeper.sh/v1",
        "kind: ConstraintTemplate",
        "metadata:",
        f"  name: {kind.lower()}",
        "  annotations:",
        f"    metadata.gatekeeper.sh/title: {quoted(policy['title'])}",
        "    metadata.gatekeeper.sh/version: 1.0.0",
        f"    description: {quoted(policy['description'])}",
        f"    pavedroad.io/policy-id: {policy['id']}",
        "spec:",
        "  crd:",
        "    spec:",
        "      names:",
        f"        kind: {kind}",
        "  targets:",
        "    - target: admission.k8s.gatekeeper.sh",
        "      code:",
        "        - engine: Rego",
        "          source:",
        "            version: v1",
        "            rego: |",
        *block(rego, 14),
        "            libs:",
    ]
    for lib in libs:
        lines.append("              - |")
        lines += block(lib, 16)
    return "\n".join(lines) + "\n"


def constraint_yaml(policy: dict) -> str:
    kind = crd_kind(policy["package"])
    name = f"{policy['id'].lower()}-{policy['package'].replace('_', '-')}"
    lines = [
        f"# Generated by policy/gatekeeper/generate.py from {source_name(policy)}; do not edit.",
        f"# {policy['id']}: {policy['title']}",
        "apiVersion: constraints.gatekeeper.sh/v1beta1",
        f"kind: {kind}",
        "metadata:",
        f"  name: {name}",
        "spec:",
        f"  enforcementAction: {policy['severity']}",
        "  match:",
        "    kinds:",
    ]
    for group, kinds in match_kinds(policy["kinds"]):
        lines += [f"      - apiGroups: [{quoted(group)}]", f"        kinds: [{', '.join(kinds)}]"]
    return "\n".join(lines) + "\n"


def render(policy_dir: Path) -> dict[Path, str]:
    policies = inspect(policy_dir)
    if not policies:
        raise PolicyError(f"no policy with METADATA custom.id found under {policy_dir}")
    validate(policies)
    libs = lib_sources(policy_dir)
    files: dict[Path, str] = {}
    for policy in sorted(policies, key=lambda p: p["id"]):
        if policy["scope"] != "object":
            continue
        stem = f"{policy['id'].lower()}-{policy['package'].replace('_', '-')}.yaml"
        source = policy["file"].read_text(encoding="utf-8")
        try:
            needed = imported_libs(source, libs)
        except PolicyError as error:
            raise PolicyError(f"{source_name(policy)}: {error}") from None
        files[OUT_DIR / "templates" / stem] = template_yaml(policy, needed)
        files[OUT_DIR / "constraints" / stem] = constraint_yaml(policy)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed files are stale")
    args = parser.parse_args(argv)
    try:
        files = render(POLICY_DIR)
    except PolicyError as error:
        print(f"policy/gatekeeper: {error}", file=sys.stderr)
        return 1
    existing = {p for d in ("templates", "constraints") for p in (OUT_DIR / d).glob("*.yaml")}
    if args.check:
        stale = sorted(str(p.relative_to(POLICY_DIR.parent)) for p, text in files.items()
                       if not p.exists() or p.read_text(encoding="utf-8") != text)
        extra = sorted(str(p.relative_to(POLICY_DIR.parent)) for p in existing - set(files))
        if stale or extra:
            for path in stale:
                print(f"out of date: {path}", file=sys.stderr)
            for path in extra:
                print(f"no longer generated: {path}", file=sys.stderr)
            print("The Gatekeeper files are not in sync with the Rego; run `make policy-gatekeeper` and commit.",
                  file=sys.stderr)
            return 1
        print(f"policy/gatekeeper: {len(files) // 2} ConstraintTemplates in sync with the Rego")
        return 0
    for path in existing - set(files):
        path.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"policy/gatekeeper: wrote {len(files) // 2} ConstraintTemplates and Constraints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
