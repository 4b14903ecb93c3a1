"""Check that the Argo CD tree deploys what the chart renders (deploy/argocd/, docs/gitops.md).

- every environment has an Application that deploys the chart with its own values file;
- the AppProject allows every kind the environment renders (namespaced kinds in
  namespaceResourceWhitelist, cluster-scoped ones in clusterResourceWhitelist), so a sync never
  fails on a kind the project forbids.

Usage: python scripts/check_deploy.py RENDER_DIR
(RENDER_DIR holds the <env>.manifests that `make chart-render` writes.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ARGOCD = ROOT / "deploy" / "argocd"
CHART = "charts/<{ cookiecutter.project_slug }>"
ENVIRONMENTS = ("dev", "staging", "prod")
# Kinds of the chart that are not namespaced.
CLUSTER_SCOPED = {
    ("", "Namespace"),
    ("karpenter.sh", "NodePool"),
    ("karpenter.k8s.aws", "EC2NodeClass"),
    ("policy.sigstore.dev", "ClusterImagePolicy"),
}


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def check(render_dir: Path) -> list[str]:
    problems: list[str] = []
    (project,) = _documents(ARGOCD / "project.yaml")
    allowed = {
        "namespaced": {
            (k["group"], k["kind"]) for k in project["spec"].get("namespaceResourceWhitelist", [])
        },
        "cluster": {
            (k["group"], k["kind"]) for k in project["spec"].get("clusterResourceWhitelist", [])
        },
    }
    for env in ENVIRONMENTS:
        app_file = ARGOCD / "apps" / f"{env}.yaml"
        if not app_file.exists():
            problems.append(
                f"{app_file.relative_to(ROOT)}: missing; every environment needs its Application"
            )
            continue
        (app,) = _documents(app_file)
        source = app["spec"]["source"]
        if source.get("path") != CHART or source.get("helm", {}).get("valueFiles") != [
            f"values-{env}.yaml"
        ]:
            problems.append(
                f"{app_file.relative_to(ROOT)}: spec.source must deploy {CHART} with valueFiles "
                f"[values-{env}.yaml], found path {source.get('path')!r} and "
                f"valueFiles {source.get('helm', {}).get('valueFiles')!r}"
            )
        if app["spec"].get("project") != project["metadata"]["name"]:
            problems.append(
                f"{app_file.relative_to(ROOT)}: spec.project must be "
                f"{project['metadata']['name']!r}"
            )
        render = render_dir / f"{env}.manifests"
        for doc in _documents(render):
            key = (_group(doc["apiVersion"]), doc["kind"])
            scope = "cluster" if key in CLUSTER_SCOPED else "namespaced"
            if key not in allowed[scope]:
                field = (
                    "clusterResourceWhitelist"
                    if scope == "cluster"
                    else "namespaceResourceWhitelist"
                )
                problems.append(
                    f"deploy/argocd/project.yaml: {env} renders {doc['kind']} "
                    f"(group {key[0]!r}) but "
                    f"spec.{field} does not allow it; add it, or stop rendering it"
                )
    return sorted(set(problems))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    problems = check(Path(args[0]) if args else ROOT / "out" / "chart")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(
        f"deploy check: the Applications of {', '.join(ENVIRONMENTS)} deploy the chart, "
        "and the project allows all they render"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
